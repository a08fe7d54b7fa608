//! Prototype (b): the arena tree plus one walk that applies the policy and serializes at
//! the same time, replacing ammonia's clean pass (which rebuilds an rcdom tree) and the
//! separate serializer pass.
//!
//! The walk reproduces the production output for policies shaped like the "ugc" preset:
//! ammonia's element rules (allowlist, drop-with-content, its namespace check), its
//! attribute rules (allowlists, URL schemes, `link_rel`, `id_prefix`), then htmlguard's
//! serializer rules (value rules, depth cap, self-nesting unwrap, misnesting detection and
//! the re-sanitize rounds). Policy features it does not implement make [`Walker::new`]
//! return `None`, so a result is never silently different.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use html5ever::tendril::StrTendril;
use html5ever::{local_name, ns, QualName};
use htmlguard::parse::parse_fragment;
use htmlguard::policy::{is_url_attr, CompiledPolicy, UrlRelativeSpec, ValueRules};
use htmlguard::sanitize::{escape_text, is_plain_text};
use htmlguard::scan::{limit_attributes, verdict, Verdict, MAX_ATTRIBUTES, MAX_DEPTH};
use htmlguard::serialize::{
    escape_into, is_raw_text, is_void, misnested, moves_text, self_nested, text_misplaced,
};
use markup5ever::LocalName;

use crate::arena::{parse, write_attr_name, Arena, Data, NIL};

/// Atoms carry a precomputed hash; SipHash over it again is wasted work.
#[derive(Default)]
pub struct AtomHasher(u64);

impl Hasher for AtomHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type AtomSet = HashSet<LocalName, BuildHasherDefault<AtomHasher>>;

enum TagRule {
    /// Removed with everything inside (`clean_content_tags`).
    Drop,
    /// Kept; these attributes are allowed besides the generic ones.
    Keep(AtomSet),
}

/// Names ammonia treats as SVG or MathML elements (element names from those specs, minus
/// the few it also accepts as HTML): an HTML element with one of these names is removed
/// with its content by ammonia's namespace check. Sorted for binary search.
const FOREIGN_NAMES: &[&str] = &[
    "abs",
    "and",
    "animate",
    "animateColor",
    "animateMotion",
    "animateTransform",
    "annotation",
    "annotation-xml",
    "apply",
    "approx",
    "arccos",
    "arccosh",
    "arccot",
    "arccoth",
    "arccsc",
    "arccsch",
    "arcsec",
    "arcsech",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctanh",
    "arg",
    "bind",
    "bvar",
    "card",
    "cartesianproduct",
    "cbytes",
    "ceiling",
    "cerror",
    "ci",
    "circle",
    "clipPath",
    "cn",
    "codomain",
    "complexes",
    "compose",
    "condition",
    "conjugate",
    "cos",
    "cosh",
    "cot",
    "coth",
    "cs",
    "csc",
    "csch",
    "csymbol",
    "curl",
    "declare",
    "defs",
    "degree",
    "desc",
    "determinant",
    "diff",
    "discard",
    "divergence",
    "divide",
    "domain",
    "domainofapplication",
    "ellipse",
    "emptyset",
    "eq",
    "equivalent",
    "eulergamma",
    "exists",
    "exp",
    "exponentiale",
    "factorial",
    "factorof",
    "false",
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDistantLight",
    "feDropShadow",
    "feFlood",
    "feFuncA",
    "feFuncB",
    "feFuncG",
    "feFuncR",
    "feGaussianBlur",
    "feImage",
    "feMerge",
    "feMergeNode",
    "feMorphology",
    "feOffset",
    "fePointLight",
    "feSpecularLighting",
    "feSpotLight",
    "feTile",
    "feTurbulence",
    "filter",
    "floor",
    "fn",
    "forall",
    "foreignObject",
    "g",
    "gcd",
    "geq",
    "grad",
    "gt",
    "ident",
    "image",
    "imaginary",
    "imaginaryi",
    "implies",
    "in",
    "infinity",
    "int",
    "integers",
    "intersect",
    "interval",
    "inverse",
    "lambda",
    "laplacian",
    "lcm",
    "leq",
    "limit",
    "line",
    "linearGradient",
    "list",
    "ln",
    "log",
    "logbase",
    "lowlimit",
    "lt",
    "maction",
    "maligngroup",
    "malignmark",
    "marker",
    "mask",
    "math",
    "matrix",
    "matrixrow",
    "max",
    "mean",
    "median",
    "menclose",
    "merror",
    "metadata",
    "mfenced",
    "mfrac",
    "mglyph",
    "mi",
    "min",
    "minus",
    "mlabeledtr",
    "mlongdiv",
    "mmultiscripts",
    "mn",
    "mo",
    "mode",
    "moment",
    "momentabout",
    "mover",
    "mpadded",
    "mpath",
    "mphantom",
    "mprescripts",
    "mroot",
    "mrow",
    "ms",
    "mscarries",
    "mscarry",
    "msgroup",
    "msline",
    "mspace",
    "msqrt",
    "msrow",
    "mstack",
    "mstyle",
    "msub",
    "msubsup",
    "msup",
    "mtable",
    "mtd",
    "mtext",
    "mtr",
    "munder",
    "munderover",
    "naturalnumbers",
    "neq",
    "none",
    "not",
    "notanumber",
    "notin",
    "notprsubset",
    "notsubset",
    "or",
    "otherwise",
    "outerproduct",
    "partialdiff",
    "path",
    "pattern",
    "pi",
    "piece",
    "piecewise",
    "plus",
    "polygon",
    "polyline",
    "power",
    "primes",
    "product",
    "prsubset",
    "quotient",
    "radialGradient",
    "rationals",
    "real",
    "reals",
    "rect",
    "reln",
    "rem",
    "root",
    "scalarproduct",
    "sdev",
    "sec",
    "sech",
    "selector",
    "semantics",
    "sep",
    "set",
    "setdiff",
    "share",
    "sin",
    "sinh",
    "stop",
    "subset",
    "sum",
    "svg",
    "switch",
    "symbol",
    "tan",
    "tanh",
    "tendsto",
    "text",
    "textPath",
    "times",
    "transpose",
    "true",
    "tspan",
    "union",
    "uplimit",
    "use",
    "variance",
    "vector",
    "vectorproduct",
    "view",
    "xor",
];

fn is_html_tag(name: &str) -> bool {
    FOREIGN_NAMES.binary_search(&name).is_err()
}

pub struct Walker<'p> {
    rules: &'p ValueRules,
    tags: HashMap<LocalName, TagRule, BuildHasherDefault<AtomHasher>>,
    generic: AtomSet,
    schemes: HashSet<String>,
    relative_allowed: bool,
    link_rel: Option<StrTendril>,
    id_prefix: Option<String>,
    /// Prototype (c): decide most URL attributes from their scheme without `Url::parse`.
    pub fast_urls: bool,
}

enum Op {
    Visit {
        id: u32,
        depth: usize,
        raw: bool,
        keep_text: bool,
    },
    Close,
}

impl<'p> Walker<'p> {
    /// `None` when the policy uses a feature this prototype does not implement.
    pub fn new(policy: &'p CompiledPolicy) -> Option<Self> {
        let s = &policy.spec;
        let dropped = |t: &str| s.clean_content_tags.contains(t);
        let supported = s.tag_attribute_values.is_empty()
            && s.set_tag_attribute_values.is_empty()
            && s.generic_attribute_prefixes.is_empty()
            && s.allowed_classes.is_empty()
            && s.filter_style_properties.is_none()
            && s.strip_comments
            && !s.target_blank
            && matches!(s.url_relative, UrlRelativeSpec::Deny | UrlRelativeSpec::PassThrough)
            // Foreign content never reaches the walk, and no <select> is kept (ammonia's
            // <selectedcontent> rule).
            && dropped("svg")
            && dropped("math")
            && !s.tags.contains("select");
        if !supported {
            return None;
        }
        let set = |names: &mut dyn Iterator<Item = &String>| -> AtomSet {
            names.map(|n| LocalName::from(n.as_str())).collect()
        };
        let mut tags = HashMap::default();
        for t in &s.clean_content_tags {
            tags.insert(LocalName::from(t.as_str()), TagRule::Drop);
        }
        for t in &s.tags {
            let attrs = s.tag_attributes.get(t);
            let attrs = set(&mut attrs.into_iter().flatten());
            tags.insert(LocalName::from(t.as_str()), TagRule::Keep(attrs));
        }
        Some(Walker {
            rules: &policy.rules,
            tags,
            generic: set(&mut s.generic_attributes.iter()),
            schemes: s.url_schemes.iter().cloned().collect(),
            relative_allowed: s.url_relative != UrlRelativeSpec::Deny,
            link_rel: s.link_rel.as_deref().map(StrTendril::from_slice),
            id_prefix: s.id_prefix.clone(),
            fast_urls: false,
        })
    }

    /// ammonia's URL rule: an allowed scheme, or a relative URL when relative URLs pass.
    fn url_ok(&self, value: &str) -> bool {
        if self.fast_urls {
            match scheme(value) {
                None => return self.relative_allowed,
                Some(s) if !self.schemes.contains(&s.to_ascii_lowercase()) => return false,
                // An allowed scheme: only a full parse knows whether the URL is valid.
                Some(_) => {}
            }
        }
        match url::Url::parse(value) {
            Ok(u) => self.schemes.contains(u.scheme()),
            Err(url::ParseError::RelativeUrlWithoutBase) => self.relative_allowed,
            Err(_) => false,
        }
    }

    /// The production pipeline's `sanitize`, with this walk in place of ammonia + serializer.
    pub fn sanitize(&self, html: &str) -> String {
        if is_plain_text(html) {
            return escape_text(html);
        }
        let html = &*limit_attributes(html, MAX_ATTRIBUTES);
        let (mut out, mut misplaced) = self.sanitize_once(html);
        for _ in 0..8 {
            if !misplaced {
                break;
            }
            let (next, m) = self.sanitize_once(&out);
            if next == out {
                break;
            }
            (out, misplaced) = (next, m);
        }
        out
    }

    fn sanitize_once(&self, html: &str) -> (String, bool) {
        match verdict(html, MAX_DEPTH) {
            Verdict::Shallow => self.walk(&parse(html)),
            Verdict::NeedsParse => {
                // Rare (deep or foreign-content input): the production depth filter.
                let fragment = parse_fragment(html, MAX_DEPTH);
                if fragment.dropped.count == 0 {
                    self.walk(&parse(html))
                } else {
                    self.walk(&parse(&fragment.to_html()))
                }
            }
        }
    }

    /// What ammonia does with an element: `None` removes it with its content, `Some(None)`
    /// unwraps it (children take its place), `Some(Some(attrs))` keeps it.
    fn element_rule(&self, name: &QualName) -> Option<Option<&AtomSet>> {
        match self.tags.get(&name.local) {
            Some(TagRule::Drop) => None,
            // Only HTML elements get this far (svg and math are dropped with content).
            _ if !is_html_tag(&name.local) => None,
            Some(TagRule::Keep(attrs)) => Some(Some(attrs)),
            None => Some(None),
        }
    }

    /// Whether the first child `id` has in ammonia's cleaned tree is text starting with a
    /// newline (the serializer then doubles it after `<pre>`).
    fn first_text_starts_with_newline(&self, arena: &Arena, id: u32) -> Option<bool> {
        for c in arena.children(id) {
            match &arena.nodes[c as usize].data {
                Data::Text(t) => return Some(t.starts_with('\n')),
                Data::Element { name, .. } => match self.element_rule(name) {
                    None => {}
                    Some(None) => {
                        if let Some(found) = self.first_text_starts_with_newline(arena, c) {
                            return Some(found);
                        }
                    }
                    Some(Some(_)) => return Some(false),
                },
                _ => {}
            }
        }
        None
    }

    fn start_tag(
        &self,
        out: &mut String,
        name: &QualName,
        attrs: &[html5ever::Attribute],
        allowed: &AtomSet,
        scratch: &mut String,
    ) {
        out.push('<');
        out.push_str(&name.local);
        let tag: &str = &name.local;
        for a in attrs {
            let local = &a.name.local;
            if !(self.generic.contains(local) || allowed.contains(local)) {
                continue;
            }
            if is_url_attr(tag, local) && !self.url_ok(&a.value) {
                continue;
            }
            let mut value: &str = &a.value;
            if *local == local_name!("id") {
                if let Some(prefix) = &self.id_prefix {
                    if !value.starts_with(prefix.as_str()) {
                        scratch.clear();
                        scratch.push_str(prefix);
                        scratch.push_str(value);
                        value = scratch;
                    }
                }
            }
            if self.rules.check(tag, local, value).is_err() {
                continue;
            }
            out.push(' ');
            write_attr_name(out, &a.name);
            out.push_str("=\"");
            escape_into(out, value, true);
            out.push('"');
        }
        if let Some(rel) = &self.link_rel {
            if name.local == local_name!("a") && self.rules.check(tag, "rel", rel).is_ok() {
                out.push_str(" rel=\"");
                escape_into(out, rel, true);
                out.push('"');
            }
        }
        out.push('>');
    }

    /// Clean and serialize in one pre-order walk. Returns the HTML and whether parsing it
    /// again would build a different tree (the production serializer's `misnested`).
    pub fn walk(&self, arena: &Arena) -> (String, bool) {
        let mut out = String::with_capacity(arena.nodes.len() * 8);
        let mut open: Vec<QualName> = Vec::new();
        let mut misplaced = false;
        let mut scratch = String::new();
        let mut ops: Vec<Op> = Vec::new();
        let push_children = |ops: &mut Vec<Op>, id: u32, depth, raw, keep_text| {
            let mut c = arena.nodes[id as usize].last;
            while c != NIL {
                ops.push(Op::Visit {
                    id: c,
                    depth,
                    raw,
                    keep_text,
                });
                c = arena.nodes[c as usize].prev;
            }
        };
        push_children(&mut ops, arena.root(), 1, false, true);
        while let Some(op) = ops.pop() {
            let (id, depth, raw, keep_text) = match op {
                Op::Close => {
                    let name = open.pop().expect("an open element");
                    out.push_str("</");
                    out.push_str(&name.local);
                    out.push('>');
                    continue;
                }
                Op::Visit {
                    id,
                    depth,
                    raw,
                    keep_text,
                } => (id, depth, raw, keep_text),
            };
            match &arena.nodes[id as usize].data {
                Data::Text(t) => {
                    if !keep_text {
                        continue;
                    }
                    misplaced = misplaced || text_misplaced(open.last(), t);
                    if raw {
                        out.push_str(t);
                    } else {
                        escape_into(&mut out, t, false);
                    }
                }
                Data::Element { name, attrs, .. } => {
                    let allowed = match self.element_rule(name) {
                        None => continue,
                        Some(None) => {
                            push_children(&mut ops, id, depth, raw, keep_text);
                            continue;
                        }
                        Some(Some(allowed)) => allowed,
                    };
                    if depth > MAX_DEPTH || self_nested(name, &open) {
                        push_children(&mut ops, id, depth, raw, keep_text);
                        continue;
                    }
                    misplaced = misplaced || misnested(name, &open);
                    self.start_tag(&mut out, name, attrs, allowed, &mut scratch);
                    if is_void(name) {
                        continue;
                    }
                    if name.ns == ns!(html)
                        && matches!(
                            name.local,
                            local_name!("pre") | local_name!("textarea") | local_name!("listing")
                        )
                        && self.first_text_starts_with_newline(arena, id) == Some(true)
                    {
                        out.push('\n');
                    }
                    open.push(name.clone());
                    ops.push(Op::Close);
                    let keep = !(depth == MAX_DEPTH && moves_text(name));
                    push_children(&mut ops, id, depth + 1, is_raw_text(name), keep);
                }
                // Comments are stripped (checked in `new`); doctypes and PIs always are.
                _ => {}
            }
        }
        if out.starts_with('\u{feff}') {
            out.replace_range(..3, "&#xFEFF;");
        }
        (out, misplaced)
    }
}

/// The scheme `url::Url::parse` would see: leading C0 controls and spaces are trimmed and
/// tabs and newlines ignored anywhere; a scheme is an ASCII letter, then letters, digits,
/// `+`, `-` or `.`, then `:`. `None` means the URL is relative.
fn scheme(value: &str) -> Option<String> {
    let mut chars = value
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'));
    let mut s = String::new();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() => s.push(c),
        _ => return None,
    }
    for c in chars {
        match c {
            ':' => return Some(s),
            c if c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.') => s.push(c),
            _ => return None,
        }
    }
    None
}
