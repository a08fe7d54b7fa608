"""What both shims share: their error, the core's list of URL attributes, and reporting an
exception a callback raised without raising it."""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass
from types import TracebackType

from htmlguard.errors import PolicyError

__all__ = ["SVG_ANIMATION", "UnsupportedOptionError", "is_url_attribute", "report_unraisable"]


class UnsupportedOptionError(PolicyError):
    """A compat shim cannot honour an option or builder call: it would let script through,
    or it needs a feature htmlguard's core does not have. The message names the call and
    why. A :class:`~htmlguard.PolicyError`, so also a ``ValueError``."""


#: SVG animation elements: their ``href`` names the animated element, not a URL.
SVG_ANIMATION = frozenset({"animate", "animateMotion", "animateTransform", "set", "animateColor"})

#: URL attributes the core checks on every element (``EXTRA_URL_ATTRS`` in
#: ``rust/policy/rules.rs``; ``tests/compat/test_common.py`` holds the two equal).
_EXTRA_URL_ATTRIBUTES = frozenset(
    {
        "cite", "longdesc", "background", "codebase", "manifest", "action", "formaction",
        "poster", "ping", "lowsrc", "dynsrc",
    }
)  # fmt: skip


def is_url_attribute(tag: str, attr: str) -> bool:
    """Whether the core checks ``attr`` on ``tag`` against ``url_schemes``/``url_relative``
    (``is_url_attr`` and ``EXTRA_URL_ATTRS`` in ``rust/policy/rules.rs``)."""
    return (
        (tag not in SVG_ANIMATION and attr in ("href", "xlink:href"))
        or attr == "src"
        or (tag == "object" and attr == "data")
        or attr in _EXTRA_URL_ATTRIBUTES
    )


@dataclass
class _Unraisable:
    """The fields of ``sys.UnraisableHookArgs`` (whose type Python does not expose)."""

    exc_type: type[BaseException]
    exc_value: BaseException | None
    exc_traceback: TracebackType | None
    err_msg: str | None
    object: object


def report_unraisable(exc: BaseException, obj: object) -> None:
    """Hand ``exc`` to ``sys.unraisablehook`` as nh3 does for a failing callback (the
    default hook only takes its own type, so its output is written here instead)."""
    if sys.unraisablehook is sys.__unraisablehook__:
        lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
        sys.stderr.write(f"Exception ignored in: {obj!r}\n" + "".join(lines))
        return
    sys.unraisablehook(_Unraisable(type(exc), exc, exc.__traceback__, None, obj))
