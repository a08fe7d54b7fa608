//! A document that arrives in chunks (a file read a piece at a time), sanitized to the
//! output of the whole while holding only what follows its last exact cut point.
//!
//! A cut point (`html/split.rs`) depends only on the bytes before it, and a scan started
//! at one is where the scan of the whole is there: nothing open. So once the text held
//! has a cut point, everything before the last one is a document of its own whose output
//! is the output of those bytes in the whole; it is sanitized (itself in pieces, like any
//! document) and handed back, and the rest is kept. The pieces join as in
//! [`sanitize_in_pieces`](super::sanitize_in_pieces). Where no cut point comes (a
//! document wrapped in one element, `<body>`, foreign content, a policy whose engine
//! bounds attributes) the text is held until the end and sanitized whole, as `sanitize`
//! would.
//!
//! The held text is scanned again only when it has doubled since the last scan that left
//! it (or grown by [`SCAN_BYTES`]): each scan costs at most twice the bytes that arrived
//! since the one before, so the scanning stays linear in the document however few cut
//! points it has.

use super::{cut_points, join_piece, sanitize_from, InputTooLarge, PIECE_BYTES};
use crate::policy::CompiledPolicy;

/// The least the held text grows by between two scans.
pub const SCAN_BYTES: usize = 1 << 20;

/// The state of one document being sanitized as it arrives.
#[derive(Debug, Default)]
pub struct Stream {
    /// The text from the last cut point on, not yet sanitized.
    held: String,
    /// Scan when `held` reaches this length.
    next_scan: usize,
    /// The least `held` grows by between two scans.
    scan: usize,
    /// UTF-8 bytes pushed so far (for `max_input_bytes`).
    size: usize,
    /// Whether the output so far is non-empty (see [`join_piece`]).
    wrote: bool,
    /// Whether a segment was sanitized before (the next one starts after a tag).
    started: bool,
}

impl Stream {
    pub fn new() -> Self {
        Self::with_scan(SCAN_BYTES)
    }

    /// A stream whose held text grows by at least `scan` bytes between two scans (the
    /// tests make it small, to cut often).
    pub fn with_scan(scan: usize) -> Self {
        let scan = scan.max(1);
        Stream {
            next_scan: scan,
            scan,
            ..Stream::default()
        }
    }

    /// UTF-8 bytes pushed so far.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Add the next `text` of the document; append to `out` the output of everything
    /// before the last cut point found. Fails, adding nothing, once the document is over
    /// the policy's `max_input_bytes`.
    pub fn push(
        &mut self,
        p: &CompiledPolicy,
        text: &str,
        out: &mut String,
    ) -> Result<(), InputTooLarge> {
        p.check_size(self.size + text.len())?;
        self.size += text.len();
        self.held.push_str(text);
        if self.held.len() >= self.next_scan {
            self.cut(p, out);
        }
        Ok(())
    }

    /// The document is complete: append the output of the rest to `out`.
    pub fn finish(&mut self, p: &CompiledPolicy, out: &mut String) {
        let held = std::mem::take(&mut self.held);
        self.emit(p, &held, out);
    }

    fn cut(&mut self, p: &CompiledPolicy, out: &mut String) {
        // An engine that bounds attributes does so on the whole input before it is cut,
        // and a run of text that looks like a tag can reach across a cut point.
        let at = if p.engine.bounds_attributes() {
            None
        } else {
            cut_points(p, &self.held, PIECE_BYTES).last().copied()
        };
        if let Some(at) = at {
            let rest = self.held.split_off(at);
            let done = std::mem::replace(&mut self.held, rest);
            self.emit(p, &done, out);
        }
        self.next_scan = (2 * self.held.len()).max(self.held.len() + self.scan);
    }

    fn emit(&mut self, p: &CompiledPolicy, doc: &str, out: &mut String) {
        let piece = sanitize_from(p, doc, None, None, self.started);
        self.started = true;
        if out.is_empty() && !(self.wrote && piece.starts_with("&#xFEFF;")) {
            *out = piece; // the usual case: no copy
            self.wrote |= !out.is_empty();
        } else {
            join_piece(out, &piece, self.wrote);
            self.wrote |= !piece.is_empty();
        }
    }
}

/// Bytes that are not UTF-8, at `offset` bytes from the start of the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidUtf8 {
    pub offset: u64,
}

/// UTF-8 decoding of bytes that arrive in chunks: a character split between two chunks
/// is completed from the next. Invalid bytes are an error, or with `replace` each maximal
/// invalid sequence becomes one U+FFFD (as Python's `errors="replace"` and
/// `String::from_utf8_lossy` do).
#[derive(Debug, Default)]
pub struct Utf8Decoder {
    replace: bool,
    /// The start of a character the last chunk ended in.
    partial: Vec<u8>,
    /// Offset in the stream of the first byte not yet decoded.
    offset: u64,
}

impl Utf8Decoder {
    pub fn new(replace: bool) -> Self {
        Utf8Decoder {
            replace,
            ..Utf8Decoder::default()
        }
    }

    /// Decode the next `bytes`, appending the text to `out`.
    pub fn decode(&mut self, bytes: &[u8], out: &mut String) -> Result<(), InvalidUtf8> {
        if self.partial.is_empty() {
            return self.decode_slice(bytes, out);
        }
        let mut joined = std::mem::take(&mut self.partial);
        joined.extend_from_slice(bytes);
        self.decode_slice(&joined, out)
    }

    /// The stream ended: a character left incomplete is an error (or one U+FFFD).
    pub fn finish(&mut self, out: &mut String) -> Result<(), InvalidUtf8> {
        if self.partial.is_empty() {
            return Ok(());
        }
        if !self.replace {
            return Err(InvalidUtf8 {
                offset: self.offset,
            });
        }
        self.offset += self.partial.len() as u64;
        self.partial.clear();
        out.push(char::REPLACEMENT_CHARACTER);
        Ok(())
    }

    fn decode_slice(&mut self, mut rest: &[u8], out: &mut String) -> Result<(), InvalidUtf8> {
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    out.push_str(text);
                    self.offset += rest.len() as u64;
                    return Ok(());
                }
                Err(e) => {
                    let good = e.valid_up_to();
                    // `good` is where the first invalid byte starts: what precedes is UTF-8.
                    out.push_str(std::str::from_utf8(&rest[..good]).unwrap_or_default());
                    self.offset += good as u64;
                    let Some(bad) = e.error_len() else {
                        // The chunk ends inside a character: wait for the next one.
                        self.partial = rest[good..].to_vec();
                        return Ok(());
                    };
                    if !self.replace {
                        return Err(InvalidUtf8 {
                            offset: self.offset,
                        });
                    }
                    out.push(char::REPLACEMENT_CHARACTER);
                    self.offset += bad as u64;
                    rest = &rest[good + bad..];
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::presets::preset;
    use crate::policy::PolicySpec;

    /// The output of `doc` fed in chunks of `size` bytes (cut anywhere, even inside a
    /// character: the decoder joins them), scanning after every `scan` bytes at least.
    fn streamed(p: &CompiledPolicy, doc: &str, size: usize, scan: usize) -> String {
        let mut dec = Utf8Decoder::new(false);
        let mut s = Stream::with_scan(scan);
        let mut out = String::new();
        for chunk in doc.as_bytes().chunks(size) {
            let mut text = String::new();
            dec.decode(chunk, &mut text).unwrap();
            let mut piece = String::new();
            s.push(p, &text, &mut piece).unwrap();
            out.push_str(&piece);
        }
        dec.finish(&mut String::new()).unwrap();
        let mut piece = String::new();
        s.finish(p, &mut piece);
        out.push_str(&piece);
        out
    }

    fn docs() -> Vec<String> {
        let block = "<p>caf\u{e9} <b>bold</b> \u{1F600} <a href=\"https://x.example/\" \
                     onclick=\"x()\">link</a></p><script>alert(1)</script>\
                     <ul><li>one<li>two</ul><table><tr><td>c</td></tr></table>"
            .to_string();
        vec![
            block.repeat(200),
            format!("<div>{}</div>{}", block.repeat(50), block.repeat(50)),
            // a byte-order mark after a cut point, and output that starts with one
            format!(
                "<p>a</p>\u{feff}<p>b</p><script>x</script>\u{feff}x{}",
                block.repeat(40)
            ),
            format!("<script>x</script>\u{feff}<p>a</p>{}", block.repeat(40)),
            format!(
                "{}<svg><p>x</p></svg>{}",
                block.repeat(40),
                block.repeat(40)
            ),
            "plain text & more \u{1F600} ".repeat(500),
            // block-level tags a policy may drop, at every cut point
            "<section><p>a</p></section><div>b</div>".repeat(300),
            String::new(),
        ]
    }

    #[test]
    fn streaming_gives_the_output_of_the_whole() {
        let mut ammonia = preset("ugc").unwrap().spec.clone();
        ammonia.engine = Some(crate::engine::EngineKind::Html5ever);
        let escaping = PolicySpec {
            disallowed: crate::policy::spec::Disallowed::Escape,
            ..preset("basic").unwrap().spec.clone()
        };
        // Dropped block tags leave a newline only after an earlier tag: a segment after the
        // first must know it starts after one.
        let dropping = PolicySpec {
            disallowed: crate::policy::spec::Disallowed::Drop,
            ..preset("basic").unwrap().spec.clone()
        };
        let policies = [
            preset("ugc").unwrap(),
            preset("strict").unwrap(),
            ammonia.compile().unwrap(),
            escaping.compile().unwrap(),
            dropping.compile().unwrap(),
        ];
        for p in &policies {
            for doc in docs() {
                let whole = p.sanitize(&doc).unwrap();
                for (size, scan) in [(1, 1), (7, 1), (100, 50), (1000, 3000), (1 << 20, 1 << 20)] {
                    assert_eq!(streamed(p, &doc, size, scan), whole, "{size} {scan}");
                }
            }
        }
    }

    #[test]
    fn holds_only_what_follows_the_last_cut() {
        let p = preset("ugc").unwrap();
        let mut s = Stream::new();
        let mut out = String::new();
        let doc = "<p>some <b>text</b></p>".repeat(100_000); // 2.3 MB
        for chunk in doc.as_bytes().chunks(64 * 1024) {
            s.push(&p, std::str::from_utf8(chunk).unwrap(), &mut out)
                .unwrap();
            assert!(s.held.len() < 2 * SCAN_BYTES, "{}", s.held.len());
        }
        assert!(!out.is_empty());
    }

    #[test]
    fn size_limit_counts_every_chunk() {
        let mut spec = preset("ugc").unwrap().spec.clone();
        spec.max_input_bytes = Some(10);
        let p = spec.compile().unwrap();
        let mut s = Stream::new();
        let mut out = String::new();
        s.push(&p, "<b>x</b>", &mut out).unwrap();
        let e = s.push(&p, "<b>", &mut out).unwrap_err();
        assert_eq!((e.size, e.limit), (11, 10));
        assert_eq!(s.size(), 8);
    }

    #[test]
    fn decoder_joins_split_characters_and_reports_offsets() {
        let text = "a\u{e9}\u{20ac}\u{1F600}z";
        for size in 1..=text.len() {
            let mut dec = Utf8Decoder::new(false);
            let mut out = String::new();
            for chunk in text.as_bytes().chunks(size) {
                dec.decode(chunk, &mut out).unwrap();
            }
            dec.finish(&mut out).unwrap();
            assert_eq!(out, text);
        }
        let mut dec = Utf8Decoder::new(false);
        let mut out = String::new();
        dec.decode(b"abc", &mut out).unwrap();
        assert_eq!(
            dec.decode(b"d\xffe", &mut out),
            Err(InvalidUtf8 { offset: 4 })
        );
        let mut dec = Utf8Decoder::new(false);
        dec.decode(b"ab\xf0\x9f", &mut out).unwrap();
        assert_eq!(dec.finish(&mut out), Err(InvalidUtf8 { offset: 2 }));
    }

    #[test]
    fn decoder_replaces_like_from_utf8_lossy() {
        let bytes: &[u8] =
            b"caf\xe9 \xf0\x9f\x98 ok \xed\xa0\x80 \xc0\xaf \xf4\x90\x80\x80 \xe2\x82";
        let want = String::from_utf8_lossy(bytes);
        for size in 1..=bytes.len() {
            let mut dec = Utf8Decoder::new(true);
            let mut out = String::new();
            for chunk in bytes.chunks(size) {
                dec.decode(chunk, &mut out).unwrap();
            }
            dec.finish(&mut out).unwrap();
            assert_eq!(out, want, "{size}");
        }
    }
}
