//! What a policy says, as owned, ordered data (what a user wrote).

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::EngineKind;

/// Tag name → set of names (attributes or classes).
pub type NameMap = BTreeMap<String, BTreeSet<String>>;

/// How relative URLs are treated.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum UrlRelativeSpec {
    /// Relative URLs are removed.
    #[default]
    Deny,
    /// Relative URLs pass unchanged.
    PassThrough,
    /// Relative URLs are resolved against this absolute base URL.
    RewriteWithBase(String),
    /// Absolute paths go under `root`, relative paths under `root` + `path`.
    RewriteWithRoot { root: String, path: String },
}

/// What happens to an element the policy does not keep (`disallowed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Disallowed {
    /// Its tags go; its content takes its place (in the tree the parser built).
    #[default]
    Unwrap,
    /// Its start and end tags are taken out of the token stream before the tree is built
    /// (bleach's `strip=True`; our engine only).
    Drop,
    /// Its start and end tags are shown as text, as written (our engine only).
    Escape,
    /// It goes with everything inside it.
    Remove,
}

impl Disallowed {
    /// Every mode, in the order the docs list them.
    pub const ALL: [Disallowed; 4] = [
        Disallowed::Unwrap,
        Disallowed::Drop,
        Disallowed::Escape,
        Disallowed::Remove,
    ];

    /// The name `Policy(disallowed=...)` takes.
    pub const fn name(self) -> &'static str {
        match self {
            Disallowed::Unwrap => "unwrap",
            Disallowed::Drop => "drop",
            Disallowed::Escape => "escape",
            Disallowed::Remove => "remove",
        }
    }
}

/// Everything a policy says, as owned, ordered data (ordered so equality, hashing and
/// serialisation are deterministic).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct PolicySpec {
    pub tags: BTreeSet<String>,
    pub clean_content_tags: BTreeSet<String>,
    pub tag_attributes: NameMap,
    pub generic_attributes: BTreeSet<String>,
    pub generic_attribute_prefixes: BTreeSet<String>,
    pub tag_attribute_values: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    pub set_tag_attribute_values: BTreeMap<String, BTreeMap<String, String>>,
    pub url_schemes: BTreeSet<String>,
    pub url_relative: UrlRelativeSpec,
    pub link_rel: Option<String>,
    pub allowed_classes: NameMap,
    pub filter_style_properties: Option<BTreeSet<String>>,
    pub strip_comments: bool,
    pub id_prefix: Option<String>,
    /// tag (or "*" for every tag) → attribute → regular expression the value must match.
    pub attribute_patterns: BTreeMap<String, BTreeMap<String, String>>,
    /// Regular expression → attributes: elements whose name it matches are kept (never
    /// `script` or `style`), with those attributes.
    pub tag_patterns: NameMap,
    /// Regular expressions: a URL scheme one matches is allowed (never `javascript`,
    /// `vbscript` or `data`).
    pub url_scheme_patterns: BTreeSet<String>,
    /// When set, every kept `<iframe>` gets `sandbox` with only these of its tokens.
    pub iframe_sandbox: Option<BTreeSet<String>>,
    /// A space is written where a start or end tag was removed.
    pub space_when_stripping: bool,
    /// When set, the only elements kept without attributes of their own.
    pub bare_tags: Option<BTreeSet<String>>,
    pub target_blank: bool,
    /// URLs in text become links (`<a href>`), as the policy would keep them.
    pub linkify: bool,
    /// With `linkify`, e-mail addresses become `mailto:` links too.
    pub linkify_email: bool,
    /// Elements whose text (at any depth) `linkify` leaves alone.
    pub linkify_skip_tags: BTreeSet<String>,
    pub max_input_bytes: Option<usize>,
    /// The parser the policy runs on; None: `EngineKind`'s default, which a stored policy
    /// that chose none follows when it changes.
    pub engine: Option<EngineKind>,
    pub disallowed: Disallowed,
}

impl PolicySpec {
    /// The empty policy: nothing allowed, comments stripped (and, if `linkify` is turned
    /// on, no links made in `<pre>` and `<code>`).
    pub fn empty() -> Self {
        PolicySpec {
            strip_comments: true,
            linkify_skip_tags: ["pre", "code"].map(String::from).into(),
            ..Default::default()
        }
    }
}
