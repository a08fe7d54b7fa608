"""bluemonday's policy builder on htmlguard's core: ``from htmlguard.compat import bluemonday``.

Stands in for pybluemonday (and follows bluemonday v1.0.27's Go API, which pybluemonday
mirrors): ``UGCPolicy()``, ``StrictPolicy()``, ``NewPolicy()``, the builder methods with
their Go names, chaining where Go's do (``p.AllowAttrs("href").OnElements("a")``), and
``sanitize(html)`` (also ``Sanitize``). The builder compiles an :class:`htmlguard.Policy`
on first use and again only after it changes; sanitizing is safe from any number of
threads (pybluemonday's Go map of policies aborts the interpreter there), and the output
is not Unicode-normalised (pybluemonday applies NFKD to it).

Every method either maps onto htmlguard options or raises
:class:`~htmlguard.compat.UnsupportedOptionError` naming itself and why: at the call when the
method alone cannot be honoured (``AllowUnsafe(True)``, element-name or scheme patterns, URL
callbacks, ...), when the policy is compiled when only a combination cannot (a URL
attribute while URLs are unchecked, per-element style sets, ...). What maps to what, what is
refused, and the output differences that remain (elements bluemonday drops once bare, rel
placement, URL parsing, tree versus token stream): ``docs/migration.md``, checked by
``tests/compat/test_bluemonday_differential.py``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from enum import IntEnum, unique
from typing import Any, NoReturn

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

    def OnElementsMatching(self, regex: Pattern) -> NoReturn:  # noqa: N802
        _unsupported(
            "AllowAttrs(...).OnElementsMatching",
            "htmlguard allows elements by name only (no element-name patterns); list the "
            "elements with OnElements",
        )


class StylePolicyBuilder:
    """What ``AllowStyles(...)`` returns."""

    def __init__(self, policy: Policy, props: list[str]) -> None:
        self._policy = policy
        self._props = props

    def _value_check(self, call: str) -> NoReturn:
        _unsupported(
            f"AllowStyles(...).{call}",
            "htmlguard filters style values with its own CSS rules (no per-property value "
            "checks); allow the property without one",
        )

    def Matching(self, regex: Pattern) -> NoReturn:  # noqa: N802
        self._value_check("Matching")

    def MatchingEnum(self, *values: str) -> NoReturn:  # noqa: N802
        self._value_check("MatchingEnum")

    def MatchingHandler(self, handler: Callable[[str], bool]) -> NoReturn:  # noqa: N802
        self._value_check("MatchingHandler")

    def OnElements(self, *elements: str) -> Policy:  # noqa: N802
        """Allow the properties in ``style`` on these elements."""
        with self._policy._lock:
            for e in _names(elements, "AllowStyles(...).OnElements"):
                self._policy._element_styles.setdefault(e, set()).update(self._props)
            self._policy._changed()
        return self._policy

    def Globally(self) -> Policy:  # noqa: N802
        """Allow the properties in ``style`` on every allowed element."""
        with self._policy._lock:
            self._policy._global_styles.update(self._props)
            self._policy._changed()
        return self._policy

    def OnElementsMatching(self, regex: Pattern) -> NoReturn:  # noqa: N802
        _unsupported(
            "AllowStyles(...).OnElementsMatching",
            "htmlguard allows elements by name only (no element-name patterns)",
        )


class Policy:
    """bluemonday's ``Policy``: ``NewPolicy()`` is an empty one (no elements, no
    attributes), ``StrictPolicy()`` the same, ``UGCPolicy()`` bluemonday's policy for user
    content."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._compiled: _Policy | None = None
        self._elements: dict[str, dict[str, list[_AttrRule]]] = {}
        self._global: dict[str, list[_AttrRule]] = {}
        self._element_styles: dict[str, set[str]] = {}
        self._global_styles: set[str] = set()
        self._bare: set[str] = set(_BARE_ELEMENTS)
        self._skip_content: set[str] = set(_SKIP_CONTENT)
        self._schemes: set[str] = set()
        self._parseable_urls = False
        self._relative_urls = False
        self._nofollow = False
        self._nofollow_external = False
        self._noreferrer = False
        self._noreferrer_external = False
        self._target_blank = False
        self._crossorigin = False
        self._sandbox: set[SandboxValue] | None = None
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
        """Refused when ``True`` (the core has no such option)."""
        if allow:
            _unsupported(
                "AddSpaceWhenStrippingTag(True)",
                "htmlguard's core removes a tag without writing a space in its place",
            )
        return self

    def AllowElementsMatching(self, regex: Pattern) -> NoReturn:  # noqa: N802
        _unsupported(
            "AllowElementsMatching",
            "htmlguard allows elements by name only (no element-name patterns); list the "
            "elements with AllowElements",
        )

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
            self._schemes.update(_names(schemes, "AllowURLSchemes"))
            self._changed()
        return self

    def AllowURLSchemesMatching(self, regex: Pattern) -> NoReturn:  # noqa: N802
        _unsupported(
            "AllowURLSchemesMatching",
            "htmlguard allows URL schemes by name only; list them with AllowURLSchemes",
        )

    def AllowURLSchemeWithCustomPolicy(  # noqa: N802
        self, scheme: str, url_policy: Callable[[Any], bool]
    ) -> NoReturn:
        _unsupported(
            "AllowURLSchemeWithCustomPolicy",
            "htmlguard's core has no per-scheme URL callback; allow the scheme with "
            "AllowURLSchemes or leave it out",
        )

    def RewriteSrc(self, rewriter: Callable[[Any], None]) -> NoReturn:  # noqa: N802
        _unsupported("RewriteSrc", "htmlguard's core has no URL-rewriting callback")

    def AllowDataURIImages(self) -> NoReturn:  # noqa: N802
        _unsupported(
            "AllowDataURIImages",
            "htmlguard cannot limit the data: scheme to base64 images (no per-scheme URL "
            "check in the core)",
        )

    def RequireNoFollowOnLinks(self, require: bool) -> Policy:  # noqa: N802
        """Add ``rel="nofollow"`` to links (htmlguard: every ``<a>``)."""
        with self._lock:
            self._parseable_urls = True
            return self._set("_nofollow", require)

    def RequireNoFollowOnFullyQualifiedLinks(self, require: bool) -> Policy:  # noqa: N802
        """Honoured only together with ``RequireNoFollowOnLinks(True)`` (see the compile
        error otherwise)."""
        with self._lock:
            self._parseable_urls = True
            return self._set("_nofollow_external", require)

    def RequireNoReferrerOnLinks(self, require: bool) -> Policy:  # noqa: N802
        """Add ``rel="noreferrer"`` to links (htmlguard: every ``<a>``)."""
        with self._lock:
            self._parseable_urls = True
            return self._set("_noreferrer", require)

    def RequireNoReferrerOnFullyQualifiedLinks(self, require: bool) -> Policy:  # noqa: N802
        """Honoured only together with ``RequireNoReferrerOnLinks(True)``."""
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
        """With no values, every kept ``<iframe>`` gets ``sandbox=""`` (all restrictions);
        values (tokens to keep) are refused."""
        if values:
            _unsupported(
                "RequireSandboxOnIFrame(values)",
                "htmlguard cannot filter the tokens of sandbox; call it without values "
                '(sandbox="" on every iframe)',
            )
        with self._lock:
            self._sandbox = set()
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
        """The compiled htmlguard policy (compiled now if the builder changed)."""
        compiled = self._compiled
        if compiled is None:
            with self._lock:
                compiled = self._compiled
                if compiled is None:
                    options = self._options()
                    try:
                        compiled = _Policy(**options)
                    except PolicyError as e:
                        raise UnsupportedOptionError(
                            f"this bluemonday policy maps to options htmlguard refuses: {e}"
                        ) from None
                    self._compiled = compiled
        return compiled

    def sanitize(self, document: str) -> str:
        """The sanitized HTML (pybluemonday's name; not NFKD-normalised)."""
        if isinstance(document, bytes):
            document = document.decode("utf-8", "replace")
        return self.policy.sanitize(document)

    Sanitize = sanitize

    # ---------------------------------------------------------------- the mapping

    def _options(self) -> dict[str, Any]:
        """htmlguard options for the builder's state (the caller holds the lock)."""
        tags = set(self._elements) - _UNSAFE
        clean_content = (self._skip_content - tags) | _UNSAFE
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
        styles = self._styles(tags, tag_attributes, generic, patterns)

        schemes = {s for s in self._schemes if _SCHEME.match(s)}
        url_attributes = sorted(
            f"{tag}[{attr}]"
            for tag in tags
            for attr in tag_attributes.get(tag, set()) | generic
            if is_url_attribute(tag, attr)
        )
        if url_attributes and not self._parseable_urls:
            _unsupported(
                url_attributes[0],
                "a URL attribute is allowed but URLs are not checked (bluemonday would keep "
                "every URL, javascript: included); call AllowStandardURLs(), "
                "AllowURLSchemes(...) or RequireParseableURLs(True)",
            )
        relative = "pass" if self._relative_urls else "deny"
        if not schemes and relative == "deny":
            # No URL can pass: leave URL attributes out (the core refuses to allow one).
            for tag, names in tag_attributes.items():
                names -= {a for a in names if is_url_attribute(tag, a)}
            generic -= {a for a in generic if any(is_url_attribute(t, a) for t in tags)}
            for tag, by_attr in patterns.items():
                for attr in [a for a in by_attr if is_url_attribute(tag, a)]:
                    del by_attr[attr]

        rel: list[str] = []
        for on, external, token, call in (
            (self._nofollow, self._nofollow_external, "nofollow", "RequireNoFollowOn"),
            (self._noreferrer, self._noreferrer_external, "noreferrer", "RequireNoReferrerOn"),
        ):
            if external and not on:
                _unsupported(
                    f"{call}FullyQualifiedLinks(True)",
                    f"htmlguard puts rel on every link, not only on external ones; use "
                    f"{call}Links(True)",
                )
            if on:
                rel.append(token)
        set_values: dict[str, dict[str, str]] = {}
        if self._crossorigin:
            for tag in set(_CROSSORIGIN_ELEMENTS) & tags:
                set_values.setdefault(tag, {})["crossorigin"] = "anonymous"
        if self._sandbox is not None and "iframe" in tags:
            set_values.setdefault("iframe", {})["sandbox"] = ""
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
            "link_rel": " ".join(rel) or None,
            "filter_style_properties": styles,
            "strip_comments": not self._comments,
            "attribute_patterns": {t: p for t, p in patterns.items() if p},
            "target_blank": self._target_blank,
        }
        return options

    def _styles(
        self,
        tags: set[str],
        tag_attributes: dict[str, set[str]],
        generic: set[str],
        patterns: dict[str, dict[str, str]],
    ) -> set[str] | None:
        """``filter_style_properties``, allowing ``style`` where bluemonday filters it."""
        styled = {t for t, props in self._element_styles.items() if props and t in tags}
        if not self._global_styles and not styled:
            return None
        on = tags if self._global_styles else styled
        sets = {frozenset(self._element_styles.get(t, set()) | self._global_styles) for t in on}
        if len(sets) > 1:
            _unsupported(
                "AllowStyles(...).OnElements",
                "htmlguard allows one set of style properties for every element; give "
                "every element the same properties (or use Globally())",
            )
        unfiltered = sorted(
            t for t in tags - on if "style" in tag_attributes.get(t, set()) | generic
        )
        if unfiltered:
            _unsupported(
                f'AllowAttrs("style") on <{unfiltered[0]}>',
                "bluemonday keeps that style unfiltered beside filtered ones elsewhere; "
                "htmlguard filters every style attribute the same way",
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
        (props,) = sets
        return set(props)


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
