//! Where a large document can be cut into pieces that sanitize independently.
//!
//! ammonia builds a reference-counted tree of the whole input: about 24 bytes of memory
//! per input byte, and a working set far beyond the CPU caches for a document of a few
//! megabytes. Sanitizing a 10 MB document in pieces of a few tens of kilobytes keeps the
//! memory bounded and runs about twice as fast, but only where the pieces give exactly
//! the output of the whole.
//!
//! A cut is exact where the parser, after reading everything before it, is back in the
//! state it starts a fragment in: the tokenizer in its data state, no element open, no
//! formatting element waiting to be reopened, no form pointer, the depth filter's model
//! empty. The scan below proves that with the depth filter's model stack (`engine/parse.rs`) made strict: an
//! end tag must close the element the model has on top, otherwise the scan stops. With
//! every element closed by its own end tag in order, whatever the tree builder did
//! in between (closing a `<p>` early, reopening a `<b>`, inserting a `<tbody>`) it has
//! undone by the time the model is empty again. The scan also stops at anything whose
//! tokenization or tree building reaches beyond that model: foreign content (`svg`,
//! `math`), `select`, `template`, `form`, document-level elements, escaped script text,
//! and nesting as deep as the depth limit. Points found before a stop stay valid: each
//! depends only on the bytes before it.
//!
//! The differential tests (`tests/test_properties.py`, the fuzz target) check the claim:
//! cutting at every point found gives the output of the whole.

use crate::html::lexer::{eq_ci, one_of, Token, Tokens, AMBIGUOUS, RAW, VOID};
use crate::html::MAX_DEPTH;

/// Start tags after which the scan gives up: their effect on the parser outlives their
/// end tag or the model cannot follow it.
const STOP: &[&[u8]] = &[b"template", b"form", b"plaintext", b"frameset"];

/// The document's own tags. Parsing a fragment (in a `<div>`), the tree builder ignores
/// them wherever the scan can be (outside foreign content, `select` and `template`): no
/// element, no change of mode (a `<colgroup>` closed by one is the only effect, and it is
/// undone by the end of the table, like any implied close). So the scan passes over them
/// for an engine whose depth limit counts the tree builder's elements; the ammonia
/// engine's depth filter stacks them as elements, and there the scan stops at them. A
/// whole page (`<html><body>`...) is then cut like its body, so `htmlguard sanitize`
/// streams it instead of holding all of it.
const DOCUMENT: &[&[u8]] = &[b"html", b"head", b"body"];

/// Offsets (sorted, each after the end of an end tag) where `html` may be cut, at least
/// `every` bytes apart. A point is never at the very end, nor before a byte-order mark
/// (which the parser would discard at the start of a piece).
pub fn split_points(html: &str, every: usize) -> Vec<usize> {
    split_points_escaping(html, every, false, |_| false)
}

/// [`split_points`] for a policy that escapes some tags (`disallowed="escape"`):
/// `escaped(name)` says whether a start tag named `name` (as written) reaches the parser
/// as text. The scan stops at such a tag whose content it would skip as raw text, which
/// the parser then reads as markup. Other escaped tags need nothing: a tag and its end
/// tag are escaped alike, so the kept ones nest wherever all of them do.
/// `inert_document_tags`: pass over `html`, `head` and `body` tags (see [`DOCUMENT`]).
pub fn split_points_escaping(
    html: &str,
    every: usize,
    inert_document_tags: bool,
    escaped: impl Fn(&[u8]) -> bool,
) -> Vec<usize> {
    let mut points = Vec::new();
    let mut last = 0;
    scan(html, inert_document_tags, escaped, |end, stack| {
        if stack.is_empty() && end - last >= every {
            points.push(end);
            last = end;
        }
    });
    points
}

/// One open element of the scan's model: its name, and its start tag's byte range.
type Open<'a> = (&'a [u8], std::ops::Range<usize>);

/// The scan both kinds of cut share: `at(end, stack)` after each end tag that closes the
/// element on top of the model (not at the very end, nor before a byte-order mark, which
/// the parser would discard at the start of a piece), with the elements still open.
fn scan<'a>(
    html: &'a str,
    inert_document_tags: bool,
    escaped: impl Fn(&[u8]) -> bool,
    mut at: impl FnMut(usize, &[Open<'a>]),
) {
    let b = html.as_bytes();
    let n = b.len();
    let base = html.as_ptr() as usize;
    let mut stack: Vec<Open<'a>> = Vec::with_capacity(64);
    for token in Tokens::new(html) {
        match token {
            // Outside foreign content (which stops the scan) "<![CDATA[" is a bogus comment.
            Token::Cdata => {}
            Token::EscapedScript | Token::Unterminated => break,
            Token::End { name, .. } if inert_document_tags && one_of(name, DOCUMENT) => {}
            Token::End { name, end } => {
                if !stack.last().is_some_and(|(top, _)| eq_ci(top, name)) {
                    break;
                }
                stack.pop();
                if end < n && !b[end..].starts_with("\u{feff}".as_bytes()) {
                    at(end, &stack);
                }
            }
            Token::Start { name, end } => {
                if (one_of(name, RAW) || eq_ci(name, b"script")) && escaped(name) {
                    break;
                }
                if one_of(name, VOID) || (inert_document_tags && one_of(name, DOCUMENT)) {
                    continue;
                }
                if one_of(name, AMBIGUOUS)
                    || one_of(name, STOP)
                    || one_of(name, DOCUMENT)
                    || stack.len() + 1 >= MAX_DEPTH
                {
                    break;
                }
                // As in the depth filter's model: a new <p> or <li> closes an open one on top.
                if (eq_ci(name, b"p") || eq_ci(name, b"li"))
                    && stack.last().is_some_and(|(top, _)| eq_ci(top, name))
                {
                    stack.pop();
                }
                let start = name.as_ptr() as usize - base - 1; // its `<`
                stack.push((name, start..end));
            }
        }
    }
}

/// Elements a large document is often wrapped in whole (an export's `<div class=...>`, an
/// `<article>`): a start tag of one opens nothing but itself and changes no mode, so a
/// cut inside them is exact if the pieces after it are parsed with the same start tags
/// before them (see [`last_wrapped_cut`]).
const WRAPPERS: &[&[u8]] = &[
    b"div", b"section", b"article", b"main", b"aside", b"header", b"footer", b"nav",
];

/// The most wrappers a cut may be inside.
const MAX_WRAPPERS: usize = 16;

/// A cut inside wrapper elements: where, and the byte ranges of the start tags of the
/// wrappers open there (outermost first).
#[derive(Debug, PartialEq, Eq)]
pub struct WrappedCut {
    pub at: usize,
    pub open: Vec<std::ops::Range<usize>>,
}

/// The last cut point of `html` after `from` at which every element the model has open
/// is one of [`WRAPPERS`] (none at all included), for the streaming of a document
/// wrapped in one. The scan is [`split_points_escaping`]'s without escaped tags: it stops
/// where that one stops, and an end tag must close the element on top. Parsing the text
/// after the point with the open wrappers' start tags before it gives the parser the
/// state it has at the point in the whole (everything opened inside the wrappers was
/// closed, in order, by its own end tag), so the output of the whole is the output of the
/// text before the point, without the wrappers' end tags the serializer adds, followed by
/// that of the text after it, without the wrappers' start tags.
pub fn last_wrapped_cut(html: &str, from: usize, inert_document_tags: bool) -> Option<WrappedCut> {
    let mut found = None;
    scan(
        html,
        inert_document_tags,
        |_| false,
        |end, stack| {
            // Only wrappers open, a few of them (so each point costs a bounded check).
            if end > from
                && stack.len() <= MAX_WRAPPERS
                && stack.iter().all(|(name, _)| one_of(name, WRAPPERS))
            {
                let open = stack.iter().map(|(_, r)| r.clone()).collect();
                found = Some(WrappedCut { at: end, open });
            }
        },
    );
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(html: &str) -> Vec<&str> {
        let mut pieces = Vec::new();
        let mut from = 0;
        for p in split_points(html, 1) {
            pieces.push(&html[from..p]);
            from = p;
        }
        pieces.push(&html[from..]);
        pieces
    }

    #[test]
    fn cuts_after_closed_top_level_elements() {
        assert_eq!(
            cut("<p>a</p><div><b>x</b></div>tail<ul><li>1</li></ul>"),
            ["<p>a</p>", "<div><b>x</b></div>", "tail<ul><li>1</li></ul>"]
        );
    }

    #[test]
    fn a_whole_page_is_cut_inside_its_body_only_when_its_tags_are_inert() {
        let page = "<!DOCTYPE html><html><head><title>t</title></head><body>\
                    <p>a</p><div>b</div></body></html>\n";
        assert_eq!(split_points(page, 1), Vec::<usize>::new());
        let inert = split_points_escaping(page, 1, true, |_| false);
        let after = |s: &str| page.find(s).unwrap() + s.len();
        assert_eq!(
            inert,
            [after("</title>"), after("<p>a</p>"), after("</div>")]
        );
    }

    #[test]
    fn respects_the_minimum_piece_size() {
        let html = "<p>a</p>".repeat(10);
        let points = split_points(&html, 20);
        assert_eq!(points, [24, 48, 72]);
    }

    #[test]
    fn implied_closes_follow_the_model() {
        // A second <p> closes the first, so one </p> empties the model.
        assert_eq!(cut("<p>a<p>b</p>c"), ["<p>a<p>b</p>", "c"]);
    }

    #[test]
    fn misnested_end_tag_stops_the_scan() {
        assert_eq!(
            cut("<p>a</p><p><b>x</p></b><p>y</p>"),
            ["<p>a</p>", "<p><b>x</p></b><p>y</p>"]
        );
    }

    #[test]
    fn text_that_only_looks_like_tags_is_not_cut() {
        assert_eq!(
            cut("<p>a</p><!-- </p> --><style></p></style><title>x</p></title><p>b</p>"),
            [
                "<p>a</p>",
                "<!-- </p> --><style></p></style>",
                "<title>x</p></title>",
                "<p>b</p>"
            ]
        );
        assert_eq!(
            cut(r#"<p title="</p>">a</p>x"#),
            [r#"<p title="</p>">a</p>"#, "x"]
        );
    }

    #[test]
    fn stops_where_the_model_cannot_follow() {
        for tail in [
            "<svg><p>x</p></svg><p>y</p>",
            "<math></math><p>y</p>",
            "<select></select><p>y</p>",
            "<form></form><p>y</p>",
            "<template></template><p>y</p>",
            "<plaintext></plaintext><p>y</p>",
            "<script><!--</script><p>y</p>",
            "<b>unclosed",
        ] {
            let html = format!("<p>a</p>{tail}");
            assert_eq!(cut(&html), ["<p>a</p>", tail], "{html}");
        }
    }

    #[test]
    fn never_cuts_before_a_byte_order_mark_or_at_the_end() {
        assert_eq!(
            cut("<p>a</p>\u{feff}<p>b</p>"),
            ["<p>a</p>\u{feff}<p>b</p>"]
        );
    }
}
