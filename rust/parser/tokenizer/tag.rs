//! Tag open, end tag open, and a whole start or end tag lexed in one pass.
//!
//! The standard's tag states (tag name to self-closing start tag) only ever move forward
//! through the tag, and nothing outside the tokenizer can act between them, so `lex_tag`
//! runs them as one loop with the tag being built in locals: no state dispatch per
//! attribute, and a value that is the input's own bytes is found with one `memchr3`.

use std::mem;

use memchr::memchr3;

use super::charref;
use super::{dedup_attrs, is_ws, Name, St, Tag, Text, Token, Tokenizer, REPLACEMENT};
use crate::parser::token::Attribute;

impl<'a> Tokenizer<'a> {
    /// The tag open state (`pos` just after a `<` in the data state). A tag comes back
    /// when it is whole; anything else goes through the states (and `emit`).
    pub(super) fn tag_open(&mut self) -> Option<Token<'a>> {
        match self.cur() {
            Some(b) if b.is_ascii_alphabetic() => return self.lex_tag(self.pos, false),
            Some(b'/') => return self.end_tag_open(),
            Some(b'!') => {
                self.pos += 1;
                self.state = St::MarkupDeclarationOpen;
            }
            Some(b'?') => {
                self.comment.clear();
                self.state = St::BogusComment;
            }
            None => {
                self.push_text(self.pos - 1, self.pos);
                self.emit_eof();
            }
            Some(_) => {
                self.push_text(self.pos - 1, self.pos);
                self.state = St::Data;
            }
        }
        None
    }

    /// The end tag open state, with `pos` at the `/`.
    fn end_tag_open(&mut self) -> Option<Token<'a>> {
        self.pos += 1;
        match self.cur() {
            Some(b) if b.is_ascii_alphabetic() => return self.lex_tag(self.pos, true),
            Some(b'>') => {
                self.pos += 1;
                self.state = St::Data;
            }
            None => {
                self.push_text(self.pos - 2, self.pos);
                self.emit_eof();
            }
            Some(_) => {
                self.comment.clear();
                self.state = St::BogusComment;
            }
        }
        None
    }

    /// An appropriate end tag in a text state, its name starting at `start`.
    pub(super) fn end_tag(&mut self, start: usize) {
        if let Some(t) = self.lex_tag(start, true) {
            self.emit(t);
        }
    }

    /// Whether a `<` at `at` surely starts a token (or the end of the input) in the data
    /// state, so that pending characters can be handed over before it is lexed.
    #[inline]
    pub(super) fn lt_starts_token(&self, at: usize) -> bool {
        match self.bytes.get(at + 1) {
            Some(b) if b.is_ascii_alphabetic() => true,
            Some(b'!' | b'?') => true,
            Some(b'/') => self.bytes.get(at + 2).is_some_and(|&b| b != b'>'),
            _ => false,
        }
    }

    /// The tag whose name starts at `start` (an ASCII letter), from the tag name state to
    /// its `>`; `pos` ends after it and the state is data. `None` at the end of the input
    /// inside the tag: the tag is dropped and the end is emitted. End tags keep no
    /// attributes (the tree builder ignores them), but are lexed the same way so that a
    /// `>` inside a quoted value does not end them.
    #[inline(always)]
    pub(super) fn lex_tag(&mut self, start: usize, is_end: bool) -> Option<Token<'a>> {
        // After `<` or `</`.
        self.tag_from = start - 1 - usize::from(is_end);
        let (name, i) = self.name_run(start, false);
        if self.bytes.get(i) == Some(&b'>') {
            // Most tags: a name and `>`, without the attribute loop's setup.
            self.pos = i + 1;
            self.state = St::Data;
            return Some(self.tag_token(name, Vec::new(), false, is_end));
        }
        self.lex_attributes(name, i, is_end)
    }

    /// `lex_tag` from the end of the tag's name (at `i`) on.
    #[inline(never)]
    fn lex_attributes(&mut self, name: Name<'a>, mut i: usize, is_end: bool) -> Option<Token<'a>> {
        let bytes = self.bytes;
        let mut attrs = Vec::new();
        let mut self_closing = false;
        loop {
            // The before attribute name state (and after attribute value (quoted), which
            // differs from it only in parse errors).
            let Some(&b) = bytes.get(i) else {
                return self.tag_at_eof(attrs);
            };
            match b {
                b'>' => {
                    i += 1;
                    break;
                }
                b'/' => {
                    // The self-closing start tag state: anything but `>` is reconsumed
                    // as the start of an attribute name.
                    i += 1;
                    if bytes.get(i) == Some(&b'>') {
                        self_closing = true;
                        i += 1;
                        break;
                    }
                    continue;
                }
                _ if is_ws(b) => {
                    i += 1;
                    continue;
                }
                _ => {}
            }
            // The first character is part of the name even when it is `=`.
            let (attr_name, end) = self.name_run(i, true);
            i = skip_ws(bytes, end);
            let value = if bytes.get(i) == Some(&b'=') {
                i = skip_ws(bytes, i + 1);
                match bytes.get(i) {
                    None => return self.tag_at_eof(attrs),
                    Some(&q @ (b'"' | b'\'')) => match self.quoted_value(i + 1, q) {
                        Some((value, end)) => {
                            i = end;
                            value
                        }
                        None => return self.tag_at_eof(attrs),
                    },
                    // `>` ends the tag with this attribute's value empty.
                    Some(b'>') => Text::Borrowed(""),
                    Some(_) => match self.unquoted_value(i) {
                        Some((value, end)) => {
                            i = end;
                            value
                        }
                        None => return self.tag_at_eof(attrs),
                    },
                }
            } else {
                Text::Borrowed("")
            };
            if !is_end {
                if attrs.capacity() == 0 {
                    attrs = mem::take(&mut self.spare_attrs);
                }
                attrs.push(Attribute {
                    name: attr_name,
                    value,
                });
            }
        }
        self.pos = i;
        self.state = St::Data;
        Some(self.tag_token(name, attrs, self_closing, is_end))
    }

    #[inline(always)]
    fn tag_token(
        &mut self,
        name: Name<'a>,
        mut attrs: Vec<Attribute<'a>>,
        self_closing: bool,
        is_end: bool,
    ) -> Token<'a> {
        if is_end {
            return Token::EndTag(Tag {
                name,
                attrs,
                self_closing,
            });
        }
        if attrs.len() > 1 {
            dedup_attrs(&mut attrs);
        }
        // A borrowed name is a pointer copy; an owned one (uppercase in the input) is rare.
        self.last_start_tag = Some(name.text.clone());
        Token::StartTag(Tag {
            name,
            attrs,
            self_closing,
        })
    }

    fn tag_at_eof(&mut self, attrs: Vec<Attribute<'a>>) -> Option<Token<'a>> {
        self.tag_cut = true;
        self.recycle(attrs);
        self.attr_value.clear();
        self.emit_eof();
        None
    }

    /// The attribute value (double- or single-quoted) state from `start`, just after the
    /// opening quote: the value and the position after the closing quote, `None` if the
    /// input ends first. Borrowed unless a reference, NUL or CR changes it.
    fn quoted_value(&mut self, start: usize, quote: u8) -> Option<(Text<'a>, usize)> {
        let mut at = start + memchr3(quote, b'&', 0, &self.bytes[start..])?;
        if self.bytes[at] == quote && !self.src.has_cr {
            return Some((Text::Borrowed(&self.src.text[start..at]), at + 1));
        }
        let mut from = start;
        loop {
            self.attr_value.push_input(self.src, from, at);
            from = self.value_special(at);
            if from == at + 1 && self.bytes[at] == quote {
                return Some((self.attr_value.take(self.src), from));
            }
            at = from + memchr3(quote, b'&', 0, &self.bytes[from..])?;
        }
    }

    /// The attribute value (unquoted) state from `start`: the value and the position of
    /// the whitespace or `>` after it, `None` if the input ends first.
    fn unquoted_value(&mut self, start: usize) -> Option<(Text<'a>, usize)> {
        let mut from = start;
        loop {
            let at = from
                + self.bytes[from..]
                    .iter()
                    .position(|&b| is_ws(b) || b == b'&' || b == b'>' || b == 0)?;
            self.attr_value.push_input(self.src, from, at);
            match self.bytes[at] {
                b'&' | 0 => from = self.value_special(at),
                _ => return Some((self.attr_value.take(self.src), at)),
            }
        }
    }

    /// At an `&`, NUL or quote in an attribute value: appends what it stands for and
    /// returns the position after it.
    fn value_special(&mut self, at: usize) -> usize {
        match self.bytes[at] {
            b'&' => {
                let (end, decoded) = charref::consume(self.bytes, at, true);
                self.push_ref(at, end, decoded, true);
                end
            }
            0 => {
                self.attr_value.push_str(self.src, REPLACEMENT);
                at + 1
            }
            _ => at + 1,
        }
    }
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(|&b| is_ws(b)) {
        i += 1;
    }
    i
}
