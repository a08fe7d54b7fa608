//! The HTML parser's tree-shape rules, as far as the sanitizer needs them: which elements
//! are void or hold raw text, and which trees the parser would not build again from their
//! own serialization (so output that has one is sanitized another round).

use html5ever::{local_name, ns, QualName};

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

/// Elements the parser inserts by itself inside `parent` (a `<tr>` straight in a `<table>`
/// gets a `<tbody>`, a cell a `<tr>`, a `<col>` a `<colgroup>`): unwrapping one without
/// attributes changes nothing, since the next parse puts it back.
pub fn implied_by_parser(child: &QualName, parent: &QualName) -> bool {
    if child.ns != ns!(html) || parent.ns != ns!(html) {
        return false;
    }
    match &*child.local {
        "tbody" | "colgroup" => parent.local == local_name!("table"),
        "tr" => matches!(&*parent.local, "table" | "tbody" | "thead" | "tfoot"),
        _ => false,
    }
}
