//! The tokens the tokenizer hands the tree builder.
//!
//! Text borrows the input wherever it is the input's own bytes; it is owned only where the
//! tokenizer changed it (a character reference decoded, a CR or CRLF turned into LF, a NUL
//! replaced, a name lowercased). A tag's attributes come in a `Vec` that a consumer done
//! with it can hand back (`Tokenizer::recycle`) for the next tag with attributes to reuse;
//! a tag without attributes has an empty `Vec`, which allocates nothing.

use std::borrow::Cow;

use crate::parser::atoms::Atom;

/// Text from the input, or changed from it.
pub type Text<'a> = Cow<'a, str>;

/// A tag or attribute name, ASCII-lowercased as the tokenizer emits it; `atom` is its
/// integer when the name is a known one, [`Atom::UNKNOWN`] otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name<'a> {
    pub atom: Atom,
    pub text: Text<'a>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute<'a> {
    pub name: Name<'a>,
    pub value: Text<'a>,
}

/// A start or end tag. Duplicate attributes were already dropped (the first one stays).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag<'a> {
    pub name: Name<'a>,
    pub attrs: Vec<Attribute<'a>>,
    pub self_closing: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doctype<'a> {
    pub name: Option<Text<'a>>,
    pub public_id: Option<Text<'a>>,
    pub system_id: Option<Text<'a>>,
    pub force_quirks: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token<'a> {
    /// Boxed: DOCTYPEs are rare, and unboxed they would make every token 80 bytes.
    Doctype(Box<Doctype<'a>>),
    StartTag(Tag<'a>),
    EndTag(Tag<'a>),
    Comment(Text<'a>),
    /// A run of characters, as long as the tokenizer could make it (the tree builder
    /// splits it where an insertion mode treats whitespace, NUL or the rest apart).
    /// In the data state a NUL is passed on as U+0000 (the tree builder decides); in the
    /// other text states it was already replaced by U+FFFD, as the standard says.
    Characters(Text<'a>),
    Eof,
}

/// The tokenizer states the tree builder (or a test) can switch to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Data,
    RcData,
    RawText,
    ScriptData,
    PlainText,
    CdataSection,
}
