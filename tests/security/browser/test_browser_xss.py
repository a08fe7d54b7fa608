"""XSS in a real browser: no sanitized output, of any preset on either engine (and of the
ugc preset with ``disallowed="escape"``, ``"drop"`` or ``"remove"``), may ever execute.

Every payload -- all of ``shared/xss-public/dompurify-fixtures.jsonl`` and
``h5sc-items.jsonl`` plus the project's own ``payloads.py`` -- is embedded in a page as a
server would render it and loaded in headless Chromium (Debian's ``chromium`` and
``chromium-driver``, through selenium), once unsanitized (the control run) and once per
output of each preset on each engine (``engine="ammonia"`` and ``"htmlguard"``). The
page's own harness script fires the usual events on every element, waits, re-parses the
body through ``innerHTML`` (mutation XSS) and fires them again; payloads prove they ran by
calling ``xss(ID)`` (own payloads) or ``alert()`` & co. (public ones), which the harness
records per document. See ``harness.py`` for the
details. Identical sanitized outputs are run once, for every (payload, preset, engine)
that produced them: the engines agree almost everywhere, so the second costs little.

The control run must execute at least 90% of the own payloads, so the harness is known
to see what it is looking for. ``HTMLGUARD_WRITE_CONTROL=1`` rewrites ``CONTROL.md``
with the control-run numbers. Missing Chromium, chromedriver, selenium or corpora is a
failure, never a skip: CI has them all.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

import htmlguard as hg

from .harness import (
    SUMMARY_KEY,
    Browser,
    Case,
    Hit,
    RunResult,
)
from .payloads import own_payloads

CORPUS_FILES = {"dompurify": "dompurify-fixtures.jsonl", "h5sc": "h5sc-items.jsonl"}
_DEFAULT_DIR = Path(__file__).resolve().parents[4] / "shared" / "xss-public"
CONTROL_MD = Path(__file__).with_name("CONTROL.md")
#: Named explicitly, so the suite covers both whichever is the default.
ENGINES = ("ammonia", "htmlguard")
#: The ugc preset with ``disallowed`` in its other modes, run beside the presets.
VARIANTS: dict[str, dict[str, object]] = {
    "ugc-escape": {"disallowed": "escape"},
    "ugc-drop": {"disallowed": "drop"},
    "ugc-remove": {"disallowed": "remove"},
    "ugc-linkify": {"linkify": True, "linkify_email": True},
    # bluemonday's builder options at their widest: every element and scheme a pattern
    # can admit (never script, style, javascript:, vbscript: or data:), iframe sandbox,
    # spaces where tags were stripped.
    "ugc-bluemonday": {
        "tag_patterns": {".": {"title"}},
        "url_scheme_patterns": {"."},
        "iframe_sandbox": set(),
        "space_when_stripping": True,
        "bare_tags": {"p", "b", "i", "br", "table", "tr", "td", "tbody"},
    },
}
#: (preset or variant, engine) for every run: each preset on each engine, each variant on
#: the engines that take it ("escape" and "drop" need ours).
RUNS: list[tuple[str, str]] = [
    *((preset, engine) for preset in hg.PRESETS for engine in ENGINES),
    ("ugc-escape", "htmlguard"),
    ("ugc-drop", "htmlguard"),
    *(("ugc-remove", engine) for engine in ENGINES),
    *(("ugc-linkify", engine) for engine in ENGINES),
    *(("ugc-bluemonday", engine) for engine in ENGINES),
]
#: Share of the own payloads that must execute unsanitized.
MIN_OWN_EXECUTED = 0.90


@dataclass(frozen=True)
class Payload:
    id: str
    collection: str  # "own", "dompurify" or "h5sc"
    html: str
    trigger: str | None = None
    label: str = ""


def corpus_dir() -> Path:
    """``HTMLGUARD_XSS_DIR`` if set, else ``shared/xss-public`` beside the checkout."""
    env = os.environ.get("HTMLGUARD_XSS_DIR")
    d = Path(env) if env else _DEFAULT_DIR
    if all((d / name).is_file() for name in CORPUS_FILES.values()):
        return d
    pytest.fail(
        f"XSS corpora not found: looked for {', '.join(CORPUS_FILES.values())} in {d}. "
        f"Put them in {_DEFAULT_DIR} or set HTMLGUARD_XSS_DIR to the directory holding them.",
        pytrace=False,
    )


def load_payloads() -> list[Payload]:
    out: list[Payload] = []
    directory = corpus_dir()
    for collection, name in CORPUS_FILES.items():
        with (directory / name).open(encoding="utf-8") as f:
            records = [json.loads(line) for line in f if line.strip()]
        assert records, f"{directory / name} holds no payloads"
        out.extend(
            Payload(str(r["id"]), collection, r["payload"], r.get("trigger"), r.get("name", ""))
            for r in records
        )
    out.extend(Payload(pid, "own", html, None, label) for pid, label, html in own_payloads())
    ids = [p.id for p in out]
    assert len(set(ids)) == len(ids), "payload ids are not unique"
    return out


@pytest.fixture(scope="module")
def payloads() -> list[Payload]:
    return load_payloads()


@pytest.fixture(scope="module")
def control(browser: Browser, payloads: list[Payload]) -> dict[str, list[Hit]]:
    """What each payload executes unsanitized, by payload id."""
    cases = [Case(f"c{i}", p.html, p.trigger) for i, p in enumerate(payloads)]
    result = browser.run(cases)
    return {p.id: result.hits.get(c.key, []) for p, c in zip(payloads, cases, strict=True)}


@dataclass
class SanitizedRun:
    result: RunResult
    #: case key -> (sanitized html, [(payload id, preset, engine), ...]) that produced it
    owners: dict[str, tuple[str, list[tuple[str, str, str]]]]


@pytest.fixture(scope="module")
def sanitized(browser: Browser, payloads: list[Payload]) -> SanitizedRun:
    """Every run's output of every payload (``RUNS``), identical outputs run once."""
    owners: dict[str, tuple[str, list[tuple[str, str, str]]]] = {}
    cases: dict[str, Case] = {}
    for preset, engine in RUNS:
        base = hg.Policy.preset(preset.split("-")[0] if preset in VARIANTS else preset)
        policy = base.derive(engine=engine, **VARIANTS.get(preset, {}))
        outputs = policy.sanitize_many([p.html for p in payloads])
        for p, out in zip(payloads, outputs, strict=True):
            digest = hashlib.sha256(json.dumps([out, p.trigger]).encode()).hexdigest()
            key = "s" + digest[:20]
            if key not in cases:
                cases[key] = Case(key, out, p.trigger)
                owners[key] = (out, [])
            owners[key][1].append((p.id, preset, engine))
    return SanitizedRun(browser.run(list(cases.values())), owners)


def own_number(payload_id: str) -> str:
    return str(int(payload_id.split("-")[1]))


def test_own_payloads_execute_unsanitized(
    payloads: list[Payload], control: dict[str, list[Hit]]
) -> None:
    own = [p for p in payloads if p.collection == "own"]
    assert len(own) >= 150
    dead = [
        p
        for p in own
        if not any(h.kind == "xss" and h.args == (own_number(p.id),) for h in control[p.id])
    ]
    executed = len(own) - len(dead)
    listing = "\n".join(f"  {p.id} ({p.label}): {p.html}" for p in dead)
    assert executed >= MIN_OWN_EXECUTED * len(own), (
        f"only {executed}/{len(own)} own payloads execute unsanitized (need "
        f"{MIN_OWN_EXECUTED:.0%}); the harness or the payloads are broken. Not executing:\n"
        + listing
    )


def test_public_collections_control_run(
    request: pytest.FixtureRequest,
    browser: Browser,
    payloads: list[Payload],
    control: dict[str, list[Hit]],
) -> None:
    counts: dict[str, tuple[int, int]] = {}
    for collection in ("own", *CORPUS_FILES):
        ids = [p.id for p in payloads if p.collection == collection]
        counts[collection] = (sum(1 for i in ids if control[i]), len(ids))
    summary = "browser control run (unsanitized, Chromium {}): {}".format(
        browser.version,
        ", ".join(f"{c} {n}/{total} execute" for c, (n, total) in counts.items()),
    )
    print(summary)
    request.config.stash.setdefault(SUMMARY_KEY, []).append(summary)
    if os.environ.get("HTMLGUARD_WRITE_CONTROL") == "1":
        CONTROL_MD.write_text(control_markdown(browser.version, payloads, control))
    # The public collections are mostly dead vectors or benign markup, but a harness that
    # sees none of them run is broken.
    for collection in CORPUS_FILES:
        assert counts[collection][0] > 0, f"no {collection} payload executes unsanitized"


@pytest.mark.parametrize(("preset_name", "engine"), RUNS)
def test_sanitized_output_never_executes(
    preset_name: str, engine: str, sanitized: SanitizedRun
) -> None:
    problems: list[str] = []
    where = f"[{preset_name}, engine {engine}]"
    for key, (html, owners) in sanitized.owners.items():
        mine = [pid for pid, preset, e in owners if (preset, e) == (preset_name, engine)]
        if not mine:
            continue
        hits = sanitized.result.hits.get(key)
        if hits:
            problems.append(
                f"EXECUTED: payload {', '.join(mine)} {where} output {html!r}\n"
                + "\n".join(f"    -> {h}" for h in hits[:5])
            )
        if key in sanitized.result.unfinished:
            problems.append(
                f"harness did not finish (the document navigated away or hung): payload "
                f"{', '.join(mine)} {where} output {html!r}"
            )
    for hit, batch in sanitized.result.stray:
        problems.append(f"unattributed execution {hit} in the batch of documents {batch}")
    assert not problems, (
        f"{len(problems)} problem(s) with {where} output in Chromium:\n" + "\n".join(problems)
    )


def control_markdown(version: str, payloads: list[Payload], control: dict[str, list[Hit]]) -> str:
    today = datetime.date.today().isoformat()
    lines = [
        "# Browser XSS suite: control run",
        "",
        "Generated by `HTMLGUARD_WRITE_CONTROL=1 python -m pytest tests/security/browser` "
        f"on {today} with Chromium {version} (Debian's `chromium`, headless).",
        "",
        "The control run embeds every payload *unsanitized* in the harness page (events "
        "fired on every element, one `innerHTML` re-parse) and counts those that call a "
        "hook (`xss(ID)`, `alert`, `confirm`, `prompt`, `print`, `document.write`). The "
        "public collections are largely benign markup and vectors for old browsers, so "
        "most of them do nothing even unsanitized.",
        "",
        "| collection | payloads | execute unsanitized |",
        "| --- | --- | --- |",
    ]
    names = {"own": "own (`tests/security/browser/payloads.py`)", **CORPUS_FILES}
    groups = {c: [p for p in payloads if p.collection == c] for c in names}
    for c, group in groups.items():
        n = sum(1 for p in group if control[p.id])
        lines.append(f"| {names[c]} | {len(group)} | {n} ({n / len(group):.0%}) |")
    for c in CORPUS_FILES:
        ids = [p.id for p in groups[c] if control[p.id]]
        lines += ["", f"Executing in `{CORPUS_FILES[c]}`: {', '.join(ids)}."]
    dead = [p for p in groups["own"] if not control[p.id]]
    lines += [
        "",
        "Own payloads that do not execute in this browser (dead vectors kept on purpose):",
        "",
    ]
    lines += [f"- {p.id}: {p.label}" for p in dead]
    return "\n".join(lines) + "\n"
