"""Group a callgrind profile's self cost by the function that executes it.

Usage: python3 cg_groups.py callgrind.out [...]

callgrind_annotate attributes inlined code to its source file, but the symbol after the
colon is the physical function the instructions ran in, so grouping by symbol prefix
says which stage of the pipeline spent them.
"""

import re
import subprocess
import sys

GROUPS = [
    # Order matters: the first matching pattern wins.
    ("our tokenizer (names, references)", r"htmlguard::parser::(tokenizer|atoms|entities|token)"),
    ("our tree builder (arena)", r"htmlguard::parser::(tree|parse)"),
    ("html5ever tree builder", r"^<?html5ever::tree_builder|drop_in_place<.*tree_builder"),
    (
        "html5ever tokenizer (incl. tendril, input queue)",
        r"html5ever::tokenizer|markup5ever::util::buffer_queue|tendril::|html5ever::driver",
    ),
    ("rcdom: nodes, Rc refcounts, drop", r"ammonia::rcdom|alloc::rc::|drop_in_place<ammonia"),
    ("name atoms (string_cache, phf)", r"string_cache|phf_shared|siphasher"),
    ("sanitizing walk", r"htmlguard::engine::(walk|native|html5ever)"),
    (
        "rules (allowlists, URLs, styles, patterns)",
        r"htmlguard::policy|url::|idna|percent_encoding|form_urlencoded|regex|aho_corasick",
    ),
    ("serializer, escaping", r"htmlguard::html::(serialize|escape)"),
    ("pipeline: pre-scans, pieces, shape checks", r"htmlguard::html::|htmlguard::engine::"),
    ("hashing", r"core::hash|BuildHasher|NameHasher"),
    (
        "malloc / free / realloc",
        r"^(malloc|free|_int_malloc|_int_free|realloc|_int_realloc|malloc_consolidate|unlink_chunk\S*|cfree|__libc_malloc|__libc_free|__libc_realloc|tcache\w*|__rust_alloc|__rust_dealloc|__rust_realloc|__rdl_\w+|mi_\w+|_mi_\w+)$|alloc::raw_vec|alloc::alloc::|mimalloc",
    ),
    ("memcpy / memmove / memcmp / memchr", r"__mem|memchr|memcpy|memmove|bcmp|__strlen"),
]

LINE = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*?):(.*?)(\s\[.*\])?$")


def groups(path):
    out = subprocess.run(
        ["callgrind_annotate", "--threshold=100", "--auto=no", path],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    totals = {name: 0 for name, _ in GROUPS}
    totals["other"] = 0
    total = 0
    seen_header = False
    for line in out.splitlines():
        if "file:function" in line:
            seen_header = True
            continue
        if not seen_header:
            continue
        m = LINE.match(line)
        if not m:
            if line.strip() and not line.startswith("-"):
                break  # past the function table
            continue
        cost = int(m.group(1).replace(",", ""))
        symbol = m.group(3)
        total += cost
        for name, pattern in GROUPS:
            if re.search(pattern, symbol):
                totals[name] += cost
                break
        else:
            totals["other"] += cost
    return total, totals


def main():
    for path in sys.argv[1:]:
        total, totals = groups(path)
        print(f"## {path}: {total:,} instructions")
        print("| group | instructions | share |")
        print("|---|---:|---:|")
        for name, cost in totals.items():
            print(f"| {name} | {cost:,} | {100 * cost / total:.1f}% |")
        print()


if __name__ == "__main__":
    main()
