//! Our tokenizer driving our tree builder: the parser's entry points.

use std::sync::LazyLock;

use memchr::memmem;

use crate::parser::token::Token;
use crate::parser::tokenizer::Tokenizer;
use crate::parser::tree::{ContextElement, Dom, Opts, TreeBuilder};

/// Parse `html` as a whole document.
pub fn parse_document(html: &str, opts: Opts) -> Dom<'_> {
    let mut tb = TreeBuilder::new_document(opts);
    tb.reserve_for_input(html.len());
    if memchr::memchr(0, html.as_bytes()).is_none() {
        tb.input_has_no_nul();
    }
    run(html, &mut Tokenizer::new(html), &mut tb);
    tb.finish()
}

/// Parse `html` as a fragment in `context` (the sanitizer's is `<div>`).
pub fn parse_fragment(html: &str, context: ContextElement, opts: Opts) -> Dom<'_> {
    let mut tb = TreeBuilder::new_fragment(context, opts);
    tb.reserve_for_input(html.len());
    if memchr::memchr(0, html.as_bytes()).is_none() {
        tb.input_has_no_nul();
    }
    let mut tok = Tokenizer::new(html);
    // The fragment algorithm sets the state by the context element but no "last start
    // tag": in a <script> or <textarea> context no end tag ends the text.
    tok.set_state(tb.initial_state());
    run(html, &mut tok, &mut tb);
    tb.finish()
}

fn run<'a>(html: &str, tok: &mut Tokenizer<'a>, tb: &mut TreeBuilder<'a>) {
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
        let token = tok.next_token();
        let eof = matches!(token, Token::Eof);
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

/// The parse alone against html5ever's (through the ammonia engine's parse), for profiling:
/// `HTMLGUARD_PARSE_CORPUS=docs.jsonl` (one JSON string per line), then under callgrind
/// with `--toggle-collect=htmlguard::parser::parse::profile::parse_profile_ours` (or
/// `_html5ever`; a wildcard would also match the closures inside and toggle collection
/// off again): `cargo test --release --lib parse_profile -- --ignored --nocapture`.
#[cfg(test)]
pub(crate) mod profile {
    use super::*;

    /// The documents of `HTMLGUARD_PARSE_CORPUS` (one JSON string per line).
    pub(crate) fn corpus() -> Vec<String> {
        let path = std::env::var("HTMLGUARD_PARSE_CORPUS").expect("HTMLGUARD_PARSE_CORPUS");
        std::fs::read_to_string(path)
            .expect("the corpus")
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON string"))
            .collect()
    }

    #[inline(never)]
    fn parse_profile_ours(docs: &[String]) -> usize {
        docs.iter()
            .map(|d| {
                parse_fragment(d, ContextElement::div(), Opts::default())
                    .nodes
                    .len()
            })
            .sum()
    }

    #[inline(never)]
    fn parse_profile_html5ever(docs: &[String]) -> usize {
        docs.iter()
            .map(|d| {
                let f = crate::engine::parse::parse_fragment(d, crate::html::MAX_DEPTH);
                let n = f.root().children.borrow().len();
                n
            })
            .sum()
    }

    #[test]
    #[ignore]
    fn parse_profile() {
        let docs = corpus();
        let bytes: usize = docs.iter().map(String::len).sum();
        for (name, f) in [
            ("ours", parse_profile_ours as fn(&[String]) -> usize),
            ("html5ever", parse_profile_html5ever),
        ] {
            let t = std::time::Instant::now();
            let n = f(&docs);
            let s = t.elapsed().as_secs_f64();
            println!(
                "{name}: {bytes} bytes, {n} nodes, {:.1} MB/s",
                bytes as f64 / s / 1e6
            );
        }
    }
}
