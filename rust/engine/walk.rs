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
use crate::parser::atoms::{SELECT, SELECTEDCONTENT};
use crate::parser::tree::dom::Ns;
use crate::policy::rules::{IdMap, InputAttr, Parent, Rules, Verdict};
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
    let mut out = String::with_capacity(size + size / 8);
    let mut misplaced = false;
    // The kept elements enclosing the current node, innermost last, and what the
    // namespace check needs of each.
    let mut open: Vec<OwnedName> = Vec::with_capacity(32);
    let mut encodings: Vec<(usize, bool)> = Vec::with_capacity(32);
    let top = Parent::root();
    // Where the content of the last <pre>, <textarea> or <listing> opened begins: a text
    // written right there that starts with a newline needs another in front of it, as the
    // parser drops one newline after those start tags.
    let mut newline_eaten_at = None;
    // Explicit stack: trees can be deep, and the caller's stack is not ours to spend.
    let mut ops: Vec<Op<T::Node>> = Vec::with_capacity(64);
    tree.push_children_rev(&root, &mut ops);
    while let Some(op) = ops.pop() {
        let node = match op {
            Op::Close => {
                let name = open.pop().expect("a close follows an open");
                encodings.pop();
                out.push_str(name.end_tag());
                continue;
            }
            Op::Node(node) => node,
        };
        tree.with(&node, |view| match view {
            View::Element { name, attrs } => {
                let parent = match (open.last(), encodings.last()) {
                    (Some(p), Some(&encodings)) => Parent {
                        name: p.name(),
                        encodings,
                    },
                    _ => top,
                };
                let tag = name.local;
                let verdict = rules.element(&parent, name);
                if verdict == Verdict::Drop {
                    rec.add(Kind::Tag, tag, tag, "");
                    return;
                }
                let kept = match verdict {
                    Verdict::Keep => rules.attributes(name, attrs, &parent, ids.as_ref(), rec),
                    _ => None,
                };
                let Some(kept) = kept else {
                    if !(attrs.is_empty() && implied_by_parser(name, parent.name)) {
                        rec.add(Kind::Tag, tag, tag, "");
                    }
                    tree.push_children_rev(&node, &mut ops);
                    return;
                };
                if open.len() >= MAX_DEPTH {
                    rec.add(Kind::Tag, tag, tag, "nested too deep");
                    tree.push_children_rev(&node, &mut ops);
                    return;
                }
                if self_nested(name, &open) {
                    rec.add(Kind::Tag, tag, tag, "nested in itself");
                    tree.push_children_rev(&node, &mut ops);
                    return;
                }
                misplaced = misplaced || misnested(name, &open);
                match name.bare_start_tag() {
                    Some(start) if kept.is_empty() => out.push_str(start),
                    _ => serialize::start_tag(
                        &mut out,
                        tag,
                        kept.iter().map(|a| (a.name, &*a.value)),
                    ),
                }
                if is_void(name) {
                    return;
                }
                if serialize::eats_leading_newline(name) {
                    newline_eaten_at = Some(out.len());
                }
                encodings.push(Parent::encodings(name, &kept));
                open.push(name.to_owned());
                ops.push(Op::Close);
                // A <selectedcontent> in a <select> is filled by the browser from the
                // selected option: what the input put there is never shown.
                let replaced = name.is_html(SELECTEDCONTENT)
                    && open.iter().any(|e| e.ns == Ns::Html && e.atom == SELECT);
                if !replaced {
                    tree.push_children_rev(&node, &mut ops);
                }
            }
            View::Text(text) => {
                let enclosing = open.last().map(OwnedName::name);
                // Text of elements unwrapped below a table part at the depth limit would
                // be moved out of the table when parsed again: dropped instead.
                if open.len() == MAX_DEPTH && enclosing.is_some_and(moves_text) {
                    return;
                }
                misplaced = misplaced || text_misplaced(enclosing, text);
                if newline_eaten_at == Some(out.len()) && text.starts_with('\n') {
                    out.push('\n');
                }
                serialize::text(&mut out, text, enclosing.is_some_and(is_raw_text));
            }
            View::Comment(contents) => {
                if rules.keeps_comments() {
                    serialize::comment(&mut out, contents);
                } else {
                    let tag = open.last().map_or("", |e| e.name().local);
                    rec.add(Kind::Comment, tag, "#comment", contents);
                }
            }
            View::Other => {}
        });
    }
    serialize::protect_leading_bom(&mut out);
    Cleaned {
        html: out,
        misnested: misplaced,
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
