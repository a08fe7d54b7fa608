//! The module-level functions, and the verbs over a compiled policy that they share with
//! `Policy`'s methods. Each verb releases the GIL while it works.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use super::background;
use super::convert::text_arg;
use super::errors::{guarded, too_large, InputTooLargeError};
use super::hooks::PyHooks;
use super::mailbox::{Mailbox, Pending};
use super::registry::{resolve, resolve_or_default};
use super::report::Report;
use crate::columns::{sanitize_column, Column};
use crate::html::escape::escape_text;
use crate::policy::CompiledPolicy;
use crate::report::Findings;

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A bulk call's `threads`, 0 meaning one per core.
pub(super) fn cores_if_zero(n: usize) -> usize {
    if n == 0 {
        threads()
    } else {
        n
    }
}

pub(super) fn sanitize_with(
    py: Python<'_>,
    p: &Arc<CompiledPolicy>,
    html: &Bound<'_, PyAny>,
    what: &str,
) -> PyResult<String> {
    let text = text_arg(what, html)?;
    p.check_size(text.len()).map_err(too_large)?;
    let p = p.clone();
    let text: &str = &text;
    py.detach(|| guarded(|| p.sanitize_unchecked(text)))
}

/// `Policy.sanitize_with`: without hooks, `sanitize` (GIL released); with them, on this
/// thread holding the GIL, the hooks calling Python. A hook's exception is raised as is.
pub(super) fn sanitize_hooked_with(
    py: Python<'_>,
    p: &Arc<CompiledPolicy>,
    html: &Bound<'_, PyAny>,
    attribute_filter: Option<Bound<'_, PyAny>>,
    link_callbacks: Option<Bound<'_, PyAny>>,
) -> PyResult<String> {
    let Some(mut hooks) = PyHooks::new(attribute_filter, link_callbacks)? else {
        return sanitize_with(py, p, html, "sanitize_with()");
    };
    let text = text_arg("sanitize_with()", html)?;
    let out = guarded(|| p.sanitize_hooked(&text, &mut hooks))?.map_err(too_large)?;
    match hooks.error.take() {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// Sanitize `html` on a background thread; what `sanitize_async` awaits for large inputs.
/// The thread is already running, so the hand-off costs a wake-up at most, not a thread
/// start or an executor's queue. Returns the job's `Pending` answer, whose task sleeps (if
/// it must) until `mailbox` gets `key`; None, having done nothing, when no thread can be
/// started.
pub(super) fn sanitize_soon_with(
    p: &Arc<CompiledPolicy>,
    html: &Bound<'_, PyAny>,
    mailbox: &Mailbox,
    key: u64,
) -> PyResult<Option<Pending>> {
    let text = text_arg("sanitize_async()", html)?;
    p.check_size(text.len()).map_err(too_large)?;
    // Owned: the worker outlives this call. A copy costs far less than the hand-off.
    let text = text.into_owned();
    let expected = background::PACE.expect(text.len()).as_secs_f64();
    let pending = Pending::new(mailbox, key, expected);
    let answer = pending.answer.clone();
    let p = p.clone();
    let submitted = background::submit(Box::new(move || {
        let start = Instant::now();
        let result = guarded(|| p.sanitize_unchecked(&text));
        background::PACE.record(text.len(), start.elapsed());
        drop(text);
        answer.post(result);
    }));
    Ok(submitted.then_some(pending))
}

pub(super) fn sanitize_many_with(
    py: Python<'_>,
    p: &Arc<CompiledPolicy>,
    htmls: &Bound<'_, PyAny>,
) -> PyResult<Vec<String>> {
    let owned = many_args("sanitize_many()", htmls)?;
    let items = many_texts("sanitize_many()", &owned)?;
    let p = p.clone();
    let n = threads();
    py.detach(|| guarded(|| p.sanitize_many(&items, n)))?
        .map_err(|(i, e)| InputTooLargeError::new_err(format!("item {i}: {e}")))
}

/// `inspect` of every item of an iterable of `str`, in parallel like `sanitize_many`; the
/// reports are built once the work is done, with the GIL held.
pub(super) fn inspect_many_with(
    py: Python<'_>,
    p: &Arc<CompiledPolicy>,
    htmls: &Bound<'_, PyAny>,
) -> PyResult<Vec<Report>> {
    let owned = many_args("inspect_many()", htmls)?;
    let items = many_texts("inspect_many()", &owned)?;
    let p = p.clone();
    let n = threads();
    let found = py
        .detach(|| guarded(|| p.inspect_many(&items, n)))?
        .map_err(|(i, e)| InputTooLargeError::new_err(format!("item {i}: {e}")))?;
    found
        .into_iter()
        .zip(&items)
        .map(|((out, findings), text)| Report::new(py, out, findings, text))
        .collect()
}

/// The items of a `*_many` verb's argument: any iterable of `str` but a `str` itself.
fn many_args<'py>(verb: &str, htmls: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if htmls.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{verb} expects an iterable of str, got a single str"
        )));
    }
    htmls.try_iter()?.collect()
}

fn many_texts<'a>(verb: &str, owned: &'a [Bound<'_, PyAny>]) -> PyResult<Vec<Cow<'a, str>>> {
    owned
        .iter()
        .enumerate()
        // The label is formatted only if the item is rejected.
        .map(|(i, h)| text_arg(format_args!("{verb} item {i}"), h))
        .collect()
}

pub(super) fn inspect_with(
    py: Python<'_>,
    p: &Arc<CompiledPolicy>,
    html: &Bound<'_, PyAny>,
) -> PyResult<Report> {
    let text = text_arg("inspect()", html)?;
    p.check_size(text.len()).map_err(too_large)?;
    let p = p.clone();
    let t: &str = &text;
    let (out, findings) = py.detach(|| guarded(|| p.inspect_unchecked(t)))?;
    Report::new(py, out, findings, &text)
}

pub(super) fn is_clean_with(
    py: Python<'_>,
    p: &Arc<CompiledPolicy>,
    html: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    let text = text_arg("is_clean()", html)?;
    p.check_size(text.len()).map_err(too_large)?;
    let p = p.clone();
    let t: &str = &text;
    py.detach(|| guarded(|| p.inspect_unchecked(t).1.total == 0))
}

// ---------------------------------------------------------------- module verbs

// `inspect.signature` evaluates a default written as a name in the function's module, so
// the signatures show `_core.DEFAULT_POLICY`'s value without repeating it.
#[pyfunction]
#[pyo3(signature = (html, policy = None), text_signature = "(html, policy=DEFAULT_POLICY)")]
pub(super) fn sanitize(
    py: Python<'_>,
    html: &Bound<'_, PyAny>,
    policy: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let p = resolve_or_default(policy)?;
    sanitize_with(py, &p, html, "sanitize()")
}

#[pyfunction]
#[pyo3(signature = (htmls, policy = None), text_signature = "(htmls, policy=DEFAULT_POLICY)")]
pub(super) fn sanitize_many(
    py: Python<'_>,
    htmls: &Bound<'_, PyAny>,
    policy: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<String>> {
    let p = resolve_or_default(policy)?;
    sanitize_many_with(py, &p, htmls)
}

#[pyfunction]
#[pyo3(signature = (htmls, policy = None), text_signature = "(htmls, policy=DEFAULT_POLICY)")]
pub(super) fn inspect_many(
    py: Python<'_>,
    htmls: &Bound<'_, PyAny>,
    policy: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<Report>> {
    let p = resolve_or_default(policy)?;
    inspect_many_with(py, &p, htmls)
}

/// `sanitize` without the plain-text fast path or the cutting of large documents: the
/// reference both must equal. Private: for the property tests and the benchmark.
#[pyfunction]
pub(super) fn _sanitize_unsplit(
    py: Python<'_>,
    policy: &Bound<'_, PyAny>,
    html: &str,
) -> PyResult<String> {
    let p = resolve(policy)?;
    py.detach(|| guarded(|| p.sanitize_unsplit(html)))
}

/// The parser path cut into pieces of at least `every` bytes. Private, as above.
#[pyfunction]
pub(super) fn _sanitize_in_pieces(
    py: Python<'_>,
    policy: &Bound<'_, PyAny>,
    html: &str,
    every: usize,
) -> PyResult<String> {
    let p = resolve(policy)?;
    py.detach(|| guarded(|| p.sanitize_in_pieces(html, every.max(1))))
}

#[pyfunction(name = "inspect")]
#[pyo3(signature = (html, policy = None), text_signature = "(html, policy=DEFAULT_POLICY)")]
pub(super) fn inspect_py(
    py: Python<'_>,
    html: &Bound<'_, PyAny>,
    policy: Option<&Bound<'_, PyAny>>,
) -> PyResult<Report> {
    let p = resolve_or_default(policy)?;
    inspect_with(py, &p, html)
}

#[pyfunction]
#[pyo3(signature = (html, policy = None), text_signature = "(html, policy=DEFAULT_POLICY)")]
pub(super) fn is_clean(
    py: Python<'_>,
    html: &Bound<'_, PyAny>,
    policy: Option<&Bound<'_, PyAny>>,
) -> PyResult<bool> {
    let p = resolve_or_default(policy)?;
    is_clean_with(py, &p, html)
}

/// Text made safe to place in HTML: `& < > " '` become character references.
#[pyfunction]
pub(super) fn escape(text: &Bound<'_, PyAny>) -> PyResult<String> {
    let t = text_arg("escape()", text)?;
    let mut out = escape_text(&t);
    if out.contains(['"', '\'']) {
        out = out.replace('"', "&quot;").replace('\'', "&#x27;");
    }
    // escape_text writes U+00A0 as &nbsp;, which is fine in any context.
    Ok(out)
}

/// The text content of an HTML fragment, as plain text (not HTML: escape it before
/// putting it back into a page).
#[pyfunction]
pub(super) fn strip_tags(py: Python<'_>, html: &Bound<'_, PyAny>) -> PyResult<String> {
    let t = text_arg("strip_tags()", html)?;
    let t: &str = &t;
    py.detach(|| guarded(|| crate::text::strip_tags(t)))
}

// ---------------------------------------------------------------- the bulk batch step

/// A value of a bulk batch the policy could not take: why, and its UTF-8 size (a lone
/// surrogate counted as the 3 bytes `surrogatepass` writes), or None if it can go through.
fn bulk_failure(v: &Bound<'_, PyAny>, p: &CompiledPolicy) -> Option<(String, usize)> {
    let Ok(s) = v.cast::<PyString>() else {
        let name = v
            .get_type()
            .name()
            .map_or_else(|_| "?".into(), |n| n.to_string());
        return Some((format!("TypeError: expected str or None, got {name}"), 0));
    };
    let Ok(text) = s.to_str() else {
        // Not UTF-8 (a lone surrogate, as a CSV read with surrogateescape leaves for a bad
        // byte): a failure here, never the U+FFFD that `sanitize` documents.
        let py = v.py();
        let start = s
            .call_method1("encode", ("utf-8",))
            .err()
            .and_then(|e| e.value(py).getattr("start").ok())
            .and_then(|n| n.extract::<usize>().ok())
            .unwrap_or(0);
        let size = s
            .call_method1("encode", ("utf-8", "surrogatepass"))
            .and_then(|b| b.len())
            .unwrap_or(0);
        let why = format!("UnicodeError: invalid UTF-8 or a lone surrogate at character {start}");
        return Some((why, size));
    };
    p.check_size(text.len())
        .err()
        .map(|e| (format!("InputTooLargeError: {e}"), text.len()))
}

/// `Policy._bulk_batch(values, threads)`: `htmlguard.bulk.batch`'s work on one column of a
/// batch in one call. `values` is a list of `str`, `None` or anything else; the `str`s are
/// inspected on the shared pool (`threads > 1`) or on this thread, with the GIL released
/// once, and the removal counts are summed here, so the Python side does no per-value work
/// but writing rows. Returns `(outputs, changed, failures, bytes_in, bytes_out, by_kind,
/// by_tag, by_attribute)`: `outputs[i]` is the new value where it changed and the very
/// object read otherwise (a failed or `None` value included); `changed` the indexes that
/// changed; `failures` `(index, "Error: why")` pairs in index order; `bytes_in` the UTF-8
/// size of every `str` read, `bytes_out` of every one written.
pub(super) fn bulk_batch_with<'py>(
    py: Python<'py>,
    p: &Arc<CompiledPolicy>,
    values: &Bound<'py, PyList>,
    threads: usize,
) -> PyResult<Bound<'py, PyTuple>> {
    let items: Vec<Bound<'py, PyAny>> = values.iter().collect();
    let mut todo: Vec<(usize, &str)> = Vec::new();
    let failures = PyList::empty(py);
    let (mut bytes_in, mut bytes_out) = (0usize, 0usize);
    for (i, v) in items.iter().enumerate() {
        if v.is_none() {
            continue;
        }
        match bulk_failure(v, p) {
            Some((why, size)) => {
                failures.append((i, why))?;
                bytes_in += size;
            }
            None => {
                let s = v.cast::<PyString>()?.to_str()?;
                todo.push((i, s));
            }
        }
    }
    let texts: Vec<&str> = todo.iter().map(|(_, s)| *s).collect();
    let q = p.clone();
    let found = py
        .detach(|| guarded(|| q.count_many(&texts, threads.max(1))))?
        .map_err(|(i, e)| InputTooLargeError::new_err(format!("item {i}: {e}")))?;
    let mut total = Findings::default();
    let outputs = PyList::new(py, &items)?;
    let changed = PyList::empty(py);
    for ((i, before), (after, f)) in todo.iter().zip(found) {
        bytes_in += before.len();
        bytes_out += after.len();
        if after != *before {
            outputs.set_item(*i, after)?;
            changed.append(*i)?;
        }
        total.merge(f);
    }
    bulk_tuple(
        py,
        [outputs.into_any(), changed.into_any(), failures.into_any()],
        bytes_in,
        bytes_out,
        &total,
    )
}

/// The tuple both bulk verbs return: their first three items, then `bytes_in`, `bytes_out`
/// and the removal counts as `by_kind`, `by_tag` and `by_attribute` dicts.
fn bulk_tuple<'py>(
    py: Python<'py>,
    head: [Bound<'py, PyAny>; 3],
    bytes_in: usize,
    bytes_out: usize,
    total: &Findings,
) -> PyResult<Bound<'py, PyTuple>> {
    let by_kind = PyDict::new(py);
    for (k, n) in &total.by_kind {
        by_kind.set_item(k, n)?;
    }
    let by_tag = PyDict::new(py);
    for (k, n) in &total.by_tag {
        by_tag.set_item(k, n)?;
    }
    let by_attribute = PyDict::new(py);
    for ((t, a), n) in &total.by_attribute {
        by_attribute.set_item((t, a), n)?;
    }
    let [a, b, c] = head;
    PyTuple::new(
        py,
        [
            a,
            b,
            c,
            bytes_in.into_pyobject(py)?.into_any(),
            bytes_out.into_pyobject(py)?.into_any(),
            by_kind.into_any(),
            by_tag.into_any(),
            by_attribute.into_any(),
        ],
    )
}

/// `Policy._bulk_arrow(...)`: [`bulk_batch_with`] for a column in Arrow's string layout
/// (`rust/columns.rs`), given as its buffers' bytes. Returns `((offsets, data), changed,
/// failures, bytes_in, bytes_out, by_kind, by_tag, by_attribute)`: the new column's
/// offsets and data (the validity is the input's), the rest as `_bulk_batch` has them.
/// Buffers that do not hold the column their shape describes raise ValueError.
pub(super) fn bulk_arrow_with<'py>(
    py: Python<'py>,
    p: &Arc<CompiledPolicy>,
    col: &Column<'_>,
    threads: usize,
) -> PyResult<Bound<'py, PyTuple>> {
    let q = p.clone();
    let done = py
        .detach(|| guarded(|| sanitize_column(&q, col, threads.max(1))))?
        .map_err(|e| PyValueError::new_err(e.0))?;
    let column = PyTuple::new(
        py,
        [
            PyBytes::new(py, &done.offsets).into_any(),
            PyBytes::new(py, &done.data).into_any(),
        ],
    )?;
    bulk_tuple(
        py,
        [
            column.into_any(),
            PyList::new(py, &done.changed)?.into_any(),
            PyList::new(py, &done.failures)?.into_any(),
        ],
        done.bytes_in,
        done.bytes_out,
        &done.findings,
    )
}
