//! An independent check of sanitizer output, for the fuzzers and tests: parse the output
//! again and verify that every element, attribute and URL in it is one the policy allows.
//! It shares no code with the sanitizing walk or its rules beyond the parser: what a
//! policy allows is read from the spec (`PolicySpec::may_keep`, which validation uses).

use ammonia::rcdom::{Handle, NodeData};
use url::Url;

use crate::engine::parse::parse_fragment;
use crate::policy::rules::{is_url_attr, EXTRA_URL_ATTRS};
use crate::policy::CompiledPolicy;

/// Elements the HTML parser inserts by itself inside an allowed `<table>`.
const IMPLIED_BY_TABLE: &[&str] = &["tbody", "tr", "colgroup"];

fn scheme_of(value: &str) -> Option<String> {
    // What a lenient consumer might see: no invisible characters at all.
    let squeezed: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    Url::parse(&squeezed).ok().map(|u| u.scheme().to_string())
}

/// `Err` describes the first thing in `output` the policy does not allow.
pub fn audit(p: &CompiledPolicy, output: &str) -> Result<(), String> {
    let fragment = parse_fragment(output, usize::MAX);
    let mut stack: Vec<Handle> = fragment.root().children.borrow().clone();
    while let Some(node) = stack.pop() {
        if let NodeData::Element { name, attrs, .. } = &node.data {
            let tag = &*name.local;
            let implied = IMPLIED_BY_TABLE.contains(&tag) && p.spec.tags.contains("table");
            if !p.spec.tags.contains(tag) && !implied {
                return Err(format!("element <{tag}> is not allowed"));
            }
            for a in attrs.borrow().iter() {
                let attr = &*a.name.local;
                if attr.to_ascii_lowercase().starts_with("on") || attr == "srcdoc" {
                    return Err(format!("<{tag} {attr}> can run script"));
                }
                if !p.spec.may_keep(tag, attr, Some(&a.value)) {
                    return Err(format!("attribute {attr} on <{tag}> is not allowed"));
                }
                if is_url_attr(tag, attr) || EXTRA_URL_ATTRS.contains(&attr) {
                    if let Some(scheme) = scheme_of(&a.value) {
                        if !p.spec.url_schemes.contains(&scheme) {
                            return Err(format!(
                                "<{tag} {attr}={:?}>: scheme {scheme} not allowed",
                                &*a.value
                            ));
                        }
                    }
                }
            }
        }
        if let NodeData::Comment { .. } = &node.data {
            if p.spec.strip_comments {
                return Err("a comment survived strip_comments".into());
            }
        }
        stack.extend(node.children.borrow().iter().cloned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::audit;
    use crate::policy::presets::{preset, PRESET_NAMES};

    #[test]
    fn audit_catches_what_it_should() {
        let p = preset("basic").unwrap();
        assert!(audit(&p, "<b>x</b>").is_ok());
        assert!(audit(&p, "<img src=x>").is_err());
        assert!(audit(&p, "<b onclick=x>x</b>").is_err());
        assert!(audit(&p, "<a href=\"javascript:x\">x</a>").is_err());
        assert!(audit(&p, "<a href=\"\u{2028}javascript:x\">x</a>").is_err());
        assert!(audit(&p, "<!-- c -->").is_err());
    }

    #[test]
    fn public_corpora_pass_the_audit() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/xss-public");
        let mut count = 0;
        for file in ["dompurify-fixtures.jsonl", "h5sc-items.jsonl"] {
            let text =
                std::fs::read_to_string(dir.join(file)).expect("shared/xss-public beside the repo");
            for line in text.lines() {
                // The payload is a JSON string; a tiny extraction keeps serde out of the crate.
                let Some(start) = line.find("\"payload\": \"") else {
                    continue;
                };
                let payload = json_string(&line[start + 12..]);
                for name in PRESET_NAMES {
                    let p = preset(name).unwrap();
                    let out = p.sanitize(&payload).unwrap();
                    if let Err(e) = audit(&p, &out) {
                        panic!("{name}: {e}\ninput: {payload:?}\noutput: {out:?}");
                    }
                    assert_eq!(
                        p.sanitize(&out).unwrap(),
                        out,
                        "{name} not idempotent on {payload:?}"
                    );
                    assert_eq!(
                        p.sanitize_in_pieces(&payload, 1),
                        p.sanitize_unsplit(&payload),
                        "{name}: pieces differ from the whole on {payload:?}"
                    );
                }
                count += 1;
            }
        }
        assert!(count > 300, "only {count} payloads found");
    }

    /// Decode a JSON string body (after the opening quote) written with ensure_ascii.
    fn json_string(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        let mut pending_high: Option<u32> = None;
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some('b') => out.push('\u{8}'),
                    Some('f') => out.push('\u{c}'),
                    Some('u') => {
                        let hex: String = chars.by_ref().take(4).collect();
                        let v = u32::from_str_radix(&hex, 16).unwrap_or(0xfffd);
                        if (0xd800..0xdc00).contains(&v) {
                            pending_high = Some(v);
                            continue;
                        }
                        let v = match pending_high.take() {
                            Some(h) if (0xdc00..0xe000).contains(&v) => {
                                0x10000 + ((h - 0xd800) << 10) + (v - 0xdc00)
                            }
                            _ => v,
                        };
                        out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                    }
                    Some(other) => out.push(other),
                    None => break,
                },
                _ => out.push(c),
            }
        }
        out
    }
}
