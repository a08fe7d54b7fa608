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
    run(html, &mut Tokenizer::new(html), &mut tb, |_, _| false);
    tb.finish()
}

/// Parse `html` as a fragment in `context` (the sanitizer's is `<div>`).
pub fn parse_fragment(html: &str, context: ContextElement, opts: Opts) -> Dom<'_> {
    parse_fragment_escaping(html, context, opts, |_, _| false)
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
    let mut tb = TreeBuilder::new_fragment(context, opts);
    tb.reserve_for_input(html.len());
    if memchr::memchr(0, html.as_bytes()).is_none() {
        tb.input_has_no_nul();
    }
    let mut tok = Tokenizer::new(html);
    // The fragment algorithm sets the state by the context element but no "last start
    // tag": in a <script> or <textarea> context no end tag ends the text.
    tok.set_state(tb.initial_state());
    run(html, &mut tok, &mut tb, escape);
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

fn run<'a>(
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
        if let Token::StartTag(tag) | Token::EndTag(tag) = &mut token {
            if escape(&tag.name, tok.tag_source()) {
                tok.recycle(std::mem::take(&mut tag.attrs));
                token = Token::Characters(source_text(tok.tag_source()));
            }
        }
        let eof = matches!(token, Token::Eof);
        if eof {
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

    #[test]
    fn no_end_tag_ends_a_raw_text_context() {
        // The fragment algorithm sets no last start tag, so `</script>` is text here.
        assert_eq!(fragment("a</script>b", "script"), "| \"a</script>b\"\n");
    }
}
