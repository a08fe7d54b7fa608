"""bleach's ``bleach.sanitizer`` on htmlguard's core: ``Cleaner`` and the ``ALLOWED_*``
defaults.

Each bleach argument maps onto a :class:`htmlguard.Policy` option (``docs/migration.md``):
``tags`` to ``tags``; ``attributes`` (a list, a dict of lists or callables, a callable) to
``tag_attributes``/``generic_attributes``, with callables asked through
``Policy.sanitize_with(attribute_filter=...)``; ``protocols`` to ``url_schemes``, relative URLs
kept when ``http`` or ``https`` is allowed and ``#`` anchors always (as bleach does);
``strip`` to ``disallowed="drop"`` (a disallowed tag is taken out of the token stream
before the tree is built, as bleach does; else ``"escape"``: it is shown as its source
text); ``strip_comments``; ``css_sanitizer`` to ``filter_style_properties`` (without
one, an allowed ``style`` attribute is emptied, as bleach does). Control characters in text
become ``?`` as in bleach. What the core refuses because it lets script through (a ``script``
tag, ``on*`` attributes, ``javascript:``) raises :class:`UnsupportedOptionError`.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from htmlguard._core import Policy
from htmlguard.compat._common import UnsupportedOptionError, is_url_attribute
from htmlguard.compat.bleach.css_sanitizer import CSSSanitizer
from htmlguard.errors import PolicyError

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_PROTOCOLS",
    "ALLOWED_TAGS",
    "INVISIBLE_CHARACTERS",
    "INVISIBLE_REPLACEMENT_CHAR",
    "Cleaner",
    "NoCssSanitizerWarning",
    "attribute_filter_factory",
]

# bleach 6.4's defaults.
ALLOWED_TAGS = frozenset(
    {"a", "abbr", "acronym", "b", "blockquote", "code", "em", "i", "li", "ol", "strong", "ul"}
)
ALLOWED_ATTRIBUTES: dict[str, list[str]] = {
    "a": ["href", "title"],
    "abbr": ["title"],
    "acronym": ["title"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

#: The control characters bleach replaces in text (not tab, newline, carriage return).
INVISIBLE_CHARACTERS = "".join(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32)))
INVISIBLE_REPLACEMENT_CHAR = "?"

AttributeCallable = Callable[[str, str, str], Any]
Attributes = list[str] | Mapping[str, Collection[str] | AttributeCallable] | AttributeCallable


class NoCssSanitizerWarning(UserWarning):
    """bleach's warning for a ``style`` attribute allowed without a ``css_sanitizer``
    (defined for code that filters it; the shim empties such styles as bleach does)."""


def attribute_filter_factory(attributes: Attributes) -> AttributeCallable:
    """bleach's rule for ``attributes`` as one ``(tag, attr, value) -> bool`` function: a
    callable is used as is; a list allows its names on every tag; a dict allows, per tag,
    its list or what its callable says, else what its ``"*"`` entry allows."""
    if callable(attributes):
        return attributes
    if isinstance(attributes, Mapping):
        by_tag = attributes

        def from_dict(tag: str, attr: str, value: str) -> Any:
            if tag in by_tag:
                allowed = by_tag[tag]
                if callable(allowed):
                    return allowed(tag, attr, value)
                if attr in allowed:
                    return True
            if "*" in by_tag:
                allowed = by_tag["*"]
                if callable(allowed):
                    return allowed(tag, attr, value)
                return attr in allowed
            return False

        return from_dict
    if isinstance(attributes, list):
        names = attributes
        return lambda tag, attr, value: attr in names
    raise ValueError("attributes needs to be a callable, a list or a dict")


# Attribute names a callable is asked about: htmlguard keeps only attributes its policy
# names, so for a callable the policy names every attribute of HTML, SVG and MathML that
# cannot run script (``on*``, ``srcdoc`` are refused by the core; plugin attributes and
# ``http-equiv``/``content``, a refresh to any URL, are left out), plus ``data-``/``aria-``.
_KNOWN_ATTRIBUTES = frozenset(
    {
        "abbr", "accept", "accept-charset", "accesskey", "action", "align", "alink",
        "allow", "alt", "autocapitalize", "autocomplete", "autofocus", "autoplay", "axis",
        "background", "bgcolor", "border", "cellpadding", "cellspacing", "char", "charoff",
        "charset", "checked", "cite", "class", "clear", "color", "cols", "colspan",
        "compact", "contenteditable", "controls", "coords", "crossorigin", "data",
        "datetime", "declare", "decoding", "default", "dir", "dirname", "disabled",
        "download", "draggable", "enctype", "enterkeyhint", "face", "for", "form",
        "formaction", "formenctype", "formmethod", "formnovalidate", "formtarget", "frame",
        "frameborder", "headers", "height", "hidden", "high", "href", "hreflang", "hspace",
        "id", "inert", "inputmode", "is", "ismap", "itemid", "itemprop", "itemref",
        "itemscope", "itemtype", "kind", "label", "lang", "language", "link", "list",
        "loading", "longdesc", "loop", "low", "marginheight", "marginwidth", "max",
        "maxlength", "media", "method", "min", "minlength", "multiple", "muted", "name",
        "nohref", "noresize", "noshade", "novalidate", "nowrap", "open", "optimum",
        "pattern", "ping", "placeholder", "playsinline", "popover", "poster", "preload",
        "readonly", "referrerpolicy", "rel", "required", "rev", "reversed", "rows",
        "rowspan", "rules", "sandbox", "scope", "scrolling", "selected", "shape", "size",
        "sizes", "slot", "span", "spellcheck", "src", "srclang", "srcset", "standby",
        "start", "step", "style", "summary", "tabindex", "target", "text", "title",
        "translate", "type", "usemap", "valign", "value", "valuetype", "version", "vlink",
        "vspace", "width", "wrap",
        # SVG and MathML
        "attributename", "clip-path", "clip-rule", "cx", "cy", "d", "dx", "dy", "fill",
        "fill-opacity", "fill-rule", "font-family", "font-size", "font-weight", "fr", "fx",
        "fy", "gradienttransform", "gradientunits", "markerheight", "markerwidth", "mask",
        "offset", "opacity", "points", "preserveaspectratio", "r", "refx", "refy", "rx",
        "ry", "stop-color", "stop-opacity", "stroke", "stroke-dasharray", "stroke-linecap",
        "stroke-linejoin", "stroke-opacity", "stroke-width", "text-anchor", "transform",
        "viewbox", "x", "x1", "x2", "xlink:href", "xml:lang", "xmlns", "y", "y1", "y2",
        "display", "displaystyle", "mathvariant", "mathcolor", "mathbackground",
        "scriptlevel", "encoding",
    }
)  # fmt: skip
_KNOWN_PREFIXES = frozenset({"data-", "aria-"})

_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*\Z")
#: What bleach removes from a URL before looking for its scheme.
_URL_NOISE = re.compile(r"[`\x00-\x20\x7f-\xa0\s]+|[^\x00-\x7f]")
_HAS_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*:")
_INVISIBLE = re.compile(f"[{re.escape(INVISIBLE_CHARACTERS)}]")
#: Markup in htmlguard's output (attribute values there escape ``<`` and ``>``).
_MARKUP = re.compile("(<!--.*?-->|<[^>]*>)", re.DOTALL)
_TO_QUESTION_MARKS = str.maketrans(dict.fromkeys(INVISIBLE_CHARACTERS, INVISIBLE_REPLACEMENT_CHAR))


#: html5lib's space characters: its tree walker hands a text's leading and trailing runs of
#: them to bleach's filter as SpaceCharacters tokens, which the filter passes untouched.
_SPACES = " \t\n\r\x0c"


def _text_to_question_marks(text: str) -> str:
    middle = text.lstrip(_SPACES)
    core = middle.rstrip(_SPACES)
    if not core:
        return text
    start = len(text) - len(middle)
    return text[:start] + core.translate(_TO_QUESTION_MARKS) + middle[len(core) :]


def _invisible_to_question_marks(out: str) -> str:
    """bleach replaces control characters in text (not in tags or comments) with ``?``,
    except a form feed in the whitespace a text node starts or ends with."""
    if _INVISIBLE.search(out) is None:
        return out
    parts = _MARKUP.split(out)  # text at even indexes, markup at odd ones
    parts[::2] = [_text_to_question_marks(text) for text in parts[::2]]
    return "".join(parts)


@dataclass(frozen=True)
class _Config:
    """bleach's arguments, hashable (equal arguments share one compiled policy)."""

    tags: frozenset[str]
    attributes: Any  # a hashable form, see _freeze_attributes
    protocols: frozenset[str]
    strip: bool
    strip_comments: bool
    css_properties: frozenset[str] | None
    linkify: Any = None  # a linkifier._LinkifyConfig, for Cleaner(filters=[LinkifyFilter])


def _str_set(option: str, value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{option} must be a collection of str, got {type(value).__name__}")
    out = frozenset(value)
    for n in out:
        if not isinstance(n, str):
            raise TypeError(f"{option} must hold str, got {type(n).__name__}")
    return out


def _freeze_attributes(attributes: Attributes) -> Any:
    if callable(attributes):
        return ("callable", attributes)
    if isinstance(attributes, Mapping):
        items: list[tuple[str, tuple[str, Any]]] = []
        for tag, allowed in attributes.items():
            if not isinstance(tag, str):
                raise TypeError(f"attributes keys must be str, got {type(tag).__name__}")
            if callable(allowed):
                items.append((tag, ("callable", allowed)))
            else:
                items.append((tag, ("names", _str_set(f"attributes[{tag!r}]", allowed))))
        return ("dict", tuple(items))
    if isinstance(attributes, list):
        return ("list", _str_set("attributes", attributes))
    raise ValueError("attributes needs to be a callable, a list or a dict")


def _names_style(frozen: Any) -> bool:
    """Whether ``attributes`` lists ``style`` by name (bleach warns then)."""
    kind, spec = frozen
    if kind == "list":
        return "style" in spec
    if kind == "dict":
        return any(how == "names" and "style" in names for _, (how, names) in spec)
    return False


def _config(
    tags: Iterable[str],
    attributes: Attributes,
    protocols: Iterable[str],
    strip: bool,
    strip_comments: bool,
    css_sanitizer: CSSSanitizer | None,
    linkify: Any = None,
) -> _Config:
    if css_sanitizer is not None and not isinstance(css_sanitizer, CSSSanitizer):
        raise UnsupportedOptionError(
            "css_sanitizer: only htmlguard.compat.bleach.css_sanitizer.CSSSanitizer maps onto "
            f"htmlguard's style filter, got {type(css_sanitizer).__name__}"
        )
    frozen = _freeze_attributes(attributes)
    if css_sanitizer is None and _names_style(frozen):
        warnings.warn(
            "'style' attribute allowed without a css_sanitizer: its value is emptied",
            category=NoCssSanitizerWarning,
            stacklevel=3,
        )
    return _Config(
        tags=_str_set("tags", tags),
        attributes=frozen,
        protocols=_str_set("protocols", protocols),
        strip=bool(strip),
        strip_comments=bool(strip_comments),
        css_properties=None if css_sanitizer is None else css_sanitizer.properties,
        linkify=linkify,
    )


@dataclass(frozen=True)
class _Compiled:
    policy: Policy
    attribute_filter: Callable[[str, str, str], str | None] | None
    link_callbacks: tuple[Callable[[dict[str, str], bool], Any], ...] | None

    def clean(self, text: str) -> str:
        if self.attribute_filter is None and not self.link_callbacks:
            out = self.policy.sanitize(text)
        else:
            out = self.policy.sanitize_with(
                text,
                attribute_filter=self.attribute_filter,
                link_callbacks=list(self.link_callbacks) if self.link_callbacks else None,
            )
        return _invisible_to_question_marks(out)


#: The bleach argument a core option comes from, for the refusal's message.
_ARGUMENT_OF = {
    "tags": "tags",
    "tag_attributes": "attributes",
    "generic_attributes": "attributes",
    "generic_attribute_prefixes": "attributes",
    "url_schemes": "protocols",
}


def _policy(options: dict[str, Any]) -> Policy:
    try:
        return Policy(**options)
    except PolicyError as e:
        if isinstance(e, UnsupportedOptionError):
            raise
        option = str(e).split(":", 1)[0]
        if option.startswith("linkify"):
            argument = "filters=[LinkifyFilter]"
        else:
            argument = _ARGUMENT_OF.get(option, option)
        raise UnsupportedOptionError(f"bleach {argument}: {e}") from e


def _is_relative_non_anchor(value: str) -> bool:
    """A URL bleach would drop when neither http nor https is allowed: no scheme, and not
    an anchor (``#...``)."""
    normalized = _URL_NOISE.sub("", value).lower()
    return not normalized.startswith("#") and _HAS_SCHEME.match(normalized) is None


@functools.lru_cache(maxsize=256)
def _compile(c: _Config) -> _Compiled:
    # bleach compares lowercased names: an entry with capitals never matches anything.
    tags = frozenset(t for t in c.tags if t == t.lower())
    kind, spec = c.attributes
    user_filter: AttributeCallable | None = None
    tag_attributes: dict[str, frozenset[str]] = {}
    generic: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()
    if kind == "callable":
        user_filter = spec
        generic, prefixes = _KNOWN_ATTRIBUTES, _KNOWN_PREFIXES
    elif kind == "list":
        generic = spec
    else:
        thawed: dict[str, Any] = {}
        for tag, (how, allowed) in spec:
            thawed[tag] = allowed
            names = _KNOWN_ATTRIBUTES if how == "callable" else allowed
            if tag == "*":
                generic = names
            else:
                tag_attributes[tag] = names
        if any(how == "callable" for _, (how, _) in spec):
            # The filter decides (bleach's dict rule); the policy only bounds what it is
            # asked about.
            user_filter = attribute_filter_factory(thawed)
            prefixes = _KNOWN_PREFIXES
    schemes = frozenset(p for p in c.protocols if _SCHEME.match(p))
    relative_by_bleach = "http" in schemes or "https" in schemes
    if c.css_properties is None:
        styles: frozenset[str] = frozenset()  # bleach empties style without a css_sanitizer
    else:
        styles = c.css_properties

    options: dict[str, Any] = {
        "tags": tags,
        "tag_attributes": tag_attributes,
        "generic_attributes": generic,
        "generic_attribute_prefixes": prefixes,
        "url_schemes": schemes,
        # Relative URLs are kept; without http/https the filter drops all but anchors.
        "url_relative": "pass",
        "disallowed": "drop" if c.strip else "escape",
        "strip_comments": c.strip_comments,
        "filter_style_properties": styles,
        "engine": "htmlguard",  # "drop" and "escape" are our engine's
    }
    link_callbacks = None
    input_only_on_links: frozenset[str] = frozenset()
    if c.linkify is not None:
        options.update(c.linkify.options())
        link_callbacks = c.linkify.link_callbacks()
        # bleach's link callbacks run after its sanitizer, so the rel and target they set
        # stay; the policy allows them on <a>, and the filter drops them from the input
        # where bleach's attributes do not allow them.
        on_links = tag_attributes.get("a", frozenset())
        if user_filter is None:
            input_only_on_links = _LINK_ATTRIBUTES - on_links - generic
        tag_attributes = {**tag_attributes, "a": on_links | _LINK_ATTRIBUTES}
        options["tag_attributes"] = tag_attributes
    policy = _policy(options)

    if user_filter is None and relative_by_bleach and not input_only_on_links:
        return _Compiled(policy, None, link_callbacks)
    callback = _attribute_callback(user_filter, relative_by_bleach, input_only_on_links)
    return _Compiled(policy, callback, link_callbacks)


#: The attributes bleach's link callbacks set.
_LINK_ATTRIBUTES = frozenset({"rel", "target"})


def _attribute_callback(
    user_filter: AttributeCallable | None,
    relative_allowed: bool,
    dropped_on_links: frozenset[str] = frozenset(),
) -> Callable[[str, str, str], str | None]:
    """bleach's attribute filter (a callable's truthy answer keeps the attribute), its
    relative-URL rule, and the input's link attributes only callbacks may set, for
    ``Policy.sanitize_with``."""

    def callback(element: str, attribute: str, value: str) -> str | None:
        if element == "a" and attribute in dropped_on_links:
            return None
        if user_filter is not None and not user_filter(element, attribute, value):
            return None
        if (
            not relative_allowed
            and is_url_attribute(element, attribute)
            and _is_relative_non_anchor(value)
        ):
            return None
        return value

    return callback


def _compiled_for(config: _Config) -> _Compiled:
    """The cached compile, or a fresh one for arguments that cannot be hashed."""
    try:
        hash(config)
    except TypeError:
        return _compile.__wrapped__(config)
    return _compile(config)


class Cleaner:
    """bleach's reusable cleaner: its arguments compiled once into a :class:`Policy`.

    ``filters`` takes only :class:`~htmlguard.compat.bleach.linkifier.LinkifyFilter`
    (bare or through ``functools.partial``); any other html5lib filter raises
    :class:`UnsupportedOptionError`."""

    def __init__(
        self,
        tags: Iterable[str] = ALLOWED_TAGS,
        attributes: Attributes = ALLOWED_ATTRIBUTES,
        protocols: Iterable[str] = ALLOWED_PROTOCOLS,
        strip: bool = False,
        strip_comments: bool = True,
        filters: Iterable[Any] | None = None,
        css_sanitizer: CSSSanitizer | None = None,
    ) -> None:
        self.tags = tags
        self.attributes = attributes
        self.protocols = protocols
        self.strip = strip
        self.strip_comments = strip_comments
        self.filters = list(filters or [])
        self.css_sanitizer = css_sanitizer
        linkify = None
        if self.filters:
            from htmlguard.compat.bleach.linkifier import _linkify_config_from_filters

            linkify = _linkify_config_from_filters(self.filters)
        self._compiled = _compiled_for(
            _config(tags, attributes, protocols, strip, strip_comments, css_sanitizer, linkify)
        )

    @property
    def policy(self) -> Policy:
        """The htmlguard policy this cleaner runs (for ``inspect``, ``sanitize_many``...)."""
        return self._compiled.policy

    def clean(self, text: str) -> str:
        """Sanitize an HTML fragment (bleach's ``Cleaner.clean``)."""
        if not isinstance(text, str):
            raise TypeError(
                f"argument cannot be of {type(text).__name__!r} type, must be of text type"
            )
        if not text:
            return ""
        return self._compiled.clean(text)


def clean(
    text: str,
    tags: Iterable[str] = ALLOWED_TAGS,
    attributes: Attributes = ALLOWED_ATTRIBUTES,
    protocols: Iterable[str] = ALLOWED_PROTOCOLS,
    strip: bool = False,
    strip_comments: bool = True,
    css_sanitizer: CSSSanitizer | None = None,
) -> str:
    """bleach's ``clean``: sanitize ``text`` (see :class:`Cleaner`)."""
    if not isinstance(text, str):
        raise TypeError(f"argument cannot be of {type(text).__name__!r} type, must be of text type")
    if (
        tags is _DEFAULT_TAGS
        and protocols is _DEFAULT_PROTOCOLS
        and css_sanitizer is None
        and attributes is _DEFAULT_ATTRIBUTES
        and attributes == _DEFAULT_ATTRIBUTES_AS_DEFINED
        and (strip is True or strip is False)
        and (strip_comments is True or strip_comments is False)
    ):
        # bleach's defaults (strip and strip_comments aside), the usual call: skip freezing
        # and hashing the arguments, most of the cost of a call on a short field. The
        # default dict is mutable, hence the comparison with its value as defined.
        compiled = _default_compiled(strip, strip_comments)
    else:
        compiled = _compiled_for(
            _config(tags, attributes, protocols, strip, strip_comments, css_sanitizer)
        )
    return compiled.clean(text) if text else ""


# The defaults as ``clean`` was defined with them (the module names can be rebound).
_DEFAULT_TAGS = ALLOWED_TAGS
_DEFAULT_PROTOCOLS = ALLOWED_PROTOCOLS
_DEFAULT_ATTRIBUTES = ALLOWED_ATTRIBUTES
_DEFAULT_ATTRIBUTES_AS_DEFINED = {t: list(a) for t, a in ALLOWED_ATTRIBUTES.items()}


@functools.cache
def _default_compiled(strip: bool, strip_comments: bool) -> _Compiled:
    """The compiled form of ``clean``'s default arguments."""
    return _compiled_for(
        _config(
            _DEFAULT_TAGS,
            _DEFAULT_ATTRIBUTES_AS_DEFINED,
            _DEFAULT_PROTOCOLS,
            strip,
            strip_comments,
            None,
        )
    )
