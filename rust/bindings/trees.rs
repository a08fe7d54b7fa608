//! Private: the tree each engine's parser builds for a fragment in a `<div>` context, in
//! the html5lib test format, so the browser tests can hold both parsers against Chromium
//! where the engines' outputs differ (`docs/engines.md`).

use std::fmt::Write;

use ammonia::rcdom::{Handle, NodeData};
use html5ever::ns;
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
        EngineKind::Html5ever => {
            let mut out = String::new();
            rcdom_test_format(&parse::parse_fragment(html, MAX_DEPTH).root(), 0, &mut out);
            out
        }
    }))
}

/// `node`'s children in the format of `parser::tree::serialize`. Recursive: the parse is
/// bounded to `MAX_DEPTH`.
fn rcdom_test_format(node: &Handle, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    for child in node.children.borrow().iter() {
        match &child.data {
            NodeData::Text { contents } => {
                let _ = writeln!(out, "| {indent}\"{}\"", contents.borrow());
            }
            NodeData::Comment { contents } => {
                let _ = writeln!(out, "| {indent}<!-- {contents} -->");
            }
            NodeData::Element {
                name,
                attrs,
                template_contents,
                ..
            } => {
                let prefix = match name.ns {
                    ns!(svg) => "svg ",
                    ns!(mathml) => "math ",
                    _ => "",
                };
                let _ = writeln!(out, "| {indent}<{prefix}{}>", name.local);
                let mut sorted: Vec<(String, String)> = attrs
                    .borrow()
                    .iter()
                    .map(|a| {
                        let p = match a.name.ns {
                            ns!(xlink) => "xlink ",
                            ns!(xml) => "xml ",
                            ns!(xmlns) => "xmlns ",
                            _ => "",
                        };
                        (format!("{p}{}", a.name.local), a.value.to_string())
                    })
                    .collect();
                sorted.sort();
                for (n, v) in sorted {
                    let _ = writeln!(out, "| {indent}  {n}=\"{v}\"");
                }
                if let Some(contents) = template_contents.borrow().as_ref() {
                    let _ = writeln!(out, "| {indent}  content");
                    rcdom_test_format(contents, depth + 2, out);
                }
                rcdom_test_format(child, depth + 1, out);
            }
            _ => {}
        }
    }
}
