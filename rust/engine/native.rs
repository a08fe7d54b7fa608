//! Our engine: our parser (`parser/`: tokenizer and tree builder into an arena, depth
//! limited while building), then the same sanitizing walk as the ammonia engine.

use std::collections::BTreeMap;

use crate::engine::walk::{walk, Cleaned, Extras, Op, Tree, View};
use crate::engine::Engine;
use crate::html::element::{AttrName, Name};
use crate::parser::parse::{parse_fragment, parse_fragment_filtering, FilterStart, TagFilter};
use crate::parser::token::Attribute;
use crate::parser::tree::dom::attr_ns;
use crate::parser::tree::{ContextElement, Dom, NodeData, NodeId, Opts};
use crate::policy::rules::InputAttr;
use crate::policy::Rules;
use crate::report::{Kind, Recorder};

pub struct Native;

impl Engine for Native {
    fn name(&self) -> &'static str {
        "htmlguard"
    }

    fn clean(
        &self,
        html: &str,
        rules: &Rules,
        rec: &mut Recorder<'_>,
        extras: Extras<'_>,
    ) -> Cleaned {
        // A byte-order mark at the start of the input is not content (html5ever drops it
        // too, and the pipeline's pieces and `protect_leading_bom` count on that).
        let html = html.strip_prefix('\u{feff}').unwrap_or(html);
        let dom = if let Some(filter) = rules.tag_filter() {
            // `disallowed="escape"` / `"drop"`: the tags the policy does not keep become
            // text or nothing before the tree is built. Each escaped tag is reported with
            // the text it became; of dropped ones the start tags, as the walk reports an
            // unwrapped element (a stray end tag is dropped by the parser in any mode).
            let start = FilterStart {
                after_tag: extras.after_tag,
            };
            parse_fragment_filtering(
                html,
                ContextElement::div(),
                Opts::default(),
                filter,
                start,
                |tag| {
                    let filtered = rules.filters_tag(tag.name);
                    if filtered {
                        let name = &*tag.name.text;
                        match filter {
                            TagFilter::Escape => rec.add(Kind::Tag, name, name, tag.source),
                            TagFilter::Drop if !tag.end => rec.add(Kind::Tag, name, name, ""),
                            TagFilter::Drop => {}
                        }
                    }
                    filtered
                },
            )
        } else {
            parse_fragment(html, ContextElement::div(), Opts::default())
        };
        walk(&dom, html.len(), rules, rec, extras)
    }

    /// Our tokenizer drops duplicate attributes in linear time and keeps every other one,
    /// as a browser does.
    fn bounds_attributes(&self) -> bool {
        false
    }

    /// The depth limit counts the tree builder's stack, which these tags do not touch in
    /// a fragment.
    fn document_tags_inert(&self) -> bool {
        true
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
