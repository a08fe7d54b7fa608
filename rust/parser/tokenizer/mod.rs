//! The HTML standard's tokenizer ("13.2.5 Tokenization"), byte-oriented.
//!
//! The whole input is in memory, so the tokenizer looks ahead where the standard would
//! buffer (character references, `DOCTYPE`/`PUBLIC`/`SYSTEM` keywords, "appropriate end
//! tag" names, the script double-escape `script` name) and scans text runs, attribute
//! values and comments with `memchr` for the next byte that matters. Every position it
//! stops at is an ASCII byte, so every span is on char boundaries.
//!
//! Tokens borrow the input (see `token.rs`); `Buf` turns a token's text into a `String`
//! only when it stops being the input's own bytes. Input preprocessing (CR and CRLF to LF)
//! happens as text is copied out, by position, so the input is never rewritten.
//!
//! Characters are coalesced into as long a token as possible: they are handed over when the
//! next other token (or the end) is certain, such as at a `<` followed by a letter, or
//! before a `<![CDATA[` (whether that is a CDATA section depends on the tree builder's
//! current node, which those characters may change).
//!
//! The data state and the tags it opens, nearly all of the work, return their token
//! straight from `next_token`; a tag is lexed in one pass (`tag.rs`). The other states
//! step one state at a time and hand their tokens over through two slots (`emit`).
//!
//! Parse errors are not reported: the sanitizer has no use for them, and each one's
//! recovery is what the states below implement. End tags are emitted without attributes
//! (the tree builder ignores them).
//!
//! Tested by the html5lib tokenizer tests (`tests/html5lib_tokenizer.rs`), a differential
//! test against html5ever's tokenizer on random inputs in every state, and hostile shapes
//! (storms of `<!--`, `&`, `&#`, attributes, unterminated constructs) in `tests.rs`.

mod buf;
mod charref;
mod comment;
mod doctype;
mod script;
mod states;
mod tag;
#[cfg(test)]
mod tests;

use std::collections::HashSet;

pub(crate) use buf::push_normalized;
use buf::{Buf, Src};

use crate::parser::atoms;
use crate::parser::token::{Attribute, Doctype, Name, State, Tag, Text, Token};

/// What NUL becomes outside the data and CDATA section states.
const REPLACEMENT: &str = "\u{FFFD}";

/// Above this many attributes the duplicate check hashes names instead of comparing
/// each with the ones before it.
const DEDUP_LINEAR_MAX: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    Data,
    RcData,
    RawText,
    ScriptData,
    PlainText,
    CdataSection,
    TagOpen,
    BogusComment,
    MarkupDeclarationOpen,
    CommentStart,
    CommentStartDash,
    Comment,
    CommentLt,
    CommentLtBang,
    CommentLtBangDash,
    CommentLtBangDashDash,
    CommentEndDash,
    CommentEnd,
    CommentEndBang,
    Doctype,
    BeforeDoctypeName,
    AfterDoctypeName,
    /// After `PUBLIC` or `SYSTEM` (`doctype_system`): a plain enum keeps the state one
    /// byte that `next_token` compares directly.
    AfterDoctypeKeyword,
    /// In a quoted identifier (`doctype_system`, `doctype_quote`).
    DoctypeId,
    AfterDoctypePublicId,
    AfterDoctypeSystemId,
    BogusDoctype,
    ScriptEscapeStart,
    ScriptEscapeStartDash,
    ScriptEscaped,
    ScriptEscapedDash,
    ScriptEscapedDashDash,
    ScriptEscapedLt,
    ScriptDoubleEscapeStart,
    ScriptDoubleEscaped,
    ScriptDoubleEscapedDash,
    ScriptDoubleEscapedDashDash,
    ScriptDoubleEscapedLt,
    ScriptDoubleEscapeEnd,
}

/// Tokenizes one input; see the module doc. The tree builder drives it: `next_token`, and
/// `set_state` / `set_cdata_allowed` as its insertion modes require.
pub struct Tokenizer<'a> {
    src: Src<'a>,
    bytes: &'a [u8],
    pos: usize,
    state: St,
    done: bool,
    cdata_allowed: bool,
    /// The last start tag's name, for "appropriate end tag"; `None` before any.
    last_start_tag: Option<Text<'a>>,
    /// Tokens emitted and not yet returned: one step emits at most pending characters
    /// (`ready`) and then a tag, comment or DOCTYPE (`after`); EOF is `done`.
    ready: Option<Token<'a>>,
    after: Option<Token<'a>>,
    /// Pending character tokens, coalesced.
    chars: Buf,
    /// An attribute value that is not the input's own bytes, while it is built.
    attr_value: Buf,
    /// A `Vec` handed back by `recycle`, for the next tag with attributes.
    spare_attrs: Vec<Attribute<'a>>,
    /// Where the last tag lexed starts (its `<`): with `pos`, the source of the tag just
    /// emitted, or of one the end of the input cut off (`cut_tag`).
    tag_from: usize,
    /// The input ended inside a tag (which the standard drops).
    tag_cut: bool,
    // The comment or DOCTYPE being built.
    comment: Buf,
    doctype_name: Option<Text<'a>>,
    public_id: Option<Buf>,
    system_id: Option<Buf>,
    force_quirks: bool,
    doctype_system: bool,
    doctype_quote: u8,
}

impl<'a> Tokenizer<'a> {
    pub fn new(input: &'a str) -> Self {
        Tokenizer {
            src: Src {
                text: input,
                has_cr: memchr::memchr(b'\r', input.as_bytes()).is_some(),
            },
            bytes: input.as_bytes(),
            pos: 0,
            state: St::Data,
            done: false,
            cdata_allowed: false,
            last_start_tag: None,
            ready: None,
            after: None,
            chars: Buf::default(),
            attr_value: Buf::default(),
            spare_attrs: Vec::new(),
            tag_from: 0,
            tag_cut: false,
            comment: Buf::default(),
            doctype_name: None,
            public_id: None,
            system_id: None,
            force_quirks: false,
            doctype_system: false,
            doctype_quote: b'"',
        }
    }

    /// The next token; `Token::Eof` at the end of the input and on every call after.
    ///
    /// Inlined: the data state's run and the tag after it are most tokens, and here they
    /// come back without the state loop's frame; the rest is out of line. Always: with a
    /// second (escaping) parse loop, a plain hint left it out of line (1.2 instructions a
    /// byte more, callgrind).
    #[inline(always)]
    pub fn next_token(&mut self) -> Token<'a> {
        if self.ready.is_none() && self.after.is_none() && !self.done {
            let token = match self.state {
                St::Data => self.data(),
                St::TagOpen => self.tag_open(),
                _ => None,
            };
            if let Some(t) = token {
                return t;
            }
        }
        self.next_token_loop()
    }

    #[inline(never)]
    fn next_token_loop(&mut self) -> Token<'a> {
        loop {
            // `is_some` first: `take` copies the whole slot, empty or not.
            if self.ready.is_some() {
                return self.ready.take().expect("a ready token");
            }
            if self.after.is_some() {
                return self.after.take().expect("a token after");
            }
            if self.done {
                return Token::Eof;
            }
            // The data state and tags come back directly; the rest goes through `emit`.
            let token = match self.state {
                St::Data => self.data(),
                St::TagOpen => self.tag_open(),
                _ => {
                    self.step();
                    None
                }
            };
            if let Some(t) = token {
                return t;
            }
        }
    }

    pub fn set_state(&mut self, s: State) {
        self.state = match s {
            State::Data => St::Data,
            State::RcData => St::RcData,
            State::RawText => St::RawText,
            State::ScriptData => St::ScriptData,
            State::PlainText => St::PlainText,
            State::CdataSection => St::CdataSection,
        };
    }

    /// Whether the adjusted current node is outside the HTML namespace, so that
    /// `<![CDATA[` opens a CDATA section rather than a bogus comment.
    pub fn set_cdata_allowed(&mut self, yes: bool) {
        self.cdata_allowed = yes;
    }

    /// Overrides the last start tag's name (a fragment's context element, or a test's).
    pub fn set_last_start_tag(&mut self, name: Option<&str>) {
        self.last_start_tag = name.map(|n| Text::Owned(n.to_ascii_lowercase()));
    }

    /// The source text of the start or end tag just returned, from its `<` to its `>`
    /// as written (case, attributes, references, CR and NUL untouched).
    pub fn tag_source(&self) -> &'a str {
        &self.src.text[self.tag_from..self.pos]
    }

    /// Once `Token::Eof` is returned: the name and source text (from its `<` to the end)
    /// of a tag the end of the input cut off, which the standard drops unseen.
    pub fn cut_tag(&self) -> Option<(Name<'a>, &'a str)> {
        if !self.tag_cut {
            return None;
        }
        let start = self.tag_from
            + if self.bytes[self.tag_from + 1] == b'/' {
                2
            } else {
                1
            };
        let (name, _) = self.name_run(start, false);
        Some((name, &self.src.text[self.tag_from..]))
    }

    /// Hands back an emitted tag's attribute `Vec` so the next tag reuses its capacity.
    pub fn recycle(&mut self, mut attrs: Vec<Attribute<'a>>) {
        attrs.clear();
        if attrs.capacity() > self.spare_attrs.capacity() {
            self.spare_attrs = attrs;
        }
    }

    // ---- emitting ----

    fn emit(&mut self, t: Token<'a>) {
        self.flush_chars();
        debug_assert!(self.after.is_none(), "two tokens in one step");
        self.after = Some(t);
    }

    fn flush_chars(&mut self) {
        if !self.chars.is_empty() {
            let text = self.chars.take(self.src);
            self.ready = Some(Token::Characters(text));
        }
    }

    /// The end of the input: pending characters, then `Token::Eof` for good.
    fn emit_eof(&mut self) {
        self.flush_chars();
        self.done = true;
        self.pos = self.bytes.len();
    }

    fn push_text(&mut self, s: usize, e: usize) {
        self.chars.push_input(self.src, s, e);
    }

    fn push_text_str(&mut self, t: &str) {
        self.chars.push_str(self.src, t);
    }

    fn emit_comment(&mut self) {
        let text = self.comment.take(self.src);
        self.emit(Token::Comment(text));
    }

    fn begin_doctype(&mut self) {
        self.doctype_name = None;
        self.public_id = None;
        self.system_id = None;
        self.force_quirks = false;
    }

    fn emit_doctype(&mut self) {
        let src = self.src;
        let public_id = self.public_id.take().map(|mut b| b.take(src));
        let system_id = self.system_id.take().map(|mut b| b.take(src));
        let doctype = Doctype {
            name: self.doctype_name.take(),
            public_id,
            system_id,
            force_quirks: self.force_quirks,
        };
        self.emit(Token::Doctype(Box::new(doctype)));
    }

    // ---- reading ----

    fn cur(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// The byte length of the char starting at `at`.
    fn char_len(&self, at: usize) -> usize {
        match self.bytes.get(at) {
            Some(&b) if b < 0x80 => 1,
            Some(&b) if b < 0xE0 => 2,
            Some(&b) if b < 0xF0 => 3,
            Some(_) => 4,
            None => 0,
        }
    }

    /// Skips whitespace; the byte after it.
    fn skip_ws(&mut self) -> Option<u8> {
        while let Some(b) = self.cur() {
            if !is_ws(b) {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// The end of the run from `from` up to (not including) the first byte `stop` accepts.
    fn run_until(&self, from: usize, stop: impl Fn(u8) -> bool) -> usize {
        self.bytes[from.min(self.bytes.len())..]
            .iter()
            .position(|&b| stop(b))
            .map_or(self.bytes.len(), |i| from + i)
    }

    /// The tag or attribute name starting at `start`: up to whitespace, `/`, `>` (and `=`
    /// after the first byte when `attr`), ASCII-lowercased, NUL as U+FFFD, borrowed when
    /// it already is. Returns it and its end. Inlined: `attr` is a constant at each call.
    #[inline(always)]
    fn name_run(&self, start: usize, attr: bool) -> (Name<'a>, usize) {
        let stop = if attr {
            WS | SLASH_GT | EQ
        } else {
            WS | SLASH_GT
        };
        let mut seen = CLASS[usize::from(self.bytes[start])];
        let mut end = start + 1;
        while let Some(&b) = self.bytes.get(end) {
            let class = CLASS[usize::from(b)];
            if class & stop != 0 {
                break;
            }
            seen |= class;
            end += 1;
        }
        let raw = &self.src.text[start..end];
        if seen & UPPER_OR_NUL != 0 {
            return (changed_name(raw), end);
        }
        let len = end - start;
        let atom = if len <= 8 {
            atoms::lookup_word(self.word_at(start, len), len)
        } else {
            atoms::lookup(raw)
        };
        (
            Name {
                atom,
                text: Text::Borrowed(raw),
            },
            end,
        )
    }

    /// The `len` (one to eight) bytes at `start` as a little-endian integer, zero above:
    /// one load when eight bytes are there.
    fn word_at(&self, start: usize, len: usize) -> u64 {
        if let Some(eight) = self.bytes.get(start..start + 8) {
            let word = u64::from_le_bytes(eight.try_into().expect("eight bytes"));
            return if len == 8 {
                word
            } else {
                word & ((1 << (8 * len)) - 1)
            };
        }
        self.bytes[start..start + len]
            .iter()
            .rev()
            .fold(0, |w, &b| (w << 8) | u64::from(b))
    }

    /// With `start` just after `</`: the end of an ASCII-alpha run there that is an
    /// appropriate end tag (followed by whitespace, `/` or `>`).
    fn appropriate_end_tag(&self, start: usize) -> Option<usize> {
        let last = self.last_start_tag.as_deref()?;
        let end = self.run_until(start, |b| !b.is_ascii_alphabetic());
        let after = self.bytes.get(end).copied()?;
        let run = &self.bytes[start..end];
        (end > start
            && (is_ws(after) || after == b'/' || after == b'>')
            && run.eq_ignore_ascii_case(last.as_bytes()))
        .then_some(end)
    }
}

// Byte classes for scanning names: one table load per byte.
const WS: u8 = 1;
const SLASH_GT: u8 = 2;
const EQ: u8 = 4;
const UPPER_OR_NUL: u8 = 8;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'\t' as usize] = WS;
    t[b'\n' as usize] = WS;
    t[0x0c] = WS;
    t[b'\r' as usize] = WS;
    t[b' ' as usize] = WS;
    t[b'/' as usize] = SLASH_GT;
    t[b'>' as usize] = SLASH_GT;
    t[b'=' as usize] = EQ;
    t[0] = UPPER_OR_NUL;
    let mut c = b'A';
    while c <= b'Z' {
        t[c as usize] = UPPER_OR_NUL;
        c += 1;
    }
    t
};

fn is_ws(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// A name with an uppercase letter or NUL, lowercased and with U+FFFD for NUL.
#[cold]
fn changed_name(raw: &str) -> Name<'static> {
    let text = raw.to_ascii_lowercase().replace('\0', "\u{FFFD}");
    Name {
        atom: atoms::lookup(&text),
        text: Text::Owned(text),
    }
}

fn lowercase(raw: &str) -> Text<'_> {
    if raw.bytes().any(|b| b.is_ascii_uppercase() || b == 0) {
        Text::Owned(raw.to_ascii_lowercase().replace('\0', "\u{FFFD}"))
    } else {
        Text::Borrowed(raw)
    }
}

fn same_name(a: &Name<'_>, b: &Name<'_>) -> bool {
    a.atom == b.atom && (a.atom.is_known() || a.text == b.text)
}

/// Drops later duplicates (the first value wins), keeping order, in linear time.
fn dedup_attrs(attrs: &mut Vec<Attribute<'_>>) {
    if attrs.len() <= DEDUP_LINEAR_MAX {
        let mut kept = 0;
        for i in 0..attrs.len() {
            if !attrs[..kept]
                .iter()
                .any(|a| same_name(&a.name, &attrs[i].name))
            {
                attrs.swap(kept, i);
                kept += 1;
            }
        }
        attrs.truncate(kept);
        return;
    }
    let keep: Vec<bool> = {
        let mut seen = HashSet::with_capacity(attrs.len());
        attrs.iter().map(|a| seen.insert(&*a.name.text)).collect()
    };
    let mut keep = keep.into_iter();
    attrs.retain(|_| keep.next().unwrap_or(true));
}
