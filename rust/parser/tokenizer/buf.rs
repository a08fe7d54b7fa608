//! Text accumulated for one token: a span of the input for as long as the text is the
//! input's own bytes, a `String` from the first change on.

use std::borrow::Cow;

use memchr::memchr;

/// The input and whether it has any CR (so the common case never checks spans for one).
#[derive(Clone, Copy)]
pub(super) struct Src<'a> {
    pub text: &'a str,
    pub has_cr: bool,
}

#[derive(Default)]
pub(super) struct Buf {
    start: usize,
    end: usize,
    owned: String,
    is_owned: bool,
}

impl Buf {
    pub fn is_empty(&self) -> bool {
        if self.is_owned {
            self.owned.is_empty()
        } else {
            self.start == self.end
        }
    }

    pub fn is_owned(&self) -> bool {
        self.is_owned
    }

    pub fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
        self.owned.clear();
        self.is_owned = false;
    }

    /// Appends input bytes `s..e` (both on char boundaries). Input preprocessing happens
    /// here, by position: a CR becomes LF and an LF right after a CR in the input is
    /// dropped, so the result is the same however the input was split into spans.
    pub fn push_input(&mut self, src: Src<'_>, s: usize, e: usize) {
        if s >= e {
            return;
        }
        let bytes = src.text.as_bytes();
        if src.has_cr
            && (memchr(b'\r', &bytes[s..e]).is_some()
                || (bytes[s] == b'\n' && s > 0 && bytes[s - 1] == b'\r'))
        {
            self.make_owned(src);
            push_normalized(&mut self.owned, src.text, s, e);
            return;
        }
        if !self.is_owned {
            if self.start == self.end {
                self.start = s;
                self.end = e;
                return;
            }
            if self.end == s {
                self.end = e;
                return;
            }
            self.make_owned(src);
        }
        self.owned.push_str(&src.text[s..e]);
    }

    /// Appends text that is not the input's (a decoded reference, U+FFFD, a lowercased
    /// name).
    pub fn push_str(&mut self, src: Src<'_>, t: &str) {
        self.make_owned(src);
        self.owned.push_str(t);
    }

    pub fn push_char(&mut self, src: Src<'_>, c: char) {
        self.make_owned(src);
        self.owned.push(c);
    }

    pub fn take<'a>(&mut self, src: Src<'a>) -> Cow<'a, str> {
        let out = if self.is_owned {
            Cow::Owned(std::mem::take(&mut self.owned))
        } else {
            Cow::Borrowed(&src.text[self.start..self.end])
        };
        self.start = 0;
        self.end = 0;
        self.is_owned = false;
        out
    }

    /// Turns the text into a `String` (if it is not one yet) with room for `more` bytes,
    /// so that a caller that knows how long the text will grow allocates once.
    pub fn make_owned_with_room(&mut self, src: Src<'_>, more: usize) {
        if !self.is_owned {
            self.owned.clear();
            self.owned.reserve(self.end - self.start + more);
            self.owned.push_str(&src.text[self.start..self.end]);
            self.is_owned = true;
        }
    }

    fn make_owned(&mut self, src: Src<'_>) {
        self.make_owned_with_room(src, 0);
    }
}

/// Appends `text[s..e]` to `out` with the input's newlines normalized (CR and CRLF to LF);
/// an LF at `s` right after a CR in `text` is dropped, as the CR before it became one.
pub(crate) fn push_normalized(out: &mut String, text: &str, s: usize, e: usize) {
    let bytes = text.as_bytes();
    let mut i = s;
    if bytes[i] == b'\n' && i > 0 && bytes[i - 1] == b'\r' {
        i += 1;
    }
    while i < e {
        match memchr(b'\r', &bytes[i..e]) {
            None => {
                out.push_str(&text[i..e]);
                break;
            }
            Some(k) => {
                out.push_str(&text[i..i + k]);
                out.push('\n');
                i += k + 1;
                if i < e && bytes[i] == b'\n' {
                    i += 1;
                }
            }
        }
    }
}
