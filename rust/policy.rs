//! Policy specification, validation and compilation.
//!
//! A [`PolicySpec`] is plain owned data (what a user wrote). [`PolicySpec::compile`] checks it
//! completely (every combination ammonia would `assert!` on inside `clean()`, every regex,
//! every option that could let script through) and only then builds the ammonia `Builder`.
//! So a bad policy fails when it is built, never in the middle of a request.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::hash::{Hash, Hasher};

use ammonia::{Builder, Url, UrlRelative};
use regex::Regex;

use crate::intern::intern;

/// Tag name → set of names (attributes or classes).
pub type NameMap = BTreeMap<String, BTreeSet<String>>;

/// How relative URLs are treated.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum UrlRelativeSpec {
    /// Relative URLs are removed.
    #[default]
    Deny,
    /// Relative URLs pass unchanged.
    PassThrough,
    /// Relative URLs are resolved against this absolute base URL.
    RewriteWithBase(String),
    /// Absolute paths go under `root`, relative paths under `root` + `path`.
    RewriteWithRoot { root: String, path: String },
}

/// Everything a policy says, as owned, ordered data (ordered so equality, hashing and
/// serialisation are deterministic).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct PolicySpec {
    pub tags: BTreeSet<String>,
    pub clean_content_tags: BTreeSet<String>,
    pub tag_attributes: NameMap,
    pub generic_attributes: BTreeSet<String>,
    pub generic_attribute_prefixes: BTreeSet<String>,
    pub tag_attribute_values: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    pub set_tag_attribute_values: BTreeMap<String, BTreeMap<String, String>>,
    pub url_schemes: BTreeSet<String>,
    pub url_relative: UrlRelativeSpec,
    pub link_rel: Option<String>,
    pub allowed_classes: NameMap,
    pub filter_style_properties: Option<BTreeSet<String>>,
    pub strip_comments: bool,
    pub id_prefix: Option<String>,
    /// tag (or "*" for every tag) → attribute → regular expression the value must match.
    pub attribute_patterns: BTreeMap<String, BTreeMap<String, String>>,
    pub target_blank: bool,
    pub max_input_bytes: Option<usize>,
}

impl PolicySpec {
    /// The empty policy: nothing allowed, comments stripped.
    pub fn empty() -> Self {
        PolicySpec {
            strip_comments: true,
            ..Default::default()
        }
    }
}

/// A policy that cannot be built. `option` names the offending option (or both, for a
/// conflict), so the message can point at what to change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyError {
    pub option: String,
    pub message: String,
}

impl PolicyError {
    pub fn new(option: impl Into<String>, message: impl Into<String>) -> Self {
        PolicyError {
            option: option.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.option, self.message)
    }
}

impl std::error::Error for PolicyError {}

/// Attributes whose values are URLs for ammonia's scheme check (mirrors ammonia's list).
pub fn is_url_attr(tag: &str, attr: &str) -> bool {
    let animation = matches!(
        tag,
        "animate" | "animateMotion" | "animateTransform" | "set" | "animateColor"
    );
    (!animation && (attr == "href" || attr == "xlink:href"))
        || attr == "src"
        || (tag == "form" && attr == "action")
        || (tag == "object" && attr == "data")
        || ((tag == "button" || tag == "input") && attr == "formaction")
        || (tag == "a" && attr == "ping")
        || (tag == "video" && attr == "poster")
}

/// URL-valued attributes that ammonia does not check (it knows `href`, `src` and a few
/// element-specific ones). Browsers do not run `cite`, but a page script may follow it, and
/// bluemonday's UGC policy checks it; the others are legacy URL attributes.
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

/// Stands in for a URL refused before ammonia rewrites relative URLs (which would hide
/// what the value was); an absolute URL, so ammonia leaves it alone, and the serializer
/// drops the attribute. Marking instead of dropping keeps ammonia from reordering the
/// remaining attributes.
pub const REFUSED_URL: &str = "htmlguard-refused:";

/// Why an attribute value is refused by [`ValueRules`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A URL with a scheme the policy does not allow (or a relative URL when denied).
    Url,
    /// The value does not match the attribute's pattern.
    Pattern,
}

/// The per-value checks htmlguard adds to ammonia: `attribute_patterns` and the URL rule
/// for [`EXTRA_URL_ATTRS`]. Runs as ammonia's attribute filter.
#[derive(Debug, Default)]
pub struct ValueRules {
    by_tag: HashMap<String, HashMap<String, Regex>>,
    global: HashMap<String, Regex>,
    schemes: HashSet<String>,
    relative_denied: bool,
    /// `filter_style_properties` is set: `style` values must be plain enough that
    /// filtering them again gives the same text (see [`plain_style`]).
    style_filtered: bool,
}

/// Whether a (filtered) `style` value is made only of simple CSS: names, numbers, units,
/// colours, commas, balanced parentheses and quotes. ammonia re-serializes declarations
/// with cssparser, and values with stray `<`, `(`, `\`, braces or control characters can
/// come out in a form that filters differently the next time (found by the fuzzer), so
/// the output would not be stable.
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

impl ValueRules {
    /// Whether a URL value passes the policy's scheme and relative-URL rules (the same
    /// rule ammonia applies to `href` and `src`).
    pub fn url_allowed(&self, value: &str) -> bool {
        match Url::parse(value) {
            Ok(u) => self.schemes.contains(u.scheme()),
            Err(url::ParseError::RelativeUrlWithoutBase) => !self.relative_denied,
            Err(_) => false,
        }
    }

    /// Browsers strip only leading C0 controls and spaces and inner tabs and newlines from a
    /// URL, so `"\u{2028}javascript:x"` or `"\x01java\x03script:x"` are harmless relative
    /// URLs to them. Other URL consumers (mail clients, Markdown tools, old browsers) have
    /// been more lenient, so a value that only *looks* relative because of invisible
    /// characters is refused when, without them, its scheme would be refused.
    pub fn squeezed_url_allowed(&self, value: &str) -> bool {
        let invisible = |c: char| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '\u{ad}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
        };
        if !value.contains(invisible) {
            return true;
        }
        let squeezed: String = value.chars().filter(|&c| !invisible(c)).collect();
        self.url_allowed(&squeezed)
    }

    /// `Err` when this attribute value must be dropped.
    pub fn check(&self, tag: &str, attr: &str, value: &str) -> Result<(), Refusal> {
        if value == REFUSED_URL {
            return Err(Refusal::Url);
        }
        if self.style_filtered && attr == "style" && !plain_style(value) {
            return Err(Refusal::Pattern);
        }
        let extra = EXTRA_URL_ATTRS.contains(&attr) && !is_url_attr(tag, attr);
        if extra && !self.url_allowed(value) {
            return Err(Refusal::Url);
        }
        if (extra || is_url_attr(tag, attr)) && !self.squeezed_url_allowed(value) {
            return Err(Refusal::Url);
        }
        if let Some(re) = self.by_tag.get(tag).and_then(|m| m.get(attr)) {
            if !re.is_match(value) {
                return Err(Refusal::Pattern);
            }
        }
        match self.global.get(attr) {
            Some(re) if !re.is_match(value) => Err(Refusal::Pattern),
            _ => Ok(()),
        }
    }
}

/// A validated policy with its ammonia engine built once.
pub struct CompiledPolicy {
    pub spec: PolicySpec,
    pub builder: Builder<'static>,
    pub rules: std::sync::Arc<ValueRules>,
    pub hash: u64,
}

impl fmt::Debug for CompiledPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompiledPolicy")
            .field("spec", &self.spec)
            .finish()
    }
}

fn check_name(option: &str, name: &str) -> Result<(), PolicyError> {
    if name.is_empty() {
        return Err(PolicyError::new(option, "names must not be empty"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '=' | '/' | '\0'))
    {
        return Err(PolicyError::new(
            option,
            format!("{name:?} is not a valid HTML name (contains {c:?})"),
        ));
    }
    Ok(())
}

fn check_attr(option: &str, name: &str) -> Result<(), PolicyError> {
    check_name(option, name)?;
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("on") {
        return Err(PolicyError::new(
            option,
            format!("{name:?} is an event-handler attribute: it runs script and is never allowed"),
        ));
    }
    if lower == "srcdoc" {
        return Err(PolicyError::new(
            option,
            "\"srcdoc\" holds a whole HTML document (script included) and is never allowed",
        ));
    }
    Ok(())
}

fn check_tag(option: &str, name: &str) -> Result<(), PolicyError> {
    check_name(option, name)?;
    if option == "tags" && name.eq_ignore_ascii_case("script") {
        return Err(PolicyError::new(
            "tags",
            "\"script\" can never be allowed (use clean_content_tags to drop scripts with their content)",
        ));
    }
    Ok(())
}

fn check_absolute_url(option: &str, value: &str) -> Result<Url, PolicyError> {
    let url = Url::parse(value)
        .map_err(|e| PolicyError::new(option, format!("{value:?} is not an absolute URL ({e})")))?;
    if url.cannot_be_a_base() {
        return Err(PolicyError::new(
            option,
            format!("{value:?} cannot be used as a base URL"),
        ));
    }
    Ok(url)
}

impl PolicySpec {
    /// Check every option and every combination of options. Returns the value rules
    /// (compiled patterns: the only part of validation with a by-product).
    pub fn validate(&self) -> Result<ValueRules, PolicyError> {
        for t in &self.tags {
            check_tag("tags", t)?;
        }
        for t in &self.clean_content_tags {
            check_tag("clean_content_tags", t)?;
            if self.tags.contains(t) {
                return Err(PolicyError::new(
                    "tags/clean_content_tags",
                    format!("{t:?} is in both tags and clean_content_tags (keep it or drop it, not both)"),
                ));
            }
            if self.tag_attributes.contains_key(t) {
                return Err(PolicyError::new(
                    "tag_attributes/clean_content_tags",
                    format!("{t:?} is in clean_content_tags, so it cannot have tag_attributes"),
                ));
            }
        }
        for (tag, attrs) in &self.tag_attributes {
            check_name("tag_attributes", tag)?;
            for a in attrs {
                check_attr("tag_attributes", a)?;
            }
        }
        for a in &self.generic_attributes {
            check_attr("generic_attributes", a)?;
        }
        for p in &self.generic_attribute_prefixes {
            check_name("generic_attribute_prefixes", p)?;
            let lower = p.to_ascii_lowercase();
            if "on".starts_with(&lower) || lower.starts_with("on") || "srcdoc".starts_with(&lower) {
                return Err(PolicyError::new(
                    "generic_attribute_prefixes",
                    format!("prefix {p:?} would admit event-handler or srcdoc attributes"),
                ));
            }
        }
        for (tag, attrs) in &self.tag_attribute_values {
            check_name("tag_attribute_values", tag)?;
            for a in attrs.keys() {
                check_attr("tag_attribute_values", a)?;
            }
        }
        for (tag, attrs) in &self.set_tag_attribute_values {
            check_name("set_tag_attribute_values", tag)?;
            for a in attrs.keys() {
                check_attr("set_tag_attribute_values", a)?;
            }
        }
        for s in &self.url_schemes {
            if s.is_empty()
                || !s.starts_with(|c: char| c.is_ascii_alphabetic())
                || !s
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            {
                return Err(PolicyError::new(
                    "url_schemes",
                    format!("{s:?} is not a URL scheme (write \"https\", not \"https:\" or \"https://\")"),
                ));
            }
            if s.chars().any(|c| c.is_ascii_uppercase()) {
                return Err(PolicyError::new(
                    "url_schemes",
                    format!(
                        "{s:?}: schemes are compared in lowercase; write {:?}",
                        s.to_ascii_lowercase()
                    ),
                ));
            }
            if matches!(s.as_str(), "javascript" | "vbscript") {
                return Err(PolicyError::new(
                    "url_schemes",
                    format!("{s:?} URLs run script and are never allowed"),
                ));
            }
        }
        match &self.url_relative {
            UrlRelativeSpec::RewriteWithBase(base) => {
                check_absolute_url("url_relative", base)?;
            }
            UrlRelativeSpec::RewriteWithRoot { root, .. } => {
                check_absolute_url("url_relative", root)?;
            }
            _ => {}
        }
        if let Some(rel) = &self.link_rel {
            if rel.trim().is_empty() {
                return Err(PolicyError::new(
                    "link_rel",
                    "must be None or a non-empty string",
                ));
            }
            if self.generic_attributes.contains("rel") {
                return Err(PolicyError::new(
                    "link_rel/generic_attributes",
                    "link_rel sets rel on every link, so \"rel\" cannot also be in generic_attributes",
                ));
            }
            if self
                .tag_attributes
                .get("a")
                .is_some_and(|a| a.contains("rel"))
            {
                return Err(PolicyError::new(
                    "link_rel/tag_attributes",
                    "link_rel sets rel on every link, so tag_attributes[\"a\"] cannot also allow \"rel\"",
                ));
            }
        }
        for (tag, classes) in &self.allowed_classes {
            check_name("allowed_classes", tag)?;
            for c in classes {
                if c.is_empty() || c.chars().any(|ch| ch.is_ascii_whitespace()) {
                    return Err(PolicyError::new(
                        "allowed_classes",
                        format!("{c:?} is not a single class name"),
                    ));
                }
            }
            if self.generic_attributes.contains("class") {
                return Err(PolicyError::new(
                    "allowed_classes/generic_attributes",
                    "allowed_classes filters the class attribute, so \"class\" cannot also be in generic_attributes",
                ));
            }
            if self
                .tag_attributes
                .get(tag)
                .is_some_and(|a| a.contains("class"))
            {
                return Err(PolicyError::new(
                    "allowed_classes/tag_attributes",
                    format!("allowed_classes[{tag:?}] filters class, so tag_attributes[{tag:?}] cannot also allow \"class\""),
                ));
            }
        }
        if let Some(props) = &self.filter_style_properties {
            if self.tags.contains("style") {
                return Err(PolicyError::new(
                    "filter_style_properties/tags",
                    "filter_style_properties filters style attributes only; it cannot be combined with allowing <style> elements",
                ));
            }
            for p in props {
                check_name("filter_style_properties", p)?;
            }
        }
        if let Some(prefix) = &self.id_prefix {
            check_name("id_prefix", prefix)?;
        }
        if self.max_input_bytes == Some(0) {
            return Err(PolicyError::new(
                "max_input_bytes",
                "must be None or a positive number of bytes",
            ));
        }
        let mut patterns = ValueRules {
            schemes: self.url_schemes.iter().cloned().collect(),
            relative_denied: self.url_relative == UrlRelativeSpec::Deny,
            style_filtered: self.filter_style_properties.is_some(),
            ..Default::default()
        };
        for (tag, attrs) in &self.attribute_patterns {
            if tag != "*" {
                check_name("attribute_patterns", tag)?;
            }
            for (attr, pattern) in attrs {
                check_name("attribute_patterns", attr)?;
                let re = regex::RegexBuilder::new(pattern)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| {
                        PolicyError::new(
                            "attribute_patterns",
                            format!("[{tag:?}][{attr:?}]: invalid regular expression: {e}"),
                        )
                    })?;
                let slot = if tag == "*" {
                    &mut patterns.global
                } else {
                    patterns.by_tag.entry(tag.clone()).or_default()
                };
                slot.insert(attr.clone(), re);
            }
        }
        Ok(patterns)
    }

    /// Validate and build the engine.
    pub fn compile(self) -> Result<CompiledPolicy, PolicyError> {
        let rules = std::sync::Arc::new(self.validate()?);
        let builder = self.build_ammonia(&rules);
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.hash(&mut h);
        Ok(CompiledPolicy {
            hash: h.finish(),
            spec: self,
            builder,
            rules,
        })
    }

    /// The ammonia part of the policy. `ValueRules` (patterns, extra URL checks) are
    /// applied by the serializer; see `serialize::Options::rules`.
    fn build_ammonia(&self, rules: &std::sync::Arc<ValueRules>) -> Builder<'static> {
        fn set(s: &BTreeSet<String>) -> HashSet<&'static str> {
            s.iter().map(|x| intern(x)).collect()
        }
        fn map(m: &NameMap) -> HashMap<&'static str, HashSet<&'static str>> {
            m.iter().map(|(k, v)| (intern(k), set(v))).collect()
        }
        let mut b = Builder::empty();
        b.tags(set(&self.tags))
            .clean_content_tags(set(&self.clean_content_tags))
            .tag_attributes(map(&self.tag_attributes))
            .generic_attributes(set(&self.generic_attributes))
            .generic_attribute_prefixes(set(&self.generic_attribute_prefixes))
            .tag_attribute_values(
                self.tag_attribute_values
                    .iter()
                    .map(|(t, m)| {
                        (
                            intern(t),
                            m.iter().map(|(a, v)| (intern(a), set(v))).collect(),
                        )
                    })
                    .collect(),
            )
            .set_tag_attribute_values(
                self.set_tag_attribute_values
                    .iter()
                    .map(|(t, m)| {
                        (
                            intern(t),
                            m.iter().map(|(a, v)| (intern(a), intern(v))).collect(),
                        )
                    })
                    .collect(),
            )
            .url_schemes(set(&self.url_schemes))
            .link_rel(self.link_rel.as_deref().map(intern))
            .allowed_classes(map(&self.allowed_classes))
            .strip_comments(self.strip_comments)
            .id_prefix(self.id_prefix.as_deref().map(intern));
        if let Some(props) = &self.filter_style_properties {
            b.filter_style_properties(set(props));
        }
        // validate() has already proved these URLs parse.
        let relative = match &self.url_relative {
            UrlRelativeSpec::Deny => UrlRelative::Deny,
            UrlRelativeSpec::PassThrough => UrlRelative::PassThrough,
            UrlRelativeSpec::RewriteWithBase(base) => match Url::parse(base) {
                Ok(u) => UrlRelative::RewriteWithBase(u),
                Err(_) => UrlRelative::Deny,
            },
            UrlRelativeSpec::RewriteWithRoot { root, path } => match Url::parse(root) {
                Ok(u) => UrlRelative::RewriteWithRoot {
                    root: u,
                    path: path.clone(),
                },
                Err(_) => UrlRelative::Deny,
            },
        };
        b.url_relative(relative);
        if matches!(
            self.url_relative,
            UrlRelativeSpec::RewriteWithBase(_) | UrlRelativeSpec::RewriteWithRoot { .. }
        ) {
            // The disguised-scheme check must see the URL before it is resolved against
            // the base; every other value rule runs in the serializer.
            let rules = rules.clone();
            b.attribute_filter(move |tag: &str, attr: &str, value: &str| {
                if is_url_attr(tag, attr) && !rules.squeezed_url_allowed(value) {
                    Some(REFUSED_URL.into())
                } else {
                    Some(value.into())
                }
            });
        }
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> PolicySpec {
        PolicySpec::empty()
    }

    fn err(s: PolicySpec) -> PolicyError {
        s.compile().expect_err("policy should be rejected")
    }

    #[test]
    fn empty_policy_compiles() {
        assert!(spec().compile().is_ok());
    }

    #[test]
    fn tag_in_both_lists_is_rejected() {
        let mut s = spec();
        s.tags.insert("b".into());
        s.clean_content_tags.insert("b".into());
        assert_eq!(err(s).option, "tags/clean_content_tags");
    }

    #[test]
    fn clean_content_tag_with_attributes_is_rejected() {
        let mut s = spec();
        s.clean_content_tags.insert("style".into());
        s.tag_attributes
            .insert("style".into(), ["media".to_string()].into());
        assert_eq!(err(s).option, "tag_attributes/clean_content_tags");
    }

    #[test]
    fn link_rel_conflicts() {
        let mut s = spec();
        s.link_rel = Some("nofollow".into());
        s.generic_attributes.insert("rel".into());
        assert_eq!(err(s).option, "link_rel/generic_attributes");
        let mut s = spec();
        s.link_rel = Some("nofollow".into());
        s.tag_attributes
            .insert("a".into(), ["rel".to_string()].into());
        assert_eq!(err(s).option, "link_rel/tag_attributes");
    }

    #[test]
    fn class_conflicts() {
        let mut s = spec();
        s.allowed_classes
            .insert("span".into(), ["x".to_string()].into());
        s.generic_attributes.insert("class".into());
        assert_eq!(err(s).option, "allowed_classes/generic_attributes");
        let mut s = spec();
        s.allowed_classes
            .insert("span".into(), ["x".to_string()].into());
        s.tag_attributes
            .insert("span".into(), ["class".to_string()].into());
        assert_eq!(err(s).option, "allowed_classes/tag_attributes");
    }

    #[test]
    fn style_tag_with_property_filter_is_rejected() {
        let mut s = spec();
        s.tags.insert("style".into());
        s.filter_style_properties = Some(["color".to_string()].into());
        assert_eq!(err(s).option, "filter_style_properties/tags");
    }

    #[test]
    fn script_capable_options_are_rejected() {
        let mut s = spec();
        s.tags.insert("script".into());
        assert_eq!(err(s).option, "tags");
        let mut s = spec();
        s.generic_attributes.insert("onclick".into());
        assert_eq!(err(s).option, "generic_attributes");
        let mut s = spec();
        s.generic_attribute_prefixes.insert("o".into());
        assert_eq!(err(s).option, "generic_attribute_prefixes");
        let mut s = spec();
        s.url_schemes.insert("javascript".into());
        assert_eq!(err(s).option, "url_schemes");
        let mut s = spec();
        s.tag_attributes
            .insert("iframe".into(), ["srcdoc".to_string()].into());
        assert_eq!(err(s).option, "tag_attributes");
    }

    #[test]
    fn bad_values_are_rejected() {
        let mut s = spec();
        s.url_schemes.insert("https:".into());
        assert_eq!(err(s).option, "url_schemes");
        let mut s = spec();
        s.url_relative = UrlRelativeSpec::RewriteWithBase("not a url".into());
        assert_eq!(err(s).option, "url_relative");
        let mut s = spec();
        s.tags.insert("b c".into());
        assert_eq!(err(s).option, "tags");
        let mut s = spec();
        s.max_input_bytes = Some(0);
        assert_eq!(err(s).option, "max_input_bytes");
    }

    #[test]
    fn bad_regex_is_rejected_and_good_one_compiles() {
        let mut s = spec();
        s.attribute_patterns.insert(
            "span".into(),
            [("class".to_string(), "(".to_string())].into(),
        );
        let e = err(s);
        assert_eq!(e.option, "attribute_patterns");
        assert!(e.message.contains("regular expression"));

        let mut s = spec();
        s.attribute_patterns.insert(
            "*".into(),
            [("title".to_string(), "^[a-z]+$".to_string())].into(),
        );
        let p = s.validate().unwrap();
        assert_eq!(p.check("b", "title", "abc"), Ok(()));
        assert_eq!(p.check("b", "title", "ABC"), Err(Refusal::Pattern));
        assert_eq!(p.check("b", "lang", "ABC"), Ok(()));
    }

    #[test]
    fn extra_url_attributes_follow_the_url_rules() {
        let mut s = spec();
        s.url_schemes.insert("https".into());
        let r = s.validate().unwrap();
        assert_eq!(r.check("q", "cite", "https://x.org"), Ok(()));
        assert_eq!(
            r.check("q", "cite", "javascript:alert(1)"),
            Err(Refusal::Url)
        );
        assert_eq!(r.check("q", "cite", "/relative"), Err(Refusal::Url));
        s.url_relative = UrlRelativeSpec::PassThrough;
        let r = s.validate().unwrap();
        assert_eq!(r.check("q", "cite", "/relative"), Ok(()));
        for disguised in [
            "\u{2028}javascript:alert(1)",
            "\u{a0}javascript:x",
            "\x01java\x03script:x",
            "java\u{200b}script:x",
        ] {
            assert_eq!(
                r.check("a", "href", disguised),
                Err(Refusal::Url),
                "{disguised:?}"
            );
        }
        assert_eq!(r.check("a", "href", "my file.html"), Ok(()));
        assert_eq!(r.check("a", "href", "https://x.org/a b"), Ok(()));
    }

    #[test]
    fn plain_styles() {
        for ok in [
            "color:red",
            "margin:0 auto;width:50%",
            "color:rgb(1, 2, 3)",
            "font-family:'Open Sans', serif",
            "",
        ] {
            assert!(plain_style(ok), "{ok}");
        }
        for bad in [
            "color:c<d",
            "x:(",
            "x:)(",
            "x:'a",
            "x:\\66",
            "x:{}",
            "x:\u{3}",
            "x:é",
        ] {
            assert!(!plain_style(bad), "{bad}");
        }
    }

    #[test]
    fn equal_specs_hash_equal() {
        let mut a = spec();
        a.tags.insert("b".into());
        a.tags.insert("i".into());
        let mut b = spec();
        b.tags.insert("i".into());
        b.tags.insert("b".into());
        assert_eq!(a.clone().compile().unwrap().hash, b.compile().unwrap().hash);
    }
}
