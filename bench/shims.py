"""The compatibility shims against the libraries they stand in for (issue 14).

    python bench/shims.py [--quick] [--only nh3,bleach,pybluemonday] [--out bench/SHIMS.md]

Each case calls a peer the way its users do (``nh3.clean(html)`` with the defaults, a
reused ``bleach.Cleaner(filters=[LinkifyFilter])``, ``pybluemonday.UGCPolicy().sanitize``,
...) and ``htmlguard.compat``'s module with the same call and configuration, on the
benchmark's corpora (``bench/corpora.py``: realistic user HTML, hostile payloads, plain
form fields, a 1 MB document). Both sides of a case are timed in the same rounds by
``measure.cpu_times_interleaved`` (CPU time, the two taken in turn in a shuffled order each
round, as ``bench/run.py`` times the peers), and the speedup is the median of the per-round
ratios of peer time to shim time. Objects (cleaners, policies) are built once, before the
timed region. A document either side raises on is left out of both, so the two sides always
sanitize the same bytes. Writes ``bench/SHIMS.md``; ``./scripts/bench`` runs it after
``bench/run.py``. Progress goes to stderr.

The peers are single-threaded here, pybluemonday included: it aborts the interpreter only
when two threads call it at once, and every cell runs in one thread of its own
(``measure.in_thread``, where its cgo calls cost what they cost in a web server's worker).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import os
import shlex
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
for _path in (BENCH, REPO / "pysrc"):
    if str(_path) not in sys.path:
        sys.path.append(str(_path))

import corpora  # noqa: E402
import measure  # noqa: E402
import report  # noqa: E402
from measure import Cell, Settings  # noqa: E402

Clean = Callable[[str], object]


def log(msg: str) -> None:
    print(f"[shims bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- the cases -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One way of calling a peer, and the same call on its shim.

    ``name`` is the row's stable name (docs/migration.md and SHIMS.md use it); ``make`` takes
    the peer's module (the real one or the shim) and returns the function to time."""

    peer: str
    name: str
    make: Callable[[Any], Clean]


def _nh3_clean(m: Any) -> Clean:
    clean: Clean = m.clean
    return clean


#: Keywords passed to ``nh3.clean`` on every call, as code that keeps its allowlist in module
#: constants does (the same objects each time).
NH3_OPTIONS: dict[str, Any] = {
    "tags": {"a", "b", "i", "em", "strong", "p", "br", "ul", "ol", "li", "code", "pre"},
    "attributes": {"a": {"href", "title"}},
    "url_schemes": {"http", "https", "mailto"},
}


def _nh3_clean_options(m: Any) -> Clean:
    return lambda html: m.clean(html, **NH3_OPTIONS)


def _nh3_cleaner(m: Any) -> Clean:
    clean: Clean = m.Cleaner().clean
    return clean


def _bleach_clean(m: Any) -> Clean:
    clean: Clean = m.clean
    return clean


def _bleach_strip(m: Any) -> Clean:
    return lambda html: m.clean(html, strip=True)


def _bleach_linkify(m: Any) -> Clean:
    linkify: Clean = m.linkify
    return linkify


def _bleach_linkify_filter(m: Any) -> Clean:
    linkifier = importlib.import_module(m.__name__ + ".linkifier")
    clean: Clean = m.Cleaner(filters=[linkifier.LinkifyFilter]).clean
    return clean


def _bm_ugc(m: Any) -> Clean:
    sanitize: Clean = m.UGCPolicy().sanitize
    return sanitize


def _bm_strict(m: Any) -> Clean:
    sanitize: Clean = m.StrictPolicy().sanitize
    return sanitize


CASES = (
    Case("nh3", "nh3.clean(html)", _nh3_clean),
    Case("nh3", "nh3.clean(html, **options)", _nh3_clean_options),
    Case("nh3", "nh3.Cleaner().clean, reused", _nh3_cleaner),
    Case("bleach", "bleach.clean(html)", _bleach_clean),
    Case("bleach", "bleach.clean(html, strip=True)", _bleach_strip),
    Case("bleach", "bleach.linkify(html)", _bleach_linkify),
    Case("bleach", "bleach.Cleaner(filters=[LinkifyFilter]).clean, reused", _bleach_linkify_filter),
    Case("pybluemonday", "pybluemonday.UGCPolicy().sanitize, reused", _bm_ugc),
    Case("pybluemonday", "pybluemonday.StrictPolicy().sanitize, reused", _bm_strict),
)

#: Each peer's importable module, its shim's, and the distributions whose versions count.
MODULES = {
    "nh3": ("nh3", "htmlguard.compat.nh3", ("nh3",)),
    "bleach": ("bleach", "htmlguard.compat.bleach", ("bleach", "html5lib", "tinycss2")),
    "pybluemonday": ("pybluemonday", "htmlguard.compat.bluemonday", ("pybluemonday",)),
}
#: What sets a peer's default configuration apart, for the report.
CONFIG_NOTES = {
    "nh3": "nh3's defaults (ammonia's tags, attributes and 25 URL schemes; "
    'rel="noopener noreferrer"), and `options` (`NH3_OPTIONS`: 12 tags, `a href/title`, '
    "http, https, mailto; the same objects on every call)",
    "bleach": "bleach's defaults (its 12 tags, `a href/title`, `abbr title`, `acronym title`; "
    "http, https, mailto; disallowed tags escaped unless `strip=True`); `linkify` and "
    "`LinkifyFilter` with bleach's default callback (`nofollow`)",
    "pybluemonday": "bluemonday's own UGC and strict policies",
}


# --- corpora ---------------------------------------------------------------------------------


@dataclass
class CorpusSet:
    key: str
    title: str
    docs: list[str]

    @property
    def nbytes(self) -> int:
        return sum(len(d.encode("utf-8")) for d in self.docs)


def build_corpora(quick: bool) -> list[CorpusSet]:
    """The corpora bench/run.py measures the peers on (less the second field corpus and the
    10 MB document: the four the issue names)."""
    realistic = corpora.realistic_docs(20 if quick else 200)
    hostile, _notes = corpora.hostile_payloads()
    big = 100_000 if quick else 1_000_000
    return [
        CorpusSet("realistic", "Realistic user HTML", realistic),
        CorpusSet("hostile", "Hostile payloads", hostile[:300] if quick else hostile),
        CorpusSet("plain", "Plain form fields", corpora.plain_fields(200 if quick else 2000)),
        CorpusSet(
            "doc1", f"{corpora.size_label(big)} document", [corpora.big_document(realistic, big)]
        ),
    ]


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Row:
    case: Case
    corpus: CorpusSet
    peer: Cell | None = None
    shim: Cell | None = None
    ndocs: int = 0
    nbytes: int = 0
    excluded: str = ""
    error: str = ""
    #: Median, lowest and highest of the per-round ratios peer seconds / shim seconds.
    ratios: list[float] = field(default_factory=list)
    #: CPU used by other processes during the cell, as a share of one core.
    foreign: float | None = None

    def mbps(self, cell: Cell | None) -> float | None:
        if cell is None or not cell.ok or not cell.seconds or not self.nbytes:
            return None
        return self.nbytes / cell.seconds / 1e6

    @property
    def speedup(self) -> float | None:
        if self.ratios:
            return statistics.median(self.ratios)
        if self.peer and self.shim and self.peer.ok and self.shim.ok and self.shim.seconds:
            return (self.peer.seconds or 0.0) / self.shim.seconds
        return None


def accepted(fns: Sequence[Clean], docs: Sequence[str]) -> tuple[list[str], dict[str, int]]:
    """The documents every function takes without raising (once each, untimed), and what the
    others raised."""
    ok: list[str] = []
    failures: dict[str, int] = {}
    for d in docs:
        try:
            for fn in fns:
                fn(d)
        except Exception as e:  # noqa: BLE001 - counted and reported
            failures[type(e).__name__] = failures.get(type(e).__name__, 0) + 1
        else:
            ok.append(d)
    return ok, failures


def measure_row(case: Case, corpus: CorpusSet, peer: Clean, shim: Clean, s: Settings) -> Row:
    row = Row(case, corpus)
    docs, failures = measure.in_thread(lambda: accepted((peer, shim), corpus.docs))
    row.excluded = ", ".join(f"{n} × {e}" for e, n in failures.items())
    if not docs:
        row.error = f"every document raised ({row.excluded})"
        return row
    row.ndocs, row.nbytes = len(docs), sum(len(d.encode("utf-8")) for d in docs)
    times: dict[str, list[float]] = {}
    before, t0 = measure._machine_cpu(), time.perf_counter()
    cells = measure.cpu_times_interleaved({"peer": peer, "shim": shim}, docs, s, round_times=times)
    row.foreign = measure._foreign_share(before, time.perf_counter() - t0)
    row.peer, row.shim = cells["peer"], cells["shim"]
    a, b = times.get("peer", []), times.get("shim", [])
    if a and len(a) == len(b):  # both repeated, in the same rounds
        row.ratios = [x / y for x, y in zip(a, b, strict=True) if y > 0]
    return row


def run(only: set[str], s: Settings, quick: bool) -> tuple[list[Row], dict[str, str]]:
    log("generating corpora")
    sets = build_corpora(quick)
    rows: list[Row] = []
    missing: dict[str, str] = {}
    for case in CASES:
        if case.peer not in only or case.peer in missing:
            continue
        peer_mod, shim_mod, _ = MODULES[case.peer]
        try:
            peer = case.make(importlib.import_module(peer_mod))
        except ImportError as e:
            missing[case.peer] = f"not installed ({type(e).__name__}: {e})"
            continue
        shim = case.make(importlib.import_module(shim_mod))
        for corpus in sets:
            row = measure_row(case, corpus, peer, shim, s)
            rows.append(row)
            log(
                f"{case.name:<52} {corpus.key:<9} "
                + (
                    f"peer {report.num(row.mbps(row.peer))} MB/s, shim "
                    f"{report.num(row.mbps(row.shim))} MB/s, {report.times(row.speedup)}"
                    if row.speedup is not None
                    else row.error
                    or report.cell_error(row.peer) + " / " + report.cell_error(row.shim)
                )
            )
    return rows, missing


# --- the report ------------------------------------------------------------------------------


def versions(only: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for dist in ("htmlguard", *(d for p in MODULES if p in only for d in MODULES[p][2])):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = "not installed" if dist != "htmlguard" else "source tree (not installed)"
    return out


def summary_table(rows: list[Row], peer: str) -> list[str]:
    """One row per case, one column per corpus: the speedup, then peer → shim MB/s."""
    titles = list(dict.fromkeys(r.corpus.title for r in rows if r.case.peer == peer))
    out = []
    for case in (c for c in CASES if c.peer == peer):
        cells = [f"`{case.name}`"]
        for title in titles:
            row = next((r for r in rows if r.case is case and r.corpus.title == title), None)
            if row is None or row.speedup is None:
                cells.append(row.error if row and row.error else "—")
                continue
            cells.append(
                f"**{report.times(row.speedup)}** ({report.num(row.mbps(row.peer))} → "
                f"{report.num(row.mbps(row.shim))})"
            )
        out.append(cells)
    return report.table(["call", *titles], out)


def detail_table(rows: list[Row], peer: str) -> list[str]:
    out = []
    for r in (r for r in rows if r.case.peer == peer):
        lo_hi = f"{min(r.ratios):.2f}–{max(r.ratios):.2f}×" if r.ratios else "—"
        out.append(
            [
                f"`{r.case.name}`",
                r.corpus.title,
                report.num(r.mbps(r.peer)) if r.peer and r.peer.ok else report.cell_error(r.peer),
                report.num(r.mbps(r.shim)) if r.shim and r.shim.ok else report.cell_error(r.shim),
                report.times(r.speedup),
                lo_hi,
                str(len(r.ratios) or (r.peer.rounds if r.peer else 0)),
                "—" if r.foreign is None else f"{r.foreign:.0%}",
                (f"raised on {r.excluded} (left out of both)" if r.excluded else "") or r.error,
            ]
        )
    return report.table(
        [
            "call",
            "corpus",
            "peer MB/s",
            "shim MB/s",
            "speedup",
            "range",
            "rounds",
            "other load",
            "note",
        ],
        out,
    )


def render(
    rows: list[Row],
    missing: dict[str, str],
    only: set[str],
    s: Settings,
    quick: bool,
    started: str,
    elapsed: float,
    loads: tuple[str, str],
    argv: list[str],
) -> str:
    import run as full_run  # the machine description, shared with RESULTS.md

    m = full_run.machine()
    cmd = os.environ.get("HTMLGUARD_BENCH_COMMAND") or shlex.join(
        ["python", "bench/shims.py", *argv]
    )
    lines = [
        "# Compatibility shims against their peers",
        "",
        "Written by `bench/shims.py` (`./scripts/bench` runs it after `bench/run.py`); do not "
        "edit by hand. docs/migration.md quotes these figures.",
        "",
    ]
    if quick:
        lines += ["**Quick mode** (`--quick`): small corpora, one round; not meaningful.", ""]
    corpus_lines = []
    seen: set[str] = set()
    for r in rows:
        if r.corpus.key not in seen:
            seen.add(r.corpus.key)
            corpus_lines.append(
                f"{r.corpus.title} ({report.plural(len(r.corpus.docs), 'document')}, "
                f"{corpora.size_label(r.corpus.nbytes)})"
            )
    lines += [
        "## Machine and versions",
        "",
        f"- Date (UTC): {started}; the run took {elapsed / 60:.1f} min",
        f"- Machine: {m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('ram', '?')} RAM; "
        f"{m.get('os', '?')}; Python {m.get('python', '?')}",
        f"- Command: `{cmd}`; work tree: {m.get('source', '?')}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in versions(only).items()),
        f"- Load (`/proc/loadavg`): `{loads[0]}` before, `{loads[1]}` after",
        f"- Corpora (`bench/corpora.py`, fixed seed): {'; '.join(corpus_lines)}",
    ]
    if missing:
        lines.append("- Not measured: " + "; ".join(f"{k}: {v}" for k, v in missing.items()))
    lines += [
        "",
        "## How",
        "",
        "Single thread, CPU time (`time.process_time`). For each call and corpus, the peer and "
        f"the shim take {report.plural(s.rounds, 'round')} in turn (a shuffled order each "
        f"round), each round at least {s.min_time:g} s or one pass over the corpus, within "
        f"{s.budget:g} s a side (`measure.cpu_times_interleaved`, as `bench/run.py` times the "
        "peers). MB/s is UTF-8 input bytes per CPU-second over the median round. *Speedup* is "
        "the median of the per-round ratios peer time / shim time (above 1: the shim is "
        "faster), *range* the lowest and highest round: this shared VM's speed drifts by tens "
        "of percent, and a per-round ratio is taken while both sides run at the same speed. "
        "*Other load* is the CPU other processes used during the cell, as a share of one "
        "core. Each peer and shim object is built once, outside the timed region; the "
        "configuration is each peer's default ("
        + "; ".join(f"{p}: {CONFIG_NOTES[p]}" for p in MODULES if p in only)
        + ") and the shim gets the same call.",
    ]
    for peer in (p for p in MODULES if p in only):
        lines += ["", f"## {peer}", ""]
        if peer in missing:
            lines.append(f"{peer}: {missing[peer]}")
            continue
        lines += [
            "Speedup, then peer → shim throughput in MB/s:",
            "",
            *summary_table(rows, peer),
            "",
            *detail_table(rows, peer),
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small corpora, one round (smoke test)")
    ap.add_argument("--only", metavar="PEER,...", help=f"peers to run (of: {', '.join(MODULES)})")
    ap.add_argument("--out", type=Path, default=BENCH / "SHIMS.md")
    args = ap.parse_args(argv)
    only = set(MODULES)
    if args.only:
        only = {w.strip() for w in args.only.split(",") if w.strip()}
        unknown = only - set(MODULES)
        if unknown:
            ap.error(f"unknown peer: {', '.join(sorted(unknown))}; known: {', '.join(MODULES)}")
    s = Settings(rounds=1, min_time=0.05, budget=3.0) if args.quick else Settings()
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    load_before = full_loadavg()
    t0 = time.perf_counter()
    rows, missing = run(only, s, args.quick)
    elapsed = time.perf_counter() - t0
    text = render(
        rows, missing, only, s, args.quick, started, elapsed, (load_before, full_loadavg()), argv
    )
    args.out.write_text(text, "utf-8")
    log(f"wrote {args.out} in {elapsed / 60:.1f} min")
    return 0


def full_loadavg() -> str:
    import run as full_run

    return full_run.loadavg()


if __name__ == "__main__":
    sys.exit(main())
