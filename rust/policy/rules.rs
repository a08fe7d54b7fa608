//! Every decision about what stays: compiled from a [`PolicySpec`] once, asked by the
//! sanitizing walk for each element, attribute and comment. An engine parses and walks;
//! it decides nothing itself. What is removed is reported to a [`Recorder`] at the moment
//! it is decided, which is what `inspect` returns.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use regex::Regex;
use url::Url;

use crate::hooks::Hooks;
use crate::html::element::{all_atoms, local_of, ns_index, AttrName, Class, Name, NSS};
use crate::html::names::is_svg_animation;
use crate::html::shape::implied_by_parser;
use crate::linkify::Linkify;
use crate::parser::atoms::{ANNOTATION_XML, FOREIGNOBJECT, MATH, MI, MN, MO, MS, MTEXT, SVG};
use crate::parser::parse::TagFilter;
use crate::parser::token;
use crate::parser::tree::dom::Ns;
use crate::policy::css::filter_style;
use crate::policy::spec::{Disallowed, PolicySpec, UrlRelativeSpec};
use crate::policy::urls::{self, parse_url, Shape};
use crate::policy::validate::PolicyError;
use crate::report::{Kind, Recorder};

/// Attributes whose values are URLs (checked against the schemes, and resolved when the
/// policy rewrites relative URLs).
pub fn is_url_attr(tag: &str, attr: &str) -> bool {
    (!is_svg_animation(tag) && (attr == "href" || attr == "xlink:href"))
        || attr == "src"
        || (tag == "form" && attr == "action")
        || (tag == "object" && attr == "data")
        || ((tag == "button" || tag == "input") && attr == "formaction")
        || (tag == "a" && attr == "ping")
        || (tag == "video" && attr == "poster")
}

/// Other URL-valued attributes, checked against the schemes but never rewritten. Browsers
/// do not run `cite`, but a page script may follow it, and bluemonday's UGC policy checks
/// it; the others are legacy URL attributes.
pub const EXTRA_URL_ATTRS: &[&str] = &[
    "cite",
    "longdesc",
    "background",
    "codebase",
    "manifest",
    "action",
    "formaction",
    "poster",
    "ping",
    "lowsrc",
    "dynsrc",
];

/// Whether a (filtered) `style` value is made only of simple CSS: names, numbers, units,
/// colours, commas, balanced parentheses and quotes. Values with stray `<`, `(`, `\`,
/// braces or control characters can be written back in a form that filters differently
/// the next time (found by the fuzzer), so the output would not be stable.
pub fn plain_style(value: &str) -> bool {
    let mut depth = 0i32;
    let (mut single, mut double) = (0, 0);
    for c in value.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            '\'' => single += 1,
            '"' => double += 1,
            'a'..='z'
            | 'A'..='Z'
            | '0'..='9'
            | ' '
            | '#'
            | '%'
            | '.'
            | ','
            | ':'
            | ';'
            | '_'
            | '!'
            | '/'
            | '+'
            | '-' => {}
            _ => return false,
        }
    }
    depth == 0 && single % 2 == 0 && double % 2 == 0
}

/// What happens to an element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Kept, with the attributes [`Rules::attributes`] gives.
    Keep,
    /// Its tags go; its content takes its place.
    Unwrap,
    /// Removed with everything inside it.
    Drop,
}

/// What the namespace check needs to know of the element a node ends up inside (its
/// nearest kept ancestor, or the fragment's root).
#[derive(Clone, Copy, Debug)]
pub struct Parent<'a> {
    pub name: Name<'a>,
    /// `<annotation-xml>`: how many `encoding` attributes it kept, and whether all of them
    /// say HTML.
    pub encodings: (usize, bool),
}

impl Parent<'_> {
    /// The fragment's root: an HTML element (the `<div>` context).
    pub fn root() -> Parent<'static> {
        Parent {
            name: Name::root(),
            encodings: NO_ENCODINGS,
        }
    }

    /// The `encodings` of element `name` kept with `attrs`: [`NO_ENCODINGS`] unless it is
    /// an `<annotation-xml>`.
    pub fn encodings(name: Name<'_>, attrs: &[Attr<'_>]) -> (usize, bool) {
        let mut encodings = NO_ENCODINGS;
        if name.atom == ANNOTATION_XML {
            for a in attrs.iter().filter(|a| a.name.local == "encoding") {
                encodings.0 += 1;
                encodings.1 &= matches!(&*a.value, "text/html" | "application/xhtml+xml");
            }
        }
        encodings
    }
}

/// [`Parent::encodings`] of every element but `<annotation-xml>`.
pub const NO_ENCODINGS: (usize, bool) = (0, true);

/// An attribute of the input, as an engine's tree holds it.
pub trait InputAttr {
    /// The name (`href` in XLink for `xlink:href` on a foreign element), on `element`.
    fn name(&self, element: Name<'_>) -> AttrName<'_>;
    fn value(&self) -> &str;
}

/// An attribute given as a name and a value (a made link's, or one a link hook returned):
/// read like an input attribute, with no namespace.
impl InputAttr for (String, String) {
    fn name(&self, _: Name<'_>) -> AttrName<'_> {
        AttrName::plain(&self.0)
    }

    fn value(&self) -> &str {
        &self.1
    }
}

/// Whether `name` can be written as an attribute name as it is: what a parser would read
/// back as one name (a hook's names are not a parser's).
pub fn writable_attr_name(name: &str) -> bool {
    !name.is_empty()
        && !name.bytes().any(|b| {
            b <= b' ' || b == 0x7f || matches!(b, b'"' | b'\'' | b'>' | b'/' | b'=' | b'<')
        })
}

/// An attribute as it will be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attr<'a> {
    pub name: AttrName<'a>,
    pub value: Cow<'a, str>,
    /// Its position in the input tag, or None for an attribute the policy added.
    pub from: Option<usize>,
}

/// Element ids of a whole document → the one element carrying each (None when several
/// do): what SVG animation elements target.
pub type IdMap = HashMap<String, Option<Box<str>>>;

/// A hasher for the policy's own name tables. The keys are fixed when the policy is built
/// and few, and only lookups see input, so flooding a table is impossible and SipHash's
/// protection buys nothing; this multiply-rotate hash reads eight bytes at a time.
#[derive(Default)]
pub struct NameHasher(u64);

impl Hasher for NameHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let word = u64::from_le_bytes(c.try_into().expect("eight bytes"));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
}

type Names = HashSet<String, BuildHasherDefault<NameHasher>>;
type ByName<V> = HashMap<String, V, BuildHasherDefault<NameHasher>>;

/// How relative URLs are treated, with the base URLs parsed.
#[derive(Debug)]
enum Relative {
    Deny,
    Pass,
    Base(Url),
    Root { root: Url, path: String },
}

/// [`Rules::tag_bits`]: the element is allowed.
const TAG: u8 = 1;
/// [`Rules::tag_bits`]: the element goes with its content.
const CLEAN_CONTENT: u8 = 2;
/// [`Rules::tag_bits`]: the policy writes attributes on the element that the input need
/// not have (`set_tag_attribute_values`, a link's `rel`).
const ADDS: u8 = 4;

/// The compiled decisions of one policy.
#[derive(Debug)]
pub struct Rules {
    tags: Names,
    clean_content: Names,
    /// `tags` and `clean_content` for every atom's name in each namespace (by
    /// `ns_index`), as [`TAG`] and [`CLEAN_CONTENT`] bits: names without an atom ask the
    /// sets.
    tag_bits: [Vec<u8>; 3],
    tag_attributes: ByName<Names>,
    generic: Names,
    prefixes: Vec<String>,
    /// tag → attribute → allowed values, lowercased.
    values: ByName<ByName<Vec<String>>>,
    /// tag → (attribute, value) forced on every such element, in name order.
    set_values: ByName<Vec<(String, String)>>,
    schemes: Names,
    relative: Relative,
    link_rel: Option<String>,
    classes: ByName<Names>,
    styles: Option<HashSet<String>>,
    strip_comments: bool,
    id_prefix: Option<String>,
    patterns: ByName<ByName<Regex>>,
    global_patterns: ByName<Regex>,
    target_blank: bool,
    disallowed: Disallowed,
    /// `tag_patterns`: elements kept by name pattern, with their attributes.
    tag_patterns: Vec<(Regex, Names)>,
    /// `url_scheme_patterns`.
    scheme_patterns: Vec<Regex>,
    /// `iframe_sandbox`: the tokens kept (lowercase).
    sandbox: Option<Vec<String>>,
    space_when_stripping: bool,
    /// `bare_tags`: when set, the only elements kept without attributes of their own.
    bare_tags: Option<Names>,
    /// The policy keeps an SVG animation element (whose check needs the document's ids).
    pub animates: bool,
    /// Where links are made from text, if they are.
    pub linkify: Option<Linkify>,
}

fn set(items: &std::collections::BTreeSet<String>) -> Names {
    items.iter().cloned().collect()
}

/// A policy's regular expression, compiled with the size bound every one gets; the error
/// names the option and the entry.
fn compile_regex(option: &str, entry: &str, pattern: &str) -> Result<Regex, PolicyError> {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| PolicyError::new(option, format!("{entry}: invalid regular expression: {e}")))
}

/// Elements `tag_patterns` never keeps, whatever a pattern matches (they run script or
/// hold CSS the style filter cannot check).
const NEVER_BY_PATTERN: &[&str] = &["script", "style"];

/// Schemes `url_scheme_patterns` never allows: they run script (`javascript`,
/// `vbscript`) or hold a whole document (`data`, allowed only by name in `url_schemes`).
const NEVER_BY_SCHEME_PATTERN: &[&str] = &["javascript", "vbscript", "data"];

impl Rules {
    /// Compile a validated spec (regular expressions are compiled, and checked, here).
    pub fn compile(spec: &PolicySpec) -> Result<Rules, PolicyError> {
        let mut tag_patterns = Vec::new();
        for (pattern, attrs) in &spec.tag_patterns {
            let re = compile_regex("tag_patterns", &format!("{pattern:?}"), pattern)?;
            tag_patterns.push((re, set(attrs)));
        }
        let scheme_patterns = spec
            .url_scheme_patterns
            .iter()
            .map(|p| compile_regex("url_scheme_patterns", &format!("{p:?}"), p))
            .collect::<Result<Vec<_>, _>>()?;
        let mut patterns: ByName<ByName<Regex>> = ByName::default();
        let mut global_patterns = ByName::default();
        for (tag, attrs) in &spec.attribute_patterns {
            for (attr, pattern) in attrs {
                let re = regex::RegexBuilder::new(pattern)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| {
                        PolicyError::new(
                            "attribute_patterns",
                            format!("[{tag:?}][{attr:?}]: invalid regular expression: {e}"),
                        )
                    })?;
                if tag == "*" {
                    global_patterns.insert(attr.clone(), re);
                } else {
                    patterns
                        .entry(tag.clone())
                        .or_default()
                        .insert(attr.clone(), re);
                }
            }
        }
        // validate() has already proved these URLs parse.
        let parse =
            |u: &str| Url::parse(u).map_err(|e| PolicyError::new("url_relative", e.to_string()));
        let relative = match &spec.url_relative {
            UrlRelativeSpec::Deny => Relative::Deny,
            UrlRelativeSpec::PassThrough => Relative::Pass,
            UrlRelativeSpec::RewriteWithBase(base) => Relative::Base(parse(base)?),
            UrlRelativeSpec::RewriteWithRoot { root, path } => Relative::Root {
                root: parse(root)?,
                path: path.clone(),
            },
        };
        let nested = |m: &BTreeMap<String, std::collections::BTreeSet<String>>| {
            m.iter().map(|(k, v)| (k.clone(), set(v))).collect()
        };
        crate::html::element::prepare();
        let tags = set(&spec.tags);
        let clean_content = set(&spec.clean_content_tags);
        let adds = |local: &str| {
            let adds = spec.set_tag_attribute_values.contains_key(local)
                || (spec.link_rel.is_some() && local == "a")
                || (spec.iframe_sandbox.is_some() && local == "iframe");
            if adds {
                ADDS
            } else {
                0
            }
        };
        let tag_bits = NSS.map(|ns| {
            all_atoms()
                .map(|a| {
                    let local = local_of(ns, a);
                    tag_bits(&tags, &clean_content, local) | adds(local)
                })
                .collect()
        });
        Ok(Rules {
            tags,
            clean_content,
            tag_bits,
            tag_attributes: nested(&spec.tag_attributes),
            generic: set(&spec.generic_attributes),
            prefixes: spec.generic_attribute_prefixes.iter().cloned().collect(),
            values: spec
                .tag_attribute_values
                .iter()
                .map(|(t, m)| {
                    let m = m
                        .iter()
                        .map(|(a, vs)| (a.clone(), vs.iter().map(|v| v.to_lowercase()).collect()))
                        .collect();
                    (t.clone(), m)
                })
                .collect(),
            set_values: spec
                .set_tag_attribute_values
                .iter()
                .map(|(t, m)| {
                    (
                        t.clone(),
                        m.iter().map(|(a, v)| (a.clone(), v.clone())).collect(),
                    )
                })
                .collect(),
            schemes: set(&spec.url_schemes),
            relative,
            link_rel: spec.link_rel.clone(),
            classes: nested(&spec.allowed_classes),
            styles: spec
                .filter_style_properties
                .as_ref()
                .map(|p| p.iter().cloned().collect()),
            strip_comments: spec.strip_comments,
            id_prefix: spec.id_prefix.clone(),
            patterns,
            global_patterns,
            target_blank: spec.target_blank,
            disallowed: spec.disallowed,
            tag_patterns,
            scheme_patterns,
            sandbox: spec
                .iframe_sandbox
                .as_ref()
                .map(|t| t.iter().cloned().collect()),
            space_when_stripping: spec.space_when_stripping,
            bare_tags: spec.bare_tags.as_ref().map(set),
            animates: spec.tags.iter().any(|t| is_svg_animation(t)),
            linkify: Linkify::of(spec),
        })
    }

    pub fn keeps_comments(&self) -> bool {
        !self.strip_comments
    }

    /// What happens to element `name` inside `parent`; `bare`: it has no attributes.
    /// (Asked for every element: inlined into the walk, which then reads the tag bits once
    /// for this and `adds_attributes`.)
    #[inline(always)]
    pub fn element(&self, parent: &Parent<'_>, name: Name<'_>, bare: bool) -> Verdict {
        let bits = match name.atom.is_known() {
            true => self.tag_bits[ns_index(name.ns)][usize::from(name.atom.0)],
            false => tag_bits(&self.tags, &self.clean_content, name.local),
        };
        if bits & CLEAN_CONTENT != 0 || !namespace_allowed(parent, name) {
            Verdict::Drop
        } else if bits & TAG != 0 || self.kept_by_pattern(name.local) {
            Verdict::Keep
        } else if self.disallowed == Disallowed::Remove
            // A table part the parser may have added itself (no start tag in the input)
            // holds the user's rows: only what the input itself wrapped goes.
            && !(bare && implied_by_parser(name, parent.name))
        {
            Verdict::Drop
        } else {
            Verdict::Unwrap
        }
    }

    /// What the parser does with disallowed tags before the tree is built
    /// (`disallowed="escape"` or `"drop"`), if anything: then it asks
    /// [`filters_tag`](Self::filters_tag) about every start and end tag.
    pub fn tag_filter(&self) -> Option<TagFilter> {
        match self.disallowed {
            Disallowed::Escape => Some(TagFilter::Escape),
            Disallowed::Drop => Some(TagFilter::Drop),
            Disallowed::Unwrap | Disallowed::Remove => None,
        }
    }

    /// Whether `tag_patterns` keeps an element named `local` (asked only of elements
    /// neither kept nor dropped by name).
    fn kept_by_pattern(&self, local: &str) -> bool {
        !self.tag_patterns.is_empty()
            && !NEVER_BY_PATTERN.contains(&local)
            && self.tag_patterns.iter().any(|(re, _)| re.is_match(local))
    }

    /// Whether element `name`, kept with attributes `kept`, may be written: `bare_tags`
    /// unwraps an element left without attributes of its own (those the policy wrote,
    /// `rel` or a forced value, do not count) unless it names it.
    #[inline(always)]
    pub fn bare_allowed(&self, name: Name<'_>, kept: &[Attr<'_>]) -> bool {
        match &self.bare_tags {
            None => true,
            Some(bare) => kept.iter().any(|a| a.from.is_some()) || bare.contains(name.local),
        }
    }

    /// Whether a space is written where a tag was removed (`space_when_stripping`).
    pub fn spaces_stripped_tags(&self) -> bool {
        self.space_when_stripping
    }

    /// Whether a URL scheme (lowercase) is allowed: by name, or by a pattern.
    fn scheme_allowed(&self, scheme: &str) -> bool {
        self.schemes.contains(scheme)
            || (!self.scheme_patterns.is_empty()
                && !NEVER_BY_SCHEME_PATTERN.contains(&scheme)
                && self.scheme_patterns.iter().any(|re| re.is_match(scheme)))
    }

    /// Whether a start or end tag named `name` (lowercased, as the tokenizer gives it) is
    /// escaped or dropped instead of reaching the tree builder: when no element it can
    /// become is kept or in `clean_content_tags` (so those still go with their content).
    /// Its namespace is not known yet, so a name kept in any counts (`foreignobject` for
    /// SVG's `foreignObject`); an element that passes here and still is not kept (by the
    /// namespace check, or one the parser made itself, such as a `<tbody>`) is unwrapped
    /// in the walk as in the other modes.
    pub fn filters_tag(&self, name: &token::Name<'_>) -> bool {
        if name.atom.is_known() {
            let i = usize::from(name.atom.0);
            let [html, svg, math] = &self.tag_bits;
            (html[i] | svg[i] | math[i]) & (TAG | CLEAN_CONTENT) == 0
                && !self.kept_by_pattern(&name.text)
        } else {
            tag_bits(&self.tags, &self.clean_content, &name.text) == 0
                && !self.kept_by_pattern(&name.text)
        }
    }

    /// Whether element `name` can be written with attributes the input did not give it
    /// (the policy sets some), or must be checked even without any (an SVG animation
    /// element). Without either, an element with no attributes is written with none.
    #[inline(always)]
    pub fn adds_attributes(&self, name: Name<'_>) -> bool {
        if name.ns == Ns::Svg && name.class.has(Class::SVG_ANIMATION) {
            return true;
        }
        match name.atom.is_known() {
            true => self.tag_bits[ns_index(name.ns)][usize::from(name.atom.0)] & ADDS != 0,
            false => {
                self.set_values.contains_key(name.local)
                    || (self.link_rel.is_some() && name.local == "a")
                    || (self.sandbox.is_some() && name.local == "iframe")
            }
        }
    }

    fn whitelisted(&self, tag: &str, attr: &str, value: &str) -> bool {
        self.generic.contains(attr)
            || self.prefixes.iter().any(|p| attr.starts_with(p.as_str()))
            || self
                .tag_attributes
                .get(tag)
                .is_some_and(|a| a.contains(attr))
            || self
                .values
                .get(tag)
                .and_then(|m| m.get(attr))
                .is_some_and(|vs| {
                    let v = value.to_lowercase();
                    vs.contains(&v)
                })
            || self
                .tag_patterns
                .iter()
                .any(|(re, attrs)| attrs.contains(attr) && re.is_match(tag))
    }

    /// The scheme rule for URL attributes: an allowed scheme, or a relative URL when they
    /// are not denied.
    pub fn url_allowed(&self, value: &str) -> bool {
        match urls::shape(value) {
            Some(Shape::Relative) => return !matches!(self.relative, Relative::Deny),
            // Whether or not it parses, a refused scheme is refused.
            Some(Shape::Scheme(scheme, _)) if !self.scheme_allowed(scheme) => return false,
            Some(Shape::Scheme(scheme, rest)) if urls::surely_parses(scheme, rest) => return true,
            _ => {}
        }
        match parse_url(value) {
            Ok(u) => self.scheme_allowed(u.scheme()),
            Err(url::ParseError::RelativeUrlWithoutBase) => {
                !matches!(self.relative, Relative::Deny)
            }
            Err(_) => false,
        }
    }

    /// Browsers strip only leading C0 controls and spaces and inner tabs and newlines from
    /// a URL, so `"\u{2028}javascript:x"` or `"\x01java\x03script:x"` are harmless relative
    /// URLs to them. Other URL consumers (mail clients, Markdown tools, old browsers) have
    /// been more lenient, so a value that only *looks* relative because of invisible
    /// characters is refused when, without them, its scheme would be refused.
    pub fn squeezed_url_allowed(&self, value: &str) -> bool {
        let invisible = |c: char| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '\u{ad}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
        };
        // Printable ASCII has none: the common case needs no character decoding.
        if urls::printable_ascii(value) || !value.contains(invisible) {
            return true;
        }
        let squeezed: String = value.chars().filter(|&c| !invisible(c)).collect();
        self.url_allowed(&squeezed)
    }

    /// The first check of an attribute of a kept element: allowed by name (or value), and
    /// for URL attributes, by scheme. `class` passes when the tag's classes are filtered.
    fn admitted(&self, tag: &str, attr: &str, value: &str) -> Result<(), Kind> {
        if !self.whitelisted(tag, attr, value) {
            if attr == "class" && self.classes.contains_key(tag) {
                return Ok(());
            }
            return Err(Kind::Attribute);
        }
        if is_url_attr(tag, attr) && !self.url_allowed(value) {
            return Err(Kind::Url);
        }
        Ok(())
    }

    fn resolve(&self, url: &str) -> Option<String> {
        let joined = match &self.relative {
            Relative::Deny => return None,
            Relative::Pass => return Some(url.to_string()),
            Relative::Base(base) => base.join(url),
            Relative::Root { root, path } => match url.as_bytes() {
                [b'/', b'/', ..] => root.join(url),
                b"/" => root.join("."),
                [b'/', ..] => root.join(&url[1..]),
                _ => root.join(path).and_then(|r| r.join(url)),
            },
        };
        joined.ok().map(|u| u.to_string())
    }

    /// The attributes element `name` (kept, inside `parent`) is written with, or None when
    /// an SVG animation element must be unwrapped. Every attribute removed is reported,
    /// in the order of the input; a rewrite that yields the value already there is not a
    /// removal.
    ///
    /// `hook`, when given, sees each input attribute kept so far before the value checks
    /// (see [`Hooks::attribute`]); what it returns is checked as an input value would be.
    pub fn attributes<'a, A: InputAttr>(
        &'a self,
        name: Name<'_>,
        input: &'a [A],
        parent: &Parent<'_>,
        ids: Option<&IdMap>,
        rec: &mut Recorder<'_>,
        hook: Option<&mut dyn Hooks>,
    ) -> Option<Vec<Attr<'a>>> {
        let tag = name.local;
        // Most elements have no attributes: then nothing is allocated. Otherwise room for
        // one the policy adds (a link's `rel`) saves growing the vector.
        let room = if input.is_empty() { 0 } else { input.len() + 1 };
        let mut out: Vec<Attr<'a>> = Vec::with_capacity(room);
        // (input position, kind): reported at the end, once the written values are known.
        let mut removed: Vec<(usize, Kind)> = Vec::new();
        for (i, a) in input.iter().enumerate() {
            let attr = a.name(name);
            match self.admitted(tag, attr.local, a.value()) {
                Ok(()) => out.push(Attr {
                    name: attr,
                    value: Cow::Borrowed(a.value()),
                    from: Some(i),
                }),
                Err(kind) => removed.push((i, kind)),
            }
        }
        if name.ns == Ns::Svg
            && name.class.has(Class::SVG_ANIMATION)
            && !self.animation_allowed(&out, parent, ids)
        {
            return None;
        }
        if let Some(sets) = self.set_values.get(tag) {
            for (attr, value) in sets {
                match out.iter_mut().find(|a| a.name.local == attr) {
                    Some(a) => {
                        if a.value != *value {
                            if let Some(i) = a.from {
                                removed.push((i, Kind::Attribute));
                            }
                            a.value = Cow::Borrowed(value);
                            a.from = None;
                        }
                    }
                    None => out.push(Attr {
                        name: AttrName::plain(attr),
                        value: Cow::Borrowed(value),
                        from: None,
                    }),
                }
            }
        }
        if let (Some(tokens), "iframe", Ns::Html) = (&self.sandbox, tag, name.ns) {
            sandbox(tokens, &mut out, &mut removed);
        }
        if let (Some(rel), "a") = (&self.link_rel, tag) {
            out.push(Attr {
                name: AttrName::plain("rel"),
                value: Cow::Borrowed(rel),
                from: None,
            });
        }
        self.prefix_ids(&mut out);
        if let Some(hook) = hook.filter(|h| h.wants_attributes()) {
            self.filter_attributes(tag, &mut out, &mut removed, hook);
        }
        let mut kept = out;
        kept.retain_mut(|a| match self.finish_value(tag, a, rec) {
            Ok(()) => true,
            Err(kind) => {
                if let Some(i) = a.from {
                    removed.push((i, kind));
                }
                false
            }
        });
        if self.target_blank && name.ns == Ns::Html && tag == "a" {
            open_in_new_tab(&mut kept);
        }
        if rec.active() && !removed.is_empty() {
            removed.sort_by_key(|&(i, _)| i);
            for (i, kind) in removed {
                let a = &input[i];
                let local = a.name(name).local;
                // A removed attribute the policy writes back with the same value (a `rel`
                // it sets, a `target` it forces) is not a change.
                let same = kept
                    .iter()
                    .any(|k| k.from.is_none() && k.name.local == local && k.value == a.value());
                if !same {
                    rec.add(kind, tag, local, a.value());
                }
            }
        }
        Some(kept)
    }

    fn prefix_ids(&self, attrs: &mut [Attr<'_>]) {
        if let Some(prefix) = &self.id_prefix {
            for a in attrs.iter_mut().filter(|a| a.name.local == "id") {
                if !a.value.starts_with(prefix.as_str()) {
                    a.value = Cow::Owned(format!("{prefix}{}", a.value));
                }
            }
        }
    }

    /// The caller's attribute hook on the input attributes kept so far (those the policy
    /// writes itself are its own). A changed value must pass the allowlists and the
    /// scheme check again, and an `id` keeps its prefix.
    fn filter_attributes(
        &self,
        tag: &str,
        attrs: &mut Vec<Attr<'_>>,
        removed: &mut Vec<(usize, Kind)>,
        hook: &mut dyn Hooks,
    ) {
        attrs.retain_mut(|a| {
            let Some(i) = a.from else { return true };
            let Some(value) = hook.attribute(tag, a.name.local, &a.value) else {
                removed.push((i, Kind::Attribute));
                return false;
            };
            if value == *a.value {
                return true;
            }
            if let Err(kind) = self.admitted(tag, a.name.local, &value) {
                removed.push((i, kind));
                return false;
            }
            a.value = Cow::Owned(value);
            true
        });
        self.prefix_ids(attrs);
    }

    /// The value checks after the allowlists: URLs (resolved when the policy rewrites
    /// them), styles, classes and patterns (which see the value that will be written).
    fn finish_value(
        &self,
        tag: &str,
        a: &mut Attr<'_>,
        rec: &mut Recorder<'_>,
    ) -> Result<(), Kind> {
        let attr = a.name.local;
        let rewritten = is_url_attr(tag, attr);
        let extra = !rewritten && EXTRA_URL_ATTRS.contains(&attr);
        if rewritten || extra {
            // Before resolving: a relative-looking value may hide a scheme.
            if !self.squeezed_url_allowed(&a.value) || (extra && !self.url_allowed(&a.value)) {
                return Err(Kind::Url);
            }
            if rewritten
                && matches!(self.relative, Relative::Base(_) | Relative::Root { .. })
                && urls::is_relative(&a.value)
            {
                a.value = Cow::Owned(self.resolve(&a.value).ok_or(Kind::Url)?);
            }
        }
        if attr == "style" {
            if let Some(allowed) = &self.styles {
                let mut report = |prop: &str, value: &str| rec.add(Kind::Style, tag, prop, value);
                let filtered = filter_style(&a.value, allowed, &mut report);
                if filtered != *a.value {
                    a.value = Cow::Owned(filtered);
                }
                if !plain_style(&a.value) {
                    return Err(Kind::Attribute);
                }
            }
        }
        if attr == "class" {
            if let Some(allowed) = self.classes.get(tag) {
                let mut kept: Vec<&str> = Vec::new();
                for class in a.value.split_ascii_whitespace() {
                    if allowed.contains(class) {
                        kept.push(class);
                    } else {
                        rec.add(Kind::Class, tag, class, class);
                    }
                }
                let joined = kept.join(" ");
                if joined != *a.value {
                    a.value = Cow::Owned(joined);
                }
            }
        }
        let pattern = self.patterns.get(tag).and_then(|m| m.get(attr));
        for re in pattern.into_iter().chain(self.global_patterns.get(attr)) {
            if !re.is_match(&a.value) {
                return Err(Kind::Attribute);
            }
        }
        Ok(())
    }

    /// An SVG animation element (`<animate attributeName=… values=…>`) sets an attribute
    /// of its target: kept only when every value it would set passes the check that
    /// attribute would get on the target, and never for an attribute the policy forces.
    fn animation_allowed(
        &self,
        attrs: &[Attr<'_>],
        parent: &Parent<'_>,
        ids: Option<&IdMap>,
    ) -> bool {
        let find = |n: &str| attrs.iter().find(|a| a.name.local == n).map(|a| &*a.value);
        let Some(attribute) = find("attributeName") else {
            return false;
        };
        let target: Option<&str> = match find("href") {
            Some(href) => href
                .strip_prefix('#')
                .and_then(|id| ids?.get(id)?.as_deref()),
            None => Some(parent.name.local),
        };
        let Some(target) = target else {
            return false;
        };
        if self
            .set_values
            .get(target)
            .is_some_and(|s| s.iter().any(|(a, _)| a == attribute))
        {
            return false;
        }
        let ok = |v: &str| self.admitted(target, attribute, v).is_ok();
        match (find("values"), find("from"), find("to")) {
            (Some(values), None, None) => values.split(';').all(ok),
            (None, Some(from), Some(to)) => ok(from) && ok(to),
            (None, Some(v), None) | (None, None, Some(v)) => ok(v),
            _ => false,
        }
    }
}

/// `target_blank`: a link to an absolute URL opens in a new tab, without access to the
/// page that opened it (`rel` gains `noopener`).
fn open_in_new_tab(attrs: &mut Vec<Attr<'_>>) {
    let absolute = attrs
        .iter()
        .any(|a| a.name == AttrName::plain("href") && is_absolute(&a.value));
    if !absolute {
        return;
    }
    attrs.retain(|a| a.name != AttrName::plain("target"));
    match attrs.iter_mut().find(|a| a.name == AttrName::plain("rel")) {
        Some(rel) => {
            if !rel
                .value
                .split_ascii_whitespace()
                .any(|t| t.eq_ignore_ascii_case("noopener"))
            {
                rel.value = Cow::Owned(format!("{} noopener", rel.value.trim_end()));
                rel.from = None;
            }
            attrs.push(new_attr("target", "_blank"));
        }
        None => {
            attrs.push(new_attr("target", "_blank"));
            attrs.push(new_attr("rel", "noopener"));
        }
    }
}

/// `iframe_sandbox`: the input's `sandbox` (when allowed) keeps only the allowed tokens,
/// once each, in its order (tokens compare ASCII case-insensitively, as browsers read
/// them); an iframe without one gets `sandbox=""`.
fn sandbox(allowed: &[String], attrs: &mut Vec<Attr<'_>>, removed: &mut Vec<(usize, Kind)>) {
    let Some(a) = attrs
        .iter_mut()
        .find(|a| a.name == AttrName::plain("sandbox"))
    else {
        attrs.push(new_attr("sandbox", ""));
        return;
    };
    let mut kept: Vec<&str> = Vec::new();
    for token in a.value.split_ascii_whitespace() {
        if let Some(t) = allowed.iter().find(|t| t.eq_ignore_ascii_case(token)) {
            if !kept.contains(&t.as_str()) {
                kept.push(t);
            }
        }
    }
    let joined = kept.join(" ");
    if joined != *a.value {
        if let Some(i) = a.from {
            removed.push((i, Kind::Attribute));
        }
        // Still the input's attribute, narrowed (as classes are): `from` stays.
        a.value = Cow::Owned(joined);
    }
}

fn new_attr(name: &'static str, value: &'static str) -> Attr<'static> {
    Attr {
        name: AttrName::plain(name),
        value: Cow::Borrowed(value),
        from: None,
    }
}

fn is_absolute(href: &str) -> bool {
    let href = href.trim_matches(|c: char| c <= ' ');
    href.starts_with("//")
        || match urls::shape(href) {
            Some(Shape::Relative) => false,
            Some(Shape::Scheme(scheme, rest)) if urls::surely_parses(scheme, rest) => true,
            _ => Url::parse(href).is_ok(),
        }
}

/// Elements change namespace only where the parser itself would switch: HTML → SVG at
/// `<svg>`, HTML → MathML at `<math>`, back to HTML (or across) only at the integration
/// points; and an element's name must belong to its namespace. Removing an element can
/// otherwise leave, say, an HTML-namespace `<iframe>` whose raw-text content the browser
/// re-reads as markup (mutation XSS).
pub fn namespace_allowed(parent: &Parent<'_>, child: Name<'_>) -> bool {
    let p = parent.name;
    let in_html = child.class.has(Class::IN_HTML);
    if p.ns == Ns::Html && child.ns == Ns::Svg {
        return child.atom == SVG;
    }
    if p.ns == Ns::Html && child.ns == Ns::MathMl {
        return child.atom == MATH;
    }
    if p.ns == Ns::MathMl && child.ns != Ns::MathMl {
        if p.atom == ANNOTATION_XML {
            let (count, all_html) = parent.encodings;
            return if child.ns == Ns::Html && all_html {
                in_html && count == 1
            } else {
                child.ns == Ns::Svg && child.atom == SVG
            };
        }
        return matches!(p.atom, MI | MO | MN | MS | MTEXT)
            && match child.ns {
                Ns::Html => in_html,
                Ns::Svg => child.atom == SVG,
                Ns::MathMl => false,
            };
    }
    if p.ns == Ns::Svg && child.ns != Ns::Svg {
        return p.atom == FOREIGNOBJECT
            && match child.ns {
                Ns::Html => in_html,
                Ns::MathMl => child.atom == MATH,
                Ns::Svg => false,
            };
    }
    match child.ns {
        Ns::Svg => child.class.has(Class::IN_SVG),
        Ns::MathMl => child.class.has(Class::IN_MATHML),
        Ns::Html => in_html,
    }
}

/// [`Rules::tag_bits`] of an element named `local`, from the sets.
fn tag_bits(tags: &Names, clean_content: &Names, local: &str) -> u8 {
    let mut bits = 0;
    if tags.contains(local) {
        bits |= TAG;
    }
    if clean_content.contains(local) {
        bits |= CLEAN_CONTENT;
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_without_a_colon_is_what_url_calls_relative() {
        let relative = Err(url::ParseError::RelativeUrlWithoutBase);
        for v in [
            "",
            " ",
            "/a",
            "//x.org/p",
            "a b",
            "%zz",
            "\t\n",
            "\\\\x",
            "//[",
            "?q",
            "#f",
            "javascript",
            "\u{0}x",
            "\u{2028}y",
        ] {
            assert_eq!(Url::parse(v).map(|_| ()), relative, "{v:?}");
            assert_eq!(parse_url(v).map(|_| ()), relative, "{v:?}");
        }
        let scheme = |v| parse_url(v).map(|u| u.scheme().to_string());
        assert_eq!(scheme("java\tscript:x"), Ok("javascript".to_string()));
        assert_eq!(scheme(" https://x.org/"), Ok("https".to_string()));
    }
}

#[cfg(test)]
mod bluemonday_options {
    use std::collections::BTreeSet;

    use crate::engine::EngineKind;
    use crate::policy::PolicySpec;

    fn strings(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn spec(tags: &[&str]) -> PolicySpec {
        let mut s = PolicySpec::empty();
        s.tags = strings(tags);
        s
    }

    /// The output, the same on every engine.
    fn clean(spec: &PolicySpec, html: &str) -> String {
        let outs: Vec<String> = EngineKind::ALL
            .iter()
            .map(|&e| {
                let mut s = spec.clone();
                s.engine = Some(e);
                s.compile().unwrap().sanitize(html).unwrap()
            })
            .collect();
        assert!(outs.iter().all(|o| *o == outs[0]), "{html:?}: {outs:?}");
        outs[0].clone()
    }

    fn refused(spec: PolicySpec) -> String {
        match spec.compile() {
            Err(e) => e.option,
            Ok(_) => panic!("not refused"),
        }
    }

    #[test]
    fn tag_patterns_keep_matching_elements_with_their_attributes() {
        let mut s = spec(&["b"]);
        s.tag_patterns = [
            ("^x-".to_string(), strings(&["title"])),
            ("^(scr|sty|gone)".to_string(), strings(&[])),
        ]
        .into();
        s.clean_content_tags = strings(&["gone"]);
        let html = "<x-a title=t onclick=x() id=i>a</x-a><script>s()</script><style>c</style>\
                    <b title=t>b</b><gone>g</gone><x-b>c</x-b>";
        assert_eq!(
            clean(&s, html),
            "<x-a title=\"t\">a</x-a>s()c<b>b</b><x-b>c</x-b>"
        );
        // Never an event handler, nor srcdoc; a bad pattern names the option.
        for bad in ["onclick", "srcdoc"] {
            let mut s = spec(&[]);
            s.tag_patterns = [("^x-".to_string(), strings(&[bad]))].into();
            assert_eq!(refused(s), "tag_patterns");
        }
        let mut s = spec(&[]);
        s.tag_patterns = [("(".to_string(), strings(&[]))].into();
        assert_eq!(refused(s), "tag_patterns");
        let mut s = spec(&["a"]);
        s.link_rel = Some("nofollow".into());
        s.tag_patterns = [("^a$".to_string(), strings(&["rel"]))].into();
        assert_eq!(refused(s), "link_rel/tag_patterns");
    }

    #[test]
    fn tag_patterns_are_not_escaped() {
        let mut s = spec(&[]);
        s.tag_patterns = [("^x-".to_string(), strings(&[]))].into();
        s.disallowed = crate::policy::spec::Disallowed::Escape;
        let p = s.compile().unwrap();
        assert_eq!(
            p.sanitize("<x-a>a</x-a><blink>b</blink>").unwrap(),
            "<x-a>a</x-a>&lt;blink&gt;b&lt;/blink&gt;"
        );
    }

    #[test]
    fn url_scheme_patterns_never_allow_script_or_data() {
        let mut s = spec(&["a"]);
        s.tag_attributes = [("a".to_string(), strings(&["href"]))].into();
        s.url_scheme_patterns = strings(&["^web\\+", "^(java|vb|dat|h)"]);
        let html = "<a href=\"web+app:x\">1</a><a href=\"javascript:alert(1)\">2</a>\
                    <a href=\"vbscript:x\">3</a><a href=\"data:text/html,x\">4</a>\
                    <a href=\"https://x.org/\">5</a><a href=\"ftp://x.org/\">6</a>\
                    <a href=\"\u{200b}javascript:alert(1)\">7</a>";
        assert_eq!(
            clean(&s, html),
            "<a href=\"web+app:x\">1</a><a>2</a><a>3</a><a>4</a>\
             <a href=\"https://x.org/\">5</a><a>6</a><a>7</a>"
        );
        s.url_scheme_patterns = strings(&["["]);
        assert_eq!(refused(s), "url_scheme_patterns");
    }

    #[test]
    fn iframe_sandbox_keeps_only_the_allowed_tokens() {
        let mut s = spec(&["iframe"]);
        s.tag_attributes = [("iframe".to_string(), strings(&["sandbox", "title"]))].into();
        s.iframe_sandbox = Some(strings(&["allow-forms", "allow-popups"]));
        let html =
            "<iframe sandbox=\"allow-scripts ALLOW-FORMS allow-forms allow-same-origin\"></iframe>\
                    <iframe title=t></iframe><iframe></iframe>";
        assert_eq!(
            clean(&s, html),
            "<iframe sandbox=\"allow-forms\"></iframe><iframe title=\"t\" sandbox=\"\"></iframe>\
             <iframe sandbox=\"\"></iframe>"
        );
        // Not allowed on the input: every iframe gets sandbox="".
        s.tag_attributes.clear();
        assert_eq!(
            clean(&s, "<iframe sandbox=\"allow-forms\"></iframe>"),
            "<iframe sandbox=\"\"></iframe>"
        );
        let mut bad = s.clone();
        bad.iframe_sandbox = Some(strings(&["allow-everything"]));
        assert_eq!(refused(bad), "iframe_sandbox");
        s.set_tag_attribute_values = [(
            "iframe".to_string(),
            [("sandbox".to_string(), String::new())].into(),
        )]
        .into();
        assert_eq!(refused(s), "iframe_sandbox/set_tag_attribute_values");
    }

    #[test]
    fn space_when_stripping_writes_a_space_per_removed_tag() {
        let mut s = spec(&["p"]);
        s.clean_content_tags = strings(&["script"]);
        s.space_when_stripping = true;
        assert_eq!(
            clean(
                &s,
                "<div>Hello</div><div>World</div>x<br>y<p>p<b>b</b></p><script>s</script>z"
            ),
            " Hello  World x y<p>p b </p>  z"
        );
        // Tags the parser added itself were never written: no space for them.
        let mut t = spec(&["table", "tr", "td"]);
        t.space_when_stripping = true;
        assert_eq!(
            clean(&t, "<table><tr><td>a</td></tr></table>"),
            "<table><tr><td>a</td></tr></table>"
        );
        s.space_when_stripping = false;
        assert_eq!(clean(&s, "<div>a</div><div>b</div>"), "ab");
    }

    #[test]
    fn bare_tags_unwrap_elements_left_without_attributes() {
        let mut s = spec(&["a", "b", "img", "p"]);
        s.tag_attributes = [
            ("a".to_string(), strings(&["href"])),
            ("img".to_string(), strings(&["src", "alt"])),
        ]
        .into();
        s.url_schemes = strings(&["https"]);
        s.link_rel = Some("nofollow".into());
        s.bare_tags = Some(strings(&["b", "p"]));
        let html = "<a href=\"javascript:x\">1</a><a href=\"https://x.org/\">2</a>\
                    <img src=\"javascript:x\"><img alt=\"\"><b>3</b><p onclick=x>4</p><a>5</a>";
        assert_eq!(
            clean(&s, html),
            "1<a href=\"https://x.org/\" rel=\"nofollow\">2</a><img alt=\"\"><b>3</b><p>4</p>5"
        );
        let (html, findings) = s.clone().compile().unwrap().inspect("<a>x</a>").unwrap();
        assert_eq!(html, "x");
        assert_eq!(findings.by_tag.get("a"), Some(&1));
        s.bare_tags = Some(strings(&["b c"]));
        assert_eq!(refused(s), "bare_tags");
    }
}
