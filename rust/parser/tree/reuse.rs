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

/// The most nodes whose room is kept: the tree of one of the pipeline's pieces (at most
/// 2 x `PIECE_BYTES`) at one node per 8 bytes. A smaller bound freed the arena after every
/// piece of a large document and made the next piece's allocation touch fresh memory: peak
/// memory 0.4 MB above the ammonia engine's on 4 MB (tests/core/test_memory.py).
pub(crate) const MAX_KEPT_NODES: usize = 2 * crate::engine::PIECE_BYTES / 8;
/// The most stack or list entries whose room is kept (the depth limit bounds the stack).
const MAX_KEPT_ENTRIES: usize = 1024;

thread_local! {
    static NODES: Cell<Vec<Node<'static>>> = const { Cell::new(Vec::new()) };
    static STACK: Cell<Vec<NodeId>> = const { Cell::new(Vec::new()) };
    static AFE: Cell<Vec<Entry>> = const { Cell::new(Vec::new()) };
}

/// An empty arena, with the room the last parse on this thread gave back.
pub(crate) fn take_nodes<'a>() -> Vec<Node<'a>> {
    // `Node<'static>` is a `Node<'a>`: the vector is covariant in its lifetime.
    take(&NODES)
}

/// Keep `nodes`' room for the next parse on this thread (its nodes are dropped here).
pub(crate) fn give_nodes(mut nodes: Vec<Node<'_>>) {
    nodes.clear();
    // The vector is empty, so the closure never runs: `collect` only re-types the buffer.
    let nodes: Vec<Node<'static>> = nodes.into_iter().map(|_| unreachable!()).collect();
    keep(&NODES, nodes, MAX_KEPT_NODES);
}

pub(crate) fn take_stack() -> Vec<NodeId> {
    take(&STACK)
}

pub(crate) fn give_stack(stack: Vec<NodeId>) {
    keep(&STACK, stack, MAX_KEPT_ENTRIES);
}

pub(crate) fn take_afe() -> Vec<Entry> {
    take(&AFE)
}

pub(crate) fn give_afe(afe: Vec<Entry>) {
    keep(&AFE, afe, MAX_KEPT_ENTRIES);
}

type Pool<T> = std::thread::LocalKey<Cell<Vec<T>>>;

/// The pool's vector (empty, with its room), or a new one while the thread is ending.
fn take<T: 'static>(pool: &'static Pool<T>) -> Vec<T> {
    pool.try_with(Cell::take).unwrap_or_default()
}

/// Empty `v` and put it in the pool, unless it holds more than `max` entries' room (a huge
/// document's memory goes back) or the pool holds more room already (from a nested parse).
fn keep<T: 'static>(pool: &'static Pool<T>, mut v: Vec<T>, max: usize) {
    v.clear();
    if v.capacity() > max {
        return;
    }
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
    use crate::parser::tree::tests::ours as tree;
    use crate::parser::tree::{ContextElement, Opts};

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
