//! One step of the state machine, dispatched on the state, and the text states (data,
//! RCDATA, RAWTEXT, script data, PLAINTEXT, CDATA section). Each step consumes what its
//! state consumes (a whole run where the standard's state would loop on it) and sets the
//! next state; the other states are in `tag`, `comment`, `doctype` and `script`.

use memchr::{memchr, memchr3, memmem};

use super::charref::{self, Decoded};
use super::{Buf, St, Tokenizer, REPLACEMENT};

impl<'a> Tokenizer<'a> {
    pub(super) fn step(&mut self) {
        match self.state {
            St::Data => self.text_state(b'&', b'&'),
            St::RcData => self.text_state(b'&', 0),
            St::RawText | St::ScriptData => self.text_state(b'<', 0),
            St::PlainText => self.plaintext(),
            St::CdataSection => self.cdata_section(),
            St::TagOpen => self.tag_open(),
            St::EndTagOpen => self.end_tag_open(),
            St::TagName => self.tag_name(),
            St::BeforeAttrName => self.before_attr_name(),
            St::AfterAttrName => self.after_attr_name(),
            St::BeforeAttrValue => self.before_attr_value(),
            St::AttrValueQuoted(q) => self.attr_value_quoted(q),
            St::AttrValueUnquoted => self.attr_value_unquoted(),
            St::AfterAttrValueQuoted => self.after_attr_value_quoted(),
            St::SelfClosingStartTag => self.self_closing_start_tag(),
            St::BogusComment => self.bogus_comment(),
            St::MarkupDeclarationOpen => self.markup_declaration_open(),
            St::CommentStart
            | St::CommentStartDash
            | St::Comment
            | St::CommentLt
            | St::CommentLtBang
            | St::CommentLtBangDash
            | St::CommentLtBangDashDash
            | St::CommentEndDash
            | St::CommentEnd
            | St::CommentEndBang => self.comment_step(),
            St::Doctype
            | St::BeforeDoctypeName
            | St::AfterDoctypeName
            | St::AfterDoctypeKeyword { .. }
            | St::DoctypeId { .. }
            | St::AfterDoctypePublicId
            | St::AfterDoctypeSystemId
            | St::BogusDoctype => self.doctype_step(),
            _ => self.script_step(),
        }
    }

    // ---- text states ----

    /// Data (`amp = b'&'`, `nul = b'&'`: NUL passes through), RCDATA (`nul = 0`), RAWTEXT
    /// and script data (`amp = b'<'`: no references). The run up to the next `<`, `&` or
    /// NUL is one span.
    fn text_state(&mut self, amp: u8, nul: u8) {
        let start = self.pos;
        let Some(i) = memchr3(b'<', amp, nul, &self.bytes[start..]) else {
            self.push_text(start, self.bytes.len());
            return self.emit_eof();
        };
        let at = start + i;
        self.push_text(start, at);
        self.pos = at;
        match self.bytes[at] {
            b'<' => self.text_less_than(),
            b'&' => {
                let (end, decoded) = charref::consume(self.bytes, at, false);
                self.push_ref(at, end, decoded, false);
                self.pos = end;
            }
            _ => {
                self.push_text_str(REPLACEMENT);
                self.pos = at + 1;
            }
        }
    }

    /// At a `<` in a text state.
    fn text_less_than(&mut self) {
        let at = self.pos;
        match self.state {
            St::Data => {
                self.pos = at + 1;
                self.state = St::TagOpen;
                return;
            }
            St::ScriptData if self.bytes.get(at + 1) == Some(&b'!') => {
                self.push_text(at, at + 2);
                self.pos = at + 2;
                self.state = St::ScriptEscapeStart;
                return;
            }
            _ => {}
        }
        if self.bytes.get(at + 1) == Some(&b'/') && self.appropriate_end_tag(at + 2).is_some() {
            self.begin_tag(true);
            self.pos = at + 2;
            self.state = St::TagName;
        } else {
            self.push_text(at, at + 1);
            self.pos = at + 1;
        }
    }

    /// Appends a character reference's text to the text or the attribute value.
    pub(super) fn push_ref(
        &mut self,
        at: usize,
        end: usize,
        decoded: Option<Decoded>,
        in_attr: bool,
    ) {
        let src = self.src;
        let buf: &mut Buf = if in_attr {
            &mut self.attr_value
        } else {
            &mut self.chars
        };
        match decoded {
            None => buf.push_input(src, at, end),
            Some(Decoded::Str(s)) => buf.push_str(src, s),
            Some(Decoded::Char(c)) => buf.push_char(src, c),
        }
    }

    fn plaintext(&mut self) {
        let start = self.pos;
        match memchr(0, &self.bytes[start..]) {
            None => {
                self.push_text(start, self.bytes.len());
                self.emit_eof();
            }
            Some(i) => {
                self.push_text(start, start + i);
                self.push_text_str(REPLACEMENT);
                self.pos = start + i + 1;
            }
        }
    }

    fn cdata_section(&mut self) {
        let start = self.pos;
        match memmem::find(&self.bytes[start..], b"]]>") {
            None => {
                self.push_text(start, self.bytes.len());
                self.emit_eof();
            }
            Some(i) => {
                self.push_text(start, start + i);
                self.pos = start + i + 3;
                self.state = St::Data;
            }
        }
    }
}
