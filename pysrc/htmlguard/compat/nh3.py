"""nh3's API on htmlguard's core: ``from htmlguard.compat import nh3``.

Mirrors nh3 0.3.8 (ammonia 4.2): ``clean``, ``Cleaner``, ``clean_text``, ``escape``,
``is_html`` and the ``ALLOWED_*``/``CLEAN_CONTENT_TAGS`` constants, every keyword with nh3's
meaning and defaults (ammonia's tag, attribute and scheme lists, ``lang``/``title`` on every
element unless ``attributes`` has a ``"*"`` key, ``rel="noopener noreferrer"`` on links,
relative URLs passed through). Each distinct set of keywords compiles one
:class:`htmlguard.Policy`, cached, so repeated ``clean(html, **same_keywords)`` calls cost
what a reused ``Cleaner`` does.

Output is nh3's byte for byte except where htmlguard is deliberately stricter or
more careful (``docs/migration.md`` lists each case; ``tests/compat/test_nh3_differential.py``
checks it): URLs whose scheme hides behind invisible characters, legacy URL attributes
(``cite``, ``longdesc``, ...) checked against the schemes, the nesting limit, output that
re-parses to the same tree. Where nh3 panics (``PanicException``) htmlguard raises
:class:`~htmlguard.PolicyError`; options that would let script through (a ``script`` tag,
``on*`` attributes, ``javascript:``) are refused with it too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from htmlguard._core import Policy
from htmlguard.compat._common import (
    SVG_ANIMATION,
    is_url_attribute,
    report_unraisable,
)
from htmlguard.errors import PolicyError

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "ALLOWED_URL_SCHEMES",
    "CLEAN_CONTENT_TAGS",
    "Cleaner",
    "clean",
    "clean_text",
    "escape",
    "is_html",
]

# ammonia 4.2's Builder defaults (nh3 exports them as mutable sets; the shim keeps its own
# frozen copies, so changing the exported ones changes no default, as in nh3).
_TAGS = frozenset(
    {
        "a", "abbr", "acronym", "area", "article", "aside", "b", "bdi", "bdo", "blockquote",
        "br", "caption", "center", "cite", "code", "col", "colgroup", "data", "dd", "del",
        "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "footer", "h1",
        "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "i", "img", "ins", "kbd",
        "li", "map", "mark", "nav", "ol", "p", "pre", "q", "rp", "rt", "rtc", "ruby", "s",
        "samp", "small", "span", "strike", "strong", "sub", "summary", "sup", "table",
        "tbody", "td", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "wbr",
    }
)  # fmt: skip
_CELL = ("align", "char", "charoff")
_TAG_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "hreflang"}),
    "bdo": frozenset({"dir"}),
    "blockquote": frozenset({"cite"}),
    "col": frozenset({*_CELL, "span"}),
    "colgroup": frozenset({*_CELL, "span"}),
    "del": frozenset({"cite", "datetime"}),
    "hr": frozenset({"align", "size", "width"}),
    "img": frozenset({"align", "alt", "height", "src", "width"}),
    "ins": frozenset({"cite", "datetime"}),
    "ol": frozenset({"start"}),
    "q": frozenset({"cite"}),
    "table": frozenset({*_CELL, "summary"}),
    "tbody": frozenset(_CELL),
    "td": frozenset({*_CELL, "colspan", "headers", "rowspan"}),
    "tfoot": frozenset(_CELL),
    "th": frozenset({*_CELL, "colspan", "headers", "rowspan", "scope"}),
    "thead": frozenset(_CELL),
    "tr": frozenset(_CELL),
}
_GENERIC_ATTRIBUTES = frozenset({"lang", "title"})
_URL_SCHEMES = frozenset(
    {
        "bitcoin", "ftp", "ftps", "geo", "http", "https", "im", "irc", "ircs", "magnet",
        "mailto", "mms", "mx", "news", "nntp", "openpgp4fpr", "sip", "sms", "smsto", "ssh",
        "tel", "url", "webcal", "wtai", "xmpp",
    }
)  # fmt: skip
_CLEAN_CONTENT_TAGS = frozenset({"script", "style"})
_LINK_REL = "noopener noreferrer"

ALLOWED_TAGS: set[str] = set(_TAGS)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {t: set(a) for t, a in _TAG_ATTRIBUTES.items()}
ALLOWED_URL_SCHEMES: set[str] = set(_URL_SCHEMES)
CLEAN_CONTENT_TAGS: set[str] = set(_CLEAN_CONTENT_TAGS)

UrlRelative = str | tuple[str, str] | tuple[str, str, str] | Callable[[str], str | None]
AttributeFilter = Callable[[str, str, str], str | None]

_Names = frozenset[str]
_NameMap = tuple[tuple[str, _Names], ...]


def _names(option: str, value: Iterable[str]) -> _Names:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{option} must be a set of str, got {type(value).__name__}")
    names = frozenset(value)
    for n in names:
        if not isinstance(n, str):
            raise TypeError(f"{option} must hold str, got {type(n).__name__}")
    return names


def _name_map(option: str, value: Mapping[str, Iterable[str]]) -> _NameMap:
    if not isinstance(value, Mapping):
        raise TypeError(f"{option} must be a dict, got {type(value).__name__}")
    return tuple(sorted((str(k), _names(option, v)) for k, v in value.items()))


@dataclass(frozen=True)
class _Config:
    """nh3's keywords, hashable (so equal keywords share a compiled policy)."""

    tags: _Names | None
    clean_content_tags: _Names | None
    attributes: _NameMap | None
    attribute_filter: AttributeFilter | None
    strip_comments: bool
    link_rel: str | None
    generic_attribute_prefixes: _Names | None
    tag_attribute_values: tuple[tuple[str, _NameMap], ...] | None
    set_tag_attribute_values: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] | None
    url_schemes: _Names | None
    allowed_classes: _NameMap | None
    filter_style_properties: _Names | None
    url_relative: Any
    id_prefix: str | None


def _config(
    tags: AbstractSet[str] | None,
    clean_content_tags: AbstractSet[str] | None,
    attributes: Mapping[str, AbstractSet[str]] | None,
    attribute_filter: AttributeFilter | None,
    strip_comments: bool,
    link_rel: str | None,
    generic_attribute_prefixes: AbstractSet[str] | None,
    tag_attribute_values: Mapping[str, Mapping[str, AbstractSet[str]]] | None,
    set_tag_attribute_values: Mapping[str, Mapping[str, str]] | None,
    url_schemes: AbstractSet[str] | None,
    allowed_classes: Mapping[str, AbstractSet[str]] | None,
    filter_style_properties: AbstractSet[str] | None,
    url_relative: UrlRelative | None,
    id_prefix: str | None,
) -> _Config:
    def opt(name: str, v: Any, conv: Callable[[str, Any], Any]) -> Any:
        return None if v is None else conv(name, v)

    def values2(name: str, v: Mapping[str, Mapping[str, AbstractSet[str]]]) -> Any:
        return tuple(sorted((str(t), _name_map(name, m)) for t, m in v.items()))

    def strings2(name: str, v: Mapping[str, Mapping[str, str]]) -> Any:
        out = []
        for t, m in v.items():
            for s in m.values():
                if not isinstance(s, str):
                    raise TypeError(f"{name} values must be str, got {type(s).__name__}")
            out.append((str(t), tuple(sorted((str(a), s) for a, s in m.items()))))
        return tuple(sorted(out))

    def text(name: str, v: Any) -> str:
        if not isinstance(v, str):
            raise TypeError(f"{name} must be str or None, got {type(v).__name__}")
        return v

    return _Config(
        tags=opt("tags", tags, _names),
        clean_content_tags=opt("clean_content_tags", clean_content_tags, _names),
        attributes=opt("attributes", attributes, _name_map),
        attribute_filter=attribute_filter,
        strip_comments=bool(strip_comments),
        link_rel=opt("link_rel", link_rel, text),
        generic_attribute_prefixes=opt(
            "generic_attribute_prefixes", generic_attribute_prefixes, _names
        ),
        tag_attribute_values=opt("tag_attribute_values", tag_attribute_values, values2),
        set_tag_attribute_values=opt(
            "set_tag_attribute_values", set_tag_attribute_values, strings2
        ),
        url_schemes=opt("url_schemes", url_schemes, _names),
        allowed_classes=opt("allowed_classes", allowed_classes, _name_map),
        filter_style_properties=opt("filter_style_properties", filter_style_properties, _names),
        url_relative=url_relative,
        id_prefix=opt("id_prefix", id_prefix, text),
    )


# ---------------------------------------------------------------- nh3's own checks


def _url_relative(value: Any) -> Any:
    """nh3's ``url_relative`` as htmlguard's (a callable is returned as is), with nh3's
    errors for a malformed one."""
    if value is None:
        return "pass"
    if isinstance(value, str):
        if value == "pass_through":
            return "pass"
        if value == "deny":
            return "deny"
        raise PolicyError(
            f'invalid url_relative string "{value}"; expected "pass_through" or "deny"'
        )
    if isinstance(value, tuple):
        if not value:
            raise PolicyError("url_relative tuple must not be empty")
        mode = value[0]
        if not isinstance(mode, str):
            raise PolicyError("url_relative tuple mode must be a string")
        if mode == "rewrite_with_base":
            if len(value) != 2:
                raise PolicyError(
                    'url_relative ("rewrite_with_base", base_url) expects exactly 2 elements'
                )
            if not isinstance(value[1], str):
                raise PolicyError("url_relative rewrite_with_base base_url must be a string")
            return {"base": value[1]}
        if mode == "rewrite_with_root":
            if len(value) != 3:
                raise PolicyError(
                    'url_relative ("rewrite_with_root", root_url, path) expects exactly 3 elements'
                )
            if not isinstance(value[1], str):
                raise PolicyError("url_relative rewrite_with_root root_url must be a string")
            if not isinstance(value[2], str):
                raise PolicyError("url_relative rewrite_with_root path must be a string")
            return {"root": value[1], "path": value[2]}
        raise PolicyError(
            f'invalid url_relative mode "{mode}"; expected "rewrite_with_base" or '
            '"rewrite_with_root"'
        )
    if callable(value):
        return value
    raise TypeError("url_relative must be a string, a tuple, or a callable")


def _check_like_nh3(c: _Config, tags: _Names, attributes: Mapping[str, _Names] | None) -> None:
    """The combinations nh3 refuses with ``ValueError`` (as ``PolicyError``, a ValueError),
    in nh3's order and words."""
    if c.link_rel is not None and attributes is not None:
        for tag, names in attributes.items():
            if "rel" in names:
                raise PolicyError(
                    f'"rel" attribute is not allowed for tag "{tag}" when link_rel is set; '
                    'pass link_rel=None to manage the "rel" attribute directly'
                )
    for tag in sorted(c.clean_content_tags or ()):
        if tag in tags:
            raise PolicyError(
                f'tag "{tag}" cannot appear in both `tags` and `clean_content_tags`; either '
                "remove it from `clean_content_tags` or pass an explicit `tags` set that "
                "excludes it"
            )
    if c.tag_attribute_values is not None and attributes is not None:
        generic = attributes.get("*", frozenset())
        for tag, by_attr in c.tag_attribute_values:
            for attr, _ in by_attr:
                if attr in attributes.get(tag, frozenset()) or attr in generic:
                    raise PolicyError(
                        f'attribute "{attr}" on tag "{tag}" is whitelisted in both '
                        "`attributes` and `tag_attribute_values`, which are alternates; "
                        "`attributes` already permits every value, so the "
                        "`tag_attribute_values` whitelist would be silently ignored. Drop "
                        f'"{attr}" from `attributes` (the "{tag}" entry or "*") to restrict '
                        "it by value"
                    )


# ---------------------------------------------------------------- nh3 -> Policy

#: A scheme as ``url::Url`` reports it (lowercase); ammonia never matches any other entry.
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*\Z")


@dataclass(frozen=True)
class _Compiled:
    policy: Policy
    #: The callback for ``Policy.sanitize_with``, when nh3 would call Python per attribute.
    attribute_filter: AttributeFilter | None

    def clean(self, html: str) -> str:
        if self.attribute_filter is None:
            return self.policy.sanitize(html)
        return self.policy.sanitize_with(html, attribute_filter=self.attribute_filter)


@functools.lru_cache(maxsize=256)
def _compile(c: _Config) -> _Compiled:
    if c.attribute_filter is not None and not callable(c.attribute_filter):
        raise TypeError("attribute_filter must be callable")
    url_relative = _url_relative(c.url_relative)
    tags = _TAGS if c.tags is None else c.tags
    attributes = None if c.attributes is None else dict(c.attributes)
    _check_like_nh3(c, tags, attributes)

    if attributes is None:
        tag_attributes: dict[str, _Names] = dict(_TAG_ATTRIBUTES)
        generic = _GENERIC_ATTRIBUTES
    else:
        tag_attributes = {t: a for t, a in attributes.items() if t != "*"}
        # ammonia keeps its default generic attributes unless "*" replaces them.
        generic = attributes.get("*", _GENERIC_ATTRIBUTES)
    # ammonia compares schemes with url's lowercase one: any other entry never matches.
    schemes = frozenset(
        s for s in (_URL_SCHEMES if c.url_schemes is None else c.url_schemes) if _SCHEME.match(s)
    )
    url_callback = url_relative if callable(url_relative) else None
    if url_callback is not None:
        url_relative = "pass"  # the callback decides, after the core's checks
    if not schemes and url_relative == "deny":
        # No URL can pass: a URL attribute is removed wherever it appears (the core
        # refuses to be told to allow one, so it is left out instead).
        tag_attributes = {
            t: frozenset(a for a in names if not is_url_attribute(t, a))
            for t, names in tag_attributes.items()
        }
        generic = frozenset(a for a in generic if not any(is_url_attribute(t, a) for t in tags))

    options: dict[str, Any] = {
        "tags": tags,
        "clean_content_tags": _CLEAN_CONTENT_TAGS
        if c.clean_content_tags is None
        else c.clean_content_tags,
        "tag_attributes": tag_attributes,
        "generic_attributes": generic,
        "strip_comments": c.strip_comments,
        "link_rel": c.link_rel,
        "url_schemes": schemes,
        "url_relative": url_relative,
        "id_prefix": c.id_prefix,
        "filter_style_properties": c.filter_style_properties,
    }
    if c.generic_attribute_prefixes is not None:
        options["generic_attribute_prefixes"] = c.generic_attribute_prefixes
    if c.tag_attribute_values is not None:
        options["tag_attribute_values"] = {t: dict(m) for t, m in c.tag_attribute_values}
    if c.set_tag_attribute_values is not None:
        options["set_tag_attribute_values"] = {t: dict(m) for t, m in c.set_tag_attribute_values}
    if c.allowed_classes is not None:
        options["allowed_classes"] = dict(c.allowed_classes)
    policy = Policy(**options)

    if c.attribute_filter is None and url_callback is None:
        return _Compiled(policy, None)
    return _Compiled(policy, _attribute_callback(c.attribute_filter, url_callback, schemes))


def _is_relative(url: str) -> bool:
    """ammonia's ``is_url_relative``: ``url::Url::parse`` finds no scheme."""
    squeezed = url.strip("".join(map(chr, range(0x21)))).translate(_TAB_NEWLINE)
    return not _HAS_SCHEME.match(squeezed)


_TAB_NEWLINE = {ord("\t"): None, ord("\n"): None, ord("\r"): None}
_HAS_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")


def _ammonia_url_attribute(tag: str, attr: str) -> bool:
    """The attributes ammonia rewrites with ``url_relative``."""
    return (
        (tag not in SVG_ANIMATION and attr in ("href", "xlink:href"))
        or attr == "src"
        or (tag == "form" and attr == "action")
        or (tag == "object" and attr == "data")
        or (tag in ("button", "input") and attr == "formaction")
        or (tag == "a" and attr == "ping")
        or (tag == "video" and attr == "poster")
    )


def _attribute_callback(
    user_filter: AttributeFilter | None,
    url_callback: Callable[[str], str | None] | None,
    schemes: _Names,
) -> AttributeFilter:
    """One callback doing what ammonia does per kept attribute: ``attribute_filter`` first,
    then a ``url_relative`` callable on relative URLs. As in nh3 0.3.8, a callback that
    raises or returns neither str nor None removes the attribute, and the error goes to
    ``sys.unraisablehook``. A URL the ``url_relative`` callable returns must still pass
    ``url_schemes`` (ammonia does not check it again; htmlguard does not let a callback
    add a ``javascript:`` URL)."""

    def callback(element: str, attribute: str, value: str) -> str | None:
        if user_filter is not None:
            try:
                new = user_filter(element, attribute, value)
            except Exception as e:
                report_unraisable(e, (element, attribute, value))
                return None
            if new is None:
                return None
            if not isinstance(new, str):
                report_unraisable(
                    TypeError("expected attribute_filter to return str or None"),
                    (element, attribute, value),
                )
                return None
            value = new
        if (
            url_callback is not None
            and _ammonia_url_attribute(element, attribute)
            and _is_relative(value)
        ):
            try:
                url = url_callback(value)
            except Exception as e:
                report_unraisable(e, None)
                return None
            if url is None:
                return None
            if not isinstance(url, str):
                report_unraisable(
                    TypeError("expected url_relative callback to return str or None"), None
                )
                return None
            if not _is_relative(url):
                m = _HAS_SCHEME.match(url.strip("".join(map(chr, range(0x21)))))
                if m is None or m.group(1).lower() not in schemes:
                    return None
            value = url
        return value

    return callback


# ---------------------------------------------------------------- the API


class Cleaner:
    """nh3's reusable sanitizer: the keywords of :func:`clean`, compiled once."""

    __slots__ = ("_compiled",)

    def __init__(
        self,
        tags: AbstractSet[str] | None = None,
        clean_content_tags: AbstractSet[str] | None = None,
        attributes: Mapping[str, AbstractSet[str]] | None = None,
        attribute_filter: AttributeFilter | None = None,
        strip_comments: bool = True,
        link_rel: str | None = _LINK_REL,
        generic_attribute_prefixes: AbstractSet[str] | None = None,
        tag_attribute_values: Mapping[str, Mapping[str, AbstractSet[str]]] | None = None,
        set_tag_attribute_values: Mapping[str, Mapping[str, str]] | None = None,
        url_schemes: AbstractSet[str] | None = None,
        allowed_classes: Mapping[str, AbstractSet[str]] | None = None,
        filter_style_properties: AbstractSet[str] | None = None,
        url_relative: UrlRelative | None = None,
        id_prefix: str | None = None,
    ) -> None:
        self._compiled = _compiled_for(
            _config(
                tags,
                clean_content_tags,
                attributes,
                attribute_filter,
                strip_comments,
                link_rel,
                generic_attribute_prefixes,
                tag_attribute_values,
                set_tag_attribute_values,
                url_schemes,
                allowed_classes,
                filter_style_properties,
                url_relative,
                id_prefix,
            )
        )

    @property
    def policy(self) -> Policy:
        """The htmlguard policy this cleaner runs (for ``inspect``, ``sanitize_many``...)."""
        return self._compiled.policy

    def clean(self, html: str) -> str:
        """Sanitize an HTML fragment."""
        return self._compiled.clean(html)


def clean(
    html: str,
    tags: AbstractSet[str] | None = None,
    clean_content_tags: AbstractSet[str] | None = None,
    attributes: Mapping[str, AbstractSet[str]] | None = None,
    attribute_filter: AttributeFilter | None = None,
    strip_comments: bool = True,
    link_rel: str | None = _LINK_REL,
    generic_attribute_prefixes: AbstractSet[str] | None = None,
    tag_attribute_values: Mapping[str, Mapping[str, AbstractSet[str]]] | None = None,
    set_tag_attribute_values: Mapping[str, Mapping[str, str]] | None = None,
    url_schemes: AbstractSet[str] | None = None,
    allowed_classes: Mapping[str, AbstractSet[str]] | None = None,
    filter_style_properties: AbstractSet[str] | None = None,
    url_relative: UrlRelative | None = None,
    id_prefix: str | None = None,
) -> str:
    """Sanitize an HTML fragment with nh3's keywords (see :class:`Cleaner`)."""
    if (
        tags is None
        and clean_content_tags is None
        and attributes is None
        and attribute_filter is None
        and strip_comments is True
        and link_rel is _LINK_REL
        and generic_attribute_prefixes is None
        and tag_attribute_values is None
        and set_tag_attribute_values is None
        and url_schemes is None
        and allowed_classes is None
        and filter_style_properties is None
        and url_relative is None
        and id_prefix is None
    ):
        # nh3's defaults, the usual call: skip building and hashing the keywords (most of
        # the cost of a call on a short field).
        return _default_policy().sanitize(html)
    args = (
        tags,
        clean_content_tags,
        attributes,
        attribute_filter,
        strip_comments,
        link_rel,
        generic_attribute_prefixes,
        tag_attribute_values,
        set_tag_attribute_values,
        url_schemes,
        allowed_classes,
        filter_style_properties,
        url_relative,
        id_prefix,
    )
    # The same keyword objects as a recent call (module constants, typically), holding what
    # they held then: that call's compiled policy, without converting them again (the
    # conversion is most of a call's cost on a short field).
    key = tuple(map(id, args))
    recent = _RECENT.get(key)
    if recent is not None:
        # The entry holds the objects it was made for, so equal ids are the same objects.
        _held, held_contents, compiled = recent
        if args == held_contents:
            return compiled.clean(html)
    compiled = _compiled_for(_config(*args))
    contents = _snapshot(args)
    if contents is not None:
        if len(_RECENT) >= _RECENT_SIZE:
            _RECENT.clear()
        _RECENT[key] = (args, contents, compiled)
    return compiled.clean(html)


#: Recent ``clean`` calls with keywords: their ids → (the objects, a copy of their contents
#: then, the compiled form). Holding the objects keeps their ids from being reused.
_RECENT: dict[tuple[int, ...], tuple[tuple[Any, ...], tuple[Any, ...], _Compiled]] = {}
_RECENT_SIZE = 64


def _snapshot(args: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """A copy of ``clean``'s keyword values that compares equal to them while their contents
    stay the same (sets become frozensets, dicts are copied down to them), or None when one
    is of a type this does not copy (it is then converted on every call)."""

    def frozen(v: Any) -> Any:
        if v is None or type(v) in (bool, str, frozenset):
            return v
        if type(v) is set:
            return frozenset(v)
        if type(v) is tuple and all(type(x) is str for x in v):
            return v
        if type(v) is dict:
            return {k: frozen(x) for k, x in v.items()}
        raise _NotCopied

    # attribute_filter and url_relative may be callables: the same object is the same
    # keyword (it is called at sanitizing time, whatever it holds).
    callables = (3, 12)
    try:
        return tuple(v if i in callables and callable(v) else frozen(v) for i, v in enumerate(args))
    except _NotCopied:
        return None


class _NotCopied(Exception):
    pass


@functools.cache
def _default_policy() -> Policy:
    """The policy of ``clean(html)`` with every keyword left at its default."""
    # No attribute_filter and no url_relative callable: the compiled form has no callback.
    none = None
    config = _config(none, none, none, none, True, _LINK_REL, *(none,) * 8)
    return _compile(config).policy


def _compiled_for(config: _Config) -> _Compiled:
    """The cached compile, or a fresh one for keywords that cannot be hashed (a callback
    object without ``__hash__``, a malformed ``url_relative``, which then gets nh3's
    error)."""
    try:
        hash(config)
    except TypeError:
        return _compile.__wrapped__(config)
    return _compile(config)


#: ammonia's ``clean_text``: every character with a meaning to an HTML parser, escaped.
_TEXT_ESCAPES = str.maketrans(
    {
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&apos;",
        "`": "&grave;",
        "/": "&#47;",
        "&": "&amp;",
        "=": "&#61;",
        " ": "&#32;",
        "\t": "&#9;",
        "\n": "&#10;",
        "\x0c": "&#12;",
        "\r": "&#13;",
        "\0": "&#65533;",
    }
)


def clean_text(html: str, tags: AbstractSet[str] | None = None) -> str:
    """Escape ``html`` so it is text wherever HTML takes text (in attributes too); with
    ``tags``, keep those tags (``lang``/``title`` on them, as nh3 does) and drop others."""
    if tags is None:
        if not isinstance(html, str):
            raise TypeError(f"html must be str, got {type(html).__name__}")
        return html.translate(_TEXT_ESCAPES)
    return clean(html, tags=tags, attributes={}, link_rel=None)


#: nh3's preferred name for :func:`clean_text`.
escape = clean_text

_WS = "\t\n\x0c\r "
#: The first place the data state leaves text: a NUL, a comment, doctype or bogus comment
#: (``<!``, ``<?``, ``</`` not followed by a letter or ``>``), or a tag's name (``</?``
#: and an ASCII letter). ``</>`` and a ``<`` followed by anything else are text.
_NOT_TEXT = re.compile(r"\0|<[!?]|</?([A-Za-z])|</[^>]")
#: One attribute in a tag, as the tokenizer reads it: a name (its first character may be
#: ``=``), then, if an ``=`` follows, a value: quoted, unquoted, or none before ``>``.
_ATTRIBUTE = (
    rf"[^{_WS}/>][^{_WS}/>=]*(?![^{_WS}/>=])"
    rf"(?:[{_WS}]*=[{_WS}]*(?:\"[^\"]*\"|'[^']*'|[^{_WS}>\"'][^{_WS}>]*|(?=>))|(?![{_WS}]*=))"
)
#: The rest of a tag from its name's second character, up to the ``>`` that ends it (no
#: match: the input ends inside the tag, which the tokenizer then drops). Each piece is
#: matched in a lookahead and taken by a backreference, which makes it atomic (Python 3.10
#: has no atomic groups): a failing match gives back one piece at a time, so it stays
#: linear in the length of the tag.
_TAG_END = re.compile(rf"(?=([^{_WS}/>]*))\1(?:(?=([{_WS}/]*{_ATTRIBUTE}|[{_WS}/]+))\2)*>")


def is_html(html: str) -> bool:
    """Whether ``html`` holds any HTML syntax: as ammonia, whether the HTML tokenizer
    produces a token other than text (a tag, even one like ``<g>``, a comment, a doctype, a
    NUL)."""
    if not isinstance(html, str):
        raise TypeError(f"html must be str, got {type(html).__name__}")
    m = _NOT_TEXT.search(html)
    if m is None:
        return False
    if m.group(1) is not None:
        # A tag: emitted once its ">" comes; the tokenizer reads to the end of the input
        # looking for it, so this tag decides.
        return _TAG_END.match(html, m.end()) is not None
    return True
