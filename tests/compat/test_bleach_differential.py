"""The bleach shim against the real bleach (6.4.0, the test extra's pin), same arguments to
both: five ``Cleaner`` argument sets (one with ``LinkifyFilter``) and ``linkify(clean(x))``.

Outputs are compared as parsed HTML (html5lib, as a ``<div>``'s innerHTML, through
``fuzz/atheris_sanitize.py``'s canonical dump): attribute order and quoting may differ.
Every remaining difference has a category (:data:`CATEGORIES`, each documented in
``docs/migration.md``), verified by :func:`explain`; corpus differences (the XSS corpora and
the nh3 differential's synthetic inputs) are listed one by one in
``tests/security/fixtures/compat_bleach_differences.json`` (checked both ways: unlisted,
changed or vanished entries fail), generated documents must each be explained. Regenerate
after a deliberate change: ``python tests/compat/test_bleach_differential.py --write-fixture``.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
import sys
import warnings
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from htmlguard import _core
from htmlguard.compat import bleach as shim
from htmlguard.compat._common import is_url_attribute
from htmlguard.compat.bleach.css_sanitizer import CSSSanitizer as ShimCSS

real = pytest.importorskip("bleach", reason="bleach is not installed for this Python")
RealCSS = pytest.importorskip("bleach.css_sanitizer").CSSSanitizer
pytest.importorskip("bleach.linkifier")

_TESTS = Path(__file__).resolve().parents[1]
for _p in (_TESTS, _TESTS / "security", _TESTS.parent / "fuzz"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))
import atheris_sanitize as H  # noqa: E402
import html_strategies as S  # noqa: E402
import test_differential_nh3 as D  # noqa: E402
from listed_differences import Listed, main  # noqa: E402

FIXTURE = _TESTS / "security" / "fixtures" / "compat_bleach_differences.json"

_RICH_TAGS = [
    "a", "b", "i", "p", "div", "span", "img", "table", "tr", "td", "th", "thead", "tbody",
    "ul", "ol", "li", "pre", "code", "br", "hr", "blockquote", "h1", "h2", "em", "strong",
]  # fmt: skip


def _allow_some(tag: str, name: str, value: str) -> bool:
    return name in ("href", "src", "title") or name.startswith("data-")


def configs(css: Any, linkify_filter: Any, cbs: Any) -> dict[str, dict[str, Any]]:
    """bleach ``Cleaner`` argument sets compared: the defaults (escaping), ``strip``, one
    using every argument, a callable ``attributes`` with protocols that leave out http (so
    bleach's anchor-only rule for relative URLs applies), and ``LinkifyFilter``."""
    linkify = functools.partial(
        linkify_filter, callbacks=[cbs.nofollow, cbs.target_blank], parse_email=True
    )
    return {
        "defaults": {},
        "strip": {"strip": True},
        "rich": {
            "tags": _RICH_TAGS,
            "attributes": {
                "*": ["title", "class"],
                "a": ["href", "rel"],
                "img": ["src", "alt", "width"],
                "p": ["style"],
                "span": ["style"],
            },
            "protocols": ["https", "mailto"],
            "strip": True,
            "strip_comments": False,
            "css_sanitizer": css(allowed_css_properties=["color", "font-weight"]),
        },
        "callable": {"tags": _RICH_TAGS, "attributes": _allow_some, "protocols": ["mailto", "ftp"]},
        "linkify": {"tags": _RICH_TAGS, "strip": True, "filters": [linkify]},
    }


SHIM_CONFIGS = configs(ShimCSS, shim.linkifier.LinkifyFilter, shim.callbacks)
REAL_CONFIGS = configs(RealCSS, real.linkifier.LinkifyFilter, real.callbacks)
SHIM_CLEANERS = {name: shim.Cleaner(**kw) for name, kw in SHIM_CONFIGS.items()}
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    REAL_CLEANERS = {name: real.Cleaner(**kw) for name, kw in REAL_CONFIGS.items()}

CATEGORIES = {
    "url-rules": "the two check URLs differently: bleach finds the scheme with Python's "
    "urlparse, which misses some (javascript:123 reads as a port, a scheme after an "
    "undecoded reference), and checks other attributes; htmlguard refuses schemes hidden by "
    "invisible characters and checks every URL attribute it knows",
    "char-refs": "a character reference in an escaped tag is shown as written by htmlguard; "
    "bleach writes it back as a reference (and leaves some in attribute values undecoded, so "
    "they are shown escaped)",
    "escaped-tag-text": "the text an escaped tag becomes differs: htmlguard shows a tag cut "
    "off by the end of the input and drops a bogus comment (</ x>, <//x>) as the HTML "
    "standard reads it; bleach drops a tag cut off inside a quoted value and shows a bogus "
    "comment as text",
    "style-filter": "htmlguard's style filter is stricter than bleach's CSSSanitizer (a value "
    "that loads or hides something, or is not plain CSS, is dropped) and writes what it keeps "
    "without spaces or a final ';'",
    "comment-text": "bleach escapes &, <, >, quotes inside a kept comment; htmlguard keeps "
    "the comment's text as parsed",
    "pre-newline": "htmlguard keeps a newline that starts a <pre> (writing it twice, as a "
    "parser drops one); bleach drops it",
    "stripped-tag-text": "with strip=True bleach's tokenizer still shows as text what it "
    "reads as a broken tag: a bogus comment (</ x>, <//x>) and a tag cut off by the end of "
    'the input; htmlguard\'s disallowed="drop" reads them as the HTML standard does (a '
    "comment, dropped unless comments are kept; nothing)",
    "token-stream": "with strip=True both build the tree from the same tokens (a stripped "
    "tag an empty text, or a newline), but html5lib's tree builder departs from the HTML "
    "standard in places htmlguard's follows: the same elements and text, nested differently",
    "content-dropped": "htmlguard drops content bleach keeps: what <svg>, <math> and "
    "<template> hold where its namespace check refuses it",
    "content-kept": "htmlguard keeps as text what bleach drops: part of a malformed tag "
    "(</script </>) that bleach's tokenizer cuts short",
    "link-finding": "the two find links in text differently: bleach's pattern also links "
    "bare domains (example.com) and ends a URL at other characters; htmlguard's linkify "
    "scanner links URLs written with a scheme (and e-mail addresses), leaving trailing "
    "punctuation and unbalanced brackets outside",
    "linkify-policy": "the shim's linkify sanitizes with the relaxed preset, whose patterns "
    "drop a title with markup characters; bleach's linkify keeps any attribute",
    "depth-limit": f"htmlguard unwraps elements nested deeper than {_core.MAX_DEPTH}",
}


#: Every comparison: the cleaners, and bleach's usual ``linkify(clean(text))``.
NAMES = [*SHIM_CONFIGS, "clean-then-linkify"]


def ours(name: str, x: str) -> str:
    if name == "clean-then-linkify":
        return shim.linkify(SHIM_CLEANERS["defaults"].clean(x))
    return SHIM_CLEANERS[name].clean(x)


def theirs(name: str, x: str) -> str:
    if name == "clean-then-linkify":
        made: str = real.linkify(REAL_CLEANERS["defaults"].clean(x))
        return made
    out: str = REAL_CLEANERS[name].clean(x)
    return out


def valid(x: str) -> str:
    """What both can take: lone surrogates as U+FFFD."""
    return x.encode("utf-8", "replace").decode("utf-8")


# ---------------------------------------------------------------- explaining a difference

Event = tuple[str, ...]

_TAG_TEXT = re.compile(r"<[^>]*(?:>|\Z)")
_WS = re.compile(r"\s+")


def _unescape(s: str) -> str:
    for _ in range(3):
        t = html.unescape(s)
        if t == s:
            break
        s = t
    return s


def _unlink_made_links(events: list[Event]) -> list[Event]:
    """Unwrap each link linkify made (its text, without a scheme, is in its href)."""
    out: list[Event] = []
    dropping: list[bool] = []
    for i, e in enumerate(events):
        if e[:2] == ("start", "a"):
            text = events[i + 1][1] if i + 1 < len(events) and events[i + 1][0] == "text" else ""
            href = next((a[5:] for a in e[2:] if a.startswith("href=")), None)
            bare = re.sub(r"^[a-z]+:(//)?", "", text)
            drop = href is not None and bool(bare) and bare in href
            dropping.append(drop)
            if drop:
                continue
        elif e == ("end", "a") and dropping:
            if dropping.pop():
                continue
        out.append(e)
    return out


def _step(events: list[Event], step: str) -> list[Event]:
    if step == "link-finding":
        events = _unlink_made_links(events)
    if step == "linkify-policy":
        events = [
            e[:2] + tuple(a for a in e[2:] if not a.startswith("title=")) if e[0] == "start" else e
            for e in events
        ]
    out: list[Event] = []
    after_pre = False
    for e in events:
        kind = e[0]
        if kind == "start":
            _, tag = H.split_name(e[1])
            attrs = []
            for a in e[2:]:
                k, _, v = a.partition("=")
                if step == "url-rules" and (
                    is_url_attribute(tag, k)
                    or k == "xml:base"
                    # the link callbacks set these only on links with an href
                    or (tag == "a" and k in ("rel", "target"))
                ):
                    continue
                if step == "style-filter" and k == "style":
                    continue
                if step in ("char-refs", "escaped-tag-text"):
                    v = _unescape(v)
                attrs.append(f"{k}={v}")
            out.append((kind, e[1], *sorted(attrs)))
            after_pre = tag == "pre"
            continue
        if kind == "text":
            s = e[1]
            if step == "pre-newline" and after_pre:
                s = s.lstrip("\n")
            if step == "char-refs":
                s = _unescape(s)
            if step in ("escaped-tag-text", "stripped-tag-text"):
                s = _TAG_TEXT.sub("", _unescape(s))
            e = (kind, s)
        elif kind == "comment" and step == "comment-text":
            e = (kind, _unescape(e[1]))
        elif kind == "comment" and step == "stripped-tag-text":
            continue  # a bogus comment, kept by a policy that keeps comments
        after_pre = False
        out.append(e)
    merged: list[Event] = []
    for e in out:
        if e[0] == "text":
            if not e[1]:
                continue
            if merged and merged[-1][0] == "text":
                merged[-1] = ("text", merged[-1][1] + e[1])
                continue
        merged.append(e)
    return merged


def canonical(markup: str, steps: tuple[str, ...]) -> list[Event]:
    events = H.dump(H.parse(markup))
    for step in steps:
        events = _step(events, step)
    return events


_STEPS = (
    "url-rules",
    "char-refs",
    "escaped-tag-text",
    "style-filter",
    "comment-text",
    "pre-newline",
    "link-finding",
    "linkify-policy",
    # Last: it also drops comments, so a comment difference is comment-text's.
    "stripped-tag-text",
)


def _text(events: list[Event]) -> str:
    return _WS.sub("", "".join(e[1] for e in events if e[0] == "text"))


def _starts(events: list[Event]) -> Counter[Event]:
    return Counter(e for e in events if e[0] == "start")


def _subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(c in it for c in small)


def explain(name: str, x: str, mine: str, bleachs: str) -> tuple[str | None, str]:
    """``(category, detail)`` for a difference between the shim's output and bleach's under
    config ``name`` for input ``x``; ``""`` when equal as parsed HTML, ``None`` when no
    category explains it."""
    strip = SHIM_CONFIGS.get(name, {}).get("strip", False)
    # The same text step, named for the mode whose tags it is about.
    unused = "escaped-tag-text" if strip else "stripped-tag-text"
    usable = tuple(s for s in _STEPS if s != unused)
    if canonical(mine, ()) == canonical(bleachs, ()):
        return "", "equal as parsed HTML"
    for k in range(1, 4):
        for steps in itertools.combinations(usable, k):
            if canonical(mine, steps) == canonical(bleachs, steps):
                return ",".join(sorted(steps)), "attributes and text details"
    a, b = canonical(mine, usable), canonical(bleachs, usable)
    if D.max_depth(H.parse(bleachs)) > _core.MAX_DEPTH >= D.max_depth(H.parse(mine)):
        return "depth-limit", "bleach nests deeper"
    if _text(a) == _text(b) and _starts(a) == _starts(b):
        return "token-stream", "same elements and text, nested differently"
    # Element kinds as sets: the tree builder may re-open formatting elements.
    if _subsequence(_text(a), _text(b)) and set(_starts(a)) <= set(_starts(b)):
        return "content-dropped", "htmlguard kept a part of bleach's elements and text"
    if _subsequence(_text(b), _text(a)) and set(_starts(b)) <= set(_starts(a)):
        return "content-kept", "bleach kept a part of htmlguard's elements and text"
    return None, f"{a[:12]} != {b[:12]}"


# ---------------------------------------------------------------- the fixture


def actual_differences() -> dict[tuple[str, str], dict[str, str]]:
    found: dict[tuple[str, str], dict[str, str]] = {}
    for name in NAMES:
        for pid, payload in D.corpus_inputs():
            x = valid(payload)
            mine, bleachs = ours(name, x), theirs(name, x)
            if canonical(mine, ()) != canonical(bleachs, ()):
                found[(name, pid)] = {"input": x, "htmlguard": mine, "bleach": bleachs}
    return found


LISTED = Listed(FIXTURE, "bleach")


def _explain_key(key: tuple[str, str], outs: Mapping[str, str]) -> tuple[str | None, str]:
    return explain(key[0], outs["input"], outs["htmlguard"], outs["bleach"])


def load_fixture() -> dict[tuple[str, str], dict[str, Any]]:
    return LISTED.load()


def write_fixture() -> None:
    header = {
        "about": "Differences, as parsed HTML, between htmlguard.compat.bleach and bleach 6.4.0 "
        "given the same arguments (tests/compat/test_bleach_differential.py's configs) on the "
        "XSS corpora and the nh3 differential's synthetic inputs. Regenerate with "
        "`python tests/compat/test_bleach_differential.py --write-fixture`.",
    }
    LISTED.write(actual_differences(), _explain_key, CATEGORIES, header)


# ---------------------------------------------------------------- tests


def test_every_category_is_documented() -> None:
    doc = (_TESTS.parent / "docs" / "migration.md").read_text(encoding="utf-8")
    assert all(f"| {c} |" in doc for c in CATEGORIES)


def test_plain_markup_is_equal() -> None:
    markup = (
        '<p dir="ltr">Hi <b>there</b> &amp; <a href="https://x.org/?a=1" title="t">x</a></p>'
        "<ul><li>one</li></ul><blockquote>q</blockquote><a href='/rel'>r</a>"
        '<a href="#top">t</a><span>s</span><!-- c -->'
    )
    for name in NAMES:
        mine, bleachs = ours(name, markup), theirs(name, markup)
        assert canonical(mine, ()) == canonical(bleachs, ()), name


def test_corpus_differences_are_exactly_the_listed_ones() -> None:
    problems = LISTED.problems(actual_differences(), _explain_key)
    assert not problems, "\n".join(problems)


def test_listed_differences_are_explained() -> None:
    inputs = dict(D.corpus_inputs())
    for (name, pid), entry in load_fixture().items():
        category, detail = explain(name, valid(inputs[pid]), entry["htmlguard"], entry["bleach"])
        assert category == entry["category"], f"{name} {pid}: {category} ({detail})"


@pytest.mark.parametrize("name", NAMES)
@S.examples(100)
@given(x=S.inputs)
def test_generated_documents_agree_or_differ_for_a_listed_reason(name: str, x: str) -> None:
    x = valid(x)
    mine, bleachs = ours(name, x), theirs(name, x)
    category, detail = explain(name, x, mine, bleachs)
    assert category is not None, f"shim {mine!r} != bleach {bleachs!r}: {detail}"


if __name__ == "__main__":
    main(__file__, FIXTURE, write_fixture)
