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
        attribute_of(self.kind, &self.name)
    }
}

/// The attribute a removal of `kind` named `name` is counted under, if any.
fn attribute_of(kind: Kind, name: &str) -> Option<&str> {
    match kind {
        Kind::Attribute | Kind::Url => Some(name),
        Kind::Class => Some("class"),
        Kind::Style => Some("style"),
        Kind::Tag | Kind::Comment => None,
    }
}

thread_local! {
    /// A reusable `(tag, attribute)` key, so counting an attribute seen before allocates
    /// nothing.
    static KEY: std::cell::RefCell<(String, String)> = const {
        std::cell::RefCell::new((String::new(), String::new()))
    };
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
    /// Count only, leaving `removed` empty (see [`Findings::counts_only`]).
    pub counts_only: bool,
}

impl Findings {
    /// Findings that keep the counts only (`removed` stays empty): what a bulk job reports,
    /// without a record and its copies of every removal.
    pub fn counts_only() -> Self {
        Findings {
            counts_only: true,
            ..Findings::default()
        }
    }

    /// Count `n` removals without recording them (see [`Findings::counts_only`]).
    pub fn count(&mut self, kind: Kind, tag: &str, name: &str, n: usize) {
        self.total += n;
        *self.by_kind.entry(kind.as_str()).or_default() += n;
        if !tag.is_empty() {
            match self.by_tag.get_mut(tag) {
                Some(c) => *c += n,
                None => {
                    self.by_tag.insert(tag.to_string(), n);
                }
            }
        }
        if let Some(a) = attribute_of(kind, name) {
            KEY.with(|key| {
                let mut key = key.borrow_mut();
                key.0.clear();
                key.0.push_str(tag);
                key.1.clear();
                key.1.push_str(a);
                match self.by_attribute.get_mut(&*key) {
                    Some(c) => *c += n,
                    None => {
                        self.by_attribute.insert(key.clone(), n);
                    }
                }
            });
        }
    }

    pub fn add(&mut self, r: Removal) {
        self.add_n(r, 1);
    }

    /// Add `other`'s counts to these (its list of removals is not kept): a batch's total.
    pub fn merge(&mut self, other: Findings) {
        self.total += other.total;
        for (k, n) in other.by_kind {
            *self.by_kind.entry(k).or_default() += n;
        }
        for (k, n) in other.by_tag {
            *self.by_tag.entry(k).or_default() += n;
        }
        for (k, n) in other.by_attribute {
            *self.by_attribute.entry(k).or_default() += n;
        }
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
            if f.counts_only {
                f.count(kind, tag, name, n);
            } else {
                f.add_n(removal(kind, tag, name, value), n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::presets::preset;
    use crate::policy::{CompiledPolicy, PolicySpec};
    use crate::report::Findings;

    #[test]
    fn counting_only_gives_the_counts_of_the_full_record() {
        let docs = [
            r#"<!--c--><a href="javascript:x" onclick="y" class="k">t</a><script>z</script>"#,
            r#"<p style="color:red;position:fixed" onclick=1 onclick=2><blink>b</blink><x-y a=1>"#,
            "",
            "plain",
        ];
        for name in ["ugc", "basic", "strict", "relaxed"] {
            let p = preset(name).unwrap();
            let many = [docs.join(""), docs[0].repeat(3000)];
            let full = p.inspect_many(&many, 2).unwrap();
            let counted = p.count_many(&many, 2).unwrap();
            for ((out, f), (out2, c)) in full.iter().zip(&counted) {
                assert_eq!(out, out2);
                assert!(c.removed.is_empty() && c.counts_only);
                assert_eq!(
                    (c.total, &c.by_kind, &c.by_tag, &c.by_attribute),
                    (f.total, &f.by_kind, &f.by_tag, &f.by_attribute),
                    "{name}"
                );
            }
        }
    }

    fn inspect(p: &CompiledPolicy, html: &str) -> Findings {
        p.inspect(html).unwrap().1
    }

    fn kinds(f: &Findings) -> Vec<(&'static str, String, String)> {
        f.removed
            .iter()
            .map(|r| (r.kind.as_str(), r.tag.clone(), r.name.clone()))
            .collect()
    }

    #[test]
    fn reports_each_kind() {
        let p = preset("ugc").unwrap();
        let f = inspect(
            &p,
            r#"<!--c--><a href="javascript:x" onclick="y">t</a><script>z</script><blink>b</blink>"#,
        );
        assert_eq!(
            kinds(&f),
            vec![
                ("comment", String::new(), "#comment".to_string()),
                ("url", "a".to_string(), "href".to_string()),
                ("attribute", "a".to_string(), "onclick".to_string()),
                ("tag", "script".to_string(), "script".to_string()),
                ("tag", "blink".to_string(), "blink".to_string()),
            ]
        );
        assert_eq!(f.by_tag["a"], 2);
        assert_eq!(f.by_attribute[&("a".to_string(), "href".to_string())], 1);
    }

    #[test]
    fn clean_input_reports_nothing() {
        let p = preset("ugc").unwrap();
        let f = inspect(
            &p,
            r#"<p>Hello <b>world</b> <a href="https://x.org">x</a></p>"#,
        );
        assert_eq!(f.total, 0);
    }

    #[test]
    fn classes_styles_and_patterns() {
        let p = preset("relaxed").unwrap();
        let f = inspect(
            &p,
            r#"<span style="color:red; position:fixed">x</span><li value="x1">"#,
        );
        assert_eq!(
            kinds(&f),
            vec![
                ("style", "span".to_string(), "position".to_string()),
                ("attribute", "li".to_string(), "value".to_string())
            ]
        );
        let ugc = preset("ugc").unwrap();
        let f = inspect(&ugc, r#"<ol><li value="x1">a</li></ol>"#);
        assert_eq!(
            kinds(&f),
            vec![("attribute", "li".to_string(), "value".to_string())]
        );
    }

    #[test]
    fn deep_nesting_is_reported() {
        let p = preset("basic").unwrap();
        let f = inspect(&p, &"<b>".repeat(600));
        assert_eq!(f.by_tag["b"], 600 - crate::html::MAX_DEPTH);
    }

    #[test]
    fn the_report_is_the_same_pass_as_sanitize() {
        let p = preset("ugc").unwrap();
        let input = r#"<p onclick=x>a<script>b</script><a href="https://x.org" rel=me>c</a></p>"#;
        let (html, f) = p.inspect(input).unwrap();
        assert_eq!(html, p.sanitize(input).unwrap());
        assert_eq!(f.total, 3);
        // What the policy wrote is clean under it: the rel it sets is not a removal.
        assert_eq!(inspect(&p, &html).total, 0);
    }

    #[test]
    fn rewrites_to_the_same_value_are_not_removals() {
        let mut s = PolicySpec::empty();
        s.tags.extend(["a".to_string(), "img".to_string()]);
        s.tag_attributes
            .insert("a".into(), ["href".to_string()].into());
        s.url_schemes.insert("https".into());
        s.link_rel = Some("nofollow".into());
        s.target_blank = true;
        s.set_tag_attribute_values.insert(
            "img".into(),
            [("loading".to_string(), "lazy".to_string())].into(),
        );
        let p = s.compile().unwrap();
        let out = p
            .sanitize(r#"<a href="https://x.org" target=_top rel=me>x</a><img loading=eager>"#)
            .unwrap();
        assert_eq!(
            out,
            r#"<a href="https://x.org" rel="nofollow noopener" target="_blank">x</a><img loading="lazy">"#
        );
        assert_eq!(inspect(&p, &out).total, 0);
        let f = inspect(
            &p,
            r#"<a href="https://x.org" target=_top rel=me>x</a><img loading=eager>"#,
        );
        let names: Vec<&str> = f.removed.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["target", "rel", "loading"]);
    }

    #[test]
    fn styles_and_classes_are_reported_one_by_one() {
        let p = preset("relaxed").unwrap();
        let f = inspect(
            &p,
            r#"<span style="color:red;position:fixed;top:0">x</span>"#,
        );
        let names: Vec<&str> = f.removed.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["position", "top"]);
    }

    #[test]
    fn escaped_and_removed_elements_are_tag_removals() {
        let mut s = PolicySpec::empty();
        s.tags.insert("b".into());
        s.clean_content_tags.insert("script".into());
        s.disallowed = crate::policy::spec::Disallowed::Escape;
        let input = "<b>x<Blink id=1>y</BLINK><script>z</script></b>";
        let (html, f) = s.clone().compile().unwrap().inspect(input).unwrap();
        assert_eq!(html, "<b>x&lt;Blink id=1&gt;y&lt;/BLINK&gt;</b>");
        // Each escaped tag, start and end, with the text it became as the value.
        let got: Vec<(&str, &str, &str)> = f
            .removed
            .iter()
            .map(|r| (r.kind.as_str(), r.name.as_str(), r.value.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("tag", "blink", "<Blink id=1>"),
                ("tag", "blink", "</BLINK>"),
                ("tag", "script", ""),
            ]
        );
        assert_eq!(f.by_tag["blink"], 2);
        s.disallowed = crate::policy::spec::Disallowed::Remove;
        let (html, f) = s.compile().unwrap().inspect(input).unwrap();
        assert_eq!(html, "<b>x</b>");
        assert_eq!(
            kinds(&f),
            [
                ("tag", "blink".to_string(), "blink".to_string()),
                ("tag", "script".to_string(), "script".to_string()),
            ]
        );
    }

    #[test]
    fn parser_implied_table_parts_are_not_removals() {
        let mut s = PolicySpec::empty();
        s.tags
            .extend(["table".to_string(), "tr".to_string(), "td".to_string()]);
        let p = s.compile().unwrap();
        let out = p.sanitize("<table><tr><td>x").unwrap();
        assert_eq!(out, "<table><tr><td>x</td></tr></table>");
        assert_eq!(inspect(&p, &out).total, 0);
    }
}
