//! The DOCTYPE states.

use memchr::{memchr, memchr3};

use super::{is_ws, lowercase, Buf, St, Tokenizer, REPLACEMENT};

impl<'a> Tokenizer<'a> {
    pub(super) fn doctype_step(&mut self) {
        let state = self.state;
        let cur = match state {
            St::DoctypeId | St::BogusDoctype => self.cur(),
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
            St::AfterDoctypeKeyword => match b {
                b'"' | b'\'' => self.open_doctype_id(self.doctype_system, b),
                b'>' => self.doctype_quirks_end(),
                _ => self.bogus_doctype(true),
            },
            St::DoctypeId => self.doctype_id(self.doctype_system, self.doctype_quote),
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
            self.doctype_system = false;
            self.state = St::AfterDoctypeKeyword;
        } else if keyword(b"system") {
            self.pos += 6;
            self.doctype_system = true;
            self.state = St::AfterDoctypeKeyword;
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
        self.doctype_system = system;
        self.doctype_quote = quote;
        self.state = St::DoctypeId;
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
}
