//! The depth-bounded parse of the html5ever engine.
//!
//! The input is parsed as an HTML fragment in a `<div>` context (as ammonia parses it),
//! with a filter between html5ever's tokenizer and its tree builder. html5ever's tree
//! builder does work proportional to the stack of open elements for many tokens, so its run
//! time is quadratic in nesting depth. The filter keeps a model stack of open elements that
//! is never smaller than the parser's (a start tag pushes, void elements excepted; an end
//! tag pops only when it names the element on top; a `<p>` or `<li>` closes one on top),
//! and drops every start tag that would open an element deeper than the limit: the
//! element's markup goes, its text stays, as Chromium flattens a too-deep tree.
//! Tokenization stays exact because the real tree builder still answers the tokenizer's
//! questions (raw text, CDATA).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write;

use ammonia::rcdom::{Handle, NodeData, RcDom};
use html5ever::buffer_queue::BufferQueue;
use html5ever::local_name;
use html5ever::ns;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{create_element, TreeBuilder, TreeBuilderOpts};
use html5ever::TokenizerResult;
use html5ever::{LocalName, QualName};

use crate::html::attrs::{limit_attributes, MAX_ATTRIBUTES};
use crate::html::MAX_DEPTH;

fn is_void(name: &LocalName) -> bool {
    // Atoms compare as integers.
    matches!(
        *name,
        local_name!("area")
            | local_name!("base")
            | local_name!("br")
            | local_name!("col")
            | local_name!("embed")
            | local_name!("hr")
            | local_name!("img")
            | local_name!("input")
            | local_name!("link")
            | local_name!("meta")
            | local_name!("source")
            | local_name!("track")
            | local_name!("wbr")
            | local_name!("param")
            | local_name!("keygen")
            | local_name!("frame")
            | local_name!("basefont")
            | local_name!("bgsound")
            | local_name!("image")
    )
}

/// Start tags removed because they were nested too deep.
#[derive(Debug, Default)]
pub struct Dropped {
    pub count: usize,
    /// How many of each tag name were dropped, for reports.
    pub by_name: BTreeMap<String, usize>,
}

struct DepthFilter {
    tb: TreeBuilder<Handle, RcDom>,
    stack: RefCell<Vec<LocalName>>,
    dropped: RefCell<Dropped>,
    limit: usize,
}

impl DepthFilter {
    /// Returns false when the tag must not reach the tree builder.
    fn admit(&self, tag: &Tag) -> bool {
        let mut stack = self.stack.borrow_mut();
        match tag.kind {
            TagKind::EndTag => {
                if stack.last() == Some(&tag.name) {
                    stack.pop();
                }
                true
            }
            TagKind::StartTag => {
                if is_void(&tag.name) {
                    return true;
                }
                if matches!(tag.name, local_name!("p") | local_name!("li"))
                    && stack.last() == Some(&tag.name)
                {
                    stack.pop();
                }
                if stack.len() >= self.limit {
                    let mut d = self.dropped.borrow_mut();
                    d.count += 1;
                    *d.by_name.entry(tag.name.to_string()).or_default() += 1;
                    return false;
                }
                stack.push(tag.name.clone());
                true
            }
        }
    }
}

impl TokenSink for DepthFilter {
    type Handle = Handle;

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<Handle> {
        if let Token::TagToken(ref tag) = token {
            if !self.admit(tag) {
                return TokenSinkResult::Continue;
            }
        }
        self.tb.process_token(token, line_number)
    }

    fn end(&self) {
        self.tb.end()
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.tb
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// A parsed fragment: `root` is the `<html>` element whose children are the fragment.
pub struct Fragment {
    pub dom: RcDom,
    pub dropped: Dropped,
}

impl Fragment {
    pub fn root(&self) -> Handle {
        self.dom.document.children.borrow()[0].clone()
    }

    /// Serialize the fragment as parsed.
    pub fn to_html(&self) -> String {
        crate::html::serialize::serialize_children(&self.root())
    }
}

/// Parse `html` as ammonia does, dropping start tags nested deeper than `limit`.
pub fn parse_fragment(html: &str, limit: usize) -> Fragment {
    let sink = RcDom::default();
    let context = create_element(
        &sink,
        QualName::new(None, ns!(html), local_name!("div")),
        vec![],
    );
    let tb = TreeBuilder::new_for_fragment(sink, context, None, TreeBuilderOpts::default());
    let opts = TokenizerOpts {
        initial_state: Some(tb.tokenizer_state_for_context_elem(false)),
        ..Default::default()
    };
    let filter = DepthFilter {
        tb,
        stack: RefCell::new(Vec::new()),
        dropped: RefCell::new(Dropped::default()),
        limit,
    };
    let tokenizer = Tokenizer::new(filter, opts);
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    // The input is already text: a <meta charset> (an encoding indicator) or a script
    // pause changes nothing, and the rest of the input must still be read.
    while !matches!(tokenizer.feed(&input), TokenizerResult::Done) {}
    tokenizer.end();
    let filter = tokenizer.sink;
    Fragment {
        dropped: filter.dropped.into_inner(),
        dom: filter.tb.sink,
    }
}

/// Parse with the default depth and attribute limits.
pub fn parse(html: &str) -> Fragment {
    parse_fragment(&limit_attributes(html, MAX_ATTRIBUTES), MAX_DEPTH)
}

/// `node`'s children in the html5lib test format, as `parser::tree::serialize` writes our
/// parser's trees: what the parser differential and the browser check compare.
pub fn test_format(node: &Handle) -> String {
    let mut out = String::new();
    write_test_format(node, 0, &mut out);
    out
}

/// Recursive: the ammonia engine's parse is bounded to `MAX_DEPTH` (the exploratory
/// differential's unbounded soups are at most 40 tokens).
fn write_test_format(node: &Handle, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    for child in node.children.borrow().iter() {
        match &child.data {
            NodeData::Text { contents } => {
                let _ = writeln!(out, "| {indent}\"{}\"", contents.borrow());
            }
            NodeData::Comment { contents } => {
                let _ = writeln!(out, "| {indent}<!-- {contents} -->");
            }
            NodeData::Element {
                name,
                attrs,
                template_contents,
                ..
            } => {
                let prefix = match name.ns {
                    ns!(svg) => "svg ",
                    ns!(mathml) => "math ",
                    _ => "",
                };
                let _ = writeln!(out, "| {indent}<{prefix}{}>", name.local);
                let mut sorted: Vec<(String, String)> = attrs
                    .borrow()
                    .iter()
                    .map(|a| {
                        let p = match a.name.ns {
                            ns!(xlink) => "xlink ",
                            ns!(xml) => "xml ",
                            ns!(xmlns) => "xmlns ",
                            _ => "",
                        };
                        (format!("{p}{}", a.name.local), a.value.to_string())
                    })
                    .collect();
                sorted.sort();
                for (n, v) in sorted {
                    let _ = writeln!(out, "| {indent}  {n}=\"{v}\"");
                }
                if let Some(contents) = template_contents.borrow().as_ref() {
                    let _ = writeln!(out, "| {indent}  content");
                    write_test_format(contents, depth + 2, out);
                }
                write_test_format(child, depth + 1, out);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shallow_input_round_trips() {
        let f = parse("<b>bold</b> <i>it</i>");
        assert_eq!(f.dropped.count, 0);
        assert_eq!(f.to_html(), "<b>bold</b> <i>it</i>");
    }

    #[test]
    fn deep_input_is_flattened_past_the_limit() {
        let n = 2000;
        let html = "<div>".repeat(n) + "x" + &"</div>".repeat(n);
        let f = parse_fragment(&html, 10);
        assert_eq!(f.dropped.count, n - 10);
        let out = f.to_html();
        assert_eq!(out, "<div>".repeat(10) + "x" + &"</div>".repeat(10));
    }

    #[test]
    fn million_deep_nesting_finishes() {
        let html = "<div>".repeat(1_000_000);
        let f = parse(&html);
        assert_eq!(f.dropped.count, 1_000_000 - MAX_DEPTH);
    }

    #[test]
    fn a_meta_charset_does_not_end_the_input() {
        let f = parse("<meta charset=x-mac-farsi>after<b>x</b>");
        assert_eq!(f.to_html(), "<meta charset=\"x-mac-farsi\">after<b>x</b>");
    }

    #[test]
    fn foreign_content_is_tokenized_exactly() {
        // CDATA is only a CDATA section inside <svg>; the filter must not break that.
        let f = parse("<svg><![CDATA[<b>]]></svg><b>x</b>");
        assert_eq!(f.to_html(), "<svg>&lt;b&gt;</svg><b>x</b>");
    }
}
