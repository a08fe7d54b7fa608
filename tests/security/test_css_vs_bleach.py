"""The `style` filter is at least as strict as bleach's ``CSSSanitizer`` (issue 14).

bleach keeps a declaration when its property is allowed, whatever its value; htmlguard also
drops values that load or hide something (`url()`, `image-set()`, `expression()`, `@`-rules,
escapes and comments that disguise them). So for every style and allowed-property set:
the declarations htmlguard keeps are among those bleach keeps (by property, counted), and
none of them holds a loading function, a URL token or an at-keyword, read back by tinycss2
(bleach's own CSS parser, a second reader beside the core's cssparser).
"""

from __future__ import annotations

import random
from collections import Counter
from html import escape
from html.parser import HTMLParser

import pytest
import tinycss2
from bleach import css_sanitizer

import htmlguard as hg

NAMES = [
    "color", "COLOR", "background", "background-image", "width", "behavior",
    "-moz-binding", "font-family", "--x", "margin", "list-style", "cursor", "content",
]  # fmt: skip
VALUES = [
    "red", "url(x)", 'URL("x")', "\\75 rl(x)", "u\\rl(x)", "\\000055RL(x)",
    "expression(alert(1))", "\\65 xpression(1)", 'image-set("a.png" 1x)',
    "-webkit-image-set(url(a.png) 1x)", "element(#x)", "cross-fade(url(a), red)", "paint(x)",
    "src(x)", '"a;b"', "'x'", "var(--y)", "attr(data-x)", "rgb(1, 2, 3)", "1px !important",
    "/* c */ red", "red /* url(x) */", "@import 'x'", "}", "{", "(", '"unterminated',
    "\\", "0 auto", "calc(1px + 2px)", "env(safe-area-inset-top)", "u/**/rl(x)",
    "image(x)", "url(javascript:alert(1))", "red;background:url(x)",
]  # fmt: skip
#: Functions that fetch or run something (the core's list, spelled as tinycss2 reports).
LOADING = {
    "url", "src", "image", "image-set", "-webkit-image-set", "element", "cross-fade",
    "-webkit-cross-fade", "expression", "paint",
}  # fmt: skip
ALLOWED_SETS = {
    "few": frozenset({"color", "background", "width", "font-family", "margin", "content"}),
    "bleach": css_sanitizer.ALLOWED_CSS_PROPERTIES,
    "all": frozenset(n.lower() for n in NAMES if not n.startswith("-")),
}


def styles() -> list[str]:
    one = [f"{n}: {v}" for n in NAMES for v in VALUES]
    rng = random.Random(14)
    joiners = [";", "; ", " ;", ";/* x */", ";;"]
    mixed = [
        rng.choice(joiners).join(rng.choice(one) for _ in range(rng.randint(2, 4)))
        for _ in range(1500)
    ]
    return one + mixed


class _StyleOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.style: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if tag == "span" and name == "style":
                self.style = value or ""


def ours(policy: hg.Policy, style: str) -> str:
    reader = _StyleOf()
    reader.feed(policy.sanitize(f'<span style="{escape(style)}">x</span>'))
    return reader.style or ""


def declarations(style: str) -> list[tinycss2.ast.Declaration]:
    return [
        d
        for d in tinycss2.parse_declaration_list(style, skip_comments=True, skip_whitespace=True)
        if d.type == "declaration"
    ]


def loading(tokens: list[tinycss2.ast.Node]) -> list[str]:
    """The loading functions, URL tokens and at-keywords anywhere in `tokens`."""
    found = []
    for t in tokens:
        if t.type == "function":
            if t.lower_name in LOADING:
                found.append(t.lower_name)
            found += loading(t.arguments)
        elif t.type in ("url", "at-keyword"):
            found.append(t.type)
        elif t.type in ("() block", "[] block", "{} block"):
            found += loading(t.content)
    return found


@pytest.mark.parametrize("allowed", list(ALLOWED_SETS))
def test_kept_declarations_are_a_subset_of_bleachs(allowed: str) -> None:
    props = ALLOWED_SETS[allowed]
    policy = hg.Policy(
        tags={"span"}, tag_attributes={"span": {"style"}}, filter_style_properties=set(props)
    )
    bleach = css_sanitizer.CSSSanitizer(
        allowed_css_properties=props, allowed_svg_properties=frozenset()
    )
    stricter = 0
    for style in styles():
        mine = declarations(ours(policy, style))
        theirs = declarations(bleach.sanitize_css(style))
        kept, kept_by_bleach = (
            Counter(d.lower_name for d in mine),
            Counter(d.lower_name for d in theirs),
        )
        assert not kept - kept_by_bleach, (style, ours(policy, style), theirs)
        for d in mine:
            assert not loading(d.value), (style, tinycss2.serialize(d.value))
        bleach_loads = any(loading(d.value) for d in theirs)
        stricter += bleach_loads
    # Not vacuous: bleach keeps loading values that htmlguard drops.
    assert stricter > 100
