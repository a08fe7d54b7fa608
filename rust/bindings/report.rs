//! `Report` and `Removal`: what `inspect()` found.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use super::convert::proxy;
use crate::report::{Findings, Kind, Removal as RemovalData};

/// One thing a policy removed.
#[pyclass(frozen, eq, hash, module = "htmlguard", name = "Removal")]
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
#[pyclass(frozen, module = "htmlguard", name = "Report")]
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
                Kind::Tag => format!("<{}>", r.name),
                Kind::Comment => "comment".to_string(),
                Kind::Class => format!("{}.{}", r.tag, r.name),
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
    pub(super) fn new(py: Python<'_>, html: String, f: Findings, input: &str) -> PyResult<Self> {
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
