"""Coverage-guided fuzzing of htmlguard's Python API with atheris.

Run (atheris is not a test dependency: ``pip install atheris``; wheels exist for CPython
up to 3.11 on Linux x86-64, other setups build it from source with clang)::

    . .venv/bin/activate
    pip install atheris
    python fuzz/atheris_sanitize.py --write-seeds /tmp/htmlguard-corpus   # optional seeds
    python fuzz/atheris_sanitize.py -max_total_time=60 -len_control=0 -max_len=4096 \
        -rss_limit_mb=4096 /tmp/htmlguard-corpus

Any libFuzzer flag works (``-runs=N``, ``-dict=...``, ``-jobs=N``). A failure is written
to ``crash-<sha1>`` in the working directory; replay it with
``python fuzz/atheris_sanitize.py crash-<sha1>``. The seeds are the XSS corpus payloads
(raw mode) and random structured-mode inputs; ``-len_control=0`` lets libFuzzer use long
inputs at once instead of growing them from a few bytes.

Each input is used in one of two modes, chosen by its first byte:

- raw: the remaining bytes decoded as UTF-8 with ``errors="surrogatepass"`` (so encoded
  surrogates become lone surrogates in the ``str``), falling back to
  ``errors="surrogateescape"`` (invalid bytes become lone surrogates U+DC80..U+DCFF);
- structured: the bytes drive a :class:`ByteSource` (a small pure-Python stand-in for
  ``atheris.FuzzedDataProvider``, so the same code runs in CI without atheris) that
  assembles HTML-ish text from a vocabulary of dangerous tags, attributes, URL values,
  entities, comments, CDATA, stray end tags and odd characters (:func:`structured`).

For every preset (and a custom policy with ``attribute_patterns``, ``allowed_classes``,
``id_prefix`` and ``target_blank``), :func:`check` asserts:

- no exception other than the documented ones (:class:`htmlguard.HTMLGuardError`
  subclasses; presets have no size limit, so in practice none at all);
- the output is a ``str`` and sanitizing is idempotent;
- what a browser would build from the output (html5lib, ``<div>`` context) holds only
  elements and attributes the policy allows, no ``on*`` attribute, and URL attributes
  only with allowed schemes (:func:`problems`);
- the output parses to the same tree after one serialize/parse round trip (no mutation).

The checker (:class:`Allowed`, :func:`problems`, :func:`dump`) and the vocabulary
(``TAGS``, ``ATTRIBUTES``, ``VALUES``, ``NOISE``) are plain Python with no atheris
dependency: ``tests/security/test_atheris_harness.py``, ``tests/security/test_properties.py``
and ``tests/security/test_xss_corpora.py`` import this file to reuse them, so the harness is
exercised in CI without atheris and what a policy allows is written once for every checker.
"""

from __future__ import annotations

import copy
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import html5lib
from html5lib import serialize

import htmlguard as hg

# ---------------------------------------------------------------- vocabulary

#: Element names: allowed by some preset, dangerous, parser-special (foreign content,
#: tables, raw text, template, select, form) and unknown.
TAGS: tuple[str, ...] = (
    "a", "abbr", "b", "i", "u", "s", "em", "strong", "small", "sub", "sup", "code", "kbd",
    "span", "div", "p", "br", "hr", "img", "pre", "blockquote", "q", "cite", "del", "ins",
    "h1", "h3", "ul", "ol", "li", "dl", "dt", "dd", "details", "summary", "time", "meter",
    "ruby", "rt", "rp", "wbr", "center", "font", "nobr", "marquee",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "td", "th",
    "svg", "math", "mi", "mo", "mn", "ms", "mtext", "mglyph", "malignmark",
    "annotation-xml", "foreignObject", "desc", "title", "path", "animate", "set", "use",
    "image", "feImage", "select", "option", "optgroup", "datalist", "template", "slot",
    "style", "script", "textarea", "noscript", "noembed", "noframes", "iframe", "xmp",
    "plaintext", "listing", "object", "embed", "applet", "param", "form", "input",
    "button", "keygen", "isindex", "frameset", "frame", "base", "meta", "link", "html",
    "head", "body", "video", "audio", "source", "picture", "area", "map", "dialog",
    "x-custom", "my:tag", "image2", "A", "SVG", "ScRiPt",
)  # fmt: skip

ATTRIBUTES: tuple[str, ...] = (
    "href", "src", "xlink:href", "cite", "action", "formaction", "data", "poster",
    "background", "longdesc", "ping", "srcset", "style", "class", "id", "title", "alt",
    "lang", "dir", "rel", "target", "name", "type", "value", "open", "width", "height",
    "align", "valign", "colspan", "datetime", "loading", "data-x", "data-", "aria-label",
    "onclick", "onerror", "onload", "ONMOUSEOVER", "onfocus", "on", "srcdoc", "xmlns",
    "xmlns:xlink", "is", "contenteditable", "autofocus", "hreflang", "span", "summary",
)  # fmt: skip

VALUES: tuple[str, ...] = (
    "", "x", "1", "100%", "rtl", "en", "en-US", "left", "Right", "hl", "x hl y",
    "language-py", "nofollow", "_self", "lazy",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:x", "java\tscript:x",
    "java\nscript:x", "&#106;avascript:x", "&#x6A;avascript&colon;x",
    "java&#x09;script:x", "javascript&#58;x", "\u2028javascript:x", "\x01javascript:x",
    "\u200bjavascript:x", "java\u00adscript:x", "\ufeffjavascript:x", "vbscript:msgbox",
    "data:text/html,<script>alert(1)</script>", "data:image/png;base64,AAAA",
    "https://example.org/a?b=1&c=2", "HTTPS://EXAMPLE.ORG", "http://x", "//evil.example",
    "\\\\evil.example", "/relative", "relative.html", "#frag", "?q", "mailto:a@b.c",
    "ftp://x", "tel:1", "x:y", "https:", "http:javascript:x",
    "color: red", "color:red; position:fixed", "background:url(javascript:x)",
    "x\" onmouseover=\"alert(1)", "x' onerror='alert(1)", "a>b", "a<b", "&amp;", "&",
    "user-content-x", "</script><script>alert(1)</script>", "--><img src=x onerror=1>",
    "\x00", "\ud800", "\u00a0", "a\u00a0b",
)  # fmt: skip

ENTITIES: tuple[str, ...] = (
    "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&nbsp;", "&#0;", "&#x0;", "&#65;",
    "&#x1F600;", "&#xD800;", "&#128;", "&#x110000;", "&notin;", "&notit;", "&amp",
    "&lt", "&unknown;", "&", "&#", "&#x;", "&#39", "&NotNestedGreaterGreater;",
    "&#13;", "&#65279;", "&#x80;", "&#x2028;", "&#xfeff;",
)  # fmt: skip

MARKUP_NOISE: tuple[str, ...] = (
    "<!-- c -->", "<!---->", "<!-->", "<!--->", "<!-- -- -->", "<!--!>", "<!-- a --!>",
    "<!--<!-- x -->", "<! bogus >", "<?pi x?>", "<?", "<!DOCTYPE html>", "<!doctype>",
    "<![CDATA[ x ]]>", "<![CDATA[<img src=x onerror=1>]]>", "]]>", "</p>", "</br>",
    "</a>", "</table>", "</svg>", "</math>", "</select>", "</template>", "</script>",
    "</style>", "</textarea>", "</ x>", "</>", "</3", "<", ">", "<<", "<=", "<3", "< a>",
    "<a", "<b/>", "<br/>", "<p/>", "<svg/>", "/>", "'", '"', "=", "`", "</",
)  # fmt: skip

#: Characters that parsers, the URL rules or the fast path treat specially.
CHARS: tuple[str, ...] = (
    "\x00", "\x01", "\t", "\n", "\x0b", "\x0c", "\r", "\r\n", " ", "\x7f", "\x85",
    "\u00a0", "\u00ad", "\u200b", "\u2028", "\u2029", "\ufeff", "\ufffd", "\ufffe",
    "\U0001f600", "\ud800", "\udc00", "\ud83d\ude00", "é", "Ω", "中", "a", "0",
)  # fmt: skip

NOISE: tuple[str, ...] = ENTITIES + MARKUP_NOISE + CHARS

#: Exceptions sanitizing may raise by design (``InputTooLargeError`` with a size limit).
DOCUMENTED_ERRORS: tuple[type[BaseException], ...] = (hg.HTMLGuardError,)


def start_tag(name: str, attrs: Iterable[tuple[str, str | None, str]], close: bool) -> str:
    """``<name a="v" b='w' c=x d>``: each attribute as ``(name, value or None, quote)``
    where quote is ``'"'``, ``"'"`` or ``""`` (unquoted)."""
    parts = [f"<{name}"]
    for attr, value, quote in attrs:
        if value is None:
            parts.append(f" {attr}")
        else:
            parts.append(f" {attr}={quote}{value}{quote}")
    parts.append("/>" if close else ">")
    return "".join(parts)


# ---------------------------------------------------------------- policies


def custom_policy() -> hg.Policy:
    """A policy exercising the options the presets leave unused: attribute_patterns,
    allowed_classes, tag_attribute_values, set_tag_attribute_values, prefixes, id_prefix,
    target_blank and kept comments."""
    return hg.Policy(
        tags={
            "a",
            "b",
            "i",
            "p",
            "div",
            "span",
            "code",
            "pre",
            "img",
            "blockquote",
            "q",
            "ul",
            "li",
            "table",
            "tr",
            "td",
            "th",
            "caption",
        },  # fmt: skip
        clean_content_tags={
            "script",
            "style",
            "svg",
            "math",
            "template",
            "noscript",
            "textarea",
            "select",
            "iframe",
            "object",
            "xmp",
            "noembed",
            "noframes",
        },  # fmt: skip
        tag_attributes={
            "a": {"href", "title", "hreflang"},
            "img": {"src", "alt", "width"},
            "td": {"colspan"},
            "blockquote": {"cite"},
            "q": {"cite"},
        },
        generic_attributes={"lang", "id"},
        generic_attribute_prefixes={"data-"},
        tag_attribute_values={"p": {"align": {"left", "right"}}},
        set_tag_attribute_values={"img": {"loading": "lazy"}},
        url_schemes={"https", "mailto"},
        url_relative="pass",
        allowed_classes={"span": {"hl", "x"}, "code": {"language-py"}},
        strip_comments=False,
        id_prefix="uc-",
        attribute_patterns={
            "*": {"lang": r"^[a-z]{2}(-[A-Z]{2})?$"},
            "img": {"width": r"^[0-9]{1,4}$"},
            "a": {"title": r"^[^<>&]*$"},
        },
        target_blank=True,
    )


def policies() -> dict[str, hg.Policy]:
    """Every preset, plus :func:`custom_policy` under the name ``"custom"``."""
    found: dict[str, hg.Policy] = {name: hg.Policy.preset(name) for name in hg.PRESETS}
    found["custom"] = custom_policy()
    return found


# ---------------------------------------------------------------- the checker

#: Elements an HTML parser inserts by itself in a table; acceptable with ``table``.
IMPLIED_TABLE_ELEMENTS = frozenset({"tbody", "tr", "colgroup"})

#: Attributes whose value a browser (or a page script) treats as a URL.
URL_ATTRIBUTES = frozenset(
    {
        "href", "src", "xlink:href", "cite", "action", "formaction", "data", "poster",
        "background", "longdesc", "ping", "codebase", "manifest", "lowsrc", "dynsrc",
    }
)  # fmt: skip

_NAMESPACE_PREFIXES = {
    "http://www.w3.org/1999/xlink": "xlink",
    "http://www.w3.org/XML/1998/namespace": "xml",
    "http://www.w3.org/2000/xmlns/": "xmlns",
}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]+")


def scheme_of(value: str) -> str | None:
    """The scheme a lenient URL parser finds: C0 controls and spaces removed anywhere
    (stricter than browsers, which remove them only at the ends, tabs and newlines
    anywhere), lowercased. ``None`` for a relative URL."""
    m = _SCHEME.match(_CONTROL_OR_SPACE.sub("", value).lower())
    return m.group(1) if m else None


def split_name(name: Any) -> tuple[str | None, str]:
    """``(namespace, local name)`` of an etree tag or attribute name."""
    if isinstance(name, str) and name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return None, str(name)


def attribute_name(raw: str) -> str:
    ns, local = split_name(raw)
    return local if ns is None else f"{_NAMESPACE_PREFIXES.get(ns, ns)}:{local}"


@dataclass(frozen=True)
class Allowed:
    """What one policy lets through, as :func:`problems` checks it."""

    tags: frozenset[str]
    attributes: dict[str, frozenset[str]]
    generic: frozenset[str]
    prefixes: tuple[str, ...]
    schemes: frozenset[str]
    relative_denied: bool
    classes: dict[str, frozenset[str]]
    values: dict[str, dict[str, frozenset[str]]]
    forced: dict[str, dict[str, str]]
    id_prefix: str | None

    @classmethod
    def of(cls, p: hg.Policy) -> Allowed:
        tags = frozenset(p.tags)
        if "table" in tags:
            tags |= IMPLIED_TABLE_ELEMENTS
        attributes: dict[str, set[str]] = {t: set(a) for t, a in p.tag_attributes.items()}
        for t, forced in p.set_tag_attribute_values.items():
            attributes.setdefault(t, set()).update(forced)
        for t, limited in p.tag_attribute_values.items():
            attributes.setdefault(t, set()).update(limited)
        for t in p.allowed_classes:
            attributes.setdefault(t, set()).add("class")
        if p.link_rel is not None:
            attributes.setdefault("a", set()).add("rel")
        if p.target_blank:
            attributes.setdefault("a", set()).update({"target", "rel"})
        return cls(
            tags=tags,
            attributes={t: frozenset(a) for t, a in attributes.items()},
            generic=frozenset(p.generic_attributes),
            prefixes=tuple(p.generic_attribute_prefixes),
            schemes=frozenset(p.url_schemes),
            relative_denied=p.url_relative == "deny",
            classes={t: frozenset(c) for t, c in p.allowed_classes.items()},
            values={
                t: {a: frozenset(v.lower() for v in vs) for a, vs in m.items()}
                for t, m in p.tag_attribute_values.items()
            },
            forced={t: dict(m) for t, m in p.set_tag_attribute_values.items()},
            id_prefix=p.id_prefix,
        )

    def attribute_ok(self, tag: str, name: str) -> bool:
        return (
            name in self.generic
            or name in self.attributes.get(tag, ())
            or any(name.startswith(prefix) for prefix in self.prefixes)
        )


class _FragmentTreeBuilder(html5lib.getTreeBuilder("etree")):  # type: ignore[misc]
    """html5lib's etree builder, except for the fragment it returns.

    html5lib builds the fragment from its wrapper's child list, which ``insertBefore``
    (used for foster parenting) does not update: in ``<table><tr><p>x</p></tr></table>``
    the ``<p>`` a browser moves in front of the table is silently lost, so a checker would
    never see an element foster-parented out of a top-level table. The real etree element
    has every child; the fragment is taken from it.
    """

    def getFragment(self) -> ET.Element:  # noqa: N802 (html5lib's name)
        root = self.openElements[0]._element
        fragment = ET.Element("DOCUMENT_FRAGMENT")
        fragment.text = root.text
        fragment.extend(list(root))
        return fragment


_PARSER = html5lib.HTMLParser(tree=_FragmentTreeBuilder, namespaceHTMLElements=False)


def parse(markup: str) -> ET.Element:
    """``markup`` parsed as a browser's innerHTML on a ``<div>`` would."""
    fragment: ET.Element = _PARSER.parseFragment(markup, container="div")
    return fragment


_LEADING_NEWLINE_KEPT = frozenset({"pre", "textarea", "listing"})


def reserialize(fragment: ET.Element) -> str:
    """Serialize like a browser's innerHTML: attributes quoted, no tag omitted.

    One step is added to html5lib's serializer (and to today's innerHTML): a newline that
    starts a ``<pre>``, ``<textarea>`` or ``<listing>`` is doubled, as the HTML
    serialization algorithm did until 2016 and as htmlguard does, because the next parse
    drops one. Without it the round trip would change such trees whatever the sanitizer
    wrote."""
    if any(
        el.tag in _LEADING_NEWLINE_KEPT and el.text and el.text[0] in "\r\n"
        for el in elements(fragment)
    ):
        fragment = copy.deepcopy(fragment)
        for el in elements(fragment):
            if el.tag in _LEADING_NEWLINE_KEPT and el.text and el.text[0] in "\r\n":
                el.text = "\n" + el.text
    return serialize(
        fragment,
        tree="etree",
        quote_attr_values="always",
        omit_optional_tags=False,
        minimize_boolean_attributes=False,
        use_trailing_solidus=False,
    )


def elements(fragment: ET.Element) -> Iterator[ET.Element]:
    """Every element (comments excluded) below the fragment root, without recursion."""
    stack = list(reversed(list(fragment)))
    while stack:
        node = stack.pop()
        if isinstance(node.tag, str):
            yield node
        stack.extend(reversed(list(node)))


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def dump(fragment: ET.Element) -> list[tuple[str, ...]]:
    """A canonical, order-preserving event list of a parsed fragment: element starts
    (namespaced name, sorted attributes), texts, comments and element ends.

    A CR is compared as LF: the HTML serialization algorithm (a browser's innerHTML,
    html5lib's serializer) writes a CR raw and the next parse reads it as LF, whatever the
    sanitizer wrote (``&#13;`` parses to a CR), so that change is the serializer's."""
    out: list[tuple[str, ...]] = []
    if fragment.text:
        out.append(("text", _newlines(fragment.text)))
    stack: list[tuple[ET.Element, bool]] = [(c, False) for c in reversed(list(fragment))]
    while stack:
        node, closing = stack.pop()
        if closing:
            out.append(("end", str(node.tag)))
            if node.tail:
                out.append(("text", _newlines(node.tail)))
            continue
        if not isinstance(node.tag, str):  # a comment (ET.Comment) or processing instruction
            out.append(("comment", _newlines(node.text or "")))
            if node.tail:
                out.append(("text", _newlines(node.tail)))
            continue
        attrs = sorted((attribute_name(k), _newlines(v)) for k, v in node.attrib.items())
        out.append(("start", node.tag, *(f"{k}={v}" for k, v in attrs)))
        if node.text:
            out.append(("text", _newlines(node.text)))
        stack.append((node, True))
        stack.extend((c, False) for c in reversed(list(node)))
    return out


def problems_in(fragment: ET.Element, allowed: Allowed) -> list[str]:
    """Every way a parsed fragment breaks the policy, as short descriptions."""
    found: list[str] = []
    for el in elements(fragment):
        ns, tag = split_name(el.tag)
        label = tag if ns is None else f"{{{ns}}}{tag}"
        if tag not in allowed.tags:
            found.append(f"element <{label}> not allowed")
        elif ns is not None:
            found.append(f"foreign element <{label}>")
        for raw_name, value in el.attrib.items():
            name = attribute_name(raw_name)
            lname = name.lower()
            where = f"<{label} {name}={value!r}>"
            if lname.startswith("on"):
                found.append(f"event handler {where}")
            if lname == "srcdoc":
                found.append(f"srcdoc {where}")
            if not allowed.attribute_ok(tag, name):
                found.append(f"attribute not allowed {where}")
            if lname in URL_ATTRIBUTES:
                scheme = scheme_of(value)
                if scheme is not None and scheme not in allowed.schemes:
                    found.append(f"URL scheme {scheme!r} not allowed {where}")
                if scheme is None and allowed.relative_denied:
                    found.append(f"relative URL not allowed {where}")
            if name == "class" and tag in allowed.classes:
                extra = set(value.split()) - allowed.classes[tag]
                if extra:
                    found.append(f"class {sorted(extra)} not allowed {where}")
            if name == "id" and allowed.id_prefix and not value.startswith(allowed.id_prefix):
                found.append(f"id without prefix {allowed.id_prefix!r} {where}")
            limited = allowed.values.get(tag, {}).get(name)
            if limited is not None and value.lower() not in limited:
                found.append(f"value not in tag_attribute_values {where}")
            forced = allowed.forced.get(tag, {}).get(name)
            if forced is not None and value != forced:
                found.append(f"value differs from set_tag_attribute_values {where}")
    return found


def unstable(out: str) -> str | None:
    """``None`` when ``out`` parses to the same tree after a serialize/parse round trip,
    else a description of the change."""
    first = parse(out)
    again = reserialize(first)
    if dump(parse(again)) != dump(first):
        return f"tree changes after a round trip: {out!r} -> {again!r}"
    return None


def problems(out: str, allowed: Allowed) -> list[str]:
    """Policy violations in ``out`` as parsed once and again after a round trip, and any
    change of tree between the two parses."""
    first = parse(out)
    found = problems_in(first, allowed)
    again = reserialize(first)
    second = parse(again)
    found += [f"after re-parse: {p}" for p in problems_in(second, allowed)]
    if dump(second) != dump(first):
        found.append(f"tree changes after a round trip: {out!r} -> {again!r}")
    return found


# ---------------------------------------------------------------- the check


class CheckFailed(AssertionError):
    """A property of the sanitizer was broken by one input under one policy."""


_POLICIES: dict[str, tuple[hg.Policy, Allowed]] = {}


def _policies() -> dict[str, tuple[hg.Policy, Allowed]]:
    if not _POLICIES:
        for name, p in policies().items():
            _POLICIES[name] = (p, Allowed.of(p))
    return _POLICIES


def check_one(name: str, text: str) -> str | None:
    """Run every check for one policy; returns the output (``None`` after a documented
    error) and raises :class:`CheckFailed` on a broken property."""
    p, allowed = _policies()[name]
    try:
        out = p.sanitize(text)
    except DOCUMENTED_ERRORS:
        return None
    if not isinstance(out, str):
        raise CheckFailed(f"[{name}] sanitize returned {type(out).__name__}: {text!r}")
    again = p.sanitize(out)
    if again != out:
        raise CheckFailed(f"[{name}] not idempotent: {text!r} -> {out!r} -> {again!r}")
    found = problems(out, allowed)
    if found:
        raise CheckFailed(f"[{name}] {text!r} -> {out!r}: " + "; ".join(found))
    return out


def check(text: str) -> None:
    """Every check, for every preset and the custom policy."""
    for name in _policies():
        check_one(name, text)


# ---------------------------------------------------------------- input decoding


def decode(data: bytes) -> str:
    """Bytes as a ``str`` that may hold lone surrogates."""
    try:
        return data.decode("utf-8", errors="surrogatepass")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="surrogateescape")


class Source:
    """The choices :func:`structured` needs: an integer in a closed range, and text."""

    def __init__(self, integer: Callable[[int, int], int], text: Callable[[int], str]):
        self.integer = integer
        self.text = text

    def pick(self, seq: Sequence[str]) -> str:
        return seq[self.integer(0, len(seq) - 1)]

    def case(self, name: str) -> str:
        mode = self.integer(0, 3)
        if mode == 1:
            return name.upper()
        if mode == 2:
            return "".join(c.upper() if self.integer(0, 1) else c.lower() for c in name)
        return name


class ByteSource(Source):
    """Choices read from fuzzer bytes, front to back; once they run out every choice is
    the lowest, so every input (the empty one too) gives a finite structured text."""

    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0
        super().__init__(self._integer, self._text)

    def _byte(self) -> int:
        if self.pos >= len(self.data):
            return 0
        self.pos += 1
        return self.data[self.pos - 1]

    def _integer(self, lo: int, hi: int) -> int:
        span = hi - lo
        if span <= 0:
            return lo
        value = 0
        for _ in range((span.bit_length() + 7) // 8):
            value = (value << 8) | self._byte()
        return lo + value % (span + 1)

    def _text(self, n: int) -> str:
        raw = self.data[self.pos : self.pos + 4 * n]
        self.pos += len(raw)
        return decode(raw)[:n]


def structured(src: Source, max_tokens: int = 40) -> str:
    """HTML-ish text assembled from the vocabulary by ``src``'s choices."""
    parts: list[str] = []
    for _ in range(src.integer(0, max_tokens)):
        kind = src.integer(0, 9)
        if kind <= 2:  # start tag with attributes
            attrs = []
            for _ in range(src.integer(0, 3)):
                quote = ('"', "'", "", "")[src.integer(0, 3)]
                value: str | None = (
                    None if quote == "" and src.integer(0, 3) == 0 else src.pick(VALUES)
                )
                if quote == "" and value is not None:
                    value = re.sub(r"[\s>]", "", value) or "x"
                attrs.append((src.case(src.pick(ATTRIBUTES)), value, quote))
            parts.append(start_tag(src.case(src.pick(TAGS)), attrs, src.integer(0, 7) == 0))
        elif kind == 3:
            parts.append(f"</{src.case(src.pick(TAGS))}>")
        elif kind <= 5:
            parts.append(src.pick(NOISE))
        elif kind == 6:
            parts.append(src.text(src.integer(0, 12)))
        else:
            parts.append(src.pick(("x", "hello ", "a b", "1 < 2", "Fish & chips", "\u00a0")))
    return "".join(parts)


def from_random(rng: Any) -> Source:
    """A :class:`Source` over ``random.Random``."""

    def text(n: int) -> str:
        wide = (0x7F, 0xFFFF, 0x10FFFF)
        return "".join(chr(rng.randint(0, rng.choice(wide))) for _ in range(n))

    return Source(rng.randint, text)


def fuzz_input(data: bytes) -> str:
    """The text one fuzzer input stands for: the first byte picks the mode (odd: raw,
    even: structured), the rest is the payload."""
    if not data:
        return ""
    if data[0] & 1:
        return decode(data[1:])
    return structured(ByteSource(data[1:]))


def test_one_input(data: bytes) -> None:
    """The atheris entry point."""
    check(fuzz_input(data))


def write_seeds(directory: str) -> int:
    """Write a seed corpus: every XSS corpus payload (``shared/xss-public`` beside the
    checkout, or ``HTMLGUARD_XSS_DIR``) as a raw-mode input, and structured-mode inputs
    from a fixed random source. Returns the number of files written."""
    import hashlib
    import json
    import os
    import random
    from pathlib import Path

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    seeds: list[bytes] = []
    candidates = [Path(__file__).resolve().parents[2] / "shared" / "xss-public"]
    if os.environ.get("HTMLGUARD_XSS_DIR"):
        candidates.append(Path(os.environ["HTMLGUARD_XSS_DIR"]))
    for d in candidates:
        for f in sorted(d.glob("*.jsonl")) if d.is_dir() else []:
            for line in f.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    payload = json.loads(line)["payload"]
                    seeds.append(b"\x01" + payload.encode("utf-8", "surrogatepass"))
    rng = random.Random(0)
    seeds += [b"\x00" + rng.randbytes(rng.randrange(16, 400)) for _ in range(200)]
    for seed in seeds:
        (out / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
    return len(seeds)


def main(argv: list[str]) -> None:
    if len(argv) == 3 and argv[1] == "--write-seeds":
        print(f"wrote {write_seeds(argv[2])} seeds to {argv[2]}")
        return
    import atheris

    # The Rust core is not instrumented (a sancov build of the extension would be), so
    # feedback comes from the Python code that runs: htmlguard's wrappers and html5lib
    # parsing the *output*, which rewards inputs that produce new kinds of output.
    atheris.instrument_all()
    _policies()
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
