//! The html5ever engine's sanitizing walk: one pass over the parsed tree that asks the
//! policy's [`Rules`] about each node, writes what is kept, and reports what is removed.
//!
//! Besides the policy's decisions it enforces two structural ones, because the output must
//! parse back to the tree that was checked: elements deeper than [`MAX_DEPTH`] are
//! unwrapped, and so are elements the parser cannot nest in themselves (`<a>` in `<a>`,
//! left behind when something between them is removed). Trees the parser would rebuild
//! differently are noted (`misnested`), and the pipeline sanitizes the output again.

use ammonia::rcdom::{Handle, NodeData};
use html5ever::{local_name, ns, QualName};

use crate::engine::parse::Fragment;
use crate::html::serialize;
use crate::html::shape::{
    implied_by_parser, is_raw_text, is_void, misnested, moves_text, self_nested, text_misplaced,
};
use crate::html::MAX_DEPTH;
use crate::policy::rules::{IdMap, Parent, Rules, Verdict};
use crate::report::{Kind, Recorder};

/// Serialized HTML, and whether parsing it again would build a different tree.
pub struct Cleaned {
    pub html: String,
    pub misnested: bool,
}

enum Op {
    Node(Handle),
    Close,
}

/// Sanitize a parsed fragment.
pub fn walk(fragment: &Fragment, rules: &Rules, rec: &mut Recorder<'_>) -> Cleaned {
    for (name, n) in &fragment.dropped.by_name {
        rec.add_n(Kind::Tag, name, name, "nested too deep", *n);
    }
    let root = fragment.root();
    let ids = rules.animates.then(|| element_ids(&root));
    let mut out = String::new();
    let mut misplaced = false;
    // The kept elements enclosing the current node, innermost last.
    let mut parents: Vec<Parent> = Vec::new();
    let mut open: Vec<QualName> = Vec::new();
    let top = Parent::root();
    // Where the content of the last <pre>, <textarea> or <listing> opened begins: a text
    // written right there that starts with a newline needs another in front of it, as the
    // parser drops one newline after those start tags.
    let mut newline_eaten_at = None;
    // Explicit stack: trees can be deep, and the caller's stack is not ours to spend.
    let mut ops: Vec<Op> = children_rev(&root);
    while let Some(op) = ops.pop() {
        let node = match op {
            Op::Close => {
                let name = open.pop().expect("a close follows an open");
                parents.pop();
                serialize::end_tag(&mut out, &name);
                continue;
            }
            Op::Node(node) => node,
        };
        let parent = parents.last().unwrap_or(&top);
        match &node.data {
            NodeData::Element { name, attrs, .. } => {
                let tag: &str = &name.local;
                let verdict = rules.element(parent, name);
                if verdict == Verdict::Drop {
                    rec.add(Kind::Tag, tag, tag, "");
                    continue;
                }
                let attrs = attrs.borrow();
                let kept = match verdict {
                    Verdict::Keep => rules.attributes(name, &attrs, parent, ids.as_ref(), rec),
                    _ => None,
                };
                let Some(kept) = kept else {
                    if !(attrs.is_empty() && implied_by_parser(name, &parent.name)) {
                        rec.add(Kind::Tag, tag, tag, "");
                    }
                    ops.extend(children_rev(&node));
                    continue;
                };
                if parents.len() >= MAX_DEPTH {
                    rec.add(Kind::Tag, tag, tag, "nested too deep");
                    ops.extend(children_rev(&node));
                    continue;
                }
                if self_nested(name, &open) {
                    rec.add(Kind::Tag, tag, tag, "nested in itself");
                    ops.extend(children_rev(&node));
                    continue;
                }
                misplaced = misplaced || misnested(name, &open);
                serialize::start_tag(&mut out, name, kept.iter().map(|a| (&a.name, &*a.value)));
                if is_void(name) {
                    continue;
                }
                let children = node.children.borrow();
                if serialize::eats_leading_newline(name) {
                    newline_eaten_at = Some(out.len());
                }
                parents.push(Parent::new(name, &kept));
                open.push(name.clone());
                ops.push(Op::Close);
                // A <selectedcontent> in a <select> is filled by the browser from the
                // selected option: what the input put there is never shown.
                let replaced = name.ns == ns!(html)
                    && name.local == local_name!("selectedcontent")
                    && open
                        .iter()
                        .any(|e| e.ns == ns!(html) && e.local == local_name!("select"));
                if !replaced {
                    ops.extend(children.iter().rev().map(|c| Op::Node(c.clone())));
                }
            }
            NodeData::Text { contents } => {
                let depth = parents.len();
                // Text of elements unwrapped below a table part at the depth limit would
                // be moved out of the table when parsed again: dropped instead.
                if depth == MAX_DEPTH && moves_text(&parent.name) {
                    continue;
                }
                let text = contents.borrow();
                let enclosing = open.last();
                misplaced = misplaced || text_misplaced(enclosing, &text);
                if newline_eaten_at == Some(out.len()) && text.starts_with('\n') {
                    out.push('\n');
                }
                serialize::text(&mut out, &text, enclosing.is_some_and(is_raw_text));
            }
            NodeData::Comment { contents } => {
                if rules.keeps_comments() {
                    serialize::comment(&mut out, contents);
                } else {
                    let tag = open.last().map_or("", |e| &*e.local);
                    rec.add(Kind::Comment, tag, "#comment", contents);
                }
            }
            NodeData::Doctype { .. }
            | NodeData::ProcessingInstruction { .. }
            | NodeData::Document => {}
        }
    }
    serialize::protect_leading_bom(&mut out);
    Cleaned {
        html: out,
        misnested: misplaced,
    }
}

fn children_rev(node: &Handle) -> Vec<Op> {
    node.children
        .borrow()
        .iter()
        .rev()
        .map(|c| Op::Node(c.clone()))
        .collect()
}

/// Every `id` in the document → its element (None when several elements share it).
fn element_ids(root: &Handle) -> IdMap {
    let mut ids = IdMap::new();
    let mut stack = vec![root.clone()];
    while let Some(node) = stack.pop() {
        if let NodeData::Element { name, attrs, .. } = &node.data {
            for a in attrs
                .borrow()
                .iter()
                .filter(|a| a.name.local == local_name!("id"))
            {
                ids.entry(a.value.to_string())
                    .and_modify(|e| *e = None)
                    .or_insert_with(|| Some(name.local.clone()));
            }
        }
        stack.extend(node.children.borrow().iter().cloned());
    }
    ids
}
