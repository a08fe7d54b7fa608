//! The `Policy` class. Every way to build one (keyword arguments, a preset, a dict,
//! `derive`) makes a `PolicySpec` through the option table and compiles it; the option
//! getters are generated from the table's list.

use std::collections::BTreeSet;
use std::sync::Arc;

use pyo3::basic::CompareOp;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyTuple, PyType};

use super::convert::{get_mapping, get_str, set_option, spec_to_dict, value_to_py, Shape};
use super::errors::{policy_err, PolicyError};
use super::mailbox::{Mailbox, Pending};
use super::report::Report;
use super::verbs::{
    bulk_arrow_with, bulk_batch_with, cores_if_zero, inspect_many_with, inspect_with,
    is_clean_with, sanitize_hooked_with, sanitize_many_with, sanitize_soon_with, sanitize_with,
};
use crate::columns::Column;
use crate::policy::options::{for_each_option, Field};
use crate::policy::presets::{preset_spec, PRESET_NAMES};
use crate::policy::spec::Disallowed;
use crate::policy::{CompiledPolicy, PolicySpec};

/// The class, with one read-only attribute per option. PyO3 allows a single `#[pymethods]`
/// block per class, so the option getters are generated as fields (`#[pyo3(get)]`), their
/// values converted once when the policy is built.
macro_rules! policy_class {
    ($($name:ident = $doc:literal;)*) => {
        /// An immutable, compiled sanitizing policy.
        ///
        /// ``Policy(**options)`` starts from nothing allowed: what is written is exactly what
        /// passes. Start from a preset with :meth:`Policy.preset` and :meth:`derive`. Every
        /// option is readable as an attribute: sets as frozensets, mappings read-only.
        ///
        /// >>> p = Policy(tags={"b", "a"}, tag_attributes={"a": {"href"}}, url_schemes={"https"})
        /// >>> p.sanitize('<b onclick="x()">hi</b> <a href="javascript:alert(1)">x</a>')
        /// '<b>hi</b> <a>x</a>'
        /// >>> ugc = Policy.preset("ugc")
        /// >>> "u" in ugc.tags, "kbd" in ugc.tags
        /// (True, False)
        /// >>> mine = ugc.derive(tags=ugc.tags | {"kbd"})
        /// >>> mine.sanitize("<kbd>Ctrl</kbd>")
        /// '<kbd>Ctrl</kbd>'
        /// >>> Policy.from_dict(mine.to_dict()) == mine
        /// True
        #[pyclass(frozen, module = "htmlguard", name = "Policy")]
        pub struct Policy {
            pub(super) inner: Arc<CompiledPolicy>,
            $(
                #[doc = $doc]
                #[pyo3(get)]
                $name: Py<PyAny>,
            )*
        }

        impl Policy {
            /// Check and compile `spec`, and convert each option for its getter.
            fn build(py: Python<'_>, spec: PolicySpec) -> PyResult<Self> {
                let compiled = spec.compile().map_err(policy_err)?;
                let spec = &compiled.spec;
                Ok(Policy {
                    $($name: value_to_py(py, &spec.$name.to_value(), Shape::Frozen)?.unbind(),)*
                    inner: Arc::new(compiled),
                })
            }
        }
    };
}
for_each_option!(policy_class);

/// Set each `(name, value)` option on `spec`.
fn apply<'py>(
    spec: &mut PolicySpec,
    options: impl IntoIterator<Item = (String, Bound<'py, PyAny>)>,
) -> PyResult<()> {
    for (name, value) in options {
        set_option(spec, &name, &value)?;
    }
    Ok(())
}

/// Keyword arguments as `(name, value)` pairs.
fn keywords<'py>(
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Vec<(String, Bound<'py, PyAny>)>> {
    kwargs
        .into_iter()
        .flat_map(|d| d.iter())
        .map(|(k, v)| Ok((get_str("option name", &k)?, v)))
        .collect()
}

#[pymethods]
impl Policy {
    #[new]
    #[pyo3(signature = (**options))]
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut spec = PolicySpec::empty();
        apply(&mut spec, keywords(options)?)?;
        Policy::build(py, spec)
    }

    /// A built-in policy: "strict", "basic", "ugc" or "relaxed".
    #[classmethod]
    fn preset(cls: &Bound<'_, PyType>, name: &Bound<'_, PyAny>) -> PyResult<Self> {
        let name = get_str("preset", name)?;
        let spec = preset_spec(&name).ok_or_else(|| {
            PolicyError::new_err(format!(
                "preset: unknown preset {name:?}; presets are {}",
                PRESET_NAMES.join(", ")
            ))
        })?;
        Policy::build(cls.py(), spec)
    }

    /// Build a policy from the dict `to_dict()` returns (or one read from JSON/TOML).
    #[classmethod]
    fn from_dict(cls: &Bound<'_, PyType>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut spec = PolicySpec::empty();
        apply(&mut spec, get_mapping("from_dict", data)?)?;
        Policy::build(cls.py(), spec)
    }

    /// Every option as plain lists, dicts, strings, bools and ints (unset options left out).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        spec_to_dict(py, &self.inner.spec)
    }

    /// A copy of this policy with the given options replaced.
    #[pyo3(signature = (**changes))]
    fn derive(&self, py: Python<'_>, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut spec = self.inner.spec.clone();
        apply(&mut spec, keywords(changes)?)?;
        Policy::build(py, spec)
    }

    fn sanitize(&self, py: Python<'_>, html: &Bound<'_, PyAny>) -> PyResult<String> {
        sanitize_with(py, &self.inner, html, "sanitize()")
    }

    /// :meth:`sanitize` with hooks. ``attribute_filter(element, attribute, value)`` sees
    /// each input attribute the policy keeps and returns its value (changed or not) or
    /// None to remove it. Each of ``link_callbacks``, in order, gets ``(attrs, new)`` for
    /// every link written (``new``: made from text by ``linkify``), ``attrs`` being the
    /// link's attributes plus ``"_text"``, and returns that dict (changed or not) or None
    /// to drop the link (a new one stays text; an input one is unwrapped). What a hook
    /// returns is checked by the policy again. With hooks, this runs holding the GIL.
    ///
    /// >>> p = Policy.preset("ugc").derive(linkify=True)
    /// >>> def short_text(attrs, new):
    /// ...     attrs["_text"] = attrs["_text"].removeprefix("https://")
    /// ...     return attrs
    /// >>> p.sanitize_with("see https://x.org", link_callbacks=[short_text])
    /// 'see <a href="https://x.org" rel="nofollow noopener noreferrer">x.org</a>'
    #[pyo3(name = "sanitize_with", signature = (html, *, attribute_filter = None, link_callbacks = None))]
    fn sanitize_hooked(
        &self,
        py: Python<'_>,
        html: &Bound<'_, PyAny>,
        attribute_filter: Option<Bound<'_, PyAny>>,
        link_callbacks: Option<Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        sanitize_hooked_with(py, &self.inner, html, attribute_filter, link_callbacks)
    }

    fn sanitize_many(&self, py: Python<'_>, htmls: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
        sanitize_many_with(py, &self.inner, htmls)
    }

    /// :meth:`sanitize` for async code: inputs longer than
    /// ``htmlguard._policy.ASYNC_INLINE_BYTES`` run on the core's worker threads, with the
    /// GIL released, so the loop keeps running.
    ///
    /// >>> import asyncio
    /// >>> asyncio.run(Policy.preset("basic").sanitize_async("<b>x</b><script>y</script>"))
    /// '<b>x</b>'
    fn sanitize_async<'py>(
        slf: &Bound<'py, Self>,
        html: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        // The coroutine is Python's: an event loop and its executor are asyncio's.
        static COROUTINE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let py = slf.py();
        let coroutine = COROUTINE.get_or_try_init(py, || -> PyResult<_> {
            Ok(py
                .import("htmlguard._policy")?
                .getattr("sanitize_coroutine")?
                .unbind())
        })?;
        coroutine.bind(py).call1((slf, html))
    }

    /// Private: ``sanitize_async``'s background-thread path (see ``htmlguard._policy``).
    fn _sanitize_soon(
        &self,
        html: &Bound<'_, PyAny>,
        mailbox: &Bound<'_, Mailbox>,
        key: u64,
    ) -> PyResult<Option<Pending>> {
        sanitize_soon_with(&self.inner, html, mailbox.get(), key)
    }

    fn inspect(&self, py: Python<'_>, html: &Bound<'_, PyAny>) -> PyResult<Report> {
        inspect_with(py, &self.inner, html)
    }

    /// :meth:`inspect` of many fragments, in parallel as :meth:`sanitize_many` (one pass
    /// per item gives both its output and what was removed).
    ///
    /// >>> [r.total for r in Policy.preset("basic").inspect_many(["<b>x</b>", "<i onclick=y>z</i>"])]
    /// [0, 1]
    fn inspect_many(&self, py: Python<'_>, htmls: &Bound<'_, PyAny>) -> PyResult<Vec<Report>> {
        inspect_many_with(py, &self.inner, htmls)
    }

    /// One column of a bulk batch in one call (``htmlguard.bulk.batch``; see
    /// ``bindings/verbs.rs``). Private: its tuple is shaped for that module alone.
    #[pyo3(signature = (values, threads = 0))]
    fn _bulk_batch<'py>(
        &self,
        py: Python<'py>,
        values: &Bound<'py, pyo3::types::PyList>,
        threads: usize,
    ) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        bulk_batch_with(py, &self.inner, values, cores_if_zero(threads))
    }

    /// :meth:`_bulk_batch` for a column in Arrow's string layout, given as its buffers
    /// (``htmlguard.bulk.arrow``; see ``bindings/verbs.rs``). Private, as that one.
    #[pyo3(signature = (length, offset, validity, offsets, data, wide, threads = 0))]
    #[allow(clippy::too_many_arguments)]
    fn _bulk_arrow<'py>(
        &self,
        py: Python<'py>,
        length: usize,
        offset: usize,
        validity: Option<&[u8]>,
        offsets: &[u8],
        data: &[u8],
        wide: bool,
        threads: usize,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let column = Column {
            len: length,
            offset,
            validity,
            offsets,
            wide,
            data,
        };
        bulk_arrow_with(py, &self.inner, &column, cores_if_zero(threads))
    }

    fn is_clean(&self, py: Python<'_>, html: &Bound<'_, PyAny>) -> PyResult<bool> {
        is_clean_with(py, &self.inner, html)
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp, py: Python<'_>) -> Py<PyAny> {
        let Ok(other) = other.cast::<Policy>() else {
            return py.NotImplemented();
        };
        let same = self.inner.spec == other.get().inner.spec;
        match op {
            CompareOp::Eq => PyBool::new(py, same).to_owned().into_any().unbind(),
            CompareOp::Ne => PyBool::new(py, !same).to_owned().into_any().unbind(),
            _ => py.NotImplemented(),
        }
    }

    fn __hash__(&self) -> u64 {
        self.inner.hash
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let ctor = slf.get_type().getattr("from_dict")?;
        let d = spec_to_dict(py, &slf.get().inner.spec)?;
        PyTuple::new(py, [ctor, PyTuple::new(py, [d])?.into_any()])
    }

    fn __repr__(&self) -> String {
        let s = &self.inner.spec;
        // A preset, or a preset with an engine chosen.
        let unchosen = PolicySpec {
            engine: None,
            ..s.clone()
        };
        for name in PRESET_NAMES {
            if preset_spec(name).as_ref() == Some(&unchosen) {
                return match s.engine {
                    None => format!("Policy.preset({name:?})"),
                    Some(e) => format!("Policy.preset({name:?}).derive(engine={:?})", e.name()),
                };
            }
        }
        let attrs: usize = s.tag_attributes.values().map(BTreeSet::len).sum::<usize>()
            + s.generic_attributes.len();
        let engine = match s.engine {
            Some(e) => format!(", engine {:?}", e.name()),
            None => String::new(),
        };
        let disallowed = match s.disallowed {
            Disallowed::Unwrap => String::new(),
            d => format!(", disallowed {:?}", d.name()),
        };
        format!(
            "Policy(<{} tags, {} attributes, schemes {:?}{disallowed}{engine}>)",
            s.tags.len(),
            attrs,
            s.url_schemes.iter().collect::<Vec<_>>()
        )
    }
}
