//! Every element-name comparison of the tree builder goes through here. A name is
//! classified once (when its element is created or its tag arrives) into [`T`]; the
//! insertion modes match on `T` only. When the tokenizer's atoms land, [`classify`] becomes
//! a mapping from `Atom` and nothing else changes.

use std::sync::OnceLock;

use super::dom::Ns;
use crate::parser::atoms::Atom;
use crate::parser::token::Name;

macro_rules! tags {
    ($($v:ident = $s:literal,)*) => {
        /// The element names the tree builder treats specially (in any namespace; the
        /// predicates below pair them with their namespace).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        pub enum T { Other, $($v,)* }

        /// How many variants `T` has (for per-name counters).
        pub const COUNT: usize = [$(T::$v,)*].len() + 1;

        /// The class of an ASCII-lowercase tag name.
        pub fn classify(name: &str) -> T {
            match name { $($s => T::$v,)* _ => T::Other }
        }

        /// Every name `T` has a variant for (each is an atom: see the tests).
        #[cfg(test)]
        pub const NAMES: &[&str] = &[$($s,)*];
    };
}

tags! {
    A = "a", Address = "address", AnnotationXml = "annotation-xml", Applet = "applet",
    Area = "area", Article = "article", Aside = "aside", B = "b", Base = "base",
    Basefont = "basefont", Bgsound = "bgsound", Big = "big", Blockquote = "blockquote",
    Body = "body", Br = "br", Button = "button", Caption = "caption", Center = "center",
    Code = "code", Col = "col", Colgroup = "colgroup", Dd = "dd", Desc = "desc",
    Details = "details", Dialog = "dialog", Dir = "dir", Div = "div", Dl = "dl", Dt = "dt",
    Em = "em", Embed = "embed", Fieldset = "fieldset", Figcaption = "figcaption",
    Figure = "figure", Font = "font", Footer = "footer", ForeignObject = "foreignobject",
    Form = "form", Frame = "frame", Frameset = "frameset", H1 = "h1", H2 = "h2", H3 = "h3",
    H4 = "h4", H5 = "h5", H6 = "h6", Head = "head", Header = "header", Hgroup = "hgroup",
    Hr = "hr", Html = "html", I = "i", Iframe = "iframe", Image = "image", Img = "img",
    Input = "input", Isindex = "isindex", Keygen = "keygen", Li = "li", Link = "link",
    Listing = "listing", Main = "main", Malignmark = "malignmark", Marquee = "marquee",
    Math = "math", Menu = "menu", Meta = "meta", Mglyph = "mglyph", Mi = "mi", Mn = "mn",
    Mo = "mo", Ms = "ms", Mtext = "mtext", Nav = "nav", Nobr = "nobr", Noembed = "noembed",
    Noframes = "noframes", Noscript = "noscript", Object = "object", Ol = "ol",
    Optgroup = "optgroup", Option = "option", P = "p", Param = "param",
    Plaintext = "plaintext", Pre = "pre", Rb = "rb", Rp = "rp", Rt = "rt", Rtc = "rtc",
    Ruby = "ruby", S = "s", Script = "script", Search = "search", Section = "section",
    Select = "select", Small = "small", Source = "source", Span = "span", Strike = "strike",
    Strong = "strong", Style = "style", Sub = "sub", Summary = "summary", Sup = "sup",
    Svg = "svg", Table = "table", Tbody = "tbody", Td = "td", Template = "template",
    Textarea = "textarea", Tfoot = "tfoot", Th = "th", Thead = "thead", Title = "title",
    Tr = "tr", Track = "track", Tt = "tt", U = "u", Ul = "ul", Var = "var", Wbr = "wbr",
    Xmp = "xmp",
}

/// The class of a tag name by its atom (O(1)): every name `T` has a variant for is an
/// atom, so an unknown atom is [`T::Other`].
pub fn classify_atom(atom: Atom) -> T {
    static TABLE: OnceLock<Vec<T>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = Vec::new();
        let mut i = 0u16;
        loop {
            let name = Atom(i).name();
            if i > 0 && name.is_empty() {
                break;
            }
            table.push(classify(name));
            i += 1;
        }
        table
    });
    table.get(usize::from(atom.0)).copied().unwrap_or(T::Other)
}

/// Whether two element names are the same (the "any other end tag" and foreign end tag
/// steps compare names that are not classified).
///
/// Both are lowercase names whose atom is the atom of their text (as the tokenizer and
/// the builder make them), so known names compare as integers.
pub fn same_name(a: &Name<'_>, b: &Name<'_>) -> bool {
    if a.atom.is_known() || b.atom.is_known() {
        a.atom == b.atom
    } else {
        a.text == b.text
    }
}

/// Same, ignoring ASCII case (foreign content end tags: `</foreignObject>` vs `foreignobject`).
pub fn same_name_ignore_case(element: &str, tag: &str) -> bool {
    element.eq_ignore_ascii_case(tag)
}

pub fn is_heading(t: T) -> bool {
    matches!(t, T::H1 | T::H2 | T::H3 | T::H4 | T::H5 | T::H6)
}

/// The standard's "special" category, by namespace, less `search`: the standard lists it,
/// but browsers (Chromium 156, tests/security/browser/test_parser_deviations.py) and
/// html5ever do not, and the sanitized output must parse in the browser to the tree it was
/// checked as. Its start tag still closes a `<p>`, as everywhere.
pub fn is_special(ns: Ns, t: T) -> bool {
    use T::*;
    match ns {
        Ns::Html => matches!(
            t,
            Address
                | Applet
                | Area
                | Article
                | Aside
                | Base
                | Basefont
                | Bgsound
                | Blockquote
                | Body
                | Br
                | Button
                | Caption
                | Center
                | Col
                | Colgroup
                | Dd
                | Details
                | Dir
                | Div
                | Dl
                | Dt
                | Embed
                | Fieldset
                | Figcaption
                | Figure
                | Footer
                | Form
                | Frame
                | Frameset
                | H1
                | H2
                | H3
                | H4
                | H5
                | H6
                | Head
                | Header
                | Hgroup
                | Hr
                | Html
                | Iframe
                | Img
                | Input
                | Isindex
                | Keygen
                | Li
                | Link
                | Listing
                | Main
                | Marquee
                | Menu
                | Meta
                | Nav
                | Noembed
                | Noframes
                | Noscript
                | Object
                | Ol
                | P
                | Param
                | Plaintext
                | Pre
                | Script
                | Section
                | Select
                | Source
                | Style
                | Summary
                | Table
                | Tbody
                | Td
                | Template
                | Textarea
                | Tfoot
                | Th
                | Thead
                | Title
                | Tr
                | Track
                | Ul
                | Wbr
                | Xmp
        ),
        Ns::MathMl => matches!(t, Mi | Mo | Mn | Ms | Mtext | AnnotationXml),
        Ns::Svg => matches!(t, ForeignObject | Desc | Title),
    }
}

/// Formatting elements (the list of active formatting elements holds these).
pub fn is_formatting(t: T) -> bool {
    use T::*;
    matches!(
        t,
        A | B | Big | Code | Em | Font | I | Nobr | S | Small | Strike | Strong | Tt | U
    )
}

/// Elements popped by "generate implied end tags".
pub fn is_implied_end(t: T) -> bool {
    use T::*;
    matches!(t, Dd | Dt | Li | Optgroup | Option | P | Rb | Rp | Rt | Rtc)
}

/// Elements popped by "generate all implied end tags thoroughly".
pub fn is_implied_end_thorough(t: T) -> bool {
    use T::*;
    is_implied_end(t) || matches!(t, Caption | Colgroup | Tbody | Td | Tfoot | Th | Thead | Tr)
}

/// Void elements: inserted and popped at once, so they never deepen the tree.
pub fn is_void(t: T) -> bool {
    use T::*;
    matches!(
        t,
        Area | Base
            | Basefont
            | Bgsound
            | Br
            | Col
            | Embed
            | Frame
            | Hr
            | Img
            | Image
            | Input
            | Keygen
            | Link
            | Meta
            | Param
            | Source
            | Track
            | Wbr
    )
}

/// The scopes of "has an element in … scope".
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Scope {
    Default,
    ListItem,
    Button,
    Table,
}

/// Whether an element ends the search of `scope`.
pub fn is_scope_boundary(scope: Scope, ns: Ns, t: T) -> bool {
    use T::*;
    let default = || match ns {
        Ns::Html => matches!(
            t,
            Applet | Caption | Html | Table | Td | Th | Marquee | Object | Select | Template
        ),
        Ns::MathMl => matches!(t, Mi | Mo | Mn | Ms | Mtext | AnnotationXml),
        Ns::Svg => matches!(t, ForeignObject | Desc | Title),
    };
    match scope {
        Scope::Default => default(),
        Scope::ListItem => default() || (ns == Ns::Html && matches!(t, Ol | Ul)),
        Scope::Button => default() || (ns == Ns::Html && t == Button),
        Scope::Table => ns == Ns::Html && matches!(t, Html | Table | Template),
    }
}

/// Start tags that break out of foreign content.
pub fn is_foreign_breakout(t: T) -> bool {
    use T::*;
    matches!(
        t,
        B | Big
            | Blockquote
            | Body
            | Br
            | Center
            | Code
            | Dd
            | Div
            | Dl
            | Dt
            | Em
            | Embed
            | H1
            | H2
            | H3
            | H4
            | H5
            | H6
            | Head
            | Hr
            | I
            | Img
            | Li
            | Listing
            | Menu
            | Meta
            | Nobr
            | Ol
            | P
            | Pre
            | Ruby
            | S
            | Small
            | Span
            | Strong
            | Strike
            | Sub
            | Sup
            | Table
            | Tt
            | U
            | Ul
            | Var
    )
}

/// `<font>` breaks out of foreign content only with one of these attributes.
pub fn is_font_breakout_attr(name: &str) -> bool {
    matches!(name, "color" | "face" | "size")
}

/// MathML text integration points.
pub fn is_mathml_text_integration(ns: Ns, t: T) -> bool {
    ns == Ns::MathMl && matches!(t, T::Mi | T::Mo | T::Mn | T::Ms | T::Mtext)
}

/// The SVG HTML integration points (MathML `annotation-xml` depends on its `encoding`).
pub fn is_svg_html_integration(ns: Ns, t: T) -> bool {
    ns == Ns::Svg && matches!(t, T::ForeignObject | T::Desc | T::Title)
}

/// `annotation-xml` is an HTML integration point when its encoding is one of these.
pub fn is_html_encoding(value: &str) -> bool {
    value.eq_ignore_ascii_case("text/html") || value.eq_ignore_ascii_case("application/xhtml+xml")
}

pub fn is_encoding_attr(name: &str) -> bool {
    name == "encoding"
}

/// `<input type=hidden>`.
pub fn is_type_attr(name: &str) -> bool {
    name == "type"
}

pub fn is_hidden(value: &str) -> bool {
    value.eq_ignore_ascii_case("hidden")
}

/// The name `<image>` is changed to.
pub const IMG: &str = "img";
/// Names of elements the builder creates without a tag.
pub const HTML: &str = "html";
pub const HEAD: &str = "head";
pub const BODY: &str = "body";
pub const P: &str = "p";
pub const BR: &str = "br";
pub const TBODY: &str = "tbody";
pub const TR: &str = "tr";
pub const COLGROUP: &str = "colgroup";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::atoms;

    #[test]
    fn every_classified_name_is_an_atom() {
        for name in NAMES {
            let atom = atoms::lookup(name);
            assert!(atom.is_known(), "{name} is not an atom");
            assert_eq!(classify_atom(atom), classify(name), "{name}");
        }
        assert_eq!(classify_atom(Atom::UNKNOWN), T::Other);
        assert_eq!(classify_atom(atoms::lookup("abbr")), T::Other);
    }
}
