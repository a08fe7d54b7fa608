//! Python values ↔ option values, and text arguments. Which options exist and what shape
//! each takes is the option table's (`crate::policy::options`); this module knows how each shape
//! looks in Python.

use std::borrow::Cow;
use std::collections::BTreeSet;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyBytes, PyDict, PyFrozenSet, PyInt, PyList, PyMapping, PyString, PyTuple,
};

use super::errors::{policy_err, PolicyError};
use crate::policy::options::{self, Kind, UrlForm, Value, TABLE};
use crate::policy::{NameMap, PolicySpec};

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

// ---------------------------------------------------------------- Python → options

fn bad(option: &str, expected: &str, got: &Bound<'_, PyAny>) -> PyErr {
    PolicyError::new_err(format!(
        "{option}: expected {expected}, got {}",
        type_name(got)
    ))
}

pub(super) fn get_str(option: &str, v: &Bound<'_, PyAny>) -> PyResult<String> {
    match v.cast::<PyString>() {
        Ok(s) => Ok(s.to_cow()?.into_owned()),
        Err(_) => Err(bad(option, "a string", v)),
    }
}

fn get_bool(option: &str, v: &Bound<'_, PyAny>) -> PyResult<bool> {
    match v.cast::<PyBool>() {
        Ok(b) => Ok(b.is_true()),
        Err(_) => Err(bad(option, "True or False", v)),
    }
}

fn get_int(option: &str, v: &Bound<'_, PyAny>) -> PyResult<i128> {
    // bool is an int subclass, and never meant as a number here.
    if v.is_instance_of::<PyInt>() && !v.is_instance_of::<PyBool>() {
        v.extract()
    } else {
        Err(bad(option, "an int or None", v))
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

/// A mapping's items with string keys, in its order.
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

/// A mapping with each value read by `value`.
fn get_map<'py, T, C: FromIterator<(String, T)>>(
    option: &str,
    v: &Bound<'py, PyAny>,
    value: impl Fn(&Bound<'py, PyAny>) -> PyResult<T>,
) -> PyResult<C> {
    get_mapping(option, v)?
        .into_iter()
        .map(|(k, val)| Ok((k, value(&val)?)))
        .collect()
}

fn get_set_map(option: &str, v: &Bound<'_, PyAny>) -> PyResult<NameMap> {
    get_map(option, v, |s| get_str_set(option, s))
}

fn get_optional<'py, T>(
    v: &Bound<'py, PyAny>,
    read: impl FnOnce(&Bound<'py, PyAny>) -> PyResult<T>,
) -> PyResult<Option<T>> {
    if v.is_none() {
        Ok(None)
    } else {
        read(v).map(Some)
    }
}

/// A Python value read in the shape of `kind`. Type errors name the option; whether the
/// value itself is acceptable is the table's and the policy's to say.
fn value_from_py(option: &str, kind: Kind, v: &Bound<'_, PyAny>) -> PyResult<Value> {
    let string = |s: &Bound<'_, PyAny>| get_str(option, s);
    Ok(match kind {
        Kind::Bool => Value::Bool(get_bool(option, v)?),
        Kind::OptInt => Value::OptInt(get_optional(v, |v| get_int(option, v))?),
        Kind::OptStr => Value::OptStr(get_optional(v, string)?),
        Kind::StrSet => Value::StrSet(get_str_set(option, v)?),
        Kind::OptStrSet => Value::OptStrSet(get_optional(v, |v| get_str_set(option, v))?),
        Kind::SetMap => Value::SetMap(get_set_map(option, v)?),
        Kind::SetMap2 => Value::SetMap2(get_map(option, v, |m| get_set_map(option, m))?),
        Kind::StrMap2 => Value::StrMap2(get_map(option, v, |m| get_map(option, m, string))?),
        Kind::UrlRelative => Value::UrlRelative(match v.cast::<PyString>() {
            Ok(word) => UrlForm::Word(word.to_cow()?.into_owned()),
            Err(_) => UrlForm::Parts(get_map(option, v, string)?),
        }),
        Kind::Engine => Value::Engine(get_optional(v, string)?),
        Kind::Disallowed => Value::Disallowed(string(v)?),
    })
}

/// Set the option `name` from a Python value (a keyword argument, a `from_dict` entry, a
/// `derive` change).
pub(super) fn set_option(spec: &mut PolicySpec, name: &str, v: &Bound<'_, PyAny>) -> PyResult<()> {
    let option = options::find(name).ok_or_else(|| PolicyError::new_err(options::unknown(name)))?;
    let value = value_from_py(option.name, option.kind, v)?;
    option.set(spec, value).map_err(policy_err)
}

// ---------------------------------------------------------------- options → Python

/// `types.MappingProxyType(d)`: a read-only view.
pub(super) fn proxy<'py>(py: Python<'py>, d: Bound<'py, PyDict>) -> PyResult<Bound<'py, PyAny>> {
    static PROXY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
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

fn set_to_py<'py>(
    py: Python<'py>,
    s: &BTreeSet<String>,
    shape: Shape,
) -> PyResult<Bound<'py, PyAny>> {
    let items = s.iter().map(String::as_str);
    Ok(match shape {
        Shape::Plain => PyList::new(py, items)?.into_any(),
        Shape::Frozen => PyFrozenSet::new(py, items)?.into_any(),
    })
}

fn map_to_py<'py, 'a, V: 'a>(
    py: Python<'py>,
    items: impl IntoIterator<Item = (&'a String, V)>,
    shape: Shape,
    value: impl Fn(V) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let d = PyDict::new(py);
    for (k, v) in items {
        d.set_item(k, value(v)?)?;
    }
    match shape {
        Shape::Plain => Ok(d.into_any()),
        Shape::Frozen => proxy(py, d),
    }
}

fn set_map_to_py<'py>(py: Python<'py>, m: &NameMap, shape: Shape) -> PyResult<Bound<'py, PyAny>> {
    map_to_py(py, m, shape, |s| set_to_py(py, s, shape))
}

/// An option's value in Python; an unset optional option is None.
pub(super) fn value_to_py<'py>(
    py: Python<'py>,
    value: &Value,
    shape: Shape,
) -> PyResult<Bound<'py, PyAny>> {
    let string = |s: &String| Ok(PyString::new(py, s).into_any());
    Ok(match value {
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::OptInt(n) => n.into_pyobject(py)?,
        Value::OptStr(s) => s.into_pyobject(py)?,
        Value::StrSet(s) => set_to_py(py, s, shape)?,
        Value::OptStrSet(None) => py.None().into_bound(py),
        Value::OptStrSet(Some(s)) => set_to_py(py, s, shape)?,
        Value::SetMap(m) => set_map_to_py(py, m, shape)?,
        Value::SetMap2(m) => map_to_py(py, m, shape, |m| set_map_to_py(py, m, shape))?,
        Value::StrMap2(m) => map_to_py(py, m, shape, |m| map_to_py(py, m, shape, string))?,
        Value::UrlRelative(UrlForm::Word(w)) => PyString::new(py, w).into_any(),
        Value::UrlRelative(UrlForm::Parts(parts)) => {
            map_to_py(py, parts.iter().map(|(k, v)| (k, v)), shape, string)?
        }
        Value::Engine(name) => name.into_pyobject(py)?,
        Value::Disallowed(name) => PyString::new(py, name).into_any(),
    })
}

/// Every option as plain data, in the table's order; unset options are left out (TOML has
/// no null).
pub(super) fn spec_to_dict<'py>(
    py: Python<'py>,
    spec: &PolicySpec,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for option in TABLE {
        let value = option.get(spec);
        if !value.is_unset() {
            d.set_item(option.name, value_to_py(py, &value, Shape::Plain)?)?;
        }
    }
    Ok(d)
}

/// The table for Python: `(name, type, default, doc)` per option, the default as the
/// getters return it.
pub(super) fn option_table(py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
    let rows = TABLE
        .iter()
        .map(|o| {
            let default = value_to_py(py, &o.default(), Shape::Frozen)?;
            PyTuple::new(
                py,
                [
                    PyString::new(py, o.name).into_any(),
                    PyString::new(py, o.kind.name()).into_any(),
                    default,
                    PyString::new(py, o.doc).into_any(),
                ],
            )
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, rows)
}

// ---------------------------------------------------------------- input strings

/// Borrow a Python str as UTF-8. Lone surrogates (which UTF-8 cannot hold) become U+FFFD,
/// the documented result, instead of an encoding error.
pub(super) fn text_arg<'a>(
    what: impl std::fmt::Display,
    v: &'a Bound<'_, PyAny>,
) -> PyResult<Cow<'a, str>> {
    let s = v
        .cast::<PyString>()
        .map_err(|_| PyTypeError::new_err(format!("{what} expects str, got {}", type_name(v))))?;
    match s.to_cow() {
        Ok(c) => Ok(c),
        Err(_) => replace_surrogates(s).map(Cow::Owned),
    }
}

/// The slow path for strings holding surrogate code points: each lone surrogate becomes
/// one U+FFFD (a high/low pair becomes the character it encodes, as in UTF-16).
fn replace_surrogates(s: &Bound<'_, PyString>) -> PyResult<String> {
    let raw = s.call_method1("encode", ("utf-16-le", "surrogatepass"))?;
    let bytes: &[u8] = raw.cast::<PyBytes>()?.as_bytes();
    let units = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]));
    Ok(char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect())
}
