"""Resource behaviour under sustained load: memory stays flat, threads stay correct."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import htmlguard as hg

MEMORY_PROBE = textwrap.dedent(
    """
    import resource, sys
    import htmlguard as hg

    def rss_kib():
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])

    p = hg.Policy.preset("ugc")
    inputs = [
        '<p id="x" onclick="y">hi <a href="https://e.x/%d">l</a><script>s()</script></p>' % i
        for i in range(100)
    ] + ["plain text %d" % i for i in range(100)]
    calls = int(sys.argv[1])
    warmup = calls // 10
    for i in range(warmup):
        p.sanitize(inputs[i % 200])
    p.inspect(inputs[0]); p.sanitize_many(inputs); hg.strip_tags(inputs[0])
    before = rss_kib()
    for i in range(calls - warmup):
        p.sanitize(inputs[i % 200])
        if i % 1000 == 0:
            p.inspect(inputs[i % 200]); p.is_clean(inputs[i % 200]); p.sanitize_many(inputs[:8])
    after = rss_kib()
    print(before, after)
    """
)


def test_rss_does_not_grow_over_a_million_calls() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, "1000000"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    before, after = (int(x) for x in proc.stdout.split())
    # A leak of even 8 bytes per call would add ~7 MiB over 900,000 measured calls.
    assert after - before < 4 * 1024, (before, after)


def test_thread_stress_every_result_checked() -> None:
    policies = [hg.Policy.preset(name) for name in hg.PRESETS]
    inputs = [
        f'<p title="t{i}" onmouseover="x">{i} &amp; <b>{i}</b><img src="javascript:{i}">'
        f'<a href="https://e.x/{i}">l</a><table><td>{i}</td></table></p>'
        for i in range(64)
    ]
    expected = {(k, i): p.sanitize(x) for k, p in enumerate(policies) for i, x in enumerate(inputs)}

    def hammer(seed: int) -> int:
        checked = 0
        for j in range(2000):
            k = (seed + j) % len(policies)
            i = (seed * 7 + j) % len(inputs)
            assert policies[k].sanitize(inputs[i]) == expected[(k, i)]
            checked += 1
        return checked

    with ThreadPoolExecutor(max_workers=16) as pool:
        assert sum(pool.map(hammer, range(16))) == 16 * 2000
