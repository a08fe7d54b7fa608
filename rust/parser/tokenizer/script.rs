//! The script data escaped and double-escaped states (`<!--` inside `<script>`).

use memchr::memchr3;

use super::{is_ws, St, Tokenizer, REPLACEMENT};

impl<'a> Tokenizer<'a> {
    pub(super) fn script_step(&mut self) {
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
                    self.end_tag(pos + 1);
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
