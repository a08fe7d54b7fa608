"""Instructions per byte and per call for each library, counted by callgrind: the repeatable
measure of engine work on this noisy machine (bench/ENGINE.md quotes it).

    python bench/instructions.py [--only htmlguard,turbohtml] [--corpus realistic,hostile]

Each (library, corpus) cell runs a child Python under ``valgrind --tool=callgrind`` twice,
once making one pass over the corpus and once three passes (each after the same warm-up
pass); the difference is two passes of the library's own calls, with interpreter start-up,
imports and the corpus loading cancelled out. The Python call itself (a few hundred
instructions) is included, as it is in every library's real use. Corpora as in
``bench/run.py``: ``realistic`` is its first 60 documents (the profile corpus of
bench/ENGINE.md), ``hostile`` every payload, ``mixed`` and ``plain`` the form fields.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import corpora  # noqa: E402
import peers  # noqa: E402

LIBRARIES = ("htmlguard", peers.AMMONIA_ENGINE, "turbohtml", "nh3.Cleaner")
CORPORA = ("realistic", "hostile", "mixed", "plain")


def corpus(key: str) -> list[str]:
    if key == "realistic":
        return corpora.realistic_docs(60)
    if key == "hostile":
        return corpora.hostile_payloads()[0]
    if key == "mixed":
        return corpora.mixed_fields(500)
    return corpora.plain_fields(500)


def child(lib: str, path: str, passes: int) -> None:
    docs: list[str] = json.loads(Path(path).read_text("utf-8"))
    clean = peers.build_one(lib).clean
    for d in docs:  # warm-up: lazily built tables, caches, the first allocations
        clean(d)
    for _ in range(passes):
        for d in docs:
            clean(d)


def collected(lib: str, path: str, passes: int) -> int:
    proc = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--child",
            lib,
            path,
            str(passes),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    m = re.search(r"Collected : (\d+)", proc.stderr)
    if m is None:
        raise RuntimeError(f"no instruction count from callgrind:\n{proc.stderr[-2000:]}")
    return int(m.group(1))


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        child(argv[1], argv[2], int(argv[3]))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default=",".join(LIBRARIES), help="libraries (comma list)")
    ap.add_argument("--corpus", default=",".join(CORPORA), help="corpora (comma list)")
    args = ap.parse_args(argv)
    libs = [x for x in args.only.split(",") if x]
    print(
        f"callgrind, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; versions: "
        + ", ".join(f"{k} {v}" for k, v in peers.versions().items())
    )
    print("| corpus | library | instructions / byte | instructions / call |")
    print("|---|---|--:|--:|")
    with tempfile.TemporaryDirectory() as tmp:
        for key in args.corpus.split(","):
            docs = corpus(key)
            nbytes = sum(len(d.encode("utf-8")) for d in docs)
            path = Path(tmp) / f"{key}.json"
            path.write_text(json.dumps(docs), "utf-8")
            for lib in libs:
                try:
                    per_pass = (collected(lib, str(path), 3) - collected(lib, str(path), 1)) / 2
                except (subprocess.CalledProcessError, RuntimeError) as e:
                    print(f"| {key} | {lib} | {type(e).__name__} | |", flush=True)
                    continue
                print(
                    f"| {key} ({len(docs)} docs, {nbytes:,} bytes) | {lib} | "
                    f"{per_pass / nbytes:.1f} | {per_pass / len(docs):,.0f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main(sys.argv[1:])
