//! The `Policy` class.

use std::collections::BTreeSet;
use std::sync::Arc;

use pyo3::basic::CompareOp;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyTuple, PyType};

use super::convert::{get_mapping, get_str, option_value, spec_from_options, spec_to_dict, Shape};
use super::errors::{policy_err, PolicyError};
use super::report::Report;
use super::verbs::{inspect_with, is_clean_with, sanitize_many_with, sanitize_with};
use crate::policy::{CompiledPolicy, PolicySpec};
use crate::presets::{preset_spec, PRESET_NAMES};

/// A compiled, immutable sanitizing policy.
#[pyclass(frozen, subclass, module = "htmlguard._core", name = "Policy")]
pub struct Policy {
    pub(super) inner: Arc<CompiledPolicy>,
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
