//! Prototype (a): an arena tree sink for html5ever's tree builder.
//!
//! Nodes live in one `Vec`, handles are `u32` indices, siblings are linked so every tree
//! operation the builder asks for is O(1), and attributes sit inline in the node. Compared
//! with `rcdom` this saves an `Rc` allocation, a `RefCell<Vec>` of children and a weak
//! parent pointer per node, the refcount traffic of every handle clone, the recursive-free
//! drop, and the parse-error log (rcdom keeps every message; nobody reads them).
//!
//! The tree must come out exactly as rcdom builds it (the identity check compares the
//! serialized bytes), so the two rcdom behaviours that shape it are copied: adjacent text
//! is merged on `append`/`append_before_sibling`, and `append_before_sibling` computes the
//! sibling's index before detaching the moved node.

use std::borrow::Cow;
use std::cell::{Ref, RefCell};

use html5ever::interface::{ElemName, ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{local_name, ns, parse_fragment, Attribute, ParseOpts, QualName};
use markup5ever::{LocalName, Namespace};

pub const NIL: u32 = u32::MAX;

pub enum Data {
    Document,
    Doctype(StrTendril),
    Text(StrTendril),
    Comment(StrTendril),
    Element {
        name: QualName,
        attrs: Vec<Attribute>,
        /// Template contents: a separate Document node, not a child (as in rcdom).
        template: u32,
        annotation_xml_integration_point: bool,
    },
    Pi(StrTendril, StrTendril),
}

pub struct Node {
    pub parent: u32,
    pub first: u32,
    pub last: u32,
    pub prev: u32,
    pub next: u32,
    pub data: Data,
}

#[derive(Default)]
pub struct Arena {
    pub nodes: Vec<Node>,
}

impl Arena {
    /// The `<html>` element whose children are the fragment.
    pub fn root(&self) -> u32 {
        self.nodes[0].first
    }

    /// Children of `id`, in order.
    pub fn children(&self, id: u32) -> impl Iterator<Item = u32> + '_ {
        let mut c = self.nodes[id as usize].first;
        std::iter::from_fn(move || {
            (c != NIL).then(|| {
                let id = c;
                c = self.nodes[c as usize].next;
                id
            })
        })
    }

    fn push(&mut self, data: Data) -> u32 {
        let id = self.nodes.len() as u32;
        self.nodes.push(Node {
            parent: NIL,
            first: NIL,
            last: NIL,
            prev: NIL,
            next: NIL,
            data,
        });
        id
    }

    fn detach(&mut self, id: u32) {
        let Node {
            parent, prev, next, ..
        } = self.nodes[id as usize];
        if parent == NIL {
            return;
        }
        match prev {
            NIL => self.nodes[parent as usize].first = next,
            p => self.nodes[p as usize].next = next,
        }
        match next {
            NIL => self.nodes[parent as usize].last = prev,
            n => self.nodes[n as usize].prev = prev,
        }
        let n = &mut self.nodes[id as usize];
        (n.parent, n.prev, n.next) = (NIL, NIL, NIL);
    }

    fn append_child(&mut self, parent: u32, id: u32) {
        let last = self.nodes[parent as usize].last;
        {
            let n = &mut self.nodes[id as usize];
            (n.parent, n.prev, n.next) = (parent, last, NIL);
        }
        match last {
            NIL => self.nodes[parent as usize].first = id,
            l => self.nodes[l as usize].next = id,
        }
        self.nodes[parent as usize].last = id;
    }

    fn insert_before(&mut self, sibling: u32, id: u32) {
        let Node { parent, prev, .. } = self.nodes[sibling as usize];
        {
            let n = &mut self.nodes[id as usize];
            (n.parent, n.prev, n.next) = (parent, prev, sibling);
        }
        match prev {
            NIL => self.nodes[parent as usize].first = id,
            p => self.nodes[p as usize].next = id,
        }
        self.nodes[sibling as usize].prev = id;
    }

    fn append_text_to(&mut self, id: u32, text: &str) -> bool {
        if id == NIL {
            return false;
        }
        match &mut self.nodes[id as usize].data {
            Data::Text(t) => {
                t.push_slice(text);
                true
            }
            _ => false,
        }
    }
}

#[derive(Default)]
pub struct ArenaSink {
    pub arena: RefCell<Arena>,
}

/// An element's name borrowed from the arena for as long as the tree builder looks at it.
#[derive(Debug)]
pub struct Name<'a>(Ref<'a, QualName>);

impl ElemName for Name<'_> {
    fn ns(&self) -> &Namespace {
        &self.0.ns
    }
    fn local_name(&self) -> &LocalName {
        &self.0.local
    }
}

impl TreeSink for ArenaSink {
    type Handle = u32;
    type Output = Arena;
    type ElemName<'a> = Name<'a>;

    fn finish(self) -> Arena {
        self.arena.into_inner()
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> u32 {
        0
    }

    fn elem_name<'a>(&'a self, target: &'a u32) -> Name<'a> {
        Name(Ref::map(self.arena.borrow(), |a| {
            match &a.nodes[*target as usize].data {
                Data::Element { name, .. } => name,
                _ => panic!("not an element"),
            }
        }))
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> u32 {
        let mut a = self.arena.borrow_mut();
        let template = if flags.template {
            a.push(Data::Document)
        } else {
            NIL
        };
        a.push(Data::Element {
            name,
            attrs,
            template,
            annotation_xml_integration_point: flags.mathml_annotation_xml_integration_point,
        })
    }

    fn create_comment(&self, text: StrTendril) -> u32 {
        self.arena.borrow_mut().push(Data::Comment(text))
    }

    fn create_pi(&self, target: StrTendril, data: StrTendril) -> u32 {
        self.arena.borrow_mut().push(Data::Pi(target, data))
    }

    fn append(&self, parent: &u32, child: NodeOrText<u32>) {
        let mut a = self.arena.borrow_mut();
        let id = match child {
            NodeOrText::AppendText(text) => {
                let last = a.nodes[*parent as usize].last;
                if a.append_text_to(last, &text) {
                    return;
                }
                a.push(Data::Text(text))
            }
            NodeOrText::AppendNode(id) => id,
        };
        a.append_child(*parent, id);
    }

    fn append_before_sibling(&self, sibling: &u32, child: NodeOrText<u32>) {
        let mut a = self.arena.borrow_mut();
        let id = match child {
            NodeOrText::AppendText(text) => {
                let prev = a.nodes[*sibling as usize].prev;
                if a.append_text_to(prev, &text) {
                    return;
                }
                a.push(Data::Text(text))
            }
            NodeOrText::AppendNode(id) => id,
        };
        // rcdom takes the sibling's index first and detaches afterwards, so a node moved
        // from earlier in the same parent lands after the sibling.
        let parent = a.nodes[*sibling as usize].parent;
        let earlier_sibling = a.nodes[id as usize].parent == parent && {
            let mut c = a.nodes[id as usize].next;
            while c != NIL && c != *sibling {
                c = a.nodes[c as usize].next;
            }
            c == *sibling
        };
        a.detach(id);
        if earlier_sibling {
            match a.nodes[*sibling as usize].next {
                NIL => a.append_child(parent, id),
                n => a.insert_before(n, id),
            }
        } else {
            a.insert_before(*sibling, id);
        }
    }

    fn append_based_on_parent_node(
        &self,
        element: &u32,
        prev_element: &u32,
        child: NodeOrText<u32>,
    ) {
        let has_parent = self.arena.borrow().nodes[*element as usize].parent != NIL;
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(&self, name: StrTendril, _: StrTendril, _: StrTendril) {
        let mut a = self.arena.borrow_mut();
        let id = a.push(Data::Doctype(name));
        a.append_child(0, id);
    }

    fn get_template_contents(&self, target: &u32) -> u32 {
        match self.arena.borrow().nodes[*target as usize].data {
            Data::Element { template, .. } if template != NIL => template,
            _ => panic!("not a template element"),
        }
    }

    fn same_node(&self, x: &u32, y: &u32) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn add_attrs_if_missing(&self, target: &u32, attrs: Vec<Attribute>) {
        let mut a = self.arena.borrow_mut();
        let Data::Element {
            attrs: existing, ..
        } = &mut a.nodes[*target as usize].data
        else {
            panic!("not an element")
        };
        let before = existing.len();
        for attr in attrs {
            if !existing[..before].iter().any(|e| e.name == attr.name) {
                existing.push(attr);
            }
        }
    }

    fn remove_from_parent(&self, target: &u32) {
        self.arena.borrow_mut().detach(*target);
    }

    fn reparent_children(&self, node: &u32, new_parent: &u32) {
        let mut a = self.arena.borrow_mut();
        let mut c = a.nodes[*node as usize].first;
        while c != NIL {
            let next = a.nodes[c as usize].next;
            a.detach(c);
            a.append_child(*new_parent, c);
            c = next;
        }
    }

    fn is_mathml_annotation_xml_integration_point(&self, target: &u32) -> bool {
        match self.arena.borrow().nodes[*target as usize].data {
            Data::Element {
                annotation_xml_integration_point,
                ..
            } => annotation_xml_integration_point,
            _ => panic!("not an element"),
        }
    }
}

/// Parse as ammonia does: a fragment in a `<div>` context, default options.
pub fn parse(html: &str) -> Arena {
    let mut sink = ArenaSink::default();
    sink.arena.get_mut().nodes.reserve(html.len() / 16);
    sink.arena.get_mut().push(Data::Document);
    parse_fragment(
        sink,
        ParseOpts::default(),
        QualName::new(None, ns!(html), local_name!("div")),
        vec![],
        false,
    )
    .one(html)
}

/// html5ever's escaping (no `\r` escape, unlike htmlguard's serializer), but linear.
pub fn escape(out: &mut String, text: &str, attr: bool) {
    let bytes = text.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        let rep = match bytes[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if attr => "&quot;",
            0xC2 if bytes.get(i + 1) == Some(&0xA0) => "&nbsp;",
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&text[last..i]);
        out.push_str(rep);
        i += if bytes[i] == 0xC2 { 2 } else { 1 };
        last = i;
    }
    out.push_str(&text[last..]);
}

pub fn write_attr_name(out: &mut String, name: &QualName) {
    match name.ns {
        ns!(xml) => out.push_str("xml:"),
        ns!(xmlns) => {
            if name.local != local_name!("xmlns") {
                out.push_str("xmlns:");
            }
        }
        ns!(xlink) => out.push_str("xlink:"),
        ns!() => {}
        _ => out.push_str("unknown_namespace:"),
    }
    out.push_str(&name.local);
}

/// Serialize the fragment exactly as html5ever's serializer does over rcdom.
pub fn serialize(arena: &Arena) -> String {
    use htmlguard::serialize::{is_raw_text, is_void};
    enum Op {
        Open(u32, bool),
        Close(u32),
    }
    let mut out = String::new();
    let mut ops: Vec<Op> = Vec::new();
    let push_children = |ops: &mut Vec<Op>, id: u32, raw: bool| {
        let mut c = arena.nodes[id as usize].last;
        while c != NIL {
            ops.push(Op::Open(c, raw));
            c = arena.nodes[c as usize].prev;
        }
    };
    push_children(&mut ops, arena.root(), false);
    while let Some(op) = ops.pop() {
        let (id, raw) = match op {
            Op::Close(id) => {
                if let Data::Element { name, .. } = &arena.nodes[id as usize].data {
                    out.push_str("</");
                    out.push_str(&name.local);
                    out.push('>');
                }
                continue;
            }
            Op::Open(id, raw) => (id, raw),
        };
        match &arena.nodes[id as usize].data {
            Data::Element { name, attrs, .. } => {
                out.push('<');
                out.push_str(&name.local);
                for a in attrs {
                    out.push(' ');
                    write_attr_name(&mut out, &a.name);
                    out.push_str("=\"");
                    escape(&mut out, &a.value, true);
                    out.push('"');
                }
                out.push('>');
                if is_void(name) {
                    continue;
                }
                ops.push(Op::Close(id));
                push_children(&mut ops, id, is_raw_text(name));
            }
            Data::Text(t) if raw => out.push_str(t),
            Data::Text(t) => escape(&mut out, t, false),
            Data::Comment(c) => {
                out.push_str("<!--");
                out.push_str(c);
                out.push_str("-->");
            }
            Data::Doctype(name) => {
                out.push_str("<!DOCTYPE ");
                out.push_str(name);
                out.push('>');
            }
            Data::Pi(target, data) => {
                out.push_str("<?");
                out.push_str(target);
                out.push(' ');
                out.push_str(data);
                out.push('>');
            }
            Data::Document => {}
        }
    }
    out
}
