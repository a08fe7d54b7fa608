//! Python bindings, one module per class or concern: `convert` (Python values ↔ options,
//! text arguments), `policy` (the `Policy` class), `report` (`Report`, `Removal`),
//! `registry` (named policies), `verbs` (module functions), `trees` (the parsers' trees,
//! for the browser tests), `background` (the threads of `sanitize_async`), `mailbox`
//! (their answers), `hooks` (`sanitize_with`'s Python hooks), `stream` (a document sanitized as its bytes
//! arrive, `_Stream`) and `errors`.
//! No decision about what HTML is safe is made here.

mod background;
mod convert;
mod errors;
mod hooks;
mod mailbox;
mod policy;
mod registry;
mod report;
mod stream;
mod trees;
mod verbs;

use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::engine::EngineKind;
use crate::policy::presets::PRESET_NAMES;

#[pymodule(gil_used = false)]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<policy::Policy>()?;
    m.add_class::<report::Report>()?;
    m.add_class::<report::Removal>()?;
    m.add_class::<registry::PolicyRegistry>()?;
    m.add_class::<mailbox::Mailbox>()?;
    m.add_class::<mailbox::Pending>()?;
    m.add_class::<stream::PyStream>()?;
    m.add("policies", registry::PolicyRegistry)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("DEFAULT_POLICY", registry::DEFAULT_POLICY)?;
    m.add("DEFAULT_ENGINE", EngineKind::default().name())?;
    m.add("PRESET_NAMES", PyTuple::new(m.py(), PRESET_NAMES)?)?;
    let names = crate::policy::options::TABLE.iter().map(|o| o.name);
    m.add("OPTIONS", PyTuple::new(m.py(), names)?)?;
    m.add("OPTION_TABLE", convert::option_table(m.py())?)?;
    m.add("MAX_DEPTH", crate::html::MAX_DEPTH)?;
    m.add_function(wrap_pyfunction!(verbs::sanitize, m)?)?;
    m.add_function(wrap_pyfunction!(verbs::sanitize_many, m)?)?;
    m.add_function(wrap_pyfunction!(verbs::inspect_many, m)?)?;
    m.add_function(wrap_pyfunction!(verbs::inspect_py, m)?)?;
    m.add_function(wrap_pyfunction!(verbs::is_clean, m)?)?;
    m.add_function(wrap_pyfunction!(registry::resolve_policy, m)?)?;
    m.add_function(wrap_pyfunction!(verbs::escape, m)?)?;
    m.add_function(wrap_pyfunction!(verbs::strip_tags, m)?)?;
    m.add_function(wrap_pyfunction!(verbs::_sanitize_unsplit, m)?)?;
    m.add_function(wrap_pyfunction!(verbs::_sanitize_in_pieces, m)?)?;
    m.add_function(wrap_pyfunction!(trees::_parse_tree, m)?)?;
    m.add_function(wrap_pyfunction!(background::_stop_background, m)?)?;
    Ok(())
}

// The tree ammonia builds is many small, short-lived allocations; mimalloc serves them
// faster than glibc's malloc. Only Rust's own allocations use it: strings handed to Python
// are copied into Python objects, so nothing crosses allocators.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
