#!/bin/sh
# Instructions per input byte for each stage of src/stages.rs, counted only inside the
# measured pass, then the two whole sanitizes grouped by where their instructions go.
# Usage (from bench/engine): scripts/callgrind.sh [CORPUS.jsonl]
# Without a corpus, writes the first 60 documents of bench/corpora.py's realistic corpus
# to target/corpus.jsonl.
set -e
corpus=${1:-target/corpus.jsonl}
if [ ! -f "$corpus" ]; then
    mkdir -p "$(dirname "$corpus")"
    python3 ../corpora.py realistic 300 | head -60 > "$corpus"
fi
cargo build --profile profiling
bin=${CARGO_TARGET_DIR:-target}/profiling/profile
out=target/callgrind/$(basename "$corpus" .jsonl)
mkdir -p "$out"
"$bin" --corpus "$corpus" --callgrind | while IFS=: read -r stage rest; do
    bytes=$(echo "$rest" | sed 's/^ \([0-9]*\) bytes.*/\1/')
    file="$out/$(echo "$stage" | tr -c 'a-zA-Z0-9\n' '_').out"
    valgrind --tool=callgrind --callgrind-out-file="$file" \
        --toggle-collect='htmlguard_engine_bench::stages::pass' \
        "$bin" --corpus "$corpus" --callgrind --only "$stage" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\)/\1/p' |
        awk -v s="$stage" -v b="$bytes" '{ printf "%s: %.1f instructions/byte\n", s, $1 / b }'
done
python3 scripts/cg_groups.py "$out"/sanitize*.out
