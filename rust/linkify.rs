//! Links made from text (the `linkify` option): where the URLs and e-mail addresses in a
//! run of text are, found by the `linkify` crate, and which elements' text is left alone.
//! Whether a link is made, and with which attributes, is the policy's (`engine/walk.rs`
//! asks `Rules` as for an input `<a href>`).
//!
//! Only URLs written with a scheme (`https://x.org/a`, `ftp://…`) are found, not bare
//! domains (`example.com`, which bleach links): in ordinary text most such words are file
//! names and abbreviations (`setup.py`, `e.g.`), and the crate's scheme-less scan is
//! quadratic on hostile text (1 MB of `a_a.` repeated is one rescan per dot). With a
//! scheme, each scan ends at the next `/`, `@` or scheme, so a run of text is read in
//! linear time. Trailing punctuation (`.`, `,`, `:`, `!`, `?`, unbalanced brackets and
//! quotes) stays outside the link, as the crate decides.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashSet};
use std::ops::Range;

use linkify::{LinkFinder, LinkKind};

use crate::policy::spec::PolicySpec;

/// A policy's linkify settings, compiled.
#[derive(Debug)]
pub struct Linkify {
    finder: LinkFinder,
    skip: HashSet<String>,
}

/// A link found in text: where it is, and the `href` it gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found<'t> {
    pub range: Range<usize>,
    pub href: Cow<'t, str>,
}

impl Linkify {
    /// The settings of `spec`, or None when it makes no links.
    pub fn of(spec: &PolicySpec) -> Option<Linkify> {
        spec.linkify
            .then(|| Linkify::new(spec.linkify_email, &spec.linkify_skip_tags))
    }

    pub fn new(email: bool, skip: &BTreeSet<String>) -> Linkify {
        let mut finder = LinkFinder::new();
        finder.url_must_have_scheme(true);
        if email {
            finder.kinds(&[LinkKind::Url, LinkKind::Email]);
        } else {
            finder.kinds(&[LinkKind::Url]);
        }
        Linkify {
            finder,
            skip: skip.iter().cloned().collect(),
        }
    }

    /// Whether no links are made in the text of element `local` (at any depth): an `<a>`
    /// (links do not nest) or one of the skipped elements.
    pub fn skips(&self, local: &str) -> bool {
        local == "a" || self.skip.contains(local)
    }

    /// The links in `text`, in order.
    pub fn links<'t>(&self, text: &'t str) -> impl Iterator<Item = Found<'t>> + use<'t, '_> {
        self.finder.links(text).map(|link| Found {
            range: link.start()..link.end(),
            href: match link.kind() {
                LinkKind::Email => Cow::Owned(format!("mailto:{}", link.as_str())),
                _ => Cow::Borrowed(link.as_str()),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(email: bool, text: &str) -> Vec<(&str, String)> {
        let l = Linkify::new(email, &BTreeSet::new());
        l.links(text)
            .map(|f| (&text[f.range.clone()], f.href.into_owned()))
            .collect()
    }

    #[test]
    fn urls_with_a_scheme_and_their_punctuation() {
        assert_eq!(
            found(
                false,
                "see https://x.org/a?b=1&c=2. (http://y.org/p(1)), ok"
            ),
            [
                ("https://x.org/a?b=1&c=2", "https://x.org/a?b=1&c=2".into()),
                ("http://y.org/p(1)", "http://y.org/p(1)".into()),
            ]
        );
        // Bare domains are not links.
        assert!(found(false, "example.com www.example.com setup.py").is_empty());
    }

    #[test]
    fn emails_only_when_asked() {
        assert!(found(false, "write to me@x.org").is_empty());
        assert_eq!(
            found(true, "write to me@x.org."),
            [("me@x.org", "mailto:me@x.org".into())]
        );
    }

    #[test]
    fn hostile_runs_are_read_once() {
        // Each would take minutes if every trigger rescanned the rest of the run.
        for unit in [
            "a.b.c.", "http://", "@", "a_a.", "a@b.", "x://a:", "-.", "h://a/.",
        ] {
            let text = unit.repeat((1 << 20) / unit.len());
            for email in [false, true] {
                let n = found(email, &text).len();
                assert!(n <= text.len(), "{unit}");
            }
        }
    }
}

/// Links made in the walk, and the hooks, on both engines.
#[cfg(test)]
mod walk_tests {
    use crate::engine::EngineKind;
    use crate::hooks::{Hooks, Link};
    use crate::policy::presets::preset_spec;
    use crate::policy::CompiledPolicy;

    const REL: &str = "rel=\"nofollow noopener noreferrer\"";

    fn ugc(email: bool) -> Vec<CompiledPolicy> {
        let mut spec = preset_spec("ugc").unwrap();
        spec.linkify = true;
        spec.linkify_email = email;
        EngineKind::ALL
            .map(|e| spec.clone().compile_with(e).unwrap())
            .into()
    }

    fn each(email: bool, html: &str, want: &str) {
        for p in ugc(email) {
            assert_eq!(p.sanitize(html).unwrap(), want, "{:?}", p.engine.name());
        }
    }

    #[test]
    fn links_are_made_where_text_may_hold_them() {
        each(
            false,
            "go https://x.org/a. <code>https://c.org</code> <a href=\"https://a.org\">https://b.org</a>",
            &format!(
                "go <a href=\"https://x.org/a\" {REL}>https://x.org/a</a>. <code>https://c.org</code> <a href=\"https://a.org\" {REL}>https://b.org</a>"
            ),
        );
        each(false, "me@x.org", "me@x.org");
        each(
            true,
            "<p>me@x.org</p>",
            &format!("<p><a href=\"mailto:me@x.org\" {REL}>me@x.org</a></p>"),
        );
        // A run split by removed markup is linked as the output's one text node.
        each(
            false,
            "http<blink>s://x.org</blink>",
            &format!("<a href=\"https://x.org\" {REL}>https://x.org</a>"),
        );
        // Refused schemes stay text.
        each(
            false,
            "javascript://x.org/%0aalert(1)",
            "javascript://x.org/%0aalert(1)",
        );
    }

    #[test]
    fn sanitizing_again_makes_no_more_links() {
        // The finder reads `http://x.org,http` as one failed authority: only the last URL of
        // the chain is found at first, the others once the link after them ends their text.
        for html in [
            "http://x.org,http://y.org,http://z.org,",
            "ftp://a.org,http://b.org,http://c.org",
            "https://x.org/a,https://x.org/b;https://x.org/c",
            &"http://x.org,".repeat(40),
        ] {
            for p in ugc(true) {
                let once = p.sanitize(html).unwrap();
                assert_eq!(p.sanitize(&once).unwrap(), once, "{html}");
            }
        }
        let p = &ugc(false)[0];
        assert_eq!(
            p.sanitize("http://x.org,http://y.org").unwrap(),
            format!(
                "<a href=\"http://x.org\" {REL}>http://x.org</a>,<a href=\"http://y.org\" {REL}>http://y.org</a>"
            )
        );
    }

    #[test]
    fn refused_policies() {
        let mut spec = preset_spec("strict").unwrap();
        spec.linkify = true;
        assert_eq!(spec.clone().compile().unwrap_err().option, "linkify/tags");
        let mut spec = preset_spec("ugc").unwrap();
        spec.linkify_email = true;
        assert_eq!(
            spec.clone().compile().unwrap_err().option,
            "linkify_email/linkify"
        );
        spec.linkify = true;
        spec.url_schemes.remove("mailto");
        assert_eq!(
            spec.clone().compile().unwrap_err().option,
            "linkify_email/url_schemes"
        );
        spec.url_schemes = ["ftp".to_string()].into();
        spec.linkify_email = false;
        assert_eq!(spec.compile().unwrap_err().option, "linkify/url_schemes");
    }

    /// Records what it is shown and changes what the test says.
    #[derive(Default)]
    struct Recording {
        links: Vec<(Link, bool)>,
        attributes: Vec<(String, String, String)>,
        drop_new: bool,
        evil: bool,
    }

    impl Hooks for Recording {
        fn wants_links(&self) -> bool {
            true
        }
        fn link(&mut self, link: &mut Link, new: bool) -> bool {
            self.links.push((link.clone(), new));
            if self.evil {
                link.attrs = vec![
                    ("href".into(), "javascript:alert(1)".into()),
                    ("onclick".into(), "x".into()),
                    ("x onload=y".into(), "1".into()),
                ];
                link.text = "<i>".into();
            }
            !(new && self.drop_new)
        }
        fn wants_attributes(&self) -> bool {
            true
        }
        fn attribute(&mut self, element: &str, name: &str, value: &str) -> Option<String> {
            self.attributes
                .push((element.into(), name.into(), value.into()));
            Some(if name == "title" {
                "changed".into()
            } else {
                value.into()
            })
        }
    }

    #[test]
    fn hooks_see_links_in_order_and_cannot_widen_the_policy() {
        let html = "a https://x.org <a href=\"https://y.org\" title=t onclick=x>y <b>z</b></a>";
        for p in ugc(false) {
            let mut h = Recording::default();
            let out = p.sanitize_hooked(html, &mut h).unwrap();
            assert_eq!(
                out,
                format!("a <a href=\"https://x.org\" {REL}>https://x.org</a> <a href=\"https://y.org\" title=\"changed\" {REL}>y <b>z</b></a>")
            );
            let news: Vec<(&str, bool)> =
                h.links.iter().map(|(l, n)| (l.text.as_str(), *n)).collect();
            assert_eq!(news, [("https://x.org", true), ("y z", false)]);
            // The filter sees input attributes only: not onclick (refused), not rel (the policy's).
            let names: Vec<&str> = h.attributes.iter().map(|a| a.1.as_str()).collect();
            assert_eq!(names, ["href", "title"]);

            let mut h = Recording {
                drop_new: true,
                ..Default::default()
            };
            let out = p.sanitize_hooked("https://x.org", &mut h).unwrap();
            assert_eq!(out, "https://x.org");

            let mut h = Recording {
                evil: true,
                ..Default::default()
            };
            let out = p.sanitize_hooked(html, &mut h).unwrap();
            assert_eq!(out, format!("a https://x.org <a {REL}>&lt;i&gt;</a>"));
        }
    }
}
