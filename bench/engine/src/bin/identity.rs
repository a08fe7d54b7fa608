//! Identity of every prototype with its reference on the whole corpus and the XSS
//! payloads. Exit status 1 on any mismatch; the first few are printed.
//!
//! (a) arena parse + serialize   vs  html5ever parse into rcdom + html5ever serialize
//! (b) arena + sanitizing walk   vs  htmlguard's production `CompiledPolicy::sanitize`
//! (c) (b) with the scheme pre-check, same reference.

use htmlguard_engine_bench::walk::Walker;
use htmlguard_engine_bench::{arena, corpus, stages};

fn main() {
    let mut inputs = corpus::realistic(corpus::DOCS, corpus::SEED);
    inputs.push(corpus::big(corpus::SEED));
    let docs = inputs.len();
    inputs.extend(corpus::xss_payloads(corpus::XSS_DIR));
    println!(
        "inputs: {docs} corpus documents + {} XSS payloads",
        inputs.len() - docs
    );
    let mut failed = false;
    let mut report = |label: &str, mismatches: Vec<&String>| {
        println!(
            "{label}: {} inputs, {} mismatches",
            inputs.len(),
            mismatches.len()
        );
        for m in mismatches.iter().take(3) {
            println!("  e.g. {:?}", m.chars().take(300).collect::<String>());
        }
        failed |= !mismatches.is_empty();
    };
    let a: Vec<&String> = inputs
        .iter()
        .filter(|h| {
            arena::serialize(&arena::parse(h)) != stages::rcdom_serialize(&stages::parse_rcdom(h))
        })
        .collect();
    report("(a) arena vs rcdom + html5ever serialize", a);
    for preset in htmlguard::presets::PRESET_NAMES {
        let policy = htmlguard::presets::preset(preset).expect("preset");
        let Some(mut walker) = Walker::new(&policy) else {
            println!("(b) {preset}: not supported by the prototype (skipped)");
            continue;
        };
        for fast in [false, true] {
            walker.fast_urls = fast;
            let bad: Vec<&String> = inputs
                .iter()
                .filter(|h| walker.sanitize(h) != policy.sanitize(h).expect("size"))
                .collect();
            let label = if fast { "(c)" } else { "(b)" };
            report(
                &format!("{label} {preset} walk vs production sanitize"),
                bad,
            );
        }
    }
    if failed {
        std::process::exit(1);
    }
}
