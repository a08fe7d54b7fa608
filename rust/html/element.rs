//! Element and attribute names as the sanitizing walk, the rules and the serializer see
//! them: the namespace, our parser's atom (`parser/atoms.rs`) and the text. Whatever the
//! walk asks about a name (is it void, is it on one of the parser's lists, which namespace
//! may hold it) is a bit of its [`Class`], found once per element: for a name with an atom,
//! one table lookup.
//!
//! The string predicates (`shape.rs`, `names.rs`) stay the definition: the table holds
//! their answers for each atom's text, and a name without an atom is classified from its
//! text, so both ways give the same answer.

use std::sync::OnceLock;

use html5ever::{ns, QualName};

use crate::html::{names, serialize, shape};
use crate::parser::atoms::{self, Atom};
use crate::parser::tree::dom::{AttrNs, Ns};
use crate::parser::tree::foreign::svg_tag_name;

/// The parser's name lists a local name is on (see [`classify`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Class(u32);

impl Class {
    pub const VOID: Class = Class(1);
    pub const RAW_TEXT: Class = Class(1 << 1);
    pub const EATS_NEWLINE: Class = Class(1 << 2);
    pub const MOVES_TEXT: Class = Class(1 << 3);
    pub const CLOSES_P: Class = Class(1 << 4);
    pub const HEADING: Class = Class(1 << 5);
    pub const SCOPE_BOUNDARY: Class = Class(1 << 6);
    pub const SPECIAL: Class = Class(1 << 7);
    pub const BREAKS_OUT: Class = Class(1 << 8);
    pub const TABLE_PART: Class = Class(1 << 9);
    pub const RUBY: Class = Class(1 << 10);
    pub const NO_MARKUP_INSIDE: Class = Class(1 << 11);
    pub const DOCUMENT_LEVEL: Class = Class(1 << 12);
    pub const FORM_CONTROL: Class = Class(1 << 13);
    pub const INTEGRATION: Class = Class(1 << 14);
    pub const IN_HTML: Class = Class(1 << 15);
    pub const IN_SVG: Class = Class(1 << 16);
    pub const IN_MATHML: Class = Class(1 << 17);
    pub const SVG_ANIMATION: Class = Class(1 << 18);

    pub fn has(self, bits: Class) -> bool {
        self.0 & bits.0 != 0
    }
}

/// The lists `local` is on, whatever its namespace (callers check that where it matters).
fn classify(local: &str) -> Class {
    let bits = [
        (shape::is_void_name(local), Class::VOID),
        (shape::is_raw_text_name(local), Class::RAW_TEXT),
        (serialize::eats_newline_name(local), Class::EATS_NEWLINE),
        (shape::moves_text_name(local), Class::MOVES_TEXT),
        (shape::closes_p(local), Class::CLOSES_P),
        (shape::is_heading(local), Class::HEADING),
        (shape::scope_boundary(local), Class::SCOPE_BOUNDARY),
        (shape::special(local), Class::SPECIAL),
        (shape::breaks_out_of_foreign(local), Class::BREAKS_OUT),
        (shape::table_part(local), Class::TABLE_PART),
        (shape::ruby_part(local), Class::RUBY),
        (shape::no_markup_inside(local), Class::NO_MARKUP_INSIDE),
        (shape::document_level(local), Class::DOCUMENT_LEVEL),
        (shape::form_control(local), Class::FORM_CONTROL),
        (shape::integration_point(local), Class::INTEGRATION),
        (names::is_html(local), Class::IN_HTML),
        (names::is_svg(local), Class::IN_SVG),
        (names::is_mathml(local), Class::IN_MATHML),
        (names::is_svg_animation(local), Class::SVG_ANIMATION),
    ];
    Class(
        bits.iter()
            .filter(|(on, _)| *on)
            .fold(0, |c, (_, b)| c | b.0),
    )
}

/// What the walk needs of the element name an atom gives in one namespace.
#[derive(Debug, PartialEq, Eq)]
pub struct Entry {
    local: &'static str,
    class: Class,
    /// `<local>`, for an element without attributes.
    start_tag: Box<str>,
    end_tag: Box<str>,
}

/// Every atom's [`Entry`] in each namespace (indexed by [`ns_index`], then the atom),
/// built once per process.
fn entry(ns: Ns, atom: Atom) -> Option<&'static Entry> {
    table()[ns_index(ns)].get(usize::from(atom.0))
}

/// Build the name table now rather than in the first document's walk (about 3.9 million
/// instructions, ~1 ms): compiling a policy calls it.
pub fn prepare() {
    table();
}

fn table() -> &'static [Vec<Entry>; 3] {
    static TABLE: OnceLock<[Vec<Entry>; 3]> = OnceLock::new();
    TABLE.get_or_init(|| {
        NSS.map(|ns| {
            all_atoms()
                .map(|a| {
                    let local = local_of(ns, a);
                    let (mut start_tag, mut end_tag) = (String::new(), String::new());
                    serialize::start_tag(&mut start_tag, local, []);
                    serialize::end_tag(&mut end_tag, local);
                    Entry {
                        local,
                        class: classify(local),
                        start_tag: start_tag.into(),
                        end_tag: end_tag.into(),
                    }
                })
                .collect()
        })
    })
}

/// The three namespaces, in [`ns_index`] order.
pub const NSS: [Ns; 3] = [Ns::Html, Ns::Svg, Ns::MathMl];

pub fn ns_index(ns: Ns) -> usize {
    match ns {
        Ns::Html => 0,
        Ns::Svg => 1,
        Ns::MathMl => 2,
    }
}

/// Every atom, [`Atom::UNKNOWN`] first (so an atom's number is its index).
pub fn all_atoms() -> impl Iterator<Item = Atom> {
    (0..=u16::MAX)
        .map(Atom)
        .take_while(|a| *a == Atom::UNKNOWN || !a.name().is_empty())
}

/// The local name an element named by `atom` has in `ns`: the parsers write SVG's
/// camelCase names (`foreignObject`) in SVG, lowercase everywhere else.
pub fn local_of(ns: Ns, atom: Atom) -> &'static str {
    let lower = atom.name();
    match ns {
        Ns::Svg => svg_tag_name(lower).unwrap_or(lower),
        _ => lower,
    }
}

/// A byte loop: names are short, and a memcmp call costs more than the compare.
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && (0..a.len()).all(|i| a[i] == b[i])
}

/// An element's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Name<'a> {
    pub ns: Ns,
    /// [`Atom::UNKNOWN`] unless `local` is exactly the atom's text in `ns`, so that
    /// comparing atoms is comparing names.
    pub atom: Atom,
    pub class: Class,
    /// As the parser wrote it (`foreignObject` in SVG).
    pub local: &'a str,
    /// The atom's entry, found once: None for a name without an atom.
    entry: Option<&'static Entry>,
}

impl<'a> Name<'a> {
    /// The fragment's root, an HTML `<html>`.
    pub fn root() -> Name<'static> {
        Name::with_atom(Ns::Html, atoms::HTML, "html")
    }

    /// `local` in `ns`, whose atom (when `local` has one) the tokenizer found.
    pub fn with_atom(ns: Ns, atom: Atom, local: &'a str) -> Name<'a> {
        match entry(ns, atom) {
            Some(e) if atom.is_known() && same(e.local, local) => Name {
                ns,
                atom,
                class: e.class,
                local,
                entry: Some(e),
            },
            _ => Name {
                ns,
                atom: Atom::UNKNOWN,
                class: classify(local),
                local,
                entry: None,
            },
        }
    }

    /// html5ever's name of an element (which is always in one of the three namespaces).
    pub fn of(name: &'a QualName) -> Name<'a> {
        let ns = match name.ns {
            ns!(svg) => Ns::Svg,
            ns!(mathml) => Ns::MathMl,
            _ => Ns::Html,
        };
        let local: &str = &name.local;
        let atom = if local.bytes().any(|b| b.is_ascii_uppercase()) {
            atoms::lookup(&local.to_ascii_lowercase())
        } else {
            atoms::lookup(local)
        };
        Name::with_atom(ns, atom, local)
    }

    /// An HTML element named by `atom`.
    pub fn is_html(&self, atom: Atom) -> bool {
        self.ns == Ns::Html && self.atom == atom
    }

    /// `<local>`, for a name with an atom (written with one copy).
    pub fn bare_start_tag(&self) -> Option<&'static str> {
        self.entry.map(|e| &*e.start_tag)
    }

    pub fn to_owned(&self) -> OwnedName {
        let text = match self.entry {
            Some(e) => Text::Entry(e),
            None => {
                let mut end = String::new();
                serialize::end_tag(&mut end, self.local);
                Text::EndTag(end.into())
            }
        };
        OwnedName {
            ns: self.ns,
            atom: self.atom,
            class: self.class,
            text,
        }
    }
}

/// A [`Name`] kept after its node is left (the walk's stack of open elements), with its
/// end tag: a name with an atom owns nothing and copies in a few words.
#[derive(Clone, Debug)]
pub struct OwnedName {
    pub ns: Ns,
    pub atom: Atom,
    pub class: Class,
    text: Text,
}

#[derive(Clone, Debug)]
enum Text {
    Entry(&'static Entry),
    /// `</local>` of a name without an atom (the local name is inside it).
    EndTag(Box<str>),
}

impl OwnedName {
    pub fn name(&self) -> Name<'_> {
        let (local, entry) = match &self.text {
            Text::Entry(e) => (e.local, Some(*e)),
            Text::EndTag(end) => (&end[2..end.len() - 1], None),
        };
        Name {
            ns: self.ns,
            atom: self.atom,
            class: self.class,
            local,
            entry,
        }
    }

    /// `</local>`, written with one copy.
    pub fn end_tag(&self) -> &str {
        match &self.text {
            Text::Entry(e) => &e.end_tag,
            Text::EndTag(end) => end,
        }
    }
}

/// An attribute's name as written: `xlink:href` on a foreign element is `href` in XLink.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttrName<'a> {
    pub ns: AttrNs,
    pub local: &'a str,
}

impl<'a> AttrName<'a> {
    /// An attribute without a namespace.
    pub fn plain(local: &'a str) -> AttrName<'a> {
        AttrName {
            ns: AttrNs::None,
            local,
        }
    }

    /// html5ever's name of an attribute.
    pub fn of(name: &'a QualName) -> AttrName<'a> {
        let ns = match name.ns {
            ns!(xlink) => AttrNs::XLink,
            ns!(xml) => AttrNs::Xml,
            ns!(xmlns) => AttrNs::Xmlns,
            _ => AttrNs::None,
        };
        AttrName {
            ns,
            local: &name.local,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoms_and_text_agree() {
        for ns in NSS {
            for atom in all_atoms().skip(1) {
                let local = local_of(ns, atom);
                let name = Name::with_atom(ns, atom, local);
                assert_eq!(name.atom, atom, "{local}");
                assert_eq!(name.class, classify(local), "{local}");
            }
        }
        // A name that is not the atom's text in its namespace has no atom.
        let lower = Name::with_atom(Ns::Svg, atoms::FOREIGNOBJECT, "foreignobject");
        assert_eq!(lower.atom, Atom::UNKNOWN);
        let camel = Name::with_atom(Ns::Svg, atoms::FOREIGNOBJECT, "foreignObject");
        assert!(camel.class.has(Class::IN_SVG) && camel.class.has(Class::INTEGRATION));
        let custom = Name::with_atom(Ns::Html, Atom::UNKNOWN, "x-table");
        assert!(custom.class.has(Class::IN_HTML) && !custom.class.has(Class::MOVES_TEXT));
        let html5ever = QualName::new(None, ns!(svg), "foreignObject".into());
        assert_eq!(Name::of(&html5ever), camel);
        assert_eq!(camel.to_owned().name(), camel);
        assert_eq!(camel.to_owned().end_tag(), "</foreignObject>");
        assert_eq!(camel.bare_start_tag(), Some("<foreignObject>"));
        assert_eq!(custom.bare_start_tag(), None);
        assert_eq!(custom.to_owned().name(), custom);
        assert_eq!(custom.to_owned().end_tag(), "</x-table>");
    }
}
