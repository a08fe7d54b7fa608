//! The markup declaration, bogus comment and comment states.

use memchr::{memchr2, memchr3};

use super::{St, Tokenizer, REPLACEMENT};

impl<'a> Tokenizer<'a> {
    pub(super) fn bogus_comment(&mut self) {
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

    pub(super) fn markup_declaration_open(&mut self) {
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
    pub(super) fn comment_step(&mut self) {
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
}
