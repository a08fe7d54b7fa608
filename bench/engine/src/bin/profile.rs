//! Stage-by-stage throughput. `profile [--runs N] [--only SUBSTRING] [--corpus realistic|big]`
//! `--only` with `--runs 1` is what the callgrind runs use (see scripts/callgrind.sh).

use htmlguard_engine_bench::corpus;
use htmlguard_engine_bench::stages::{paired_ratio, stages, throughput};
use htmlguard_engine_bench::walk::Walker;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let opt = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .map(|i| args[i + 1].clone())
    };
    let runs: usize = opt("--runs").map_or(7, |r| r.parse().expect("a number"));
    let only = opt("--only");
    let which = opt("--corpus");
    let policy = htmlguard::presets::preset("ugc").expect("ugc preset");
    let walker = Walker::new(&policy).expect("ugc is supported");
    let mut fast = Walker::new(&policy).expect("ugc is supported");
    fast.fast_urls = true;
    let realistic = corpus::realistic(corpus::DOCS, corpus::SEED);
    let big = vec![corpus::big(corpus::SEED)];
    let mut corpora = vec![("realistic", &realistic), ("1 MB doc", &big)];
    if let Some(w) = which {
        corpora.retain(|(name, _)| {
            name.starts_with(w.as_str()) || (w == "big" && *name == "1 MB doc")
        });
    }
    let stages = stages(&policy, &walker, &fast);
    for (name, docs) in corpora {
        let bytes: usize = docs.iter().map(|d| d.len()).sum();
        println!(
            "## {name}: {} docs, {:.2} MB, median of {runs} runs",
            docs.len(),
            bytes as f64 / 1e6
        );
        println!("| stage | MB/CPU-s |");
        println!("|---|---:|");
        for (stage, f) in &stages {
            // An exact stage name selects that stage only; otherwise any stage containing it.
            let exact = only
                .as_ref()
                .is_some_and(|o| stages.iter().any(|(s, _)| s == o));
            if only.as_ref().is_some_and(|o| {
                if exact {
                    stage != o
                } else {
                    !stage.contains(o.as_str())
                }
            }) {
                continue;
            }
            println!("| {stage} | {:.1} |", throughput(docs, runs, f.as_ref()));
        }
        if only.is_none() {
            // Prototypes against the production pipeline, timed alternately.
            let base = &stages
                .iter()
                .find(|(s, _)| s.starts_with("htmlguard sanitize"))
                .expect("stage")
                .1;
            println!("| paired with production (alternating passes) | speed ratio |");
            println!("|---|---:|");
            for (stage, f) in stages.iter().filter(|(s, _)| s.starts_with('(')) {
                println!(
                    "| {stage} | {:.2}x |",
                    paired_ratio(docs, runs, base.as_ref(), f.as_ref())
                );
            }
        }
        println!();
    }
}
