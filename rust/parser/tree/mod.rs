//! The tree builder: the HTML standard's tree construction (all insertion modes, foreign
//! content, fragment parsing) into an arena of nodes with `u32` handles.
//!
//! It is driven by pushing tokens (`TreeBuilder::process`), so any tokenizer can feed it:
//! `html5ever_tokens` drives it with html5ever's tokenizer until ours lands.
//!
//! - `dom`: the arena (nodes, links, iteration).
//! - `names`: every element-name comparison (to become atom comparisons).
//! - `builder`: state and shared algorithms (stack of open elements, scopes, insertion
//!   place and foster parenting, active formatting elements, adoption agency, reset mode).
//! - `dispatch`: token entry, character splitting, the dispatcher and foreign content.
//! - `modes`: the insertion modes.
//! - `shortcuts`: the commonest tags in body, without the full dispatch.
//! - `foreign`: SVG/MathML name and attribute adjustments.
//! - `quirks`: quirks mode from a DOCTYPE.
//! - `reuse`: per-thread reuse of the vectors' room between parses.
//! - `serialize`: the html5lib tree-construction test format.

mod builder;
mod dispatch;
pub mod dom;
pub(crate) mod foreign;
pub mod html5ever_tokens;
mod modes;
pub mod names;
mod quirks;
mod reuse;
pub mod serialize;
mod shortcuts;

pub use builder::{ContextElement, Opts, TreeBuilder, MAX_FORMATTING};
pub use dom::{AttrNs, Dom, Element, Node, NodeData, NodeId, Ns, QuirksMode};

#[cfg(test)]
mod tests;
