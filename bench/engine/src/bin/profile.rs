//! Throughput per stage: `profile --corpus FILE [--runs N] [--only SUBSTRING]
//! [--callgrind]`. FILE is JSON Lines (`python3 bench/corpora.py realistic 300`).
//! `--callgrind` makes exactly one counted pass of each selected stage, for
//! `scripts/callgrind.sh`, after one uncounted document: what a process pays once (the
//! name table, the first arena) is not a per-document cost.

use htmlguard_engine_bench::corpus;
use htmlguard_engine_bench::stages::{paired_ratio, pass, policies, stages, throughput};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let opt = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .map(|i| args.get(i + 1).cloned().expect("a value after the flag"))
    };
    let runs: usize = opt("--runs").map_or(7, |r| r.parse().expect("a number"));
    let only = opt("--only");
    let callgrind = args.iter().any(|a| a == "--callgrind");
    let path = opt("--corpus").expect("--corpus FILE (JSON Lines)");
    let docs = corpus(&path);
    let bytes: usize = docs.iter().map(String::len).sum();
    let (ammonia, ours) = policies();
    let mut stages = stages(&ammonia, &ours);
    if let Some(only) = &only {
        stages.retain(|(name, _)| name.contains(only.as_str()));
    }
    if callgrind {
        for (name, f) in &stages {
            std::hint::black_box(f(&docs[0]));
            let n = pass(f.as_ref(), &docs);
            println!("{name}: {bytes} bytes, result {n}");
        }
        return;
    }
    println!("{} documents, {bytes} bytes ({path})", docs.len());
    println!("| stage | MB per CPU-second (median of {runs}) |");
    println!("|---|---:|");
    for (name, f) in &stages {
        println!("| {name} | {:.1} |", throughput(&docs, runs, f.as_ref()));
    }
    let find = |name: &str| stages.iter().find(|(n, _)| n.contains(name));
    if let (Some(base), Some(new)) = (find("ammonia engine"), find("htmlguard engine")) {
        let r = paired_ratio(&docs, runs, base.1.as_ref(), new.1.as_ref());
        println!("\nsanitize, htmlguard engine / ammonia engine (paired passes): {r:.2}x");
    }
}
