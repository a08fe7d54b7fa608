//! The record of what a policy removed from an input, and why, so a form can reject with a
//! precise message. The sanitizing walk writes it as it decides (`Recorder`); nothing
//! re-derives it.

use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Tag,
    Attribute,
    Url,
    Comment,
    Class,
    Style,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Tag => "tag",
            Kind::Attribute => "attribute",
            Kind::Url => "url",
            Kind::Comment => "comment",
            Kind::Class => "class",
            Kind::Style => "style",
        }
    }
}

/// One thing the policy takes out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Removal {
    pub kind: Kind,
    /// The element it was on (or in, for comments; "" at the top level).
    pub tag: String,
    /// The tag, attribute, class or style property name ("#comment" for comments).
    pub name: String,
    /// The removed value, shortened.
    pub value: String,
}

impl Removal {
    /// The attribute a removal concerns, if any.
    pub fn attribute(&self) -> Option<&str> {
        match self.kind {
            Kind::Attribute | Kind::Url => Some(&self.name),
            Kind::Class => Some("class"),
            Kind::Style => Some("style"),
            Kind::Tag | Kind::Comment => None,
        }
    }
}

/// At most this many removals are listed; the counts always cover all of them.
pub const MAX_LISTED: usize = 10_000;
const VALUE_CHARS: usize = 60;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Findings {
    pub removed: Vec<Removal>,
    pub total: usize,
    pub by_kind: BTreeMap<&'static str, usize>,
    pub by_tag: BTreeMap<String, usize>,
    pub by_attribute: BTreeMap<(String, String), usize>,
}

impl Findings {
    pub fn add(&mut self, r: Removal) {
        self.add_n(r, 1);
    }

    pub fn add_n(&mut self, r: Removal, n: usize) {
        self.total += n;
        *self.by_kind.entry(r.kind.as_str()).or_default() += n;
        if !r.tag.is_empty() {
            *self.by_tag.entry(r.tag.clone()).or_default() += n;
        }
        if let Some(a) = r.attribute() {
            *self
                .by_attribute
                .entry((r.tag.clone(), a.to_string()))
                .or_default() += n;
        }
        for _ in 0..n {
            if self.removed.len() >= MAX_LISTED {
                break;
            }
            self.removed.push(r.clone());
        }
    }
}

pub fn shorten(s: &str) -> String {
    match s.char_indices().nth(VALUE_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

pub fn removal(kind: Kind, tag: &str, name: &str, value: &str) -> Removal {
    Removal {
        kind,
        tag: tag.to_string(),
        name: name.to_string(),
        value: shorten(value),
    }
}

/// Where the sanitizing walk reports removals: nowhere for `sanitize`, into [`Findings`]
/// for `inspect`. Values are only copied when they are recorded.
pub struct Recorder<'a>(pub Option<&'a mut Findings>);

impl Recorder<'_> {
    pub fn none() -> Recorder<'static> {
        Recorder(None)
    }

    pub fn active(&self) -> bool {
        self.0.is_some()
    }

    pub fn add(&mut self, kind: Kind, tag: &str, name: &str, value: &str) {
        self.add_n(kind, tag, name, value, 1);
    }

    pub fn add_n(&mut self, kind: Kind, tag: &str, name: &str, value: &str, n: usize) {
        if let Some(f) = self.0.as_deref_mut() {
            f.add_n(removal(kind, tag, name, value), n);
        }
    }
}
