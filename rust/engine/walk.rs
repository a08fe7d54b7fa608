//! The sanitizing walk: one pass over a parsed tree that asks the policy's [`Rules`] about
//! each node, writes what is kept, and reports what is removed. Every engine's tree is
//! walked by this same code (through [`Tree`]), so engines differ only in how they parse.
//!
//! Besides the policy's decisions it enforces two structural ones, because the output must
//! parse back to the tree that was checked: elements deeper than [`MAX_DEPTH`] are
//! unwrapped, and so are elements the parser cannot nest in themselves (`<a>` in `<a>`,
//! left behind when something between them is removed). Trees the parser would rebuild
//! differently are noted (`misnested`), and the pipeline sanitizes the output again.

use std::collections::BTreeMap;

use crate::html::element::{Name, OwnedName};
use crate::html::serialize;
use crate::html::shape::{
    implied_by_parser, is_raw_text, is_void, misnested, moves_text, self_nested, text_misplaced,
};
use crate::html::MAX_DEPTH;
use crate::parser::atoms::{ANNOTATION_XML, SELECT, SELECTEDCONTENT};
use crate::parser::tree::dom::Ns;
use crate::policy::rules::{Attr, IdMap, InputAttr, Parent, Rules, Verdict, NO_ENCODINGS};
use crate::report::{Kind, Recorder};

/// Serialized HTML, and whether parsing it again would build a different tree.
pub struct Cleaned {
    pub html: String,
    pub misnested: bool,
}

/// A node as the walk sees it.
pub enum View<'v, A> {
    Element {
        name: Name<'v>,
        attrs: &'v [A],
    },
    Text(&'v str),
    Comment(&'v str),
    /// Doctypes, processing instructions: never written.
    Other,
}

/// What the walk reads of a parsed fragment.
pub trait Tree {
    type Node: Clone;
    type Attr: InputAttr;
    /// The fragment's root (the `<html>` element its top-level nodes hang from).
    fn root(&self) -> Self::Node;
    /// Push `node`'s children, last first (the walk pops them in document order).
    fn push_children_rev(&self, node: &Self::Node, ops: &mut Vec<Op<Self::Node>>);
    /// Call `f` with `node`'s view (a callback: a tree may lend its data only for a while).
    fn with<R>(&self, node: &Self::Node, f: impl FnOnce(View<'_, Self::Attr>) -> R) -> R;
    /// Start tags the parser dropped for depth, by name.
    fn dropped(&self) -> &BTreeMap<String, usize>;
}

/// The walk's work list: a node to visit, or the end of an element written open.
pub enum Op<N> {
    Node(N),
    Close,
}

/// Sanitize a parsed fragment of `size` bytes (the output is about as long).
pub fn walk<T: Tree>(tree: &T, size: usize, rules: &Rules, rec: &mut Recorder<'_>) -> Cleaned {
    for (name, n) in tree.dropped() {
        rec.add_n(Kind::Tag, name, name, "nested too deep", *n);
    }
    let root = tree.root();
    let ids = rules.animates.then(|| element_ids(tree, &root));
    let mut w = Walk {
        rules,
        ids: ids.as_ref(),
        rec,
        out: String::with_capacity(size + size / 8),
        misplaced: false,
        open: Vec::with_capacity(32),
        encodings: Vec::new(),
        foreign: 0,
        newline_eaten_at: None,
        top: Parent::root(),
    };
    // Explicit stack: trees can be deep, and the caller's stack is not ours to spend.
    let mut ops: Vec<Op<T::Node>> = Vec::with_capacity(64);
    tree.push_children_rev(&root, &mut ops);
    while let Some(op) = ops.pop() {
        let node = match op {
            Op::Close => {
                w.close();
                continue;
            }
            Op::Node(node) => node,
        };
        tree.with(&node, |view| match view {
            View::Element { name, attrs } => match w.element(name, attrs) {
                Next::Skip => {}
                Next::Unwrap => tree.push_children_rev(&node, &mut ops),
                Next::Open { children } => {
                    ops.push(Op::Close);
                    if children {
                        tree.push_children_rev(&node, &mut ops);
                    }
                }
            },
            View::Text(text) => w.text(text),
            View::Comment(contents) => w.comment(contents),
            View::Other => {}
        });
    }
    serialize::protect_leading_bom(&mut w.out);
    Cleaned {
        html: w.out,
        misnested: w.misplaced,
    }
}

/// The walk's state between nodes.
struct Walk<'w, 'r> {
    rules: &'w Rules,
    ids: Option<&'w IdMap>,
    rec: &'w mut Recorder<'r>,
    out: String,
    /// Whether the output has a tree the parser would build differently.
    misplaced: bool,
    /// The kept elements enclosing the current node, innermost last.
    open: Vec<OwnedName>,
    /// What the namespace check needs of each `<annotation-xml>` in `open` (every other
    /// element has `NO_ENCODINGS`).
    encodings: Vec<(usize, bool)>,
    /// How many elements of `open` are not HTML.
    foreign: usize,
    /// Where the content of the last <pre>, <textarea> or <listing> opened begins: a text
    /// written right there that starts with a newline needs another in front of it, as
    /// the parser drops one newline after those start tags.
    newline_eaten_at: Option<usize>,
    /// What the namespace check needs of the fragment's root.
    top: Parent<'static>,
}
/// What follows an element's start tag.
enum Next {
    /// Nothing: it was removed with its content, or is void.
    Skip,
    /// Its content, in its place (its tags were removed).
    Unwrap,
    /// Its end tag, after its content unless the content is never shown.
    Open { children: bool },
}

impl Walk<'_, '_> {
    fn element<A: InputAttr>(&mut self, name: Name<'_>, attrs: &[A]) -> Next {
        let rules = self.rules;
        let parent = match self.open.last() {
            Some(p) => Parent {
                name: p.name(),
                encodings: match p.atom {
                    ANNOTATION_XML => *self.encodings.last().expect("pushed when opened"),
                    _ => NO_ENCODINGS,
                },
            },
            _ => self.top,
        };
        let tag = name.local;
        let verdict = rules.element(&parent, name, attrs.is_empty());
        if verdict == Verdict::Drop {
            self.rec.add(Kind::Tag, tag, tag, "");
            return Next::Skip;
        }
        if verdict == Verdict::Keep && attrs.is_empty() && !rules.adds_attributes(name) {
            // Most elements: kept as they are, with no attributes (and no vector of them).
            return self.open_element(name, &[]);
        }
        let kept = match verdict {
            Verdict::Keep => rules.attributes(name, attrs, &parent, self.ids, self.rec),
            _ => None,
        };
        match kept {
            Some(kept) => self.open_element(name, &kept),
            None => {
                if !(attrs.is_empty() && implied_by_parser(name, parent.name)) {
                    self.rec.add(Kind::Tag, tag, tag, "");
                }
                Next::Unwrap
            }
        }
    }

    /// Write the start tag of `name`, kept with `kept`, unless the tree's shape forbids it.
    fn open_element(&mut self, name: Name<'_>, kept: &[Attr<'_>]) -> Next {
        let tag = name.local;
        if self.open.len() >= MAX_DEPTH {
            self.rec.add(Kind::Tag, tag, tag, "nested too deep");
            return Next::Unwrap;
        }
        if self_nested(name, &self.open) {
            self.rec.add(Kind::Tag, tag, tag, "nested in itself");
            return Next::Unwrap;
        }
        self.misplaced = self.misplaced || misnested(name, &self.open, self.foreign > 0);
        match name.bare_start_tag() {
            Some(start) if kept.is_empty() => self.out.push_str(start),
            _ => serialize::start_tag(&mut self.out, tag, kept.iter().map(|a| (a.name, &*a.value))),
        }
        if is_void(name) {
            return Next::Skip;
        }
        if serialize::eats_leading_newline(name) {
            self.newline_eaten_at = Some(self.out.len());
        }
        if name.atom == ANNOTATION_XML {
            self.encodings.push(Parent::encodings(name, kept));
        }
        self.foreign += usize::from(name.ns != Ns::Html);
        self.open.push(name.to_owned());
        // A <selectedcontent> in a <select> is filled by the browser from the selected
        // option: what the input put there is never shown.
        let replaced = name.is_html(SELECTEDCONTENT)
            && self
                .open
                .iter()
                .any(|e| e.ns == Ns::Html && e.atom == SELECT);
        Next::Open {
            children: !replaced,
        }
    }

    fn close(&mut self) {
        let name = self.open.pop().expect("a close follows an open");
        self.foreign -= usize::from(name.ns != Ns::Html);
        if name.atom == ANNOTATION_XML {
            self.encodings.pop();
        }
        self.out.push_str(name.end_tag());
    }

    fn text(&mut self, text: &str) {
        let enclosing = self.open.last().map(OwnedName::name);
        // Text of elements unwrapped below a table part at the depth limit would be moved
        // out of the table when parsed again: dropped instead.
        if self.open.len() == MAX_DEPTH && enclosing.is_some_and(moves_text) {
            return;
        }
        self.misplaced = self.misplaced || text_misplaced(enclosing, text);
        if self.newline_eaten_at == Some(self.out.len()) && text.starts_with('\n') {
            self.out.push('\n');
        }
        serialize::text(&mut self.out, text, enclosing.is_some_and(is_raw_text));
    }

    fn comment(&mut self, contents: &str) {
        if self.rules.keeps_comments() {
            serialize::comment(&mut self.out, contents);
        } else {
            let tag = self.open.last().map_or("", |e| e.name().local);
            self.rec.add(Kind::Comment, tag, "#comment", contents);
        }
    }
}

/// Every `id` in the document → its element (None when several elements share it).
fn element_ids<T: Tree>(tree: &T, root: &T::Node) -> IdMap {
    let mut ids = IdMap::new();
    let mut ops = vec![Op::Node(root.clone())];
    while let Some(op) = ops.pop() {
        let Op::Node(node) = op else { continue };
        tree.with(&node, |view| {
            if let View::Element { name, attrs } = view {
                for a in attrs.iter().filter(|a| a.name(name).local == "id") {
                    ids.entry(a.value().to_string())
                        .and_modify(|e| *e = None)
                        .or_insert_with(|| Some(name.local.into()));
                }
            }
        });
        tree.push_children_rev(&node, &mut ops);
    }
    ids
}
