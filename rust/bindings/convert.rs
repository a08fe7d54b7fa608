//! Python values ↔ policy options, and text arguments.

use std::collections::{BTreeMap, BTreeSet};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFrozenSet, PyInt, PyList, PyMapping, PyString};

use super::errors::PolicyError;
use crate::policy::{PolicySpec, UrlRelativeSpec};

pub(super) const OPTIONS: &[&str] = &[
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

// ---------------------------------------------------------------- Python → spec

fn bad(option: &str, expected: &str, got: &Bound<'_, PyAny>) -> PyErr {
    let ty = got
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    PolicyError::new_err(format!("{option}: expected {expected}, got {ty}"))
}

pub(super) fn get_str(option: &str, v: &Bound<'_, PyAny>) -> PyResult<String> {
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

pub(super) fn get_mapping<'py>(
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

pub(super) fn spec_from_options(options: Option<&Bound<'_, PyDict>>) -> PyResult<PolicySpec> {
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

pub(super) fn proxy<'py>(py: Python<'py>, d: Bound<'py, PyDict>) -> PyResult<Bound<'py, PyAny>> {
    static PROXY: pyo3::sync::PyOnceLock<Py<PyAny>> = pyo3::sync::PyOnceLock::new();
    let ty = PROXY.get_or_try_init(py, || -> PyResult<_> {
        Ok(py.import("types")?.getattr("MappingProxyType")?.unbind())
    })?;
    ty.bind(py).call1((d,))
}

/// Which shape a value has in `to_dict()` (plain, JSON/TOML-compatible) versus an option
/// getter (immutable: frozensets and read-only mappings).
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Shape {
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
pub(super) fn option_value<'py>(
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

pub(super) fn spec_to_dict<'py>(py: Python<'py>, s: &PolicySpec) -> PyResult<Bound<'py, PyDict>> {
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
pub(super) fn text_arg<'a>(
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
