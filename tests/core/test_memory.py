"""Resident memory: what importing and sanitizing cost a process (Linux only: /proc).

Each measure runs in a child process of its own, so this process's history cannot hide a
peak. Figures and their causes are in bench/ENGINE.md (issue 13's memory target).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc"
)

# A document of `size` bytes from a repeated realistic post, sanitized once in pieces, with
# the peak RSS reset just before the call (clear_refs 5), as bench/worker.py measures it.
CHILD = textwrap.dedent(
    """
    import json, sys
    import htmlguard as hg

    engine, size = sys.argv[1], int(sys.argv[2])
    post = ('<p class="x">A <b>bold</b> post with a <a href="https://ex.com/p?q=1">link</a>,'
            ' <i>emphasis</i>, <code>code()</code> &amp; text.</p><ul><li>one</li>'
            '<li>two</li></ul><img src="/a.png" alt="a" onerror="x()">\\n')
    doc = post * (size // len(post))
    policy = hg.Policy(**{**hg.Policy.preset("ugc").to_dict(), "engine": engine})
    hg.sanitize("<p>warm <b>up</b></p>", policy=policy)

    def status(key):
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith(key + ":"))

    def huge_kib():
        with open("/proc/self/smaps") as f:
            return sum(int(l.split()[1]) for l in f if l.startswith("AnonHugePages:"))

    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = status("VmHWM")
    out = hg.sanitize(doc, policy=policy)
    print(json.dumps({"extra_kib": status("VmHWM") - before, "huge_kib": huge_kib(),
                      "out": len(out)}))
    """
)


def measure(engine: str, size: int) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, engine, str(size)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def thp_mode() -> str:
    try:
        text = Path("/sys/kernel/mm/transparent_hugepage/enabled").read_text()
    except OSError:
        return ""
    return text.split("[", 1)[1].split("]", 1)[0] if "[" in text else ""


@pytest.mark.skipif(
    thp_mode() != "madvise",
    reason="only where huge pages are given to the memory that asks for them",
)
def test_the_allocator_asks_for_no_huge_pages():
    # mimalloc madvises its 1 GiB arena for huge pages unless built with `no_thp`: that
    # doubled what importing htmlguard costs and moved every peak in 2 MB steps.
    got = measure("htmlguard", 2_000_000)
    assert got["huge_kib"] == 0, got


def test_our_engine_peaks_no_higher_than_the_ammonia_engine():
    size = 4_000_000
    ours, reference = measure("htmlguard", size), measure("ammonia", size)
    assert ours["out"] == reference["out"]
    # The output itself (Rust's string, then Python's copy) is most of the peak; the
    # engines' own working memory differs by the kept arena at most.
    assert ours["extra_kib"] <= reference["extra_kib"] + 256, (ours, reference)
    assert ours["extra_kib"] < 4 * size / 1024, ours
