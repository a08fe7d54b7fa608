//! One step of the state machine, dispatched on the state, and the text states (data,
//! RCDATA, RAWTEXT, script data, PLAINTEXT, CDATA section). Each step consumes what its
//! state consumes (a whole run where the standard's state would loop on it) and sets the
//! next state; the other states are in `tag`, `comment`, `doctype` and `script`. The data
//! state and the tags it opens return their token instead of stepping (`next_token`).

use memchr::{memchr, memchr2, memchr3, memmem};

use super::charref::{self, Decoded};
use super::{Buf, St, Text, Token, Tokenizer, REPLACEMENT};

impl<'a> Tokenizer<'a> {
    pub(super) fn step(&mut self) {
        match self.state {
            St::RcData => self.text_state(b'&'),
            St::RawText | St::ScriptData => self.text_state(b'<'),
            St::PlainText => self.plaintext(),
            St::CdataSection => self.cdata_section(),
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
            | St::AfterDoctypeKeyword
            | St::DoctypeId
            | St::AfterDoctypePublicId
            | St::AfterDoctypeSystemId
            | St::BogusDoctype => self.doctype_step(),
            St::Data | St::TagOpen => unreachable!("handled by next_token"),
            _ => self.script_step(),
        }
    }

    /// The data state: the run up to the next `<` or `&` (NUL passes through), then the
    /// tag it opens comes back directly. Pending characters come back first when a token
    /// surely follows, so that the tag need not wait in `after`.
    #[inline(always)]
    pub(super) fn data(&mut self) -> Option<Token<'a>> {
        let start = self.pos;
        let at = if let Some(i) = short_run(&self.bytes[start..]) {
            start + i
        } else if let Some(i) = memchr2(b'<', b'&', &self.bytes[start..]) {
            start + i
        } else {
            self.data_to_end(start);
            return None;
        };
        if self.bytes[at] == b'<' && self.chars.is_empty() && !self.src.has_cr {
            if start == at {
                // A tag right after the last token (`</td><td>`).
                self.pos = at + 1;
                return self.tag_open();
            }
            if self.lt_starts_token(at) {
                // The common run: the input's own bytes, whole, before a tag.
                self.pos = at + 1;
                self.state = St::TagOpen;
                return Some(Token::Characters(Text::Borrowed(&self.src.text[start..at])));
            }
        }
        self.data_rest(start, at)
    }

    #[cold]
    fn data_to_end(&mut self, start: usize) {
        self.push_text(start, self.bytes.len());
        self.emit_eof();
    }

    /// The data state at `at` (a `<` or `&`) but for the common cases of [`data`].
    #[inline(never)]
    fn data_rest(&mut self, start: usize, at: usize) -> Option<Token<'a>> {
        if start < at {
            self.push_text(start, at);
        }
        if self.bytes[at] == b'&' {
            let (end, decoded) = charref::consume(self.bytes, at, false);
            if decoded.is_some() && !self.chars.is_owned() {
                // The run stops being the input's bytes here (once per run: the scan is
                // linear): room for the rest of it, up to the next `<`, so that its
                // `String` is allocated once.
                let rest = memchr(b'<', &self.bytes[end..]).unwrap_or(self.bytes.len() - end);
                self.chars.make_owned_with_room(self.src, rest + 4);
            }
            self.push_ref(at, end, decoded, false);
            self.pos = end;
            return None;
        }
        self.pos = at + 1;
        if !self.chars.is_empty() && self.lt_starts_token(at) {
            self.state = St::TagOpen;
            return Some(Token::Characters(self.chars.take(self.src)));
        }
        self.tag_open()
    }

    // ---- text states ----

    /// RCDATA (`amp = b'&'`), RAWTEXT and script data (`amp = b'<'`: no references). The
    /// run up to the next `<`, `&` or NUL is one span.
    fn text_state(&mut self, amp: u8) {
        let start = self.pos;
        let Some(i) = memchr3(b'<', amp, 0, &self.bytes[start..]) else {
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

    /// At a `<` in the RCDATA, RAWTEXT or script data state.
    fn text_less_than(&mut self) {
        let at = self.pos;
        match self.state {
            St::ScriptData if self.bytes.get(at + 1) == Some(&b'!') => {
                self.push_text(at, at + 2);
                self.pos = at + 2;
                self.state = St::ScriptEscapeStart;
                return;
            }
            _ => {}
        }
        if self.bytes.get(at + 1) == Some(&b'/') && self.appropriate_end_tag(at + 2).is_some() {
            self.end_tag(at + 2);
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

/// The position of the first `<` or `&` in the first eight bytes of `bytes`, when there
/// are eight: most runs between tags are that short ("", "\n", a word), and this costs
/// less than setting up `memchr2`. Each eight bytes tested at once: a byte that equals `<`
/// becomes zero after the XOR, and the lowest byte flagged by the zero test is exact.
fn short_run(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let eight: [u8; 8] = bytes.get(..8)?.try_into().ok()?;
    let word = u64::from_le_bytes(eight);
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let found = zero(word ^ (ONES * u64::from(b'<'))) | zero(word ^ (ONES * u64::from(b'&')));
    (found != 0).then(|| found.trailing_zeros() as usize / 8)
}
