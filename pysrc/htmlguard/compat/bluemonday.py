"""bluemonday's policy builder on htmlguard's core: ``from htmlguard.compat import bluemonday``.

Stands in for pybluemonday (and follows bluemonday v1.0.27's Go API, which pybluemonday
mirrors): ``UGCPolicy()``, ``StrictPolicy()``, ``NewPolicy()``, the builder methods with
their Go names, chaining where Go's do (``p.AllowAttrs("href").OnElements("a")``), and
``sanitize(html)`` (also ``Sanitize``). The builder compiles an :class:`htmlguard.Policy`
on first use and again only after it changes; sanitizing is safe from any number of
threads (pybluemonday's Go map of policies aborts the interpreter there), and the output
is not Unicode-normalised (pybluemonday applies NFKD to it).

Every method maps onto htmlguard options (element-name and scheme patterns, sandbox
values and spaces where tags are stripped included), or, for what the core's options cannot
say (calls taking a Python callable, style value checks, per-element style properties, rel
on fully-qualified links only, bluemonday's attribute rules for elements kept by pattern),
onto hooks run through ``Policy.sanitize_with``, whose results the core checks again.
:class:`~htmlguard.compat.UnsupportedOptionError` is raised, naming the call and why, for
``AllowUnsafe(True)`` (it only lets script through), for patterns that cannot be read, and,
when the policy is compiled, for combinations that would let script through or that the
core refuses (a URL attribute while URLs are unchecked, ``style`` unfiltered beside
filtered). What maps to what and the output differences that remain (elements bluemonday
drops once bare, rel placement, URL parsing, tree versus token stream):
``docs/migration.md``, checked by ``tests/compat/test_bluemonday_differential.py``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import html
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import IntEnum, unique
from typing import Any, NamedTuple, NoReturn, TypeAlias

from htmlguard._core import Policy as _Policy
from htmlguard.compat._common import UnsupportedOptionError, is_url_attribute
from htmlguard.errors import PolicyError

__all__ = [
    "CellAlign",
    "CellVerticalAlign",
    "Direction",
    "ISO8601",
    "ImageAlign",
    "Integer",
    "ListType",
    "NewPolicy",
    "Number",
    "NumberOrPercent",
    "Paragraph",
    "Policy",
    "SandboxValue",
    "SpaceSeparatedTokens",
    "StrictPolicy",
    "UGCPolicy",
    "URL",
]

# bluemonday's exported patterns (helpers.go), as pattern strings: the core's regex syntax
# (Rust ``regex``) reads RE2's.
CellAlign = r"(?i)^(center|justify|left|right|char)$"
CellVerticalAlign = r"(?i)^(baseline|bottom|middle|top)$"
Direction = r"(?i)^(rtl|ltr)$"
ImageAlign = r"(?i)^(left|right|top|texttop|middle|absmiddle|baseline|bottom|absbottom)$"
Integer = r"^[0-9]+$"
ISO8601 = (
    r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2}([ T][0-9]{2}(:[0-9]{2}){1,2}(.[0-9]{1,6})"
    r"?Z?([\+-][0-9]{2}:[0-9]{2})?)?)?)?$"
)
ListType = r"(?i)^(circle|disc|square|a|A|i|I|1)$"
SpaceSeparatedTokens = r"^([\s\p{L}\p{N}_-]+)$"
Number = r"^[-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$"
NumberOrPercent = r"^[0-9]+[%]?$"
Paragraph = r"^[\p{L}\p{N}\s\-_',\[\]!\./\\\(\)]*$"

Pattern = str | re.Pattern[str]


@unique
class SandboxValue(IntEnum):
    """bluemonday's ``SandboxValue``: the tokens ``RequireSandboxOnIFrame`` may keep."""

    SandboxAllowDownloads = 0
    SandboxAllowDownloadsWithoutUserActivation = 1
    SandboxAllowForms = 2
    SandboxAllowModals = 3
    SandboxAllowOrientationLock = 4
    SandboxAllowPointerLock = 5
    SandboxAllowPopups = 6
    SandboxAllowPopupsToEscapeSandbox = 7
    SandboxAllowPresentation = 8
    SandboxAllowSameOrigin = 9
    SandboxAllowScripts = 10
    SandboxAllowStorageAccessByUserActivation = 11
    SandboxAllowTopNavigation = 12
    SandboxAllowTopNavigationByUserActivation = 13


#: The ``sandbox`` token of each ``SandboxValue``.
_SANDBOX_TOKENS = {
    v: "allow-" + re.sub(r"(?<!^)(?=[A-Z])", "-", v.name.removeprefix("SandboxAllow")).lower()
    for v in SandboxValue
}

#: Elements bluemonday keeps without attributes (``addDefaultElementsWithoutAttrs``).
_BARE_ELEMENTS = frozenset(
    """abbr acronym address article aside audio b bdi blockquote body br button canvas
    caption center cite code col colgroup datalist dd del details dfn div dl dt em fieldset
    figcaption figure footer h1 h2 h3 h4 h5 h6 head header hgroup hr html i ins kbd li mark
    marquee nav ol optgroup option p picture pre q rp rt ruby s samp script section select
    small span strike strong style sub summary sup svg table tbody td textarea tfoot th
    thead title time tr tt u ul var video wbr""".split()
)
#: Elements whose content bluemonday drops with them (``addDefaultSkipElementContent``).
_SKIP_CONTENT = frozenset(
    "frame frameset iframe noembed noframes noscript nostyle object script style title".split()
)
#: Never kept by bluemonday without AllowUnsafe, content included.
_UNSAFE = frozenset({"script", "style"})
_CROSSORIGIN_ELEMENTS = ("audio", "img", "link", "script", "video")
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*\Z")

#: ``None``: any value; else a pattern string the value must match (searched).
_AttrRule = str | None

#: How a style declaration's value is checked: None (htmlguard's CSS filter alone), a
#: pattern (a :class:`_ValuePattern`, searched), a set of values, or a callable.
_StyleCheck: TypeAlias = "_ValuePattern | frozenset[str] | Callable[[str], bool] | None"

#: Elements whose ``src`` ``RewriteSrc`` rewrites (bluemonday's list).
_SRC_ELEMENTS = frozenset({"audio", "embed", "iframe", "img", "script", "source", "track", "video"})
#: Prefixes bluemonday strips from a property name before looking up its policy.
_VENDOR_PREFIXES = (
    "-webkit-", "-moz-", "-ms-", "-o-", "mso-", "-xv-", "-atsc-", "-wap-", "-khtml-",
    "prince-", "-ah-", "-hp-", "-ro-", "-rim-", "-tc-",
)  # fmt: skip
_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_DATA_IMAGE = re.compile(r"image/(gif|jpeg|png|svg\+xml|webp);base64,")


@dataclass
class URL:
    """A URL as bluemonday's URL callbacks see Go's ``*url.URL``: its parts as written (not
    percent-decoded), with Go's field names, changeable in place; ``String()`` (or
    ``str()``) writes it back."""

    Scheme: str = ""
    Opaque: str = ""
    User: str = ""
    Host: str = ""
    Path: str = ""
    RawQuery: str = ""
    Fragment: str = ""

    @classmethod
    def parse(cls, raw: str) -> URL:
        u = cls()
        rest, hash_, u.Fragment = raw.partition("#")
        m = _URL_SCHEME.match(rest)
        if m:
            u.Scheme = m.group(1).lower()
            rest = rest[m.end() :]
        rest, _, u.RawQuery = rest.partition("?")
        if u.Scheme and not rest.startswith("/"):
            u.Opaque = rest
        elif rest.startswith("//"):
            authority, slash, path = rest[2:].partition("/")
            user, at, u.Host = authority.rpartition("@")
            u.User = user if at else ""
            u.Path = slash + path
        else:
            u.Path = rest
        return u

    def String(self) -> str:  # noqa: N802 (Go's name)
        out = f"{self.Scheme}:" if self.Scheme else ""
        if self.Opaque:
            out += self.Opaque
        else:
            if self.Host or self.User:
                out += "//" + (f"{self.User}@" if self.User else "") + self.Host
                if self.Path and not self.Path.startswith("/"):
                    out += "/"
            out += self.Path
        if self.RawQuery:
            out += f"?{self.RawQuery}"
        if self.Fragment:
            out += f"#{self.Fragment}"
        return out

    __str__ = String


def _data_uri_image(u: URL) -> bool:
    """``AllowDataURIImages``'s rule: a base64 GIF, JPEG, PNG, SVG or WebP image."""
    if u.RawQuery or u.Fragment:
        return False
    m = _DATA_IMAGE.match(u.Opaque)
    if m is None:
        return False
    try:
        base64.b64decode(u.Opaque[m.end() :], validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _declarations(style: str) -> list[str]:
    """The declarations of a ``style`` value: split at ``;`` outside quotes and
    parentheses (one pass)."""
    parts: list[str] = []
    depth, quote, start = 0, "", 0
    for i, c in enumerate(style):
        if quote:
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth = max(0, depth - 1)
        elif c == ";" and depth == 0:
            parts.append(style[start:i])
            start = i + 1
    parts.append(style[start:])
    return [p for p in parts if p.strip()]


@dataclass(frozen=True)
class _ValuePattern:
    """A value pattern checked outside the core's attribute rules (style values,
    attributes of elements kept by a name pattern): matched by the core's own regex
    engine (RE2 syntax, as bluemonday's Go patterns), through a one-attribute policy."""

    source: str

    @staticmethod
    @functools.lru_cache(maxsize=256)
    def _checker(source: str) -> _Policy:
        return _Policy(
            tags={"b"}, generic_attributes={"title"}, attribute_patterns={"b": {"title": source}}
        )

    @classmethod
    def of(cls, source: str, where: str) -> _ValuePattern:
        try:
            cls._checker(source)
        except PolicyError as e:
            _unsupported(where, f"not a pattern htmlguard reads ({e})")
        return cls(source)

    def search(self, value: str) -> bool:
        return self._checker(self.source).is_clean(f'<b title="{html.escape(value)}"></b>')


def _name_pattern(regex: Pattern, where: str) -> tuple[str, re.Pattern[str]]:
    """An element-name pattern: its source (for the core's ``tag_patterns``) and Python's
    compiled form (for the shim's own questions about names)."""
    source = _pattern(regex, where)
    try:
        return source, re.compile(source)
    except re.error as e:
        _unsupported(where, f"the pattern must read the same in Python's re module ({e})")


def _style_ok(check: _StyleCheck, value: str) -> bool:
    if check is None:
        return True
    if isinstance(check, _ValuePattern):
        return check.search(value)
    if isinstance(check, frozenset):
        return value in check
    return bool(check(value))


@dataclass(frozen=True)
class _StyleRules:
    """Style policies by element (``OnElements`` and ``Globally`` ones together) and
    the global ones: a declaration stays when a policy for its property accepts it."""

    by_tag: dict[str, dict[str, list[_StyleCheck]]]
    everywhere: dict[str, list[_StyleCheck]]
    #: ``OnElementsMatching`` ones, for elements without their own.
    by_pattern: list[tuple[re.Pattern[str], dict[str, list[_StyleCheck]]]]

    def rules(self, tag: str) -> dict[str, list[_StyleCheck]]:
        """The policies for ``tag``'s declarations: its own (or else those of the patterns
        matching it), and the global ones."""
        rules: dict[str, list[_StyleCheck]] = {}
        own = self.by_tag.get(tag)
        sources = [own] if own else [by_prop for p, by_prop in self.by_pattern if p.search(tag)]
        for by_prop in [*sources, self.everywhere]:
            for prop, checks in by_prop.items():
                rules.setdefault(prop, []).extend(checks)
        return rules

    def filter(self, tag: str, style: str) -> str | None:
        rules = self.rules(tag)
        kept = []
        for declaration in _declarations(style):
            prop, colon, value = declaration.partition(":")
            if not colon:
                continue
            name = prop.strip().lower()
            for prefix in _VENDOR_PREFIXES:
                name = name.removeprefix(prefix)
            checked = value.strip().lower().removesuffix("!important").strip()
            if any(_style_ok(c, checked) for c in rules.get(name, ())):
                kept.append(f"{prop.strip()}: {value.strip()}")
        return "; ".join(kept) or None


@dataclass(frozen=True)
class _AttributeChecks:
    """The attribute hook (``sanitize_with(attribute_filter=...)``): per-element style
    rules, URL policies by scheme, ``RewriteSrc``. It sees only what the policy already
    keeps, and what it returns is checked again by the core."""

    styles: _StyleRules | None
    url_policies: dict[str, list[Callable[[URL], bool]]]
    src_rewriter: Callable[[URL], Any] | None
    drop_input_rel: bool
    patterned: _PatternAttributes | None = None

    def active(self) -> bool:
        return bool(
            self.styles
            or self.url_policies
            or self.src_rewriter
            or self.drop_input_rel
            or self.patterned
        )

    def __call__(self, tag: str, name: str, value: str) -> str | None:
        if name == "style" and self.styles is not None:
            return self.styles.filter(tag, value)
        if name == "rel" and tag == "a" and self.drop_input_rel:
            return None
        if self.patterned is not None and not self.patterned.keeps(tag, name, value):
            return None
        if not is_url_attribute(tag, name):
            return value
        if self.url_policies:
            u = URL.parse(value.strip())
            policies = self.url_policies.get(u.Scheme)
            if policies is not None and not any(p(replace(u)) for p in policies):
                return None
        if self.src_rewriter is not None and name == "src" and tag in _SRC_ELEMENTS:
            u = URL.parse(value.strip())
            out = self.src_rewriter(u)
            value = str(out) if isinstance(out, (str, URL)) else u.String()
        return value


@dataclass(frozen=True)
class _RelOnLinks:
    """The link hook for ``rel`` on fully-qualified links only: each token (``nofollow``,
    ``noreferrer``, in that order) with whether it goes only on links whose ``href`` has
    a host; only links with an ``href`` get one (as bluemonday). The core checks the link
    again."""

    tokens: list[tuple[str, bool]]

    def __call__(self, attrs: dict[str, str], new: bool) -> dict[str, str]:
        href = attrs.get("href")
        if href is None:
            return attrs
        external = bool(URL.parse(href.strip()).Host)
        rel = attrs.get("rel", "")
        wanted = [t for t, only_external in self.tokens if external or not only_external]
        missing = [t for t in wanted if t not in rel]
        if missing:
            attrs["rel"] = " ".join(missing + rel.split())
        return attrs


@dataclass(frozen=True)
class _PatternAttributes:
    """bluemonday's attribute rules where the core's differ with element-name patterns
    (``AllowElementsMatching``, ``OnElementsMatching``): an element kept by name takes
    only its own and the global rules; one kept by a pattern takes those of every pattern
    matching it and the global ones, value patterns included."""

    by_name: dict[str, frozenset[str]]
    by_pattern: list[tuple[re.Pattern[str], dict[str, list[_AttrRule]]]]
    everywhere: dict[str, list[_AttrRule]]
    data_attributes: bool

    def keeps(self, tag: str, name: str, value: str) -> bool:
        if self.data_attributes and name.startswith("data-"):
            return True
        own = self.by_name.get(tag)
        if own is not None:
            return name in own
        rules = [
            r for p, by_attr in self.by_pattern if p.search(tag) for r in by_attr.get(name, ())
        ]
        rules += self.everywhere.get(name, [])
        if not rules or None in rules:
            return True
        return any(_ValuePattern(r).search(value) for r in rules if r is not None)


class _Hooks(NamedTuple):
    attribute_filter: _AttributeChecks | None
    link_callbacks: list[_RelOnLinks] | None


class _Compiled(NamedTuple):
    policy: _Policy
    attribute_filter: _AttributeChecks | None
    link_callbacks: list[_RelOnLinks] | None


def _pattern(regex: Pattern, where: str) -> str:
    """A pattern string from a ``str`` or a compiled Python pattern (its inline-able flags)."""
    if isinstance(regex, str):
        return regex
    if isinstance(regex, re.Pattern) and isinstance(regex.pattern, str):
        flags = {re.IGNORECASE: "i", re.MULTILINE: "m", re.DOTALL: "s", re.VERBOSE: "x"}
        inline = "".join(c for f, c in flags.items() if regex.flags & f)
        if regex.flags & ~(re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE | re.UNICODE):
            raise UnsupportedOptionError(
                f"{where}: only the flags I, M, S and X can be carried over"
            )
        return f"(?{inline}){regex.pattern}" if inline else regex.pattern
    raise TypeError(f"{where}: expected a pattern (str or re.Pattern), got {type(regex).__name__}")


def _unsupported(call: str, why: str) -> NoReturn:
    raise UnsupportedOptionError(f"{call}: {why}")


def _names(args: tuple[str, ...], where: str) -> list[str]:
    for a in args:
        if not isinstance(a, str):
            raise TypeError(f"{where}: expected str names, got {type(a).__name__}")
    return [a.lower() for a in args]


class AttrPolicyBuilder:
    """What ``AllowAttrs(...)``/``AllowNoAttrs()`` return: say where (and how) the
    attributes are allowed."""

    def __init__(self, policy: Policy, attrs: list[str], allow_empty: bool) -> None:
        self._policy = policy
        self._attrs = attrs
        self._regex: str | None = None
        self._allow_empty = allow_empty

    def Matching(self, regex: Pattern) -> AttrPolicyBuilder:  # noqa: N802 (bluemonday's names)
        """Allow a value only when ``regex`` matches it (searched, as Go's MatchString)."""
        self._regex = _pattern(regex, "AllowAttrs(...).Matching")
        return self

    def AllowNoAttrs(self) -> AttrPolicyBuilder:  # noqa: N802
        """Also keep the elements when they are left without attributes."""
        self._allow_empty = True
        return self

    def OnElements(self, *elements: str) -> Policy:  # noqa: N802
        """On these elements (which this allows)."""
        with self._policy._lock:
            for e in _names(elements, "OnElements"):
                rules = self._policy._elements.setdefault(e, {})
                for a in self._attrs:
                    rules.setdefault(a, []).append(self._regex)
                if self._allow_empty:
                    self._policy._bare.add(e)
            self._policy._changed()
        return self._policy

    def Globally(self) -> Policy:  # noqa: N802
        """On every allowed element."""
        with self._policy._lock:
            for a in self._attrs:
                self._policy._global.setdefault(a, []).append(self._regex)
            self._policy._changed()
        return self._policy

    def OnElementsMatching(self, regex: Pattern) -> Policy:  # noqa: N802
        """On the elements whose name ``regex`` matches (which this allows; never
        ``script`` or ``style``): the core's ``tag_patterns``."""
        source, _ = _name_pattern(regex, "AllowAttrs(...).OnElementsMatching")
        with self._policy._lock:
            rules = self._policy._element_patterns.setdefault(source, {})
            for a in self._attrs:
                rules.setdefault(a, []).append(self._regex)
            if self._allow_empty:
                self._policy._bare_by_pattern = True
            self._policy._changed()
        return self._policy


class StylePolicyBuilder:
    """What ``AllowStyles(...)`` returns: say how values are checked (``Matching``,
    ``MatchingEnum``, ``MatchingHandler``; without one, htmlguard's CSS filter alone) and
    where (``OnElements``, ``Globally``)."""

    def __init__(self, policy: Policy, props: list[str]) -> None:
        self._policy = policy
        self._props = props
        self._check: _StyleCheck = None

    def Matching(self, regex: Pattern) -> StylePolicyBuilder:  # noqa: N802
        """Keep a declaration only when ``regex`` matches its (lowercased) value."""
        source = _pattern(regex, "AllowStyles(...).Matching")
        self._check = _ValuePattern.of(source, "AllowStyles(...).Matching")
        return self

    def MatchingEnum(self, *values: str) -> StylePolicyBuilder:  # noqa: N802
        """Keep a declaration only when its value is one of ``values`` (any case)."""
        self._check = frozenset(v.lower() for v in _names(values, "MatchingEnum"))
        return self

    def MatchingHandler(self, handler: Callable[[str], bool]) -> StylePolicyBuilder:  # noqa: N802
        """Keep a declaration only when ``handler(value)`` is true (value lowercased)."""
        if not callable(handler):
            raise TypeError(f"MatchingHandler: expected a callable, got {type(handler).__name__}")
        self._check = handler
        return self

    def OnElements(self, *elements: str) -> Policy:  # noqa: N802
        """Allow the properties in ``style`` on these elements."""
        with self._policy._lock:
            for e in _names(elements, "AllowStyles(...).OnElements"):
                checks = self._policy._element_styles.setdefault(e, {})
                for prop in self._props:
                    checks.setdefault(prop, []).append(self._check)
            self._policy._changed()
        return self._policy

    def Globally(self) -> Policy:  # noqa: N802
        """Allow the properties in ``style`` on every allowed element."""
        with self._policy._lock:
            for prop in self._props:
                self._policy._global_styles.setdefault(prop, []).append(self._check)
            self._policy._changed()
        return self._policy

    def OnElementsMatching(self, regex: Pattern) -> Policy:  # noqa: N802
        """Allow the properties in ``style`` on allowed elements whose name ``regex``
        matches (and that have no ``OnElements`` style policies of their own)."""
        source, _ = _name_pattern(regex, "AllowStyles(...).OnElementsMatching")
        with self._policy._lock:
            checks = self._policy._pattern_styles.setdefault(source, {})
            for prop in self._props:
                checks.setdefault(prop, []).append(self._check)
            self._policy._changed()
        return self._policy


class Policy:
    """bluemonday's ``Policy``: ``NewPolicy()`` is an empty one (no elements, no
    attributes), ``StrictPolicy()`` the same, ``UGCPolicy()`` bluemonday's policy for user
    content."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._compiled: _Compiled | None = None
        self._elements: dict[str, dict[str, list[_AttrRule]]] = {}
        self._global: dict[str, list[_AttrRule]] = {}
        self._element_styles: dict[str, dict[str, list[_StyleCheck]]] = {}
        self._global_styles: dict[str, list[_StyleCheck]] = {}
        #: element-name pattern -> attribute -> rules (``OnElementsMatching``).
        self._element_patterns: dict[str, dict[str, list[_AttrRule]]] = {}
        self._pattern_styles: dict[str, dict[str, list[_StyleCheck]]] = {}
        self._bare: set[str] = set(_BARE_ELEMENTS)
        #: AllowNoAttrs().OnElementsMatching was called (bare_tags takes names only).
        self._bare_by_pattern = False
        self._skip_content: set[str] = set(_SKIP_CONTENT)
        #: scheme -> its URL policies (none: every URL with the scheme).
        self._schemes: dict[str, list[Callable[[URL], bool]]] = {}
        self._src_rewriter: Callable[[URL], Any] | None = None
        self._parseable_urls = False
        self._relative_urls = False
        self._nofollow = False
        self._nofollow_external = False
        self._noreferrer = False
        self._noreferrer_external = False
        self._target_blank = False
        self._crossorigin = False
        self._sandbox: set[str] | None = None
        self._spaces = False
        self._scheme_patterns: set[str] = set()
        self._data_attributes = False
        self._comments = False

    def _changed(self) -> None:
        self._compiled = None

    def _set(self, name: str, value: bool) -> Policy:
        if not isinstance(value, bool):
            raise TypeError(f"expected a bool, got {type(value).__name__}")
        with self._lock:
            setattr(self, name, value)
            self._changed()
        return self

    # ---------------------------------------------------------------- elements, attributes

    def AllowElements(self, *names: str) -> Policy:  # noqa: N802
        """Keep these elements (their attributes only as other calls allow)."""
        with self._lock:
            for e in _names(names, "AllowElements"):
                self._elements.setdefault(e, {})
            self._changed()
        return self

    def AllowAttrs(self, *names: str) -> AttrPolicyBuilder:  # noqa: N802
        """Allow these attributes: say where with ``.OnElements(...)`` or ``.Globally()``."""
        return AttrPolicyBuilder(self, _names(names, "AllowAttrs"), allow_empty=False)

    def AllowNoAttrs(self) -> AttrPolicyBuilder:  # noqa: N802
        """Keep elements (``.OnElements(...)``) even when they have no attributes."""
        return AttrPolicyBuilder(self, [], allow_empty=True)

    def AllowStyles(self, *properties: str) -> StylePolicyBuilder:  # noqa: N802
        """Allow these CSS properties in ``style``."""
        return StylePolicyBuilder(self, _names(properties, "AllowStyles"))

    def AllowDataAttributes(self) -> None:  # noqa: N802
        """Allow ``data-*`` attributes on every allowed element."""
        self._set("_data_attributes", True)

    def AllowComments(self) -> None:  # noqa: N802
        """Keep HTML comments."""
        self._set("_comments", True)

    def SkipElementsContent(self, *names: str) -> Policy:  # noqa: N802
        """Drop these elements with their content (when they are not allowed)."""
        with self._lock:
            self._skip_content.update(_names(names, "SkipElementsContent"))
            self._changed()
        return self

    def AllowElementsContent(self, *names: str) -> Policy:  # noqa: N802
        """Keep the content of these elements when they are dropped."""
        with self._lock:
            self._skip_content.difference_update(_names(names, "AllowElementsContent"))
            self._changed()
        return self

    def AllowUnsafe(self, allow: bool) -> Policy:  # noqa: N802
        """Refused when ``True``: it lets ``<script>`` and ``<style>`` through."""
        if allow:
            _unsupported(
                "AllowUnsafe(True)",
                "it would keep <script> and <style> elements, which run script or load "
                "content htmlguard cannot check; htmlguard never allows them",
            )
        return self

    def AddSpaceWhenStrippingTag(self, allow: bool) -> Policy:  # noqa: N802
        """Write a space where a tag was removed (``space_when_stripping``)."""
        return self._set("_spaces", allow)

    def AllowElementsMatching(self, regex: Pattern) -> Policy:  # noqa: N802
        """Keep the elements whose name ``regex`` matches (searched; never ``script`` or
        ``style``): the core's ``tag_patterns``."""
        source, _ = _name_pattern(regex, "AllowElementsMatching")
        with self._lock:
            self._element_patterns.setdefault(source, {})
            self._changed()
        return self

    # ---------------------------------------------------------------- URLs and links

    def RequireParseableURLs(self, require: bool) -> Policy:  # noqa: N802
        """Check URLs against the allowed schemes and relative-URL rule."""
        return self._set("_parseable_urls", require)

    def AllowRelativeURLs(self, allow: bool) -> Policy:  # noqa: N802
        """Keep relative URLs (turns on URL checking)."""
        with self._lock:
            self._parseable_urls = True
            return self._set("_relative_urls", allow)

    def AllowURLSchemes(self, *schemes: str) -> Policy:  # noqa: N802
        """Keep URLs with these schemes (turns on URL checking)."""
        with self._lock:
            self._parseable_urls = True
            for scheme in _names(schemes, "AllowURLSchemes"):
                self._schemes[scheme] = []  # as bluemonday: any URL, policies dropped
            self._changed()
        return self

    def AllowURLSchemesMatching(self, regex: Pattern) -> Policy:  # noqa: N802
        """Keep URLs whose scheme ``regex`` matches (``url_scheme_patterns``: never
        ``javascript:`` or ``vbscript:``, nor ``data:``, which ``AllowDataURIImages`` or
        ``AllowURLSchemes("data")`` allow); turns on URL checking."""
        source = _pattern(regex, "AllowURLSchemesMatching")
        with self._lock:
            self._parseable_urls = True
            self._scheme_patterns.add(source)
            self._changed()
        return self

    def AllowURLSchemeWithCustomPolicy(  # noqa: N802
        self, scheme: str, url_policy: Callable[[URL], bool]
    ) -> Policy:
        """Keep URLs with ``scheme`` that ``url_policy`` accepts: it is called with a
        :class:`URL` (a copy) and returns true to keep it (turns on URL checking)."""
        (scheme,) = _names((scheme,), "AllowURLSchemeWithCustomPolicy")
        if not callable(url_policy):
            raise TypeError(
                "AllowURLSchemeWithCustomPolicy: expected a callable, got "
                f"{type(url_policy).__name__}"
            )
        with self._lock:
            self._parseable_urls = True
            self._schemes.setdefault(scheme, []).append(url_policy)
            self._changed()
        return self

    def RewriteSrc(self, rewriter: Callable[[URL], Any]) -> Policy:  # noqa: N802
        """Rewrite the ``src`` of ``audio``, ``embed``, ``iframe``, ``img``, ``script``,
        ``source``, ``track`` and ``video`` that passed the URL checks: ``rewriter`` gets a
        :class:`URL` and changes it in place (as Go's ``*url.URL``), or returns a new
        ``URL`` or ``str``. The result is checked again (schemes, relative URLs)."""
        if not callable(rewriter):
            raise TypeError(f"RewriteSrc: expected a callable, got {type(rewriter).__name__}")
        with self._lock:
            self._src_rewriter = rewriter
            self._changed()
        return self

    def AllowDataURIImages(self) -> None:  # noqa: N802
        """``data:`` URLs of base64 GIF, JPEG, PNG, SVG and WebP images (bluemonday's
        rule: no query or fragment, a base64 body that decodes)."""
        self.AllowURLSchemeWithCustomPolicy("data", _data_uri_image)

    def RequireNoFollowOnLinks(self, require: bool) -> Policy:  # noqa: N802
        """Add ``rel="nofollow"`` to links (htmlguard: every ``<a>``)."""
        with self._lock:
            self._parseable_urls = True
            return self._set("_nofollow", require)

    def RequireNoFollowOnFullyQualifiedLinks(self, require: bool) -> Policy:  # noqa: N802
        """Add ``rel="nofollow"`` to links whose ``href`` has a host (``<a>``)."""
        with self._lock:
            self._parseable_urls = True
            return self._set("_nofollow_external", require)

    def RequireNoReferrerOnLinks(self, require: bool) -> Policy:  # noqa: N802
        """Add ``rel="noreferrer"`` to links (htmlguard: every ``<a>``)."""
        with self._lock:
            self._parseable_urls = True
            return self._set("_noreferrer", require)

    def RequireNoReferrerOnFullyQualifiedLinks(self, require: bool) -> Policy:  # noqa: N802
        """Add ``rel="noreferrer"`` to links whose ``href`` has a host (``<a>``)."""
        with self._lock:
            self._parseable_urls = True
            return self._set("_noreferrer_external", require)

    def AddTargetBlankToFullyQualifiedLinks(self, require: bool) -> Policy:  # noqa: N802
        """Absolute links get ``target="_blank"`` and ``rel="noopener"``."""
        with self._lock:
            self._parseable_urls = True
            return self._set("_target_blank", require)

    def RequireCrossOriginAnonymous(self, require: bool) -> Policy:  # noqa: N802
        """``crossorigin="anonymous"`` on audio, img, link and video elements."""
        return self._set("_crossorigin", require)

    def RequireSandboxOnIFrame(self, *values: SandboxValue) -> None:  # noqa: N802
        """Every kept ``<iframe>`` gets ``sandbox``, keeping only the tokens for ``values``
        of an allowed input one (none: ``sandbox=""``, every restriction). Each call
        replaces the values of the last, as in bluemonday."""
        tokens = set()
        for v in values:
            if not isinstance(v, SandboxValue):
                raise TypeError(
                    f"RequireSandboxOnIFrame: expected SandboxValue, got {type(v).__name__}"
                )
            tokens.add(_SANDBOX_TOKENS[v])
        with self._lock:
            self._sandbox = tokens
            self._changed()

    # ---------------------------------------------------------------- bluemonday's helpers

    def AllowStandardURLs(self) -> None:  # noqa: N802
        """http, https and mailto URLs, relative URLs, ``rel="nofollow"`` on links."""
        self.RequireParseableURLs(True)
        self.AllowRelativeURLs(True)
        self.AllowURLSchemes("mailto", "http", "https")
        self.RequireNoFollowOnLinks(True)

    def AllowStandardAttributes(self) -> None:  # noqa: N802
        """``dir``, ``lang``, ``id`` and ``title`` on every element, with bluemonday's
        patterns."""
        self.AllowAttrs("dir").Matching(Direction).Globally()
        self.AllowAttrs("lang").Matching(r"[a-zA-Z]{2,20}").Globally()
        self.AllowAttrs("id").Matching(r"[a-zA-Z0-9\:\-_\.]+").Globally()
        self.AllowAttrs("title").Matching(Paragraph).Globally()

    def AllowStyling(self) -> None:  # noqa: N802
        """``class`` on every element."""
        self.AllowAttrs("class").Matching(SpaceSeparatedTokens).Globally()

    def AllowImages(self) -> None:  # noqa: N802
        """``<img>`` with ``align``, ``alt``, ``height``, ``width`` and ``src``."""
        self.AllowAttrs("align").Matching(ImageAlign).OnElements("img")
        self.AllowAttrs("alt").Matching(Paragraph).OnElements("img")
        self.AllowAttrs("height", "width").Matching(NumberOrPercent).OnElements("img")
        self.AllowStandardURLs()
        self.AllowAttrs("src").OnElements("img")

    def AllowLists(self) -> None:  # noqa: N802
        """``ol``, ``ul``, ``li``, ``dl``, ``dt``, ``dd``."""
        self.AllowAttrs("type").Matching(ListType).OnElements("ol", "ul")
        self.AllowAttrs("type").Matching(ListType).OnElements("li")
        self.AllowAttrs("value").Matching(Integer).OnElements("li")
        self.AllowElements("dl", "dt", "dd")

    def AllowTables(self) -> None:  # noqa: N802
        """Tables and their parts, with bluemonday's attribute patterns."""
        self.AllowAttrs("height", "width").Matching(NumberOrPercent).OnElements("table")
        self.AllowAttrs("summary").Matching(Paragraph).OnElements("table")
        self.AllowElements("caption")
        self.AllowAttrs("align").Matching(CellAlign).OnElements("col", "colgroup")
        self.AllowAttrs("height", "width").Matching(NumberOrPercent).OnElements("col", "colgroup")
        self.AllowAttrs("span").Matching(Integer).OnElements("colgroup", "col")
        self.AllowAttrs("valign").Matching(CellVerticalAlign).OnElements("col", "colgroup")
        self.AllowAttrs("align").Matching(CellAlign).OnElements("thead", "tr")
        self.AllowAttrs("valign").Matching(CellVerticalAlign).OnElements("thead", "tr")
        self.AllowAttrs("abbr").Matching(Paragraph).OnElements("td", "th")
        self.AllowAttrs("align").Matching(CellAlign).OnElements("td", "th")
        self.AllowAttrs("colspan", "rowspan").Matching(Integer).OnElements("td", "th")
        self.AllowAttrs("headers").Matching(SpaceSeparatedTokens).OnElements("td", "th")
        self.AllowAttrs("height", "width").Matching(NumberOrPercent).OnElements("td", "th")
        self.AllowAttrs("scope").Matching(r"(?i)(?:row|col)(?:group)?").OnElements("td", "th")
        self.AllowAttrs("valign").Matching(CellVerticalAlign).OnElements("td", "th")
        self.AllowAttrs("nowrap").Matching(r"(?i)|nowrap").OnElements("td", "th")
        self.AllowAttrs("align").Matching(CellAlign).OnElements("tbody", "tfoot")
        self.AllowAttrs("valign").Matching(CellVerticalAlign).OnElements("tbody", "tfoot")

    def AllowIFrames(self, *values: SandboxValue) -> None:  # noqa: N802
        """``<iframe sandbox>``, with ``RequireSandboxOnIFrame(*values)``."""
        self.RequireSandboxOnIFrame(*values)
        self.AllowAttrs("sandbox").OnElements("iframe")

    # ---------------------------------------------------------------- sanitizing

    @property
    def policy(self) -> _Policy:
        """The compiled htmlguard policy (compiled now if the builder changed). Calls that
        take a Python callable or check values the core cannot (see :meth:`sanitize`) are
        applied by :meth:`sanitize` around it, not by this policy alone."""
        return self._compile().policy

    def _compile(self) -> _Compiled:
        compiled = self._compiled
        if compiled is None:
            with self._lock:
                compiled = self._compiled
                if compiled is None:
                    options, hooks = self._options()
                    try:
                        policy = _Policy(**options)
                    except PolicyError as e:
                        raise UnsupportedOptionError(
                            f"this bluemonday policy maps to options htmlguard refuses: {e}"
                        ) from None
                    compiled = self._compiled = _Compiled(policy, *hooks)
        return compiled

    def sanitize(self, document: str) -> str:
        """The sanitized HTML (pybluemonday's name; not NFKD-normalised). Runs with the GIL
        released unless the policy has per-element style sets, style value checks, URL
        callbacks (``AllowURLSchemeWithCustomPolicy``, ``AllowDataURIImages``,
        ``RewriteSrc``) or ``rel`` on fully-qualified links only: those run as the core's
        hooks (``Policy.sanitize_with``), whose results the core checks again."""
        if isinstance(document, bytes):
            document = document.decode("utf-8", "replace")
        compiled = self._compile()
        if compiled.attribute_filter is None and compiled.link_callbacks is None:
            return compiled.policy.sanitize(document)
        return compiled.policy.sanitize_with(
            document,
            attribute_filter=compiled.attribute_filter,
            link_callbacks=compiled.link_callbacks,
        )

    Sanitize = sanitize

    # ---------------------------------------------------------------- the mapping

    def _options(self) -> tuple[dict[str, Any], _Hooks]:
        """htmlguard options and the hooks for the builder's state (the caller holds the
        lock)."""
        tags = set(self._elements) - _UNSAFE
        # Element-name patterns (validated when given); an element one matches is kept,
        # not skipped with its content, as in bluemonday.
        named = [(src, re.compile(src)) for src in self._element_patterns]
        matched = {e for e in self._skip_content if any(r.search(e) for _, r in named)}
        clean_content = (self._skip_content - tags - matched) | _UNSAFE
        tag_patterns = {src: set(attrs) for src, attrs in self._element_patterns.items()}
        tag_attributes: dict[str, set[str]] = {}
        patterns: dict[str, dict[str, str]] = {}

        def rule(rules: list[_AttrRule]) -> tuple[bool, list[str]]:
            """(any value allowed, the patterns otherwise)."""
            return None in rules, [r for r in rules if r is not None]

        for tag in tags:
            own = self._elements[tag]
            for attr in own.keys() | self._global.keys():
                free, found = rule(own.get(attr, []) + self._global.get(attr, []))
                if attr in own:
                    tag_attributes.setdefault(tag, set()).add(attr)
                if not free:
                    patterns.setdefault(tag, {})[attr] = "|".join(f"(?:{p})" for p in found)
        generic = set(self._global)
        styles, style_checks = self._styles(tags, tag_attributes, generic, patterns, tag_patterns)

        schemes = {s for s in self._schemes if _SCHEME.match(s)}
        url_attributes = sorted(
            f"{tag}[{attr}]"
            for tag in tags
            for attr in tag_attributes.get(tag, set()) | generic
            if is_url_attribute(tag, attr)
        ) + sorted(
            f"OnElementsMatching({src!r})[{attr}]"
            for src, attrs in tag_patterns.items()
            for attr in attrs
            if is_url_attribute("", attr)
        )
        if url_attributes and not self._parseable_urls:
            _unsupported(
                url_attributes[0],
                "a URL attribute is allowed but URLs are not checked (bluemonday would keep "
                "every URL, javascript: included); call AllowStandardURLs(), "
                "AllowURLSchemes(...) or RequireParseableURLs(True)",
            )
        relative = "pass" if self._relative_urls else "deny"
        if not schemes and not self._scheme_patterns and relative == "deny":
            # No URL can pass: leave URL attributes out (the core refuses to allow one).
            for tag, names in tag_attributes.items():
                names -= {a for a in names if is_url_attribute(tag, a)}
            generic -= {a for a in generic if any(is_url_attribute(t, a) for t in tags)}
            for tag, by_attr in patterns.items():
                for attr in [a for a in by_attr if is_url_attribute(tag, a)]:
                    del by_attr[attr]
            for names in tag_patterns.values():
                names -= {a for a in names if is_url_attribute("", a)}

        # (token, only on fully-qualified links), in bluemonday's order.
        rel_tokens = [
            (token, not on)
            for on, external, token in (
                (self._nofollow, self._nofollow_external, "nofollow"),
                (self._noreferrer, self._noreferrer_external, "noreferrer"),
            )
            if on or external
        ]
        link_callbacks = None
        own_rel = "rel" in tag_attributes.get("a", set()) | generic
        if any(only_external for _, only_external in rel_tokens) and "a" in tags:
            # rel depends on the href: written by a link hook (which sees each kept <a>),
            # so the core's link_rel is off and rel is allowed on <a> for the hook's
            # value (an input rel is dropped by the attribute hook unless allowed).
            link_callbacks = [_RelOnLinks(rel_tokens)]
            tag_attributes.setdefault("a", set()).add("rel")
            rel = None
        else:
            rel = " ".join(t for t, only_external in rel_tokens if not only_external) or None
        set_values: dict[str, dict[str, str]] = {}
        if self._crossorigin:
            for tag in set(_CROSSORIGIN_ELEMENTS) & tags:
                set_values.setdefault(tag, {})["crossorigin"] = "anonymous"
        for tag, forced in set_values.items():
            for attr in forced:
                tag_attributes.get(tag, set()).discard(attr)
                patterns.get(tag, {}).pop(attr, None)

        options: dict[str, Any] = {
            "tags": tags,
            "clean_content_tags": clean_content,
            "tag_attributes": {t: a for t, a in tag_attributes.items() if a},
            "generic_attributes": generic,
            "generic_attribute_prefixes": {"data-"} if self._data_attributes else set(),
            "set_tag_attribute_values": set_values,
            "url_schemes": schemes,
            "url_relative": relative,
            "link_rel": rel,
            "filter_style_properties": styles,
            "strip_comments": not self._comments,
            "attribute_patterns": {t: p for t, p in patterns.items() if p},
            "target_blank": self._target_blank,
            "url_scheme_patterns": set(self._scheme_patterns),
            "iframe_sandbox": None if self._sandbox is None else set(self._sandbox),
            "space_when_stripping": self._spaces,
            "tag_patterns": tag_patterns,
            # Elements left without attributes are unwrapped unless bluemonday keeps them
            # bare; with AllowNoAttrs by pattern (which bare_tags cannot say), none is.
            "bare_tags": None if self._bare_by_pattern else set(self._bare),
        }
        policies = {s: fs for s, fs in self._schemes.items() if fs and s in schemes}
        checks = _AttributeChecks(
            style_checks,
            policies,
            self._src_rewriter,
            drop_input_rel=link_callbacks is not None and not own_rel,
            patterned=_PatternAttributes(
                {t: frozenset(tag_attributes.get(t, set()) | generic) for t in tags},
                [(r, self._element_patterns[src]) for src, r in named],
                self._global,
                self._data_attributes,
            )
            if named
            else None,
        )
        return options, _Hooks(checks if checks.active() else None, link_callbacks)

    def _styles(
        self,
        tags: set[str],
        tag_attributes: dict[str, set[str]],
        generic: set[str],
        patterns: dict[str, dict[str, str]],
        tag_patterns: dict[str, set[str]],
    ) -> tuple[set[str] | None, _StyleRules | None]:
        """``filter_style_properties`` (every property allowed anywhere), allowing
        ``style`` where bluemonday filters it, and the rules the attribute hook applies
        first when properties differ by element, values are checked or elements are
        matched by pattern."""
        by_pattern = [
            (re.compile(src), by_prop) for src, by_prop in self._pattern_styles.items() if by_prop
        ]
        rules = _StyleRules(
            {t: by_prop for t, by_prop in self._element_styles.items() if by_prop},
            self._global_styles,
            by_pattern,
        )
        on = {t for t in tags if rules.rules(t)}
        if not on and not (by_pattern and tag_patterns):
            return None, None
        unfiltered = sorted(
            t for t in tags - on if "style" in tag_attributes.get(t, set()) | generic
        )
        if unfiltered:
            _unsupported(
                f'AllowAttrs("style") on <{unfiltered[0]}>',
                "bluemonday keeps that style unfiltered beside filtered ones elsewhere; "
                "htmlguard filters every style attribute (give the element style "
                "properties with AllowStyles(...).OnElements, or use Globally())",
            )
        # bluemonday filters style by the style policies alone: attribute rules for style
        # do not apply.
        for by_attr in patterns.values():
            by_attr.pop("style", None)
        if self._global_styles:
            generic.add("style")
        else:
            for t in on:
                tag_attributes.setdefault(t, set()).add("style")
        if by_pattern:
            # Elements kept by a name pattern may have style policies by pattern: the
            # hook keeps style only where one applies.
            for attrs in tag_patterns.values():
                attrs.add("style")
        per_tag = {t: rules.rules(t) for t in on}
        props = {prop for by_prop in per_tag.values() for prop in by_prop}
        props |= {prop for _, by_prop in by_pattern for prop in by_prop}
        same = len({frozenset(by_prop) for by_prop in per_tag.values()}) <= 1
        checked = any(
            c is not None for by_prop in per_tag.values() for cs in by_prop.values() for c in cs
        )
        if same and not checked and not by_pattern:
            return props, None
        return props, rules


class NewPolicy(Policy):
    """An empty policy: no elements, no attributes (bluemonday's ``NewPolicy()``)."""


class StrictPolicy(Policy):
    """An empty policy (bluemonday's ``StrictPolicy()``: every element stripped)."""


class UGCPolicy(Policy):
    """bluemonday's policy for user-generated content (``UGCPolicy()`` in policies.go)."""

    def __init__(self) -> None:
        super().__init__()
        self.AllowStandardAttributes()
        self.AllowStandardURLs()
        self.AllowElements("article", "aside")
        self.AllowAttrs("open").Matching(r"(?i)^(|open)$").OnElements("details")
        self.AllowElements("figure", "section", "summary")
        self.AllowElements("h1", "h2", "h3", "h4", "h5", "h6", "hgroup")
        self.AllowAttrs("cite").OnElements("blockquote")
        self.AllowElements("br", "div", "hr", "p", "span", "wbr")
        self.AllowAttrs("href").OnElements("a")
        self.AllowAttrs("name").Matching(r"^([\p{L}\p{N}_-]+)$").OnElements("map")
        self.AllowAttrs("alt").Matching(Paragraph).OnElements("area")
        self.AllowAttrs("coords").Matching(r"^([0-9]+,)+[0-9]+$").OnElements("area")
        self.AllowAttrs("href").OnElements("area")
        self.AllowAttrs("rel").Matching(SpaceSeparatedTokens).OnElements("area")
        self.AllowAttrs("shape").Matching(r"(?i)^(default|circle|rect|poly)$").OnElements("area")
        self.AllowAttrs("usemap").Matching(r"(?i)^#[\p{L}\p{N}_-]+$").OnElements("img")
        self.AllowElements(
            "abbr", "acronym", "cite", "code", "dfn", "em", "figcaption", "mark", "s",
            "samp", "strong", "sub", "sup", "var",
        )  # fmt: skip
        self.AllowAttrs("cite").OnElements("q")
        self.AllowAttrs("datetime").Matching(ISO8601).OnElements("time")
        self.AllowElements("b", "i", "pre", "small", "strike", "tt", "u")
        self.AllowAttrs("dir").Matching(Direction).OnElements("bdi", "bdo")
        self.AllowElements("rp", "rt", "ruby")
        self.AllowAttrs("cite").Matching(Paragraph).OnElements("del", "ins")
        self.AllowAttrs("datetime").Matching(ISO8601).OnElements("del", "ins")
        self.AllowLists()
        self.AllowTables()
        self.AllowAttrs("value", "min", "max", "low", "high", "optimum").Matching(
            Number
        ).OnElements("meter")
        self.AllowAttrs("value", "max").Matching(Number).OnElements("progress")
        self.AllowImages()
