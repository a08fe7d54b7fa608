"""bleach's ``bleach.linkifier`` on htmlguard's core: ``linkify``, ``Linker`` and
``LinkifyFilter`` (for ``Cleaner(filters=[...])``), over the ``linkify`` options and
``Policy.sanitize_with(link_callbacks=...)``.

Differences by design (``docs/migration.md``): links are found by htmlguard's ``linkify``
(URLs with a scheme and, with ``parse_email``, e-mail addresses; bare domains such as
``example.com`` are not linked), so custom ``url_re``/``email_re`` patterns are refused; and
unlike bleach's, this ``linkify`` never returns unsanitized HTML: it sanitizes with a policy,
by default htmlguard's ``relaxed`` preset (its tags and attributes, ``rel`` and ``target``
left to the callbacks), or the ``policy`` given.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from htmlguard._core import Policy
from htmlguard.compat._common import UnsupportedOptionError
from htmlguard.compat.bleach import callbacks as _callbacks

__all__ = [
    "DEFAULT_CALLBACKS",
    "EMAIL_RE",
    "URL_RE",
    "Linker",
    "LinkifyFilter",
    "build_email_re",
    "build_url_re",
    "linkify",
]

#: bleach's callback shape: ``callback(attrs, new) -> attrs | None`` where ``attrs`` has
#: ``(namespace, name)`` keys and ``"_text"``.
BleachCallback = Callable[[dict[Any, str], bool], Any]

DEFAULT_CALLBACKS: list[BleachCallback] = [_callbacks.nofollow]


class _Pattern:
    """Stands for bleach's default link pattern: htmlguard finds links with the ``linkify``
    crate, not with a regular expression."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<htmlguard's {self.name}>"


URL_RE = _Pattern("URL_RE")
EMAIL_RE = _Pattern("EMAIL_RE")


def build_url_re(*args: Any, **kwargs: Any) -> Any:
    """Refused: a custom URL pattern cannot be used (links are found by the core)."""
    raise UnsupportedOptionError(
        "build_url_re: htmlguard finds links with its linkify scanner; custom TLD or "
        "protocol patterns cannot be used"
    )


def build_email_re(*args: Any, **kwargs: Any) -> Any:
    """Refused: a custom e-mail pattern cannot be used (addresses are found by the core)."""
    raise UnsupportedOptionError(
        "build_email_re: htmlguard finds e-mail addresses with its linkify scanner; custom "
        "patterns cannot be used"
    )


def _adapt(callback: BleachCallback) -> Callable[[dict[str, str], bool], dict[str, str] | None]:
    """A bleach callback as a ``link_callbacks`` entry: attribute names become bleach's
    ``(None, name)`` keys and back."""

    def run(attrs: dict[str, str], new: bool) -> dict[str, str] | None:
        theirs: dict[Any, str] = {(k if k == "_text" else (None, k)): v for k, v in attrs.items()}
        out = callback(theirs, new)
        if out is None:
            return None
        return {(k[1] if isinstance(k, tuple) else k): v for k, v in out.items()}

    return run


def _callback_tuple(callbacks: Iterable[BleachCallback] | None) -> tuple[BleachCallback, ...]:
    cbs = tuple(callbacks or ())
    for cb in cbs:
        if not callable(cb):
            raise TypeError(f"callbacks must be callables, got {type(cb).__name__}")
    return cbs


def _skip(skip_tags: Iterable[str] | None) -> frozenset[str]:
    if skip_tags is None:
        return frozenset()
    if isinstance(skip_tags, (str, bytes)):
        raise TypeError("skip_tags must be a collection of str")
    out = frozenset(skip_tags)
    for t in out:
        if not isinstance(t, str):
            raise TypeError(f"skip_tags must hold str, got {type(t).__name__}")
    return out


def _check_patterns(url_re: Any, email_re: Any) -> None:
    if url_re is not URL_RE:
        raise UnsupportedOptionError(
            "url_re: htmlguard finds links with its linkify scanner; a custom pattern cannot "
            "be used"
        )
    if email_re is not EMAIL_RE:
        raise UnsupportedOptionError(
            "email_re: htmlguard finds e-mail addresses with its linkify scanner; a custom "
            "pattern cannot be used"
        )


@dataclass(frozen=True)
class _LinkifyConfig:
    """What linkifying adds to a policy: the options and bleach's callbacks."""

    callbacks: tuple[BleachCallback, ...]
    skip_tags: frozenset[str]
    parse_email: bool

    def options(self) -> dict[str, Any]:
        return {
            "linkify": True,
            "linkify_email": self.parse_email,
            "linkify_skip_tags": self.skip_tags,
        }

    def link_callbacks(self) -> tuple[Callable[[dict[str, str], bool], Any], ...]:
        return tuple(_adapt(cb) for cb in self.callbacks)


class LinkifyFilter:
    """bleach's html5lib filter, as a marker for ``Cleaner(filters=[LinkifyFilter])`` or
    ``Cleaner(filters=[functools.partial(LinkifyFilter, callbacks=..., skip_tags=...,
    parse_email=...)])``: the cleaner's policy then makes the links itself. It cannot run
    on an html5lib stream."""

    def __init__(
        self,
        source: Any,
        callbacks: Iterable[BleachCallback] | None = DEFAULT_CALLBACKS,
        skip_tags: Iterable[str] | None = None,
        parse_email: bool = False,
        url_re: Any = URL_RE,
        email_re: Any = EMAIL_RE,
    ) -> None:
        raise UnsupportedOptionError(
            "LinkifyFilter: htmlguard runs no html5lib filters; pass it to "
            "Cleaner(filters=[...]) instead"
        )


def _linkify_config_from_filters(filters: Iterable[Any]) -> _LinkifyConfig:
    """The linkify configuration of ``Cleaner(filters=...)``, which may hold only
    :class:`LinkifyFilter` (bare or as a ``functools.partial``), once."""
    found: list[dict[str, Any]] = []
    for f in filters:
        if f is LinkifyFilter:
            found.append({})
        elif isinstance(f, functools.partial) and f.func is LinkifyFilter and not f.args:
            found.append(dict(f.keywords))
        else:
            raise UnsupportedOptionError(
                f"filters: htmlguard runs no html5lib filters ({f!r}); only LinkifyFilter "
                "maps, onto the linkify options"
            )
    if len(found) != 1:
        raise UnsupportedOptionError("filters: LinkifyFilter can be given once")
    kw = found[0]
    unknown = set(kw) - {"callbacks", "skip_tags", "parse_email", "url_re", "email_re"}
    if unknown:
        raise TypeError(f"LinkifyFilter got unexpected keywords {sorted(unknown)}")
    _check_patterns(kw.get("url_re", URL_RE), kw.get("email_re", EMAIL_RE))
    return _LinkifyConfig(
        _callback_tuple(kw.get("callbacks", DEFAULT_CALLBACKS)),
        _skip(kw.get("skip_tags")),
        bool(kw.get("parse_email", False)),
    )


@functools.cache
def _default_policy() -> Policy:
    """``relaxed`` with ``rel`` and ``target`` on links left to the callbacks."""
    spec = Policy.preset("relaxed").to_dict()
    spec["link_rel"] = None
    tag_attributes = {t: set(a) for t, a in spec["tag_attributes"].items()}
    tag_attributes.setdefault("a", set()).update({"rel", "target"})
    spec["tag_attributes"] = tag_attributes
    return Policy(**spec)


@functools.lru_cache(maxsize=64)
def _linkify_policy(base: Policy, config: _LinkifyConfig) -> Policy:
    try:
        return base.derive(**config.options())
    except UnsupportedOptionError:
        raise
    except ValueError as e:
        raise UnsupportedOptionError(f"linkify: {e}") from e


class Linker:
    """bleach's ``Linker``: ``linkify(text)`` makes links in text, sanitizing with
    ``policy`` (default: ``relaxed`` with ``rel``/``target`` left to the callbacks).
    ``recognized_tags`` is bleach's list of tags it parses as HTML; the policy decides
    here, so another list is refused."""

    def __init__(
        self,
        callbacks: Iterable[BleachCallback] | None = DEFAULT_CALLBACKS,
        skip_tags: Iterable[str] | None = None,
        parse_email: bool = False,
        url_re: Any = URL_RE,
        email_re: Any = EMAIL_RE,
        recognized_tags: Iterable[str] | None = None,
        *,
        policy: Policy | None = None,
    ) -> None:
        _check_patterns(url_re, email_re)
        if recognized_tags is not None:
            raise UnsupportedOptionError(
                "recognized_tags: the policy decides which tags are kept; pass policy= instead"
            )
        if policy is not None and not isinstance(policy, Policy):
            raise TypeError(f"policy must be an htmlguard.Policy, got {type(policy).__name__}")
        self._config = _LinkifyConfig(_callback_tuple(callbacks), _skip(skip_tags), parse_email)
        self._policy = _linkify_policy(policy or _default_policy(), self._config)
        self._callbacks = list(self._config.link_callbacks())

    @property
    def policy(self) -> Policy:
        """The htmlguard policy (with ``linkify`` on) this linker runs."""
        return self._policy

    def linkify(self, text: str) -> str:
        """Sanitize ``text`` and link the URLs (and e-mail addresses) in it."""
        if not isinstance(text, str):
            raise TypeError(
                f"argument cannot be of {type(text).__name__!r} type, must be of text type"
            )
        if not text:
            return ""
        return self._policy.sanitize_with(text, link_callbacks=self._callbacks or None)


def linkify(
    text: str,
    callbacks: Iterable[BleachCallback] | None = DEFAULT_CALLBACKS,
    skip_tags: Iterable[str] | None = None,
    parse_email: bool = False,
) -> str:
    """bleach's ``linkify`` (see :class:`Linker`)."""
    if (
        callbacks is _DEFAULT_CALLBACK_LIST
        and skip_tags is None
        and parse_email is False
        and len(callbacks) == 1
        and callbacks[0] is _DEFAULT_CALLBACK
    ):
        # bleach's defaults, the usual call: one Linker, instead of one built per call.
        # DEFAULT_CALLBACKS is a mutable list, hence the check of what it holds.
        return _default_linker().linkify(text)
    return Linker(callbacks=callbacks, skip_tags=skip_tags, parse_email=parse_email).linkify(text)


# The default as ``linkify`` was defined with it (the module names can be rebound).
_DEFAULT_CALLBACK_LIST = DEFAULT_CALLBACKS
_DEFAULT_CALLBACK = _callbacks.nofollow


@functools.cache
def _default_linker() -> Linker:
    """The linker of ``linkify(text)`` with bleach's default arguments."""
    return Linker(callbacks=[_DEFAULT_CALLBACK])
