//! One step of the state machine: each arm consumes what its state consumes (a whole run
//! where the standard's state would loop on it) and sets the next state.

use memchr::{memchr, memchr2, memchr3, memmem};

use super::charref::{self, Decoded};
use super::{is_ws, lowercase, Buf, St, Tokenizer};

const REPLACEMENT: &str = "\u{FFFD}";

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
    fn push_ref(&mut self, at: usize, end: usize, decoded: Option<Decoded>, in_attr: bool) {
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

    // ---- tags ----

    fn tag_open(&mut self) {
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

    fn end_tag_open(&mut self) {
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

    fn tag_name(&mut self) {
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

    fn before_attr_name(&mut self) {
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

    fn after_attr_name(&mut self) {
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

    fn before_attr_value(&mut self) {
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

    fn attr_value_quoted(&mut self, quote: u8) {
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

    fn attr_value_unquoted(&mut self) {
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

    fn after_attr_value_quoted(&mut self) {
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

    fn self_closing_start_tag(&mut self) {
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

    // ---- comments ----

    fn bogus_comment(&mut self) {
        let start = self.pos;
        match memchr2(b'>', 0, &self.bytes[start..]) {
            None => {
                self.comment.push_input(self.src, start, self.bytes.len());
                self.emit_comment();
                self.emit_eof();
            }
            Some(i) => {
                let at = start + i;
                self.comment.push_input(self.src, start, at);
                self.pos = at + 1;
                if self.bytes[at] == 0 {
                    self.comment.push_str(self.src, REPLACEMENT);
                } else {
                    self.emit_comment();
                    self.state = St::Data;
                }
            }
        }
    }

    fn markup_declaration_open(&mut self) {
        let rest = &self.bytes[self.pos..];
        self.comment.clear();
        if rest.starts_with(b"--") {
            self.pos += 2;
            self.state = St::CommentStart;
        } else if rest.len() >= 7 && rest[..7].eq_ignore_ascii_case(b"doctype") {
            self.pos += 7;
            self.state = St::Doctype;
        } else if rest.starts_with(b"[CDATA[") {
            if !self.chars.is_empty() {
                // Whether this is a CDATA section depends on the tree builder's current
                // node, which the pending characters can still change (in an integration
                // point they may reconstruct an HTML formatting element): hand them over
                // first and decide on the next step.
                return self.flush_chars();
            }
            self.pos += 7;
            if self.cdata_allowed {
                self.state = St::CdataSection;
            } else {
                self.comment.push_input(self.src, self.pos - 7, self.pos);
                self.state = St::BogusComment;
            }
        } else {
            self.state = St::BogusComment;
        }
    }

    /// The comment states. The dashes (and `!`) the standard holds back are the bytes just
    /// before `pos`, so appending them appends input and the comment stays a span.
    fn comment_step(&mut self) {
        let src = self.src;
        let pos = self.pos;
        let cur = self.cur();
        if cur.is_none() && self.state != St::Comment {
            // Every comment state emits the comment and EOF at the end of the input,
            // with the held-back `-`/`--` dropped.
            self.emit_comment();
            return self.emit_eof();
        }
        match (self.state, cur) {
            (St::CommentStart, Some(b'-')) => self.go(St::CommentStartDash, 1),
            (St::CommentStart | St::CommentStartDash, Some(b'>')) => {
                self.pos += 1;
                self.emit_comment();
                self.state = St::Data;
            }
            (St::CommentStart, _) => self.go(St::Comment, 0),
            (St::CommentStartDash | St::CommentEndDash, Some(b'-')) => self.go(St::CommentEnd, 1),
            (St::CommentStartDash | St::CommentEndDash, _) => {
                self.comment.push_input(src, pos - 1, pos);
                self.state = St::Comment;
            }
            (St::Comment, _) => self.comment_run(),
            (St::CommentLt, Some(b'!')) => {
                self.comment.push_input(src, pos, pos + 1);
                self.go(St::CommentLtBang, 1);
            }
            (St::CommentLt, Some(b'<')) => {
                self.comment.push_input(src, pos, pos + 1);
                self.go(St::CommentLt, 1);
            }
            (St::CommentLtBang, Some(b'-')) => self.go(St::CommentLtBangDash, 1),
            (St::CommentLtBangDash, Some(b'-')) => self.go(St::CommentLtBangDashDash, 1),
            (St::CommentLtBangDash, _) => self.go(St::CommentEndDash, 0),
            (St::CommentLtBangDashDash, _) => self.go(St::CommentEnd, 0),
            (St::CommentLt | St::CommentLtBang, _) => self.go(St::Comment, 0),
            (St::CommentEnd | St::CommentEndBang, Some(b'>')) => {
                self.pos += 1;
                self.emit_comment();
                self.state = St::Data;
            }
            (St::CommentEnd, Some(b'!')) => self.go(St::CommentEndBang, 1),
            (St::CommentEnd, Some(b'-')) => {
                self.comment.push_input(src, pos - 2, pos - 1);
                self.go(St::CommentEnd, 1);
            }
            (St::CommentEnd, _) => {
                self.comment.push_input(src, pos - 2, pos);
                self.state = St::Comment;
            }
            (St::CommentEndBang, Some(b'-')) => {
                self.comment.push_input(src, pos - 3, pos);
                self.go(St::CommentEndDash, 1);
            }
            (_, _) => {
                // Comment end bang, anything else.
                self.comment.push_input(src, pos - 3, pos);
                self.state = St::Comment;
            }
        }
    }

    fn go(&mut self, state: St, advance: usize) {
        self.pos += advance;
        self.state = state;
    }

    /// The comment state: the run up to the next `<`, `-` or NUL.
    fn comment_run(&mut self) {
        let start = self.pos;
        let Some(i) = memchr3(b'<', b'-', 0, &self.bytes[start..]) else {
            self.comment.push_input(self.src, start, self.bytes.len());
            self.emit_comment();
            return self.emit_eof();
        };
        let at = start + i;
        self.comment.push_input(self.src, start, at);
        self.pos = at + 1;
        match self.bytes[at] {
            b'<' => {
                self.comment.push_input(self.src, at, at + 1);
                self.state = St::CommentLt;
            }
            b'-' => self.state = St::CommentEndDash,
            _ => self.comment.push_str(self.src, REPLACEMENT),
        }
    }

    // ---- DOCTYPE ----

    fn doctype_step(&mut self) {
        let state = self.state;
        let cur = match state {
            St::DoctypeId { .. } | St::BogusDoctype => self.cur(),
            St::Doctype => {
                self.begin_doctype();
                self.cur()
            }
            _ => self.skip_ws(),
        };
        let Some(b) = cur else {
            if state != St::BogusDoctype {
                self.force_quirks = true;
            }
            self.emit_doctype();
            return self.emit_eof();
        };
        match state {
            St::Doctype => self.state = St::BeforeDoctypeName,
            St::BeforeDoctypeName => self.doctype_name(b),
            St::AfterDoctypeName => self.after_doctype_name(b),
            // The whitespace was skipped: "after the keyword" and "before the identifier"
            // now differ only in parse errors.
            St::AfterDoctypeKeyword { system } => match b {
                b'"' | b'\'' => self.open_doctype_id(system, b),
                b'>' => self.doctype_quirks_end(),
                _ => self.bogus_doctype(true),
            },
            St::DoctypeId { system, quote } => self.doctype_id(system, quote),
            // Likewise "after the public identifier" and "between the identifiers".
            St::AfterDoctypePublicId => match b {
                b'>' => self.doctype_end(),
                b'"' | b'\'' => self.open_doctype_id(true, b),
                _ => self.bogus_doctype(true),
            },
            St::AfterDoctypeSystemId => match b {
                b'>' => self.doctype_end(),
                _ => self.bogus_doctype(false),
            },
            _ => match memchr(b'>', &self.bytes[self.pos..]) {
                // Bogus DOCTYPE: everything up to `>` is dropped.
                Some(i) => {
                    self.pos += i;
                    self.doctype_end();
                }
                None => {
                    self.emit_doctype();
                    self.emit_eof();
                }
            },
        }
    }

    fn doctype_name(&mut self, b: u8) {
        if b == b'>' {
            return self.doctype_quirks_end();
        }
        let start = self.pos;
        let end = self.run_until(start, |b| is_ws(b) || b == b'>');
        self.doctype_name = Some(lowercase(&self.src.text[start..end]));
        self.pos = end;
        match self.bytes.get(end) {
            None => {
                self.force_quirks = true;
                self.emit_doctype();
                self.emit_eof();
            }
            Some(b'>') => self.doctype_end(),
            Some(_) => self.state = St::AfterDoctypeName,
        }
    }

    fn after_doctype_name(&mut self, b: u8) {
        if b == b'>' {
            return self.doctype_end();
        }
        let rest = &self.bytes[self.pos..];
        let keyword = |k: &[u8]| rest.len() >= 6 && rest[..6].eq_ignore_ascii_case(k);
        if keyword(b"public") {
            self.pos += 6;
            self.state = St::AfterDoctypeKeyword { system: false };
        } else if keyword(b"system") {
            self.pos += 6;
            self.state = St::AfterDoctypeKeyword { system: true };
        } else {
            self.bogus_doctype(true);
        }
    }

    fn open_doctype_id(&mut self, system: bool, quote: u8) {
        let slot = if system {
            &mut self.system_id
        } else {
            &mut self.public_id
        };
        *slot = Some(Buf::default());
        self.pos += 1;
        self.state = St::DoctypeId { system, quote };
    }

    fn doctype_id(&mut self, system: bool, quote: u8) {
        let src = self.src;
        let start = self.pos;
        let found = memchr3(quote, b'>', 0, &self.bytes[start..]);
        let at = found.map_or(self.bytes.len(), |i| start + i);
        let slot = if system {
            &mut self.system_id
        } else {
            &mut self.public_id
        };
        let buf = slot.get_or_insert_with(Buf::default);
        buf.push_input(src, start, at);
        match self.bytes.get(at) {
            None => {
                self.force_quirks = true;
                self.emit_doctype();
                self.emit_eof();
            }
            Some(0) => {
                buf.push_str(src, REPLACEMENT);
                self.pos = at + 1;
            }
            Some(b'>') => {
                self.pos = at;
                self.doctype_quirks_end();
            }
            Some(_) => {
                self.pos = at + 1;
                self.state = if system {
                    St::AfterDoctypeSystemId
                } else {
                    St::AfterDoctypePublicId
                };
            }
        }
    }

    /// At `>`: emit the DOCTYPE.
    fn doctype_end(&mut self) {
        self.pos += 1;
        self.emit_doctype();
        self.state = St::Data;
    }

    fn doctype_quirks_end(&mut self) {
        self.force_quirks = true;
        self.doctype_end();
    }

    fn bogus_doctype(&mut self, quirks: bool) {
        self.force_quirks |= quirks;
        self.state = St::BogusDoctype;
    }

    // ---- script data escapes ----

    fn script_step(&mut self) {
        let pos = self.pos;
        let Some(b) = self.cur() else {
            if self.state == St::ScriptEscapedLt {
                // The only one of these states holding back a character.
                self.push_text(pos - 1, pos);
            }
            return self.emit_eof();
        };
        let escaped = matches!(
            self.state,
            St::ScriptEscaped | St::ScriptEscapedDash | St::ScriptEscapedDashDash
        );
        match (self.state, b) {
            (St::ScriptEscapeStart, b'-') => self.script_emit(St::ScriptEscapeStartDash),
            (St::ScriptEscapeStartDash, b'-') => self.script_emit(St::ScriptEscapedDashDash),
            (St::ScriptEscapeStart | St::ScriptEscapeStartDash, _) => {
                self.state = St::ScriptData;
            }
            (St::ScriptEscaped, _) => self.script_run(St::ScriptEscapedDash, false),
            (St::ScriptDoubleEscaped, _) => self.script_run(St::ScriptDoubleEscapedDash, true),
            (St::ScriptEscapedDash, b'-') => self.script_emit(St::ScriptEscapedDashDash),
            (St::ScriptDoubleEscapedDash, b'-') => {
                self.script_emit(St::ScriptDoubleEscapedDashDash);
            }
            (St::ScriptEscapedDashDash | St::ScriptDoubleEscapedDashDash, b'-') => {
                self.script_emit(self.state);
            }
            (St::ScriptEscapedDashDash | St::ScriptDoubleEscapedDashDash, b'>') => {
                self.script_emit(St::ScriptData);
            }
            (_, b'<') if escaped => {
                self.pos += 1;
                self.state = St::ScriptEscapedLt;
            }
            (St::ScriptDoubleEscapedDash | St::ScriptDoubleEscapedDashDash, b'<') => {
                self.script_emit(St::ScriptDoubleEscapedLt);
            }
            (_, 0) if escaped => {
                self.push_text_str(REPLACEMENT);
                self.pos += 1;
                self.state = St::ScriptEscaped;
            }
            (St::ScriptDoubleEscapedDash | St::ScriptDoubleEscapedDashDash, 0) => {
                self.push_text_str(REPLACEMENT);
                self.pos += 1;
                self.state = St::ScriptDoubleEscaped;
            }
            (St::ScriptEscapedLt, b'/') => {
                if self.appropriate_end_tag(pos + 1).is_some() {
                    self.begin_tag(true);
                    self.pos = pos + 1;
                    self.state = St::TagName;
                } else {
                    self.push_text(pos - 1, pos);
                    self.state = St::ScriptEscaped;
                }
            }
            (St::ScriptEscapedLt, _) => {
                self.push_text(pos - 1, pos);
                self.state = if b.is_ascii_alphabetic() {
                    St::ScriptDoubleEscapeStart
                } else {
                    St::ScriptEscaped
                };
            }
            (St::ScriptDoubleEscapedLt, b'/') => self.script_emit(St::ScriptDoubleEscapeEnd),
            (St::ScriptDoubleEscapedLt, _) => self.state = St::ScriptDoubleEscaped,
            (St::ScriptDoubleEscapeStart, _) => {
                self.script_double_escape(St::ScriptDoubleEscaped, St::ScriptEscaped);
            }
            (St::ScriptDoubleEscapeEnd, _) => {
                self.script_double_escape(St::ScriptEscaped, St::ScriptDoubleEscaped);
            }
            (_, _) => {
                // Escaped or double-escaped dash / dash dash, anything else.
                let len = self.char_len(pos);
                self.push_text(pos, pos + len);
                self.pos += len;
                self.state = if escaped {
                    St::ScriptEscaped
                } else {
                    St::ScriptDoubleEscaped
                };
            }
        }
    }

    /// Emits the current (ASCII) byte as text and moves to `next`.
    fn script_emit(&mut self, next: St) {
        self.push_text(self.pos, self.pos + 1);
        self.pos += 1;
        self.state = next;
    }

    /// Script data (double) escaped: the run up to the next `-`, `<` or NUL.
    fn script_run(&mut self, dash: St, double: bool) {
        let start = self.pos;
        let Some(i) = memchr3(b'-', b'<', 0, &self.bytes[start..]) else {
            self.push_text(start, self.bytes.len());
            return self.emit_eof();
        };
        let at = start + i;
        self.push_text(start, at);
        self.pos = at;
        match self.bytes[at] {
            b'-' => self.script_emit(dash),
            b'<' if double => self.script_emit(St::ScriptDoubleEscapedLt),
            b'<' => {
                self.pos += 1;
                self.state = St::ScriptEscapedLt;
            }
            _ => {
                self.push_text_str(REPLACEMENT);
                self.pos += 1;
            }
        }
    }

    /// The double escape start and end states: an ASCII-alpha run, then whitespace, `/`
    /// or `>` switches to `if_script` when the run is `script`, else to `otherwise`.
    fn script_double_escape(&mut self, if_script: St, otherwise: St) {
        let start = self.pos;
        let end = self.run_until(start, |b| !b.is_ascii_alphabetic());
        self.push_text(start, end);
        self.pos = end;
        match self.bytes.get(end) {
            Some(&b) if is_ws(b) || b == b'/' || b == b'>' => {
                self.push_text(end, end + 1);
                self.pos = end + 1;
                let is_script = self.bytes[start..end].eq_ignore_ascii_case(b"script");
                self.state = if is_script { if_script } else { otherwise };
            }
            _ => {
                self.state = if self.state == St::ScriptDoubleEscapeStart {
                    St::ScriptEscaped
                } else {
                    St::ScriptDoubleEscaped
                };
            }
        }
    }
}
