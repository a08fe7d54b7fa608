//! The tag states: tag open to self-closing start tag, attribute names and values.

use memchr::memchr3;

use super::charref;
use super::{is_ws, St, Tokenizer, REPLACEMENT};

impl<'a> Tokenizer<'a> {
    pub(super) fn tag_open(&mut self) {
        match self.cur() {
            Some(b'!') => {
                self.pos += 1;
                self.state = St::MarkupDeclarationOpen;
            }
            Some(b'/') => {
                self.pos += 1;
                self.state = St::EndTagOpen;
            }
            Some(b) if b.is_ascii_alphabetic() => {
                self.begin_tag(false);
                self.state = St::TagName;
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
    }

    pub(super) fn end_tag_open(&mut self) {
        match self.cur() {
            Some(b) if b.is_ascii_alphabetic() => {
                self.begin_tag(true);
                self.state = St::TagName;
            }
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
    }

    pub(super) fn tag_name(&mut self) {
        let (name, end) = self.name_run(self.pos, false);
        if end == self.bytes.len() {
            return self.emit_eof();
        }
        self.tag_name = Some(name);
        self.pos = end + 1;
        self.state = match self.bytes[end] {
            b'/' => St::SelfClosingStartTag,
            b'>' => return self.emit_tag(),
            _ => St::BeforeAttrName,
        };
    }

    pub(super) fn before_attr_name(&mut self) {
        match self.skip_ws() {
            None | Some(b'/' | b'>') => self.state = St::AfterAttrName,
            Some(_) => {
                // The first character is part of the name even when it is `=`.
                let (name, end) = self.name_run(self.pos, true);
                self.start_attr(name);
                self.pos = end;
                if self.cur() == Some(b'=') {
                    self.pos += 1;
                    self.state = St::BeforeAttrValue;
                } else {
                    self.state = St::AfterAttrName;
                }
            }
        }
    }

    pub(super) fn after_attr_name(&mut self) {
        match self.skip_ws() {
            None => self.emit_eof(),
            Some(b'/') => {
                self.pos += 1;
                self.state = St::SelfClosingStartTag;
            }
            Some(b'=') => {
                self.pos += 1;
                self.state = St::BeforeAttrValue;
            }
            Some(b'>') => {
                self.pos += 1;
                self.emit_tag();
            }
            Some(_) => self.state = St::BeforeAttrName,
        }
    }

    pub(super) fn before_attr_value(&mut self) {
        match self.skip_ws() {
            Some(q @ (b'"' | b'\'')) => {
                self.pos += 1;
                self.state = St::AttrValueQuoted(q);
            }
            Some(b'>') => {
                self.pos += 1;
                self.emit_tag();
            }
            _ => self.state = St::AttrValueUnquoted,
        }
    }

    pub(super) fn attr_value_quoted(&mut self, quote: u8) {
        let start = self.pos;
        let Some(i) = memchr3(quote, b'&', 0, &self.bytes[start..]) else {
            return self.emit_eof();
        };
        let at = start + i;
        self.attr_value.push_input(self.src, start, at);
        self.attr_value_special(at, quote);
    }

    /// At a quote, `&` or NUL in an attribute value.
    fn attr_value_special(&mut self, at: usize, quote: u8) {
        match self.bytes[at] {
            b'&' => {
                let (end, decoded) = charref::consume(self.bytes, at, true);
                self.push_ref(at, end, decoded, true);
                self.pos = end;
            }
            0 => {
                self.attr_value.push_str(self.src, REPLACEMENT);
                self.pos = at + 1;
            }
            b if b == quote => {
                self.pos = at + 1;
                self.state = St::AfterAttrValueQuoted;
            }
            _ => {}
        }
    }

    pub(super) fn attr_value_unquoted(&mut self) {
        let start = self.pos;
        let end = self.run_until(start, |b| is_ws(b) || b == b'&' || b == b'>' || b == 0);
        self.attr_value.push_input(self.src, start, end);
        self.pos = end;
        match self.bytes.get(end) {
            None => self.emit_eof(),
            Some(b'>') => {
                self.pos += 1;
                self.emit_tag();
            }
            Some(&b) if is_ws(b) => {
                self.pos += 1;
                self.state = St::BeforeAttrName;
            }
            Some(_) => self.attr_value_special(end, b'>'),
        }
    }

    pub(super) fn after_attr_value_quoted(&mut self) {
        match self.cur() {
            None => self.emit_eof(),
            Some(b) if is_ws(b) => {
                self.pos += 1;
                self.state = St::BeforeAttrName;
            }
            Some(b'/') => {
                self.pos += 1;
                self.state = St::SelfClosingStartTag;
            }
            Some(b'>') => {
                self.pos += 1;
                self.emit_tag();
            }
            Some(_) => self.state = St::BeforeAttrName,
        }
    }

    pub(super) fn self_closing_start_tag(&mut self) {
        match self.cur() {
            None => self.emit_eof(),
            Some(b'>') => {
                self.pos += 1;
                self.self_closing = true;
                self.emit_tag();
            }
            Some(_) => self.state = St::BeforeAttrName,
        }
    }
}
