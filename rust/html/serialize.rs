//! HTML serialization: how elements, attributes, text and comments are written. It only
//! writes what it is given; every decision about what to write is the sanitizing walk's
//! (`engine/walk.rs`).
//!
//! Written here rather than taken from html5ever because html5ever 0.40's escaper is
//! quadratic on ordinary text (see `escape.rs`). The output is byte-identical to
//! html5ever's serializer (checked by the tests against html5ever itself).

use ammonia::rcdom::{Handle, NodeData};

use crate::html::element::{AttrName, Class, Name};
use crate::html::escape::escape_into;
use crate::html::shape::{is_raw_text, is_void};
use crate::parser::tree::dom::{AttrNs, Ns};

/// `name` as an attribute name, with the prefix of its namespace.
pub fn attr_name(out: &mut String, name: AttrName<'_>) {
    match name.ns {
        AttrNs::Xml => out.push_str("xml:"),
        AttrNs::Xmlns if name.local != "xmlns" => out.push_str("xmlns:"),
        AttrNs::XLink => out.push_str("xlink:"),
        _ => {}
    }
    out.push_str(name.local);
}

pub fn attr(out: &mut String, name: AttrName<'_>, value: &str) {
    out.push(' ');
    attr_name(out, name);
    out.push_str("=\"");
    escape_into(out, value, true);
    out.push('"');
}

/// `<local attrs…>`.
pub fn start_tag<'a>(
    out: &mut String,
    local: &str,
    attrs: impl IntoIterator<Item = (AttrName<'a>, &'a str)>,
) {
    out.push('<');
    out.push_str(local);
    for (n, v) in attrs {
        attr(out, n, v);
    }
    out.push('>');
}

pub fn end_tag(out: &mut String, local: &str) {
    out.push_str("</");
    out.push_str(local);
    out.push('>');
}

/// A text node; `raw` inside elements whose text the parser does not decode.
pub fn text(out: &mut String, text: &str, raw: bool) {
    if raw {
        out.push_str(text);
    } else {
        escape_into(out, text, false);
    }
}

pub fn comment(out: &mut String, contents: &str) {
    out.push_str("<!--");
    out.push_str(contents);
    out.push_str("-->");
}

/// The parser drops a newline right after `<pre>`, `<textarea>` or `<listing>`, so one that
/// belongs to the content needs another in front of it.
pub fn eats_leading_newline(name: Name<'_>) -> bool {
    name.ns == Ns::Html && name.class.has(Class::EATS_NEWLINE)
}

pub(crate) fn eats_newline_name(c: &str) -> bool {
    matches!(c, "pre" | "textarea" | "listing")
}

/// The parser discards a byte-order mark at the very start of its input, so a leading one
/// in the output is written as a reference.
pub fn protect_leading_bom(out: &mut String) {
    if out.starts_with('\u{feff}') {
        out.replace_range(..3, "&#xFEFF;");
    }
}

/// The children of `root` (a parsed fragment's `<html>` element), written as they are.
pub fn serialize_children(root: &Handle) -> String {
    enum Op {
        Node(Handle, bool),
        Close(String),
    }
    let mut out = String::new();
    // Explicit stack: trees can be deep, and the caller's stack is not ours to spend.
    let mut ops: Vec<Op> = root
        .children
        .borrow()
        .iter()
        .rev()
        .map(|c| Op::Node(c.clone(), false))
        .collect();
    while let Some(op) = ops.pop() {
        let (node, raw) = match op {
            Op::Close(name) => {
                end_tag(&mut out, &name);
                continue;
            }
            Op::Node(node, raw) => (node, raw),
        };
        match &node.data {
            NodeData::Element { name, attrs, .. } => {
                let attrs = attrs.borrow();
                let attrs = attrs.iter().map(|a| (AttrName::of(&a.name), &*a.value));
                start_tag(&mut out, &name.local, attrs);
                let name = Name::of(name);
                if is_void(name) {
                    continue;
                }
                let children = node.children.borrow();
                if eats_leading_newline(name)
                    && matches!(children.first().map(|c| &c.data), Some(NodeData::Text { contents }) if contents.borrow().starts_with('\n'))
                {
                    out.push('\n');
                }
                ops.push(Op::Close(name.local.to_string()));
                let raw = is_raw_text(name);
                ops.extend(children.iter().rev().map(|c| Op::Node(c.clone(), raw)));
            }
            NodeData::Text { contents } => text(&mut out, &contents.borrow(), raw),
            NodeData::Comment { contents } => comment(&mut out, contents),
            NodeData::Doctype { name, .. } => {
                out.push_str("<!DOCTYPE ");
                out.push_str(name);
                out.push('>');
            }
            NodeData::ProcessingInstruction { target, contents } => {
                out.push_str("<?");
                out.push_str(target);
                out.push(' ');
                out.push_str(contents);
                out.push('>');
            }
            NodeData::Document => {}
        }
    }
    protect_leading_bom(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::parse::parse_fragment;
    use ammonia::rcdom::SerializableHandle;
    use html5ever::serialize::{serialize, SerializeOpts};

    fn html5ever_serialize(root: &Handle) -> String {
        let mut out = Vec::new();
        let h: SerializableHandle = root.clone().into();
        serialize(&mut out, &h, SerializeOpts::default()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn identical_to_html5ever() {
        let samples = [
            "plain & simple < > \u{a0} \"quoted\" 'single' ©",
            "<p class=\"a&quot;b\" title='x<y>z&amp;\u{a0}'>t</p>",
            "<br><img src=x alt=\"&\"><hr/><input value=1>",
            "<style>a > b { content: \"&\" }</style><script>if (a<b && c) {}</script>",
            "<xmp><b>&</b></xmp><noscript><b>&amp;</b></noscript><textarea>&lt;&amp;</textarea>",
            "<!-- a comment & stuff --><?pi x?><!DOCTYPE html>",
            "<svg><path d=\"M0 0\"/><foreignObject><p>x</p></foreignObject><a xlink:href=\"#a\">l</a></svg>",
            "<math><mi>x</mi><annotation-xml encoding=\"text/html\"><b>y</b></annotation-xml></math>",
            "<table><td>cell<tr><th>h</table><select><option>o &amp;</select>",
            "<template><b>t</b></template><iframe>&lt;b&gt;</iframe><plaintext><b>&",
            "<a href=\"https://x.org/?a=1&b=2\" xml:lang=\"en\">l</a>",
        ];
        for s in samples {
            let f = parse_fragment(s, usize::MAX);
            assert_eq!(
                serialize_children(&f.root()),
                html5ever_serialize(&f.root()),
                "{s}"
            );
        }
    }

    #[test]
    fn leading_newline_in_pre_and_leading_bom_survive() {
        let f = parse_fragment("<pre>\n\nx</pre>", usize::MAX);
        assert_eq!(serialize_children(&f.root()), "<pre>\n\nx</pre>");
        let f = parse_fragment("&#xfeff;x", usize::MAX);
        assert_eq!(serialize_children(&f.root()), "&#xFEFF;x");
    }

    #[test]
    fn carriage_returns_survive_a_round_trip() {
        let f = parse_fragment("a&#13;b<b title=\"x&#13;y\">c</b>", usize::MAX);
        let out = serialize_children(&f.root());
        assert_eq!(out, "a&#13;b<b title=\"x&#13;y\">c</b>");
    }
}
