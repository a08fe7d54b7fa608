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


def _thread_names() -> list[str]:
    """This process's thread names (Linux), Rust's threads included."""
    import pathlib

    tasks = pathlib.Path("/proc/self/task")
    return [(t / "comm").read_text().strip() for t in tasks.iterdir()] if tasks.is_dir() else []


async def test_large_inputs_run_on_the_cores_background_threads() -> None:
    """Large inputs go to the core's own threads (not asyncio's executor), many at once,
    each answer reaching the task that asked for it."""
    p = hg.Policy.preset("ugc")
    docs = [f"<p id=d{i} onclick=x>{i}</p><script>{i}</script>" * 400 for i in range(40)]
    assert all(len(d) > _policy.ASYNC_INLINE_BYTES for d in docs)
    outs = await asyncio.gather(*(p.sanitize_async(d) for d in docs))
    assert outs == [p.sanitize(d) for d in docs]
    names = _thread_names()
    if names:
        assert any(n.startswith("htmlguard-async") for n in names), names


#: Repeated into inputs large enough for the background threads (over ASYNC_INLINE_BYTES).
_PARAGRAPH = "<p>para <b>bold</b> <a href=x onclick=y>link</a></p>"


async def test_the_task_polls_for_its_answer_only_for_a_while() -> None:
    """After a hand-off the awaiting task looks for its answer on the loop's turns, for at
    most ASYNC_POLL_MAX_SECONDS; then it sleeps until the mailbox's socket rings, and
    nothing is left waiting once it has its answer."""
    p = hg.Policy.preset("ugc")
    slow = "<p>para <b>bold</b></p>" * 300_000  # tens of milliseconds of work
    task = asyncio.create_task(p.sanitize_async(slow))
    await asyncio.sleep(0)  # the task hands the input over
    inbox = _policy._INBOXES[asyncio.get_running_loop()]
    assert inbox is not None
    assert not task.done() and not inbox.waiting  # polling, not asleep
    await asyncio.sleep(4 * _policy.ASYNC_POLL_MAX_SECONDS)
    if not task.done():
        assert len(inbox.waiting) == 1  # given up polling: the socket will ring
    assert await task == p.sanitize(slow)
    assert not inbox.waiting
    quick = "<i>x</i><script>y</script>" * 2000
    assert await p.sanitize_async(quick) == p.sanitize(quick)
    assert not inbox.waiting


class _Late:
    """Stands in for a job that takes until its task stops polling, with the time the core
    expects."""

    def __init__(self, expected: float) -> None:
        self.expected = expected
        self.slept_at: float | None = None

    def answer(self) -> str | None:
        return None if self.slept_at is None else "done"

    def sleep(self) -> bool:
        self.slept_at = asyncio.get_running_loop().time()
        return True  # the answer is there: no wake-up to wait for


async def test_the_task_polls_about_as_long_as_the_job_should_take() -> None:
    """The task polls longer for a job the core expects to take longer (the pace of its
    last jobs), never longer than ASYNC_POLL_MAX_SECONDS: on a machine where waking the
    sleeping loop costs a millisecond, a fixed short window made that the common case."""
    p = hg.Policy.preset("ugc")
    loop = asyncio.get_running_loop()
    doc = _PARAGRAPH * 400  # ~20 KB
    assert await p.sanitize_async(doc) == p.sanitize(doc)  # a job timed: the core has a pace
    inbox = _policy._INBOXES[loop]
    assert inbox is not None
    # The core expects a job to take in proportion to its size.
    small = p._sanitize_soon(doc, inbox.mailbox, next(inbox.keys))
    huge = p._sanitize_soon(doc * 100, inbox.mailbox, next(inbox.keys))
    assert small is not None and huge is not None
    assert 0 < small.expected and 50 < huge.expected / small.expected < 200

    async def polled(expected: float) -> float:
        """How long the task polls for an answer the core expects in ``expected`` s."""
        pending = _Late(expected)
        start = loop.time()
        key = next(inbox.keys)
        assert await _policy._answer(loop, inbox, key, pending) == "done"  # type: ignore[arg-type]
        assert pending.slept_at is not None
        return pending.slept_at - start

    slack = 0.05  # a slow machine's turns, never near the next case's bound
    assert _policy.ASYNC_POLL_SECONDS <= await polled(0.0) < _policy.ASYNC_POLL_SECONDS + slack
    job = 0.1 * _policy.ASYNC_POLL_MAX_SECONDS
    window = _policy.ASYNC_POLL_SECONDS + 2 * job
    assert window <= await polled(job) < window + slack
    cap = _policy.ASYNC_POLL_MAX_SECONDS
    assert cap <= await polled(1.0) < cap + slack  # not the 2 s the job would ask for


async def test_answers_found_by_polling_do_not_ring(monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers the task finds by polling never ring the socket: a ring would wake the loop
    for nothing. Only tasks that went to sleep are woken (the first test of this file)."""
    p = hg.Policy.preset("ugc")
    doc = _PARAGRAPH * 400  # ~20 KB
    assert await p.sanitize_async(doc) == p.sanitize(doc)  # a job timed: a long enough poll
    inbox = _policy._INBOXES[asyncio.get_running_loop()]
    assert inbox is not None

    class Sleepers(dict[int, "asyncio.Future[None]"]):
        """The waiting futures, counting the tasks that went to sleep."""

        count = 0

        def __setitem__(self, key: int, future: asyncio.Future[None]) -> None:
            Sleepers.count += 1
            super().__setitem__(key, future)

    wake_ups: list[int] = []

    def counting() -> None:
        wake_ups.append(1)
        inbox.collect()

    loop = asyncio.get_running_loop()
    monkeypatch.setattr(inbox, "waiting", Sleepers())
    loop.add_reader(inbox.mailbox.fileno(), counting)  # replaces the inbox's own reader
    try:
        for _ in range(30):
            assert await p.sanitize_async(doc) == p.sanitize(doc)
        await asyncio.sleep(0.01)  # a late ring would be read by now
    finally:
        loop.add_reader(inbox.mailbox.fileno(), inbox.collect)
    assert len(wake_ups) <= Sleepers.count < 30, (len(wake_ups), Sleepers.count)


async def test_tasks_that_stop_polling_as_their_answer_comes_are_woken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A task that gives up polling just as the worker leaves its answer either finds it or
    is woken by the socket: with poll windows around the jobs' length, none is lost."""
    p = hg.Policy.preset("ugc")
    doc = _PARAGRAPH * 200  # ~10 KB
    t0 = time.perf_counter()
    p.sanitize(doc)
    job = time.perf_counter() - t0
    monkeypatch.setattr(_policy, "ASYNC_POLL_MAX_SECONDS", 2 * job)
    for i in range(200):
        # Windows from none to twice the job, sequential and several at once.
        monkeypatch.setattr(_policy, "ASYNC_POLL_SECONDS", job * (i % 20) / 10 - 2 * job)
        calls = [p.sanitize_async(doc + str(j)) for j in range(1 + i % 3)]
        outs = await asyncio.wait_for(asyncio.gather(*calls), 30)
        assert outs == [p.sanitize(doc + str(j)) for j in range(1 + i % 3)]


def test_a_finished_loop_is_collected_with_its_mailbox() -> None:
    """The mailbox holds no reference to the loop: a program that runs
    many short loops (asyncio.run per job) does not keep them, nor their sockets."""
    import gc
    import weakref

    p = hg.Policy.preset("ugc")
    big = "<i>x</i><script>y</script>" * 2000
    loop = asyncio.new_event_loop()
    assert loop.run_until_complete(p.sanitize_async(big)) == p.sanitize(big)
    assert _policy._INBOXES[loop] is not None
    loop.close()
    gone = weakref.ref(loop)
    del loop
    gc.collect()
    assert gone() is None


def test_event_loops_in_two_threads_each_get_their_own_answers() -> None:
    """Each loop has its own mailbox: answers never go to another loop's tasks."""
    p = hg.Policy.preset("ugc")
    docs = {
        name: [f"<p id={name}{i} onclick=x>{name} {i}</p>" * 300 for i in range(12)]
        for name in ("a", "b")
    }
    results: dict[str, list[str]] = {}

    def run(name: str) -> None:
        async def main() -> list[str]:
            return list(await asyncio.gather(*(p.sanitize_async(d) for d in docs[name])))

        results[name] = asyncio.run(main())

    threads = [threading.Thread(target=run, args=(name,)) for name in docs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {name: [p.sanitize(d) for d in ds] for name, ds in docs.items()}


def test_a_loop_that_cannot_watch_a_file_uses_the_executor() -> None:
    """Windows' proactor loop has no add_reader: large inputs go to asyncio's executor."""

    class NoReaders(asyncio.SelectorEventLoop):
        def add_reader(self, *args: object) -> None:
            raise NotImplementedError

    p = hg.Policy.preset("ugc")
    big = "<i>x</i><script>y</script>" * 2000
    loop = NoReaders()
    try:
        assert loop.run_until_complete(p.sanitize_async(big)) == p.sanitize(big)
        assert _policy._INBOXES[loop] is None
    finally:
        loop.close()


async def test_sanitize_async_replaces_lone_surrogates_as_sanitize_does() -> None:
    p = hg.Policy.preset("ugc")
    big = "<b>\ud800</b>" * 3000
    assert await p.sanitize_async(big) == p.sanitize(big) == "<b>\ufffd</b>" * 3000


def test_a_cancelled_call_and_a_closed_loop_are_quiet() -> None:
    """The answer to a cancelled task, or one arriving after its loop closed, is dropped
    without an error (nothing awaits it), and later calls still work."""
    import sys

    p = hg.Policy.preset("ugc")
    big = "<p>para <b>bold</b></p>" * 200_000  # long enough to be running when cancelled
    unraisable: list[object] = []
    old_hook = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    try:

        async def cancel_one() -> None:
            task = asyncio.create_task(p.sanitize_async(big))
            await asyncio.sleep(0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        asyncio.run(cancel_one())  # closes the loop, likely before the answer comes
        time.sleep(0.5)  # let the background thread finish and try to deliver
        assert unraisable == []
        assert asyncio.run(p.sanitize_async(big[:20_000])) == p.sanitize(big[:20_000])
    finally:
        sys.unraisablehook = old_hook


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork()")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")  # the point here
def test_sanitize_async_works_in_a_forked_child() -> None:
    """A child forked after the background threads started (a pre-forking server) gets
    threads of its own."""
    import os

    p = hg.Policy.preset("ugc")
    big = "<i>x</i><script>y</script>" * 2000
    assert asyncio.run(p.sanitize_async(big)) == p.sanitize(big)  # threads started here
    pid = os.fork()
    if pid == 0:  # the child: exit status says whether it worked
        try:
            ok = asyncio.run(asyncio.wait_for(p.sanitize_async(big), 30)) == p.sanitize(big)
        except BaseException:
            ok = False
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_background_threads_end_at_exit_and_later_calls_still_work() -> None:
    """What the atexit hook does: queued work finishes, the threads end, and a call after
    that still answers (through asyncio's executor). In a subprocess: it stops the
    process's threads for good."""
    import subprocess
    import sys

    script = """
import asyncio, pathlib, htmlguard as hg
from htmlguard import _core
p = hg.Policy.preset("ugc")
big = "<b onclick=x>y</b>" * 2000
def names():
    return [(t / "comm").read_text().strip() for t in pathlib.Path("/proc/self/task").iterdir()]
async def main():
    pending = [asyncio.ensure_future(p.sanitize_async(big)) for _ in range(8)]
    await asyncio.sleep(0)
    _core._stop_background()  # with work queued: it is finished, not lost
    assert [await f for f in pending] == [p.sanitize(big)] * 8
    assert not any(n.startswith("htmlguard-async") for n in names()), names()
    assert await p.sanitize_async(big) == p.sanitize(big)
asyncio.run(main())
print("ok")
"""
    if not __import__("os").path.isdir("/proc/self/task"):
        pytest.skip("needs /proc")
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr
