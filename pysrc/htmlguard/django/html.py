"""``SanitizedHTML``: a ``str`` known to be the output of one policy, marked safe."""

from __future__ import annotations

from typing import Any

from django.utils.safestring import SafeString

from .._core import Policy

__all__ = ["SanitizedHTML", "plain"]


class SanitizedHTML(SafeString):
    """`policy`'s output: safe to render as HTML (Django's templates and Jinja2 do not escape
    it), and not sanitized again by a field with an equal policy.

    Only the fields and the form field make these; any change to the string (``+``,
    slicing, a filter) gives a plain ``str``/``SafeString`` that is sanitized again where
    it is stored.
    """

    policy: Policy

    def __new__(cls, value: str, policy: Policy) -> SanitizedHTML:
        self = super().__new__(cls, value)
        self.policy = policy
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # str's own pickling would drop the policy
        return (SanitizedHTML, (str.__str__(self), self.policy))

    def __deepcopy__(self, memo: dict[int, Any]) -> SanitizedHTML:
        return self  # immutable


def plain(value: object) -> str:
    """`value` as an exact ``str``: a ``SafeString`` loses its mark (so a widget escapes it
    once), a lazy translation string is evaluated, anything else goes through ``str()``."""
    if isinstance(value, str):
        return str.__str__(value)  # an exact copy of a str subclass, __str__ not consulted
    return str(value)
