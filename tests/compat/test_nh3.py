"""The nh3 shim's mapping, one behaviour at a time (no nh3 needed; the differential test
compares it with the real nh3)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

import htmlguard as hg
from htmlguard.compat import nh3
from htmlguard.compat.nh3 import _compile


def test_importing_the_shims_imports_no_peer_and_htmlguard_no_shim() -> None:
    code = (
        "import sys, htmlguard\n"
        "assert not any(m.startswith('htmlguard.compat') for m in sys.modules), 'compat'\n"
        "from htmlguard.compat import nh3, bluemonday\n"
        "assert 'nh3' not in sys.modules and 'pybluemonday' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- defaults


def test_defaults_are_ammonias() -> None:
    assert nh3.clean("<unknown>hi") == "hi"
    assert nh3.clean("<b><img src='' onerror='alert(1)'>XSS?</b>") == '<b><img src="">XSS?</b>'
    # rel="noopener noreferrer" on links; lang and title everywhere; relative URLs kept.
    assert (
        nh3.clean('<a href="/x" title="t" lang="en" id="i">x</a>')
        == '<a href="/x" title="t" lang="en" rel="noopener noreferrer">x</a>'
    )
    assert nh3.clean("<script>x</script><style>y</style>z") == "z"
    assert nh3.clean('<a href="irc://x.org/c">x</a>').startswith('<a href="irc://x.org/c"')


def test_exported_constants_are_copies() -> None:
    assert "b" in nh3.ALLOWED_TAGS and nh3.ALLOWED_ATTRIBUTES["img"] >= {"src", "alt"}
    assert nh3.CLEAN_CONTENT_TAGS == {"script", "style"}
    nh3.ALLOWED_TAGS.discard("b")
    try:
        assert nh3.clean("<b>x</b>") == "<b>x</b>"  # as in nh3: defaults are not the exports
    finally:
        nh3.ALLOWED_TAGS.add("b")


def test_attributes_without_star_keep_the_generic_defaults() -> None:
    html = '<p lang="en" title="t" id="i">x</p>'
    assert nh3.clean(html, attributes={"p": {"id"}}) == html
    assert nh3.clean(html, attributes={"*": {"id"}}) == '<p id="i">x</p>'
    assert nh3.clean(html, attributes={}) == '<p lang="en" title="t">x</p>'


# ---------------------------------------------------------------- each keyword


def test_tags_and_clean_content_tags() -> None:
    assert nh3.clean("<b><i>x</i></b>", tags={"b"}) == "<b>x</b>"
    assert nh3.clean("<b>x</b><i>y</i>", tags={"i"}, clean_content_tags={"b"}) == "<i>y</i>"


def test_link_rel() -> None:
    assert nh3.clean('<a href="/">x</a>', link_rel=None) == '<a href="/">x</a>'
    assert nh3.clean('<a href="/">x</a>', link_rel="nofollow") == '<a href="/" rel="nofollow">x</a>'
    attributes = {"a": {"href", "rel"}}
    html = '<a href="/" rel="tag">x</a>'
    assert nh3.clean(html, link_rel=None, attributes=attributes) == html


def test_value_keywords() -> None:
    assert nh3.clean('<div data-x="1" datax="2">d</div>', generic_attribute_prefixes={"data-"}) == (
        '<div data-x="1">d</div>'
    )
    tav = {"div": {"role": {"alert", "status"}}}
    assert nh3.clean("<div role='ALERT'>w</div>", tag_attribute_values=tav) == (
        '<div role="ALERT">w</div>'
    )
    assert nh3.clean("<div role='banner'>w</div>", tag_attribute_values=tav) == "<div>w</div>"
    assert nh3.clean("<div>c</div>", set_tag_attribute_values={"div": {"class": "safe"}}) == (
        '<div class="safe">c</div>'
    )
    assert nh3.clean(
        '<span class="highlight bold">t</span>', allowed_classes={"span": {"highlight"}}
    ) == ('<span class="highlight">t</span>')
    assert nh3.clean(
        '<span style="color: red; position: fixed">t</span>',
        attributes={"span": {"style"}},
        filter_style_properties={"color"},
    ) == ('<span style="color:red">t</span>')
    assert nh3.clean('<b id="x">hi</b>', attributes={"b": {"id"}}, id_prefix="uc-") == (
        '<b id="uc-x">hi</b>'
    )
    assert nh3.clean("a<!-- c -->b", strip_comments=False) == "a<!-- c -->b"


def test_url_schemes_and_url_relative() -> None:
    link = '<a href="{}">x</a>'
    assert nh3.clean(link.format("ftp://x.org/"), url_schemes={"https"}) == (
        '<a rel="noopener noreferrer">x</a>'
    )
    # An upper-case scheme never matches in ammonia (url reports "http"): dropped, not refused.
    assert nh3.clean(link.format("http://x.org/"), url_schemes={"HTTP"}) == (
        '<a rel="noopener noreferrer">x</a>'
    )
    assert nh3.clean(link.format("/foo"), url_relative="deny") == (
        '<a rel="noopener noreferrer">x</a>'
    )
    assert nh3.clean(link.format("/foo"), url_relative="pass_through").startswith('<a href="/foo"')
    assert nh3.clean(link.format("/foo"), url_relative=("rewrite_with_base", "https://e.com")) == (
        '<a href="https://e.com/foo" rel="noopener noreferrer">x</a>'
    )
    rooted = nh3.clean(link.format("a"), url_relative=("rewrite_with_root", "https://e.com/", "b/"))
    assert rooted == '<a href="https://e.com/b/a" rel="noopener noreferrer">x</a>'


def test_no_scheme_and_relative_denied_removes_urls_instead_of_refusing() -> None:
    # The core refuses a URL attribute that can never pass; nh3 just removes every URL.
    html = '<a href="https://x.org/">x</a><img src="/i.png" alt="a">'
    assert nh3.clean(html, url_schemes=set(), url_relative="deny") == (
        '<a rel="noopener noreferrer">x</a><img alt="a">'
    )


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"attributes": {"div": {"rel"}}}, hg.PolicyError, '"rel" attribute is not allowed'),
        ({"clean_content_tags": {"b"}}, hg.PolicyError, "cannot appear in both `tags`"),
        (
            {"attributes": {"div": {"role"}}, "tag_attribute_values": {"div": {"role": {"a"}}}},
            hg.PolicyError,
            "alternates",
        ),
        ({"url_relative": "bad"}, hg.PolicyError, "invalid url_relative string"),
        ({"url_relative": ("rewrite_with_base",)}, hg.PolicyError, "exactly 2 elements"),
        ({"url_relative": ("other", "x")}, hg.PolicyError, "invalid url_relative mode"),
        ({"url_relative": ("rewrite_with_base", "nope")}, hg.PolicyError, "url_relative"),
        ({"url_relative": 5}, TypeError, "url_relative must be"),
        ({"url_relative": ["rewrite_with_base", "https://x.org/"]}, TypeError, "a tuple"),
        ({"attribute_filter": 5}, TypeError, "attribute_filter must be callable"),
        ({"tags": "b"}, TypeError, "tags must be a set"),
        # What nh3 accepts and htmlguard never does: script, event handlers, javascript:.
        ({"tags": {"script"}, "clean_content_tags": set()}, hg.PolicyError, "script"),
        ({"attributes": {"b": {"onclick"}}}, hg.PolicyError, "event-handler"),
        ({"url_schemes": {"javascript"}}, hg.PolicyError, "javascript"),
        ({"generic_attribute_prefixes": {"o"}}, hg.PolicyError, "event-handler"),
        # Where nh3 (ammonia) panics, htmlguard raises.
        (
            {"attributes": {"a": {"class"}}, "allowed_classes": {"a": {"c"}}},
            hg.PolicyError,
            "allowed_classes",
        ),
        (
            {"tags": {"style", "b"}, "clean_content_tags": set(), "filter_style_properties": {"c"}},
            hg.PolicyError,
            "filter_style_properties",
        ),
    ],
)
def test_refused(kwargs: dict[str, Any], error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words.replace("(", r"\(")):
        nh3.clean("<b>x</b>", **kwargs)
    with pytest.raises(error):
        nh3.Cleaner(**kwargs)


def test_non_str_input_is_a_type_error() -> None:
    calls: list[Any] = [nh3.clean, nh3.clean_text, nh3.is_html, nh3.Cleaner().clean]
    for call in calls:
        with pytest.raises(TypeError):
            call(b"<b>x</b>")


# ---------------------------------------------------------------- compiling once


def test_equal_keywords_share_one_compiled_policy() -> None:
    kwargs: dict[str, Any] = {"tags": {"b", "i"}, "attributes": {"b": {"title"}}, "id_prefix": "q"}
    _compile.cache_clear()
    for _ in range(5):
        nh3.clean("<b>x</b>", **kwargs)
    nh3.clean("<b>x</b>", **{**kwargs, "tags": {"i", "b"}})  # same set, other order
    # One compile: repeated calls with the same objects reuse it without even asking the
    # cache (compat.nh3._RECENT); the equal set in another order is a cache hit.
    info = _compile.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    nh3.clean("<b>x</b>", **{**kwargs, "tags": {"b"}})
    assert _compile.cache_info().misses == 2


def test_cleaner_compiles_once_and_exposes_its_policy() -> None:
    cleaner = nh3.Cleaner(tags={"b"}, attributes={})
    policy = cleaner.policy
    assert cleaner.clean("<b><i>safe</i></b><script>xss</script>") == "<b>safe</b>"
    assert cleaner.policy is policy
    assert policy.tags == {"b"} and policy.link_rel == "noopener noreferrer"


# ---------------------------------------------------------------- clean_text, escape, is_html


def test_clean_text_escapes_everything_a_parser_reads() -> None:
    assert nh3.clean_text('Robert"); abuse();//') == "Robert&quot;);&#32;abuse();&#47;&#47;"
    assert nh3.clean_text("<a b='c'>`\t\n\r\x0c\0&") == (
        "&lt;a&#32;b&#61;&apos;c&apos;&gt;&grave;&#9;&#10;&#13;&#12;&#65533;&amp;"
    )
    assert nh3.escape is nh3.clean_text


def test_clean_text_with_tags_keeps_them_and_their_lang_and_title() -> None:
    html = '<span>hello <mention title="t" id="i">moto</mention>!</span>'
    assert nh3.clean_text(html, tags={"mention"}) == 'hello <mention title="t">moto</mention>!'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain text", False),
        ("<p>html!</p>", True),
        ("Vec::<u8>::new()", True),
        ("a < b", False),
        ("<a", False),  # cut off by the end: no token
        ("<a b='>'", False),
        ("<a b='>'>", True),
        ("</>", False),
        ("</3", True),  # a bogus comment
        ("<!", True),
        ("<?x", True),
        ("x\0", True),
        ("&amp; &lt;", False),
    ],
)
def test_is_html(text: str, expected: bool) -> None:
    assert nh3.is_html(text) is expected


# ---------------------------------------------------------------- callbacks


def test_attribute_filter_rewrites_and_removes() -> None:
    def keep_mentions(tag: str, attr: str, value: str) -> str | None:
        if tag == "a" and attr == "class":
            return "mention" if "mention" in value.split() else None
        return value

    attributes = {"a": {"class", "href"}}
    out = nh3.clean(
        "<a class='mention unwanted'>@foo</a><a class='x'>y</a>",
        attributes=attributes,
        attribute_filter=keep_mentions,
    )
    assert (
        out
        == '<a class="mention" rel="noopener noreferrer">@foo</a><a rel="noopener noreferrer">y</a>'
    )


def test_a_failing_attribute_filter_removes_the_attribute_and_reports_it() -> None:
    seen: list[Any] = []
    old = sys.unraisablehook
    sys.unraisablehook = seen.append
    try:
        fails: Any = lambda e, a, v: 1 / 0  # noqa: E731
        wrong: Any = lambda e, a, v: 5  # noqa: E731
        out = nh3.clean('<b title="t">x</b>', attribute_filter=fails)
        out2 = nh3.clean('<b title="t">x</b>', attribute_filter=wrong)
    finally:
        sys.unraisablehook = old
    assert out == out2 == "<b>x</b>"
    assert [type(s.exc_value) for s in seen] == [ZeroDivisionError, TypeError]
    assert seen[0].object == ("b", "title", "t")


def test_url_relative_callable_rewrites_relative_urls_only() -> None:
    def cdn(url: str) -> str | None:
        return None if url.startswith("/drop") else f"https://cdn.example.com{url}"

    out = nh3.clean(
        '<img src="/a.png"><img src="/drop.png"><img src="https://x.org/b.png">', url_relative=cdn
    )
    assert out == '<img src="https://cdn.example.com/a.png"><img><img src="https://x.org/b.png">'
    # A callback cannot add a scheme the policy refuses.
    sneaky = nh3.clean('<a href="/x">x</a>', url_relative=lambda u: "javascript:alert(1)")
    assert "javascript" not in sneaky


def test_the_callback_given_to_sanitize_with() -> None:
    """What the shim hands the core, tested without it: attribute_filter first, then a
    url_relative callable on relative URLs of ammonia's URL attributes, failures removing
    the attribute."""
    from htmlguard.compat.nh3 import _attribute_callback

    seen: list[Any] = []
    old = sys.unraisablehook
    sys.unraisablehook = seen.append
    try:
        upper = _attribute_callback(lambda e, a, v: v.upper(), None, frozenset({"https"}))
        assert upper("b", "title", "x") == "X"
        fails: Any = lambda e, a, v: 1 / 0  # noqa: E731
        assert _attribute_callback(fails, None, frozenset())("b", "title", "x") is None
        wrong: Any = lambda e, a, v: 5  # noqa: E731
        assert _attribute_callback(wrong, None, frozenset())("b", "title", "x") is None

        def cdn(url: str) -> str | None:
            return {"/a": "https://cdn.x/a", "/js": "javascript:alert(1)", "/no": None}[url]

        urls = _attribute_callback(None, cdn, frozenset({"https"}))
        assert urls("img", "src", "/a") == "https://cdn.x/a"
        assert urls("img", "src", "https://y.org/") == "https://y.org/"  # absolute: untouched
        assert urls("img", "alt", "/no") == "/no"  # not a URL attribute
        assert urls("a", "href", "/no") is None
        assert urls("a", "href", "/js") is None  # a scheme the policy does not allow
        assert urls("a", "href", "/zz") is None  # the callback raised (KeyError)
    finally:
        sys.unraisablehook = old
    assert [type(s.exc_value) for s in seen] == [ZeroDivisionError, TypeError, KeyError]
