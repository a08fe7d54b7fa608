//! What a policy removes from an input, and why, so a form can reject with a precise
//! message. The walk mirrors ammonia's decisions over the same parse.

use std::collections::BTreeMap;

use ammonia::rcdom::{Handle, NodeData};

use crate::parse::{parse, Fragment};
use crate::policy::{is_url_attr, CompiledPolicy, Refusal};

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
    fn add(&mut self, r: Removal) {
        self.add_n(r, 1);
    }

    fn add_n(&mut self, r: Removal, n: usize) {
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

fn removal(kind: Kind, tag: &str, name: &str, value: &str) -> Removal {
    Removal {
        kind,
        tag: tag.to_string(),
        name: name.to_string(),
        value: shorten(value),
    }
}

struct Walker<'p> {
    p: &'p CompiledPolicy,
    out: Findings,
}

impl Walker<'_> {
    fn whitelisted(&self, tag: &str, attr: &str, value: &str) -> bool {
        let s = &self.p.spec;
        s.generic_attributes.contains(attr)
            || s.generic_attribute_prefixes
                .iter()
                .any(|p| attr.starts_with(p.as_str()))
            || s.tag_attributes.get(tag).is_some_and(|a| a.contains(attr))
            || s.tag_attribute_values
                .get(tag)
                .and_then(|m| m.get(attr))
                .is_some_and(|vs| vs.iter().any(|v| v.eq_ignore_ascii_case(value)))
    }

    fn element(&mut self, tag: &str, attrs: &[html5ever::Attribute]) {
        let s = &self.p.spec;
        for attr in attrs {
            let name = &*attr.name.local;
            let value = &*attr.value;
            let class_filtered = name == "class" && s.allowed_classes.contains_key(tag);
            if !self.whitelisted(tag, name, value) && !class_filtered {
                self.out.add(removal(Kind::Attribute, tag, name, value));
                continue;
            }
            if is_url_attr(tag, name) && !self.p.rules.url_allowed(value) {
                self.out.add(removal(Kind::Url, tag, name, value));
                continue;
            }
            // Patterns see the value ammonia's filter sees: after set values and id_prefix.
            let mut effective = std::borrow::Cow::Borrowed(value);
            if let Some(v) = s
                .set_tag_attribute_values
                .get(tag)
                .and_then(|m| m.get(name))
            {
                effective = v.as_str().into();
            }
            if name == "id" {
                if let Some(prefix) = &s.id_prefix {
                    if !effective.starts_with(prefix.as_str()) {
                        effective = format!("{prefix}{effective}").into();
                    }
                }
            }
            match self.p.rules.check(tag, name, &effective) {
                Ok(()) => {}
                Err(Refusal::Url) => {
                    self.out.add(removal(Kind::Url, tag, name, value));
                    continue;
                }
                Err(Refusal::Pattern) => {
                    self.out.add(removal(Kind::Attribute, tag, name, value));
                    continue;
                }
            }
            if class_filtered {
                let allowed = &s.allowed_classes[tag];
                for class in value.split_ascii_whitespace() {
                    if !allowed.contains(class) {
                        self.out.add(removal(Kind::Class, tag, class, class));
                    }
                }
            }
            if name == "style" {
                if let Some(props) = &s.filter_style_properties {
                    for decl in value.split(';') {
                        let Some((prop, val)) = decl.split_once(':') else {
                            continue;
                        };
                        let prop = prop.trim().to_ascii_lowercase();
                        if !prop.is_empty() && !props.contains(&prop) {
                            self.out.add(removal(Kind::Style, tag, &prop, val.trim()));
                        }
                    }
                }
            }
        }
    }

    fn walk(&mut self, root: &Handle) {
        // Explicit stack: the tree can be as deep as the depth limit allows.
        let mut stack: Vec<(Handle, String)> = root
            .children
            .borrow()
            .iter()
            .rev()
            .map(|c| (c.clone(), String::new()))
            .collect();
        while let Some((node, parent)) = stack.pop() {
            let mut descend_as = None;
            match &node.data {
                NodeData::Comment { contents } if self.p.spec.strip_comments => {
                    self.out
                        .add(removal(Kind::Comment, &parent, "#comment", contents));
                }
                NodeData::Element { name, attrs, .. } => {
                    let tag = &*name.local;
                    if self.p.spec.clean_content_tags.contains(tag) {
                        self.out.add(removal(Kind::Tag, tag, tag, ""));
                    } else if !self.p.spec.tags.contains(tag) {
                        self.out.add(removal(Kind::Tag, tag, tag, ""));
                        descend_as = Some(parent.clone());
                    } else {
                        self.element(tag, &attrs.borrow());
                        descend_as = Some(tag.to_string());
                    }
                }
                _ => {}
            }
            if let Some(parent) = descend_as {
                stack.extend(
                    node.children
                        .borrow()
                        .iter()
                        .rev()
                        .map(|c| (c.clone(), parent.clone())),
                );
            }
        }
    }
}

/// Inspect a parsed fragment.
pub fn inspect_fragment(policy: &CompiledPolicy, fragment: &Fragment) -> Findings {
    let mut w = Walker {
        p: policy,
        out: Findings::default(),
    };
    for (name, n) in &fragment.dropped.by_name {
        w.out
            .add_n(removal(Kind::Tag, name, name, "nested too deep"), *n);
    }
    w.walk(&fragment.root());
    w.out
}

/// What `policy` removes from `html`.
pub fn inspect(policy: &CompiledPolicy, html: &str) -> Findings {
    inspect_fragment(policy, &parse(html))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::preset;

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
        assert_eq!(f.by_tag["b"], 600 - crate::scan::MAX_DEPTH);
    }
}
