//! `Policy.sanitize_with`'s hooks: Python callables behind the core's `Hooks` trait. They
//! run on the calling thread holding the GIL; the first exception one raises stops every
//! later call and is raised to the caller unchanged once the sanitize returns.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping, PyString};

use super::convert::text_arg;
use crate::hooks::{Hooks, Link};

/// The key of a link's text in the dict a link callback sees (bleach's `_text`).
const TEXT: &str = "_text";

pub(super) struct PyHooks<'py> {
    attribute_filter: Option<Bound<'py, PyAny>>,
    link_callbacks: Vec<Bound<'py, PyAny>>,
    /// The first exception a hook raised (or a bad value it returned).
    pub(super) error: Option<PyErr>,
}

fn callable<'py>(what: &str, v: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if v.is_callable() {
        Ok(v)
    } else {
        let ty = v.get_type().name()?;
        Err(PyTypeError::new_err(format!(
            "{what} must be callable, got {ty}"
        )))
    }
}

impl<'py> PyHooks<'py> {
    /// The hooks given to `sanitize_with`; None when there are none (the GIL-free path).
    pub(super) fn new(
        attribute_filter: Option<Bound<'py, PyAny>>,
        link_callbacks: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Option<Self>> {
        let attribute_filter = attribute_filter
            .filter(|f| !f.is_none())
            .map(|f| callable("attribute_filter", f))
            .transpose()?;
        let mut callbacks = Vec::new();
        if let Some(cbs) = link_callbacks.filter(|c| !c.is_none()) {
            if cbs.is_callable() || cbs.is_instance_of::<PyString>() {
                return Err(PyTypeError::new_err(
                    "link_callbacks must be a list of callables (wrap a single one in a list)",
                ));
            }
            let iter = cbs
                .try_iter()
                .map_err(|_| PyTypeError::new_err("link_callbacks must be a list of callables"))?;
            for cb in iter {
                callbacks.push(callable("each of link_callbacks", cb?)?);
            }
        }
        if attribute_filter.is_none() && callbacks.is_empty() {
            return Ok(None);
        }
        Ok(Some(PyHooks {
            attribute_filter,
            link_callbacks: callbacks,
            error: None,
        }))
    }

    fn call_links(&self, link: &mut Link, new: bool) -> PyResult<bool> {
        let py = self.link_callbacks[0].py();
        let attrs = PyDict::new(py);
        for (k, v) in &link.attrs {
            attrs.set_item(k, v)?;
        }
        attrs.set_item(TEXT, &link.text)?;
        let mut current = attrs.into_any();
        for cb in &self.link_callbacks {
            current = cb.call1((current, new))?;
            if current.is_none() {
                return Ok(false);
            }
        }
        let bad = || {
            PyTypeError::new_err(format!(
                "a link callback must return a dict of str to str, or None; got {}",
                current
                    .get_type()
                    .name()
                    .map_or_else(|_| "?".into(), |n| n.to_string())
            ))
        };
        let mapping = current.cast::<PyMapping>().map_err(|_| bad())?;
        let mut attrs = Vec::new();
        for item in mapping.items()?.iter() {
            let (k, v): (Bound<'py, PyAny>, Bound<'py, PyAny>) = item.extract()?;
            let key = k.cast::<PyString>().map_err(|_| bad())?.to_cow()?;
            let value = text_arg(format_args!("a link callback's value for {key:?}"), &v)?;
            if key == TEXT {
                link.text = value.into_owned();
            } else {
                attrs.push((key.into_owned(), value.into_owned()));
            }
        }
        link.attrs = attrs;
        Ok(true)
    }

    fn call_filter(&self, element: &str, name: &str, value: &str) -> PyResult<Option<String>> {
        let Some(f) = &self.attribute_filter else {
            return Ok(Some(value.to_string()));
        };
        let out = f.call1((element, name, value))?;
        if out.is_none() {
            return Ok(None);
        }
        let what = "attribute_filter must return str or None; it";
        Ok(Some(text_arg(what, &out)?.into_owned()))
    }

    fn keep<T>(&mut self, r: PyResult<T>, failed: T) -> T {
        r.unwrap_or_else(|e| {
            self.error = Some(e);
            failed
        })
    }
}

impl Hooks for PyHooks<'_> {
    fn wants_links(&self) -> bool {
        !self.link_callbacks.is_empty()
    }

    fn link(&mut self, link: &mut Link, new: bool) -> bool {
        if self.error.is_some() {
            return false;
        }
        let r = self.call_links(link, new);
        self.keep(r, false)
    }

    fn wants_attributes(&self) -> bool {
        self.attribute_filter.is_some()
    }

    fn attribute(&mut self, element: &str, name: &str, value: &str) -> Option<String> {
        if self.error.is_some() {
            return None;
        }
        let r = self.call_filter(element, name, value);
        self.keep(r, None)
    }
}
