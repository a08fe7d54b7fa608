"""The bluemonday shim against the real pybluemonday (0.0.14, bluemonday v1.0.27), same
builder calls on both.

pybluemonday runs in a process of its own (``bluemonday_peer.py``): its Go runtime aborts
the interpreter on concurrent use (its policies live in an unguarded Go map) and on
``Matching`` (its Go side switches on the wrong argument and panics), so the recipes below
avoid ``Matching`` (bluemonday's own helpers, called inside Go, use it freely).

Outputs are compared as parsed HTML (html5lib, as a ``<div>``'s innerHTML, through
``fuzz/atheris_sanitize.py``'s canonical dump), after pybluemonday's NFKD normalisation is
applied to the shim's output too (the shim itself keeps Unicode as it is:
``test_bluemonday.py``). Every remaining difference has a category (:data:`CATEGORIES`),
verified by :func:`explain`; corpus differences are listed one by one in
``tests/security/fixtures/compat_bluemonday_differences.json`` (checked both ways:
unlisted, changed or vanished entries fail), generated documents must each be explained.
Regenerate after a deliberate change:
``python tests/compat/test_bluemonday_differential.py --write-fixture``.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from htmlguard import _core
from htmlguard.compat import bluemonday as shim
from htmlguard.compat._common import is_url_attribute

pytest.importorskip("pybluemonday", reason="pybluemonday is not installed for this Python")

_TESTS = Path(__file__).resolve().parents[1]
for _p in (_TESTS, _TESTS / "security", _TESTS.parent / "fuzz"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))
import atheris_sanitize as H  # noqa: E402
import html_strategies as S  # noqa: E402
import test_differential_nh3 as D  # noqa: E402
from listed_differences import Listed, main  # noqa: E402

FIXTURE = _TESTS / "security" / "fixtures" / "compat_bluemonday_differences.json"
PEER = Path(__file__).resolve().parent / "bluemonday_peer.py"

#: Builder recipes, applied to both (see bluemonday_peer.py for the format).
RECIPES: dict[str, list[list[Any]]] = {
    "ugc": [["UGCPolicy", []]],
    "strict": [["StrictPolicy", []]],
    "custom": [
        ["NewPolicy", []],
        ["AllowElements", ["b", "i", "p", "div", "span", "blockquote", "q", "ul", "li", "img"]],
        ["AllowAttrs", ["href"], "OnElements", ["a"]],
        ["AllowAttrs", ["cite"], "OnElements", ["blockquote", "q"]],
        ["AllowAttrs", ["src", "alt"], "OnElements", ["img"]],
        ["AllowAttrs", ["title"], "Globally", []],
        ["AllowURLSchemes", ["https", "mailto"]],
        ["AllowRelativeURLs", [True]],
        ["RequireNoReferrerOnLinks", [True]],
        ["AddTargetBlankToFullyQualifiedLinks", [True]],
        ["AllowComments", []],
        ["AllowDataAttributes", []],
        ["AllowStyling", []],
        ["SkipElementsContent", ["svg", "math"]],
    ],
    # The calls pybluemonday can make beyond the builder basics (it cannot pass a regular
    # expression to AllowElementsMatching or AllowURLSchemesMatching, nor call AllowStyles
    # or take a callable): element-name patterns, sandbox values, data: images, rel and
    # target on fully-qualified links only, a space where tags were stripped.
    "options": [
        ["UGCPolicy", []],
        ["AllowAttrs", ["title", "kind"], "OnElementsMatching", ["^x-"]],
        ["AllowElements", ["iframe"]],
        ["AllowAttrs", ["sandbox", "src"], "OnElements", ["iframe"]],
        ["RequireSandboxOnIFrame", [{"SandboxValue": "SandboxAllowForms"}]],
        ["AllowDataURIImages", []],
        ["RequireNoFollowOnLinks", [False]],
        ["RequireNoFollowOnFullyQualifiedLinks", [True]],
        ["AddTargetBlankToFullyQualifiedLinks", [True]],
        ["AddSpaceWhenStrippingTag", [True]],
    ],
}

CATEGORIES = {
    "bare-element": "an element left without attributes is dropped by both (bluemonday's list "
    "of elements allowed bare is htmlguard's bare_tags), but where their URL rules differ "
    "an element keeps its URL on one side only, and is dropped bare on the other",
    "link-rel": "bluemonday adds rel only to links that have an href (and to <area>); "
    "htmlguard's link_rel goes on every <a>",
    "url-rules": "the two check URLs differently: bluemonday parses with Go's net/url (refuses "
    "spaces, re-encodes what it keeps, checks fewer attributes), htmlguard refuses schemes "
    "hidden by invisible characters and checks every URL attribute",
    "content-dropped": "htmlguard drops content bluemonday keeps: what <svg>, <math> and "
    "<template> it does not allow hold, and HTML elements named like SVG/MathML ones (its "
    "namespace check); bluemonday strips tags one token at a time and keeps their text",
    "content-skipped": "bluemonday drops content htmlguard keeps: after the start tag of an "
    "element whose content it skips (frameset, title, noscript, svg, ...) it drops every token "
    "up to that element's end tag, also where the HTML parser never opens the element or "
    "closes it earlier",
    "token-stream": "bluemonday sanitizes the token stream, not a tree: with elements removed, "
    "what remains (and the unbalanced tags it writes) parses into another nesting of the same "
    "elements and text",
    "serialization": "the same tree but for text details: bluemonday writes U+00A0 raw, which "
    "pybluemonday's NFKD turns into a space (htmlguard writes &nbsp;, which NFKD leaves), "
    "escapes & in comments, keeps a newline after <pre> that a parser drops",
    "data-attribute": "bluemonday's AllowDataAttributes wants a name after data- and refuses "
    "data-xml* names and names with ';'; htmlguard's data- prefix keeps them",
    "char-refs": "Go's tokenizer decodes a numeric character reference without digits "
    "(&#X;) to U+FFFD; the HTML standard (htmlguard, html5lib, browsers) keeps it as text",
    "depth-limit": f"htmlguard unwraps elements nested deeper than {_core.MAX_DEPTH}",
    "stripped-spaces": "with AddSpaceWhenStrippingTag(True) bluemonday writes a space for "
    "every tag token it removes (stray end tags included), htmlguard one for each start and "
    "end tag of an element it removes: the runs of spaces differ",
    "raw-text": "bluemonday escapes the text inside an element it keeps whose content is raw "
    "text (an <iframe>'s) and writes its start tag self-closed; a browser reads that text "
    "without decoding references, so it differs from the input's, which htmlguard keeps",
}


def build_shim(recipe: list[list[Any]]) -> shim.Policy:
    (kind, _), *calls = recipe
    policy: Any = getattr(shim, kind)()
    for call in calls:
        method = call[0]
        args = [shim.SandboxValue[a["SandboxValue"]] if isinstance(a, dict) else a for a in call[1]]
        if len(call) == 4:
            getattr(getattr(policy, method)(*args), call[2])(*call[3])
        else:
            getattr(policy, method)(*args)
    return policy


SHIMS = {name: build_shim(recipe) for name, recipe in RECIPES.items()}


class Peer:
    """The pybluemonday process."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(PEER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def sanitize(self, name: str, html: str) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"recipe": RECIPES[name], "html": html}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"pybluemonday died (status {self.proc.wait()}) on {html!r}")
        answer: dict[str, str] = json.loads(line)
        if "error" in answer:
            raise AssertionError(f"pybluemonday failed on {html!r}: {answer['error']}")
        return answer["out"]

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def peer() -> Iterator[Peer]:
    p = Peer()
    yield p
    p.close()


def utf8(x: str) -> str:
    """What both can take: Go reads UTF-8 bytes, so lone surrogates become U+FFFD."""
    return x.encode("utf-8", "replace").decode("utf-8").replace("\0", "\ufffd")


def ours(name: str, html: str) -> str:
    return unicodedata.normalize("NFKD", SHIMS[name].sanitize(html))


# ---------------------------------------------------------------- explaining a difference


def _add_text(parent: ET.Element, i: int, s: str | None) -> None:
    if not s:
        return
    if i == 0:
        parent.text = (parent.text or "") + s
    else:
        parent[i - 1].tail = (parent[i - 1].tail or "") + s


def _normalise(parent: ET.Element, name: str, steps: frozenset[str]) -> None:
    """Apply ``steps`` below ``parent`` (post-order): drop ``rel`` on links (link-rel),
    drop URL attributes (url-rules), unwrap elements bluemonday would drop bare."""
    policy = SHIMS[name]
    i = 0
    while i < len(parent):
        child = parent[i]
        if not isinstance(child.tag, str):
            i += 1
            continue
        _normalise(child, name, steps)
        ns, tag = H.split_name(child.tag)
        for raw in list(child.attrib):
            attr = H.attribute_name(raw)
            if (
                ("link-rel" in steps and attr == "rel" and tag in ("a", "area"))
                or ("url-rules" in steps and is_url_attribute(tag, attr))
                or ("data-attribute" in steps and _bad_data_attribute(attr))
            ):
                del child.attrib[raw]
        html_ns = ns in (None, "http://www.w3.org/1999/xhtml")
        added = {"rel", "target"} if tag == "a" else set()
        own = {H.attribute_name(a) for a in child.attrib} - added
        if "bare-element" in steps and html_ns and not own and tag not in policy._bare:
            kids, text, tail = list(child), child.text, child.tail
            parent.remove(child)
            _add_text(parent, i, text)
            for k, kid in enumerate(kids):
                parent.insert(i + k, kid)
            _add_text(parent, i + len(kids), tail)
            i += len(kids)
            continue
        i += 1


def _bad_data_attribute(name: str) -> bool:
    """A ``data-`` name bluemonday's ``isDataAttribute`` refuses."""
    rest = name[len("data-") :]
    return name.startswith("data-") and (not rest or rest.startswith("xml") or ";" in rest)


def canonical(markup: str, name: str, steps: frozenset[str]) -> list[tuple[str, ...]]:
    fragment = H.parse(markup)
    if steps:
        _normalise(fragment, name, steps)
        fragment = H.parse(H.reserialize(fragment))  # merge the text nodes unwrapping split
    events = H.dump(fragment)
    if "stripped-spaces" in steps and _spaced(name):
        events = [("text", _squeeze(e[1])) if e[0] == "text" else e for e in events]
    if "serialization" in steps:
        events = [_text_details(e) for e in events if e != ("text", "\n")]
    if "char-refs" in steps:
        events = [tuple(_EMPTY_REF.sub("", part) for part in e) for e in events]
    if "raw-text" in steps:
        events = [("text", html.unescape(e[1])) if e[0] == "text" else e for e in events]
    return events


#: A numeric reference without digits, as text, or what Go decodes it to.
_EMPTY_REF = re.compile("&#[xX]?;?|\ufffd")


def _spaced(name: str) -> bool:
    """Whether the recipe asks for a space where tags are stripped."""
    return ["AddSpaceWhenStrippingTag", [True]] in RECIPES[name]


def _squeeze(s: str) -> str:
    return re.sub(r"[ \t\n\r\f]+", " ", s).strip()


def _text_details(event: tuple[str, ...]) -> tuple[str, ...]:
    def squeeze(s: str) -> str:
        return re.sub(r"\s+", " ", s.replace("\xa0", " ")).strip()

    if event[0] == "text":
        return ("text", squeeze(event[1]))
    if event[0] == "comment":
        return ("comment", squeeze(html.unescape(event[1])))
    if event[0] == "start":
        return (event[0], event[1], *(squeeze(a) for a in event[2:]))
    return event


def _text(events: list[tuple[str, ...]]) -> str:
    return re.sub(r"\s+", "", "".join(e[1] for e in events if e[0] == "text"))


def _starts(events: list[tuple[str, ...]]) -> Counter[tuple[str, ...]]:
    return Counter(e for e in events if e[0] == "start")


def _subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(c in it for c in small)


_ATTRIBUTE_STEPS = (
    "stripped-spaces",
    "link-rel",
    "bare-element",
    "url-rules",
    "data-attribute",
    "serialization",
    "char-refs",
    "raw-text",
)


def explain(name: str, html: str, mine: str, theirs: str) -> tuple[str | None, str]:
    """``(category, detail)`` for a difference between the shim's (NFKD'd) output and
    pybluemonday's; ``None`` when no category explains it."""
    if canonical(mine, name, frozenset()) == canonical(theirs, name, frozenset()):
        return "", "equal as parsed HTML"
    for k in range(1, len(_ATTRIBUTE_STEPS) + 1):
        for steps in itertools.combinations(_ATTRIBUTE_STEPS, k):
            s = frozenset(steps)
            if canonical(mine, name, s) == canonical(theirs, name, s):
                return ",".join(sorted(steps)), "attributes and bare elements"
    every = frozenset(_ATTRIBUTE_STEPS)
    a, b = canonical(mine, name, every), canonical(theirs, name, every)
    if D.max_depth(H.parse(theirs)) > _core.MAX_DEPTH >= D.max_depth(H.parse(mine)):
        return "depth-limit", "bluemonday nests deeper"
    if _text(a) == _text(b) and _starts(a) == _starts(b):
        return "token-stream", "same elements and text, nested differently"
    # Element kinds as sets: the tree builder may also re-open formatting elements (the
    # adoption agency), so one side can hold more copies of an element.
    if _subsequence(_text(a), _text(b)) and set(_starts(a)) <= set(_starts(b)):
        return "content-dropped", "htmlguard kept a part of bluemonday's elements and text"
    if _subsequence(_text(b), _text(a)) and set(_starts(b)) <= set(_starts(a)):
        return "content-skipped", "bluemonday kept a part of htmlguard's elements and text"
    return None, f"{a[:12]} != {b[:12]}"


# ---------------------------------------------------------------- the fixture


def actual_differences(peer: Peer) -> dict[tuple[str, str], dict[str, str]]:
    found: dict[tuple[str, str], dict[str, str]] = {}
    for name in RECIPES:
        for pid, payload in D.corpus_inputs():
            x = utf8(payload)
            mine, theirs = ours(name, x), peer.sanitize(name, x)
            if canonical(mine, name, frozenset()) != canonical(theirs, name, frozenset()):
                found[(name, pid)] = {"input": x, "htmlguard": mine, "pybluemonday": theirs}
    return found


LISTED = Listed(FIXTURE, "pybluemonday")


def _explain_key(key: tuple[str, str], outs: Mapping[str, str]) -> tuple[str | None, str]:
    return explain(key[0], outs["input"], outs["htmlguard"], outs["pybluemonday"])


def load_fixture() -> dict[tuple[str, str], dict[str, Any]]:
    return LISTED.load()


def write_fixture() -> None:
    header = {
        "about": "Differences, as parsed HTML, between htmlguard.compat.bluemonday and "
        "pybluemonday given the same builder calls (tests/compat/"
        "test_bluemonday_differential.py's RECIPES) on the XSS corpora and the nh3 "
        "differential's synthetic inputs. Regenerate with "
        "`python tests/compat/test_bluemonday_differential.py --write-fixture`.",
    }
    p = Peer()
    try:
        LISTED.write(actual_differences(p), _explain_key, CATEGORIES, header)
    finally:
        p.close()


# ---------------------------------------------------------------- tests


def test_every_category_is_documented() -> None:
    doc = (_TESTS.parent / "docs" / "migration.md").read_text(encoding="utf-8")
    assert all(f"| {c} |" in doc for c in CATEGORIES)


def test_plain_markup_is_equal(peer: Peer) -> None:
    markup = (
        '<p dir="ltr">Hi <b>there</b> &amp; <a href="https://x.org/?a=1">x</a></p>'
        "<ul><li>one</li></ul><table><tr><td colspan=2>c</td></tr></table>"
    )
    for name in RECIPES:
        mine, theirs = ours(name, markup), peer.sanitize(name, markup)
        assert canonical(mine, name, frozenset()) == canonical(theirs, name, frozenset()), name


def test_corpus_differences_are_exactly_the_listed_ones(peer: Peer) -> None:
    problems = LISTED.problems(actual_differences(peer), _explain_key)
    assert not problems, "\n".join(problems)


def test_listed_differences_are_explained() -> None:
    inputs = dict(D.corpus_inputs())
    for (name, pid), entry in load_fixture().items():
        category, detail = explain(
            name, utf8(inputs[pid]), entry["htmlguard"], entry["pybluemonday"]
        )
        assert category == entry["category"], f"{name} {pid}: {category} ({detail})"


@pytest.mark.parametrize("name", list(RECIPES))
@S.examples(100)
@given(x=S.inputs)
def test_generated_documents_agree_or_differ_for_a_listed_reason(
    peer: Peer, name: str, x: str
) -> None:
    x = utf8(x)
    mine, theirs = ours(name, x), peer.sanitize(name, x)
    category, detail = explain(name, x, mine, theirs)
    assert category is not None, f"shim {mine!r} != pybluemonday {theirs!r}: {detail}"


if __name__ == "__main__":
    main(__file__, FIXTURE, write_fixture)
