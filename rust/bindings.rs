//! Python bindings: conversion between Python values and `PolicySpec`, the `Policy`,
//! `Report` and `Removal` classes, the registry, and the module-level verbs.
//! No decision about what HTML is safe is made here.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, LazyLock};

use pyo3::basic::CompareOp;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyDict, PyFrozenSet, PyInt, PyList, PyMapping, PyString, PyTuple, PyType,
};

use crate::engine::InputTooLarge;
use crate::html::escape::escape_text;
use crate::policy::presets::{preset_spec, PRESET_NAMES};
use crate::policy::registry::{Registry, RegistryError};
use crate::policy::{CompiledPolicy, PolicyError as SpecError, PolicySpec, UrlRelativeSpec};
use crate::report::{Findings, Removal as RemovalData};

pyo3::import_exception!(htmlguard.errors, HTMLGuardError);
pyo3::import_exception!(htmlguard.errors, PolicyError);
pyo3::import_exception!(htmlguard.errors, UnknownPolicyError);
pyo3::import_exception!(htmlguard.errors, InputTooLargeError);

const OPTIONS: &[&str] = &[
    "tags",
    "clean_content_tags",
    "tag_attributes",
    "generic_attributes",
    "generic_attribute_prefixes",
    "tag_attribute_values",
    "set_tag_attribute_values",
    "url_schemes",
    "url_relative",
    "link_rel",
    "allowed_classes",
    "filter_style_properties",
    "strip_comments",
    "id_prefix",
    "attribute_patterns",
    "target_blank",
    "max_input_bytes",
];

fn policy_err(e: SpecError) -> PyErr {
    PolicyError::new_err(e.to_string())
}

fn too_large(e: InputTooLarge) -> PyErr {
    InputTooLargeError::new_err(e.to_string())
}

/// Run `f`, turning a Rust panic into an `HTMLGuardError` instead of letting PyO3 raise
/// `PanicException` (a BaseException most handlers would not catch).
fn guarded<T>(f: impl FnOnce() -> T) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|panic| {
        let msg = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("unknown error");
        HTMLGuardError::new_err(format!("internal error in the sanitizer: {msg}"))
    })
}

// ---------------------------------------------------------------- Python → spec

fn bad(option: &str, expected: &str, got: &Bound<'_, PyAny>) -> PyErr {
    let ty = got
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    PolicyError::new_err(format!("{option}: expected {expected}, got {ty}"))
}

fn get_str(option: &str, v: &Bound<'_, PyAny>) -> PyResult<String> {
    match v.cast::<PyString>() {
        Ok(s) => Ok(s.to_cow()?.into_owned()),
        Err(_) => Err(bad(option, "a string", v)),
    }
}

fn get_opt_str(option: &str, v: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    if v.is_none() {
        Ok(None)
    } else {
        get_str(option, v).map(Some)
    }
}

fn get_bool(option: &str, v: &Bound<'_, PyAny>) -> PyResult<bool> {
    match v.cast::<PyBool>() {
        Ok(b) => Ok(b.is_true()),
        Err(_) => Err(bad(option, "True or False", v)),
    }
}

fn get_str_set(option: &str, v: &Bound<'_, PyAny>) -> PyResult<BTreeSet<String>> {
    // A bare string is iterable too; it is always a mistake here ("b" for {"b"}).
    if v.is_instance_of::<PyString>() || v.is_instance_of::<PyMapping>() {
        return Err(bad(option, "a set or list of strings", v));
    }
    let iter = v
        .try_iter()
        .map_err(|_| bad(option, "a set or list of strings", v))?;
    let mut out = BTreeSet::new();
    for item in iter {
        out.insert(get_str(option, &item?)?);
    }
    Ok(out)
}

fn get_mapping<'py>(
    option: &str,
    v: &Bound<'py, PyAny>,
) -> PyResult<Vec<(String, Bound<'py, PyAny>)>> {
    let m = v
        .cast::<PyMapping>()
        .map_err(|_| bad(option, "a dict", v))?;
    let mut out = Vec::new();
    for item in m.items()?.iter() {
        let (k, val): (Bound<'py, PyAny>, Bound<'py, PyAny>) = item.extract()?;
        out.push((get_str(option, &k)?, val));
    }
    Ok(out)
}

fn get_name_map(
    option: &str,
    v: &Bound<'_, PyAny>,
) -> PyResult<BTreeMap<String, BTreeSet<String>>> {
    get_mapping(option, v)?
        .into_iter()
        .map(|(k, val)| Ok((k, get_str_set(option, &val)?)))
        .collect()
}

fn get_str_map2(
    option: &str,
    v: &Bound<'_, PyAny>,
) -> PyResult<BTreeMap<String, BTreeMap<String, String>>> {
    get_mapping(option, v)?
        .into_iter()
        .map(|(k, val)| {
            let inner = get_mapping(option, &val)?
                .into_iter()
                .map(|(a, s)| Ok((a, get_str(option, &s)?)))
                .collect::<PyResult<_>>()?;
            Ok((k, inner))
        })
        .collect()
}

fn get_url_relative(v: &Bound<'_, PyAny>) -> PyResult<UrlRelativeSpec> {
    const OPT: &str = "url_relative";
    if let Ok(s) = v.cast::<PyString>() {
        return match &*s.to_cow()? {
            "deny" => Ok(UrlRelativeSpec::Deny),
            "pass" | "pass_through" => Ok(UrlRelativeSpec::PassThrough),
            other => Err(PolicyError::new_err(format!(
                "{OPT}: {other:?} is not one of \"deny\", \"pass\", {{\"base\": URL}}, {{\"root\": URL, \"path\": PATH}}"
            ))),
        };
    }
    let entries: BTreeMap<String, String> = get_mapping(OPT, v)?
        .into_iter()
        .map(|(k, val)| Ok((k, get_str(OPT, &val)?)))
        .collect::<PyResult<_>>()?;
    let keys: Vec<&str> = entries.keys().map(String::as_str).collect();
    match keys.as_slice() {
        ["base"] => Ok(UrlRelativeSpec::RewriteWithBase(entries["base"].clone())),
        ["path", "root"] => Ok(UrlRelativeSpec::RewriteWithRoot {
            root: entries["root"].clone(),
            path: entries["path"].clone(),
        }),
        _ => Err(PolicyError::new_err(format!(
            "{OPT}: a dict must be {{\"base\": URL}} or {{\"root\": URL, \"path\": PATH}}, got keys {keys:?}"
        ))),
    }
}

fn spec_from_options(options: Option<&Bound<'_, PyDict>>) -> PyResult<PolicySpec> {
    let mut s = PolicySpec::empty();
    let Some(options) = options else {
        return Ok(s);
    };
    for (key, v) in options.iter() {
        let key: String = get_str("option name", &key)?;
        let k = key.as_str();
        let v = &v;
        match k {
            "tags" => s.tags = get_str_set(k, v)?,
            "clean_content_tags" => s.clean_content_tags = get_str_set(k, v)?,
            "tag_attributes" => s.tag_attributes = get_name_map(k, v)?,
            "generic_attributes" => s.generic_attributes = get_str_set(k, v)?,
            "generic_attribute_prefixes" => s.generic_attribute_prefixes = get_str_set(k, v)?,
            "tag_attribute_values" => {
                s.tag_attribute_values = get_mapping(k, v)?
                    .into_iter()
                    .map(|(t, m)| Ok((t, get_name_map(k, &m)?)))
                    .collect::<PyResult<_>>()?
            }
            "set_tag_attribute_values" => s.set_tag_attribute_values = get_str_map2(k, v)?,
            "url_schemes" => s.url_schemes = get_str_set(k, v)?,
            "url_relative" => s.url_relative = get_url_relative(v)?,
            "link_rel" => s.link_rel = get_opt_str(k, v)?,
            "allowed_classes" => s.allowed_classes = get_name_map(k, v)?,
            "filter_style_properties" => {
                s.filter_style_properties = if v.is_none() {
                    None
                } else {
                    Some(get_str_set(k, v)?)
                }
            }
            "strip_comments" => s.strip_comments = get_bool(k, v)?,
            "id_prefix" => s.id_prefix = get_opt_str(k, v)?,
            "attribute_patterns" => s.attribute_patterns = get_str_map2(k, v)?,
            "target_blank" => s.target_blank = get_bool(k, v)?,
            "max_input_bytes" => {
                s.max_input_bytes = if v.is_none() {
                    None
                } else if v.is_instance_of::<PyInt>() && !v.is_instance_of::<PyBool>() {
                    let n: i128 = v.extract()?;
                    if n <= 0 {
                        return Err(PolicyError::new_err(
                            "max_input_bytes: must be None or a positive number of bytes",
                        ));
                    }
                    Some(usize::try_from(n).unwrap_or(usize::MAX))
                } else {
                    return Err(bad(k, "an int or None", v));
                }
            }
            _ => {
                return Err(PolicyError::new_err(format!(
                    "unknown option {k:?}; options are: {}",
                    OPTIONS.join(", ")
                )))
            }
        }
    }
    Ok(s)
}

// ---------------------------------------------------------------- spec → Python

fn frozen<'py>(py: Python<'py>, items: &BTreeSet<String>) -> PyResult<Bound<'py, PyFrozenSet>> {
    PyFrozenSet::new(py, items.iter().map(String::as_str))
}

fn proxy<'py>(py: Python<'py>, d: Bound<'py, PyDict>) -> PyResult<Bound<'py, PyAny>> {
    static PROXY: pyo3::sync::PyOnceLock<Py<PyAny>> = pyo3::sync::PyOnceLock::new();
    let ty = PROXY.get_or_try_init(py, || -> PyResult<_> {
        Ok(py.import("types")?.getattr("MappingProxyType")?.unbind())
    })?;
    ty.bind(py).call1((d,))
}

/// Which shape a value has in `to_dict()` (plain, JSON/TOML-compatible) versus an option
/// getter (immutable: frozensets and read-only mappings).
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Plain,
    Frozen,
}

fn set_value<'py>(
    py: Python<'py>,
    s: &BTreeSet<String>,
    shape: Shape,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(match shape {
        Shape::Plain => PyList::new(py, s.iter().map(String::as_str))?.into_any(),
        Shape::Frozen => frozen(py, s)?.into_any(),
    })
}

fn dict_value<'py>(
    py: Python<'py>,
    d: Bound<'py, PyDict>,
    shape: Shape,
) -> PyResult<Bound<'py, PyAny>> {
    match shape {
        Shape::Plain => Ok(d.into_any()),
        Shape::Frozen => proxy(py, d),
    }
}

fn name_map_value<'py>(
    py: Python<'py>,
    m: &BTreeMap<String, BTreeSet<String>>,
    shape: Shape,
) -> PyResult<Bound<'py, PyAny>> {
    let d = PyDict::new(py);
    for (k, v) in m {
        d.set_item(k, set_value(py, v, shape)?)?;
    }
    dict_value(py, d, shape)
}

fn str_map2_value<'py>(
    py: Python<'py>,
    m: &BTreeMap<String, BTreeMap<String, String>>,
    shape: Shape,
) -> PyResult<Bound<'py, PyAny>> {
    let d = PyDict::new(py);
    for (k, inner) in m {
        let i = PyDict::new(py);
        for (a, v) in inner {
            i.set_item(a, v)?;
        }
        d.set_item(k, dict_value(py, i, shape)?)?;
    }
    dict_value(py, d, shape)
}

/// One option's value, or None when it is unset (so `to_dict()` can leave it out: TOML has
/// no null).
fn option_value<'py>(
    py: Python<'py>,
    s: &PolicySpec,
    name: &str,
    shape: Shape,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let v = match name {
        "tags" => set_value(py, &s.tags, shape)?,
        "clean_content_tags" => set_value(py, &s.clean_content_tags, shape)?,
        "tag_attributes" => name_map_value(py, &s.tag_attributes, shape)?,
        "generic_attributes" => set_value(py, &s.generic_attributes, shape)?,
        "generic_attribute_prefixes" => set_value(py, &s.generic_attribute_prefixes, shape)?,
        "tag_attribute_values" => {
            let d = PyDict::new(py);
            for (t, m) in &s.tag_attribute_values {
                d.set_item(t, name_map_value(py, m, shape)?)?;
            }
            dict_value(py, d, shape)?
        }
        "set_tag_attribute_values" => str_map2_value(py, &s.set_tag_attribute_values, shape)?,
        "url_schemes" => set_value(py, &s.url_schemes, shape)?,
        "url_relative" => match &s.url_relative {
            UrlRelativeSpec::Deny => PyString::new(py, "deny").into_any(),
            UrlRelativeSpec::PassThrough => PyString::new(py, "pass").into_any(),
            UrlRelativeSpec::RewriteWithBase(base) => {
                let d = PyDict::new(py);
                d.set_item("base", base)?;
                dict_value(py, d, shape)?
            }
            UrlRelativeSpec::RewriteWithRoot { root, path } => {
                let d = PyDict::new(py);
                d.set_item("root", root)?;
                d.set_item("path", path)?;
                dict_value(py, d, shape)?
            }
        },
        "link_rel" => match &s.link_rel {
            Some(v) => PyString::new(py, v).into_any(),
            None => return Ok(None),
        },
        "allowed_classes" => name_map_value(py, &s.allowed_classes, shape)?,
        "filter_style_properties" => match &s.filter_style_properties {
            Some(v) => set_value(py, v, shape)?,
            None => return Ok(None),
        },
        "strip_comments" => PyBool::new(py, s.strip_comments).to_owned().into_any(),
        "id_prefix" => match &s.id_prefix {
            Some(v) => PyString::new(py, v).into_any(),
            None => return Ok(None),
        },
        "attribute_patterns" => str_map2_value(py, &s.attribute_patterns, shape)?,
        "target_blank" => PyBool::new(py, s.target_blank).to_owned().into_any(),
        "max_input_bytes" => match s.max_input_bytes {
            Some(n) => n.into_pyobject(py)?.into_any(),
            None => return Ok(None),
        },
        _ => return Ok(None),
    };
    Ok(Some(v))
}

fn spec_to_dict<'py>(py: Python<'py>, s: &PolicySpec) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for name in OPTIONS {
        if let Some(v) = option_value(py, s, name, Shape::Plain)? {
            d.set_item(*name, v)?;
        }
    }
    Ok(d)
}

// ---------------------------------------------------------------- input strings

/// Borrow a Python str as UTF-8. Lone surrogates (which UTF-8 cannot hold) become U+FFFD,
/// the documented result, instead of an encoding error.
fn text_arg<'a>(
    what: impl std::fmt::Display,
    v: &'a Bound<'_, PyAny>,
) -> PyResult<std::borrow::Cow<'a, str>> {
    let s = v.cast::<PyString>().map_err(|_| {
        let ty = v
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "?".into());
        PyTypeError::new_err(format!("{what} expects str, got {ty}"))
    })?;
    match s.to_cow() {
        Ok(c) => Ok(c),
        Err(_) => replace_surrogates(s).map(std::borrow::Cow::Owned),
    }
}

/// The slow path for strings holding surrogate code points: each lone surrogate becomes
/// one U+FFFD (a high/low pair becomes the character it encodes, as in UTF-16).
fn replace_surrogates(s: &Bound<'_, PyString>) -> PyResult<String> {
    let raw = s.call_method1("encode", ("utf-16-le", "surrogatepass"))?;
    let bytes: &[u8] = raw.cast::<pyo3::types::PyBytes>()?.as_bytes();
    let units = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]));
    Ok(char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect())
}

// ---------------------------------------------------------------- Policy

/// A compiled, immutable sanitizing policy.
#[pyclass(frozen, subclass, module = "htmlguard._core", name = "Policy")]
pub struct Policy {
    inner: Arc<CompiledPolicy>,
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn sanitize_with(
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

fn sanitize_many_with(
    py: Python<'_>,
    p: &Arc<CompiledPolicy>,
    htmls: &Bound<'_, PyAny>,
) -> PyResult<Vec<String>> {
    if htmls.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "sanitize_many() expects an iterable of str, got a single str",
        ));
    }
    let mut items: Vec<std::borrow::Cow<'_, str>> = Vec::new();
    let owned: Vec<Bound<'_, PyAny>> = htmls.try_iter()?.collect::<PyResult<_>>()?;
    for (i, h) in owned.iter().enumerate() {
        // The label is formatted only if the item is rejected.
        items.push(text_arg(format_args!("sanitize_many() item {i}"), h)?);
    }
    let p = p.clone();
    let n = threads();
    py.detach(|| guarded(|| p.sanitize_many(&items, n)))?
        .map_err(|(i, e)| InputTooLargeError::new_err(format!("item {i}: {e}")))
}

fn inspect_with(
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

fn is_clean_with(
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

impl Policy {
    fn new_instance<'py>(
        cls: &Bound<'py, PyType>,
        spec: &PolicySpec,
    ) -> PyResult<Bound<'py, PyAny>> {
        cls.call((), Some(&spec_to_dict(cls.py(), spec)?))
    }
}

#[pymethods]
impl Policy {
    #[new]
    #[pyo3(signature = (**options))]
    fn new(options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let spec = spec_from_options(options)?;
        Ok(Policy {
            inner: Arc::new(spec.compile().map_err(policy_err)?),
        })
    }

    /// A built-in policy: "strict", "basic", "ugc" or "relaxed".
    #[classmethod]
    fn preset<'py>(
        cls: &Bound<'py, PyType>,
        name: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let name = get_str("preset", name)?;
        let spec = preset_spec(&name).ok_or_else(|| {
            PolicyError::new_err(format!(
                "preset: unknown preset {name:?}; presets are {}",
                PRESET_NAMES.join(", ")
            ))
        })?;
        Policy::new_instance(cls, &spec)
    }

    /// Build a policy from the dict `to_dict()` returns (or one read from JSON/TOML).
    #[classmethod]
    fn from_dict<'py>(
        cls: &Bound<'py, PyType>,
        data: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = cls.py();
        let kwargs = PyDict::new(py);
        for (k, v) in get_mapping("from_dict", data)? {
            kwargs.set_item(k, v)?;
        }
        cls.call((), Some(&kwargs))
    }

    /// Every option as plain lists, dicts, strings, bools and ints (unset options left out).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        spec_to_dict(py, &self.inner.spec)
    }

    /// A copy of this policy with the given options replaced.
    #[pyo3(signature = (**changes))]
    fn derive<'py>(
        slf: &Bound<'py, Self>,
        changes: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let d = spec_to_dict(py, &slf.get().inner.spec)?;
        if let Some(changes) = changes {
            d.update(changes.as_mapping())?;
        }
        slf.get_type().call((), Some(&d))
    }

    fn sanitize(&self, py: Python<'_>, html: &Bound<'_, PyAny>) -> PyResult<String> {
        sanitize_with(py, &self.inner, html, "sanitize()")
    }

    fn sanitize_many(&self, py: Python<'_>, htmls: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
        sanitize_many_with(py, &self.inner, htmls)
    }

    fn inspect(&self, py: Python<'_>, html: &Bound<'_, PyAny>) -> PyResult<Report> {
        inspect_with(py, &self.inner, html)
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

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let s = &slf.get().inner.spec;
        for name in PRESET_NAMES {
            if preset_spec(name).as_ref() == Some(s) {
                return Ok(format!("Policy.preset({name:?})"));
            }
        }
        let attrs: usize = s.tag_attributes.values().map(BTreeSet::len).sum::<usize>()
            + s.generic_attributes.len();
        Ok(format!(
            "Policy(<{} tags, {} attributes, schemes {:?}>)",
            s.tags.len(),
            attrs,
            s.url_schemes.iter().collect::<Vec<_>>()
        ))
    }

    // Every option, readable. Sets are frozensets and mappings are read-only, so
    // `p.derive(tags=p.tags | {"u"})` works and a policy cannot be changed in place.
    #[getter]
    fn tags<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, "tags")
    }
    #[getter]
    fn clean_content_tags<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, "clean_content_tags")
    }
    #[getter]
    fn tag_attributes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, "tag_attributes")
    }
    #[getter]
    fn generic_attributes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, "generic_attributes")
    }
    #[getter]
    fn generic_attribute_prefixes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, "generic_attribute_prefixes")
    }
    #[getter]
    fn tag_attribute_values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, "tag_attribute_values")
    }
    #[getter]
    fn set_tag_attribute_values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, "set_tag_attribute_values")
    }
    #[getter]
    fn url_schemes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, "url_schemes")
    }
    #[getter]
    fn url_relative<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, "url_relative")
    }
    #[getter]
    fn link_rel<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, "link_rel")
    }
    #[getter]
    fn allowed_classes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, "allowed_classes")
    }
    #[getter]
    fn filter_style_properties<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, "filter_style_properties")
    }
    #[getter]
    fn strip_comments<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, "strip_comments")
    }
    #[getter]
    fn id_prefix<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, "id_prefix")
    }
    #[getter]
    fn attribute_patterns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, "attribute_patterns")
    }
    #[getter]
    fn target_blank<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, "target_blank")
    }
    #[getter]
    fn max_input_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, "max_input_bytes")
    }
}

impl Policy {
    fn get<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        Ok(option_value(py, &self.inner.spec, name, Shape::Frozen)?
            .unwrap_or_else(|| py.None().into_bound(py)))
    }
}

// ---------------------------------------------------------------- Report

/// One thing a policy removed.
#[pyclass(frozen, eq, hash, module = "htmlguard._core", name = "Removal")]
#[derive(PartialEq, Eq, Hash)]
pub struct Removal {
    #[pyo3(get)]
    kind: String,
    #[pyo3(get)]
    tag: String,
    #[pyo3(get)]
    name: String,
    #[pyo3(get)]
    value: String,
}

#[pymethods]
impl Removal {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let r = |s: &str| -> PyResult<String> {
            Ok(PyString::new(py, s).repr()?.to_cow()?.into_owned())
        };
        Ok(format!(
            "Removal(kind={}, tag={}, name={}, value={})",
            r(&self.kind)?,
            r(&self.tag)?,
            r(&self.name)?,
            r(&self.value)?
        ))
    }
}

impl From<&RemovalData> for Removal {
    fn from(r: &RemovalData) -> Self {
        Removal {
            kind: r.kind.as_str().to_string(),
            tag: r.tag.clone(),
            name: r.name.clone(),
            value: r.value.clone(),
        }
    }
}

/// What `inspect()` found: the sanitized HTML and everything the policy removed.
#[pyclass(frozen, module = "htmlguard._core", name = "Report")]
pub struct Report {
    #[pyo3(get)]
    html: String,
    #[pyo3(get)]
    changed: bool,
    #[pyo3(get)]
    total: usize,
    removed: Py<PyList>,
    by_kind: Py<PyDict>,
    by_tag: Py<PyDict>,
    by_attribute: Py<PyDict>,
    summary: String,
}

fn summarize(f: &Findings) -> String {
    if f.total == 0 {
        return "nothing removed".to_string();
    }
    let mut parts = Vec::new();
    for (kind, n) in &f.by_kind {
        let mut names: Vec<String> = Vec::new();
        for r in f.removed.iter().filter(|r| r.kind.as_str() == *kind) {
            let label = match r.kind {
                crate::report::Kind::Tag => format!("<{}>", r.name),
                crate::report::Kind::Comment => "comment".to_string(),
                crate::report::Kind::Class => format!("{}.{}", r.tag, r.name),
                _ => format!("{}[{}]", r.tag, r.name),
            };
            if !names.contains(&label) {
                names.push(label);
            }
            if names.len() == 5 {
                names.push("…".to_string());
                break;
            }
        }
        let plural = if *n == 1 { "" } else { "s" };
        let kind = if *kind == "class" && *n != 1 {
            "classe"
        } else {
            kind
        };
        parts.push(format!("{n} {kind}{plural} ({})", names.join(", ")));
    }
    format!("removed {}", parts.join("; "))
}

impl Report {
    fn new(py: Python<'_>, html: String, f: Findings, input: &str) -> PyResult<Self> {
        let removed = PyList::empty(py);
        for r in &f.removed {
            removed.append(Py::new(py, Removal::from(r))?)?;
        }
        let by_kind = PyDict::new(py);
        for (k, n) in &f.by_kind {
            by_kind.set_item(k, n)?;
        }
        let by_tag = PyDict::new(py);
        for (k, n) in &f.by_tag {
            by_tag.set_item(k, n)?;
        }
        let by_attribute = PyDict::new(py);
        for ((t, a), n) in &f.by_attribute {
            by_attribute.set_item((t, a), n)?;
        }
        Ok(Report {
            changed: html != input,
            total: f.total,
            summary: summarize(&f),
            html,
            removed: removed.unbind(),
            by_kind: by_kind.unbind(),
            by_tag: by_tag.unbind(),
            by_attribute: by_attribute.unbind(),
        })
    }
}

#[pymethods]
impl Report {
    /// The removals, in document order (at most 10,000 are listed; counts cover all).
    #[getter]
    fn removed<'py>(&self, py: Python<'py>) -> Bound<'py, PyList> {
        // A copy, so callers cannot change the report.
        self.removed.bind(py).get_slice(0, usize::MAX)
    }

    #[getter]
    fn by_kind<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        proxy(py, self.by_kind.bind(py).copy()?)
    }

    #[getter]
    fn by_tag<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        proxy(py, self.by_tag.bind(py).copy()?)
    }

    #[getter]
    fn by_attribute<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        proxy(py, self.by_attribute.bind(py).copy()?)
    }

    fn __bool__(&self) -> bool {
        self.total > 0
    }

    fn __str__(&self) -> String {
        self.summary.clone()
    }

    fn __repr__(&self) -> String {
        format!("<Report: {}>", self.summary)
    }
}

// ---------------------------------------------------------------- registry

struct Entry {
    compiled: Arc<CompiledPolicy>,
    object: Py<PyAny>,
}

impl Clone for Entry {
    fn clone(&self) -> Self {
        Python::attach(|py| Entry {
            compiled: self.compiled.clone(),
            object: self.object.clone_ref(py),
        })
    }
}

static REGISTRY: LazyLock<Registry<Entry>> = LazyLock::new(|| Registry::new(&PRESET_NAMES));

fn unknown(name: &str) -> PyErr {
    UnknownPolicyError::new_err(format!(
        "unknown policy {name:?}; registered policies: {}",
        REGISTRY.names().join(", ")
    ))
}

fn registry_err(e: RegistryError) -> PyErr {
    match e {
        RegistryError::Exists(n) => PolicyError::new_err(format!(
            "a policy named {n:?} is already registered (pass replace=True to replace it)"
        )),
        RegistryError::Unknown(n) => unknown(&n),
        RegistryError::Reserved(n) => PolicyError::new_err(format!(
            "{n:?} is a built-in preset and cannot be replaced or removed; register your policy under another name"
        )),
    }
}

/// Resolve a `policy` argument: a registered name or a Policy object.
fn resolve(policy: &Bound<'_, PyAny>) -> PyResult<Arc<CompiledPolicy>> {
    if let Ok(p) = policy.cast::<Policy>() {
        return Ok(p.get().inner.clone());
    }
    if let Ok(name) = policy.cast::<PyString>() {
        let name = name.to_cow()?;
        return REGISTRY
            .get(&name)
            .map(|e| e.compiled)
            .ok_or_else(|| unknown(&name));
    }
    Err(PyTypeError::new_err(format!(
        "policy must be a registered name (str) or a Policy, got {}",
        policy.get_type().name()?
    )))
}

/// Named policies (`htmlguard.policies`). The presets are registered at import and are
/// reserved.
#[pyclass(frozen, module = "htmlguard._core", name = "PolicyRegistry")]
pub struct PolicyRegistry;

#[pymethods]
impl PolicyRegistry {
    #[pyo3(signature = (name, policy, *, replace = false))]
    fn register(
        &self,
        name: &Bound<'_, PyAny>,
        policy: &Bound<'_, PyAny>,
        replace: bool,
    ) -> PyResult<()> {
        let name =
            get_str("name", name).map_err(|_| PyTypeError::new_err("policy name must be a str"))?;
        if name.is_empty() {
            return Err(PolicyError::new_err("policy name must not be empty"));
        }
        let p = policy.cast::<Policy>().map_err(|_| {
            PyTypeError::new_err(
                "register() takes a Policy; build one with Policy(...) or Policy.from_dict(...)",
            )
        })?;
        let entry = Entry {
            compiled: p.get().inner.clone(),
            object: policy.clone().unbind(),
        };
        REGISTRY
            .register(&name, entry, replace)
            .map_err(registry_err)
    }

    fn unregister(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
        let e = REGISTRY.unregister(name).map_err(registry_err)?;
        Ok(e.object.clone_ref(py))
    }

    fn __getitem__(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
        REGISTRY
            .get(name)
            .map(|e| e.object.clone_ref(py))
            .ok_or_else(|| unknown(name))
    }

    #[pyo3(signature = (name, default = None))]
    fn get(&self, py: Python<'_>, name: &str, default: Option<Py<PyAny>>) -> Py<PyAny> {
        REGISTRY
            .get(name)
            .map(|e| e.object.clone_ref(py))
            .unwrap_or_else(|| default.unwrap_or_else(|| py.None()))
    }

    fn __contains__(&self, name: &Bound<'_, PyAny>) -> bool {
        name.cast::<PyString>()
            .ok()
            .and_then(|s| s.to_cow().ok().map(|n| REGISTRY.contains(&n)))
            .unwrap_or(false)
    }

    fn names(&self) -> Vec<String> {
        REGISTRY.names()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        PyList::new(py, REGISTRY.names())?
            .as_any()
            .try_iter()
            .map(|i| i.into_any())
    }

    fn __len__(&self) -> usize {
        REGISTRY.names().len()
    }

    fn __repr__(&self) -> String {
        format!("<PolicyRegistry {:?}>", REGISTRY.names())
    }
}

// ---------------------------------------------------------------- module verbs

#[pyfunction]
#[pyo3(signature = (html, policy = None), text_signature = "(html, policy='ugc')")]
fn sanitize(
    py: Python<'_>,
    html: &Bound<'_, PyAny>,
    policy: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let p = resolve_default(py, policy)?;
    sanitize_with(py, &p, html, "sanitize()")
}

#[pyfunction]
#[pyo3(signature = (htmls, policy = None), text_signature = "(htmls, policy='ugc')")]
fn sanitize_many(
    py: Python<'_>,
    htmls: &Bound<'_, PyAny>,
    policy: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<String>> {
    let p = resolve_default(py, policy)?;
    sanitize_many_with(py, &p, htmls)
}

/// `sanitize` without the plain-text fast path or the cutting of large documents: the
/// reference both must equal. Private: for the property tests and the benchmark.
#[pyfunction]
fn _sanitize_unsplit(py: Python<'_>, policy: &Bound<'_, PyAny>, html: &str) -> PyResult<String> {
    let p = resolve_default(py, Some(policy))?;
    py.detach(|| guarded(|| p.sanitize_unsplit(html)))
}

/// The parser path cut into pieces of at least `every` bytes. Private, as above.
#[pyfunction]
fn _sanitize_in_pieces(
    py: Python<'_>,
    policy: &Bound<'_, PyAny>,
    html: &str,
    every: usize,
) -> PyResult<String> {
    let p = resolve_default(py, Some(policy))?;
    py.detach(|| guarded(|| p.sanitize_in_pieces(html, every.max(1))))
}

#[pyfunction(name = "inspect")]
#[pyo3(signature = (html, policy = None), text_signature = "(html, policy='ugc')")]
fn inspect_py(
    py: Python<'_>,
    html: &Bound<'_, PyAny>,
    policy: Option<&Bound<'_, PyAny>>,
) -> PyResult<Report> {
    let p = resolve_default(py, policy)?;
    inspect_with(py, &p, html)
}

#[pyfunction]
#[pyo3(signature = (html, policy = None), text_signature = "(html, policy='ugc')")]
fn is_clean(
    py: Python<'_>,
    html: &Bound<'_, PyAny>,
    policy: Option<&Bound<'_, PyAny>>,
) -> PyResult<bool> {
    let p = resolve_default(py, policy)?;
    is_clean_with(py, &p, html)
}

fn resolve_default(
    py: Python<'_>,
    policy: Option<&Bound<'_, PyAny>>,
) -> PyResult<Arc<CompiledPolicy>> {
    match policy {
        Some(p) => resolve(p),
        None => resolve(PyString::new(py, "ugc").as_any()),
    }
}

/// Resolve a policy argument to the registered/given Policy object (for Python helpers).
#[pyfunction]
fn resolve_policy(py: Python<'_>, policy: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    if policy.cast::<Policy>().is_ok() {
        return Ok(policy.clone().unbind());
    }
    if let Ok(name) = policy.cast::<PyString>() {
        let name = name.to_cow()?;
        return REGISTRY
            .get(&name)
            .map(|e| e.object.clone_ref(py))
            .ok_or_else(|| unknown(&name));
    }
    resolve(policy).map(|_| py.None())
}

/// Text made safe to place in HTML: `& < > " '` become character references.
#[pyfunction]
fn escape(text: &Bound<'_, PyAny>) -> PyResult<String> {
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
fn strip_tags(py: Python<'_>, html: &Bound<'_, PyAny>) -> PyResult<String> {
    let t = text_arg("strip_tags()", html)?;
    let t: &str = &t;
    py.detach(|| guarded(|| crate::text::strip_tags(t)))
}

#[pymodule(gil_used = false)]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Policy>()?;
    m.add_class::<Report>()?;
    m.add_class::<Removal>()?;
    m.add_class::<PolicyRegistry>()?;
    m.add("policies", PolicyRegistry)?;
    m.add("PRESET_NAMES", PyTuple::new(m.py(), PRESET_NAMES)?)?;
    m.add("OPTIONS", PyTuple::new(m.py(), OPTIONS)?)?;
    m.add("MAX_DEPTH", crate::html::MAX_DEPTH)?;
    m.add_function(wrap_pyfunction!(sanitize, m)?)?;
    m.add_function(wrap_pyfunction!(sanitize_many, m)?)?;
    m.add_function(wrap_pyfunction!(inspect_py, m)?)?;
    m.add_function(wrap_pyfunction!(is_clean, m)?)?;
    m.add_function(wrap_pyfunction!(resolve_policy, m)?)?;
    m.add_function(wrap_pyfunction!(escape, m)?)?;
    m.add_function(wrap_pyfunction!(strip_tags, m)?)?;
    m.add_function(wrap_pyfunction!(_sanitize_unsplit, m)?)?;
    m.add_function(wrap_pyfunction!(_sanitize_in_pieces, m)?)?;
    Ok(())
}

// The tree ammonia builds is many small, short-lived allocations; mimalloc serves them
// faster than glibc's malloc. Only Rust's own allocations use it: strings handed to Python
// are copied into Python objects, so nothing crosses allocators.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
