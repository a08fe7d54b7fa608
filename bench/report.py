"""RESULTS.md: the measurements of one run (``Results``) written as Markdown."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpora import depth_label, size_label
from measure import NOISY_SHARE, Cell, Settings

NOISY_PCT = round(NOISY_SHARE * 100)

BASELINES = ("nh3", "nh3.Cleaner")
OPTIMIZATIONS_FILE = Path(__file__).resolve().parent / "OPTIMIZATIONS.md"

# Section headings, in order (the smoke test checks that each is present).
HEADINGS = (
    "## Machine and versions",
    "## Headline",
    "## Targets",
    "## Throughput",
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


@dataclass
class CorpusInfo:
    key: str
    title: str
    ndocs: int
    nbytes: int
    notes: list[str] = field(default_factory=list)


@dataclass
class Target:
    text: str
    measured: str
    passed: bool | None  # None: not measured in this run


@dataclass
class Results:
    quick: bool
    command: str
    started_utc: str
    settings: Settings
    machine: dict[str, str]
    versions: dict[str, str]
    libraries: list[str]  # every selected adapter, built or not
    deviations: dict[str, list[str]]
    missing: dict[str, str]
    corpora: list[CorpusInfo] = field(default_factory=list)
    throughput: dict[tuple[str, str], Cell] = field(default_factory=dict)
    #: The same cells with a new str for every call (no UTF-8 form cached in it yet).
    fresh: dict[tuple[str, str], Cell] = field(default_factory=dict)
    subprocess_cells: set[tuple[str, str]] = field(default_factory=set)
    depths: list[int] = field(default_factory=list)
    nesting: dict[tuple[int, str], Cell] = field(default_factory=dict)
    threads: dict[str, Cell] = field(default_factory=dict)
    many: dict[str, tuple[Cell, Cell]] = field(default_factory=dict)
    async_rows: list[dict[str, Any]] = field(default_factory=list)
    memory: dict[str, Cell] = field(default_factory=dict)
    #: The same document with its non-ASCII characters replaced (1 byte a character).
    memory_ascii: dict[str, Cell] = field(default_factory=dict)
    optimization_lines: list[str] = field(default_factory=list)
    load_before: str = ""
    load_after: str = ""
    elapsed: float = 0.0
    notes: list[str] = field(default_factory=list)

    def corpus(self, key: str) -> CorpusInfo | None:
        return next((c for c in self.corpora if c.key == key), None)

    def cell(self, corpus: str, lib: str, fresh: bool = False) -> Cell | None:
        return (self.fresh if fresh else self.throughput).get((corpus, lib))

    def measured(self, corpus: str, lib: str, fresh: bool = False) -> tuple[int, int] | None:
        """(documents, bytes) a throughput cell timed: the corpus less what the library
        raised on."""
        cell, info = self.cell(corpus, lib, fresh), self.corpus(corpus)
        if cell is None or not cell.ok or info is None or not cell.seconds:
            return None
        x = cell.extra or {}
        return int(x.get("ndocs", info.ndocs)), int(x.get("nbytes", info.nbytes))

    def mbps(self, corpus: str, lib: str, fresh: bool = False) -> float | None:
        cell, sizes = self.cell(corpus, lib, fresh), self.measured(corpus, lib, fresh)
        if cell is None or sizes is None or not cell.seconds:
            return None
        return sizes[1] / cell.seconds / 1e6

    def ratio(self, corpus: str, lib: str, base: str, fresh: bool = False) -> float | None:
        a, b = self.mbps(corpus, lib, fresh), self.mbps(corpus, base, fresh)
        return None if a is None or b is None else a / b


# --- formatting ------------------------------------------------------------------------------


def num(x: float | None, unit: str = "") -> str:
    if x is None:
        return "—"
    if x >= 100:
        s = f"{x:,.0f}"
    elif x >= 10:
        s = f"{x:.1f}"
    elif x >= 1:
        s = f"{x:.2f}"
    else:
        s = f"{x:.3g}"
    return s + unit


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def times(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}×"


def seconds(x: float | None) -> str:
    if x is None:
        return "—"
    if x < 1e-3:
        return f"{x * 1e6:.0f} µs"
    if x < 1:
        return f"{x * 1e3:.1f} ms"
    return f"{x:.2f} s"


def cell_error(cell: Cell | None) -> str:
    if cell is None:
        return "not run"
    if cell.error:
        detail = (cell.extra or {}).get("stderr")
        return f"{cell.error}: `{detail}`" if detail else cell.error
    return "—"


def table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


# --- sections --------------------------------------------------------------------------------


def _machine(r: Results) -> list[str]:
    m = r.machine
    lines = [
        "## Machine and versions",
        "",
        f"- Date (UTC): {r.started_utc}; run took {r.elapsed / 60:.1f} min",
        f"- Machine: {m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('ram', '?')} RAM; "
        f"{m.get('os', '?')}; Python {m.get('python', '?')}",
        f"- Command: `{r.command}`; work tree: {m.get('source', '?')}",
        f"- Settings: {plural(r.settings.rounds, 'round')} per cell (median reported), each "
        f"round at least {r.settings.min_time:g} s or one pass; {r.settings.budget:g} s budget "
        f"per cell (fewer rounds when one pass is slow); {r.settings.timeout:g} s timeout per "
        "subprocess cell; two-thread and sanitize_many cells: up to "
        f"{plural(r.settings.paired_rounds, 'paired round')} of about "
        f"{r.settings.paired_min_time:g} s a side within the budget",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in r.versions.items()),
    ]
    if r.missing:
        lines.append("- Not measured: " + "; ".join(f"{k}: {v}" for k, v in r.missing.items()))
    lines += [f"- {n}" for n in r.notes]
    return lines


def _headline(r: Results) -> list[str]:
    rows = []
    others = [x for x in r.libraries if not x.startswith("htmlguard") and x not in BASELINES]
    for c in r.corpora:
        best = max(
            ((lib, r.mbps(c.key, lib)) for lib in others if r.mbps(c.key, lib) is not None),
            key=lambda t: t[1] or 0.0,
            default=None,
        )
        rows.append(
            [
                c.title,
                num(r.mbps(c.key, "htmlguard")),
                num(r.mbps(c.key, "htmlguard", fresh=True)),
                num(r.mbps(c.key, "nh3.Cleaner")),
                num(r.mbps(c.key, "turbohtml")),
                times(r.ratio(c.key, "htmlguard", "nh3")),
                times(r.ratio(c.key, "htmlguard", "nh3.Cleaner")),
                times(r.ratio(c.key, "htmlguard", "turbohtml")),
                f"{best[0]} {num(best[1])}" if best else "—",
            ]
        )
    return [
        "## Headline",
        "",
        "MB (10⁶ bytes of UTF-8 input) per CPU-second, median; × is htmlguard's throughput "
        "divided by the other library's; *fresh str* is htmlguard given a new str on every "
        "call (see Throughput).",
        "",
        *table(
            [
                "corpus",
                "htmlguard",
                "htmlguard, fresh str",
                "nh3.Cleaner",
                "turbohtml",
                "× nh3",
                "× nh3.Cleaner",
                "× turbohtml",
                "fastest other peer",
            ],
            rows,
        ),
    ]


def _targets(targets: list[Target], quick: bool) -> list[str]:
    rows = []
    for t in targets:
        verdict = "not measured" if t.passed is None else ("PASS" if t.passed else "FAIL")
        rows.append([t.text, t.measured, f"**{verdict}**"])
    lines = ["## Targets", ""]
    if quick:
        lines += ["Quick mode: small corpora and one round, so these verdicts mean nothing.", ""]
    return lines + table(["target", "this run", "result"], rows)


TURBO = "turbohtml"


def _throughput(r: Results) -> list[str]:
    lines = [
        "## Throughput",
        "",
        "Single thread, CPU time (`time.process_time`), median of the rounds. The libraries "
        "of one corpus take their rounds in turn, in a shuffled order each time, so that the "
        "machine's drift in speed (tens of percent over minutes here) falls on all of them "
        "alike. MB/s counts "
        "UTF-8 input bytes. × nh3, × nh3.Cleaner and × turbohtml divide the row's throughput "
        "by nh3's (module function with the options per call), by a reused `nh3.Cleaner`'s "
        "and by turbohtml's. *Fresh str*: the same cell with a new str object for every call "
        "(made before the clock starts): CPython keeps the UTF-8 form of a non-ASCII str once "
        "a library has asked for it, so the first column pays for it once per document and "
        "this one on every call, as a web app does with each request's text. Cells "
        "marked † ran in a subprocess with a timeout (no fresh-str variant). Every adapter is "
        "built once, before the timed region; documents a library raises on are left out of "
        "its cell (note).",
    ]
    head = [
        "library",
        "MB/s",
        "fresh str MB/s",
        "docs/s",
        "× nh3",
        "× nh3.Cleaner",
        "× turbohtml",
        "rounds",
        "note",
    ]
    for c in r.corpora:
        rows = []
        for lib in r.libraries:
            if lib in r.missing:
                rows.append([lib, r.missing[lib], *["—"] * (len(head) - 3), ""])
                continue
            cell = r.throughput.get((c.key, lib))
            mark = " †" if (c.key, lib) in r.subprocess_cells else ""
            mb, sizes = r.mbps(c.key, lib), r.measured(c.key, lib)
            if mb is None or cell is None or sizes is None or not cell.seconds:
                rows.append([lib + mark, cell_error(cell), *["—"] * (len(head) - 3), ""])
                continue
            excluded = (cell.extra or {}).get("excluded")
            note = f"raised on {excluded}: left out" if excluded else ""
            rows.append(
                [
                    lib + mark,
                    num(mb),
                    num(r.mbps(c.key, lib, fresh=True)),
                    num(sizes[0] / cell.seconds),
                    times(r.ratio(c.key, lib, "nh3")),
                    times(r.ratio(c.key, lib, "nh3.Cleaner")),
                    times(r.ratio(c.key, lib, TURBO)),
                    str(cell.rounds),
                    note,
                ]
            )
        lines += [
            "",
            f"### {c.title}",
            "",
            f"{plural(c.ndocs, 'document')}, {size_label(c.nbytes)}.",
            "",
            *table(head, rows),
        ]
    return lines


def _nesting(r: Results) -> list[str]:
    head = ["library"] + [f"depth {depth_label(d)}" for d in r.depths]
    rows = []
    for lib in r.libraries:
        if lib in r.missing:
            rows.append([lib] + ["not installed"] * len(r.depths))
            continue
        row = [lib]
        for d in r.depths:
            cell = r.nesting.get((d, lib))
            row.append(seconds(cell.seconds) if cell and cell.ok else cell_error(cell))
        rows.append(row)
    return [
        "## Nesting",
        "",
        "`<div>` × n + `x` + `</div>` × n; CPU seconds per document (median), each cell in "
        "its own subprocess. A depth is not run when the previous one timed out or took more "
        "than a tenth of the timeout (then it is given as the timeout, marked est.).",
        "",
        *table(head, rows),
    ]


REFERENCE = "zlib (reference)"

PAIRED_NOTE = (
    "Each round takes both sides back to back (which goes first alternates), and the "
    "speedup is the median of the per-round ratios; the range is the lowest and highest "
    "round. A round during which other processes or the hypervisor (steal time) took more "
    f"than {NOISY_PCT}% of a core is retaken; *retaken* counts those rounds, so a non-zero "
    "count means the machine was not quiet."
)


def spread(x: dict[str, Any]) -> str:
    return f"{x['low']:.2f}–{x['high']:.2f}×"


def retaken(x: dict[str, Any]) -> str:
    return f"{x['retaken']} of {x['rounds'] + x['retaken']}"


def _threads(r: Results) -> list[str]:
    rows = []
    for lib in [*r.libraries, REFERENCE]:
        label = f"*{lib}*" if lib == REFERENCE else lib
        if lib in r.missing:
            rows.append([label, "not installed", "—", "—", "—", "—"])
            continue
        cell = r.threads.get(lib)
        if cell is None:
            continue
        if not cell.ok or not cell.extra:
            rows.append([label, cell_error(cell), "—", "—", "—", "—"])
            continue
        x = cell.extra
        rows.append(
            [
                label,
                f"{x['speedup']:.2f}×",
                spread(x),
                num(x["one"] / 1e6),
                num(x["two"] / 1e6),
                retaken(x),
            ]
        )
    return [
        "## Two threads",
        "",
        "Wall clock, realistic corpus: bytes per second sanitized by two threads at once "
        "(the sum of their rates) over one thread alone. Each side runs for a fixed time "
        "rather than a fixed amount of work: with fixed work the two-thread side lasts as "
        "long as its slower thread, and this VM's two cores change speed independently "
        "(a lone thread sometimes runs up to 1.6× faster, the host's doing), so that "
        "straggler would be measured instead of the library. 2.00× is perfect on two cores. "
        "The libraries take their rounds in turn, shuffled, so a slow or fast stretch of the "
        "machine falls on all of them. pybluemonday's cell runs in a subprocess, so that if "
        "its Go bindings abort under concurrent use the crash is recorded instead of ending "
        "the run. Both sides call from threads other than Python's main thread "
        "(pybluemonday's calls cost about twice as much from the main thread). "
        f"*{REFERENCE}* is `zlib.compress` on the same documents: C that releases the GIL, "
        "the machine's own two-core scaling in the same rounds.",
        "",
        PAIRED_NOTE,
        "",
        *table(
            ["library", "speedup", "range", "one thread (MB/s)", "two threads (MB/s)", "retaken"],
            rows,
        ),
    ]


def _many(r: Results) -> list[str]:
    rows = []
    for key, (loop, many) in r.many.items():
        info = r.corpus(key)
        title = info.title if info else key
        if loop.ok and many.ok and loop.seconds and many.seconds and many.extra:
            x = many.extra
            rows.append(
                [
                    title,
                    seconds(loop.seconds),
                    seconds(many.seconds),
                    f"{x['ratio']:.2f}×",
                    spread(x),
                    retaken(x),
                ]
            )
        else:
            rows.append([title, cell_error(loop), cell_error(many), "—", "—", "—"])
    return [
        "## sanitize_many",
        "",
        "Wall clock, htmlguard only: `policy.sanitize_many(docs)` against "
        "`[policy.sanitize(d) for d in docs]` over the whole corpus, in paired rounds as "
        "above.",
        "",
        *table(
            ["corpus", "loop of sanitize", "sanitize_many", "speedup", "range", "retaken"], rows
        ),
    ]


def _async(r: Results) -> list[str]:
    rows = [
        [
            a["label"],
            seconds(a.get("sync")),
            seconds(a.get("async")),
            f"{a['overhead'] * 1e6:.1f} µs"
            if a.get("overhead") is not None
            else a.get("error", "—"),
            seconds(a.get("sync_cpu")),
            seconds(a.get("async_cpu")),
        ]
        for a in r.async_rows
    ]
    return [
        "## sanitize_async",
        "",
        "Wall clock, htmlguard only, inside a running asyncio loop: `await "
        "policy.sanitize_async(doc)` against `policy.sanitize(doc)`, per call (median). "
        "Inputs up to 8 KiB are sanitized inline; larger ones go to a worker thread, and "
        "the awaiting task looks for its answer on the loop's turns for about as long as the "
        "core expects the job to take (`ASYNC_POLL_SECONDS`, `ASYNC_POLL_MAX_SECONDS`) and "
        "the thread "
        "that finished the last job looks for the next before it sleeps, as long as that "
        "job took (`rust/handoff.rs`). "
        "The CPU columns are the process's CPU time per call (every thread), the price of "
        "that polling.",
        "",
        *table(
            [
                "input",
                "sanitize",
                "sanitize_async",
                "overhead per call",
                "CPU, sanitize",
                "CPU, sanitize_async",
            ],
            rows,
        ),
    ]


def _memory_cells(cell: Cell | None) -> list[str]:
    """peak extra, extra / input, output str for one memory cell."""
    x = cell.extra if cell else None
    if cell is None or cell.error or not x or "extra_bytes" not in x:
        return [cell_error(cell), "—", "—"]
    extra, size = x["extra_bytes"], x["input_bytes"]
    out_str = x.get("output_str_bytes")
    return [
        f"{extra / 1e6:.1f} MB",
        f"{extra / size:.2f}×",
        f"{out_str / 1e6:.1f} MB" if out_str else "—",
    ]


def _memory(r: Results) -> list[str]:
    rows = []
    for lib in r.libraries:
        if lib in r.missing:
            rows.append([lib, "not installed", *["—"] * 6])
            continue
        cell = r.memory.get(lib)
        x = cell.extra if cell else None
        before = f"{x['before_kib'] / 1024:.0f} MiB" if x and "before_kib" in x else "—"
        rows.append([lib, *_memory_cells(cell), *_memory_cells(r.memory_ascii.get(lib)), before])
    return [
        "## Memory",
        "",
        "Peak extra memory sanitizing the largest document once, each library in a fresh "
        "subprocess: the input is built, one tiny call warms the library up, freed memory is "
        "handed back to the kernel (`malloc_trim`) and the kernel's peak-RSS mark is reset to "
        "the current RSS (`/proc/self/clear_refs`); then the peak RSS is read before and after "
        "one call. The peak is read from `VmHWM` in `/proc/self/status`, not from "
        "`getrusage(RUSAGE_SELF).ru_maxrss`: Linux carries a parent's peak over `fork`/`exec` "
        "into `ru_maxrss`, so in a child of this (large) benchmark process it would hide any "
        "growth below the parent's peak. Ratio = extra / input size (UTF-8 bytes). The "
        "output str column is the returned string's own size (`sys.getsizeof`), part of the "
        "extra: Python stores a str with 1, 2 or 4 bytes per character (4 once it holds an "
        "emoji, as the corpus does). *ASCII*: the same document with every non-ASCII "
        "character replaced by `?` (one byte a character, and a str whose UTF-8 form is its "
        "own data).",
        "",
        *table(
            [
                "library",
                "peak extra",
                "extra / input",
                "output str",
                "ASCII: peak extra",
                "ASCII: extra / input",
                "ASCII: output str",
                "RSS before",
            ],
            rows,
        ),
    ]


def _optimizations(r: Results) -> list[str]:
    lines = ["## Optimizations", ""]
    lines.append("<!-- BEGIN bench/OPTIMIZATIONS.md: included verbatim by bench/report.py -->")
    if OPTIMIZATIONS_FILE.is_file():
        lines.append(OPTIMIZATIONS_FILE.read_text("utf-8").rstrip("\n"))
    else:
        lines.append(
            "_(bench/OPTIMIZATIONS.md does not exist yet: the hand-written account of "
            "the optimizations goes there and is included here verbatim.)_"
        )
    lines.append("<!-- END bench/OPTIMIZATIONS.md -->")
    lines += ["", "Measured in this run (throughput in CPU time, median):", ""]
    lines += [f"- {line}" for line in r.optimization_lines] or ["- (nothing measurable)"]
    return lines


def _reference(r: Results) -> list[str]:
    return [
        "## Reference points",
        "",
        f"- Machine load (`/proc/loadavg`): before the run `{r.load_before}`, after "
        f"`{r.load_after}`. A load well above 0 means other work shared the cores and the "
        "numbers (threads and sanitize_many above all) are lower than on a quiet machine.",
    ]


def _corpora(r: Results) -> list[str]:
    lines = ["## Corpora", ""]
    for c in r.corpora:
        notes = f" ({'; '.join(c.notes)})" if c.notes else ""
        lines.append(
            f"- **{c.title}**: {plural(c.ndocs, 'document')}, {size_label(c.nbytes)}{notes}"
        )
    lines.append("- Generated by `bench/corpora.py` with a fixed seed; the same on every run.")
    return lines


def _adapters(r: Results) -> list[str]:
    lines = [
        "## Adapters",
        "",
        'Each library is configured from `htmlguard.Policy.preset("ugc").to_dict()` as far '
        "as its API allows (`bench/peers.py`). What each one does differently:",
        "",
    ]
    for lib in r.libraries:
        if lib in r.missing:
            lines.append(f"- **{lib}**: {r.missing[lib]}")
            continue
        lines.append(f"- **{lib}**: " + "; ".join(r.deviations.get(lib, ["—"])))
    return lines


def render(r: Results, targets: list[Target]) -> str:
    title = "# htmlguard benchmark results"
    lines = [title, ""]
    if r.quick:
        lines += [
            "**Quick mode** (`--quick`): a smoke run with small corpora and one round; "
            "the numbers are not meaningful.",
            "",
        ]
    lines += ["Written by `bench/run.py` (run it with `./scripts/bench`); do not edit by hand.", ""]
    for section in (
        _machine(r),
        _headline(r),
        _targets(targets, r.quick),
        _throughput(r),
        _nesting(r),
        _threads(r),
        _many(r),
        _async(r),
        _memory(r),
        _optimizations(r),
        _reference(r),
        _corpora(r),
        _adapters(r),
    ):
        lines += section + [""]
    return "\n".join(lines)
