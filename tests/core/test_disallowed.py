"""The ``disallowed`` option: what happens to an element the policy does not keep.

``"unwrap"`` (the default) keeps its content, ``"drop"`` takes its start and end tags out of
the token stream before the tree is built (as bleach's ``clean(strip=True)`` does; our engine
only), ``"escape"`` shows them as text exactly as written (at the tokenizer, as bleach's
``clean(strip=False)`` does; our engine only), ``"remove"`` drops it with its content (both
engines).
"""

from __future__ import annotations

from typing import Any

import bleach
import html5lib
import pytest

import htmlguard as hg
from htmlguard import _core

ENGINES = ("htmlguard", "ammonia")
MODES = ("unwrap", "drop", "escape", "remove")
#: The modes that act at the tokenizer, which only our engine can.
TOKEN_MODES = ("drop", "escape")

#: Text formatting, tables and SVG kept; script and style removed with their content.
BASE = hg.Policy(
    tags={"p", "b", "i", "br", "a", "table", "tr", "td", "svg", "circle", "foreignObject"},
    clean_content_tags={"script", "style"},
    tag_attributes={"a": {"href"}, "circle": {"r"}},
    url_schemes={"https"},
)


def policy(mode: str, engine: str | None = None) -> hg.Policy:
    """``BASE`` with ``disallowed=mode``, on ``engine`` if given (else the default)."""
    if engine is None:
        return BASE.derive(disallowed=mode)
    return BASE.derive(disallowed=mode, engine=engine)


def engines_for(mode: str) -> tuple[str, ...]:
    return ("htmlguard",) if mode in TOKEN_MODES else ENGINES


def escaped() -> hg.Policy:
    return policy("escape")


# ---------------------------------------------------------------- the option


def test_default_is_unwrap_and_every_preset_keeps_it() -> None:
    assert hg.Policy().disallowed == "unwrap"
    for name in hg.PRESETS:
        assert hg.Policy.preset(name).disallowed == "unwrap", name
    # Unwrap is today's behaviour: the same output as a policy that never named the option.
    html = "<p>a<blink>b<i>c</i></blink><script>x</script></p>"
    assert policy("unwrap").sanitize(html) == BASE.sanitize(html) == "<p>ab<i>c</i></p>"


@pytest.mark.parametrize("mode", MODES)
def test_round_trips(mode: str) -> None:
    p = policy(mode)
    assert p.disallowed == mode
    assert p.to_dict()["disallowed"] == mode
    assert hg.Policy.from_dict(p.to_dict()) == p
    assert hg.Policy(**p.to_dict()) == p
    assert p.derive(disallowed="unwrap") == BASE
    assert hash(p.derive(disallowed="unwrap")) == hash(BASE)
    if mode != "unwrap":
        assert p != BASE
        assert f'disallowed "{mode}"' in repr(p)
        assert repr(hg.Policy.preset("ugc").derive(disallowed=mode)).startswith("Policy(<")
    else:
        assert "disallowed" not in repr(p)


def test_bad_values_are_refused() -> None:
    with pytest.raises(hg.PolicyError) as info:
        hg.Policy(disallowed="strip")  # type: ignore[arg-type]
    assert str(info.value) == (
        'disallowed: "strip" is not one of "unwrap", "drop", "escape", "remove"'
    )
    with pytest.raises(hg.PolicyError, match="disallowed: expected a string, got NoneType"):
        hg.Policy(disallowed=None)  # type: ignore[arg-type]
    with pytest.raises(hg.PolicyError, match="disallowed: "):
        hg.Policy(disallowed="Escape")  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", TOKEN_MODES)
def test_token_modes_need_our_engine(mode: str) -> None:
    with pytest.raises(hg.PolicyError) as info:
        hg.Policy(disallowed=mode, engine="ammonia")  # type: ignore[arg-type]
    assert str(info.value).startswith(f'disallowed/engine: "{mode}" needs our engine')
    # Either way round, and from a stored policy: never a silent fallback.
    with pytest.raises(hg.PolicyError, match="disallowed/engine"):
        policy(mode).derive(engine="ammonia")
    with pytest.raises(hg.PolicyError, match="disallowed/engine"):
        policy("unwrap", "ammonia").derive(disallowed=mode)
    with pytest.raises(hg.PolicyError, match="disallowed/engine"):
        hg.Policy.from_dict({**policy(mode).to_dict(), "engine": "ammonia"})
    assert policy(mode).engine is None
    assert policy(mode, "htmlguard").engine == "htmlguard"
    assert policy("remove", "ammonia").engine == "ammonia"


# ---------------------------------------------------------------- each mode

CASES = [
    # (input, unwrap, drop, escape, remove)
    (
        "<p>a<blink>b<i>c</i></blink>d</p>",
        "<p>ab<i>c</i>d</p>",
        "<p>ab<i>c</i>d</p>",
        "<p>a&lt;blink&gt;b<i>c</i>&lt;/blink&gt;d</p>",
        "<p>ad</p>",
    ),
    # clean_content_tags go with their content in every mode.
    ("a<script>x</script><style>y</style>b", "ab", "ab", "ab", "ab"),
    # A stray end tag: dropped by the parser, shown when escaped.
    ("a</blink>b", "ab", "ab", "a&lt;/blink&gt;b", "ab"),
    # Self-closing, uppercase, attributes and references: the source as written. (An
    # HTML element's `/>` closes nothing: removed, it takes the text after it along.)
    (
        '<BLINK Class="x &amp; y" hidden/>z',
        "z",
        "z",
        '&lt;BLINK Class="x &amp;amp; y" hidden/&gt;z',
        "",
    ),
    ("<br/><x/>z", "<br>z", "<br>z", "<br>&lt;x/&gt;z", "<br>"),
    # End tags with attributes (a `>` inside a quoted value does not end the tag).
    ('<x>a</x y=">">b', "ab", "ab", '&lt;x&gt;a&lt;/x y="&gt;"&gt;b', "b"),
    # A disallowed <div> closes the <p> it is in, unless dropped before the tree is built
    # (then, after an earlier tag, it is a newline).
    (
        "<p>a<div>b</div>c</p>",
        "<p>a</p>bc<p></p>",
        "<p>a\nbc</p>",
        "<p>a&lt;div&gt;b&lt;/div&gt;c</p>",
        "<p>a</p>c<p></p>",
    ),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("html", "unwrap", "drop", "escape", "remove"), CASES)
def test_each_mode(mode: str, html: str, unwrap: str, drop: str, escape: str, remove: str) -> None:
    expected = {"unwrap": unwrap, "drop": drop, "escape": escape, "remove": remove}[mode]
    for engine in engines_for(mode):
        assert policy(mode, engine).sanitize(html) == expected, engine


# ---------------------------------------------------------------- escape: the edges


def test_escaped_raw_text_tags_do_not_swallow_what_follows() -> None:
    p = escaped()
    for name in ("textarea", "title", "xmp", "noscript", "iframe", "plaintext"):
        html = f"<{name}><b>x</b></{name}>"
        assert p.sanitize(html) == f"&lt;{name}&gt;<b>x</b>&lt;/{name}&gt;", name
    # A policy that keeps <textarea> reads its content as text, as always.
    keep = escaped().derive(tags=BASE.tags | {"textarea"})
    assert keep.sanitize("<textarea><b>x</b></textarea>") == (
        "<textarea>&lt;b&gt;x&lt;/b&gt;</textarea>"
    )


def test_escaped_tags_open_close_and_move_nothing() -> None:
    p = escaped()
    # Not kept, </p> and </br> are text; kept, the parser makes a <p> and a <br> of them.
    assert hg.Policy(disallowed="escape").sanitize("</p></br>") == "&lt;/p&gt;&lt;/br&gt;"
    assert p.sanitize("</p>x</br>") == "<p></p>x<br>"
    # An escaped end tag closes nothing; an escaped start tag opens nothing.
    assert p.sanitize("<b>a</div>b</b>c") == "<b>a&lt;/div&gt;b</b>c"
    assert p.sanitize("<p>a<div>b</p>") == "<p>a&lt;div&gt;b</p>"
    # An escaped cell opens no cell: it is table text, moved before the table.
    assert p.sanitize("<table><th>x</th></table>") == "&lt;th&gt;x&lt;/th&gt;<table></table>"


def test_tags_cut_off_by_the_end_of_input() -> None:
    p = escaped()
    # The standard drops a tag the input ends inside; escaped, its text is shown.
    assert p.sanitize("a<blink") == "a&lt;blink"
    assert p.sanitize('a<blink title="x') == 'a&lt;blink title="x'
    assert p.sanitize("a</blink") == "a&lt;/blink"
    # A kept one is the parser's: dropped.
    assert p.sanitize("a<b title") == "a"
    assert policy("unwrap").sanitize("a<blink") == "a"


def test_foreign_content() -> None:
    p = escaped()
    # Names compared lowercased: SVG's foreignObject is kept, whatever the input's case.
    assert p.sanitize("<svg><foreignobject><b>x</b></foreignobject></svg>") == (
        "<svg><foreignObject><b>x</b></foreignObject></svg>"
    )
    # Not kept inside SVG: the source with its case and prefix.
    assert p.sanitize('<svg><feGaussianBlur stdDeviation="2"/><svg:rect/></svg>') == (
        '<svg>&lt;feGaussianBlur stdDeviation="2"/&gt;&lt;svg:rect/&gt;</svg>'
    )
    # A kept name in a namespace where it is not allowed passes the tokenizer and is
    # unwrapped by the namespace check, as in the other modes.
    assert p.sanitize("<svg><p>x</p></svg>") == policy("unwrap").sanitize("<svg><p>x</p></svg>")


def test_escape_and_the_depth_limit() -> None:
    p = escaped()
    # Escaped tags never reach the tree: 2000 of them nest nothing.
    assert p.sanitize("<x>" * 2000 + "<b>y</b>") == "&lt;x&gt;" * 2000 + "<b>y</b>"
    # Kept tags past the limit are dropped as in every mode.
    deep = p.inspect("<b>" * (_core.MAX_DEPTH + 10) + "y")
    assert deep.html.count("<b>") == _core.MAX_DEPTH
    assert deep.by_tag["b"] == 10


def test_escaped_newlines_and_nul() -> None:
    p = escaped()
    assert p.sanitize("<x\r\ny\rz>") == "&lt;x\ny\nz&gt;"
    assert p.sanitize("<x\x00>a") == "&lt;x&gt;a"


def test_implied_elements_are_unwrapped_when_escaping() -> None:
    # No start tag to escape: the parser's <tbody> is unwrapped.
    assert escaped().sanitize("<table><tr><td>x</td></tr></table>") == (
        "<table><tr><td>x</td></tr></table>"
    )


# ---------------------------------------------------------------- drop: the edges


def dropped() -> hg.Policy:
    return policy("drop")


def test_dropped_raw_text_tags_leave_what_follows_markup() -> None:
    p = dropped()
    for name in ("textarea", "title", "xmp", "noscript", "iframe", "plaintext", "noembed"):
        assert p.sanitize(f"<{name}><b>x</b></{name}>y") == "<b>x</b>y", name
    # clean_content_tags are not dropped: the parser reads them and they go whole.
    assert p.sanitize("<style><b>x</b></style>y") == "y"
    # Kept, a <textarea> reads its content as text, as always.
    keep = p.derive(tags=BASE.tags | {"textarea"})
    assert keep.sanitize("<textarea><b>x</b></textarea>") == (
        "<textarea>&lt;b&gt;x&lt;/b&gt;</textarea>"
    )


def test_dropped_tags_open_close_and_move_nothing() -> None:
    p = dropped()
    # Not kept, </p> and </br> are nothing; kept, the parser makes a <p> and a <br>.
    assert hg.Policy(disallowed="drop").sanitize("</p>a</br>") == "a"
    assert p.sanitize("</p>x</br>") == "<p></p>x<br>"
    # A dropped end tag closes nothing; a dropped start tag opens nothing.
    assert p.sanitize("<b>a</div>b</b>c") == "<b>ab</b>c"
    assert p.sanitize("<i>a<h1>b</h1>c</i>") == "<i>a\nbc</i>"
    # A dropped <svg> opens no foreign content: its <p> is an HTML one.
    assert dropped().derive(tags={"p"}).sanitize("<svg><p>x</p></svg>") == "<p>x</p>"


def test_dropped_block_level_start_tags_become_newlines() -> None:
    p = hg.Policy(tags={"b"}, disallowed="drop")
    # Not the input's first tag, not an end tag, not an inline element.
    assert p.sanitize("<div>a</div><div>b</div><span>c</span><LI/>d") == "a\nbc\nd"
    assert p.sanitize("x<p>a") == "xa"
    assert p.sanitize("<b>x</b><p>a") == "<b>x</b>\na"
    # In a large document cut into pieces, a piece's first tag is not the input's.
    doc = "<div>a</div><b>b</b>" * 20_000
    assert p.sanitize(doc) == _core._sanitize_unsplit(p, doc)
    assert p.sanitize(doc).count("\n") == 20_000 - 1


def test_tags_cut_off_by_the_end_are_dropped() -> None:
    p = dropped()
    assert p.sanitize("a<blink") == "a"
    assert p.sanitize('a<blink title="x') == "a"
    assert p.sanitize("a</blink") == "a"


def test_drop_and_the_depth_limit() -> None:
    p = dropped()
    # Dropped tags never reach the tree: 2000 of them nest nothing.
    assert p.sanitize("<x>" * 2000 + "<b>y</b>") == "<b>y</b>"
    deep = p.inspect("<b>" * (_core.MAX_DEPTH + 10) + "y")
    assert deep.html.count("<b>") == _core.MAX_DEPTH


def test_implied_elements_are_unwrapped_when_dropping() -> None:
    assert dropped().sanitize("<table><tr><td>x</td></tr></table>") == (
        "<table><tr><td>x</td></tr></table>"
    )


# ---------------------------------------------------------------- remove: the edges


@pytest.mark.parametrize("engine", ENGINES)
def test_remove_keeps_content_the_parser_wrapped(engine: str) -> None:
    p = policy("remove", engine)
    # tbody is not kept: the one the parser adds around the rows is unwrapped, not removed.
    assert p.sanitize("<table><tr><td>x</td></tr></table>") == (
        "<table><tr><td>x</td></tr></table>"
    )
    assert p.sanitize("<table><tbody><tr><td>x</td></tr></tbody></table>") == (
        "<table><tr><td>x</td></tr></table>"
    )
    # With attributes it was the user's own, and goes with its rows.
    assert p.sanitize("<table><tbody id=t><tr><td>x</td></tr></tbody></table>") == (
        "<table></table>"
    )
    # An unclosed formatting element runs on, as in the browser: its content goes.
    assert p.sanitize("<p>a<u>b</p><p>c</p>") == "<p>a</p><p></p>"
    # Foster-parented content of a disallowed element goes with it.
    assert p.sanitize("<table><blink>x</blink><tr><td>y</td></tr></table>") == (
        "<table><tr><td>y</td></tr></table>"
    )


# ---------------------------------------------------------------- every mode

IDEMPOTENCE_INPUTS = [
    *(c[0] for c in CASES),
    "<textarea><b>x</b></textarea>",
    "<plaintext><b>x</b>",
    "<table><blink>x<tr><td>y<x>z</table>",
    "<pre><x>\ny</pre>",
    "<pre>\n<x>\n</pre>",
    "a<blink title='&amp;",
    "<svg><foreignObject><x><b>y</b></x></foreignObject></svg>",
    "<x>&lt;b&gt;</x>&amp;lt;",
    "<p><x><p>y",
    "<a href='https://e.org'><x><a href='https://e.org'>y",
    "<b>" * 600 + "<x>" * 600 + "z",
    "\ufeff<x>",
    "<x>\ufeff",
    "<x>\r\n<y\r>",
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("html", IDEMPOTENCE_INPUTS)
def test_idempotent(mode: str, html: str) -> None:
    for engine in engines_for(mode):
        p = policy(mode, engine)
        once = p.sanitize(html)
        assert p.sanitize(once) == once, (engine, once)
        assert p.is_clean(once), (engine, once)


@pytest.mark.parametrize("mode", MODES)
def test_large_documents_cut_into_pieces_give_the_same_output(mode: str) -> None:
    unit = "<p>a<textarea><b>x</textarea>y</p><blink>z</blink><style>s</style>\n"
    doc = unit * (200_000 // len(unit))
    for engine in engines_for(mode):
        p = policy(mode, engine)
        whole = _core._sanitize_unsplit(p, doc)
        assert p.sanitize(doc) == whole
        assert _core._sanitize_in_pieces(p, doc, 1) == whole


# ---------------------------------------------------------------- against bleach

#: Inputs on which "escape" gives bleach's ``clean(strip=False)`` output.
LIKE_BLEACH = [
    "<blink>hi</blink>",
    "<BLINK hidden>x</Blink >",
    "<b>a</x>b</b>",
    "<textarea><b>x</b></textarea>",
    "<style><b>x</b></style>",
    "a<blink",
    "<x/>",
    "</br>",
    "</p>",
    "<svg><circle/></svg>",
    '</blink a=">">',
    "<p>a<div>b</p>",
    "<table><th>x</th></table>",
    "<x\r\ny>",
    "a < b",
    "<scr<script>ipt>",
    "<b>x</b><i>y",
]


@pytest.mark.parametrize("html", LIKE_BLEACH)
def test_escape_is_bleachs_strip_false(html: str) -> None:
    tags = {"b", "i", "p", "br"}
    ours = hg.Policy(tags=tags, disallowed="escape").sanitize(html)
    assert ours == bleach.clean(html, tags=tags, attributes={}, strip=False)


def parsed(markup: str) -> list[tuple[Any, ...]]:
    """``markup`` as html5lib parses it as a ``<div>``'s content: the tree walker's events
    (attributes sorted, adjacent text merged)."""
    events: list[tuple[Any, ...]] = []
    fragment = html5lib.parseFragment(markup, namespaceHTMLElements=False)
    for t in html5lib.getTreeWalker("etree")(fragment):
        kind = t["type"]
        if kind in ("Characters", "SpaceCharacters"):
            if events and events[-1][0] == "text":
                events[-1] = ("text", events[-1][1] + t["data"])
            else:
                events.append(("text", t["data"]))
        elif kind in ("StartTag", "EmptyTag"):
            events.append(("start", t["name"], sorted(t["data"].items())))
        else:
            events.append((kind, t.get("name"), t.get("data")))
    return events


STRIP_TAGS = {"p", "b", "i", "a", "tr", "td", "li"}

#: Shapes where dropping a disallowed tag before tree building builds another tree than
#: unwrapping the element from the tree the parser built with it.
TREES_DIFFER = [
    "<p>a<div>b</div>c</p>",
    "<p>a<ul><li>b</li></ul>c",
    "<i>a<h1>b</h1>c</i>",
    "<b>x<table>a<i>b</i></table>y</b>",
    "<style><b>x</b></style>",
    "<textarea><i>x</i></textarea>",
    "<svg><p>a</p><desc><b>b</b></desc></svg>",
    "<math><mi><b>x</b></mi></math>",
    "<template><b>x</b></template>y",
    "<p>x</p><div>a<p>b</div>c</p>",
    "<a href='/x'>a<form>b</form>c</a>",
    "x<div>a</div><div>b</div>",
    # A dropped tag is an empty text to the tree builder: it reopens the <b> the </p>
    # closed, so the next <p> goes in it.
    "<p><b>x</p></blink><p>y",
]


@pytest.mark.parametrize("html", TREES_DIFFER)
def test_drop_is_bleachs_strip_true(html: str) -> None:
    p = hg.Policy(tags=STRIP_TAGS, tag_attributes={"a": {"href"}}, url_relative="pass")
    drop, unwrap = p.derive(disallowed="drop"), p.derive(disallowed="unwrap")
    theirs = bleach.clean(html, tags=STRIP_TAGS, attributes={"a": ["href"]}, strip=True)
    assert parsed(drop.sanitize(html)) == parsed(theirs)
    assert parsed(unwrap.sanitize(html)) != parsed(theirs)


def test_where_escape_differs_from_bleach() -> None:
    p = hg.Policy(tags={"b"}, disallowed="escape")
    # The source exactly as written: a reference in it is shown, not decoded (bleach's
    # tokenizer leaves references alone everywhere, and its serializer writes them back).
    html = '<x title="a&amp;b">'
    assert p.sanitize(html) == '&lt;x title="a&amp;amp;b"&gt;'
    assert bleach.clean(html, tags={"b"}, strip=False) == '&lt;x title="a&amp;b"&gt;'
    # Every tag the input ends inside is shown; bleach drops one ending in a quoted value.
    assert p.sanitize('a<x title="y') == 'a&lt;x title="y'
    assert bleach.clean('a<x title="y', tags={"b"}, strip=False) == "a"


# ---------------------------------------------------------------- inspect


def test_inspect_reports_each_dropped_start_tag() -> None:
    report = dropped().inspect('<b>a<Blink id="1">b</BLINK></b></x><script>x</script>')
    assert report.html == "<b>ab</b>"
    # A dropped element is reported once, as an unwrapped one is; a stray end tag, which
    # the parser drops in every mode, not at all.
    assert [(r.kind, r.tag, r.name, r.value) for r in report.removed] == [
        ("tag", "blink", "blink", ""),
        ("tag", "script", "script", ""),
    ]
    assert not dropped().is_clean("a<blink>")
    assert dropped().is_clean(report.html)


def test_inspect_reports_each_escaped_tag_with_its_text() -> None:
    report = escaped().inspect('<b>a<Blink id="1">b</BLINK></b><script>x</script>')
    assert report.html == '<b>a&lt;Blink id="1"&gt;b&lt;/BLINK&gt;</b>'
    assert [(r.kind, r.tag, r.name, r.value) for r in report.removed] == [
        ("tag", "blink", "blink", '<Blink id="1">'),
        ("tag", "blink", "blink", "</BLINK>"),
        ("tag", "script", "script", ""),
    ]
    assert report.by_kind == {"tag": 3}
    assert report.by_tag == {"blink": 2, "script": 1}
    assert str(report) == "removed 3 tags (<blink>, <script>)"
    assert not escaped().is_clean("a<blink")
    assert escaped().is_clean(report.html)


@pytest.mark.parametrize("engine", ENGINES)
def test_inspect_reports_removed_elements_like_clean_content_tags(engine: str) -> None:
    report = policy("remove", engine).inspect("<b>a<blink>b<i>c</i></blink></b><style>s</style>")
    assert report.html == "<b>a</b>"
    assert [(r.kind, r.tag, r.name, r.value) for r in report.removed] == [
        ("tag", "blink", "blink", ""),
        ("tag", "style", "style", ""),
    ]
    # The parser's own <tbody> is neither removed nor reported.
    clean = policy("remove", engine).inspect("<table><tr><td>x</td></tr></table>")
    assert clean.total == 0
