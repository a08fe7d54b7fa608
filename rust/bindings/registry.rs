//! The registry of named policies (`htmlguard.policies`) and the resolution of a
//! `policy` argument.

use std::sync::{Arc, LazyLock};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

use super::convert::get_str;
use super::errors::{PolicyError, UnknownPolicyError};
use super::policy::Policy;
use crate::policy::presets::PRESET_NAMES;
use crate::policy::registry::{Registry, RegistryError};
use crate::policy::CompiledPolicy;

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

pub(super) use crate::policy::presets::DEFAULT_POLICY;

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
pub(super) fn resolve(policy: &Bound<'_, PyAny>) -> PyResult<Arc<CompiledPolicy>> {
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
#[pyclass(frozen, module = "htmlguard", name = "PolicyRegistry")]
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

/// Resolve an optional `policy` argument; None means [`DEFAULT_POLICY`].
pub(super) fn resolve_or_default(
    policy: Option<&Bound<'_, PyAny>>,
) -> PyResult<Arc<CompiledPolicy>> {
    match policy {
        Some(p) => resolve(p),
        None => REGISTRY
            .get(DEFAULT_POLICY)
            .map(|e| e.compiled)
            .ok_or_else(|| unknown(DEFAULT_POLICY)),
    }
}

/// Resolve a policy argument to the registered/given Policy object (for Python helpers).
#[pyfunction]
pub(super) fn resolve_policy(py: Python<'_>, policy: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
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
