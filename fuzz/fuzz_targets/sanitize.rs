//! Fuzz the sanitizer with every preset.
//!
//! The first byte picks the preset and the input mode: raw bytes (decoded lossily), or
//! "structured", where each byte selects a fragment of HTML-ish syntax so the fuzzer reaches
//! deep, tag-heavy inputs quickly. Invariants: no panic; the output is valid UTF-8 (a
//! `String`); sanitizing the output again changes nothing; and `audit` (an independent
//! re-parse) finds no element, attribute or URL scheme the policy forbids. And the short
//! cuts are exact: the output equals the parser path on the whole input, without the
//! plain-text fast path, when cut into pieces at every point `split.rs` finds, and when
//! streamed in chunks (cuts inside wrapper elements included). And the
//! report is the record of the same pass: `inspect` gives the same HTML, and inspecting
//! the output finds nothing to remove. Our own engine (`EngineKind::Native`) is held to
//! the same invariants, and to the ammonia engine's output byte for byte wherever the input
//! has none of the pieces where html5ever departs from the standard
//! (`tests/engine_differential.rs` lists them), no tag the ammonia engine cuts to
//! `MAX_ATTRIBUTES` attributes (ours keeps them all, as a browser does) and too few tags
//! for the ammonia engine's depth bound to drop any. Both engines are named, whichever is
//! the default.
#![no_main]

use std::sync::LazyLock;

use htmlguard::audit::audit;
use htmlguard::engine::stream::Stream;
use htmlguard::engine::EngineKind;
use htmlguard::html::attrs::{limit_attributes, MAX_ATTRIBUTES};
use htmlguard::policy::CompiledPolicy;
use htmlguard::policy::presets::{preset_spec, PRESET_NAMES};
use libfuzzer_sys::fuzz_target;

static POLICIES: LazyLock<Vec<CompiledPolicy>> = LazyLock::new(|| {
    PRESET_NAMES
        .iter()
        .map(|n| preset_spec(n).unwrap().compile_with(EngineKind::Html5ever).unwrap())
        .collect()
});

static NATIVE: LazyLock<Vec<CompiledPolicy>> = LazyLock::new(|| {
    PRESET_NAMES
        .iter()
        .map(|n| preset_spec(n).unwrap().compile_with(EngineKind::Native).unwrap())
        .collect()
});

/// Where html5ever's tree builder departs from the standard (see
/// `tests/engine_differential.rs`; its MathML and SVG deviations need an `svg` or `math`
/// element first): inputs with these may differ between the engines.
const DEVIATIONS: &[&str] = &["svg", "math", "thead", "\u{feff}", "<!doctype"];

fn may_differ(input: &str) -> bool {
    let lower = input.to_ascii_lowercase();
    // The ammonia engine's depth bound counts tags that close their predecessor (`<a>`,
    // `<dd>`...) as nesting, so past MAX_DEPTH of them it drops tags ours keeps.
    DEVIATIONS.iter().any(|d| lower.contains(d))
        || limit_attributes(input, MAX_ATTRIBUTES).len() != input.len()
        || input.matches('<').count() > htmlguard::html::MAX_DEPTH
}

/// The invariants every engine keeps.
fn check(policy: &CompiledPolicy, input: &str) -> String {
    let out = policy.sanitize(input).expect("presets have no size limit");
    if let Err(problem) = audit(policy, &out) {
        panic!("{problem}\ninput: {input:?}\noutput: {out:?}");
    }
    let whole = policy.sanitize_unsplit(input);
    assert_eq!(out, whole, "differs from the parser path\ninput: {input:?}");
    let pieces = policy.sanitize_in_pieces(input, 1);
    assert_eq!(pieces, whole, "pieces differ from the whole\ninput: {input:?}");
    assert_eq!(streamed(policy, input), whole, "the stream differs\ninput: {input:?}");
    let again = policy.sanitize(&out).unwrap();
    assert_eq!(again, out, "not idempotent\ninput: {input:?}");
    let (inspected, _) = policy.inspect(input).unwrap();
    assert_eq!(inspected, out, "inspect's HTML differs\ninput: {input:?}");
    let (_, left) = policy.inspect(&out).unwrap();
    assert!(left.total == 0, "output not clean: {:?}\ninput: {input:?}", left.removed);
    out
}

/// `input` through a `Stream` that looks for a cut (wrappers included) after every few
/// characters, as `htmlguard sanitize` reads a file.
fn streamed(policy: &CompiledPolicy, input: &str) -> String {
    let mut s = Stream::with_scan(1);
    let mut out = String::new();
    let mut rest = input;
    while !rest.is_empty() {
        let mut at = rest.len().min(5);
        while !rest.is_char_boundary(at) {
            at += 1;
        }
        let mut piece = String::new();
        s.push(policy, &rest[..at], &mut piece).expect("presets have no size limit");
        out.push_str(&piece);
        rest = &rest[at..];
    }
    let mut piece = String::new();
    s.finish(policy, &mut piece);
    out + &piece
}

const PIECES: &[&str] = &[
    "<", ">", "</", "/>", "<!--", "-->", "<![CDATA[", "]]>", "\"", "'", "=", " ", "&", ";",
    "&#x6a;", "&Tab;", "\u{0}", "\u{2028}", "\u{a0}", "a", "x", "1", "\n",
    "<a href=", "<img src=x onerror=alert(1)>", "javascript:", "data:text/html,", "https://e.x/",
    "<svg>", "</svg>", "<math>", "<mtext>", "<mglyph>", "<style>", "</style>", "<script>",
    "</script>", "<table>", "<td>", "<tr>", "<select>", "<option>", "<template>", "<noscript>",
    "<textarea>", "</textarea>", "<iframe srcdoc=", "<form action=", "<button formaction=",
    "<p>", "</p>", "<b>", "</b>", "<div>", "<span style=\"color:red;x:y\">", "<code class=\"language-x\">",
    "<blockquote cite=", "<details open ontoggle=x>", "<xmp>", "<plaintext>", "<title>",
    "</div>", "</a>", "<li>", "</li>", "<ul>", "</ul>", "</td>", "</tr>", "</table>", "</span>",
    "</code>", "</blockquote>", "</details>", "</option>", "</select>", "</form>", "<pre>", "</pre>",
    "\u{feff}", "<i>", "</i>", "<h1>", "</h1>",
    "<section>", "</section>", "<main id=m>", "</main>", "<body>", "</body>", "<html>", "</html>",
    "onclick=", "onload=", " id=", " class=", " title=", " lang=", " dir=", " rel=", " target=",
];

fn structured(data: &[u8]) -> String {
    data.iter().map(|&b| PIECES[b as usize % PIECES.len()]).collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let policy = &POLICIES[head as usize % POLICIES.len()];
    let input = if head & 0x80 != 0 {
        structured(rest)
    } else {
        String::from_utf8_lossy(rest).into_owned()
    };
    let out = check(policy, &input);
    let native = check(&NATIVE[head as usize % NATIVE.len()], &input);
    if !may_differ(&input) {
        assert_eq!(native, out, "the engines differ\ninput: {input:?}");
    }
});
