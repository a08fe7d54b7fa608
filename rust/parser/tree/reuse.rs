//! Per-thread reuse of a parse's vectors (the arena, the stack of open elements, the list of
//! active formatting elements), so that a parse of a tiny input allocates almost nothing.
//!
//! Only capacity is kept: a vector comes back empty, and the arena's element type borrows
//! the input, so the pool holds it as `Node<'static>` (an empty `Vec<Node<'static>>` is a
//! `Vec<Node<'a>>` by covariance; the way back re-types it by an in-place `collect`, which
//! keeps the allocation). Vectors grown past a bound are freed instead, so a thread that
//! once parsed a huge document does not keep its memory. A `Cell` per pool makes nested
//! parses on one thread safe: the inner one finds the pool empty and allocates.

use std::cell::Cell;

use super::builder::Entry;
use super::dom::{Node, NodeId};

/// The most nodes whose room is kept (about 0.5 MB): realistic documents need far fewer.
pub(crate) const MAX_KEPT_NODES: usize = 4096;
/// The most stack or list entries whose room is kept (the depth limit bounds the stack).
const MAX_KEPT_ENTRIES: usize = 1024;

thread_local! {
    static NODES: Cell<Vec<Node<'static>>> = const { Cell::new(Vec::new()) };
    static STACK: Cell<Vec<NodeId>> = const { Cell::new(Vec::new()) };
    static AFE: Cell<Vec<Entry>> = const { Cell::new(Vec::new()) };
}

/// An empty arena, with the room the last parse on this thread gave back.
pub(crate) fn take_nodes<'a>() -> Vec<Node<'a>> {
    NODES.try_with(Cell::take).unwrap_or_default()
}

/// Keep `nodes`' room for the next parse on this thread (its nodes are dropped here).
pub(crate) fn give_nodes(mut nodes: Vec<Node<'_>>) {
    if nodes.capacity() > MAX_KEPT_NODES {
        return;
    }
    nodes.clear();
    // The vector is empty, so the closure never runs: `collect` only re-types the buffer.
    let nodes: Vec<Node<'static>> = nodes.into_iter().map(|_| unreachable!()).collect();
    keep(&NODES, nodes);
}

pub(crate) fn take_stack() -> Vec<NodeId> {
    STACK.try_with(Cell::take).unwrap_or_default()
}

pub(crate) fn give_stack(mut stack: Vec<NodeId>) {
    stack.clear();
    if stack.capacity() <= MAX_KEPT_ENTRIES {
        keep(&STACK, stack);
    }
}

pub(crate) fn take_afe() -> Vec<Entry> {
    AFE.try_with(Cell::take).unwrap_or_default()
}

pub(crate) fn give_afe(mut afe: Vec<Entry>) {
    afe.clear();
    if afe.capacity() <= MAX_KEPT_ENTRIES {
        keep(&AFE, afe);
    }
}

/// Put `v` in the pool unless the pool holds more room already (from a nested parse).
fn keep<T: 'static>(pool: &'static std::thread::LocalKey<Cell<Vec<T>>>, v: Vec<T>) {
    let _ = pool.try_with(|p| {
        let old = p.take();
        p.set(if old.capacity() >= v.capacity() {
            old
        } else {
            v
        });
    });
}

/// The room the pool holds now (for tests).
#[cfg(test)]
pub(crate) fn kept_nodes() -> usize {
    NODES.with(|p| {
        let v = p.take();
        let n = v.capacity();
        p.set(v);
        n
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse::parse_fragment;
    use crate::parser::tree::serialize::to_test_format;
    use crate::parser::tree::{ContextElement, Opts};

    fn tree(html: &str) -> String {
        to_test_format(&parse_fragment(
            html,
            ContextElement::div(),
            Opts::default(),
        ))
    }

    #[test]
    fn a_parse_takes_the_room_the_last_one_gave_back() {
        drop(tree("<p>warm up</p>"));
        let kept = kept_nodes();
        assert!(kept >= 32, "the arena's room is kept: {kept}");
        let dom = parse_fragment("<b>x</b>", ContextElement::div(), Opts::default());
        assert_eq!(kept_nodes(), 0, "the live parse holds the room");
        assert_eq!(dom.nodes.capacity(), kept);
        drop(dom);
        assert_eq!(kept_nodes(), kept);
    }

    #[test]
    fn a_huge_parse_gives_its_memory_back_and_later_trees_are_the_same() {
        let small = "Tom &amp; Jerry <b>x<i>y</b>z</i><table><td>c</table>";
        let before = tree(small);
        let huge = "<p><a href=x>link</a> text ".repeat(20_000);
        let dom = parse_fragment(&huge, ContextElement::div(), Opts::default());
        assert!(dom.nodes.len() > MAX_KEPT_NODES);
        drop(dom);
        assert!(kept_nodes() <= MAX_KEPT_NODES, "{}", kept_nodes());
        assert_eq!(tree(small), before);
    }

    #[test]
    fn a_parse_nested_in_another_gets_its_own_room() {
        let outer = parse_fragment("<p>outer</p>", ContextElement::div(), Opts::default());
        let inner = tree("<i>inner</i>");
        assert_eq!(inner, "| <i>\n|   \"inner\"\n");
        assert_eq!(to_test_format(&outer), "| <p>\n|   \"outer\"\n");
    }
}
