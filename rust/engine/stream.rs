//! A document that arrives in chunks (a file read a piece at a time), sanitized to the
//! output of the whole while holding only what follows its last exact cut point.
//!
//! A cut point (`html/split.rs`) depends only on the bytes before it, and a scan started
//! at one is where the scan of the whole is there: nothing open. So once the text held
//! has a cut point, everything before the last one is a document of its own whose output
//! is the output of those bytes in the whole; it is sanitized (itself in pieces, like any
//! document) and handed back, and the rest is kept. The pieces join as in
//! [`sanitize_in_pieces`](super::sanitize_in_pieces).
//!
//! A document wrapped in `<div>`s, `<article>`s and the like has no such point inside
//! them, so the stream also cuts where only those are open (`split::last_wrapped_cut`):
//! the text after the cut is sanitized with their start tags, as read, before it (its
//! *context*), and the output of each segment loses what the serializer writes for the
//! context at its start (the wrappers' start tags) and at its end (their end tags). What
//! that is, the *frame*, comes from sanitizing the context alone with a marker character
//! inside; a policy that drops a wrapper's content (no marker comes out) gets no cut
//! there. A segment whose output is not so framed would mean the claim is wrong: that
//! panics (an internal error to Python) rather than write a wrong output. Where no cut
//! point comes (foreign content, a policy whose engine bounds attributes, one that
//! escapes or drops tags or animates SVG) the text is held until the end and sanitized
//! whole, as `sanitize` would.
//!
//! The held text is scanned again only when it has doubled since the last scan that left
//! it (or grown by [`SCAN_BYTES`]): each scan costs at most twice the bytes that arrived
//! since the one before, so the scanning stays linear in the document however few cut
//! points it has.

use std::collections::HashMap;

use super::{cut_points, join_piece, sanitize_from, InputTooLarge, PIECE_BYTES};
use crate::html::split::last_wrapped_cut;
use crate::policy::CompiledPolicy;

/// Put inside a context to find its frame in the output: a private-use character, kept
/// as text by every policy that keeps the wrappers' content.
const MARKER: char = '\u{E000}';

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
    /// The start tags, as read, of the wrappers open where `held` starts.
    context: String,
    /// Each context's frame: the output before and after the content, None if the
    /// policy keeps no content there.
    frames: HashMap<String, Option<(String, String)>>,
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
        if wrapped_cuts(p) {
            self.cut_wrapped(p, out);
        } else {
            // An engine that bounds attributes does so on the whole input before it is
            // cut, and a run of text that looks like a tag can reach across a cut point.
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
        }
        self.next_scan = (2 * self.held.len()).max(self.held.len() + self.scan);
    }

    /// A cut where only wrappers are open (see the module documentation).
    fn cut_wrapped(&mut self, p: &CompiledPolicy, out: &mut String) {
        let ctx = self.context.len();
        let (at, next) = {
            let doc: std::borrow::Cow<'_, str> = if ctx == 0 {
                self.held.as_str().into()
            } else {
                format!("{}{}", self.context, self.held).into()
            };
            let inert = p.engine.document_tags_inert();
            let Some(cut) = last_wrapped_cut(&doc, ctx, inert) else {
                return;
            };
            let next: String = cut.open.iter().map(|r| &doc[r.clone()]).collect();
            (cut.at - ctx, next)
        };
        if self.frame(p, &next).is_none() {
            return; // the policy keeps nothing inside these wrappers: no cut here
        }
        let rest = self.held.split_off(at);
        let done = std::mem::replace(&mut self.held, rest);
        let context = std::mem::replace(&mut self.context, next);
        let piece = self.sanitize_framed(p, &context, &done, true);
        self.join(out, piece);
    }

    /// The frame of `context` (cached; see [`Stream::frames`]).
    fn frame(&mut self, p: &CompiledPolicy, context: &str) -> Option<&(String, String)> {
        if !self.frames.contains_key(context) {
            // Contexts differ where wrappers carry ids: keep the cache small.
            if self.frames.len() >= 64 {
                self.frames.clear();
            }
            let frame = if context.is_empty() {
                Some((String::new(), String::new()))
            } else {
                let out = sanitize_from(p, &format!("{context}{MARKER}"), None, None, true);
                out.rfind(MARKER).map(|i| {
                    (
                        out[..i].to_string(),
                        out[i + MARKER.len_utf8()..].to_string(),
                    )
                })
            };
            self.frames.insert(context.to_string(), frame);
        }
        self.frames[context].as_ref()
    }

    /// The output of `text` after `context`, without the frame of `context` at its
    /// start and, if `more` (not the last segment), that of the new context at its end.
    fn sanitize_framed(
        &mut self,
        p: &CompiledPolicy,
        context: &str,
        text: &str,
        more: bool,
    ) -> String {
        let started = self.started;
        self.started = true;
        if context.is_empty() && self.context.is_empty() {
            return sanitize_from(p, text, None, None, started);
        }
        let whole = sanitize_from(p, &format!("{context}{text}"), None, None, started);
        let head = self
            .frame(p, context)
            .map_or(String::new(), |f| f.0.clone());
        let next = self.context.clone();
        let tail = if more {
            self.frame(p, &next).map_or(String::new(), |f| f.1.clone())
        } else {
            String::new()
        };
        match whole
            .strip_prefix(head.as_str())
            .and_then(|w| w.strip_suffix(tail.as_str()))
        {
            Some(inner) => inner.to_string(),
            None => panic!("a streamed segment's output is not framed by its wrappers' tags"),
        }
    }

    fn emit(&mut self, p: &CompiledPolicy, doc: &str, out: &mut String) {
        let piece = if self.context.is_empty() {
            let started = std::mem::replace(&mut self.started, true);
            sanitize_from(p, doc, None, None, started)
        } else {
            let context = self.context.clone();
            self.sanitize_framed(p, &context, doc, false)
        };
        self.join(out, piece);
    }

    fn join(&mut self, out: &mut String, piece: String) {
        if out.is_empty() && !(self.wrote && piece.starts_with("&#xFEFF;")) {
            *out = piece; // the usual case: no copy
            self.wrote |= !out.is_empty();
        } else {
            join_piece(out, &piece, self.wrote);
            self.wrote |= !piece.is_empty();
        }
    }
}

/// Whether the stream may cut inside wrappers for `p`: not where the whole document is
/// needed (SVG animation targets), nor for an engine that bounds attributes on the whole
/// input, nor with a tag filter (an escaped or dropped wrapper is no element to open).
fn wrapped_cuts(p: &CompiledPolicy) -> bool {
    !p.rules.animates && p.rules.tag_filter().is_none() && !p.engine.bounds_attributes()
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
            // wrapped whole: cut inside the wrappers, their start tags as context
            format!(
                "<div class=w onclick=x() id=top>{}</div>\n",
                block.repeat(120)
            ),
            format!(
                "<!DOCTYPE html><html><body><main><article title=t>{}</article>\
                 <aside>{}</aside></main><p>after</p>",
                block.repeat(60),
                block.repeat(30)
            ),
            // a wrapper left open to the end, a wrapper inside a paragraph, text at a cut
            format!(
                "<section>{}x<div>{}",
                block.repeat(40),
                "<p>y</p>t".repeat(300)
            ),
            format!("<p><div>{}</div></p>", block.repeat(40)),
            // a wrapper closed by an end tag the model does not expect: the scan stops
            format!("<div>{}<b></div>{}", block.repeat(40), block.repeat(40)),
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
        // The wrappers' content dropped: no frame, no cut inside them.
        let mut emptied = preset("ugc").unwrap().spec.clone();
        for t in ["div", "article"] {
            emptied.tags.remove(t);
            emptied.clean_content_tags.insert(t.to_string());
        }
        // Wrappers kept, with their attributes rewritten (the frame holds what they become).
        let mut kept = preset("ugc").unwrap().spec.clone();
        for t in ["div", "section", "main", "article", "aside"] {
            kept.tags.insert(t.to_string());
            kept.tag_attributes
                .entry(t.to_string())
                .or_default()
                .extend(["class".to_string(), "id".to_string(), "title".to_string()]);
        }
        kept.id_prefix = Some("u-".to_string());
        let policies = [
            preset("ugc").unwrap(),
            preset("strict").unwrap(),
            preset("basic").unwrap(),
            kept.compile().unwrap(),
            emptied.compile().unwrap(),
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
    fn a_wrapped_document_is_cut_inside_its_wrappers() {
        let mut spec = preset("ugc").unwrap().spec.clone();
        spec.tags.insert("div".to_string());
        let kept = spec.compile().unwrap();
        for p in [preset("ugc").unwrap(), kept] {
            let mut s = Stream::new();
            let mut out = String::new();
            let body = "<p>some <b>text</b></p><div><i>x</i></div>".repeat(60_000); // 2.5 MB
            let doc = format!("<!DOCTYPE html><html><body><div class=a><main>{body}</main></div>");
            for chunk in doc.as_bytes().chunks(64 * 1024) {
                let mut piece = String::new();
                s.push(&p, std::str::from_utf8(chunk).unwrap(), &mut piece)
                    .unwrap();
                out.push_str(&piece);
                assert!(s.held.len() < 2 * SCAN_BYTES, "{}", s.held.len());
            }
            assert!(!out.is_empty() && s.context.len() > 10, "{:?}", s.context);
            let mut piece = String::new();
            s.finish(&p, &mut piece);
            out.push_str(&piece);
            assert_eq!(out, p.sanitize(&doc).unwrap());
        }
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
