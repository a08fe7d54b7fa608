//! Our tokenizer driving our tree builder: the parser's entry points.

use std::sync::LazyLock;

use memchr::memmem;

use crate::parser::token::{Name, Text, Token};
use crate::parser::tokenizer::Tokenizer;
use crate::parser::tree::{ContextElement, Dom, Opts, TreeBuilder};

/// Parse `html` as a whole document.
pub fn parse_document(html: &str, opts: Opts) -> Dom<'_> {
    let mut tb = TreeBuilder::new_document(opts);
    tb.reserve_for_input(html.len());
    if memchr::memchr(0, html.as_bytes()).is_none() {
        tb.input_has_no_nul();
    }
    run::<false>(html, &mut Tokenizer::new(html), &mut tb, |_, _| false);
    tb.finish()
}

/// Parse `html` as a fragment in `context` (the sanitizer's is `<div>`).
pub fn parse_fragment(html: &str, context: ContextElement, opts: Opts) -> Dom<'_> {
    fragment::<false>(html, context, opts, |_, _| false)
}

/// [`parse_fragment`], where every start or end tag for which `escape(name, source)` is
/// true reaches the tree builder as characters: its source text, `<` to `>` as written.
/// So does a tag the end of the input cuts off (which the standard drops) if `escape`
/// picks it. The tree builder never sees such a tag: it opens, closes and switches the
/// tokenizer to nothing, exactly as if the input had `&lt;` for its `<` and `&amp;` for
/// every `&` in it.
pub fn parse_fragment_escaping<'a>(
    html: &'a str,
    context: ContextElement,
    opts: Opts,
    escape: impl FnMut(&Name<'_>, &'a str) -> bool,
) -> Dom<'a> {
    fragment::<true>(html, context, opts, escape)
}

/// A fragment parse; `ESCAPES`: whether `escape` is asked at all (without, the token loop
/// is the plain one).
fn fragment<'a, const ESCAPES: bool>(
    html: &'a str,
    context: ContextElement,
    opts: Opts,
    escape: impl FnMut(&Name<'_>, &'a str) -> bool,
) -> Dom<'a> {
    let mut tb = TreeBuilder::new_fragment(context, opts);
    tb.reserve_for_input(html.len());
    if memchr::memchr(0, html.as_bytes()).is_none() {
        tb.input_has_no_nul();
    }
    let mut tok = Tokenizer::new(html);
    // The fragment algorithm sets the state by the context element but no "last start
    // tag": in a <script> or <textarea> context no end tag ends the text.
    tok.set_state(tb.initial_state());
    run::<ESCAPES>(html, &mut tok, &mut tb, escape);
    tb.finish()
}

/// A tag's source as a characters token: newlines normalized as the tokenizer does for
/// text (CR and CRLF to LF); a NUL stays, for the tree builder to treat as in any text.
fn source_text(source: &str) -> Text<'_> {
    if source.contains('\r') {
        Text::Owned(source.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Text::Borrowed(source)
    }
}

fn run<'a, const ESCAPES: bool>(
    html: &str,
    tok: &mut Tokenizer<'a>,
    tb: &mut TreeBuilder<'a>,
    mut escape: impl FnMut(&Name<'_>, &'a str) -> bool,
) {
    // The tokenizer asks only when it meets `<![CDATA[`; the answer depends on the tree as
    // built so far, so it is given before every token, unless the input has none.
    // One searcher for all parses: building one per parse costs more than a tiny input.
    static CDATA: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new(b"<![CDATA["));
    let cdata = CDATA.find(html.as_bytes()).is_some();
    loop {
        if cdata {
            tok.set_cdata_allowed(tb.cdata_allowed());
        }
        let mut token = tok.next_token();
        if ESCAPES {
            if let Token::StartTag(tag) | Token::EndTag(tag) = &mut token {
                if escape(&tag.name, tok.tag_source()) {
                    tok.recycle(std::mem::take(&mut tag.attrs));
                    token = Token::Characters(source_text(tok.tag_source()));
                }
            }
        }
        let eof = matches!(token, Token::Eof);
        if ESCAPES && eof {
            if let Some((name, source)) = tok.cut_tag() {
                if escape(&name, source) {
                    tb.process(Token::Characters(source_text(source)));
                }
            }
        }
        if let Some(state) = tb.process(token) {
            tok.set_state(state);
        }
        if eof {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::tree::serialize::to_test_format;
    use crate::parser::tree::Ns;

    fn fragment(html: &str, context: &str) -> String {
        let ctx = ContextElement {
            ns: Ns::Html,
            name: context.into(),
        };
        to_test_format(&parse_fragment(html, ctx, Opts::default()))
    }

    #[test]
    fn a_less_than_sign_at_the_end_of_escaped_script_is_text() {
        // Found by the tree-construction suite (tests16.dat): the tokenizer suite has no
        // case for it.
        assert_eq!(
            fragment("<script><!--<", "div"),
            "| <script>\n|   \"<!--<\"\n"
        );
    }

    /// The tree of `html` with every tag not named in `kept` escaped, and the sources of
    /// the escaped tags.
    fn escaped(html: &str, kept: &[&str]) -> (String, Vec<String>) {
        let mut seen = Vec::new();
        let dom = parse_fragment_escaping(html, ContextElement::div(), Opts::default(), |n, s| {
            let escape = !kept.contains(&&*n.text);
            if escape {
                seen.push(s.to_string());
            }
            escape
        });
        (to_test_format(&dom), seen)
    }

    #[test]
    fn an_escaped_tag_is_its_source_text() {
        let (tree, seen) = escaped(
            "<B>x<Blink Class='a&amp;b' hidden/>y</BLINK foo=\">\">z</b>",
            &["b"],
        );
        assert_eq!(
            tree,
            "| <b>\n|   \"x<Blink Class='a&amp;b' hidden/>y</BLINK foo=\">\">z\"\n"
        );
        assert_eq!(
            seen,
            ["<Blink Class='a&amp;b' hidden/>", "</BLINK foo=\">\">"]
        );
    }

    #[test]
    fn an_escaped_tag_switches_the_tokenizer_to_nothing() {
        for name in [
            "style",
            "textarea",
            "title",
            "xmp",
            "plaintext",
            "script",
            "noscript",
        ] {
            let html = format!("<{name}><b>x</b></{name}>");
            let (tree, _) = escaped(&html, &["b"]);
            assert_eq!(
                tree,
                format!("| \"<{name}>\"\n| <b>\n|   \"x\"\n| \"</{name}>\"\n"),
                "{name}"
            );
        }
    }

    #[test]
    fn an_escaped_tag_opens_closes_and_foster_parents_nothing() {
        // </p> and </br> escaped: no empty <p>, no <br>.
        assert_eq!(escaped("</p></br>", &[]).0, "| \"</p></br>\"\n");
        // Kept, they are the parser's as always.
        assert_eq!(escaped("</p></br>", &["p", "br"]).0, "| <p>\n| <br>\n");
        // An escaped </b> does not close the <b>; an escaped <td> opens no cell (its text
        // is table text, moved before the table).
        assert_eq!(
            escaped("<b>a</x>b</b>", &["b"]).0,
            "| <b>\n|   \"a</x>b\"\n"
        );
        assert_eq!(
            escaped("<table><td>x</table>", &["table"]).0,
            "| \"<td>x\"\n| <table>\n"
        );
    }

    #[test]
    fn escaping_in_foreign_content_goes_by_the_lowercased_name() {
        let (tree, seen) = escaped(
            "<svg><foreignObject><Blink/></foreignObject><svg:a></svg:a></svg>",
            &["svg", "foreignobject"],
        );
        assert_eq!(
            tree,
            "| <svg svg>\n|   <svg foreignObject>\n|     \"<Blink/>\"\n|   \"<svg:a></svg:a>\"\n"
        );
        assert_eq!(seen, ["<Blink/>", "<svg:a>", "</svg:a>"]);
    }

    #[test]
    fn a_tag_cut_off_by_the_end_is_escaped_only_when_picked() {
        // The standard drops it; escaped, it is text.
        assert_eq!(escaped("a<blink x='y", &[]).0, "| \"a<blink x='y\"\n");
        assert_eq!(escaped("a</blink", &[]).0, "| \"a</blink\"\n");
        assert_eq!(escaped("a<b c", &["b"]).0, "| \"a\"\n");
        // A kept end tag cut off in raw text stays the parser's: dropped, never text.
        assert_eq!(
            escaped("<style>a</style ", &["style"]).0,
            "| <style>\n|   \"a\"\n"
        );
    }

    #[test]
    fn escaped_text_has_its_newlines_normalized() {
        assert_eq!(escaped("<x\r\ny\rz>", &[]).0, "| \"<x\ny\nz>\"\n");
    }

    #[test]
    fn escaped_tags_do_not_count_toward_the_depth_limit() {
        let html = "<x>".repeat(2000) + "<b>deep</b>";
        let (tree, seen) = escaped(&html, &["b"]);
        assert_eq!(seen.len(), 2000);
        assert!(tree.ends_with("| <b>\n|   \"deep\"\n"), "{tree}");
    }

    #[test]
    fn no_end_tag_ends_a_raw_text_context() {
        // The fragment algorithm sets no last start tag, so `</script>` is text here.
        assert_eq!(fragment("a</script>b", "script"), "| \"a</script>b\"\n");
    }
}
