//! Profiling tools for htmlguard's engines: each stage of a sanitize (tokenizing, building
//! the tree, the whole pipeline) for html5ever's parser and ours, as throughput per
//! CPU-second and, under callgrind, as instructions. See bench/ENGINE.md.

pub mod stages;

/// The documents of a JSON Lines file (one JSON string per line), as
/// `python3 bench/corpora.py realistic N` writes them.
pub fn corpus(path: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON string per line"))
        .collect()
}
