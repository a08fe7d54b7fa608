"""Every payload of the public XSS corpora, through every preset, must come out safe.

The corpora (DOMPurify's fixtures and the HTML5 Security Cheatsheet, see
``shared/xss-public/README.md``) live beside the repository checkout, in
``shared/xss-public/``; ``HTMLGUARD_XSS_DIR`` points elsewhere. CI always has them, so
their absence is a failure, never a skip.

"Safe" is checked on what a browser would build from the output: the output is parsed
with html5lib (a spec-conforming HTML parser, in a ``<div>`` context as for innerHTML),
then serialized and parsed again, so markup that changes meaning between two parses
(mutation XSS) is caught as well. Each test covers one (preset, corpus) pair, loops over
every payload and names every offending payload id in its failure message.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

# What a policy allows, and how a URL's scheme and an attribute's name are read, are defined
# once for every checker of sanitizer output: in the fuzz harness (fuzz/ is on sys.path,
# see conftest.py), which the property tests use too.
from atheris_sanitize import (  # noqa: E402
    URL_ATTRIBUTES,
    Allowed,
    attribute_name,
    elements,
    reserialize,
    scheme_of,
    split_name,
)

import htmlguard as hg

CORPUS_FILES = ("dompurify-fixtures.jsonl", "h5sc-items.jsonl")
_DEFAULT_DIR = Path(__file__).resolve().parents[3] / "shared" / "xss-public"


def corpus_dir() -> Path:
    """The corpus directory: ``shared/xss-public`` beside the checkout, else the env var."""
    candidates = [_DEFAULT_DIR]
    env = os.environ.get("HTMLGUARD_XSS_DIR")
    if env:
        candidates.append(Path(env))
    for d in candidates:
        if all((d / name).is_file() for name in CORPUS_FILES):
            return d
    pytest.fail(
        "XSS corpora not found: looked for "
        + ", ".join(CORPUS_FILES)
        + f" in {', '.join(str(c) for c in candidates)}. Put them in {_DEFAULT_DIR} or set "
        "HTMLGUARD_XSS_DIR to the directory holding them.",
        pytrace=False,
    )


_CORPORA: dict[str, list[tuple[str, str]]] = {}


def load(name: str) -> list[tuple[str, str]]:
    """``(id, payload)`` for every record of one corpus file."""
    if name not in _CORPORA:
        path = corpus_dir() / name
        records = []
        with path.open(encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                rec = json.loads(line)
                records.append((str(rec.get("id", f"{name}:{lineno}")), rec["payload"]))
        assert records, f"{path} holds no payloads"
        _CORPORA[name] = records
    return _CORPORA[name]


#: Every preset, plus one policy with ``target_blank`` (which rewrites links after
#: ammonia, so it gets the same scrutiny).
POLICIES = (*hg.PRESETS, "ugc+target_blank")


def make_policy(name: str) -> Any:
    if name == "ugc+target_blank":
        return hg.Policy.preset("ugc").derive(target_blank=True)
    return hg.Policy.preset(name)


@pytest.fixture(scope="module", params=POLICIES)
def policy(request: pytest.FixtureRequest) -> Any:
    return make_policy(request.param)


@pytest.fixture(scope="module", params=CORPUS_FILES, ids=lambda n: n.split("-")[0])
def corpus(request: pytest.FixtureRequest) -> list[tuple[str, str]]:
    return load(request.param)


# ---------------------------------------------------------------- what "safe" means

#: Never acceptable in sanitized output, whatever the policy says (style only when allowed).
FORBIDDEN_ELEMENTS = frozenset(
    {
        "script",
        "iframe",
        "object",
        "embed",
        "frame",
        "frameset",
        "applet",
        "base",
        "meta",
        "link",
        "style",
        "svg",
        "math",
        "template",
        "form",
        "input",
        "button",
        "textarea",
        "select",
    }
)

#: Substrings that must not appear in any attribute value once normalised.
SCRIPT_MARKERS = ("javascript:", "vbscript:", "data:text/html")

#: Attributes whose value is only ever shown to the reader as text (a tooltip, a
#: replacement text), never fetched, navigated to or run. The substring rule above is
#: waived for them: DOMPurify's own expected output keeps ``<b title="javascript:alert(2)">``
#: (fixture dompurify-010). Every other rule still applies to them.
INERT_TEXT_ATTRIBUTES = frozenset({"title", "alt"})


def normalise(value: str) -> str:
    """An attribute value the way a browser's URL parser sees it: character references
    decoded (html5lib decodes them while parsing, exactly once, as a browser does), ASCII
    whitespace and control characters removed anywhere, lowercased."""
    return re.sub(r"[\x00-\x20\x7f]+", "", value).lower()


def parse(markup: str) -> ET.Element:
    # html5lib's own parseFragment drops an element foster-parented out of a top-level
    # table, which would hide it from the checks below.
    import atheris_sanitize  # fuzz/ is on sys.path, see conftest.py

    fragment: ET.Element = atheris_sanitize.parse(markup)
    return fragment


def problems_in(fragment: ET.Element, allowed: Allowed) -> list[str]:
    """Every way the parsed fragment breaks the rules, as short descriptions."""
    found: list[str] = []
    for el in elements(fragment):
        ns, tag = split_name(el.tag)
        label = tag if ns is None else f"{{{ns}}}{tag}"
        if ns is not None:
            found.append(f"foreign element <{label}>")
        if tag in FORBIDDEN_ELEMENTS and not (tag == "style" and "style" in allowed.tags):
            found.append(f"forbidden element <{label}>")
        if tag not in allowed.tags:
            found.append(f"element <{label}> not in the policy's tags")
        for raw_name, value in el.attrib.items():
            name = attribute_name(raw_name)
            lname = name.lower()
            where = f"<{label} {name}={value!r}>"
            if lname.startswith("on"):
                found.append(f"event handler {where}")
            if lname == "srcdoc":
                found.append(f"srcdoc {where}")
            if not allowed.attribute_ok(tag, name):
                found.append(f"attribute not allowed {where}")
            if lname in URL_ATTRIBUTES:
                scheme = scheme_of(value)
                if scheme is not None and scheme not in allowed.schemes:
                    found.append(f"URL scheme {scheme!r} not allowed {where}")
            if lname in INERT_TEXT_ATTRIBUTES:
                continue
            flat = normalise(value)
            for marker in SCRIPT_MARKERS:
                if marker in flat:
                    found.append(f"{marker!r} in attribute value {where}")
    return found


def check_output(out: str, allowed: Allowed) -> list[str]:
    """Problems in ``out`` as parsed once, and as parsed again after serialization."""
    first = parse(out)
    problems = problems_in(first, allowed)
    again = reserialize(first)
    second = parse(again)
    problems += [f"after re-parse: {p}" for p in problems_in(second, allowed)]
    if reserialize(second) != again:
        problems.append(f"markup changes between parses: {again!r} -> {reserialize(second)!r}")
    return problems


def report(failures: dict[str, Any], what: str) -> str:
    lines = [f"{len(failures)} payload(s) {what}: {', '.join(failures)}"]
    for pid, detail in failures.items():
        lines.append(f"  {pid}: {detail}")
    return "\n".join(lines)


# ---------------------------------------------------------------- the checker itself


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<b>x</b>", []),
        ("<script>x</script>", ["forbidden element <script>", "not in the policy's tags"]),
        ("<b onclick=x>y</b>", ["event handler", "attribute not allowed"]),
        ('<a href="java&#x09;script:alert(1)">x</a>', ["URL scheme 'javascript'"]),
        ('<a href=" JaVaScRiPt&colon;x">x</a>', ["URL scheme 'javascript'"]),
        ('<a href="vbscript:x">x</a>', ["URL scheme 'vbscript'", "'vbscript:'"]),
        ('<a href="https://x.org/data:text/html,x">x</a>', ["'data:text/html'"]),
        ("<a href=//x.org>x</a>", []),
        ("<svg><a xlink:href=javascript:x>y</a></svg>", ["foreign element", "xlink:href"]),
        ("<table><tr><td>x</td></tr></table>", []),
        ("<math><mi>x</mi></math>", ["foreign element"]),
        ('<b title="javascript:x">y</b>', ["attribute not allowed <b title="]),
        ('<a href="/x" rel="javascript:x">y</a>', ["'javascript:' in attribute value <a rel="]),
        ('<a href="/x&amp;#106;avascript:x">y</a>', []),
        ('<a href="&amp;#x6a;avascript:x">y</a>', []),
        ('<a href="&#x6a;avascript&#58;x">y</a>', ["URL scheme 'javascript'"]),
        ('<a href="\x01java\x03script:x">y</a>', ["URL scheme 'javascript'"]),
        ("<table><tr><img src=x onerror=alert(1)></tr></table>", ["event handler <img onerror="]),
    ],
)
def test_checker_finds_what_it_should(markup: str, expected: list[str]) -> None:
    allowed = Allowed.of(
        hg.Policy(
            tags={"a", "b", "table", "td"},
            tag_attributes={"a": {"href"}},
            url_schemes={"http", "https"},
            link_rel="nofollow",
        )
    )
    found = "\n".join(check_output(markup, allowed))
    if not expected:
        assert found == ""
    for piece in expected:
        assert piece in found, found


def test_implied_table_elements_need_a_table_policy() -> None:
    no_tables = Allowed.of(hg.Policy(tags={"td"}))
    found = "\n".join(check_output("<table><tr><td>x</td></tr></table>", no_tables))
    assert "<tbody> not in the policy's tags" in found


# ---------------------------------------------------------------- the corpora


def test_corpora_are_present_and_complete() -> None:
    for name in CORPUS_FILES:
        records = load(name)
        ids = [pid for pid, _ in records]
        assert len(ids) == len(set(ids)), f"duplicate ids in {name}"
        assert all(isinstance(payload, str) for _, payload in records)
    assert len(load("dompurify-fixtures.jsonl")) >= 200
    assert len(load("h5sc-items.jsonl")) >= 140


def test_output_is_safe(policy: Any, corpus: list[tuple[str, str]]) -> None:
    allowed = Allowed.of(policy)
    failures: dict[str, Any] = {}
    for pid, payload in corpus:
        out = policy.sanitize(payload)
        problems = check_output(out, allowed)
        if problems:
            failures[pid] = {"output": out, "problems": problems}
    assert not failures, report(failures, f"unsafe after sanitizing with {policy!r}")


def test_strict_output_has_no_element(corpus: list[tuple[str, str]]) -> None:
    strict = hg.Policy.preset("strict")
    failures = {}
    for pid, payload in corpus:
        out = strict.sanitize(payload)
        for fragment in (parse(out), parse(reserialize(parse(out)))):
            found = [el.tag for el in elements(fragment)]
            if found:
                failures[pid] = {"output": out, "elements": found}
    assert not failures, report(failures, "have elements in strict output")


def test_sanitize_is_idempotent(policy: Any, corpus: list[tuple[str, str]]) -> None:
    failures = {}
    for pid, payload in corpus:
        once = policy.sanitize(payload)
        twice = policy.sanitize(once)
        if twice != once:
            failures[pid] = f"{once!r} -> {twice!r}"
    assert not failures, report(failures, f"not idempotent under {policy!r}")


def test_inspect_and_batch_agree_with_sanitize(policy: Any, corpus: list[tuple[str, str]]) -> None:
    payloads = [payload for _, payload in corpus]
    singles = [policy.sanitize(x) for x in payloads]
    failures = {}
    for (pid, payload), expected in zip(corpus, singles, strict=True):
        got = policy.inspect(payload).html
        if got != expected:
            failures[pid] = f"inspect().html {got!r} != sanitize() {expected!r}"
    assert not failures, report(failures, f"disagree under {policy!r}")
    batch = policy.sanitize_many(payloads)
    mismatched = [pid for (pid, _), a, b in zip(corpus, batch, singles, strict=True) if a != b]
    assert len(batch) == len(singles)
    assert not mismatched, f"sanitize_many() differs from sanitize() for: {mismatched}"
