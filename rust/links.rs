//! `target_blank`: absolute links open in a new tab, with `rel="noopener"`.
//!
//! ammonia's attribute filter cannot add attributes or see one attribute while deciding on
//! another, so this runs on ammonia's *serialized* output. That output is regular (every
//! attribute written as `name="value"`, `"` escaped in values, `<` escaped in text), so a
//! small scanner is exact on it; only comments and raw-text elements need skipping.

use url::Url;

const RAW: &[&str] = &[
    "style", "script", "xmp", "iframe", "noembed", "noframes", "plaintext", "noscript",
];

fn unescape_attr(v: &str) -> String {
    v.replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

fn is_absolute(href: &str) -> bool {
    let href = href.trim();
    href.starts_with("//") || Url::parse(href).is_ok()
}

/// Rewrite the attributes of one `<a ...>` tag (`attrs` is what follows `<a`).
fn rewrite_anchor(attrs: &[(String, String)]) -> Option<Vec<(String, String)>> {
    let href = attrs.iter().find(|(n, _)| n == "href")?;
    if !is_absolute(&unescape_attr(&href.1)) {
        return None;
    }
    let mut out: Vec<(String, String)> = attrs
        .iter()
        .filter(|(n, _)| n != "target")
        .cloned()
        .collect();
    out.push(("target".into(), "_blank".into()));
    match out.iter_mut().find(|(n, _)| n == "rel") {
        Some((_, v)) => {
            if !v.split_ascii_whitespace().any(|t| t.eq_ignore_ascii_case("noopener")) {
                v.push_str(" noopener");
            }
        }
        None => out.push(("rel".into(), "noopener".into())),
    }
    Some(out)
}

/// Parse serializer-written attributes: ` name="value"` repeated, then `>`.
/// Returns the attributes and the index just past `>`.
fn parse_attrs(s: &str, mut k: usize) -> Option<(Vec<(String, String)>, usize)> {
    let b = s.as_bytes();
    let mut attrs = Vec::new();
    loop {
        match b.get(k)? {
            b'>' => return Some((attrs, k + 1)),
            b' ' => k += 1,
            _ => {
                let eq = k + s[k..].find("=\"")?;
                let name = s[k..eq].to_string();
                let vstart = eq + 2;
                let vend = vstart + s[vstart..].find('"')?;
                attrs.push((name, s[vstart..vend].to_string()));
                k = vend + 1;
            }
        }
    }
}

pub fn add_target_blank(html: &str) -> String {
    if !html.contains("<a ") {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + 64);
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let j = i + off;
        out.push_str(&html[i..j]);
        let rest = &html[j..];
        let skip_to = |pat: &str, from: usize| html[from..].find(pat).map(|p| from + p + pat.len());
        let next = if rest.starts_with("<!--") {
            skip_to("-->", j + 4).unwrap_or(html.len())
        } else if rest.starts_with("</") {
            skip_to(">", j).unwrap_or(html.len())
        } else {
            let name_len = rest[1..]
                .find([' ', '>', '/'])
                .unwrap_or(rest.len() - 1);
            let name = &rest[1..1 + name_len];
            match parse_attrs(html, j + 1 + name_len) {
                Some((attrs, end)) if name == "a" => match rewrite_anchor(&attrs) {
                    Some(new) => {
                        out.push_str("<a");
                        for (n, v) in new {
                            out.push(' ');
                            out.push_str(&n);
                            out.push_str("=\"");
                            out.push_str(&v);
                            out.push('"');
                        }
                        out.push('>');
                        i = end;
                        continue;
                    }
                    None => end,
                },
                Some((_, end)) if RAW.contains(&name) => {
                    skip_to(&format!("</{name}"), end).map_or(html.len(), |p| p - name.len() - 2)
                }
                Some((_, end)) => end,
                None => html.len(),
            }
        };
        out.push_str(&html[j..next]);
        i = next;
    }
    out.push_str(&html[i..]);
    out
}

#[cfg(test)]
mod tests {
    use super::add_target_blank;

    #[test]
    fn absolute_links_get_target_and_noopener() {
        assert_eq!(
            add_target_blank(r#"<a href="https://x.org/?a=1&amp;b=2" rel="nofollow">x</a>"#),
            r#"<a href="https://x.org/?a=1&amp;b=2" rel="nofollow noopener" target="_blank">x</a>"#
        );
        assert_eq!(
            add_target_blank(r#"<a href="//x.org">x</a>"#),
            r#"<a href="//x.org" target="_blank" rel="noopener">x</a>"#
        );
    }

    #[test]
    fn relative_links_and_lookalikes_are_untouched() {
        for s in [
            r#"<a href="/local">x</a>"#,
            r#"<a>x</a>"#,
            r#"<!-- <a href="https://x.org"> --><b>y</b>"#,
            r#"<style>a[href="https://x"] { }</style>"#,
            "text &lt;a href=\"https://x.org\"&gt;",
        ] {
            assert_eq!(add_target_blank(s), s);
        }
    }

    #[test]
    fn existing_target_is_replaced() {
        assert_eq!(
            add_target_blank(r#"<a href="https://x.org" target="_self" rel="noopener">x</a>"#),
            r#"<a href="https://x.org" rel="noopener" target="_blank">x</a>"#
        );
    }
}
