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
