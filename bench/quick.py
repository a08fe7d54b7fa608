"""Quick side-by-side of htmlguard and nh3 on a few input classes (CPU time, best of N).

Not the full benchmark issue 4 asks for (peers, memory, threads, RESULTS.md); a probe used
while developing the core. Run: python bench/quick.py
"""

from __future__ import annotations

import time
from collections.abc import Callable

import nh3

import htmlguard as hg

REALISTIC = (
    "<h2>Challenge: <em>baby heap</em></h2>\n<p>Connect with <code>nc pwn.example 1337</code>"
    ' and read <a href="https://ctf.example/rules">the rules</a>. Hints:</p>\n<ul><li>'
    "<strong>libc</strong> is 2.35</li><li>look at <code>free()</code> &amp; friends</li></ul>\n"
    '<table><tr><th>points</th><td>500</td></tr></table><p><img src="/static/heap.png" '
    'alt="diagram" width="300"> Good luck! &mdash; the admins</p>\n'
)
CASES = {
    "form field (plain text)": "Alice Wonderland, team 42 — ready to pwn",
    "realistic user HTML": REALISTIC,
    "1 MB document": REALISTIC * (1_000_000 // len(REALISTIC)),
}


def best(fn: Callable[[str], object], arg: str, repeat: int) -> float:
    times = []
    for _ in range(5):
        t = time.process_time()
        for _ in range(repeat):
            fn(arg)
        times.append((time.process_time() - t) / repeat)
    return min(times)


def main() -> None:
    ugc = hg.Policy.preset("ugc")
    cleaner = nh3.Cleaner()
    print(f"{'case':<26}{'htmlguard':>12}{'nh3':>12}{'nh3 Cleaner':>14}{'ratio':>8}")
    for name, text in CASES.items():
        repeat = max(1, 2_000_000 // (len(text) * 50))
        a = best(ugc.sanitize, text, repeat)
        b = best(nh3.clean, text, repeat)
        c = best(cleaner.clean, text, repeat)
        cells = f"{a * 1e6:>10.1f}us{b * 1e6:>10.1f}us{c * 1e6:>12.1f}us"
        print(f"{name:<26}{cells}{min(b, c) / a:>8.2f}")


if __name__ == "__main__":
    main()
