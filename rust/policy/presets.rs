//! The built-in policies. `docs/presets.md` tabulates what each one allows (generated from
//! these definitions and checked by the tests).

use std::collections::{BTreeMap, BTreeSet};

use crate::policy::{CompiledPolicy, PolicyError, PolicySpec, UrlRelativeSpec};

/// The policy every verb uses when none is named.
pub const DEFAULT_POLICY: &str = "ugc";

pub const PRESET_NAMES: [&str; 4] = ["strict", "basic", "ugc", "relaxed"];

/// Elements removed together with their content: their text is code or another document,
/// never something a reader should see as text.
const DROP_WITH_CONTENT: &[&str] = &[
    "script", "style", "template", "noscript", "iframe", "noembed", "noframes", "object", "applet",
    "frameset", "math", "svg",
];

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn allow(spec: &mut PolicySpec, tags: &[&str], attrs: &[&str]) {
    for t in tags {
        spec.tags.insert(t.to_string());
        if !attrs.is_empty() {
            spec.tag_attributes
                .entry(t.to_string())
                .or_default()
                .extend(attrs.iter().map(|a| a.to_string()));
        }
    }
}

fn pattern(spec: &mut PolicySpec, tags: &[&str], attrs: &[&str], re: &str) {
    for t in tags {
        let m: &mut BTreeMap<String, String> =
            spec.attribute_patterns.entry(t.to_string()).or_default();
        for a in attrs {
            m.insert(a.to_string(), re.to_string());
        }
    }
}

fn base() -> PolicySpec {
    let mut s = PolicySpec::empty();
    s.clean_content_tags = set(DROP_WITH_CONTENT);
    s
}

fn links(s: &mut PolicySpec) {
    allow(s, &["a"], &["href"]);
    s.url_schemes = set(&["http", "https", "mailto"]);
    s.url_relative = UrlRelativeSpec::PassThrough;
    s.link_rel = Some("nofollow noopener noreferrer".into());
}

fn strict() -> PolicySpec {
    base()
}

fn basic() -> PolicySpec {
    let mut s = base();
    allow(
        &mut s,
        &[
            "b", "strong", "i", "em", "u", "s", "del", "ins", "mark", "small", "sub", "sup",
            "code", "q", "cite", "abbr", "br", "p", "span",
        ],
        &[],
    );
    allow(&mut s, &["abbr"], &["title"]);
    links(&mut s);
    s
}

const PARAGRAPH: &str = r"^[\p{L}\p{N}\s\-_',:\[\]!./\\()&]*$";
const INTEGER: &str = r"^[0-9]+$";
const NUMBER: &str = r"^[-+]?[0-9]*\.?[0-9]+$";
const NUMBER_OR_PERCENT: &str = r"^[0-9]+%?$";
const CELL_ALIGN: &str = r"(?i)^(center|justify|left|right|char)$";
const CELL_VALIGN: &str = r"(?i)^(baseline|bottom|middle|top)$";
const LIST_TYPE: &str = r"^(circle|disc|square|a|A|i|I|1)$";
const ISO8601: &str = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?)?)?$";

/// bluemonday's UGCPolicy, as far as ammonia can express it (see docs/presets.md).
fn ugc() -> PolicySpec {
    let mut s = base();
    allow(
        &mut s,
        &[
            "article",
            "aside",
            "figure",
            "section",
            "summary",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "hgroup",
            "br",
            "div",
            "hr",
            "p",
            "span",
            "wbr",
            "abbr",
            "acronym",
            "cite",
            "code",
            "dfn",
            "em",
            "figcaption",
            "mark",
            "s",
            "samp",
            "strong",
            "sub",
            "sup",
            "var",
            "b",
            "i",
            "pre",
            "small",
            "strike",
            "tt",
            "u",
            "bdi",
            "bdo",
            "rp",
            "rt",
            "ruby",
            "dl",
            "dt",
            "dd",
            "caption",
        ],
        &[],
    );
    links(&mut s);
    allow(&mut s, &["details"], &["open"]);
    allow(&mut s, &["blockquote", "q"], &["cite"]);
    allow(&mut s, &["time"], &["datetime"]);
    allow(&mut s, &["del", "ins"], &["cite", "datetime"]);
    allow(&mut s, &["ol", "ul"], &["type"]);
    allow(&mut s, &["li"], &["type", "value"]);
    allow(&mut s, &["table"], &["height", "width", "summary"]);
    allow(
        &mut s,
        &["col", "colgroup"],
        &["align", "height", "width", "span", "valign"],
    );
    allow(
        &mut s,
        &["thead", "tbody", "tfoot", "tr"],
        &["align", "valign"],
    );
    allow(
        &mut s,
        &["td", "th"],
        &[
            "abbr", "align", "colspan", "rowspan", "headers", "height", "width", "scope", "valign",
            "nowrap",
        ],
    );
    allow(
        &mut s,
        &["meter"],
        &["value", "min", "max", "low", "high", "optimum"],
    );
    allow(&mut s, &["progress"], &["value", "max"]);
    allow(
        &mut s,
        &["img"],
        &["align", "alt", "height", "width", "src"],
    );
    s.generic_attributes = set(&["dir", "lang", "id", "title"]);
    // ids are prefixed so user content cannot clobber the page's own ids and globals.
    s.id_prefix = Some("user-content-".into());

    let any = &["*"];
    pattern(&mut s, any, &["dir"], r"(?i)^(rtl|ltr|auto)$");
    pattern(
        &mut s,
        any,
        &["lang"],
        r"^[a-zA-Z]{2,20}(-[a-zA-Z0-9]{1,8})*$",
    );
    pattern(&mut s, any, &["id"], r"^[a-zA-Z0-9:\-_.]+$");
    pattern(&mut s, any, &["title"], PARAGRAPH);
    pattern(&mut s, &["details"], &["open"], r"(?i)^(open)?$");
    pattern(&mut s, &["time", "del", "ins"], &["datetime"], ISO8601);
    pattern(&mut s, &["del", "ins"], &["cite"], PARAGRAPH);
    pattern(&mut s, &["ol", "ul", "li"], &["type"], LIST_TYPE);
    pattern(&mut s, &["li"], &["value"], INTEGER);
    pattern(
        &mut s,
        &["table", "col", "colgroup", "td", "th", "img"],
        &["height", "width"],
        NUMBER_OR_PERCENT,
    );
    pattern(&mut s, &["table"], &["summary"], PARAGRAPH);
    pattern(
        &mut s,
        &[
            "col", "colgroup", "thead", "tbody", "tfoot", "tr", "td", "th",
        ],
        &["align"],
        CELL_ALIGN,
    );
    pattern(
        &mut s,
        &[
            "col", "colgroup", "thead", "tbody", "tfoot", "tr", "td", "th",
        ],
        &["valign"],
        CELL_VALIGN,
    );
    pattern(&mut s, &["col", "colgroup"], &["span"], INTEGER);
    pattern(&mut s, &["td", "th"], &["colspan", "rowspan"], INTEGER);
    pattern(&mut s, &["td", "th"], &["abbr"], PARAGRAPH);
    pattern(&mut s, &["td", "th"], &["headers"], r"^[a-zA-Z0-9\-_$ ]+$");
    pattern(
        &mut s,
        &["td", "th"],
        &["scope"],
        r"(?i)^(row|col)(group)?$",
    );
    pattern(&mut s, &["td", "th"], &["nowrap"], r"(?i)^(nowrap)?$");
    pattern(
        &mut s,
        &["meter"],
        &["value", "min", "max", "low", "high", "optimum"],
        NUMBER,
    );
    pattern(&mut s, &["progress"], &["value", "max"], NUMBER);
    pattern(
        &mut s,
        &["img"],
        &["align"],
        r"(?i)^(left|right|top|texttop|middle|absmiddle|baseline|bottom|absbottom)$",
    );
    pattern(&mut s, &["img"], &["alt"], PARAGRAPH);
    s
}

/// ugc plus code-highlighting classes, a safe subset of inline style and `kbd`.
fn relaxed() -> PolicySpec {
    let mut s = ugc();
    allow(&mut s, &["kbd", "center"], &[]);
    allow(&mut s, &["code", "pre", "span", "div"], &["class"]);
    pattern(
        &mut s,
        &["code", "pre", "span", "div"],
        &["class"],
        r"^[a-zA-Z0-9_\- ]*$",
    );
    s.generic_attributes.insert("style".into());
    s.filter_style_properties = Some(set(&[
        "color",
        "background-color",
        "text-align",
        "font-weight",
        "font-style",
        "text-decoration",
        "vertical-align",
        "width",
        "height",
        "border",
        "padding",
        "margin",
        "white-space",
    ]));
    s
}

pub fn preset_spec(name: &str) -> Option<PolicySpec> {
    Some(match name {
        "strict" => strict(),
        "basic" => basic(),
        "ugc" => ugc(),
        "relaxed" => relaxed(),
        _ => return None,
    })
}

/// A compiled preset, or an error naming the known presets.
pub fn preset(name: &str) -> Result<CompiledPolicy, PolicyError> {
    preset_spec(name)
        .ok_or_else(|| {
            PolicyError::new(
                "preset",
                format!(
                    "unknown preset {name:?}; presets are {}",
                    PRESET_NAMES.join(", ")
                ),
            )
        })?
        .compile()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_compiles() {
        for name in PRESET_NAMES {
            preset(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        assert_eq!(preset("nope").unwrap_err().option, "preset");
    }

    #[test]
    fn presets_widen_in_order() {
        let strict = preset_spec("strict").unwrap();
        let basic = preset_spec("basic").unwrap();
        let ugc = preset_spec("ugc").unwrap();
        let relaxed = preset_spec("relaxed").unwrap();
        assert!(strict.tags.is_empty());
        assert!(basic.tags.is_subset(&ugc.tags));
        assert!(ugc.tags.is_subset(&relaxed.tags));
    }

    #[test]
    fn ugc_behaves_like_bluemonday_ugc() {
        let p = preset("ugc").unwrap();
        let out = p
            .sanitize(r#"<a href="https://x.org" onclick="evil()">x</a><img src="javascript:alert(1)" alt="pic"><td colspan="2x">"#)
            .unwrap();
        assert_eq!(
            out,
            r#"<a href="https://x.org" rel="nofollow noopener noreferrer">x</a><img alt="pic">"#
        );
        assert_eq!(
            p.sanitize(r#"<p id="intro" dir="rtl">hi</p>"#).unwrap(),
            r#"<p id="user-content-intro" dir="rtl">hi</p>"#
        );
        assert_eq!(p.sanitize("<script>alert(1)</script>ok").unwrap(), "ok");
        assert_eq!(
            p.sanitize(r#"<blockquote cite="javascript:alert(1)">q</blockquote><q cite="https://x.org/s">s</q>"#).unwrap(),
            r#"<blockquote>q</blockquote><q cite="https://x.org/s">s</q>"#
        );
    }

    #[test]
    fn strict_keeps_text_only() {
        let p = preset("strict").unwrap();
        assert_eq!(
            p.sanitize("<b>a</b> &amp; <i>b</i><style>x</style>")
                .unwrap(),
            "a &amp; b"
        );
    }

    #[test]
    fn relaxed_filters_style_and_classes() {
        let p = preset("relaxed").unwrap();
        assert_eq!(
            p.sanitize(
                r#"<span style="color: red; position: fixed" class="hljs-keyword">x</span>"#
            )
            .unwrap(),
            r#"<span style="color:red" class="hljs-keyword">x</span>"#
        );
        assert_eq!(
            p.sanitize(r#"<code class="a&quot;b">x</code>"#).unwrap(),
            "<code>x</code>"
        );
    }
}
