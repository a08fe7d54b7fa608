//! htmlguard's own HTML parser (issue 13): a byte-oriented tokenizer implementing the HTML
//! standard's tokenizer states, and a tree builder implementing its insertion modes into an
//! arena of nodes with `u32` handles. The engine in `engine/` walks the finished tree.
//!
//! - `token`: what the tokenizer hands the tree builder (spans into the input where the
//!   text is the input's own, owned only where character references, NUL or CR changed it).
//! - `atoms`: tag and attribute names as integers (a static perfect hash).
//! - `entities`: the named character references (a generated, sorted table).
//! - `tokenizer`: the tokenizer.
//! - `tree`: the arena and the tree builder.
//! - `parse`: the two together, the parser's entry points.

pub mod atoms;
#[rustfmt::skip]
mod atoms_table;
pub mod entities;
#[rustfmt::skip]
mod entities_table;
pub mod parse;
pub mod token;
pub mod tokenizer;
pub mod tree;
