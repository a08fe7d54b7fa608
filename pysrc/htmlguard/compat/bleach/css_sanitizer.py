"""bleach's ``bleach.css_sanitizer`` on htmlguard's core: ``CSSSanitizer`` names the CSS
properties kept in ``style`` attributes, which the shim's :class:`~.sanitizer.Cleaner` maps to
the ``filter_style_properties`` option. htmlguard's filter is stricter than bleach's (which
keeps any value of an allowed property): a declaration whose value loads or hides something
(``url()``, ``expression()``, an ``@``-rule) is dropped too. Needs no tinycss2."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from htmlguard._core import Policy

__all__ = ["ALLOWED_CSS_PROPERTIES", "ALLOWED_SVG_PROPERTIES", "CSSSanitizer"]

# bleach 6.4's default property lists (names of CSS properties).
ALLOWED_CSS_PROPERTIES = frozenset(
    {
        "azimuth", "background-color", "border-bottom-color", "border-collapse",
        "border-color", "border-left-color", "border-right-color", "border-top-color",
        "clear", "color", "cursor", "direction", "display", "elevation", "float", "font",
        "font-family", "font-size", "font-style", "font-variant", "font-weight", "height",
        "letter-spacing", "line-height", "overflow", "pause", "pause-after", "pause-before",
        "pitch", "pitch-range", "richness", "speak", "speak-header", "speak-numeral",
        "speak-punctuation", "speech-rate", "stress", "text-align", "text-decoration",
        "text-indent", "unicode-bidi", "vertical-align", "voice-family", "volume",
        "white-space", "width",
    }
)  # fmt: skip
ALLOWED_SVG_PROPERTIES = frozenset(
    {
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-linecap", "stroke-linejoin",
        "stroke-opacity", "stroke-width",
    }
)  # fmt: skip


def _names(option: str, value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{option} must be a collection of str, got {type(value).__name__}")
    names = frozenset(value)
    for n in names:
        if not isinstance(n, str):
            raise TypeError(f"{option} must hold str, got {type(n).__name__}")
    return names


class CSSSanitizer:
    """The CSS properties a ``style`` attribute may keep (bleach compares lowercased
    property names, so only lowercase entries can match)."""

    def __init__(
        self,
        allowed_css_properties: Iterable[str] = ALLOWED_CSS_PROPERTIES,
        allowed_svg_properties: Iterable[str] = ALLOWED_SVG_PROPERTIES,
    ) -> None:
        self.allowed_css_properties = _names("allowed_css_properties", allowed_css_properties)
        self.allowed_svg_properties = _names("allowed_svg_properties", allowed_svg_properties)
        self._policy: Policy | None = None

    @property
    def properties(self) -> frozenset[str]:
        """Every property kept: both lists, as ``filter_style_properties`` takes them."""
        return frozenset(
            p for p in self.allowed_css_properties | self.allowed_svg_properties if p.islower()
        )

    def sanitize_css(self, style: str) -> str:
        """The declarations of ``style`` htmlguard keeps, as the attribute's new value."""
        if not isinstance(style, str):
            raise TypeError(f"style must be str, got {type(style).__name__}")
        if self._policy is None:
            self._policy = Policy(
                tags={"span"},
                tag_attributes={"span": {"style"}},
                filter_style_properties=self.properties,
            )
        out = self._policy.sanitize('<span style="' + _attr_escape(style) + '"></span>')
        m = _STYLE.match(out)
        return html.unescape(m.group(1)) if m else ""

    def __repr__(self) -> str:
        return f"CSSSanitizer(properties={sorted(self.properties)!r})"


_STYLE = re.compile(r'<span style="([^"]*)"')


def _attr_escape(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;")
