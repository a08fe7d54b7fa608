//! Policies: what a user wrote ([`PolicySpec`]), checked ([`validate`]) and compiled into
//! the decisions the sanitizer asks ([`Rules`]), with the engine that applies them.
//! [`CompiledPolicy`] is what every door (Python class, registry, CLI) holds.

pub mod css;
pub mod options;
pub mod presets;
pub mod registry;
pub mod rules;
pub mod spec;
pub mod urls;
pub mod validate;

use std::fmt;
use std::hash::{Hash, Hasher};

use crate::engine::{Engine, EngineKind, InputTooLarge};
use crate::hooks::Hooks;
use crate::report::Findings;
pub use rules::Rules;
pub use spec::{NameMap, PolicySpec, UrlRelativeSpec};
pub use validate::PolicyError;

/// A validated policy: its spec, its compiled rules and the engine that applies them,
/// chosen when it is compiled.
pub struct CompiledPolicy {
    pub spec: PolicySpec,
    pub rules: Rules,
    pub engine: Box<dyn Engine>,
    pub hash: u64,
}

impl fmt::Debug for CompiledPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompiledPolicy")
            .field("spec", &self.spec)
            .field("engine", &self.engine.name())
            .finish()
    }
}

impl PolicySpec {
    /// Validate, compile the rules, and build the spec's engine.
    pub fn compile(self) -> Result<CompiledPolicy, PolicyError> {
        self.validate()?;
        let rules = Rules::compile(&self)?;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.hash(&mut h);
        Ok(CompiledPolicy {
            hash: h.finish(),
            engine: self.engine.unwrap_or_default().build(),
            spec: self,
            rules,
        })
    }

    /// [`compile`](Self::compile) with `engine` in place of the spec's.
    pub fn compile_with(mut self, engine: EngineKind) -> Result<CompiledPolicy, PolicyError> {
        self.engine = Some(engine);
        self.compile()
    }
}

impl CompiledPolicy {
    pub fn check_size(&self, size: usize) -> Result<(), InputTooLarge> {
        match self.spec.max_input_bytes {
            Some(limit) if size > limit => Err(InputTooLarge { size, limit }),
            _ => Ok(()),
        }
    }

    /// Sanitize one fragment.
    pub fn sanitize(&self, html: &str) -> Result<String, InputTooLarge> {
        self.check_size(html.len())?;
        Ok(self.sanitize_unchecked(html))
    }

    /// Sanitize without the size check (the caller made it).
    pub fn sanitize_unchecked(&self, html: &str) -> String {
        crate::engine::sanitize(self, html, None, None)
    }

    /// Sanitize one fragment, calling the caller's `hooks` (see `hooks.rs`).
    pub fn sanitize_hooked(
        &self,
        html: &str,
        hooks: &mut dyn Hooks,
    ) -> Result<String, InputTooLarge> {
        self.check_size(html.len())?;
        Ok(crate::engine::sanitize(self, html, None, Some(hooks)))
    }

    /// The sanitized HTML and the record of everything removed on the way: one pass.
    pub fn inspect(&self, html: &str) -> Result<(String, Findings), InputTooLarge> {
        self.check_size(html.len())?;
        Ok(self.inspect_unchecked(html))
    }

    pub fn inspect_unchecked(&self, html: &str) -> (String, Findings) {
        let mut findings = Findings::default();
        let out = crate::engine::sanitize(self, html, Some(&mut findings), None);
        (out, findings)
    }

    /// Sanitize many fragments on the shared worker pool (results in input order); sizes
    /// are checked for every item before any work starts.
    pub fn sanitize_many<S: AsRef<str> + Sync>(
        &self,
        htmls: &[S],
        threads: usize,
    ) -> Result<Vec<String>, (usize, InputTooLarge)> {
        crate::engine::sanitize_many(self, htmls, threads)
    }

    /// [`inspect_many`](Self::inspect_many) with counts only (`removed` left empty).
    pub fn count_many<S: AsRef<str> + Sync>(
        &self,
        htmls: &[S],
        threads: usize,
    ) -> Result<Vec<(String, Findings)>, (usize, InputTooLarge)> {
        crate::engine::count_many(self, htmls, threads)
    }

    /// `inspect` of many fragments on the shared worker pool (results in input order).
    pub fn inspect_many<S: AsRef<str> + Sync>(
        &self,
        htmls: &[S],
        threads: usize,
    ) -> Result<Vec<(String, Findings)>, (usize, InputTooLarge)> {
        crate::engine::inspect_many(self, htmls, threads)
    }

    /// The parser path on the whole document, without the plain-text fast path or cutting:
    /// what both must equal. Public so the tests and the benchmark can compare.
    pub fn sanitize_unsplit(&self, html: &str) -> String {
        crate::engine::sanitize_unsplit(self, html)
    }

    /// The parser path, cut into pieces of at least `every` bytes where that is exact.
    pub fn sanitize_in_pieces(&self, html: &str, every: usize) -> String {
        crate::engine::sanitize_in_pieces(self, html, every, None, None)
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
        s.tags.insert("span".into());
        s.generic_attributes.insert("class".into());
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
        s.tags.insert("b".into());
        s.generic_attributes
            .extend(["title".to_string(), "lang".to_string()]);
        let p = s.compile().unwrap();
        assert_eq!(
            p.sanitize("<b title=abc>x</b>").unwrap(),
            "<b title=\"abc\">x</b>"
        );
        assert_eq!(
            p.sanitize("<b title=ABC lang=ABC>x</b>").unwrap(),
            "<b lang=\"ABC\">x</b>"
        );
    }

    #[test]
    fn extra_url_attributes_follow_the_url_rules() {
        let mut s = spec();
        s.tags.extend(["q".to_string(), "a".to_string()]);
        s.generic_attributes
            .extend(["cite".to_string(), "href".to_string()]);
        s.url_schemes.insert("https".into());
        let r = s.clone().compile().unwrap();
        let q =
            |p: &CompiledPolicy, v: &str| p.sanitize(&format!("<q cite=\"{v}\">x</q>")).unwrap();
        assert_eq!(q(&r, "https://x.org"), "<q cite=\"https://x.org\">x</q>");
        assert_eq!(q(&r, "javascript:alert(1)"), "<q>x</q>");
        assert_eq!(q(&r, "/relative"), "<q>x</q>");
        s.url_relative = UrlRelativeSpec::PassThrough;
        let r = s.compile().unwrap();
        assert_eq!(q(&r, "/relative"), "<q cite=\"/relative\">x</q>");
        for disguised in [
            "\u{2028}javascript:alert(1)",
            "\u{a0}javascript:x",
            "\x01java\x03script:x",
            "java\u{200b}script:x",
        ] {
            assert!(!r.rules.squeezed_url_allowed(disguised), "{disguised:?}");
        }
        assert!(r.rules.squeezed_url_allowed("my file.html"));
        assert!(r.rules.squeezed_url_allowed("https://x.org/a b"));
    }

    #[test]
    fn options_that_can_never_apply_are_refused() {
        let mut s = spec();
        s.tags.insert("a".into());
        s.tag_attributes
            .insert("a".into(), ["href".to_string()].into());
        let e = err(s.clone());
        assert_eq!(e.option, "url_schemes/url_relative");
        assert!(e.message.contains("\"href\""), "{e}");
        s.url_schemes.insert("https".into());
        assert!(s.clone().compile().is_ok());
        s.attribute_patterns.insert(
            "a".into(),
            [("title".to_string(), "^x$".to_string())].into(),
        );
        let e = err(s.clone());
        assert_eq!(e.option, "attribute_patterns");
        assert!(e.message.contains("never apply"), "{e}");
        s.attribute_patterns = [(
            "a".to_string(),
            [("href".to_string(), "^https:".to_string())].into(),
        )]
        .into();
        assert!(s.compile().is_ok());
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
            assert!(rules::plain_style(ok), "{ok}");
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
            assert!(!rules::plain_style(bad), "{bad}");
        }
    }

    fn with_disallowed(tags: &[&str], mode: spec::Disallowed) -> PolicySpec {
        let mut s = spec();
        s.tags.extend(tags.iter().map(|t| t.to_string()));
        s.clean_content_tags.insert("script".into());
        s.disallowed = mode;
        s
    }

    #[test]
    fn escape_and_drop_need_our_engine() {
        for mode in [spec::Disallowed::Escape, spec::Disallowed::Drop] {
            let s = with_disallowed(&["b"], mode);
            assert!(s.clone().compile().is_ok());
            assert!(s.clone().compile_with(EngineKind::Native).is_ok());
            let e = s.compile_with(EngineKind::Html5ever).unwrap_err();
            assert_eq!(e.option, "disallowed/engine");
            assert!(e.message.contains("engine=\"htmlguard\""), "{e}");
            assert!(e.message.starts_with(&format!("{:?}", mode.name())), "{e}");
        }
        for mode in [spec::Disallowed::Unwrap, spec::Disallowed::Remove] {
            let s = with_disallowed(&["b"], mode);
            assert!(s.compile_with(EngineKind::Html5ever).is_ok());
        }
    }

    #[test]
    fn each_mode_on_a_disallowed_element() {
        let html = "<b>a<blink>b<i>c</i></blink><script>x</script></b>";
        let out = |mode| {
            let p = with_disallowed(&["b", "i"], mode).compile().unwrap();
            p.sanitize(html).unwrap()
        };
        assert_eq!(out(spec::Disallowed::Unwrap), "<b>ab<i>c</i></b>");
        assert_eq!(
            out(spec::Disallowed::Escape),
            "<b>a&lt;blink&gt;b<i>c</i>&lt;/blink&gt;</b>"
        );
        assert_eq!(out(spec::Disallowed::Remove), "<b>a</b>");
        // As unwrap here, and clean_content_tags still go with their content.
        assert_eq!(out(spec::Disallowed::Drop), "<b>ab<i>c</i></b>");
    }

    #[test]
    fn drop_differs_from_unwrap_where_the_parser_would_have_moved_things() {
        let out = |mode, html| {
            let p = with_disallowed(&["p", "b"], mode).compile().unwrap();
            p.sanitize(html).unwrap()
        };
        let html = "<p>a<div>b</div>c</p><table><b>d</b></table>";
        assert_eq!(
            out(spec::Disallowed::Unwrap, html),
            "<p>a</p>bc<p></p><b>d</b>"
        );
        assert_eq!(out(spec::Disallowed::Drop, html), "<p>a\nbc</p>\n<b>d</b>");
    }

    #[test]
    fn dropping_is_exact_when_the_document_is_cut_into_pieces() {
        // As for escaping, the scan must stop at a dropped raw-text element; and a piece
        // after the first starts after a tag, so its first dropped <div> is a newline.
        let p = with_disallowed(&["p", "b"], spec::Disallowed::Drop)
            .compile()
            .unwrap();
        for unit in ["<div>a</div><p>b</p>", "<p><textarea><b>x</textarea>y</p>"] {
            let doc = unit.repeat(5000) + "<p>z</p>";
            assert!(doc.len() > 2 * crate::engine::PIECE_BYTES);
            assert_eq!(p.sanitize(&doc).unwrap(), p.sanitize_unsplit(&doc));
            assert_eq!(p.sanitize_in_pieces(&doc, 100), p.sanitize_unsplit(&doc));
        }
    }

    #[test]
    fn remove_keeps_the_rows_of_a_table_part_the_parser_added() {
        for engine in EngineKind::ALL {
            let p = with_disallowed(&["table", "tr", "td"], spec::Disallowed::Remove)
                .compile_with(engine)
                .unwrap();
            let s = |h: &str| p.sanitize(h).unwrap();
            assert_eq!(
                s("<table><tr><td>x</td></tr></table>"),
                "<table><tr><td>x</td></tr></table>"
            );
            // Written in the input without attributes it is the same tree, so it is
            // unwrapped too; with attributes it was surely the user's, and goes.
            assert_eq!(
                s("<table><tbody><tr><td>x</td></tr></tbody></table>"),
                "<table><tr><td>x</td></tr></table>"
            );
            assert_eq!(
                s("<table><tbody class=c><tr><td>x</td></tr></tbody></table>"),
                "<table></table>"
            );
            // A disallowed element elsewhere goes with its content.
            assert_eq!(s("<td>a</td><blink><table>x</table></blink>y"), "ay");
        }
    }

    #[test]
    fn escaping_is_exact_when_the_document_is_cut_into_pieces() {
        // The split scan skips a <textarea>'s content as raw text; escaped, that content
        // is markup (here a <b> left open across the cut), so the scan must stop there.
        let p = with_disallowed(&["div", "b"], spec::Disallowed::Escape)
            .compile()
            .unwrap();
        let doc = "<div><textarea><b>x</textarea>y</div>".repeat(3000) + "<div>z</div>";
        assert!(doc.len() > 2 * crate::engine::PIECE_BYTES);
        assert_eq!(p.sanitize(&doc).unwrap(), p.sanitize_unsplit(&doc));
        assert_eq!(p.sanitize_in_pieces(&doc, 100), p.sanitize_unsplit(&doc));
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
