//! Private: the tree each engine's parser builds for a fragment in a `<div>` context, in
//! the html5lib test format, so the browser tests can hold both parsers against Chromium
//! where the engines' outputs differ (`docs/engines.md`).

use pyo3::prelude::*;

use super::errors::policy_err;
use crate::engine::{parse, EngineKind};
use crate::html::MAX_DEPTH;
use crate::parser::parse::parse_fragment;
use crate::parser::tree::serialize::to_test_format;
use crate::parser::tree::{ContextElement, Opts};
use crate::policy::options::engine_named;
use crate::policy::PolicyError;

/// `html`'s tree as `engine` ("htmlguard" or "ammonia") parses it, before any sanitizing
/// (and, as `innerHTML`, keeping a leading U+FEFF, which the engines strip first).
#[pyfunction]
#[pyo3(signature = (html, engine = "htmlguard"))]
pub(super) fn _parse_tree(py: Python<'_>, html: &str, engine: &str) -> PyResult<String> {
    let kind = engine_named(engine).map_err(|m| policy_err(PolicyError::new("engine", m)))?;
    Ok(py.detach(|| match kind {
        EngineKind::Native => to_test_format(&parse_fragment(
            html,
            ContextElement::div(),
            Opts::default(),
        )),
        EngineKind::Html5ever => parse::test_format(&parse::parse_fragment(html, MAX_DEPTH).root()),
    }))
}
