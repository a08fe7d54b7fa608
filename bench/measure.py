"""Timing helpers.

Single-thread throughput uses CPU time (``time.process_time``): each round sanitizes the
whole corpus as many times as it takes to last ``min_time``, and the cell reports the
median round. Thread and parallel cells use wall-clock time (``time.perf_counter``).
Cells that may hang, recurse too deep or crash run in a subprocess (``bench/worker.py``)
with a timeout; whatever happens there comes back as a :class:`Cell`, never as an
exception.
"""

from __future__ import annotations

import json
import math
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

WORKER = Path(__file__).resolve().parent / "worker.py"
T = TypeVar("T")


@dataclass
class Settings:
    """How long and how often cells run."""

    # 11 rounds of 0.3 s: with 5 of 0.2 s, nh3 and nh3.Cleaner (the same engine) came out
    # 35% apart on the 1 MB document on this machine; the medians need more rounds.
    rounds: int = 11
    min_time: float = 0.3  # seconds per round (at least one pass)
    budget: float = 20.0  # seconds a single cell may spend before it runs fewer rounds
    timeout: float = 30.0  # seconds a subprocess cell may take in all

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Cell:
    """One measurement: seconds per pass over the input (median), or why there is none."""

    seconds: float | None = None
    rounds: int = 0
    error: str | None = None
    extra: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.seconds is not None and self.error is None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Cell:
        return cls(d.get("seconds"), d.get("rounds", 0), d.get("error"), d.get("extra"))

    @classmethod
    def failed(cls, exc: BaseException) -> Cell:
        return cls(error=type(exc).__name__)


def _plan(pass_time: float, s: Settings, budget: float) -> tuple[int, int]:
    """(passes per round, rounds) for a pass that took ``pass_time`` once."""
    per_round = 1 if pass_time >= s.min_time else math.ceil(s.min_time / max(pass_time, 1e-7))
    round_time = per_round * max(pass_time, 1e-7)
    rounds = max(1, min(s.rounds, int(budget // round_time)))
    return per_round, rounds


def in_thread(work: Callable[[], T]) -> T:
    """``work()`` in a new thread (its exception re-raised here).

    Single-thread cells run this way so they call the library from the same kind of thread
    as the two-thread cell: pybluemonday's cgo calls cost about twice as much from Python's
    main thread as from any other.
    """
    box: list[T] = []
    errors: list[BaseException] = []

    def body() -> None:
        try:
            box.append(work())
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(e)

    t = threading.Thread(target=body)
    t.start()
    t.join()
    if errors:
        raise errors[0]
    return box[0]


def cpu_time(
    fn: Callable[[str], object], docs: Sequence[str], s: Settings, budget: float | None = None
) -> Cell:
    """Median CPU seconds for one pass of ``fn`` over ``docs`` (a warm-up pass first, which
    is also the calibration), in a thread of its own. A document the library raises on is
    left out of the timed passes (and of the bytes counted); the cell says how many and
    why."""
    if budget is not None:
        s = Settings(s.rounds, s.min_time, budget, s.timeout)
    return cpu_times_interleaved({"fn": fn}, docs, s)["fn"]


def cpu_times_interleaved(
    fns: dict[str, Callable[[str], object]], docs: Sequence[str], s: Settings
) -> dict[str, Cell]:
    """Like :func:`cpu_time` for several libraries on one corpus, with their rounds taken
    in turn (a shuffled order each time) instead of one library after the other.

    This machine's speed drifts by tens of percent over minutes; measured back to back,
    one library's rounds would all land in a fast stretch and the next one's in a slow
    one. Taken in turn, the drift falls on every library alike and the ratios hold."""
    try:
        return in_thread(lambda: _cpu_times_interleaved(fns, docs, s))
    except (Exception, RecursionError) as e:  # noqa: BLE001
        return {name: Cell.failed(e) for name in fns}


def _cpu_times_interleaved(
    fns: dict[str, Callable[[str], object]], docs: Sequence[str], s: Settings
) -> dict[str, Cell]:
    cells: dict[str, Cell] = {}
    plans: dict[str, tuple[list[str], int, dict[str, Any] | None]] = {}
    for name, fn in fns.items():
        ok: list[str] = []
        failures: dict[str, int] = {}
        t0 = time.process_time()
        for d in docs:
            try:
                fn(d)
            except Exception as e:  # noqa: BLE001 - counted and reported
                failures[type(e).__name__] = failures.get(type(e).__name__, 0) + 1
            else:
                ok.append(d)
        first = time.process_time() - t0
        if not ok:
            cells[name] = Cell(error=" / ".join(failures))
            continue
        extra = None
        if failures:
            extra = {
                "ndocs": len(ok),
                "nbytes": sum(len(d.encode("utf-8")) for d in ok),
                "excluded": ", ".join(f"{n} × {e}" for e, n in failures.items()),
            }
        if first > s.budget / 2:
            cells[name] = Cell(first, 1, extra=extra)  # too slow to repeat
            continue
        per_round, _ = _plan(first, s, s.budget)
        plans[name] = (ok, per_round, extra)
    times: dict[str, list[float]] = {name: [] for name in plans}
    rng = random.Random(1)
    start = time.perf_counter()
    for _ in range(s.rounds):
        if any(times.values()) and time.perf_counter() - start > s.budget * max(1, len(plans)):
            break
        order = list(plans)
        rng.shuffle(order)
        for name in order:
            ok, per_round, _ = plans[name]
            fn = fns[name]
            t0 = time.process_time()
            for _ in range(per_round):
                for d in ok:
                    fn(d)
            times[name].append((time.process_time() - t0) / per_round)
    for name, (_, _, extra) in plans.items():
        cells[name] = Cell(statistics.median(times[name]), len(times[name]), extra=extra)
    return cells


def wall_time(work: Callable[[], object], s: Settings, budget: float | None = None) -> Cell:
    """Median wall-clock seconds of ``work()`` (a warm-up call first)."""
    budget = s.budget if budget is None else budget
    try:
        start = time.perf_counter()
        work()
        first = time.perf_counter() - start
        per_round, rounds = _plan(first, s, budget - first)
        times: list[float] = []
        for _ in range(rounds):
            if times and time.perf_counter() - start > budget:
                break
            t0 = time.perf_counter()
            for _ in range(per_round):
                work()
            times.append((time.perf_counter() - t0) / per_round)
        return Cell(statistics.median(times), len(times))
    except (Exception, RecursionError) as e:  # noqa: BLE001
        return Cell.failed(e)


def threaded_speedup(
    fn: Callable[[str], object],
    docs: Sequence[str],
    s: Settings,
    budget: float | None = None,
    per_thread: Callable[[], Callable[[str], object]] | None = None,
) -> Cell:
    """Throughput of two threads, each sanitizing ``docs``, over one thread doing it alone
    (wall clock). ``seconds`` is the one-thread pass time; ``extra`` has both and the ratio.
    ``per_thread`` makes each thread its own sanitizer, for objects that must not be shared."""
    budget = s.budget if budget is None else budget
    errors: list[BaseException] = []

    def one_pass(passes: int, fn: Callable[[str], object] = fn) -> None:
        try:
            for _ in range(passes):
                for d in docs:
                    fn(d)
        except BaseException as e:  # noqa: BLE001 - reported by the caller
            errors.append(e)

    def two_threads(passes: int) -> float:
        barrier = threading.Barrier(3)

        def body() -> None:
            own = per_thread() if per_thread is not None else fn
            barrier.wait()
            one_pass(passes, own)

        threads = [threading.Thread(target=body) for _ in range(2)]
        for t in threads:
            t.start()
        barrier.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        return time.perf_counter() - t0

    def one_thread(passes: int) -> float:
        def body() -> float:
            own = per_thread() if per_thread is not None else fn
            t0 = time.perf_counter()
            one_pass(passes, own)
            return time.perf_counter() - t0

        return in_thread(body)

    try:
        start = time.perf_counter()
        first = one_thread(1)
        # A round is one single-thread run and one two-thread run: about three times `first`.
        # Rounds of at least a second: shorter ones let a moment of load elsewhere on the
        # machine decide the ratio.
        long = Settings(s.rounds, max(s.min_time, 1.0) if s.rounds > 1 else s.min_time,
                        s.budget, s.timeout)
        passes, rounds = _plan(first, long, (budget - first) / 3)
        ones: list[float] = []
        twos: list[float] = []
        for _ in range(rounds):
            if ones and time.perf_counter() - start > budget:
                break
            ones.append(one_thread(passes))
            twos.append(two_threads(passes))
        if errors:
            return Cell.failed(errors[0])
        one, two = statistics.median(ones), statistics.median(twos)
        speedup = 2 * one / two
        extra = {"one": one, "two": two, "speedup": speedup}
        return Cell(one / passes, len(ones), extra=extra)
    except (Exception, RecursionError) as e:  # noqa: BLE001
        return Cell.failed(e)


def in_subprocess(spec: dict[str, Any], timeout: float) -> Cell:
    """Run one cell in ``bench/worker.py``; a timeout, a crash or an exception is a Cell too."""
    cmd = [sys.executable, str(WORKER), json.dumps(spec)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Cell(error=f"> {timeout:g} s")
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode == 0 and lines:
        return Cell.from_json(json.loads(lines[-1]))
    if proc.returncode < 0:
        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = f"signal {-proc.returncode}"
        reason = f"crashed ({name})"
    else:
        reason = f"crashed (exit {proc.returncode})"
    tail = [ln.strip() for ln in proc.stderr.splitlines() if ln.strip()]
    first_fatal = next((ln for ln in tail if "fatal" in ln.lower() or "panic" in ln.lower()), None)
    detail = first_fatal or (tail[-1] if tail else "")
    return Cell(error=reason, extra={"stderr": detail[:200]} if detail else None)
