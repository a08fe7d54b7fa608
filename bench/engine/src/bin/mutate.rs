//! Seeded mutation fuzzing of the identity checks: `mutate [ITERATIONS] [SEED]`.
//! Each iteration takes a slice of a corpus document or an XSS payload, applies 1–8
//! mutations (inserting markup fragments from a dictionary, deleting or duplicating
//! ranges) and compares every prototype with its reference. Exit status 1 on a mismatch.

use htmlguard_engine_bench::corpus::{self, Rng};
use htmlguard_engine_bench::walk::Walker;
use htmlguard_engine_bench::{arena, stages};

/// Fragments that reach the parser's and the sanitizer's odd corners.
const DICT: &[&str] = &[
    "<p>",
    "</p>",
    "<pre>",
    "<pre>\n",
    "\n",
    "<table>",
    "<td>",
    "<tr>",
    "</table>",
    "<li>",
    "<ul>",
    "<dd>",
    "<h1>",
    "<h2>",
    "</h1>",
    "<a href=",
    "<a href=\"/x\">",
    "</a>",
    "<b>",
    "</b>",
    "<i>",
    "<em>",
    "<strong>",
    "<select>",
    "<option>",
    "<svg>",
    "<math>",
    "<mi>",
    "<foreignObject>",
    "<path>",
    "<circle>",
    "<title>",
    "<template>",
    "<script>",
    "</script>",
    "<style>",
    "<noscript>",
    "<textarea>",
    "<plaintext>",
    "<xmp>",
    "<iframe>",
    "<!--",
    "-->",
    "<!DOCTYPE html>",
    "<?pi x?>",
    "<![CDATA[",
    "]]>",
    " id=",
    " id=\"user-content-x\"",
    " id=\"\"",
    " title=\"a<b\"",
    " href=\"javascript:alert(1)\"",
    " href=\" https://x.org\"",
    " href=\"http://exa mple.com/\"",
    " href=\"\u{200b}javascript:x\"",
    " src=\"//x.org/i.png\"",
    " cite=\"https://x\"",
    " onclick=\"x()\"",
    " rel=\"x\"",
    " dir=rtl",
    " lang=en",
    " colspan=2",
    " width=10%",
    "&#13;",
    "&amp;",
    "&nbsp;",
    "&#xfeff;",
    "\u{feff}",
    "\0",
    "\r\n",
    "\u{a0}",
    "<br>",
    "<img src=x alt=y>",
    "<hr>",
    "<wbr>",
    "<kbd>",
    "<blink>",
    "<nobr>",
    "<button>",
    "<form>",
    "<details>",
    "<summary>",
    "<ruby><rt>",
    "<caption>",
    "<col>",
    "<image>",
    "<listing>",
    "<div>",
    "</div>",
    "<span>",
    ">",
    "<",
    "\"",
    "'",
    "=",
];

fn mutate(r: &mut Rng, base: &str) -> String {
    let mut s = base.as_bytes().to_vec();
    for _ in 0..1 + r.below(8) {
        let at = r.below(s.len() + 1);
        match r.below(4) {
            0 | 1 => {
                let frag = r.pick(DICT).as_bytes();
                s.splice(at..at, frag.iter().copied());
            }
            2 => {
                let end = (at + r.below(32)).min(s.len());
                s.drain(at..end);
            }
            _ => {
                let end = (at + r.below(64)).min(s.len());
                let copy = s[at..end].to_vec();
                let to = r.below(s.len() + 1);
                s.splice(to..to, copy);
            }
        }
    }
    String::from_utf8_lossy(&s).into_owned()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let iterations: usize = args
        .get(1)
        .map_or(100_000, |a| a.parse().expect("a number"));
    let seed: u64 = args.get(2).map_or(1, |a| a.parse().expect("a number"));
    let mut bases = corpus::xss_payloads(corpus::XSS_DIR);
    let docs = corpus::realistic(50, corpus::SEED);
    let mut r = Rng::new(seed);
    // Slices of corpus documents keep each case small, so many fit in the budget.
    for d in &docs {
        for _ in 0..20 {
            let start = r.below(d.len());
            let end = (start + 64 + r.below(2048)).min(d.len());
            if let Some(s) = d.get(start..end) {
                bases.push(s.to_string());
            }
        }
    }
    let policy = htmlguard::presets::preset("ugc").expect("ugc");
    let walker = Walker::new(&policy).expect("supported");
    let mut fast = Walker::new(&policy).expect("supported");
    fast.fast_urls = true;
    let mut mismatches = [0usize; 3];
    for i in 0..iterations {
        let base = &bases[r.below(bases.len())];
        let input = mutate(&mut r, base);
        let want_a = stages::rcdom_serialize(&stages::parse_rcdom(&input));
        let want_b = policy.sanitize(&input).expect("size");
        let got = [
            arena::serialize(&arena::parse(&input)) == want_a,
            walker.sanitize(&input) == want_b,
            fast.sanitize(&input) == want_b,
        ];
        for (k, ok) in got.iter().enumerate() {
            if !ok {
                mismatches[k] += 1;
                if mismatches[k] <= 3 {
                    println!(
                        "mismatch ({}) at iteration {i}: {input:?}",
                        ["a", "b", "c"][k]
                    );
                }
            }
        }
    }
    println!(
        "{iterations} iterations, seed {seed}: mismatches (a) {} (b) {} (c) {}",
        mismatches[0], mismatches[1], mismatches[2]
    );
    if mismatches.iter().any(|&m| m > 0) {
        std::process::exit(1);
    }
}
