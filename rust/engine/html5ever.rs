//! The ammonia engine: html5ever's tokenizer and tree builder (through ammonia's `rcdom`
//! tree), bounded in depth, then the sanitizing walk. The reference the other engine is
//! compared with.

use std::collections::BTreeMap;

use ammonia::rcdom::{Handle, NodeData};
use html5ever::Attribute;

use crate::engine::parse::{parse_fragment, Fragment};
use crate::engine::walk::{walk, Cleaned, Extras, Op, Tree, View};
use crate::engine::Engine;
use crate::html::element::{AttrName, Name};
use crate::html::MAX_DEPTH;
use crate::policy::rules::InputAttr;
use crate::policy::Rules;
use crate::report::Recorder;

pub struct Html5ever;

impl Engine for Html5ever {
    fn name(&self) -> &'static str {
        "ammonia"
    }

    fn clean(
        &self,
        html: &str,
        rules: &Rules,
        rec: &mut Recorder<'_>,
        extras: Extras<'_>,
    ) -> Cleaned {
        let tree = parse_fragment(html, MAX_DEPTH);
        walk(&tree, html.len(), rules, rec, extras)
    }

    fn bounds_attributes(&self) -> bool {
        true
    }

    /// The depth filter (`engine/parse.rs`) stacks them like any element.
    fn document_tags_inert(&self) -> bool {
        false
    }
}

impl Tree for Fragment {
    type Node = Handle;
    type Attr = Attribute;

    fn root(&self) -> Handle {
        Fragment::root(self)
    }

    fn push_children_rev(&self, node: &Handle, ops: &mut Vec<Op<Handle>>) {
        ops.extend(
            node.children
                .borrow()
                .iter()
                .rev()
                .map(|c| Op::Node(c.clone())),
        );
    }

    fn with<R>(&self, node: &Handle, f: impl FnOnce(View<'_, Attribute>) -> R) -> R {
        match &node.data {
            NodeData::Element { name, attrs, .. } => f(View::Element {
                name: Name::of(name),
                attrs: &attrs.borrow(),
            }),
            NodeData::Text { contents } => f(View::Text(&contents.borrow())),
            NodeData::Comment { contents } => f(View::Comment(contents)),
            NodeData::Doctype { .. }
            | NodeData::ProcessingInstruction { .. }
            | NodeData::Document => f(View::Other),
        }
    }

    fn dropped(&self) -> &BTreeMap<String, usize> {
        &self.dropped.by_name
    }
}

impl InputAttr for Attribute {
    fn name(&self, _: Name<'_>) -> AttrName<'_> {
        AttrName::of(&self.name)
    }

    fn value(&self) -> &str {
        &self.value
    }
}
