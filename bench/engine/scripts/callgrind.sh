#!/bin/sh
# Instruction counts per stage (warm-up pass + one timed pass, so two passes over the
# corpus), collected only inside the measuring harness, then grouped for the full pipeline
# and prototype (b). Usage: scripts/callgrind.sh [realistic|big]   (from bench/engine)
set -e
corpus=${1:-realistic}
cargo build --profile profiling
out=target/callgrind/$corpus
mkdir -p "$out"
bin=target/profiling/profile
"$bin" --runs 1 --corpus "$corpus" | sed -n 's/^| \(.*\) | [0-9.]* |$/\1/p' | grep -v '^stage$' |
while read -r stage; do
    file="$out/$(echo "$stage" | tr -c 'a-zA-Z0-9\n' '_').out"
    valgrind --tool=callgrind --callgrind-out-file="$file" \
        '--toggle-collect=*stages::throughput' "$bin" --only "$stage" --runs 1 --corpus "$corpus" \
        2>&1 | sed -n "s/.*Collected : \([0-9]*\)/$stage: \1 instructions/p"
done
python3 scripts/cg_groups.py "$out"/htmlguard_sanitize*.out "$out"/_b__arena*.out
