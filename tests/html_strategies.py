"""Shared by the property and differential tests: hypothesis strategies for HTML-ish
input and the hypothesis settings. Not a test module (no ``test_`` prefix); the test
modules import it by name (``tests/conftest.py`` puts ``tests/`` on ``sys.path``).

The vocabulary and the html5lib checker come from the atheris harness
(``fuzz/atheris_sanitize.py``, on ``sys.path`` the same way).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

_ROOT = Path(__file__).resolve().parents[1]


import atheris_sanitize as H  # noqa: E402 (fuzz/ is on sys.path, see conftest.py)

_SCALE = float(os.environ.get("HTMLGUARD_HYPOTHESIS_EXAMPLES", "1"))


def examples(n: int) -> Any:
    """Settings for one property: ``n`` examples (scaled), reproducible, no deadline."""
    return settings(
        max_examples=max(1, int(n * _SCALE)),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )


# ---------------------------------------------------------------- strategies
# Built from flat draws (sampled_from, tuples, lists + map) rather than @composite, which
# costs several times more per example.


def _variants(name: str) -> list[str]:
    """``name`` in lower, upper and alternating case."""
    mixed = "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(name))
    return list(dict.fromkeys([name, name.lower(), name.upper(), mixed]))


tag_names = st.sampled_from([v for t in H.TAGS for v in _variants(t)])
attribute_names = st.sampled_from([v for a in H.ATTRIBUTES for v in _variants(a)])
odd_chars = st.sampled_from(H.CHARS)
short_text = st.one_of(
    st.text(max_size=8),
    st.lists(st.one_of(odd_chars, st.characters()), max_size=6).map("".join),
)
attribute_values = st.one_of(st.sampled_from(H.VALUES), short_text)


def _attribute(parts: tuple[str, str, str]) -> tuple[str, str | None, str]:
    name, value, quote = parts
    if quote == "=":  # unquoted
        return name, "".join(c for c in value if not c.isspace() and c != ">") or "x", ""
    if quote == "":  # no value
        return name, None, ""
    return name, value, quote


attribute = st.tuples(attribute_names, attribute_values, st.sampled_from(['"', "'", "=", ""])).map(
    _attribute
)


def _start_tag(parts: tuple[str, list[tuple[str, str | None, str]], bool]) -> str:
    name, attrs, self_closing = parts
    return str(H.start_tag(name, attrs, self_closing))


start_tag = st.tuples(tag_names, st.lists(attribute, max_size=3), st.booleans()).map(_start_tag)


def _element(parts: tuple[str, list[str], int]) -> str:
    """A start tag, content, and (usually) the matching end tag."""
    tag, children, end = parts
    name = tag[1:].split(" ", 1)[0].rstrip("/>")
    closing = (f"</{name}>", f"</{name.upper()}>", "")[end % 3]
    return tag + "".join(children) + closing


leaf = st.one_of(
    start_tag,
    tag_names.map(lambda t: f"</{t}>"),
    st.sampled_from(H.MARKUP_NOISE + H.ENTITIES),
    odd_chars,
    short_text,
    st.sampled_from(["x", "hello ", "a b", "1 < 2", "Fish & chips", "\u00a0"]),
)

html_ish = st.recursive(
    st.lists(leaf, max_size=5).map("".join),
    lambda kids: st.one_of(
        st.tuples(start_tag, st.lists(kids, max_size=3), st.integers(0, 3)).map(_element),
        st.lists(kids, min_size=1, max_size=3).map("".join),
    ),
    max_leaves=12,
)

#: Every input strategy: arbitrary text, and HTML-ish text.
inputs = st.one_of(st.text(), html_ish)

#: Large enough that ``sanitize_async`` hands off to a worker thread and that
#: ``sanitize_many`` spreads a batch over threads.
PAD = "<p>padding &amp; " + "x" * 9000 + "</p>"
