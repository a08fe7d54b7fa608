//! The HTML parser's tree-shape rules, as far as the sanitizer needs them: which elements
//! are void or hold raw text, and which trees the parser would not build again from their
//! own serialization (so output that has one is sanitized another round).

use crate::html::element::{Class, Name, OwnedName};
use crate::parser::atoms::*;
use crate::parser::tree::dom::Ns;

pub fn is_void(name: Name<'_>) -> bool {
    name.ns == Ns::Html && name.class.has(Class::VOID)
}

/// Elements whose text children are written unescaped (the parser reads them as raw text).
pub fn is_raw_text(name: Name<'_>) -> bool {
    name.ns == Ns::Html && name.class.has(Class::RAW_TEXT)
}

/// Elements in which the parser moves text elsewhere (foster parenting). When a too-deep
/// subtree is unwrapped into one of these, its text is dropped instead, so that parsing the
/// output again gives the same tree (sanitizing stays idempotent).
pub fn moves_text(name: Name<'_>) -> bool {
    name.ns == Ns::Html && name.class.has(Class::MOVES_TEXT)
}

// The name lists (`element.rs` classifies every name by them once).

pub(crate) fn is_void_name(c: &str) -> bool {
    matches!(
        c,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

pub(crate) fn is_raw_text_name(c: &str) -> bool {
    matches!(
        c,
        "style" | "script" | "xmp" | "iframe" | "noembed" | "noframes" | "plaintext" | "noscript"
    )
}

pub(crate) fn moves_text_name(c: &str) -> bool {
    matches!(c, "table" | "tbody" | "thead" | "tfoot" | "tr" | "colgroup")
}

/// Elements whose start tag closes an open `<p>` (the parser's "close a p element").
pub(crate) fn closes_p(c: &str) -> bool {
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

pub(crate) fn is_heading(c: &str) -> bool {
    matches!(c, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Scope boundaries of the parser's "has an element in scope" (HTML namespace part).
pub(crate) fn scope_boundary(c: &str) -> bool {
    matches!(
        c,
        "applet" | "caption" | "html" | "table" | "td" | "th" | "marquee" | "object" | "template"
    )
}

/// The parser's "special" elements, as far as the list-item rules need them.
pub(crate) fn special(c: &str) -> bool {
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
pub(crate) fn breaks_out_of_foreign(c: &str) -> bool {
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

/// Ruby parts, which close each other.
pub(crate) fn ruby_part(c: &str) -> bool {
    matches!(c, "rb" | "rtc" | "rp" | "rt")
}

/// Elements whose content the parser does not read as markup.
pub(crate) fn no_markup_inside(c: &str) -> bool {
    matches!(
        c,
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
    )
}

/// Elements only the parser places (a fragment never gets them from a start tag).
pub(crate) fn document_level(c: &str) -> bool {
    matches!(c, "html" | "head" | "body" | "frameset" | "frame")
}

/// Start tags that close an open `<select>`.
pub(crate) fn form_control(c: &str) -> bool {
    matches!(c, "select" | "input" | "textarea" | "keygen")
}

/// Foreign elements in which HTML may be (in whatever namespace they are, as the check in
/// [`misnested`] only asks about foreign parents).
pub(crate) fn integration_point(c: &str) -> bool {
    matches!(
        c,
        "foreignObject" | "desc" | "title" | "mi" | "mo" | "mn" | "ms" | "mtext" | "annotation-xml"
    )
}

/// Parts of a table, which the parser only accepts inside the right table element.
pub(crate) fn table_part(c: &str) -> bool {
    matches!(
        c,
        "caption" | "colgroup" | "col" | "tbody" | "thead" | "tfoot" | "tr" | "td" | "th"
    )
}

/// The HTML elements of `open`, innermost first.
fn html_open(open: &[OwnedName]) -> impl Iterator<Item = &OwnedName> {
    open.iter().rev().filter(|e| e.ns == Ns::Html)
}

/// Would the HTML parser, reading `child`'s start tag with `open` as the stack of open
/// elements, build anything other than `child` as the last element's child? If so the
/// serialized output does not parse back to the same tree (ammonia's unwrapping of removed
/// elements can produce such trees, e.g. `<p>` directly inside `<p>`). `in_foreign`: some
/// element of `open` is not HTML (the caller counts them as it opens and closes them).
pub fn misnested(child: Name<'_>, open: &[OwnedName], in_foreign: bool) -> bool {
    let Some(parent) = open.last().map(OwnedName::name) else {
        return child.class.has(Class::TABLE_PART)
            || child.ns != Ns::Html && child.atom != SVG && child.atom != MATH;
    };
    let foreign_parent = parent.ns != Ns::Html;
    if child.ns != Ns::Html {
        // A foreign element must sit in foreign content of its own kind, or be its root.
        return !(foreign_parent || child.atom == SVG || child.atom == MATH);
    }
    if in_foreign {
        // HTML inside SVG/MathML: only sound right under an integration point, and never
        // for the elements that break out of foreign content.
        let integration = parent.class.has(Class::INTEGRATION);
        if child.class.has(Class::BREAKS_OUT) || (foreign_parent && !integration) {
            return true;
        }
    }
    let (c, p) = (child.atom, parent.atom);
    if parent.ns == Ns::Html {
        // Table structure: anything else is moved out (foster parenting) or implied.
        match p {
            TABLE => return !matches!(c, CAPTION | COLGROUP | TBODY | THEAD | TFOOT),
            TBODY | THEAD | TFOOT => return c != TR,
            TR => return !matches!(c, TD | TH),
            COLGROUP => return c != COL,
            SELECT | OPTION | OPTGROUP
                if !matches!(c, OPTION | OPTGROUP | HR) || (p == OPTION && c != HR) =>
            {
                return true;
            }
            _ => {}
        }
        if child.class.has(Class::TABLE_PART) {
            return true;
        }
        if child.class.has(Class::HEADING) && parent.class.has(Class::HEADING) {
            return true;
        }
        if child.class.has(Class::RUBY) && parent.class.has(Class::RUBY) {
            return true;
        }
        if parent.class.has(Class::NO_MARKUP_INSIDE) {
            return true;
        }
    }
    if child.class.has(Class::DOCUMENT_LEVEL) {
        return true;
    }
    let p_in_button_scope = || {
        for e in html_open(open) {
            if e.atom == P {
                return true;
            }
            if e.class.has(Class::SCOPE_BOUNDARY) || e.atom == BUTTON {
                return false;
            }
        }
        false
    };
    if child.class.has(Class::CLOSES_P) && p_in_button_scope() {
        return true;
    }
    let list_item = |names: &[Atom]| {
        for e in html_open(open) {
            if names.contains(&e.atom) {
                return true;
            }
            if e.class.has(Class::SPECIAL) && !matches!(e.atom, ADDRESS | DIV | P) {
                return false;
            }
        }
        false
    };
    if (c == LI && list_item(&[LI])) || (matches!(c, DD | DT) && list_item(&[DD, DT])) {
        return true;
    }
    child.class.has(Class::FORM_CONTROL) && html_open(open).any(|e| e.atom == SELECT)
}

/// Elements that cannot nest in themselves and that the parser untangles with the
/// adoption agency algorithm, which may need many passes to settle. Writing the inner
/// element's content without its tags gives the tree a browser ends up with anyway.
pub fn self_nested(child: Name<'_>, open: &[OwnedName]) -> bool {
    if child.ns != Ns::Html {
        return false;
    }
    match child.atom {
        A => html_open(open)
            .take_while(|e| {
                !matches!(
                    e.atom,
                    TD | TH | CAPTION | MARQUEE | OBJECT | APPLET | TEMPLATE
                )
            })
            .any(|e| e.atom == A),
        FORM => html_open(open).any(|e| e.atom == FORM),
        NOBR | BUTTON => html_open(open)
            .take_while(|e| !e.class.has(Class::SCOPE_BOUNDARY))
            .any(|e| e.atom == child.atom),
        _ => false,
    }
}

/// Text that the parser would move out of this element.
pub fn text_misplaced(parent: Option<Name<'_>>, text: &str) -> bool {
    parent.is_some_and(moves_text)
        && !text
            .chars()
            .all(|c| matches!(c, ' ' | '\t' | '\n' | '\x0c' | '\r'))
}

/// Elements the parser inserts by itself inside `parent` (a `<tr>` straight in a `<table>`
/// gets a `<tbody>`, a cell a `<tr>`, a `<col>` a `<colgroup>`): unwrapping one without
/// attributes changes nothing, since the next parse puts it back.
pub fn implied_by_parser(child: Name<'_>, parent: Name<'_>) -> bool {
    if child.ns != Ns::Html || parent.ns != Ns::Html {
        return false;
    }
    match child.atom {
        TBODY | COLGROUP => parent.atom == TABLE,
        TR => matches!(parent.atom, TABLE | TBODY | THEAD | TFOOT),
        _ => false,
    }
}
