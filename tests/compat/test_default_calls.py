"""The shims' module functions called with their defaults (``nh3.clean(html)``,
``bleach.clean(text)``, ``bleach.linkify(text)``), or ``nh3.clean`` with the same keyword
objects as a recent call, take a shortcut past converting and hashing the arguments: they
must give what the same arguments spelled out give, and still follow an argument changed in
place (bleach's ``ALLOWED_ATTRIBUTES`` and ``DEFAULT_CALLBACKS`` are mutable, and bleach
reads them on every call; a set passed to ``nh3.clean`` may change between calls)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from htmlguard.compat import bleach, nh3
from htmlguard.compat.bleach import callbacks

_TESTS = Path(__file__).resolve().parents[1]
if str(_TESTS / "security") not in sys.path:
    sys.path.insert(0, str(_TESTS / "security"))
import test_differential_nh3 as D  # noqa: E402

SAMPLES = [
    '<p title="t" onclick="x()">Hi <b>there</b> <a href="https://x.org/" rel="me">x</a></p>',
    "see https://example.org/a?b=1 and <script>alert(1)</script><blink>old</blink>",
    "<!-- c --><em>fine</em>\x01",
    *(payload for _, payload in D.corpus_inputs()),
]


def test_nh3_clean_with_defaults_is_a_default_cleaner() -> None:
    cleaner = nh3.Cleaner()
    for text in SAMPLES:
        assert nh3.clean(text) == cleaner.clean(text), text
        # strip_comments=1 is not True: the full path, with the same result.
        assert nh3.clean(text, strip_comments=1) == cleaner.clean(text), text


def test_nh3_clean_with_the_same_keyword_objects_follows_their_contents() -> None:
    tags = {"a", "b", "p"}
    attributes = {"a": {"href"}, "*": {"lang"}}
    text = '<p><a href="/x" title="t">x</a> <i>i</i> <b>b</b></p>'
    for _ in range(2):  # the second call reuses the first one's compiled policy
        got = nh3.clean(text, tags=tags, attributes=attributes)
        assert got == nh3.Cleaner(tags=tags, attributes=attributes).clean(text)
        assert "<i>" not in got and 'title="t"' not in got
    tags.add("i")
    attributes["a"].add("title")
    got = nh3.clean(text, tags=tags, attributes=attributes)
    assert "<i>i</i>" in got and 'title="t"' in got
    tags.add(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        nh3.clean(text, tags=tags, attributes=attributes)


def test_bleach_clean_with_defaults_is_a_default_cleaner() -> None:
    for strip in (False, True):
        for strip_comments in (False, True):
            cleaner = bleach.Cleaner(strip=strip, strip_comments=strip_comments)
            for text in SAMPLES:
                got = bleach.clean(text, strip=strip, strip_comments=strip_comments)
                assert got == cleaner.clean(text), text


def test_bleach_clean_follows_allowed_attributes_changed_in_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = '<abbr title="t" lang="en">x</abbr>'
    assert bleach.clean(text) == '<abbr title="t">x</abbr>'
    monkeypatch.setitem(bleach.ALLOWED_ATTRIBUTES, "abbr", ["title", "lang"])
    assert bleach.clean(text) == '<abbr title="t" lang="en">x</abbr>'


def test_bleach_linkify_with_defaults_is_a_default_linker() -> None:
    linker = bleach.Linker()
    for text in SAMPLES:
        assert bleach.linkify(text) == linker.linkify(text), text


def test_bleach_linkify_follows_default_callbacks_changed_in_place() -> None:
    text = "go to https://example.org/ now"
    assert 'rel="nofollow"' in bleach.linkify(text) and "_blank" not in bleach.linkify(text)
    bleach.DEFAULT_CALLBACKS.append(callbacks.target_blank)
    try:
        assert 'target="_blank"' in bleach.linkify(text)
    finally:
        bleach.DEFAULT_CALLBACKS.remove(callbacks.target_blank)
    assert "_blank" not in bleach.linkify(text)
