//! HTML as bytes and text, independent of any policy: the shared pre-scan lexer, the
//! attribute bound, where documents can be cut, escaping, element names and the parser's
//! tree-shape rules, and the serializer.

pub mod attrs;
pub mod element;
pub mod escape;
pub mod lexer;
pub mod names;
pub mod serialize;
pub mod shape;
pub mod split;

/// Deepest nesting of elements kept. Chromium's HTML parser caps its tree at the same
/// depth; html5ever's tree builder is quadratic in depth, so the parse is bounded too.
pub const MAX_DEPTH: usize = 512;
