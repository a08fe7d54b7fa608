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
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
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
    # Paired wall-clock cells (two threads, sanitize_many): rounds and seconds per side.
    # Short sides, many rounds: this VM's cores change speed about every second, so the two
    # sides of a short round mostly run at the same speed, and the median of many rounds
    # is stable where a few long ones were not (see paired_rounds).
    paired_rounds: int = 101
    paired_min_time: float = 0.1

    def paired(self) -> Settings:
        """These settings with the paired cells' rounds and round length."""
        return replace(self, rounds=self.paired_rounds, min_time=self.paired_min_time)

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


def fresh_copy(doc: str) -> str:
    """A new str equal to ``doc``. CPython keeps a str's UTF-8 form once made (a non-ASCII
    str has none until a library asks, and keeps it after): a corpus sanitized over and
    over would pay for it once, a web app's request text pays on every call."""
    return (doc + ".")[:-1]


def cpu_times_interleaved(
    fns: dict[str, Callable[[str], object]],
    docs: Sequence[str],
    s: Settings,
    fresh: bool = False,
    round_times: dict[str, list[float]] | None = None,
) -> dict[str, Cell]:
    """Like :func:`cpu_time` for several libraries on one corpus, with their rounds taken
    in turn (a shuffled order each time) instead of one library after the other.

    This machine's speed drifts by tens of percent over minutes; measured back to back,
    one library's rounds would all land in a fast stretch and the next one's in a slow
    one. Taken in turn, the drift falls on every library alike and the ratios hold.

    ``fresh``: every call gets a str never passed to a library before (:func:`fresh_copy`,
    made before the round's clock starts).

    ``round_times``: filled with each library's seconds per pass, round by round (the same
    rounds for every library that was repeated), for ratios taken per round."""
    try:
        return in_thread(lambda: _cpu_times_interleaved(fns, docs, s, fresh, round_times))
    except (Exception, RecursionError) as e:  # noqa: BLE001
        return {name: Cell.failed(e) for name in fns}


def _cpu_times_interleaved(
    fns: dict[str, Callable[[str], object]],
    docs: Sequence[str],
    s: Settings,
    fresh: bool,
    round_times: dict[str, list[float]] | None = None,
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
            batch = [fresh_copy(d) if fresh else d for _ in range(per_round) for d in ok]
            t0 = time.process_time()
            for d in batch:
                fn(d)
            times[name].append((time.process_time() - t0) / per_round)
            del batch
    for name, (_, _, extra) in plans.items():
        cells[name] = Cell(statistics.median(times[name]), len(times[name]), extra=extra)
    if round_times is not None:
        round_times.update(times)
    return cells


# --- paired wall-clock rounds ----------------------------------------------------------------

# A round during which other processes (or the hypervisor, as steal time) took more than this
# share of one core is taken again: a parallel cell needs both cores, and one busy stretch
# elsewhere can halve its number. Quiet rounds on the 2-core benchmark VM show 1-5%.
NOISY_SHARE = 0.15


def _machine_cpu() -> tuple[float, float] | None:
    """(CPU seconds the whole machine has spent busy or stolen, CPU seconds of this process),
    or None where ``/proc/stat`` is not readable."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = f.readline().split()[1:9]
        ticks = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields)
    return (user + nice + system + irq + softirq + steal) / ticks, time.process_time()


def _foreign_share(before: tuple[float, float] | None, wall: float) -> float | None:
    """CPU used outside this process since ``before``, as a share of one core over ``wall``."""
    after = _machine_cpu()
    if before is None or after is None or wall <= 0:
        return None
    return max(0.0, (after[0] - before[0]) - (after[1] - before[1])) / wall


@dataclass
class Paired:
    """Rounds of two timings taken side by side: ``a`` and ``b`` seconds per round, and the
    per-round ratio ``a / b``."""

    a: list[float] = field(default_factory=list)
    b: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    retaken: int = 0
    spent: float = 0.0  # wall seconds in rounds, retaken ones included

    def round(self, a: Callable[[], float], b: Callable[[], float], cap: int) -> None:
        """Take one round (``a`` first in even turns, ``b`` first in odd ones). A round
        during which other work took more than :data:`NOISY_SHARE` of a core is thrown
        away and counted, at most ``cap`` times; after that noisy rounds are kept."""
        before = _machine_cpu()
        t0 = time.perf_counter()
        if (len(self.ratios) + self.retaken) % 2 == 0:
            ta = a()
            tb = b()
        else:
            tb = b()
            ta = a()
        wall = time.perf_counter() - t0
        self.spent += wall
        share = _foreign_share(before, wall)
        if share is not None and share > NOISY_SHARE and self.retaken < cap:
            self.retaken += 1
            return
        self.a.append(ta)
        self.b.append(tb)
        self.ratios.append(ta / tb)

    def extra(self) -> dict[str, Any]:
        return {
            "ratio": statistics.median(self.ratios),
            "low": min(self.ratios),
            "high": max(self.ratios),
            "rounds": len(self.ratios),
            "retaken": self.retaken,
        }


def paired_rounds(
    a: Callable[[], float],
    b: Callable[[], float],
    rounds: int,
    budget: float,
) -> Paired:
    """``rounds`` rounds of ``a()`` and ``b()`` (each returns its own wall seconds) within
    ``budget`` seconds (at least one round); see :meth:`Paired.round`.

    The ratio is taken per round and its median reported, rather than the ratio of two
    medians: on this VM a core's speed flips between two levels about 1.6x apart every
    second or so (the host's scheduling of its hardware threads), and a's median can come
    from a fast stretch and b's from a slow one."""
    p = Paired()
    while len(p.ratios) < rounds and not (p.ratios and p.spent > budget):
        p.round(a, b, rounds)
    return p


def paired_wall(
    a: Callable[[], object], b: Callable[[], object], s: Settings, budget: float | None = None
) -> tuple[Cell, Cell]:
    """Wall-clock seconds of ``a()`` and of ``b()`` (a warm-up call of each first) in
    :func:`paired_rounds`; the second cell's ``extra`` has the per-round ratio a/b
    (``ratio``, ``low``, ``high``) and how many rounds were retaken."""
    budget = s.budget if budget is None else budget
    try:
        start = time.perf_counter()
        a()
        first_a = time.perf_counter() - start
        t0 = time.perf_counter()
        b()
        first_b = time.perf_counter() - t0
        per_round, rounds = _plan(
            max(first_a, first_b), s.paired(), (budget - first_a - first_b) / 2
        )

        def timed(work: Callable[[], object]) -> Callable[[], float]:
            def run() -> float:
                t = time.perf_counter()
                for _ in range(per_round):
                    work()
                return (time.perf_counter() - t) / per_round

            return run

        p = paired_rounds(timed(a), timed(b), rounds, budget)
        return (
            Cell(statistics.median(p.a), len(p.a)),
            Cell(statistics.median(p.b), len(p.b), extra=p.extra()),
        )
    except (Exception, RecursionError) as e:  # noqa: BLE001
        return Cell.failed(e), Cell.failed(e)


# --- two threads -----------------------------------------------------------------------------


@dataclass
class Threaded:
    """A library for the two-thread cell: its function, and a factory of one per thread for
    objects that must not be shared between threads."""

    fn: Callable[[str], object]
    per_thread: Callable[[], Callable[[str], object]] | None = None

    def own(self) -> Callable[[str], object]:
        return self.per_thread() if self.per_thread is not None else self.fn


def _sizes(docs: Sequence[str]) -> list[int]:
    return [len(d.encode("utf-8")) for d in docs]


def run_for(
    lib: Threaded, docs: Sequence[str], sizes: Sequence[int], threads: int, seconds: float
) -> float:
    """Bytes per second sanitized by ``threads`` threads (never the main one) that each run
    through ``docs`` over and over for ``seconds`` of wall clock: the sum of the threads'
    own rates (bytes done over the time from the common start to their last finished
    call).

    Fixed time rather than fixed work: with a fixed amount each, the two-thread run would
    last as long as its slower thread, and on a VM whose cores change speed independently
    (the host's scheduling) that straggler makes every library look worse than it scales."""
    barrier = threading.Barrier(threads + 1)
    stop = threading.Event()
    rates: list[float] = []
    errors: list[BaseException] = []

    def body(first: int) -> None:
        try:
            own = lib.own()
            n, i, done = len(docs), first % len(docs), 0
            barrier.wait()
            t0 = time.perf_counter()
            while not stop.is_set():
                own(docs[i])
                done += sizes[i]
                i = i + 1 if i + 1 < n else 0
            rates.append(done / (time.perf_counter() - t0))
        except threading.BrokenBarrierError:
            pass
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(e)
            barrier.abort()

    # The threads start at different documents so they are not in lockstep on one input.
    pool = [threading.Thread(target=body, args=(k * len(docs) // threads,)) for k in range(threads)]
    for t in pool:
        t.start()
    try:
        barrier.wait()
        time.sleep(seconds)
    except threading.BrokenBarrierError:
        pass
    stop.set()
    for t in pool:
        t.join()
    if errors:
        raise errors[0]
    return sum(rates)


def threaded_speedups(
    libs: dict[str, Threaded], docs: Sequence[str], s: Settings, budget: float | None = None
) -> dict[str, Cell]:
    """Throughput of two threads sanitizing ``docs`` at once over one thread doing it alone
    (:func:`run_for`, each side ``s.paired_min_time`` seconds), for each library, in paired
    rounds (:class:`Paired`).

    The libraries take their rounds in turn, in a shuffled order each time, as the
    single-thread cells do: a stretch of fast or slow cores then falls on every library
    instead of deciding one library's cell. Each library spends about ``budget`` seconds.
    ``seconds`` is the one-thread time for one pass over ``docs``; ``extra`` has both
    throughputs (``one``, ``two``, bytes per second; medians), the speedup (median of the
    per-round ratios), its range and the retaken rounds."""
    budget = s.budget if budget is None else budget
    cells: dict[str, Cell] = {}
    sizes = _sizes(docs)
    span = s.paired_min_time
    for name, lib in libs.items():
        try:  # warm-up: caches and lazily built state; a library that raises fails here
            in_thread(lambda lib=lib: [lib.own()(d) for d in docs])
        except (Exception, RecursionError) as e:  # noqa: BLE001
            cells[name] = Cell.failed(e)
    # Seconds per byte on each side, so the per-round ratio one/two is the speedup.
    paired = {name: Paired() for name in libs if name not in cells}
    rng = random.Random(2)
    while True:
        due = [
            n
            for n, p in paired.items()
            if n not in cells
            and len(p.ratios) < s.paired_rounds
            and not (p.ratios and p.spent > budget)
        ]
        if not due:
            break
        rng.shuffle(due)
        for name in due:
            lib = libs[name]
            try:
                paired[name].round(
                    lambda lib=lib: 1 / run_for(lib, docs, sizes, 1, span),
                    lambda lib=lib: 1 / run_for(lib, docs, sizes, 2, span),
                    s.paired_rounds,
                )
            except (Exception, RecursionError) as e:  # noqa: BLE001
                cells[name] = Cell.failed(e)
    total = sum(sizes)
    for name, p in paired.items():
        if name in cells:
            continue
        one, two = 1 / statistics.median(p.a), 1 / statistics.median(p.b)
        x = p.extra()
        cells[name] = Cell(
            total / one, len(p.a), extra={"one": one, "two": two, "speedup": x.pop("ratio"), **x}
        )
    return {name: cells[name] for name in libs}


def threaded_speedup(
    fn: Callable[[str], object],
    docs: Sequence[str],
    s: Settings,
    budget: float | None = None,
    per_thread: Callable[[], Callable[[str], object]] | None = None,
) -> Cell:
    """:func:`threaded_speedups` for one library."""
    return threaded_speedups({"lib": Threaded(fn, per_thread)}, docs, s, budget)["lib"]


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
