//! Plain text out of HTML.

use ammonia::rcdom::NodeData;

use crate::engine::parse::parse;

/// Elements whose content is code or another document, not text a reader sees.
const HIDDEN: &[&str] = &[
    "script", "style", "template", "noscript", "iframe", "noembed", "noframes", "object",
];

/// The text content of `html` (character references decoded, markup and comments gone,
/// script and style content dropped), as plain text, not HTML.
pub fn strip_tags(html: &str) -> String {
    let fragment = parse(html);
    let mut out = String::with_capacity(html.len());
    let mut stack = vec![fragment.root()];
    while let Some(node) = stack.pop() {
        match &node.data {
            NodeData::Text { contents } => out.push_str(&contents.borrow()),
            NodeData::Element { name, .. } if HIDDEN.contains(&&*name.local) => continue,
            _ => {}
        }
        stack.extend(node.children.borrow().iter().rev().cloned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::strip_tags;

    #[test]
    fn text_content_only() {
        assert_eq!(
            strip_tags("<p>a &amp; <b>b</b></p><script>x()</script><!-- c -->&lt;d&gt;"),
            "a & b<d>"
        );
    }
}
