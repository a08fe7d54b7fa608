"""Threads, the GIL, and async."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import htmlguard as hg
from htmlguard import _policy


def test_one_policy_hammered_from_many_threads() -> None:
    p = hg.Policy.preset("ugc")
    inputs = [
        f'<p id="i{i}" onclick="x">{i}<script>{i}</script><a href="https://x.org/{i}">l</a></p>'
        for i in range(200)
    ]
    expected = [p.sanitize(x) for x in inputs]

    def work(k: int) -> bool:
        return all(p.sanitize(inputs[(k + j) % 200]) == expected[(k + j) % 200] for j in range(200))

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(work, range(32)))


def test_sanitize_releases_the_gil() -> None:
    """While one thread sanitizes a large input, another keeps running Python code."""
    p = hg.Policy.preset("ugc")
    big = "<p>para <b>bold</b> <a href='https://x.org'>l</a></p>" * 150_000  # ~7 MB
    started = threading.Event()
    done = threading.Event()

    def worker() -> None:
        started.set()
        p.sanitize(big)
        done.set()

    t = threading.Thread(target=worker)
    t.start()
    started.wait()
    ticks = []
    while not done.is_set():
        ticks.append(time.perf_counter())
    t.join()
    duration = ticks[-1] - ticks[0] if len(ticks) > 1 else 0.0
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    # A held GIL would freeze this loop for the whole call: one gap as long as the call.
    assert duration > 0 and max(gaps) < duration / 2


async def test_sanitize_async_equals_sanitize() -> None:
    p = hg.Policy.preset("ugc")
    small = "<b onclick=x>small</b>"
    big = "<i>x</i><script>y</script>" * (_policy.ASYNC_INLINE_BYTES // 10)
    assert len(big) > _policy.ASYNC_INLINE_BYTES
    for html in (small, big):
        assert await p.sanitize_async(html) == p.sanitize(html)
        assert await hg.sanitize_async(html) == p.sanitize(html)
        assert await hg.sanitize_async(html, "strict") == hg.sanitize(html, "strict")
        # a policy built from the core module directly is the same class
        core = _policy._core.Policy(tags={"i"})
        assert await hg.sanitize_async(html, core) == core.sanitize(html)


async def test_sanitize_async_keeps_the_loop_running() -> None:
    p = hg.Policy.preset("ugc")
    big = "<p>para <b>bold</b></p>" * 300_000
    beats = 0

    async def heartbeat() -> None:
        nonlocal beats
        while True:
            beats += 1
            await asyncio.sleep(0)

    hb = asyncio.create_task(heartbeat())
    out = await p.sanitize_async(big)
    hb.cancel()
    assert out == p.sanitize(big)
    assert beats > 1


async def test_sanitize_async_errors() -> None:
    with pytest.raises(TypeError):
        await hg.Policy.preset("ugc").sanitize_async(b"x")  # type: ignore[arg-type]
    with pytest.raises(hg.UnknownPolicyError):
        await hg.sanitize_async("x", "nope")
    with pytest.raises(hg.InputTooLargeError):
        await hg.Policy(max_input_bytes=10).sanitize_async("y" * 20_000)
