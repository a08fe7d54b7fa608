//! The policy options, each declared once.
//!
//! [`for_each_option!`] lists every option as its name (which is also the [`PolicySpec`]
//! field holding it) and a one-line doc. The field's type gives the option's [`Kind`] and
//! the checks its value needs on its own (see [`Field`]); `PolicySpec::empty()` gives its
//! default. [`TABLE`] is built from that list, and so are the Python keyword arguments,
//! getters, `to_dict()`/`from_dict()` and the checks of the stub and the README.
//!
//! A [`Value`] is one option's value as plain data in its kind's shape; the bindings
//! convert between it and Python objects. Rules between options (conflicts, names that
//! would admit script) stay in `PolicySpec::validate`.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::EngineKind;
use crate::policy::spec::Disallowed;
use crate::policy::{NameMap, PolicyError, PolicySpec, UrlRelativeSpec};

/// Calls `$then!` with every option as `name = "doc";`, in the order the table,
/// `to_dict()` and the README list them.
macro_rules! for_each_option {
    ($then:ident) => {
        $then! {
            tags = "elements kept";
            clean_content_tags = "elements removed *with* their content (others lose only their tags)";
            disallowed = "what happens to an element in neither `tags` nor `clean_content_tags`: `\"unwrap\"` (its tags go after the tree is built, its content stays where the parser put it), `\"drop\"` (its start and end tags are taken out before the tree is built, as if the input did not have them, so they open, close, move and switch nothing, as bleach's `strip=True` does; a start tag of a block-level element such as `<p>` or `<div>` after an earlier tag becomes a newline; our engine only), `\"escape\"` (its start and end tags are shown as text, exactly as written; our engine only) or `\"remove\"` (it goes with its content, except a table part without attributes that the parser may have added itself, such as the `<tbody>` around a bare `<tr>`, which is unwrapped)";
            tag_attributes = "attributes kept on one element";
            generic_attributes = "attributes kept on every kept element";
            generic_attribute_prefixes = "attribute name prefixes kept everywhere (e.g. `\"data-\"`)";
            tag_attribute_values = "attribute kept only with one of these values (case-insensitive)";
            set_tag_attribute_values = "attribute forced to this value on every such element";
            url_schemes = "schemes allowed in URL attributes (`href`, `src`, `action`, …)";
            url_relative = "what happens to relative URLs: removed, kept, resolved against `base`, or put under `root` (those not starting with `/` under `root` + `path`)";
            link_rel = "`rel` value put on every `<a>`";
            allowed_classes = "classes kept in `class` (the attribute is then filtered, not allowlisted)";
            filter_style_properties = "CSS properties kept in `style` attributes; a declaration whose value loads or hides something (`url()`, `image-set()`, `expression()`, an `@`-rule) is dropped, and a style value that is not plain CSS after filtering (ASCII names, numbers, units, colours, commas, balanced parentheses and quotes) is dropped whole";
            strip_comments = "remove comments";
            id_prefix = "prefix added to every `id` (stops user content from clobbering page ids)";
            attribute_patterns = "regular expression the value must match, per tag (`\"*\"`: every tag) and attribute (Rust `regex` syntax, searched, so anchor with `^…$`); checked after `id_prefix` and `set_tag_attribute_values`";
            tag_patterns = "elements kept because a regular expression (Rust `regex` syntax, searched, so anchor with `^…$`) matches their name, never `script` or `style` and not those in `clean_content_tags`, each pattern with the attributes kept on the elements it matches";
            url_scheme_patterns = "regular expressions (searched): a URL scheme one matches is allowed as if in `url_schemes`; never `javascript` or `vbscript`, nor `data` (which only `url_schemes` can allow)";
            iframe_sandbox = "when set, every kept `<iframe>` gets `sandbox`, keeping only these of the tokens an allowed input `sandbox` has (`allow-forms`, `allow-popups`, …; none: `sandbox=\"\"`, every restriction)";
            space_when_stripping = "a space is written in place of each start and end tag removed (an element unwrapped or removed), so the words of neighbouring elements stay apart";
            bare_tags = "when set, the only elements kept when they are left without attributes of their own (those the policy adds do not count); any other is unwrapped, as bluemonday drops an element that needs attributes (`<a>` without `href`)";
            target_blank = "absolute links get `target=\"_blank\"` and `noopener` in `rel`";
            linkify = "URLs with a scheme (`https://…`) in text become links, made as the policy keeps an input `<a href>` (a link it would not keep stays text); never inside `<a>` or `linkify_skip_tags`; needs `a` with `href` and `http` or `https` allowed";
            linkify_email = "with `linkify`, e-mail addresses become `mailto:` links too (needs `mailto` allowed)";
            linkify_skip_tags = "elements in whose text (at any depth of the input) `linkify` makes no links";
            max_input_bytes = "larger input (in UTF-8 bytes) raises `InputTooLargeError`";
            engine = "the parser: `\"htmlguard\"` (ours) or `\"ammonia\"` (html5ever's), the same output except where html5ever departs from the HTML standard (`docs/engines.md`); `None`: `DEFAULT_ENGINE`, followed if that changes";
        }
    };
}
// The bindings generate the `Policy` getters from the same list.
#[cfg(feature = "python")]
pub(crate) use for_each_option;

/// The accepted forms of `url_relative`, as the docs and its error message write them.
const URL_RELATIVE_FORMS: &str = r#""deny", "pass", {"base": URL}, {"root": URL, "path": PATH}"#;

/// `EngineKind::ALL`'s names, as the docs and the error message write them (a test keeps
/// the two the same).
macro_rules! engine_names {
    () => {
        r#""htmlguard", "ammonia""#
    };
}
const ENGINE_NAMES: &str = engine_names!();

/// `Disallowed::ALL`'s names, as the docs and the error message write them (a test keeps
/// the two the same).
const DISALLOWED_NAMES: &str = r#""unwrap", "drop", "escape", "remove""#;

/// The shape of an option's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bool,
    OptInt,
    OptStr,
    StrSet,
    OptStrSet,
    /// tag → set of names
    SetMap,
    /// tag → attribute → set of values
    SetMap2,
    /// tag → attribute → string
    StrMap2,
    UrlRelative,
    Engine,
    Disallowed,
}

impl Kind {
    /// How the docs write a value of this kind (the README's type column).
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Bool => "bool",
            Kind::OptInt => "int or None",
            Kind::OptStr => "str or None",
            Kind::StrSet => "set of str",
            Kind::OptStrSet => "set of str or None",
            Kind::SetMap => "{tag: set of str}",
            Kind::SetMap2 => "{tag: {attr: set of str}}",
            Kind::StrMap2 => "{tag: {attr: str}}",
            Kind::UrlRelative => URL_RELATIVE_FORMS,
            Kind::Engine => concat!(engine_names!(), " or None"),
            Kind::Disallowed => DISALLOWED_NAMES,
        }
    }
}

/// `url_relative` as written: a keyword, or URL parts (in the order given).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlForm {
    Word(String),
    Parts(Vec<(String, String)>),
}

/// One option's value, in its kind's shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Bool(bool),
    /// Wider than a count, so zero and negative numbers reach the check instead of
    /// wrapping.
    OptInt(Option<i128>),
    OptStr(Option<String>),
    StrSet(BTreeSet<String>),
    OptStrSet(Option<BTreeSet<String>>),
    SetMap(NameMap),
    SetMap2(BTreeMap<String, NameMap>),
    StrMap2(BTreeMap<String, BTreeMap<String, String>>),
    UrlRelative(UrlForm),
    /// An engine's name, or None for the default.
    Engine(Option<String>),
    /// A `disallowed` mode's name.
    Disallowed(String),
}

impl Value {
    pub fn kind(&self) -> Kind {
        match self {
            Value::Bool(_) => Kind::Bool,
            Value::OptInt(_) => Kind::OptInt,
            Value::OptStr(_) => Kind::OptStr,
            Value::StrSet(_) => Kind::StrSet,
            Value::OptStrSet(_) => Kind::OptStrSet,
            Value::SetMap(_) => Kind::SetMap,
            Value::SetMap2(_) => Kind::SetMap2,
            Value::StrMap2(_) => Kind::StrMap2,
            Value::UrlRelative(_) => Kind::UrlRelative,
            Value::Engine(_) => Kind::Engine,
            Value::Disallowed(_) => Kind::Disallowed,
        }
    }

    /// An optional option left unset (None): `to_dict()` leaves it out, as TOML has no null.
    pub fn is_unset(&self) -> bool {
        matches!(
            self,
            Value::OptInt(None)
                | Value::OptStr(None)
                | Value::OptStrSet(None)
                | Value::Engine(None)
        )
    }
}

/// The type of a `PolicySpec` field that holds an option: its kind, and the conversion to
/// and from [`Value`] with the checks that need only the value itself. Errors are the
/// message after "option: ".
pub trait Field: Sized {
    const KIND: Kind;
    fn to_value(&self) -> Value;
    fn from_value(value: Value) -> Result<Self, String>;
}

fn mismatch(expected: Kind, got: &Value) -> String {
    format!("expected {}, got {}", expected.name(), got.kind().name())
}

/// Fields stored exactly as their value.
macro_rules! plain_field {
    ($($ty:ty => $kind:ident,)*) => {$(
        impl Field for $ty {
            const KIND: Kind = Kind::$kind;
            fn to_value(&self) -> Value {
                Value::$kind(self.clone())
            }
            fn from_value(value: Value) -> Result<Self, String> {
                match value {
                    Value::$kind(v) => Ok(v),
                    other => Err(mismatch(Kind::$kind, &other)),
                }
            }
        }
    )*};
}

plain_field! {
    bool => Bool,
    Option<String> => OptStr,
    BTreeSet<String> => StrSet,
    Option<BTreeSet<String>> => OptStrSet,
    NameMap => SetMap,
    BTreeMap<String, NameMap> => SetMap2,
    BTreeMap<String, BTreeMap<String, String>> => StrMap2,
}

/// `max_input_bytes`, the one count: None or a positive number of bytes (larger than
/// memory means no limit).
impl Field for Option<usize> {
    const KIND: Kind = Kind::OptInt;
    fn to_value(&self) -> Value {
        Value::OptInt(self.map(|n| n as i128))
    }
    fn from_value(value: Value) -> Result<Self, String> {
        match value {
            Value::OptInt(None) => Ok(None),
            Value::OptInt(Some(n)) if n > 0 => Ok(Some(usize::try_from(n).unwrap_or(usize::MAX))),
            Value::OptInt(Some(_)) => Err("must be None or a positive number of bytes".into()),
            other => Err(mismatch(Kind::OptInt, &other)),
        }
    }
}

/// `url_relative`: one of the [`URL_RELATIVE_FORMS`]. Whether the URLs are usable is
/// `PolicySpec::validate`'s concern.
impl Field for UrlRelativeSpec {
    const KIND: Kind = Kind::UrlRelative;
    fn to_value(&self) -> Value {
        let part = |k: &str, v: &String| (k.to_string(), v.clone());
        Value::UrlRelative(match self {
            UrlRelativeSpec::Deny => UrlForm::Word("deny".into()),
            UrlRelativeSpec::PassThrough => UrlForm::Word("pass".into()),
            UrlRelativeSpec::RewriteWithBase(base) => UrlForm::Parts(vec![part("base", base)]),
            UrlRelativeSpec::RewriteWithRoot { root, path } => {
                UrlForm::Parts(vec![part("root", root), part("path", path)])
            }
        })
    }
    fn from_value(value: Value) -> Result<Self, String> {
        let form = match value {
            Value::UrlRelative(form) => form,
            other => return Err(mismatch(Kind::UrlRelative, &other)),
        };
        match form {
            UrlForm::Word(w) => match w.as_str() {
                "deny" => Ok(UrlRelativeSpec::Deny),
                "pass" | "pass_through" => Ok(UrlRelativeSpec::PassThrough),
                _ => Err(format!("{w:?} is not one of {URL_RELATIVE_FORMS}")),
            },
            UrlForm::Parts(parts) => {
                let mut parts: BTreeMap<String, String> = parts.into_iter().collect();
                let keys: Vec<&str> = parts.keys().map(String::as_str).collect();
                match keys.as_slice() {
                    ["base"] => Ok(UrlRelativeSpec::RewriteWithBase(
                        parts.remove("base").unwrap_or_default(),
                    )),
                    ["path", "root"] => Ok(UrlRelativeSpec::RewriteWithRoot {
                        root: parts.remove("root").unwrap_or_default(),
                        path: parts.remove("path").unwrap_or_default(),
                    }),
                    _ => Err(format!(
                        r#"a dict must be {{"base": URL}} or {{"root": URL, "path": PATH}}, got keys {keys:?}"#
                    )),
                }
            }
        }
    }
}

/// The engine named `name` (one of [`ENGINE_NAMES`]); the error is the message after
/// "engine: ".
pub fn engine_named(name: &str) -> Result<EngineKind, String> {
    EngineKind::ALL
        .into_iter()
        .find(|e| e.name() == name)
        .ok_or_else(|| format!("{name:?} is not one of {ENGINE_NAMES}"))
}

/// `engine`: an engine's name, or None for the default.
impl Field for Option<EngineKind> {
    const KIND: Kind = Kind::Engine;
    fn to_value(&self) -> Value {
        Value::Engine(self.map(|e| e.name().into()))
    }
    fn from_value(value: Value) -> Result<Self, String> {
        match value {
            Value::Engine(None) => Ok(None),
            Value::Engine(Some(name)) => engine_named(&name).map(Some),
            other => Err(mismatch(Kind::Engine, &other)),
        }
    }
}

/// `disallowed`: one of [`DISALLOWED_NAMES`].
impl Field for Disallowed {
    const KIND: Kind = Kind::Disallowed;
    fn to_value(&self) -> Value {
        Value::Disallowed(self.name().into())
    }
    fn from_value(value: Value) -> Result<Self, String> {
        match value {
            Value::Disallowed(name) => Disallowed::ALL
                .into_iter()
                .find(|d| d.name() == name)
                .ok_or_else(|| format!("{name:?} is not one of {DISALLOWED_NAMES}")),
            other => Err(mismatch(Kind::Disallowed, &other)),
        }
    }
}

/// One option: its name, kind and doc line, and access to its `PolicySpec` field.
pub struct OptionDef {
    pub name: &'static str,
    pub kind: Kind,
    pub doc: &'static str,
    get: fn(&PolicySpec) -> Value,
    set: fn(&mut PolicySpec, Value) -> Result<(), String>,
}

impl OptionDef {
    pub fn get(&self, spec: &PolicySpec) -> Value {
        (self.get)(spec)
    }

    /// Store `value` after checking it on its own; the error names this option.
    pub fn set(&self, spec: &mut PolicySpec, value: Value) -> Result<(), PolicyError> {
        (self.set)(spec, value).map_err(|message| PolicyError::new(self.name, message))
    }

    /// The value in `Policy()`, the empty policy.
    pub fn default(&self) -> Value {
        self.get(&PolicySpec::empty())
    }
}

/// The kind of the field `field` reads, known at compile time.
const fn kind_of<T: Field>(_field: fn(&PolicySpec) -> &T) -> Kind {
    T::KIND
}

macro_rules! option_table {
    ($($name:ident = $doc:literal;)*) => {
        /// Every option, in [`for_each_option!`]'s order.
        pub static TABLE: &[OptionDef] = &[$(
            OptionDef {
                name: stringify!($name),
                kind: kind_of(|s| &s.$name),
                doc: $doc,
                get: |s| s.$name.to_value(),
                set: |s, v| {
                    s.$name = Field::from_value(v)?;
                    Ok(())
                },
            },
        )*];
    };
}
for_each_option!(option_table);

pub fn find(name: &str) -> Option<&'static OptionDef> {
    TABLE.iter().find(|o| o.name == name)
}

/// The message for a name that is not an option: it lists the options.
pub fn unknown(name: &str) -> String {
    let names: Vec<&str> = TABLE.iter().map(|o| o.name).collect();
    format!("unknown option {name:?}; options are: {}", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::presets::{preset_spec, PRESET_NAMES};

    fn set(name: &str, value: Value) -> Result<PolicySpec, String> {
        let mut s = PolicySpec::empty();
        find(name)
            .expect("an option")
            .set(&mut s, value)
            .map_err(|e| e.to_string())?;
        Ok(s)
    }

    fn strings(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn word(w: &str) -> Value {
        Value::UrlRelative(UrlForm::Word(w.into()))
    }

    fn parts(items: &[(&str, &str)]) -> Value {
        let items = items.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        Value::UrlRelative(UrlForm::Parts(items.collect()))
    }

    /// A spec with every field away from its default. A struct literal, so a field added
    /// to `PolicySpec` fails to compile here until it is given a value (and, through
    /// `table_covers_every_field`, an entry in the table).
    fn everything_set() -> PolicySpec {
        let map = |k: &str, v: &[&str]| -> NameMap { [(k.to_string(), strings(v))].into() };
        let map2 = |t: &str, a: &str, v: &str| -> BTreeMap<String, BTreeMap<String, String>> {
            [(t.into(), [(a.into(), v.into())].into())].into()
        };
        PolicySpec {
            tags: strings(&["a", "span"]),
            clean_content_tags: strings(&["script"]),
            tag_attributes: map("a", &["href"]),
            generic_attributes: strings(&["title"]),
            generic_attribute_prefixes: strings(&["data-"]),
            tag_attribute_values: [("span".into(), map("dir", &["ltr", "rtl"]))].into(),
            set_tag_attribute_values: map2("img", "loading", "lazy"),
            url_schemes: strings(&["https"]),
            url_relative: UrlRelativeSpec::RewriteWithRoot {
                root: "https://x.org".into(),
                path: "/a/".into(),
            },
            link_rel: Some("nofollow".into()),
            allowed_classes: map("span", &["hl"]),
            filter_style_properties: Some(strings(&["color"])),
            strip_comments: false,
            id_prefix: Some("u-".into()),
            attribute_patterns: map2("*", "title", "^x$"),
            tag_patterns: map("^x-", &["title"]),
            url_scheme_patterns: strings(&["^web\\+"]),
            iframe_sandbox: Some(strings(&["allow-forms"])),
            space_when_stripping: true,
            bare_tags: Some(strings(&["b"])),
            target_blank: true,
            linkify: true,
            linkify_email: true,
            linkify_skip_tags: strings(&["pre"]),
            max_input_bytes: Some(1000),
            engine: Some(EngineKind::Native),
            disallowed: Disallowed::Escape,
        }
    }

    #[test]
    fn table_covers_every_field() {
        let full = everything_set();
        let mut rebuilt = PolicySpec::empty();
        for o in TABLE {
            assert_ne!(o.get(&full), o.default(), "{}", o.name);
            o.set(&mut rebuilt, o.get(&full)).unwrap();
        }
        assert_eq!(rebuilt, full);
    }

    #[test]
    fn presets_round_trip_through_values() {
        for name in PRESET_NAMES {
            let spec = preset_spec(name).unwrap();
            let mut rebuilt = PolicySpec::empty();
            for o in TABLE {
                o.set(&mut rebuilt, o.get(&spec)).unwrap();
            }
            assert_eq!(rebuilt, spec, "{name}");
        }
    }

    #[test]
    fn names_are_unique_and_kinds_follow_the_fields() {
        let names: BTreeSet<&str> = TABLE.iter().map(|o| o.name).collect();
        assert_eq!(names.len(), TABLE.len());
        let kind = |n: &str| find(n).unwrap().kind;
        assert_eq!(kind("tags"), Kind::StrSet);
        assert_eq!(kind("tag_attribute_values"), Kind::SetMap2);
        assert_eq!(kind("attribute_patterns"), Kind::StrMap2);
        assert_eq!(kind("filter_style_properties"), Kind::OptStrSet);
        assert_eq!(kind("url_relative"), Kind::UrlRelative);
        assert_eq!(kind("max_input_bytes"), Kind::OptInt);
        assert_eq!(kind("strip_comments"), Kind::Bool);
        assert!(find("tagz").is_none());
        for o in TABLE {
            assert_eq!(o.default().kind(), o.kind, "{}", o.name);
            assert!(!o.doc.is_empty() && !o.doc.contains('\n'), "{}", o.name);
        }
    }

    #[test]
    fn defaults_are_the_empty_policy() {
        let default = |n: &str| find(n).unwrap().default();
        assert_eq!(default("strip_comments"), Value::Bool(true));
        assert_eq!(default("target_blank"), Value::Bool(false));
        assert_eq!(default("linkify"), Value::Bool(false));
        assert_eq!(default("linkify_email"), Value::Bool(false));
        assert_eq!(
            default("linkify_skip_tags"),
            Value::StrSet(strings(&["code", "pre"]))
        );
        assert_eq!(default("url_relative"), word("deny"));
        assert_eq!(default("tags"), Value::StrSet(BTreeSet::new()));
        assert!(default("link_rel").is_unset());
        assert!(default("max_input_bytes").is_unset());
        assert!(!default("tags").is_unset());
    }

    #[test]
    fn max_input_bytes_must_be_positive() {
        let n =
            |v: Option<i128>| set("max_input_bytes", Value::OptInt(v)).map(|s| s.max_input_bytes);
        assert_eq!(n(None), Ok(None));
        assert_eq!(n(Some(1)), Ok(Some(1)));
        assert_eq!(n(Some(1 << 100)), Ok(Some(usize::MAX)));
        for bad in [0, -5] {
            assert_eq!(
                n(Some(bad)),
                Err("max_input_bytes: must be None or a positive number of bytes".into())
            );
        }
    }

    #[test]
    fn url_relative_forms() {
        let url = |v: Value| set("url_relative", v).map(|s| s.url_relative);
        assert_eq!(url(word("deny")), Ok(UrlRelativeSpec::Deny));
        assert_eq!(url(word("pass")), Ok(UrlRelativeSpec::PassThrough));
        assert_eq!(url(word("pass_through")), Ok(UrlRelativeSpec::PassThrough));
        assert_eq!(
            url(parts(&[("base", "https://x.org/")])),
            Ok(UrlRelativeSpec::RewriteWithBase("https://x.org/".into()))
        );
        let rooted = UrlRelativeSpec::RewriteWithRoot {
            root: "https://x.org".into(),
            path: "/a/".into(),
        };
        assert_eq!(
            url(parts(&[("path", "/a/"), ("root", "https://x.org")])),
            Ok(rooted.clone())
        );
        // Written back root first, as the docs write it.
        assert_eq!(
            rooted.to_value(),
            parts(&[("root", "https://x.org"), ("path", "/a/")])
        );
        assert_eq!(
            url(word("maybe")),
            Err(r#"url_relative: "maybe" is not one of "deny", "pass", {"base": URL}, {"root": URL, "path": PATH}"#.into())
        );
        assert_eq!(
            url(parts(&[("root", "https://x.org")])),
            Err(r#"url_relative: a dict must be {"base": URL} or {"root": URL, "path": PATH}, got keys ["root"]"#.into())
        );
        assert!(url(parts(&[])).unwrap_err().ends_with("got keys []"));
    }

    #[test]
    fn a_value_of_another_kind_is_refused() {
        assert_eq!(
            set("tags", Value::Bool(true)),
            Err("tags: expected set of str, got bool".into())
        );
        assert!(set("url_relative", Value::OptStr(None)).is_err());
        assert!(set("max_input_bytes", Value::StrSet(BTreeSet::new())).is_err());
    }

    #[test]
    fn unknown_option_lists_the_options() {
        let msg = unknown("tagz");
        assert!(msg.starts_with("unknown option \"tagz\"; options are: tags, clean_content_tags,"));
        assert!(msg.ends_with(
            "target_blank, linkify, linkify_email, linkify_skip_tags, max_input_bytes, engine"
        ));
    }

    #[test]
    fn disallowed_by_name() {
        let names: Vec<String> = Disallowed::ALL
            .iter()
            .map(|d| format!("{:?}", d.name()))
            .collect();
        assert_eq!(names.join(", "), DISALLOWED_NAMES);
        for d in Disallowed::ALL {
            let value = Value::Disallowed(d.name().into());
            assert_eq!(set("disallowed", value).unwrap().disallowed, d);
        }
        assert_eq!(
            find("disallowed").unwrap().default(),
            Value::Disallowed("unwrap".into())
        );
        assert_eq!(
            set("disallowed", Value::Disallowed("strip".into())),
            Err(r#"disallowed: "strip" is not one of "unwrap", "drop", "escape", "remove""#.into())
        );
        assert!(set("disallowed", Value::OptStr(Some("escape".into()))).is_err());
    }

    #[test]
    fn engines_by_name() {
        let names: Vec<String> = EngineKind::ALL
            .iter()
            .map(|e| format!("{:?}", e.name()))
            .collect();
        assert_eq!(names.join(", "), ENGINE_NAMES);
        for e in EngineKind::ALL {
            let value = Value::Engine(Some(e.name().into()));
            assert_eq!(set("engine", value).unwrap().engine, Some(e));
        }
        assert_eq!(PolicySpec::empty().engine, None);
        assert_eq!(
            set("engine", Value::Engine(Some("servo".into()))),
            Err(r#"engine: "servo" is not one of "htmlguard", "ammonia""#.into())
        );
    }
}
