"""bleach's ``bleach.linkifier`` on htmlguard's core (not yet mapped: ``Cleaner(filters=...)``
raises :class:`UnsupportedOptionError`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from htmlguard.compat._common import UnsupportedOptionError


def _linkify_config_from_filters(filters: Iterable[Any]) -> Any:
    raise UnsupportedOptionError(
        "filters: htmlguard runs no html5lib filters; LinkifyFilter is not mapped yet"
    )
