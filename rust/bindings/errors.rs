//! The Python exceptions the core raises (defined in `htmlguard.errors`), and the ways
//! into them.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::prelude::*;

use crate::engine::InputTooLarge;
use crate::policy::PolicyError as SpecError;

pyo3::import_exception!(htmlguard.errors, HTMLGuardError);
pyo3::import_exception!(htmlguard.errors, PolicyError);
pyo3::import_exception!(htmlguard.errors, UnknownPolicyError);
pyo3::import_exception!(htmlguard.errors, InputTooLargeError);
pyo3::import_exception!(htmlguard.errors, InvalidUTF8Error);

pub(super) fn policy_err(e: SpecError) -> PyErr {
    PolicyError::new_err(e.to_string())
}

pub(super) fn too_large(e: InputTooLarge) -> PyErr {
    InputTooLargeError::new_err(e.to_string())
}

/// Run `f`, turning a Rust panic into an `HTMLGuardError` instead of letting PyO3 raise
/// `PanicException` (a BaseException most handlers would not catch).
pub(super) fn guarded<T>(f: impl FnOnce() -> T) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|panic| {
        let msg = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("unknown error");
        HTMLGuardError::new_err(format!("internal error in the sanitizer: {msg}"))
    })
}
