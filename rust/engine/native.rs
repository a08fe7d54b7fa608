//! Our engine: our parser (`parser/`: tokenizer and tree builder into an arena, depth
//! limited while building), then the same sanitizing walk as the ammonia engine.

use std::collections::BTreeMap;

use crate::engine::walk::{walk, Cleaned, Op, Tree, View};
use crate::engine::Engine;
use crate::html::element::{AttrName, Name};
use crate::parser::parse::parse_fragment;
use crate::parser::token::Attribute;
use crate::parser::tree::dom::attr_ns;
use crate::parser::tree::{ContextElement, Dom, NodeData, NodeId, Opts};
use crate::policy::rules::InputAttr;
use crate::policy::Rules;
use crate::report::Recorder;

pub struct Native;

impl Engine for Native {
    fn name(&self) -> &'static str {
        "htmlguard"
    }

    fn clean(&self, html: &str, rules: &Rules, rec: &mut Recorder<'_>) -> Cleaned {
        // A byte-order mark at the start of the input is not content (html5ever drops it
        // too, and the pipeline's pieces and `protect_leading_bom` count on that).
        let html = html.strip_prefix('\u{feff}').unwrap_or(html);
        let dom = parse_fragment(html, ContextElement::div(), Opts::default());
        walk(&dom, html.len(), rules, rec)
    }

    /// Our tokenizer drops duplicate attributes in linear time and keeps every other one,
    /// as a browser does.
    fn bounds_attributes(&self) -> bool {
        false
    }
}

impl InputAttr for Attribute<'_> {
    fn name(&self, element: Name<'_>) -> AttrName<'_> {
        let (ns, local) = attr_ns(element.ns, &self.name.text);
        AttrName { ns, local }
    }

    fn value(&self) -> &str {
        &self.value
    }
}

impl<'a> Tree for Dom<'a> {
    type Node = NodeId;
    type Attr = Attribute<'a>;

    fn root(&self) -> NodeId {
        self.root
    }

    fn push_children_rev(&self, node: &NodeId, ops: &mut Vec<Op<NodeId>>) {
        let mut child = self.node(*node).last_child;
        while let Some(c) = child {
            ops.push(Op::Node(c));
            child = self.node(c).prev_sibling;
        }
    }

    fn with<R>(&self, node: &NodeId, f: impl FnOnce(View<'_, Attribute<'a>>) -> R) -> R {
        match &self.node(*node).data {
            NodeData::Element(e) => f(View::Element {
                name: Name::with_atom(e.ns, e.name.atom, e.local_name()),
                attrs: &e.attrs,
            }),
            NodeData::Text(t) => f(View::Text(t)),
            NodeData::Comment(c) => f(View::Comment(c)),
            NodeData::Document | NodeData::Fragment | NodeData::Doctype { .. } => f(View::Other),
        }
    }

    fn dropped(&self) -> &BTreeMap<String, usize> {
        &self.dropped
    }
}

/// The whole sanitize (ugc) with each engine, for profiling: `HTMLGUARD_PARSE_CORPUS`
/// as for `parser::parse`'s profile, then under callgrind with
/// `--toggle-collect=htmlguard::engine::native::profile::sanitize_profile_ENGINE`:
/// `cargo test --release --lib sanitize_profile -- --ignored --nocapture`.
#[cfg(test)]
mod profile {
    use crate::engine::EngineKind;
    use crate::parser::parse::profile::corpus;
    use crate::policy::presets::preset_spec;
    use crate::policy::CompiledPolicy;

    // Two functions with the same body, so callgrind can count each engine on its own.
    #[inline(never)]
    fn sanitize_profile_native(p: &CompiledPolicy, docs: &[String]) -> usize {
        docs.iter().map(|d| p.sanitize(d).unwrap().len()).sum()
    }

    #[inline(never)]
    fn sanitize_profile_ammonia(p: &CompiledPolicy, docs: &[String]) -> usize {
        docs.iter().map(|d| p.sanitize(d).unwrap().len()).sum()
    }

    #[test]
    #[ignore]
    fn sanitize_profile() {
        let docs = corpus();
        let bytes: usize = docs.iter().map(String::len).sum();
        let native = preset_spec("ugc")
            .unwrap()
            .compile_with(EngineKind::Native)
            .unwrap();
        let ammonia = preset_spec("ugc")
            .unwrap()
            .compile_with(EngineKind::Html5ever)
            .unwrap();
        type Run = fn(&CompiledPolicy, &[String]) -> usize;
        // The tables built once per process (element classes, end tags) are built here,
        // outside the functions measured.
        native.sanitize("<p>x</p>").unwrap();
        for (name, p, f) in [
            ("htmlguard", &native, sanitize_profile_native as Run),
            ("ammonia", &ammonia, sanitize_profile_ammonia),
        ] {
            let t = std::time::Instant::now();
            let n = f(p, &docs);
            let s = t.elapsed().as_secs_f64();
            println!(
                "{name}: {bytes} bytes in, {n} out, {:.1} MB/s",
                bytes as f64 / s / 1e6
            );
        }
    }
}
