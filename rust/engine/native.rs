//! Our engine: our parser (`parser/`: tokenizer and tree builder into an arena, depth
//! limited while building), then the same sanitizing walk as the ammonia engine.

use std::collections::BTreeMap;

use html5ever::{namespace_prefix, ns, LocalName, Namespace, QualName};

use crate::engine::walk::{walk, Cleaned, Op, Tree, View};
use crate::engine::Engine;
use crate::parser::parse::parse_fragment;
use crate::parser::token::Attribute;
use crate::parser::tree::dom::attr_ns;
use crate::parser::tree::{AttrNs, ContextElement, Dom, NodeData, NodeId, Ns, Opts};
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
        walk(&dom, rules, rec)
    }

    /// Our tokenizer drops duplicate attributes in linear time and keeps every other one,
    /// as a browser does.
    fn bounds_attributes(&self) -> bool {
        false
    }
}

fn namespace(ns: Ns) -> Namespace {
    match ns {
        Ns::Html => ns!(html),
        Ns::Svg => ns!(svg),
        Ns::MathMl => ns!(mathml),
    }
}

fn element_ns(element: &QualName) -> Ns {
    match element.ns {
        ns!(svg) => Ns::Svg,
        ns!(mathml) => Ns::MathMl,
        _ => Ns::Html,
    }
}

impl InputAttr for Attribute<'_> {
    fn local(&self, element: &QualName) -> &str {
        attr_ns(element_ns(element), &self.name.text).1
    }

    fn value(&self) -> &str {
        &self.value
    }

    fn qual_name(&self, element: &QualName) -> QualName {
        let (ns, local) = attr_ns(element_ns(element), &self.name.text);
        let local = LocalName::from(local);
        match ns {
            AttrNs::None => QualName::new(None, ns!(), local),
            AttrNs::XLink => QualName::new(Some(namespace_prefix!("xlink")), ns!(xlink), local),
            AttrNs::Xml => QualName::new(Some(namespace_prefix!("xml")), ns!(xml), local),
            AttrNs::Xmlns if &*local == "xmlns" => QualName::new(None, ns!(xmlns), local),
            AttrNs::Xmlns => QualName::new(Some(namespace_prefix!("xmlns")), ns!(xmlns), local),
        }
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
            NodeData::Element(e) => {
                let name = QualName::new(None, namespace(e.ns), LocalName::from(e.local_name()));
                f(View::Element {
                    name: &name,
                    attrs: &e.attrs,
                })
            }
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
