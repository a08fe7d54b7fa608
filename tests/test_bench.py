"""Smoke test of the benchmark harness (bench/run.py --quick): it runs, writes every section
and fills the plain-field row. No timing is asserted; missing peers must be listed, not fatal."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"

pytest.importorskip("nh3")


HEADINGS = (
    "## Machine and versions",
    "## Headline",
    "## Targets",
    "## Throughput",
    "### Plain form fields",
    "### Realistic user HTML",
    "### Hostile payloads",
    "## Nesting",
    "## Two threads",
    "## sanitize_many",
    "## sanitize_async",
    "## Memory",
    "## Optimizations",
    "## Reference points",
    "## Corpora",
    "## Adapters",
)


def test_quick_run_writes_every_section(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick", "--only", "htmlguard,nh3",
         "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text("utf-8")
    for heading in HEADINGS:
        assert re.search(rf"^{re.escape(heading)}$", text, re.M), heading
    # The plain-field table's htmlguard row has numbers and ratios to both nh3 variants.
    plain = text.split("### Plain form fields", 1)[1].split("###", 1)[0]
    row = next(ln for ln in plain.splitlines() if ln.startswith("| htmlguard "))
    assert re.search(r"\| [\d,.]+ \| [\d,.]+ \| [\d,.]+× \| [\d,.]+× \|", row), row
    # Selected but absent peers would be "not installed"; unselected ones are not listed.
    assert "| bleach" not in text
    assert "PASS" in text or "FAIL" in text
