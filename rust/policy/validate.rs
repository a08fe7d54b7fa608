//! Validation: every option and every combination of options is checked when a policy is
//! built, so a bad policy fails then, naming the option, never in the middle of a request.

use std::fmt;

use url::Url;

use crate::engine::EngineKind;
use crate::policy::rules::{is_url_attr, EXTRA_URL_ATTRS};
use crate::policy::spec::{Disallowed, PolicySpec, UrlRelativeSpec};

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
    /// Check every option and every combination of options (regular expressions are
    /// compiled, and checked, with the rules).
    pub fn validate(&self) -> Result<(), PolicyError> {
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
        self.validate_linkify()?;
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
        for (tag, attrs) in &self.attribute_patterns {
            if tag != "*" {
                check_name("attribute_patterns", tag)?;
            }
            for attr in attrs.keys() {
                check_name("attribute_patterns", attr)?;
                self.check_pattern_applies(tag, attr)?;
            }
        }
        self.validate_bluemonday_options()?;
        self.check_urls_can_pass()?;
        // Escaping and dropping act on tags before tree building, which needs a tokenizer
        // hook: html5ever's tree builder takes its tokenizer's tokens whole.
        if matches!(self.disallowed, Disallowed::Escape | Disallowed::Drop)
            && self.engine.unwrap_or_default() == EngineKind::Html5ever
        {
            return Err(PolicyError::new(
                "disallowed/engine",
                format!(
                    "{:?} needs our engine (engine=\"htmlguard\" or None): html5ever gives no hook between its tokenizer and tree builder",
                    self.disallowed.name()
                ),
            ));
        }
        Ok(())
    }

    /// Whether some option lets attribute `attr` onto element `tag`: with `value`, as far
    /// as `tag_attribute_values` decides; without, for some value. URLs, patterns, styles and
    /// classes are not considered.
    pub fn may_keep(&self, tag: &str, attr: &str, value: Option<&str>) -> bool {
        self.tags.contains(tag)
            && (self.generic_attributes.contains(attr)
                || self
                    .generic_attribute_prefixes
                    .iter()
                    .any(|p| attr.starts_with(p.as_str()))
                || self
                    .tag_attributes
                    .get(tag)
                    .is_some_and(|a| a.contains(attr))
                || self
                    .tag_attribute_values
                    .get(tag)
                    .and_then(|m| m.get(attr))
                    .is_some_and(|vs| {
                        value.is_none_or(|v| vs.iter().any(|x| x.eq_ignore_ascii_case(v)))
                    })
                || self
                    .set_tag_attribute_values
                    .get(tag)
                    .is_some_and(|m| m.contains_key(attr))
                || (attr == "class" && self.allowed_classes.contains_key(tag))
                || (tag == "a" && attr == "rel" && (self.link_rel.is_some() || self.target_blank))
                || (tag == "a" && attr == "target" && self.target_blank))
    }

    /// A pattern for an attribute that can never be kept would silently check nothing.
    fn check_pattern_applies(&self, tag: &str, attr: &str) -> Result<(), PolicyError> {
        let live = if tag == "*" {
            self.tags.iter().any(|t| self.may_keep(t, attr, None))
        } else {
            self.may_keep(tag, attr, None)
        };
        if live {
            return Ok(());
        }
        let place = if tag == "*" {
            "any allowed element".to_string()
        } else {
            format!("<{tag}>")
        };
        Err(PolicyError::new(
            "attribute_patterns",
            format!(
                "[{tag:?}][{attr:?}]: no option allows {attr:?} on {place}, so this pattern would never apply"
            ),
        ))
    }

    /// A URL attribute that is allowed while no URL can pass would silently disappear from
    /// every element.
    fn check_urls_can_pass(&self) -> Result<(), PolicyError> {
        if !self.url_schemes.is_empty()
            || !self.url_scheme_patterns.is_empty()
            || self.url_relative != UrlRelativeSpec::Deny
        {
            return Ok(());
        }
        let url_attr =
            |tag: &str, attr: &str| is_url_attr(tag, attr) || EXTRA_URL_ATTRS.contains(&attr);
        let generic = self
            .generic_attributes
            .iter()
            .find(|a| self.tags.iter().any(|t| url_attr(t, a)));
        let on_tag = self.tag_attributes.iter().find_map(|(t, attrs)| {
            attrs
                .iter()
                .find(|a| url_attr(t, a))
                .map(|a| format!("tag_attributes[{t:?}] allows {a:?}"))
        });
        let on_pattern = self.tag_patterns.iter().find_map(|(p, attrs)| {
            attrs
                .iter()
                .find(|a| url_attr("", a))
                .map(|a| format!("tag_patterns[{p:?}] allows {a:?}"))
        });
        let found = generic
            .map(|a| format!("generic_attributes allows {a:?}"))
            .or(on_tag)
            .or(on_pattern);
        match found {
            Some(what) => Err(PolicyError::new(
                "url_schemes/url_relative",
                format!(
                    "{what}, a URL attribute, but no URL scheme is allowed and relative URLs are denied, so it would be removed from every element (allow a scheme, url_relative=\"pass\", or drop the attribute)"
                ),
            )),
            None => Ok(()),
        }
    }
}

impl PolicySpec {
    /// `linkify` makes links only the policy keeps: `<a>` with `href`, and a scheme for
    /// them (http or https; mailto for e-mail addresses). A policy that would turn every
    /// made link back into text is a mistake, refused here.
    fn validate_linkify(&self) -> Result<(), PolicyError> {
        for t in &self.linkify_skip_tags {
            check_tag("linkify_skip_tags", t)?;
        }
        if !self.linkify {
            if self.linkify_email {
                return Err(PolicyError::new(
                    "linkify_email/linkify",
                    "linkify_email makes e-mail links only with linkify=True",
                ));
            }
            return Ok(());
        }
        let href = self.generic_attributes.contains("href")
            || self
                .generic_attribute_prefixes
                .iter()
                .any(|p| "href".starts_with(p.as_str()))
            || self
                .tag_attributes
                .get("a")
                .is_some_and(|a| a.contains("href"));
        if !self.tags.contains("a") || !href {
            return Err(PolicyError::new(
                "linkify/tags",
                "linkify makes <a href> links, so tags must include \"a\" and tag_attributes[\"a\"] (or generic_attributes) \"href\"",
            ));
        }
        if !self.url_schemes.contains("http") && !self.url_schemes.contains("https") {
            return Err(PolicyError::new(
                "linkify/url_schemes",
                "linkify makes http and https links, so url_schemes must include \"http\" or \"https\"",
            ));
        }
        if self.linkify_email && !self.url_schemes.contains("mailto") {
            return Err(PolicyError::new(
                "linkify_email/url_schemes",
                "linkify_email makes mailto: links, so url_schemes must include \"mailto\"",
            ));
        }
        Ok(())
    }
}

/// The tokens `sandbox` can hold (the HTML standard's): what `iframe_sandbox` may keep.
pub const SANDBOX_TOKENS: &[&str] = &[
    "allow-downloads",
    "allow-downloads-without-user-activation",
    "allow-forms",
    "allow-modals",
    "allow-orientation-lock",
    "allow-pointer-lock",
    "allow-popups",
    "allow-popups-to-escape-sandbox",
    "allow-presentation",
    "allow-same-origin",
    "allow-scripts",
    "allow-storage-access-by-user-activation",
    "allow-top-navigation",
    "allow-top-navigation-by-user-activation",
    "allow-top-navigation-to-custom-protocols",
];

impl PolicySpec {
    /// `tag_patterns`, `url_scheme_patterns` and `iframe_sandbox` (bluemonday's element and
    /// scheme patterns and sandbox values). The patterns themselves are compiled, and
    /// checked, with the rules; what they can never admit is left out there.
    fn validate_bluemonday_options(&self) -> Result<(), PolicyError> {
        for (pattern, attrs) in &self.tag_patterns {
            if pattern.is_empty() {
                return Err(PolicyError::new(
                    "tag_patterns",
                    "an empty pattern would match every element; write \".\" if that is meant",
                ));
            }
            for a in attrs {
                check_attr("tag_patterns", a)?;
            }
            if self.link_rel.is_some() && attrs.contains("rel") {
                return Err(PolicyError::new(
                    "link_rel/tag_patterns",
                    format!("link_rel sets rel on every link, so tag_patterns[{pattern:?}] cannot also allow \"rel\""),
                ));
            }
        }
        for t in self.bare_tags.iter().flatten() {
            check_name("bare_tags", t)?;
        }
        if self.url_scheme_patterns.iter().any(String::is_empty) {
            return Err(PolicyError::new(
                "url_scheme_patterns",
                "an empty pattern would match every scheme; write \".\" if that is meant",
            ));
        }
        if let Some(tokens) = &self.iframe_sandbox {
            if let Some(t) = tokens
                .iter()
                .find(|t| !SANDBOX_TOKENS.contains(&t.as_str()))
            {
                return Err(PolicyError::new(
                    "iframe_sandbox",
                    format!(
                        "{t:?} is not a sandbox token (write them in lowercase: {})",
                        SANDBOX_TOKENS.join(", ")
                    ),
                ));
            }
            if self
                .set_tag_attribute_values
                .get("iframe")
                .is_some_and(|m| m.contains_key("sandbox"))
            {
                return Err(PolicyError::new(
                    "iframe_sandbox/set_tag_attribute_values",
                    "iframe_sandbox writes sandbox on every iframe, so set_tag_attribute_values cannot also set it",
                ));
            }
        }
        Ok(())
    }
}
