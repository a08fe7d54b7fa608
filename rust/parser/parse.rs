//! Our tokenizer driving our tree builder: the parser's entry points.

use std::sync::LazyLock;

use memchr::memmem;

use crate::parser::token::{Name, Text, Token};
use crate::parser::tokenizer::{push_normalized, Tokenizer};
use crate::parser::tree::{ContextElement, Dom, Opts, TreeBuilder};

/// Parse `html` as a whole document.
pub fn parse_document(html: &str, opts: Opts) -> Dom<'_> {
    let mut tb = TreeBuilder::new_document(opts);
    tb.reserve_for_input(html.len());
    if memchr::memchr(0, html.as_bytes()).is_none() {
        tb.input_has_no_nul();
    }
    run::<false>(
        html,
        &mut Tokenizer::new(html),
        &mut tb,
        TagFilter::Drop,
        false,
        |_| false,
    );
    tb.finish()
}

/// Parse `html` as a fragment in `context` (the sanitizer's is `<div>`).
pub fn parse_fragment(html: &str, context: ContextElement, opts: Opts) -> Dom<'_> {
    fragment(html, context, opts, None, |_| false)
}

/// What becomes of a start or end tag the caller picks, before the tree builder sees it
/// (the policy's `disallowed="escape"` and `"drop"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagFilter {
    /// It reaches the tree builder as characters: its source text, `<` to `>` as written.
    /// So does a tag the end of the input cuts off (which the standard drops) if picked.
    Escape,
    /// It never reaches the tree builder: a start tag of a block-level element
    /// ([`breaks_line`]) after some earlier tag becomes a newline, where a browser would
    /// have broken the line, and any other an empty text (which, in body, reopens the
    /// formatting elements a `<p>` closed, as text does; see
    /// [`TreeBuilder::empty_text`]): bleach's `strip=True`, token for token.
    Drop,
}

/// Where a fragment parse with a [`TagFilter`] starts: `after_tag` when the input is a
/// piece of a larger document with tags before it (`html/split.rs` cuts after an end
/// tag), so that a dropped tag's newline comes out as it does in the whole.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FilterStart {
    pub after_tag: bool,
}

/// A start or end tag offered to a [`TagFilter`]'s picker.
pub struct Offered<'t, 'a> {
    /// Lowercased, as the tokenizer gives it.
    pub name: &'t Name<'t>,
    /// `<` to `>` as written (or to the end of the input, for a tag it cuts off).
    pub source: &'a str,
    pub end: bool,
}

/// [`parse_fragment`], where every start or end tag for which `pick` is true is treated as
/// `filter` says. The tree builder never sees such a tag: it opens, closes and switches
/// the tokenizer to nothing, exactly as if the input had `&lt;` for its `<` and `&amp;`
/// for every `&` in it (escape), or did not have it (drop).
pub fn parse_fragment_filtering<'a>(
    html: &'a str,
    context: ContextElement,
    opts: Opts,
    filter: TagFilter,
    start: FilterStart,
    pick: impl FnMut(Offered<'_, 'a>) -> bool,
) -> Dom<'a> {
    fragment(html, context, opts, Some((filter, start)), pick)
}

/// A fragment parse, filtering tags if `filter` is given (without, the token loop is the
/// plain one).
fn fragment<'a>(
    html: &'a str,
    context: ContextElement,
    opts: Opts,
    filter: Option<(TagFilter, FilterStart)>,
    pick: impl FnMut(Offered<'_, 'a>) -> bool,
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
    match filter {
        None => run::<false>(html, &mut tok, &mut tb, TagFilter::Drop, false, pick),
        Some((f, start)) => run::<true>(html, &mut tok, &mut tb, f, start.after_tag, pick),
    }
    tb.finish()
}

/// A tag's source as a characters token: newlines normalized as the tokenizer does for
/// text (CR and CRLF to LF); a NUL stays, for the tree builder to treat as in any text.
fn source_text(source: &str) -> Text<'_> {
    if source.contains('\r') {
        let mut out = String::with_capacity(source.len());
        push_normalized(&mut out, source, 0, source.len());
        Text::Owned(out)
    } else {
        Text::Borrowed(source)
    }
}

/// Whether a dropped start tag named `name` becomes a newline ([`TagFilter::Drop`]): the
/// block-level elements bleach's `strip=True` lists (`HTML_TAGS_BLOCK_LEVEL`).
pub fn breaks_line(name: &Name<'_>) -> bool {
    use crate::parser::tree::names::{classify_atom, T};
    matches!(
        classify_atom(name.atom),
        T::Address
            | T::Article
            | T::Aside
            | T::Blockquote
            | T::Details
            | T::Dialog
            | T::Dd
            | T::Div
            | T::Dl
            | T::Dt
            | T::Fieldset
            | T::Figcaption
            | T::Figure
            | T::Footer
            | T::Form
            | T::H1
            | T::H2
            | T::H3
            | T::H4
            | T::H5
            | T::H6
            | T::Header
            | T::Hgroup
            | T::Hr
            | T::Li
            | T::Main
            | T::Nav
            | T::Ol
            | T::P
            | T::Pre
            | T::Section
            | T::Table
            | T::Ul
    )
}

/// The token loop; `FILTERS`: whether `pick` is asked at all. `seen_tag`: whether a start
/// or end tag (kept or not) came before, for [`TagFilter::Drop`]'s newlines.
fn run<'a, const FILTERS: bool>(
    html: &str,
    tok: &mut Tokenizer<'a>,
    tb: &mut TreeBuilder<'a>,
    filter: TagFilter,
    mut seen_tag: bool,
    mut pick: impl FnMut(Offered<'_, 'a>) -> bool,
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
        if FILTERS {
            let end = matches!(token, Token::EndTag(_));
            if let Token::StartTag(tag) | Token::EndTag(tag) = &mut token {
                let after_tag = std::mem::replace(&mut seen_tag, true);
                let source = tok.tag_source();
                if pick(Offered {
                    name: &tag.name,
                    source,
                    end,
                }) {
                    tok.recycle(std::mem::take(&mut tag.attrs));
                    token = match filter {
                        TagFilter::Escape => Token::Characters(source_text(source)),
                        TagFilter::Drop if !end && after_tag && breaks_line(&tag.name) => {
                            // html5lib takes this newline as text that is not whitespace.
                            tb.empty_text();
                            Token::Characters(Text::Borrowed("\n"))
                        }
                        // An empty text, as bleach's tokenizer makes (not a token: the
                        // newline after a `<pre>` is still the next token's to lose).
                        TagFilter::Drop => {
                            tb.empty_text();
                            continue;
                        }
                    };
                }
            }
        }
        let eof = matches!(token, Token::Eof);
        if FILTERS && eof && filter == TagFilter::Escape {
            if let Some((name, source)) = tok.cut_tag() {
                let end = source.starts_with("</");
                if pick(Offered {
                    name: &name,
                    source,
                    end,
                }) {
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
        filtered(html, kept, TagFilter::Escape, FilterStart::default())
    }

    /// The tree of `html` with every tag not named in `kept` put through `filter`, and the
    /// sources of those tags.
    fn filtered(
        html: &str,
        kept: &[&str],
        filter: TagFilter,
        start: FilterStart,
    ) -> (String, Vec<String>) {
        let mut seen = Vec::new();
        let ctx = ContextElement::div();
        let dom = parse_fragment_filtering(html, ctx, Opts::default(), filter, start, |t| {
            let picked = !kept.contains(&&*t.name.text);
            if picked {
                seen.push(t.source.to_string());
            }
            picked
        });
        (to_test_format(&dom), seen)
    }

    /// The tree of `html` with every tag not named in `kept` dropped.
    fn dropped(html: &str, kept: &[&str]) -> String {
        filtered(html, kept, TagFilter::Drop, FilterStart::default()).0
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
    fn a_dropped_tag_is_as_if_the_input_did_not_have_it() {
        let (tree, seen) = filtered(
            "<B>a<Blink Class='x' hidden/>b</BLINK foo=\">\">c</b>",
            &["b"],
            TagFilter::Drop,
            FilterStart::default(),
        );
        assert_eq!(tree, "| <b>\n|   \"abc\"\n");
        assert_eq!(seen, ["<Blink Class='x' hidden/>", "</BLINK foo=\">\">"]);
    }

    #[test]
    fn a_dropped_tag_switches_the_tokenizer_to_nothing() {
        for name in [
            "style",
            "textarea",
            "title",
            "xmp",
            "plaintext",
            "script",
            "noscript",
            "iframe",
        ] {
            let html = format!("<{name}><b>x</b></{name}>y");
            assert_eq!(
                dropped(&html, &["b"]),
                "| <b>\n|   \"x\"\n| \"y\"\n",
                "{name}"
            );
        }
    }

    #[test]
    fn a_dropped_tag_opens_closes_and_foster_parents_nothing() {
        // A dropped <div> does not close the <p>; a dropped </p> makes no empty <p>.
        assert_eq!(
            dropped("<p>a<div>b</div>c</p>", &["p"]),
            "| <p>\n|   \"a\nbc\"\n"
        );
        assert_eq!(dropped("</p></br>", &[]), "");
        assert_eq!(dropped("</p></br>", &["p", "br"]), "| <p>\n| <br>\n");
        // A dropped </b> does not close the <b>; a dropped <table> moves nothing out of
        // the <b>, and makes no table text of what follows.
        assert_eq!(dropped("<b>a</x>b</b>", &["b"]), "| <b>\n|   \"ab\"\n");
        assert_eq!(
            dropped("<b><table>a<i>b</i></table></b>", &["b", "i"]),
            "| <b>\n|   \"\na\"\n|   <i>\n|     \"b\"\n"
        );
        // A dropped <svg> opens no foreign content.
        assert_eq!(dropped("<svg><p>a</p></svg>", &["p"]), "| <p>\n|   \"a\"\n");
    }

    #[test]
    fn a_dropped_block_level_start_tag_after_a_tag_is_a_newline() {
        // Not the first tag of the input; not an end tag; not an inline element.
        assert_eq!(
            dropped("x<div>a</div><DIV>b</div><span>c</span><p/>d", &[]),
            "| \"xa\nbc\nd\"\n"
        );
        // A kept tag counts as an earlier tag, and an end tag does too.
        assert_eq!(
            dropped("<b>a</b><li>b", &["b"]),
            "| <b>\n|   \"a\"\n| \"\nb\"\n"
        );
        assert_eq!(dropped("</x><ul>a", &[]), "| \"\na\"\n");
        // A piece cut after an end tag starts after a tag.
        let after = FilterStart { after_tag: true };
        assert_eq!(
            filtered("<h1>a", &[], TagFilter::Drop, after).0,
            "| \"\na\"\n"
        );
    }

    #[test]
    fn a_dropped_tag_reopens_formatting_elements_as_text_does() {
        // The <b> a </p> closed is reopened where the <blink> was, so the next <p> goes
        // in it (as in bleach); without a dropped tag there, it is reopened inside the <p>.
        assert_eq!(
            dropped("<p><b>x</p><blink></blink><p>y", &["p", "b"]),
            "| <p>\n|   <b>\n|     \"x\"\n| <b>\n|   <p>\n|     \"y\"\n"
        );
        assert_eq!(
            dropped("<p><b>x</p><p>y", &["p", "b"]),
            "| <p>\n|   <b>\n|     \"x\"\n| <p>\n|   <b>\n|     \"y\"\n"
        );
        // In a column group, as text there, it closes the group.
        assert_eq!(
            dropped(
                "<table><colgroup><x><col></table>",
                &["table", "colgroup", "col"]
            ),
            "| <table>\n|   <colgroup>\n|   <colgroup>\n|     <col>\n"
        );
    }

    #[test]
    fn a_dropped_tag_leaves_the_newline_after_pre_dropped() {
        // As if it were not there: the newline is still the one right after <pre>.
        assert_eq!(
            dropped("<pre><blink>\nx</pre>", &["pre"]),
            "| <pre>\n|   \"x\"\n"
        );
    }

    #[test]
    fn a_tag_cut_off_by_the_end_is_dropped() {
        assert_eq!(dropped("a<blink x='y", &[]), "| \"a\"\n");
        assert_eq!(dropped("a</blink", &[]), "| \"a\"\n");
    }

    #[test]
    fn dropped_tags_do_not_count_toward_the_depth_limit() {
        let html = "<x>".repeat(2000) + "<b>deep</b>";
        let tree = dropped(&html, &["b"]);
        assert_eq!(tree, "| <b>\n|   \"deep\"\n");
    }

    #[test]
    fn no_end_tag_ends_a_raw_text_context() {
        // The fragment algorithm sets no last start tag, so `</script>` is text here.
        assert_eq!(fragment("a</script>b", "script"), "| \"a</script>b\"\n");
    }
}
