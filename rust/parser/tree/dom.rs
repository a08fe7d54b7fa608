//! The arena the tree builder builds: one `Vec` of nodes, `u32` handles, doubly linked
//! siblings so insertion, removal and re-parenting are O(1).

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use super::names::T;
use crate::parser::token::{Attribute, Name, Text};

/// A node's handle: its index in [`Dom::nodes`] plus one so that an
/// `Option<NodeId>` (a node has five) takes four bytes, not eight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(NonZeroU32);

impl NodeId {
    /// The document (or, for a fragment, the document the root `<html>` hangs from).
    pub const DOCUMENT: NodeId = NodeId(NonZeroU32::MIN);

    fn from_index(i: usize) -> NodeId {
        let n = u32::try_from(i + 1).expect("more than 4G nodes");
        NodeId(NonZeroU32::new(n).expect("an index plus one"))
    }

    fn ix(self) -> usize {
        self.0.get() as usize - 1
    }
}

/// Element namespaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ns {
    Html,
    Svg,
    MathMl,
}

/// Attribute namespaces (only foreign elements' adjusted attributes have one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrNs {
    None,
    XLink,
    Xml,
    Xmlns,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum QuirksMode {
    #[default]
    NoQuirks,
    LimitedQuirks,
    Quirks,
}

#[derive(Debug)]
pub struct Element<'a> {
    pub ns: Ns,
    /// The name's class, from the lowercase tag name.
    pub tag: T,
    /// The local name (SVG names case-adjusted, e.g. `foreignObject`).
    pub name: Name<'a>,
    /// The attributes as the token brought them (moved, not copied); on foreign elements
    /// their names are already adjusted (`viewBox`, `definitionURL`); see [`attr_ns`] for
    /// the namespace of `xlink:href` and the like.
    pub attrs: Vec<Attribute<'a>>,
    /// A `<template>`'s contents (a [`NodeData::Fragment`]).
    pub template_contents: Option<NodeId>,
    /// A MathML `annotation-xml` whose `encoding` makes it an HTML integration point.
    pub html_integration_point: bool,
    /// On the stack of open elements (O(1) membership for the adoption agency and the
    /// reconstruction of active formatting elements).
    pub(crate) open: bool,
    /// In the list of active formatting elements.
    pub(crate) in_afe: bool,
}

impl Element<'_> {
    /// The local name (`foreignObject` for SVG's, lowercase for HTML).
    pub fn local_name(&self) -> &str {
        &self.name.text
    }
}

#[derive(Debug)]
pub enum NodeData<'a> {
    Document,
    /// A template's contents.
    Fragment,
    Doctype {
        name: Text<'a>,
        public_id: Text<'a>,
        system_id: Text<'a>,
    },
    Element(Element<'a>),
    /// Adjacent text is merged into one node.
    Text(Text<'a>),
    Comment(Text<'a>),
}

#[derive(Debug)]
pub struct Node<'a> {
    pub parent: Option<NodeId>,
    pub first_child: Option<NodeId>,
    pub last_child: Option<NodeId>,
    pub prev_sibling: Option<NodeId>,
    pub next_sibling: Option<NodeId>,
    pub data: NodeData<'a>,
}

/// A parsed document or fragment.
#[derive(Debug)]
pub struct Dom<'a> {
    pub nodes: Vec<Node<'a>>,
    /// For a fragment, the `<html>` element whose children are the fragment; for a
    /// document, the document node.
    pub root: NodeId,
    pub quirks_mode: QuirksMode,
    /// Start tags dropped because they would have nested deeper than the limit, by name.
    pub dropped: BTreeMap<String, usize>,
}

impl<'a> Dom<'a> {
    pub(crate) fn new() -> Self {
        let mut dom = Dom {
            nodes: super::reuse::take_nodes(),
            root: NodeId::DOCUMENT,
            quirks_mode: QuirksMode::NoQuirks,
            dropped: BTreeMap::new(),
        };
        // Room for a small fragment (a no-op when the pool gave some back), so that the
        // first nodes do not grow the arena step by step.
        dom.nodes.reserve(32);
        dom.create(NodeData::Document);
        dom
    }

    pub fn node(&self, id: NodeId) -> &Node<'a> {
        &self.nodes[id.ix()]
    }

    pub(crate) fn node_mut(&mut self, id: NodeId) -> &mut Node<'a> {
        &mut self.nodes[id.ix()]
    }

    /// How many start tags were dropped by the depth limit.
    pub fn dropped_count(&self) -> usize {
        self.dropped.values().sum()
    }

    #[inline]
    pub(crate) fn create(&mut self, data: NodeData<'a>) -> NodeId {
        let id = NodeId::from_index(self.nodes.len());
        self.nodes.push(Node {
            parent: None,
            first_child: None,
            last_child: None,
            prev_sibling: None,
            next_sibling: None,
            data,
        });
        id
    }

    pub fn element(&self, id: NodeId) -> Option<&Element<'a>> {
        match &self.node(id).data {
            NodeData::Element(e) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn element_mut(&mut self, id: NodeId) -> Option<&mut Element<'a>> {
        match &mut self.node_mut(id).data {
            NodeData::Element(e) => Some(e),
            _ => None,
        }
    }

    /// An element's attributes (empty for other nodes).
    pub fn attrs(&self, id: NodeId) -> &[Attribute<'a>] {
        self.element(id).map_or(&[], |e| &e.attrs)
    }

    /// The text of a text node.
    pub fn text(&self, id: NodeId) -> Option<&str> {
        match &self.node(id).data {
            NodeData::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.node(id).parent
    }

    pub fn children(&self, id: NodeId) -> Children<'_, 'a> {
        Children {
            dom: self,
            next: self.node(id).first_child,
        }
    }

    /// Unlink a node from its parent (O(1)).
    pub(crate) fn detach(&mut self, id: NodeId) {
        let (parent, prev, next) = {
            let n = self.node(id);
            (n.parent, n.prev_sibling, n.next_sibling)
        };
        let Some(parent) = parent else { return };
        match prev {
            Some(p) => self.node_mut(p).next_sibling = next,
            None => self.node_mut(parent).first_child = next,
        }
        match next {
            Some(n) => self.node_mut(n).prev_sibling = prev,
            None => self.node_mut(parent).last_child = prev,
        }
        let n = self.node_mut(id);
        n.parent = None;
        n.prev_sibling = None;
        n.next_sibling = None;
    }

    /// Append a node that has no parent yet as the last child of `parent`.
    #[inline]
    fn append_fresh(&mut self, parent: NodeId, child: NodeId) {
        let prev = self.node(parent).last_child;
        {
            let c = self.node_mut(child);
            c.parent = Some(parent);
            c.prev_sibling = prev;
        }
        match prev {
            Some(p) => self.node_mut(p).next_sibling = Some(child),
            None => self.node_mut(parent).first_child = Some(child),
        }
        self.node_mut(parent).last_child = Some(child);
    }

    /// Insert a node that has no parent yet: the common case (appending) inline.
    #[inline]
    pub(crate) fn insert_fresh(&mut self, parent: NodeId, child: NodeId, before: Option<NodeId>) {
        match before {
            None => self.append_fresh(parent, child),
            Some(_) => self.insert(parent, child, before),
        }
    }

    /// Insert `child` (detached first) into `parent` before `before`, or last.
    pub(crate) fn insert(&mut self, parent: NodeId, child: NodeId, before: Option<NodeId>) {
        if before.is_none() && self.node(child).parent.is_none() {
            self.append_fresh(parent, child);
            return;
        }
        self.detach(child);
        let prev = match before {
            Some(b) => self.node(b).prev_sibling,
            None => self.node(parent).last_child,
        };
        {
            let c = self.node_mut(child);
            c.parent = Some(parent);
            c.prev_sibling = prev;
            c.next_sibling = before;
        }
        match prev {
            Some(p) => self.node_mut(p).next_sibling = Some(child),
            None => self.node_mut(parent).first_child = Some(child),
        }
        match before {
            Some(b) => self.node_mut(b).prev_sibling = Some(child),
            None => self.node_mut(parent).last_child = Some(child),
        }
    }

    /// Move all children of `from` to the end of `to` (each child's parent changes, so
    /// this is linear in the number of children).
    pub(crate) fn move_children(&mut self, from: NodeId, to: NodeId) {
        let Some(first) = self.node(from).first_child else {
            return;
        };
        let last = self.node(from).last_child;
        let mut c = Some(first);
        while let Some(id) = c {
            self.node_mut(id).parent = Some(to);
            c = self.node(id).next_sibling;
        }
        let to_last = self.node(to).last_child;
        self.node_mut(first).prev_sibling = to_last;
        match to_last {
            Some(l) => self.node_mut(l).next_sibling = Some(first),
            None => self.node_mut(to).first_child = Some(first),
        }
        self.node_mut(to).last_child = last;
        let f = self.node_mut(from);
        f.first_child = None;
        f.last_child = None;
    }

    /// Insert text at a place, merged into a text node right before it.
    pub(crate) fn insert_text(&mut self, parent: NodeId, before: Option<NodeId>, text: Text<'a>) {
        let prev = match before {
            Some(b) => self.node(b).prev_sibling,
            None => self.node(parent).last_child,
        };
        if let Some(p) = prev {
            if let NodeData::Text(t) = &mut self.node_mut(p).data {
                append_text(t, &text);
                return;
            }
        }
        match before {
            None => {
                self.append_new(parent, NodeData::Text(text));
            }
            Some(_) => {
                let id = self.create(NodeData::Text(text));
                self.insert(parent, id, before);
            }
        }
    }

    /// Create a node as the last child of `parent`: its links written with it.
    #[inline]
    pub(crate) fn append_new(&mut self, parent: NodeId, data: NodeData<'a>) -> NodeId {
        let id = NodeId::from_index(self.nodes.len());
        let prev = self.node(parent).last_child;
        self.nodes.push(Node {
            parent: Some(parent),
            first_child: None,
            last_child: None,
            prev_sibling: prev,
            next_sibling: None,
            data,
        });
        match prev {
            Some(p) => self.node_mut(p).next_sibling = Some(id),
            None => self.node_mut(parent).first_child = Some(id),
        }
        self.node_mut(parent).last_child = Some(id);
        id
    }
}

/// The arena's room goes back to this thread's pool (see [`super::reuse`]).
impl Drop for Dom<'_> {
    fn drop(&mut self) {
        super::reuse::give_nodes(std::mem::take(&mut self.nodes));
    }
}

/// Merge text into a text node (it then owns a copy): out of line, so that the common
/// case of [`Dom::insert_text`], a new node, keeps a small frame.
#[inline(never)]
fn append_text(t: &mut Text<'_>, more: &str) {
    t.to_mut().push_str(more);
}

pub struct Children<'d, 'a> {
    dom: &'d Dom<'a>,
    next: Option<NodeId>,
}

impl Iterator for Children<'_, '_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        let id = self.next?;
        self.next = self.dom.node(id).next_sibling;
        Some(id)
    }
}

/// The namespace and local name of an attribute of an element in `ns` (the standard's
/// "adjust foreign attributes": on foreign elements, `xlink:href` is `href` in the XLink
/// namespace, and so on).
pub fn attr_ns(ns: Ns, name: &str) -> (AttrNs, &str) {
    if ns == Ns::Html {
        return (AttrNs::None, name);
    }
    match name {
        "xlink:actuate" | "xlink:arcrole" | "xlink:href" | "xlink:role" | "xlink:show"
        | "xlink:title" | "xlink:type" => (AttrNs::XLink, &name[6..]),
        "xml:lang" | "xml:space" => (AttrNs::Xml, &name[4..]),
        "xmlns" => (AttrNs::Xmlns, name),
        "xmlns:xlink" => (AttrNs::Xmlns, &name[6..]),
        _ => (AttrNs::None, name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_small_and_index_the_arena() {
        assert_eq!(std::mem::size_of::<Option<NodeId>>(), 4);
        let mut dom = Dom::new();
        let text = dom.create(NodeData::Text("x".into()));
        assert_eq!(dom.nodes.len(), 2);
        assert!(matches!(
            dom.node(NodeId::DOCUMENT).data,
            NodeData::Document
        ));
        assert_eq!(dom.text(text), Some("x"));
        dom.insert(NodeId::DOCUMENT, text, None);
        assert_eq!(dom.children(NodeId::DOCUMENT).collect::<Vec<_>>(), [text]);
        assert_eq!(dom.parent(text), Some(NodeId::DOCUMENT));
    }
}
