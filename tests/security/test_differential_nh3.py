"""Differential tests against nh3 (Python bindings of ammonia, the engine htmlguard wraps).

For every policy both libraries can express, the two outputs must be byte-identical on
both public XSS corpora, on a few synthetic inputs and on hypothesis-generated input,
except for the documented differences:

- ``invisible-url``: htmlguard refuses a URL attribute (``href``, ``src``, ...) whose
  scheme is hidden by invisible characters (``"\\u2028javascript:"``,
  ``"\\x01java\\x03script:"``, U+00A0, U+200B, ...); ammonia sees a relative URL;
- ``legacy-url-attribute``: htmlguard also checks ``cite``, ``longdesc``, ``background``
  and the other legacy URL attributes against ``url_schemes``/``url_relative``; ammonia
  checks only ``href``, ``src`` and a few element-specific ones;
- ``depth-limit``: htmlguard unwraps elements nested deeper than ``MAX_DEPTH`` (512);
- ``round-trip-escaping``: htmlguard's serializer writes a CR as ``&#13;``, a leading
  U+FEFF as ``&#xFEFF;`` and doubles a newline that opens ``<pre>``/``<textarea>``/
  ``<listing>`` content, where html5ever's writes what the next parse loses (so the output
  would not be idempotent). Not in the original list of expected differences: it came
  with the idempotence work in the serializer;
- ``misnesting``: when removing elements leaves a tree the parser would not build (a
  ``<p>`` in a ``<p>``, text straight in a ``<tr>``, an ``<a>`` in an ``<a>``), htmlguard
  sanitizes its output again or unwraps the inner element, so its output is a fixed
  point; nh3 writes the misnested tree, which parses into another one. Also new with the
  idempotence work.

Either removal may reorder the remaining attributes of that element (ammonia drops
attributes with ``swap_remove``), so attributes are compared as sets where an attribute was
removed. Otherwise htmlguard's own serializer is byte-identical to html5ever's.

Corpus and synthetic differences are listed one by one in
``tests/security/fixtures/nh3_differences.json`` (input id, both outputs, a one-line
justification): the test fails on a difference that is not listed, on a listed one whose
outputs changed, and on a listed one that no longer occurs. Hypothesis inputs cannot be
listed by id, so there every difference must be explained, element by element, by one of
the categories above (:func:`explain`). Regenerate the fixture after a deliberate change
with ``python tests/security/test_differential_nh3.py --write-fixture`` (it refuses to list an
unexplained difference).

Policies compared: the ``strict`` and ``basic`` presets; ``ugc`` and ``relaxed`` without
their ``attribute_patterns`` (Rust regexes run inside htmlguard's attribute filter, which
nh3 has no equivalent for; its ``attribute_filter`` callback would be a re-implementation,
not a comparison) but with their ``id_prefix``; and a custom policy using every option nh3
shares (prefixes, ``tag_attribute_values``, ``set_tag_attribute_values``,
``allowed_classes``, ``filter_style_properties``, kept comments, a rewrite base).
``target_blank`` (done by htmlguard's serializer) has no nh3 counterpart either.
"""

from __future__ import annotations

import re
import urllib.parse
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nh3
import pytest
from hypothesis import given

import htmlguard as hg
from htmlguard import _core

_TESTS = Path(__file__).resolve().parent
import html_strategies as S  # noqa: E402 (tests/ is on sys.path, see conftest.py)
import test_xss_corpora as X  # noqa: E402
from listed_differences import Listed, main  # noqa: E402

H = S.H

FIXTURE = _TESTS / "fixtures" / "nh3_differences.json"

CATEGORIES = {
    "invisible-url": "htmlguard refuses a URL whose scheme is hidden by invisible characters "
    "(ammonia sees a harmless relative URL, lenient URL consumers see the scheme)",
    "legacy-url-attribute": "htmlguard checks cite and the other legacy URL attributes "
    "against url_schemes/url_relative; ammonia does not check them",
    "depth-limit": f"htmlguard unwraps elements nested deeper than {_core.MAX_DEPTH}",
    "round-trip-escaping": "htmlguard writes what a re-parse would lose (CR as &#13;, a "
    "leading U+FEFF as &#xFEFF;, a doubled newline opening <pre>/<textarea>/<listing>); "
    "html5ever's serializer, so nh3, writes them raw and its output parses differently",
    "misnesting": "htmlguard settles a tree that a parser would not rebuild (sanitizes "
    "again, unwraps an <a>/<form>/<button>/<nobr> inside its own kind); nh3 writes it "
    "as is, so its output parses into another tree and nh3 is not idempotent on it",
}


# ---------------------------------------------------------------- policies


def custom_policy() -> hg.Policy:
    """Every option nh3 shares, none it lacks."""
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
            "del",
            "abbr",
        },  # fmt: skip
        clean_content_tags={"script", "style", "svg", "math", "template", "textarea"},
        tag_attributes={
            "a": {"href", "title"},
            "img": {"src", "alt", "width"},
            "td": {"colspan"},
            "blockquote": {"cite"},
            "q": {"cite"},
            "del": {"cite", "datetime"},
        },
        generic_attributes={"lang", "id", "style"},
        generic_attribute_prefixes={"data-"},
        tag_attribute_values={"p": {"align": {"left", "right"}}},
        set_tag_attribute_values={"img": {"loading": "lazy"}},
        url_schemes={"https", "mailto"},
        url_relative={"base": "https://example.org/base/"},
        link_rel="noopener",
        allowed_classes={"span": {"hl", "x"}, "code": {"language-py"}},
        filter_style_properties={"color", "font-weight"},
        strip_comments=False,
        id_prefix="uc-",
    )


def policies() -> dict[str, hg.Policy]:
    return {
        "strict": hg.Policy.preset("strict"),
        "basic": hg.Policy.preset("basic"),
        "ugc-no-patterns": hg.Policy.preset("ugc").derive(attribute_patterns={}),
        "relaxed-no-patterns": hg.Policy.preset("relaxed").derive(attribute_patterns={}),
        "custom": custom_policy(),
    }


def nh3_arguments(p: hg.Policy) -> dict[str, Any]:
    """Every nh3 argument, set from the htmlguard policy (nh3's own defaults differ: it
    allows ``lang`` and ``title`` everywhere unless ``"*"`` is given, adds
    ``rel="noopener noreferrer"``, allows many schemes)."""
    if p.attribute_patterns or p.target_blank:
        raise ValueError("attribute_patterns and target_blank have no nh3 equivalent")
    url_relative: Any = p.url_relative
    if url_relative == "pass":
        url_relative = "pass_through"
    elif isinstance(url_relative, Mapping):
        if "base" in url_relative:
            url_relative = ("rewrite_with_base", url_relative["base"])
        else:
            url_relative = ("rewrite_with_root", url_relative["root"], url_relative["path"])
    attributes = {tag: set(names) for tag, names in p.tag_attributes.items()}
    attributes["*"] = set(p.generic_attributes)
    styles = p.filter_style_properties
    return {
        "tags": set(p.tags),
        "clean_content_tags": set(p.clean_content_tags),
        "attributes": attributes,
        "attribute_filter": None,
        "strip_comments": p.strip_comments,
        "link_rel": p.link_rel,
        "generic_attribute_prefixes": set(p.generic_attribute_prefixes),
        "tag_attribute_values": {
            tag: {name: set(values) for name, values in m.items()}
            for tag, m in p.tag_attribute_values.items()
        },
        "set_tag_attribute_values": {t: dict(m) for t, m in p.set_tag_attribute_values.items()},
        "url_schemes": set(p.url_schemes),
        "allowed_classes": {tag: set(c) for tag, c in p.allowed_classes.items()},
        "filter_style_properties": None if styles is None else set(styles),
        "url_relative": url_relative,
        "id_prefix": p.id_prefix,
    }


POLICIES = policies()
CLEANERS = {name: nh3.Cleaner(**nh3_arguments(p)) for name, p in POLICIES.items()}


# ---------------------------------------------------------------- inputs

#: Inputs that show each expected difference (and a few that must not differ).
SYNTHETIC: dict[str, str] = {
    "synthetic-deep-nesting": "<b>" * (_core.MAX_DEPTH + 8) + "deep",
    "synthetic-disguised-href": '<a href="\u200bjavascript:alert(1)">x</a>'
    '<img src="java\u00adscript:alert(1)">',
    "synthetic-cite-javascript": '<q cite="javascript:alert(1)">q</q>'
    '<blockquote cite="data:text/html,x">b</blockquote><del cite="vbscript:x">d</del>',
    "synthetic-cite-fine": '<q cite="https://example.org/why">q</q><del cite="/rel">d</del>',
    "synthetic-carriage-return": "a&#13;b\r\nc<p title='x&#13;y'>t</p>",
    "synthetic-leading-bom": "&#65279;x<p>\ufeff</p>",
    "synthetic-misnested-p": "<p><marquee><p>x</p></marquee></p><table><th>y",
    "synthetic-nested-links": '<a href="/x"><table><td><a href="/y">x</a></td></table></a>',
    "synthetic-serializer": "a & b < c > d \u00a0 \"q\" 'r' <p title='&amp;\"\u00a0<>'>t</p>"
    "<!-- c & d --><pre>\n\nx</pre><span class='x hl evil'>s</span>"
    "<div style='color: red; position: fixed' data-k='v' id='i'>d</div>",
}


def corpus_inputs() -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for name in X.CORPUS_FILES:
        items.extend(X.load(name))
    items.extend(SYNTHETIC.items())
    return items


# ---------------------------------------------------------------- explaining a difference

_SPECIAL_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp", "file"})
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_ANIMATION = frozenset({"animate", "animateMotion", "animateTransform", "set", "animateColor"})
EXTRA_URL_ATTRIBUTES = frozenset(
    {
        "cite", "longdesc", "background", "codebase", "manifest", "action", "formaction",
        "poster", "ping", "lowsrc", "dynsrc",
    }
)  # fmt: skip


def is_ammonia_url_attribute(tag: str, name: str) -> bool:
    """ammonia's own list of URL attributes (the ones it checks)."""
    return (
        (tag not in _ANIMATION and name in ("href", "xlink:href"))
        or name == "src"
        or (tag == "form" and name == "action")
        or (tag == "object" and name == "data")
        or (tag in ("button", "input") and name == "formaction")
        or (tag == "a" and name == "ping")
        or (tag == "video" and name == "poster")
    )


def invisible(c: str) -> bool:
    """htmlguard's invisible characters (Rust ``char::is_whitespace``/``is_control`` plus
    format characters)."""
    o = ord(c)
    return (
        c.isspace()
        or o < 0x20
        or 0x7F <= o <= 0x9F
        or c in "\u00ad\u180e\u2060\u2061\u2062\u2063\u2064\ufeff"
        or 0x200B <= o <= 0x200F
        or 0x202A <= o <= 0x202E
    )


def url_allowed(value: str, p: hg.Policy) -> bool:
    """An approximation of ammonia's rule (``Url::parse`` then the scheme allowlist, or the
    relative-URL rule); close enough to tell a refused URL from an allowed one here."""
    v = value.strip("".join(chr(i) for i in range(0x21))).replace("\t", "").replace("\n", "")
    v = v.replace("\r", "")
    m = _URL_SCHEME.match(v)
    if not m:
        return p.url_relative != "deny"
    scheme = m.group(1).lower()
    if scheme not in p.url_schemes:
        return False
    if scheme in _SPECIAL_SCHEMES:
        host = re.split(r"[/\\?#]", v[m.end() :].lstrip("/\\"), maxsplit=1)[0]
        return bool(host.rsplit("@", 1)[-1].split(":", 1)[0])
    return True


def removal_reason(tag: str, name: str, value: str, p: hg.Policy) -> str | None:
    """Why htmlguard (and not ammonia) may drop this attribute, or ``None``."""
    if is_ammonia_url_attribute(tag, name):
        # nh3 resolved a relative URL against the base; htmlguard judged the value first.
        base = p.url_relative.get("base") if isinstance(p.url_relative, Mapping) else None
        if base and value.startswith(base):
            value = urllib.parse.unquote(value[len(base) :])
        if any(invisible(c) for c in value):
            squeezed = "".join(c for c in value if not invisible(c))
            if not url_allowed(squeezed, p):
                return "invisible-url"
        return None
    if name in EXTRA_URL_ATTRIBUTES:
        squeezed = "".join(c for c in value if not invisible(c))
        if not url_allowed(value, p) or not url_allowed(squeezed, p):
            return "legacy-url-attribute"
    return None


def _events(fragment: ET.Element) -> list[tuple[Any, ...]]:
    """Like ``H.dump`` but with attributes as dicts, and each element's tag and depth."""
    out: list[tuple[Any, ...]] = []
    if fragment.text:
        out.append(("text", fragment.text))
    stack: list[tuple[ET.Element, bool, int]] = [(c, False, 1) for c in reversed(fragment)]
    while stack:
        node, closing, depth = stack.pop()
        if closing:
            out.append(("end", node.tag))
        elif not isinstance(node.tag, str):
            out.append(("comment", node.text or ""))
        else:
            attrs = {H.attribute_name(k): v for k, v in node.attrib.items()}
            out.append(("start", node.tag, attrs, depth))
            if node.text:
                out.append(("text", node.text))
            stack.append((node, True, depth))
            stack.extend((c, False, depth + 1) for c in reversed(node))
            continue
        if node.tail:
            out.append(("text", node.tail))
    return out


def max_depth(fragment: ET.Element) -> int:
    return max((e[3] for e in _events(fragment) if e[0] == "start"), default=0)


_LEADING_NEWLINE = re.compile(r"(<(?:pre|textarea|listing)(?:\s[^>]*)?>)\n(?=\n)")


def undo_round_trip_escaping(ours: str) -> str:
    """htmlguard's output as html5ever's serializer would have written the same tree. In
    escaped output a literal ``&#13;`` or ``&#xFEFF;`` can only come from these escapes
    (an ``&`` of the content is written ``&amp;``)."""
    undone = ours.replace("&#13;", "\r")
    if undone.startswith("&#xFEFF;"):
        undone = "\ufeff" + undone[len("&#xFEFF;") :]
    return _LEADING_NEWLINE.sub(r"\1", undone)


def text_of(fragment: ET.Element) -> str:
    return "".join(e[1] for e in _events(fragment) if e[0] == "text")


def elements_of(fragment: ET.Element, p: hg.Policy, drop_refused: bool) -> Counter[str]:
    """Elements as ``tag attr=value ...`` strings; with ``drop_refused``, without the
    attributes htmlguard refuses and ammonia keeps (see :func:`removal_reason`)."""
    found: Counter[str] = Counter()
    for e in _events(fragment):
        if e[0] != "start":
            continue
        tag = H.split_name(e[1])[1]
        attrs = sorted(
            f"{k}={v}"
            for k, v in e[2].items()
            if not (drop_refused and removal_reason(tag, k, v, p) is not None)
        )
        found[" ".join([str(e[1]), *attrs])] += 1
    return found


def misnesting(p: hg.Policy, ours: str, theirs: str, cleaner: Any, fixed_point: bool) -> bool:
    """nh3's output is misnested (nh3 changes it on a second run) and htmlguard's is a
    fixed point with the same text, its elements a subset of what nh3's output parses to."""
    if cleaner is None or not fixed_point or cleaner.clean(theirs) == theirs:
        return False
    mine, other = H.parse(ours), H.parse(theirs)
    if text_of(mine) != text_of(other):
        return False
    return not elements_of(mine, p, False) - elements_of(other, p, True)


def explain(
    p: hg.Policy, ours: str, theirs: str, cleaner: Any = None, fixed_point: bool | None = None
) -> tuple[str | None, str]:
    """``(category, detail)`` for a difference between htmlguard's and nh3's output;
    category ``None`` when no documented reason explains it. Categories combine with a
    comma (``"invisible-url,round-trip-escaping"``). ``fixed_point``: whether htmlguard's
    real output is a fixed point of ``sanitize`` (computed when not given)."""
    if fixed_point is None:
        fixed_point = p.sanitize(ours) == ours
    undone = undo_round_trip_escaping(ours)
    if undone != ours:
        if undone == theirs:
            return "round-trip-escaping", "only the escapes differ"
        category, detail = explain(p, undone, theirs, cleaner, fixed_point)
        if category is None:
            return None, detail
        return ",".join(sorted({*category.split(","), "round-trip-escaping"})), detail
    mine, other = H.parse(ours), H.parse(theirs)
    if misnesting(p, ours, theirs, cleaner, fixed_point):
        return "misnesting", "nh3's output is misnested"
    if max_depth(other) > _core.MAX_DEPTH:
        if max_depth(mine) <= _core.MAX_DEPTH:
            return "depth-limit", f"nh3 nests {max_depth(other)} deep"
        return None, "both too deep, yet different"
    a, b = _events(mine), _events(other)
    if len(a) != len(b):
        return None, "different trees"
    reasons: set[str] = set()
    for ea, eb in zip(a, b, strict=True):
        if ea[0] != "start" or eb[0] != "start":
            if ea != eb:
                return None, f"{ea!r} != {eb!r}"
            continue
        if ea[1] != eb[1]:
            return None, f"<{ea[1]}> != <{eb[1]}>"
        tag = H.split_name(ea[1])[1]
        ours_attrs, theirs_attrs = ea[2], eb[2]
        for name, value in ours_attrs.items():
            if theirs_attrs.get(name) != value:
                return None, f"<{tag} {name}={value!r}> differs from nh3's"
        for name in theirs_attrs.keys() - ours_attrs.keys():
            reason = removal_reason(tag, name, theirs_attrs[name], p)
            if reason is None:
                return None, f"htmlguard dropped <{tag} {name}={theirs_attrs[name]!r}>"
            reasons.add(reason)
    if not reasons:
        return None, "same tree, different markup (serializer difference)"
    return ",".join(sorted(reasons)), "attributes refused by htmlguard only"


# ---------------------------------------------------------------- the fixture


def actual_differences() -> dict[tuple[str, str], dict[str, str]]:
    found: dict[tuple[str, str], dict[str, str]] = {}
    for pname, p in POLICIES.items():
        cleaner = CLEANERS[pname]
        for pid, payload in corpus_inputs():
            ours, theirs = p.sanitize(payload), cleaner.clean(payload)
            if ours != theirs:
                found[(pname, pid)] = {"htmlguard": ours, "nh3": theirs}
    return found


LISTED = Listed(FIXTURE, "nh3", name_field="policy")


def _explain_key(key: tuple[str, str], outs: Mapping[str, str]) -> tuple[str | None, str]:
    return explain(POLICIES[key[0]], outs["htmlguard"], outs["nh3"], CLEANERS[key[0]])


def load_fixture() -> dict[tuple[str, str], dict[str, Any]]:
    return LISTED.load()


def write_fixture() -> None:
    header = {
        "about": "Known differences between htmlguard and nh3 on the XSS corpora and "
        "tests/security/test_differential_nh3.py's synthetic inputs, per comparable policy. "
        "Checked both ways by that test; regenerate with "
        "`python tests/security/test_differential_nh3.py --write-fixture`.",
        "nh3_version": nh3.__version__ if hasattr(nh3, "__version__") else "unknown",
    }
    LISTED.write(actual_differences(), _explain_key, CATEGORIES, header)


# ---------------------------------------------------------------- tests


def test_nh3_arguments_are_complete() -> None:
    """Every nh3 option is passed (nh3's defaults would otherwise leak in)."""
    import inspect

    params = set(inspect.signature(nh3.Cleaner).parameters)
    for p in POLICIES.values():
        assert set(nh3_arguments(p)) == params
    with pytest.raises(ValueError):
        nh3_arguments(hg.Policy.preset("ugc"))


def test_identical_on_plain_markup() -> None:
    markup = '<p>Hi <b>there</b> &amp; <a href="https://x.org/?a=1&amp;b=2">x</a></p>'
    for name, p in POLICIES.items():
        assert p.sanitize(markup) == CLEANERS[name].clean(markup), name


def test_corpus_differences_are_exactly_the_listed_ones() -> None:
    problems = LISTED.problems(actual_differences(), _explain_key)
    assert not problems, "\n".join(problems)


def test_listed_differences_are_explained() -> None:
    for (pname, pid), entry in load_fixture().items():
        assert entry["justification"].strip() and "\n" not in entry["justification"]
        category, detail = explain(
            POLICIES[pname], entry["htmlguard"], entry["nh3"], CLEANERS[pname]
        )
        assert category == entry["category"], f"{pname} {pid}: {category} ({detail})"


def test_every_expected_category_occurs() -> None:
    seen = {c for e in load_fixture().values() for c in e["category"].split(",")}
    assert seen == set(CATEGORIES)


@pytest.mark.parametrize("name", list(POLICIES))
@S.examples(120)
@given(x=S.inputs)
def test_generated_inputs_agree_or_differ_for_a_listed_reason(name: str, x: str) -> None:
    # nh3 refuses lone surrogates (a str it cannot encode as UTF-8); htmlguard replaces
    # each by U+FFFD, so both get that.
    x = x.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    ours, theirs = POLICIES[name].sanitize(x), CLEANERS[name].clean(x)
    if ours != theirs:
        category, detail = explain(POLICIES[name], ours, theirs, CLEANERS[name])
        assert category is not None, f"htmlguard {ours!r} != nh3 {theirs!r}: {detail}"


if __name__ == "__main__":
    main(__file__, FIXTURE, write_fixture)
