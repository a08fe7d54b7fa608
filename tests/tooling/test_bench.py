"""Smoke test of the benchmark harness (bench/run.py --quick): it runs, writes every section
and fills the plain-field row. No timing is asserted; missing peers must be listed, not fatal."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"

pytest.importorskip("nh3")


HEADINGS = (
    "## Machine and versions",
    "## Headline",
    "## Targets",
    "## Throughput",
    "### Plain form fields",
    "### Form fields with & and emoji",
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


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory: pytest.TempPathFactory) -> str:
    """RESULTS.md of one quick run (htmlguard and nh3), shared by the tests that read it."""
    out = tmp_path_factory.mktemp("bench") / "RESULTS.md"
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--quick",
            "--only",
            "htmlguard,nh3",
            "--out",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out.read_text("utf-8")


def test_quick_run_writes_every_section(quick_results: str) -> None:
    text = quick_results
    for heading in HEADINGS:
        assert re.search(rf"^{re.escape(heading)}$", text, re.M), heading
    # The plain-field table's htmlguard row has numbers and ratios to both nh3 variants.
    # The field tables' htmlguard rows have numbers (the fresh-str variant beside the
    # reused str) and ratios to both nh3 variants.
    for title in ("### Plain form fields", "### Form fields with & and emoji"):
        fields = text.split(title, 1)[1].split("###", 1)[0]
        row = next(ln for ln in fields.splitlines() if ln.startswith("| htmlguard "))
        assert re.search(r"\| [\d,.]+ \| [\d,.]+ \| [\d,.]+ \| [\d,.]+× \| [\d,.]+× \|", row), row
    # Memory: the non-ASCII document and its ASCII copy.
    memory = text.split("## Memory", 1)[1].split("## ", 1)[0]
    row = next(ln for ln in memory.splitlines() if ln.startswith("| htmlguard "))
    assert len(re.findall(r"\| [\d.]+ MB \| [\d.]+× \|", row)) == 2, row
    # Selected but absent peers would be "not installed"; unselected ones are not listed.
    assert "| bleach" not in text
    assert "PASS" in text or "FAIL" in text


def test_mixed_fields_are_short_markup_free_and_never_plain_ascii_words(measure) -> None:  # type: ignore[no-untyped-def]
    import corpora

    fields = corpora.mixed_fields(500)
    assert len(fields) == 500
    for f in fields:
        assert 10 <= len(f.encode()) <= 200 and "<" not in f, f
        assert "&" in f or not f.isascii(), f
    # Each kind is well represented, not just one.
    assert sum("&" in f for f in fields) > 150
    assert sum(any(ord(c) > 0xFFFF for c in f) for f in fields) > 50


def test_fresh_copies_are_new_equal_strs(measure) -> None:  # type: ignore[no-untyped-def]
    doc = "Zoë & Björk 🚀"
    copy = measure.fresh_copy(doc)
    assert copy == doc and copy is not doc


# --- paired rounds (bench/measure.py) ----------------------------------------------------------


@pytest.fixture()
def measure(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.syspath_prepend(str(BENCH))
    import measure as m

    return m


def test_paired_rounds_alternate_and_take_the_ratio_per_round(measure, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(measure, "_machine_cpu", lambda: None)  # no retakes, whatever the load
    calls: list[str] = []
    # The machine "slows down" every call: a ratio of medians would mix fast and slow
    # stretches, the per-round ratio stays at 2.
    clock = [1.0]

    def a() -> float:
        calls.append("a")
        clock[0] *= 1.5
        return 2 * clock[0]

    def b() -> float:
        calls.append("b")
        clock[0] *= 1.5
        return clock[0]

    p = measure.paired_rounds(a, b, rounds=4, budget=60)
    assert calls == ["a", "b", "b", "a", "a", "b", "b", "a"]
    assert len(p.ratios) == 4 and p.retaken == 0
    # Alternating order cancels the drift: a-first rounds read 3.0, b-first 2/1.5.
    assert p.extra()["ratio"] == pytest.approx((3.0 + 4 / 3) / 2)
    assert p.extra()["low"] == pytest.approx(4 / 3) and p.extra()["high"] == pytest.approx(3.0)


def test_paired_rounds_retake_rounds_with_load_elsewhere(measure, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Machine CPU readings: the first round sees 0.5 s of someone else's CPU, the rest none.
    readings = iter([(0.0, 0.0), (0.5, 0.0), (0.5, 0.0), (0.5, 0.0), (0.5, 0.0), (0.5, 0.0)])
    monkeypatch.setattr(measure, "_machine_cpu", lambda: next(readings))
    times = iter([1.0, 1.0, 3.0, 1.0, 2.0, 1.0])
    slept: list[float] = []

    def work() -> float:
        t = next(times)
        slept.append(t)
        return t

    # Wall clock: one second a call, so the first round lasts 2 s with 0.25 of a core used
    # elsewhere (over NOISY_SHARE); it is retaken.
    monkeypatch.setattr(measure, "time", SimpleNamespace(perf_counter=lambda: float(len(slept))))
    p = measure.paired_rounds(work, work, rounds=2, budget=60)
    assert p.retaken == 1
    # The kept rounds: b goes first in the second (1.0 / 3.0), a in the third (2.0 / 1.0).
    assert p.ratios == [pytest.approx(1 / 3), 2.0]
    assert p.extra()["rounds"] == 2 and p.spent == 6.0  # the retaken round's time counts


def test_foreign_share_sees_a_busy_process(measure) -> None:  # type: ignore[no-untyped-def]
    if measure._machine_cpu() is None:
        pytest.skip("no /proc/stat")
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        import time

        time.sleep(0.3)  # let it start
        before = measure._machine_cpu()
        t0 = time.perf_counter()
        time.sleep(1.0)
        share = measure._foreign_share(before, time.perf_counter() - t0)
    finally:
        busy.kill()
        busy.wait()
    assert share is not None and share > measure.NOISY_SHARE * 3


def test_quick_run_reports_spread_and_retaken_rounds(quick_results: str) -> None:
    text = quick_results
    threads = text.split("## Two threads", 1)[1].split("## ", 1)[0]
    row = next(ln for ln in threads.splitlines() if ln.startswith("| htmlguard "))
    assert re.search(r"\| [\d.]+× \| [\d.]+–[\d.]+× \| .+ \| .+ \| \d+ of \d+ \|$", row), row
    # The GIL-free reference runs in the same rounds, and the target row quotes it.
    assert re.search(r"^\| \*zlib \(reference\)\* \| [\d.]+× \|", threads, re.M), threads
    assert re.search(r"two threads ≥ 1.8×.*\(machine reference: [\d.]+×\)", text), text
    many = text.split("## sanitize_many", 1)[1].split("## ", 1)[0]
    row = next(ln for ln in many.splitlines() if ln.startswith("| Realistic"))
    assert re.search(r"\| [\d.]+× \| [\d.]+–[\d.]+× \| \d+ of \d+ \|$", row), row


def test_threaded_speedups_tell_a_gil_bound_library_from_a_free_one(measure) -> None:  # type: ignore[no-untyped-def]
    import time

    def holds_gil(d: str) -> None:  # pure Python: two threads take turns
        n = 0
        for _ in range(2000):
            n += 1

    def releases_gil(d: str) -> None:  # sleeping needs no core and no GIL
        time.sleep(0.002)

    def raises(d: str) -> None:
        raise ValueError(d)

    s = measure.Settings(paired_rounds=5, paired_min_time=0.1, budget=3)
    cells = measure.threaded_speedups(
        {
            "held": measure.Threaded(holds_gil),
            "free": measure.Threaded(releases_gil),
            "broken": measure.Threaded(raises),
        },
        ["a", "bb"],
        s,
    )
    assert cells["held"].ok and cells["held"].extra["speedup"] < 1.4
    assert cells["free"].ok and cells["free"].extra["speedup"] > 1.7
    assert cells["free"].extra["rounds"] + cells["free"].extra["retaken"] >= 1
    assert not cells["broken"].ok and cells["broken"].error == "ValueError"


# --- the Django fields benchmark (bench/django_fields.py) -------------------------------------

DJANGO_HEADINGS = (
    "## Machine and versions",
    "## What was stored",
    "## Writes",
    "### `bulk_create` of N posts",
    "### `save()` per post",
    "### `QuerySet.update()` per post",
    "## Reads",
    "### Iterating `Model.objects.all()`",
    '### `values_list("body", flat=True)`',
    "## Templates",
    "### Template filters",
    "### A page: query and render N posts",
    "## Reference",
    "### The engines alone (no ORM)",
    "### The read path piece by piece (no ORM)",
)
#: A timed row: µs/row, rows/s, time / floor, range, added µs/row (then maybe / django-nh3).
TIMED = r"\| [\d,.]+ \| [\d,]+ \| [\d.]+ \| [\d.]+–[\d.]+ \| [+-][\d,.]+ \|"


def _section(text: str, heading: str) -> str:
    return text.split(heading + "\n", 1)[1].split("\n##", 1)[0]


@pytest.fixture(scope="module")
def django_quick_results(tmp_path_factory: pytest.TempPathFactory) -> str:
    """DJANGO.md of one quick run (with django-nh3's rows where it is installed)."""
    # django.conf, not django: without Django, tests/django is a namespace package "django".
    pytest.importorskip("django.conf")
    out = tmp_path_factory.mktemp("bench") / "DJANGO.md"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "django_fields.py"), "--quick", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out.read_text("utf-8")


def test_django_quick_run_writes_every_table(django_quick_results: str) -> None:
    text = django_quick_results
    for heading in DJANGO_HEADINGS:
        assert re.search(rf"^{re.escape(heading)}$", text, re.M), heading
    assert "python bench/django_fields.py --quick" in text
    # htmlguard's field is timed on every write and read path, its filter in the template.
    field = r"\| htmlguard `SanitizedTextField\(\"ugc\"\)` "
    for heading in DJANGO_HEADINGS[3:6]:
        assert re.search(field + TIMED, _section(text, heading)), heading
    # Reads are timed with the field's read cache empty and full, raw rows with it empty.
    for heading in DJANGO_HEADINGS[7:9]:
        for label in (
            'htmlguard `SanitizedTextField("ugc")`, cache empty',
            'htmlguard `SanitizedTextField("ugc")`, cache full',
            "rows inserted by raw SQL, cache empty",
        ):
            hits = [ln for ln in _section(text, heading).splitlines() if f"{label} |" in ln]
            assert len(hits) == 1 and re.search(TIMED, hits[0]), (heading, label, hits)
    filters = _section(text, "### Template filters")
    assert re.search(r"\| htmlguard `\{\{ p.body\|sanitize \}\}` " + TIMED, filters), filters
    # The update() row of django-nh3 says why it is not timed (it does no work there).
    assert "which `update()` does not call" in _section(text, "### `QuerySet.update()` per post")
    # Rows written around the ORM are stored with their script and read back without it.
    stored = _section(text, "## What was stored")
    raw = next(ln for ln in stored.splitlines() if "rows inserted by raw SQL" in ln)
    assert re.search(r"\| [1-9]\d* \| 0 \|$", raw), raw


def test_django_quick_run_compares_with_django_nh3_or_says_it_is_missing(
    django_quick_results: str,
) -> None:
    import importlib.util

    text = django_quick_results
    bulk = _section(text, "### `bulk_create` of N posts")
    if importlib.util.find_spec("django_nh3") is None:
        assert "django-nh3 `Nh3TextField`: django-nh3 is not installed." in bulk, bulk
        return
    row = next(ln for ln in bulk.splitlines() if ln.startswith("| django-nh3 `Nh3TextField`"))
    assert re.search(TIMED + r" 1.00 \|$", row), row
    hg = next(ln for ln in bulk.splitlines() if ln.startswith("| htmlguard "))
    assert re.search(TIMED + r" [\d.]+ \|$", hg), hg
    filters = _section(text, "### Template filters")
    assert re.search(r"\| django-nh3 `\{\{ p.body\|nh3 \}\}` " + TIMED, filters), filters


def test_django_requirements_are_the_bench_extras_pins() -> None:
    tomllib = pytest.importorskip("tomllib")
    extra = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"][
        "optional-dependencies"
    ]["bench"]
    proc = subprocess.run(
        [sys.executable, str(BENCH / "django_fields.py"), "--requirements"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for pin in proc.stdout.split():
        assert pin in extra, pin
