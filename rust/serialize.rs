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

use crate::policy::ValueRules;

#[derive(Clone, Copy, Debug)]
pub struct Options<'a> {
    /// Elements deeper than this are unwrapped (their content is kept).
    pub max_depth: usize,
    /// Absolute links get `target="_blank"` and `noopener` in `rel`.
    pub target_blank: bool,
    /// Attribute values failing these rules are left out. Applied here rather than as
    /// ammonia's attribute filter because ammonia removes filtered attributes with
    /// `swap_remove`, which reorders the rest, so a second pass would reorder them again.
    pub rules: Option<&'a ValueRules>,
}

#[doc(hidden)]
pub fn is_void(name: &QualName) -> bool {
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
#[doc(hidden)]
pub fn is_raw_text(name: &QualName) -> bool {
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
#[doc(hidden)]
pub fn moves_text(name: &QualName) -> bool {
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

/// Elements whose start tag closes an open `<p>` (the parser's "close a p element").
fn closes_p(c: &str) -> bool {
    matches!(
        c,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "header"
            | "hgroup"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "search"
            | "section"
            | "summary"
            | "ul"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "pre"
            | "listing"
            | "form"
            | "plaintext"
            | "table"
            | "hr"
            | "xmp"
            | "li"
            | "dd"
            | "dt"
    )
}

fn is_heading(c: &str) -> bool {
    matches!(c, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Scope boundaries of the parser's "has an element in scope" (HTML namespace part).
fn scope_boundary(c: &str) -> bool {
    matches!(
        c,
        "applet" | "caption" | "html" | "table" | "td" | "th" | "marquee" | "object" | "template"
    )
}

/// The parser's "special" elements, as far as the list-item rules need them.
fn special(c: &str) -> bool {
    scope_boundary(c)
        || matches!(
            c,
            "address"
                | "article"
                | "aside"
                | "blockquote"
                | "center"
                | "details"
                | "dir"
                | "div"
                | "dl"
                | "fieldset"
                | "figcaption"
                | "figure"
                | "footer"
                | "form"
                | "header"
                | "hgroup"
                | "li"
                | "dd"
                | "dt"
                | "main"
                | "menu"
                | "nav"
                | "ol"
                | "p"
                | "pre"
                | "section"
                | "summary"
                | "ul"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "select"
                | "tbody"
                | "thead"
                | "tfoot"
                | "tr"
                | "textarea"
                | "title"
        )
}

/// Start tags that leave foreign (SVG/MathML) content.
fn breaks_out_of_foreign(c: &str) -> bool {
    matches!(
        c,
        "b" | "big"
            | "blockquote"
            | "body"
            | "br"
            | "center"
            | "code"
            | "dd"
            | "div"
            | "dl"
            | "dt"
            | "em"
            | "embed"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "head"
            | "hr"
            | "i"
            | "img"
            | "li"
            | "listing"
            | "menu"
            | "meta"
            | "nobr"
            | "ol"
            | "p"
            | "pre"
            | "ruby"
            | "s"
            | "small"
            | "span"
            | "strong"
            | "strike"
            | "sub"
            | "sup"
            | "table"
            | "tt"
            | "u"
            | "ul"
            | "var"
            | "font"
    )
}

/// Would the HTML parser, reading `child`'s start tag with `open` as the stack of open
/// elements, build anything other than `child` as the last element's child? If so the
/// serialized output does not parse back to the same tree (ammonia's unwrapping of removed
/// elements can produce such trees, e.g. `<p>` directly inside `<p>`).
#[doc(hidden)]
pub fn misnested(child: &QualName, open: &[QualName]) -> bool {
    let Some(parent) = open.last() else {
        return table_part(&child.local)
            || child.ns != ns!(html)
                && child.local != local_name!("svg")
                && child.local != local_name!("math");
    };
    let foreign_parent = parent.ns != ns!(html);
    if child.ns != ns!(html) {
        // A foreign element must sit in foreign content of its own kind, or be its root.
        return !(foreign_parent
            || child.local == local_name!("svg")
            || child.local == local_name!("math"));
    }
    let c: &str = &child.local;
    if open.iter().any(|e| e.ns != ns!(html)) {
        // HTML inside SVG/MathML: only sound right under an integration point, and never
        // for the elements that break out of foreign content.
        let integration = matches!(
            &*parent.local,
            "foreignObject"
                | "desc"
                | "title"
                | "mi"
                | "mo"
                | "mn"
                | "ms"
                | "mtext"
                | "annotation-xml"
        );
        if breaks_out_of_foreign(c) || (foreign_parent && !integration) {
            return true;
        }
    }
    let p: &str = &parent.local;
    if parent.ns == ns!(html) {
        // Table structure: anything else is moved out (foster parenting) or implied.
        let allowed_in = |allowed: &[&str]| !allowed.contains(&c);
        match p {
            "table" => return allowed_in(&["caption", "colgroup", "tbody", "thead", "tfoot"]),
            "tbody" | "thead" | "tfoot" => return allowed_in(&["tr"]),
            "tr" => return allowed_in(&["td", "th"]),
            "colgroup" => return allowed_in(&["col"]),
            "select" | "option" | "optgroup"
                if !matches!(c, "option" | "optgroup" | "hr") || (p == "option" && c != "hr") =>
            {
                return true;
            }
            _ => {}
        }
        if table_part(c) {
            return true;
        }
        if is_heading(c) && is_heading(p) {
            return true;
        }
        if matches!(c, "rb" | "rtc" | "rp" | "rt") && matches!(p, "rb" | "rp" | "rt" | "rtc") {
            return true;
        }
        if matches!(
            p,
            "script"
                | "style"
                | "xmp"
                | "iframe"
                | "noembed"
                | "noframes"
                | "noscript"
                | "textarea"
                | "title"
                | "plaintext"
        ) {
            return true;
        }
    }
    if matches!(c, "html" | "head" | "body" | "frameset" | "frame") {
        return true;
    }
    let html_open = || {
        open.iter()
            .rev()
            .filter(|e| e.ns == ns!(html))
            .map(|e| &*e.local)
    };
    let in_scope = |name: &str, extra: &[&str]| {
        for e in html_open() {
            if e == name {
                return true;
            }
            if scope_boundary(e) || extra.contains(&e) {
                return false;
            }
        }
        false
    };
    if closes_p(c) && in_scope("p", &["button"]) {
        return true;
    }
    let list_item = |names: &[&str]| {
        for e in html_open() {
            if names.contains(&e) {
                return true;
            }
            if special(e) && !matches!(e, "address" | "div" | "p") {
                return false;
            }
        }
        false
    };
    if (c == "li" && list_item(&["li"])) || (matches!(c, "dd" | "dt") && list_item(&["dd", "dt"])) {
        return true;
    }
    matches!(c, "select" | "input" | "textarea" | "keygen") && html_open().any(|e| e == "select")
}

/// Elements that cannot nest in themselves and that the parser untangles with the
/// adoption agency algorithm, which may need many passes to settle. Writing the inner
/// element's content without its tags gives the tree a browser ends up with anyway.
#[doc(hidden)]
pub fn self_nested(child: &QualName, open: &[QualName]) -> bool {
    if child.ns != ns!(html) {
        return false;
    }
    let html_open = || {
        open.iter()
            .rev()
            .filter(|e| e.ns == ns!(html))
            .map(|e| &*e.local)
    };
    match &*child.local {
        "a" => html_open()
            .take_while(|e| {
                !matches!(
                    *e,
                    "td" | "th" | "caption" | "marquee" | "object" | "applet" | "template"
                )
            })
            .any(|e| e == "a"),
        "form" => html_open().any(|e| e == "form"),
        name @ ("nobr" | "button") => html_open()
            .take_while(|e| !scope_boundary(e))
            .any(|e| e == name),
        _ => false,
    }
}

/// Parts of a table, which the parser only accepts inside the right table element.
fn table_part(c: &str) -> bool {
    matches!(
        c,
        "caption" | "colgroup" | "col" | "tbody" | "thead" | "tfoot" | "tr" | "td" | "th"
    )
}

/// Text that the parser would move out of this element.
#[doc(hidden)]
pub fn text_misplaced(parent: Option<&QualName>, text: &str) -> bool {
    match parent {
        Some(p) if p.ns == ns!(html) => {
            matches!(
                &*p.local,
                "table" | "tbody" | "thead" | "tfoot" | "tr" | "colgroup"
            ) && !text
                .chars()
                .all(|c| matches!(c, ' ' | '\t' | '\n' | '\x0c' | '\r'))
        }
        _ => false,
    }
}

/// Bytes that may need escaping in text (`[0]`) and in attribute values (`[1]`): a table
/// lets the loop skip ordinary bytes with one load and test each.
const SPECIAL: [[bool; 256]; 2] = {
    let mut t = [[false; 256]; 2];
    let mut k = 0;
    while k < 2 {
        t[k][b'&' as usize] = true;
        t[k][b'\r' as usize] = true;
        t[k][0xC2] = true;
        t[k][b'<' as usize] = true;
        t[k][b'>' as usize] = true;
        k += 1;
    }
    t[1][b'"' as usize] = true;
    t
};

/// Append `text` escaped for a text node (`attr` false) or a double-quoted attribute value.
pub fn escape_into(out: &mut String, text: &str, attr: bool) {
    let bytes = text.as_bytes();
    let special = &SPECIAL[attr as usize];
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !special[bytes[i] as usize] {
            i += 1;
            continue;
        }
        let rep = match bytes[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if attr => "&quot;",
            // A raw CR would come back as LF (the parser normalises newlines), so the
            // output would change on a second pass; html5ever writes it raw.
            b'\r' => "&#13;",
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
    let kept: Vec<&Attribute>;
    let attrs: Vec<&Attribute> = match opts.rules {
        Some(rules) => {
            kept = attrs
                .iter()
                .filter(|a| rules.check(&name.local, &a.name.local, &a.value).is_ok())
                .collect();
            kept
        }
        None => attrs.iter().collect(),
    };
    let new_tab = opts.target_blank
        && name.ns == ns!(html)
        && name.local == local_name!("a")
        && attrs
            .iter()
            .any(|a| a.name.local == local_name!("href") && is_absolute(&a.value));
    if !new_tab {
        for a in &attrs {
            write_attr(out, &a.name, &a.value);
        }
    } else {
        let mut has_rel = false;
        for a in &attrs {
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

/// Serialized HTML, and whether parsing it again would build a different tree.
pub struct Serialized {
    pub html: String,
    pub misnested: bool,
}

/// Serialize the children of `root` (the fragment's `<html>` element).
pub fn serialize_children(root: &Handle, opts: &Options) -> String {
    serialize(root, opts).html
}

/// Serialize the children of `root`, noting trees that would not survive a round trip.
pub fn serialize(root: &Handle, opts: &Options) -> Serialized {
    let mut out = String::new();
    let mut open: Vec<QualName> = Vec::new();
    let mut misplaced = false;
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
                open.pop();
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
                if depth > opts.max_depth || self_nested(name, &open) {
                    // Too deep, or an <a> inside an <a>: unwrap. Children take its place.
                    ops.extend(children.iter().rev().map(|c| Op::Open {
                        node: c.clone(),
                        depth,
                        raw,
                        keep_text,
                    }));
                    continue;
                }
                misplaced = misplaced || misnested(name, &open);
                write_start_tag(&mut out, name, &attrs.borrow(), opts);
                if is_void(name) {
                    continue;
                }
                // The parser drops a newline right after <pre>, <textarea> or <listing>, so
                // one that belongs to the content needs another in front of it.
                if name.ns == ns!(html)
                    && matches!(
                        name.local,
                        local_name!("pre") | local_name!("textarea") | local_name!("listing")
                    )
                    && matches!(children.first().map(|c| &c.data), Some(NodeData::Text { contents }) if contents.borrow().starts_with('\n'))
                {
                    out.push('\n');
                }
                open.push(name.clone());
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
                misplaced = misplaced || text_misplaced(open.last(), &text);
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
    // The parser discards a byte-order mark at the very start of its input.
    if out.starts_with('\u{feff}') {
        out.replace_range(..3, "&#xFEFF;");
    }
    Serialized {
        html: out,
        misnested: misplaced,
    }
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
        rules: None,
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
    fn leading_newline_in_pre_and_leading_bom_survive() {
        let f = parse_fragment("<pre>\n\nx</pre>", usize::MAX);
        assert_eq!(serialize_children(&f.root(), &PLAIN), "<pre>\n\nx</pre>");
        let f = parse_fragment("&#xfeff;x", usize::MAX);
        assert_eq!(serialize_children(&f.root(), &PLAIN), "&#xFEFF;x");
    }

    #[test]
    fn carriage_returns_survive_a_round_trip() {
        let f = parse_fragment("a&#13;b<b title=\"x&#13;y\">c</b>", usize::MAX);
        let out = serialize_children(&f.root(), &PLAIN);
        assert_eq!(out, "a&#13;b<b title=\"x&#13;y\">c</b>");
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
            rules: None,
        };
        assert_eq!(serialize_children(&f.root(), &opts), "<b><b>x</b></b>");
        let f = parse_fragment(&"<table><td>x".repeat(3), usize::MAX);
        // The cell at the limit keeps the text of the unwrapped tables inside it...
        let out = serialize_children(
            &f.root(),
            &Options {
                max_depth: 4,
                target_blank: false,
                rules: None,
            },
        );
        assert_eq!(out, "<table><tbody><tr><td>xxx</td></tr></tbody></table>");
        // ...but a row would push text out of the table when parsed again, so it drops it.
        let out = serialize_children(
            &f.root(),
            &Options {
                max_depth: 3,
                target_blank: false,
                rules: None,
            },
        );
        assert_eq!(out, "<table><tbody><tr></tr></tbody></table>");
    }

    #[test]
    fn target_blank_on_absolute_links() {
        let opts = Options {
            max_depth: usize::MAX,
            target_blank: true,
            rules: None,
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
