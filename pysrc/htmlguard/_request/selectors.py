"""Which policy applies to a form field or a JSON string: the middleware's ``fields``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from fnmatch import translate
from functools import lru_cache

from .._core import Policy, resolve_policy


class FieldRules:
    """Selectors in the order given, each with its compiled policy.

    A form field matches a selector by its whole name (a glob); a JSON string by its path,
    one glob per dotted segment against one key or array index. The first match wins;
    ``default`` covers every other text value. In these globs only ``*`` and ``?`` are
    wildcards: brackets are literal, so ``comment[*]`` matches ``comment[0]``.
    """

    __slots__ = ("rules", "default", "_form", "_json")

    def __init__(
        self, fields: Mapping[str, str | Policy] | None, default: str | Policy | None
    ) -> None:
        if fields is not None and not isinstance(fields, Mapping):
            raise TypeError(f"fields must be a mapping of selector to policy, got {fields!r}")
        rules: list[tuple[re.Pattern[str], tuple[re.Pattern[str], ...], Policy]] = []
        for selector, policy in (fields or {}).items():
            if not isinstance(selector, str) or not selector:
                raise ValueError(f"a field selector must be a non-empty str, got {selector!r}")
            segments = tuple(_glob(s) for s in selector.split("."))
            rules.append((_glob(selector), segments, resolve_policy(policy)))
        self.rules = tuple(rules)
        self.default = None if default is None else resolve_policy(default)
        # Names and paths repeat from request to request; matching is cached per instance.
        self._form = lru_cache(maxsize=4096)(self._match_form)
        self._json = lru_cache(maxsize=4096)(self._match_json)

    def __bool__(self) -> bool:
        return bool(self.rules) or self.default is not None

    def form(self, name: str) -> Policy | None:
        return self._form(name)

    def json(self, path: tuple[str, ...]) -> Policy | None:
        return self._json(path)

    def _match_form(self, name: str) -> Policy | None:
        for selector, _, policy in self.rules:
            if selector.fullmatch(name):
                return policy
        return self.default

    def _match_json(self, path: tuple[str, ...]) -> Policy | None:
        for _, segments, policy in self.rules:
            if len(segments) == len(path) and all(
                glob.fullmatch(key) for key, glob in zip(path, segments, strict=True)
            ):
                return policy
        return self.default


def _glob(pattern: str) -> re.Pattern[str]:
    """`*` is any run of characters and `?` one character; brackets are literal.

    `fnmatch` alone reads `[...]` as a character class, so the documented ``comment[*]``
    would match only the name ``comment*``, never ``comment[0]`` (PHP and Rails arrays).
    Its translation is kept for the rest: it does not backtrack badly on long names.
    """
    return re.compile(translate(pattern.replace("[", "[[]")))
