//! HTML serialization of the cleaned DOM.
//!
//! Written here rather than taken from html5ever for three reasons:
//! - html5ever 0.40's escaper rescans the rest of a text node after every `&` or U+00A0,
//!   which is quadratic on ordinary text ("Fish & chips" repeated); this one is linear;
//! - the output depth limit: elements nested deeper than `max_depth` are unwrapped here, so
//!   the output obeys the limit exactly however the parser built the tree (implied
//!   `tbody`/`tr`, reconstructed formatting elements);
//! - `target_blank` needs to add attributes, which ammonia's filter cannot do.
//!
//! The output is byte-identical to html5ever's serializer when neither feature applies
//! (checked by the tests against html5ever itself).

use ammonia::rcdom::{Handle, NodeData};
use html5ever::{local_name, ns, Attribute, QualName};
use url::Url;

#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Elements deeper than this are unwrapped (their content is kept).
    pub max_depth: usize,
    /// Absolute links get `target="_blank"` and `noopener` in `rel`.
    pub target_blank: bool,
}

fn is_void(name: &QualName) -> bool {
    name.ns == ns!(html)
        && matches!(
            name.local,
            local_name!("area")
                | local_name!("base")
                | local_name!("basefont")
                | local_name!("bgsound")
                | local_name!("br")
                | local_name!("col")
                | local_name!("embed")
                | local_name!("frame")
                | local_name!("hr")
                | local_name!("img")
                | local_name!("input")
                | local_name!("keygen")
                | local_name!("link")
                | local_name!("meta")
                | local_name!("param")
                | local_name!("source")
                | local_name!("track")
                | local_name!("wbr")
        )
}

/// Elements whose text children are written unescaped (the parser reads them as raw text).
fn is_raw_text(name: &QualName) -> bool {
    name.ns == ns!(html)
        && matches!(
            name.local,
            local_name!("style")
                | local_name!("script")
                | local_name!("xmp")
                | local_name!("iframe")
                | local_name!("noembed")
                | local_name!("noframes")
                | local_name!("plaintext")
                | local_name!("noscript")
        )
}

/// Elements in which the parser moves text elsewhere (foster parenting). When a too-deep
/// subtree is unwrapped into one of these, its text is dropped instead, so that parsing the
/// output again gives the same tree (sanitizing stays idempotent).
fn moves_text(name: &QualName) -> bool {
    name.ns == ns!(html)
        && matches!(
            name.local,
            local_name!("table")
                | local_name!("tbody")
                | local_name!("thead")
                | local_name!("tfoot")
                | local_name!("tr")
                | local_name!("colgroup")
        )
}

/// Append `text` escaped for a text node (`attr` false) or a double-quoted attribute value.
pub fn escape_into(out: &mut String, text: &str, attr: bool) {
    let bytes = text.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        let rep = match bytes[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if attr => "&quot;",
            0xC2 if bytes.get(i + 1) == Some(&0xA0) => "&nbsp;",
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&text[last..i]);
        out.push_str(rep);
        i += if bytes[i] == 0xC2 { 2 } else { 1 };
        last = i;
    }
    out.push_str(&text[last..]);
}

fn attr_name(out: &mut String, name: &QualName) {
    match name.ns {
        ns!(xml) => out.push_str("xml:"),
        ns!(xmlns) if name.local != local_name!("xmlns") => out.push_str("xmlns:"),
        ns!(xlink) => out.push_str("xlink:"),
        _ => {}
    }
    out.push_str(&name.local);
}

fn is_absolute(href: &str) -> bool {
    let href = href.trim_matches(|c: char| c <= ' ');
    href.starts_with("//") || Url::parse(href).is_ok()
}

fn write_attr(out: &mut String, name: &QualName, value: &str) {
    out.push(' ');
    attr_name(out, name);
    out.push_str("=\"");
    escape_into(out, value, true);
    out.push('"');
}

fn write_start_tag(out: &mut String, name: &QualName, attrs: &[Attribute], opts: &Options) {
    out.push('<');
    out.push_str(&name.local);
    let new_tab = opts.target_blank
        && name.ns == ns!(html)
        && name.local == local_name!("a")
        && attrs
            .iter()
            .any(|a| a.name.local == local_name!("href") && is_absolute(&a.value));
    if !new_tab {
        for a in attrs {
            write_attr(out, &a.name, &a.value);
        }
    } else {
        let mut has_rel = false;
        for a in attrs {
            if a.name.local == local_name!("target") && a.name.ns == ns!() {
                continue;
            }
            if a.name.local == local_name!("rel") && a.name.ns == ns!() {
                has_rel = true;
                if a.value
                    .split_ascii_whitespace()
                    .any(|t| t.eq_ignore_ascii_case("noopener"))
                {
                    write_attr(out, &a.name, &a.value);
                } else {
                    write_attr(out, &a.name, &format!("{} noopener", a.value.trim_end()));
                }
                continue;
            }
            write_attr(out, &a.name, &a.value);
        }
        out.push_str(" target=\"_blank\"");
        if !has_rel {
            out.push_str(" rel=\"noopener\"");
        }
    }
    out.push('>');
}

enum Op {
    Open {
        node: Handle,
        depth: usize,
        raw: bool,
        keep_text: bool,
    },
    Close(QualName),
}

/// Serialize the children of `root` (the fragment's `<html>` element).
pub fn serialize_children(root: &Handle, opts: &Options) -> String {
    let mut out = String::new();
    // Explicit stack: trees can be deep, and the caller's stack is not ours to spend.
    let mut ops: Vec<Op> = root
        .children
        .borrow()
        .iter()
        .rev()
        .map(|c| Op::Open {
            node: c.clone(),
            depth: 1,
            raw: false,
            keep_text: true,
        })
        .collect();
    while let Some(op) = ops.pop() {
        let (node, depth, raw, keep_text) = match op {
            Op::Close(name) => {
                out.push_str("</");
                out.push_str(&name.local);
                out.push('>');
                continue;
            }
            Op::Open {
                node,
                depth,
                raw,
                keep_text,
            } => (node, depth, raw, keep_text),
        };
        match &node.data {
            NodeData::Element { name, attrs, .. } => {
                let children = node.children.borrow();
                if depth > opts.max_depth {
                    // Too deep: unwrap. Children take this element's place.
                    ops.extend(children.iter().rev().map(|c| Op::Open {
                        node: c.clone(),
                        depth,
                        raw,
                        keep_text,
                    }));
                    continue;
                }
                write_start_tag(&mut out, name, &attrs.borrow(), opts);
                if is_void(name) {
                    continue;
                }
                ops.push(Op::Close(name.clone()));
                let raw = is_raw_text(name);
                let keep_text = !(depth == opts.max_depth && moves_text(name));
                ops.extend(children.iter().rev().map(|c| Op::Open {
                    node: c.clone(),
                    depth: depth + 1,
                    raw,
                    keep_text,
                }));
            }
            NodeData::Text { contents } => {
                if !keep_text {
                    continue;
                }
                let text = contents.borrow();
                if raw {
                    out.push_str(&text);
                } else {
                    escape_into(&mut out, &text, false);
                }
            }
            NodeData::Comment { contents } => {
                out.push_str("<!--");
                out.push_str(contents);
                out.push_str("-->");
            }
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
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_fragment;
    use ammonia::rcdom::SerializableHandle;
    use html5ever::serialize::{serialize, SerializeOpts};

    const PLAIN: Options = Options {
        max_depth: usize::MAX,
        target_blank: false,
    };

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
                serialize_children(&f.root(), &PLAIN),
                html5ever_serialize(&f.root()),
                "{s}"
            );
        }
    }

    #[test]
    fn escaping_is_linear_and_correct() {
        let text = "Fish & chips \u{a0} ".repeat(200_000);
        let mut out = String::new();
        escape_into(&mut out, &text, false);
        assert_eq!(out, "Fish &amp; chips &nbsp; ".repeat(200_000));
    }

    #[test]
    fn too_deep_elements_are_unwrapped() {
        let f = parse_fragment(&("<b>".repeat(5) + "x"), usize::MAX);
        let opts = Options {
            max_depth: 2,
            target_blank: false,
        };
        assert_eq!(serialize_children(&f.root(), &opts), "<b><b>x</b></b>");
        let f = parse_fragment(&"<table><td>x".repeat(3), usize::MAX);
        // The cell at the limit keeps the text of the unwrapped tables inside it...
        let out = serialize_children(
            &f.root(),
            &Options {
                max_depth: 4,
                target_blank: false,
            },
        );
        assert_eq!(out, "<table><tbody><tr><td>xxx</td></tr></tbody></table>");
        // ...but a row would push text out of the table when parsed again, so it drops it.
        let out = serialize_children(
            &f.root(),
            &Options {
                max_depth: 3,
                target_blank: false,
            },
        );
        assert_eq!(out, "<table><tbody><tr></tr></tbody></table>");
    }

    #[test]
    fn target_blank_on_absolute_links() {
        let opts = Options {
            max_depth: usize::MAX,
            target_blank: true,
        };
        let cases = [
            (
                r#"<a href="https://x.org" rel="nofollow">x</a>"#,
                r#"<a href="https://x.org" rel="nofollow noopener" target="_blank">x</a>"#,
            ),
            (
                r#"<a href="//x.org">x</a>"#,
                r#"<a href="//x.org" target="_blank" rel="noopener">x</a>"#,
            ),
            (
                r#"<a href="https://x.org" target="_self" rel="noopener">x</a>"#,
                r#"<a href="https://x.org" rel="noopener" target="_blank">x</a>"#,
            ),
            (r#"<a href="/local">x</a>"#, r#"<a href="/local">x</a>"#),
            ("<a>x</a>", "<a>x</a>"),
        ];
        for (input, want) in cases {
            let f = parse_fragment(input, usize::MAX);
            assert_eq!(serialize_children(&f.root(), &opts), want, "{input}");
        }
    }
}
