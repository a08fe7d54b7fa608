//! Fuzz the sanitizer with every preset.
//!
//! The first byte picks the preset and the input mode: raw bytes (decoded lossily), or
//! "structured", where each byte selects a fragment of HTML-ish syntax so the fuzzer reaches
//! deep, tag-heavy inputs quickly. Invariants: no panic; the output is valid UTF-8 (a
//! `String`); sanitizing the output again changes nothing; and `audit` (an independent
//! re-parse) finds no element, attribute or URL scheme the policy forbids. And the short
//! cuts are exact: the output equals the parser path on the whole input, without the
//! plain-text fast path and when cut into pieces at every point `split.rs` finds. And the
//! report is the record of the same pass: `inspect` gives the same HTML, and inspecting
//! the output finds nothing to remove.
#![no_main]

use std::sync::LazyLock;

use htmlguard::audit::audit;
use htmlguard::policy::CompiledPolicy;
use htmlguard::policy::presets::{preset, PRESET_NAMES};
use libfuzzer_sys::fuzz_target;

static POLICIES: LazyLock<Vec<CompiledPolicy>> =
    LazyLock::new(|| PRESET_NAMES.iter().map(|n| preset(n).unwrap()).collect());

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
    let out = policy.sanitize(&input).expect("presets have no size limit");
    if let Err(problem) = audit(policy, &out) {
        panic!("{problem}\ninput: {input:?}\noutput: {out:?}");
    }
    let whole = policy.sanitize_unsplit(&input);
    assert_eq!(out, whole, "differs from the parser path\ninput: {input:?}");
    let pieces = policy.sanitize_in_pieces(&input, 1);
    assert_eq!(pieces, whole, "pieces differ from the whole\ninput: {input:?}");
    let again = policy.sanitize(&out).unwrap();
    assert_eq!(again, out, "not idempotent\ninput: {input:?}");
    let (inspected, _) = policy.inspect(&input).unwrap();
    assert_eq!(inspected, out, "inspect's HTML differs\ninput: {input:?}");
    let (_, left) = policy.inspect(&out).unwrap();
    assert!(left.total == 0, "output not clean: {:?}\ninput: {input:?}", left.removed);
});
