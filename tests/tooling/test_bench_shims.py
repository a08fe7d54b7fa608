"""Smoke test of the shim benchmark (bench/shims.py --quick): it runs, and SHIMS.md has a table
per peer with every call under its stable name, each on every corpus, with both throughputs
and a speedup (a peer that is not installed is listed as such). No timing is asserted."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"

#: The row names docs/migration.md quotes: changing one is changing the report's format.
CALLS = {
    "nh3": ("nh3.clean(html)", "nh3.clean(html, **options)", "nh3.Cleaner().clean, reused"),
    "bleach": (
        "bleach.clean(html)",
        "bleach.clean(html, strip=True)",
        "bleach.linkify(html)",
        "bleach.Cleaner(filters=[LinkifyFilter]).clean, reused",
    ),
    "pybluemonday": (
        "pybluemonday.UGCPolicy().sanitize, reused",
        "pybluemonday.StrictPolicy().sanitize, reused",
    ),
}
CORPORA = ("Realistic user HTML", "Hostile payloads", "Plain form fields", "100 KB document")
#: A measured detail row: peer MB/s | shim MB/s | speedup | range.
MEASURED = r"\| [\d,.]+ \| [\d,.]+ \| [\d.]+× \| [\d.]+–[\d.]+× \|"


@pytest.fixture(scope="module")
def shims_md(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("bench") / "SHIMS.md"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "shims.py"), "--quick", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out.read_text("utf-8")


def test_every_call_is_measured_on_every_corpus(shims_md: str) -> None:
    assert "python bench/shims.py --quick" in shims_md
    for peer, calls in CALLS.items():
        section = shims_md.split(f"\n## {peer}\n", 1)[1].split("\n## ", 1)[0]
        if importlib.util.find_spec(peer) is None:
            assert "not installed" in section, peer
            continue
        summary, detail = section.split("\n\n| call | corpus |", 1)
        for call in calls:
            row = next(ln for ln in summary.splitlines() if ln.startswith(f"| `{call}` |"))
            assert row.count("×** (") == len(CORPORA), row
            for corpus in CORPORA:
                line = f"| `{call}` | {corpus} | "
                hits = [ln for ln in detail.splitlines() if ln.startswith(line)]
                assert len(hits) == 1 and re.search(MEASURED, hits[0]), (call, corpus, hits)


def test_unknown_peer_is_refused() -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCH / "shims.py"), "--only", "nh4"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "unknown peer: nh4" in proc.stderr
