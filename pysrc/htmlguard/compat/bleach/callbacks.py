"""bleach's ``bleach.callbacks`` for :func:`~htmlguard.compat.bleach.linkify` and
:class:`~htmlguard.compat.bleach.linkifier.Linker`: each takes bleach's ``attrs`` (keys
``(None, "href")``, ``"_text"``...) and ``new`` and returns ``attrs`` (or None to drop the
link)."""

from __future__ import annotations

from typing import Any

__all__ = ["nofollow", "target_blank"]

_HREF = (None, "href")


def nofollow(attrs: dict[Any, str], new: bool = False) -> dict[Any, str]:
    """Add ``nofollow`` to ``rel`` of every link that is not ``mailto:``."""
    href = attrs.get(_HREF)
    if href is None or href.startswith("mailto:"):
        return attrs
    rel = [v for v in attrs.get((None, "rel"), "").split(" ") if v]
    if "nofollow" not in (v.lower() for v in rel):
        rel.append("nofollow")
    attrs[(None, "rel")] = " ".join(rel)
    return attrs


def target_blank(attrs: dict[Any, str], new: bool = False) -> dict[Any, str]:
    """Open every link that is not ``mailto:`` in a new browsing context."""
    href = attrs.get(_HREF)
    if href is None or href.startswith("mailto:"):
        return attrs
    attrs[(None, "target")] = "_blank"
    return attrs
