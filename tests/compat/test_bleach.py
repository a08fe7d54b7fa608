"""The bleach shim's mapping, one behaviour at a time (no bleach needed; the differential
test compares it with the real bleach)."""

from __future__ import annotations

import functools
import subprocess
import sys
import warnings
from typing import Any

import pytest

from htmlguard.compat import UnsupportedOptionError, bleach
from htmlguard.compat.bleach import callbacks, css_sanitizer, linkifier, sanitizer
from htmlguard.compat.bleach.css_sanitizer import CSSSanitizer
from htmlguard.compat.bleach.sanitizer import Cleaner


def test_importing_the_shim_imports_no_bleach() -> None:
    code = (
        "import sys\n"
        "from htmlguard.compat import bleach\n"
        "from htmlguard.compat.bleach import sanitizer, linkifier, callbacks, css_sanitizer\n"
        "bleach.clean('<b>x</b>')\n"
        "assert not {'bleach', 'html5lib', 'tinycss2'} & {m.split('.')[0] for m in sys.modules}\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_submodule_paths_are_bleachs() -> None:
    assert sanitizer.Cleaner is bleach.Cleaner and bleach.sanitizer is sanitizer
    assert bleach.linkifier is linkifier and bleach.callbacks is callbacks
    assert css_sanitizer.CSSSanitizer is CSSSanitizer


# ---------------------------------------------------------------- defaults


def test_defaults_are_bleachs() -> None:
    assert bleach.ALLOWED_TAGS == frozenset(
        {"a", "abbr", "acronym", "b", "blockquote", "code", "em", "i", "li", "ol", "strong", "ul"}
    )
    assert bleach.ALLOWED_ATTRIBUTES == {
        "a": ["href", "title"],
        "abbr": ["title"],
        "acronym": ["title"],
    }
    assert bleach.ALLOWED_PROTOCOLS == frozenset({"http", "https", "mailto"})
    assert (
        bleach.clean('<a href="https://x.org" title="t" id="i" onclick="x()">a</a>')
        == '<a href="https://x.org" title="t">a</a>'
    )


def test_disallowed_tags_are_escaped_as_written_by_default() -> None:
    out = bleach.clean("<script>alert(1)</script><p class=x>y</p>")
    assert out == "&lt;script&gt;alert(1)&lt;/script&gt;&lt;p class=x&gt;y&lt;/p&gt;"


def test_strip_drops_disallowed_tags_before_the_tree_is_built() -> None:
    # As bleach: a stripped <script> leaves its text; a stripped block-level start tag
    # after an earlier tag is a newline; a stripped <div> does not close the <p>.
    assert bleach.clean("<script>alert(1)</script><p>y</p><b>z</b>", strip=True) == (
        "alert(1)\ny<b>z</b>"
    )
    assert bleach.clean("<p>a<div>b</div>c</p>", tags={"p"}, strip=True) == "<p>a\nbc</p>"
    assert bleach.Cleaner(strip=True).policy.disallowed == "drop"


def test_comments() -> None:
    assert bleach.clean("a<!-- c -->b") == "ab"
    assert bleach.clean("a<!-- c -->b", strip_comments=False) == "a<!-- c -->b"


def test_control_characters_in_text_become_question_marks() -> None:
    out = bleach.clean('x\x01y\x0bz\tw<a title="t\x02">\x1f</a>', attributes=["title"])
    assert out == 'x?y?z\tw<a title="t\x02">?</a>'


def test_a_form_feed_in_the_whitespace_around_a_text_is_kept() -> None:
    # html5lib's tree walker gives a text's leading and trailing whitespace (form feed
    # included) to bleach's filter as SpaceCharacters, which it does not touch; a form feed
    # inside the text, or a vertical tab anywhere, becomes "?".
    for strip in (False, True):
        assert bleach.clean("\x0cb", strip=strip) == "\x0cb"
        assert bleach.clean("a\x0cb", strip=strip) == "a?b"
        assert bleach.clean(" \x0c\x01 x \x0c", strip=strip) == " \x0c? x \x0c"
        assert bleach.clean("<b>\x0c</b>\x0c\x0b", strip=strip) == "<b>\x0c</b>\x0c?"
        assert bleach.clean("<!--c-->\x0c\x01\x0c", strip=strip) == "\x0c?\x0c"


def test_non_text_argument_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="must be of text type"):
        bleach.clean(b"<b>x</b>")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Cleaner().clean(None)  # type: ignore[arg-type]
    assert bleach.clean("") == "" and Cleaner().clean("") == ""


# ---------------------------------------------------------------- attributes


def test_attributes_as_a_list_apply_to_every_tag() -> None:
    out = bleach.clean('<b title="t" id="i">x</b>', tags=["b"], attributes=["title"])
    assert out == '<b title="t">x</b>'


def test_attributes_as_a_dict_with_star() -> None:
    attrs = {"a": ["href"], "*": ["title"]}
    out = bleach.clean('<a href="/x" title="t" rel="r">x</a><b title="u" id="i">y</b>',
                       tags=["a", "b"], attributes=attrs)  # fmt: skip
    assert out == '<a href="/x" title="t">x</a><b title="u">y</b>'


def test_attributes_as_a_callable() -> None:
    seen: list[tuple[str, str, str]] = []

    def allow(tag: str, name: str, value: str) -> bool:
        seen.append((tag, name, value))
        return name == "title" or name.startswith("data-")

    out = bleach.clean('<b title="t" id="i" data-k="v">x</b>', tags=["b"], attributes=allow)
    assert out == '<b title="t" data-k="v">x</b>'
    assert ("b", "id", "i") in seen


def test_a_tags_callable_is_final_and_star_applies_elsewhere() -> None:
    # bleach: a tag's own callable decides alone; "*" is asked only when it does not.
    attrs: dict[str, Any] = {"p": lambda t, n, v: n == "id", "*": ["title"]}
    out = bleach.clean('<p id="a" title="t">x</p><b id="b" title="u">y</b>',
                       tags=["p", "b"], attributes=attrs)  # fmt: skip
    assert out == '<p id="a">x</p><b title="u">y</b>'


def test_a_callable_cannot_admit_script() -> None:
    out = bleach.clean('<b onclick="x()" srcdoc="y">z</b>', tags=["b"], attributes=lambda *a: True)
    assert out == "<b>z</b>"


def test_malformed_attributes_raise_like_bleach() -> None:
    with pytest.raises(ValueError, match="callable, a list or a dict"):
        bleach.clean("x", attributes=("title",))  # type: ignore[arg-type]


# ---------------------------------------------------------------- protocols


def test_protocols_and_relative_urls() -> None:
    html = '<a href="/r">1</a><a href="#f">2</a><a href="ftp://x">3</a><a href="mailto:m">4</a>'
    assert bleach.clean(html) == (
        '<a href="/r">1</a><a href="#f">2</a><a>3</a><a href="mailto:m">4</a>'
    )
    # Without http/https bleach drops relative URLs but keeps anchors.
    assert bleach.clean(html, protocols=["ftp"]) == (
        '<a>1</a><a href="#f">2</a><a href="ftp://x">3</a><a>4</a>'
    )


def test_hidden_javascript_urls_are_dropped() -> None:
    for href in ("javascript:x", "java\tscript:x", "JaVaScRiPt:x", "&#106;avascript:x"):
        assert bleach.clean(f'<a href="{href}">x</a>') == "<a>x</a>", href


# ---------------------------------------------------------------- styles


def test_style_without_css_sanitizer_is_emptied_with_bleachs_warning() -> None:
    with pytest.warns(sanitizer.NoCssSanitizerWarning):
        out = bleach.clean('<p style="color: red">x</p>', tags=["p"], attributes=["style"])
    assert out == '<p style="">x</p>'


def test_css_sanitizer_keeps_its_properties() -> None:
    css = CSSSanitizer(allowed_css_properties=["color"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = bleach.clean(
            '<p style="color: red; position: fixed">x</p>',
            tags=["p"],
            attributes={"p": ["style"]},
            css_sanitizer=css,
        )
    assert out == '<p style="color:red">x</p>'
    assert css.sanitize_css("color: red; width: 1px") == "color:red"
    assert "fill" in CSSSanitizer().properties


def test_css_sanitizer_refuses_loading_values() -> None:
    css = CSSSanitizer(allowed_css_properties=["background-color", "color"])
    assert css.sanitize_css("color: red; background-color: url(https://x.org/t)") == "color:red"


def test_another_css_sanitizer_is_refused() -> None:
    class Mine:
        def sanitize_css(self, style: str) -> str:
            return style

    with pytest.raises(UnsupportedOptionError, match="css_sanitizer"):
        bleach.clean("x", css_sanitizer=Mine())  # type: ignore[arg-type]


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"tags": ["b", "script"]}, "tags"),
        ({"attributes": ["onclick"]}, "attributes"),
        ({"attributes": {"iframe": ["srcdoc"]}, "tags": ["iframe"]}, "attributes"),
        ({"protocols": ["http", "javascript"]}, "protocols"),
        ({"protocols": ["vbscript"]}, "protocols"),
    ],
)
def test_script_capable_options_are_refused(kwargs: dict[str, Any], argument: str) -> None:
    with pytest.raises(UnsupportedOptionError, match=f"bleach {argument}"):
        bleach.clean("<b>x</b>", **kwargs)
    with pytest.raises(UnsupportedOptionError):
        Cleaner(**kwargs)


def test_other_filters_are_refused() -> None:
    class SomeFilter:
        pass

    with pytest.raises(UnsupportedOptionError, match="filters"):
        Cleaner(filters=[SomeFilter])


# ---------------------------------------------------------------- the cache


def test_equal_arguments_share_a_policy() -> None:
    a = Cleaner(tags=["b", "i"], attributes={"b": ["title"]})
    b = Cleaner(tags=("i", "b"), attributes={"b": ("title",)})
    assert a.policy is b.policy
    assert Cleaner(tags=["b"]).policy is not a.policy


def test_unhashable_callable_objects_still_work() -> None:
    class Allow:
        __hash__ = None  # type: ignore[assignment]

        def __call__(self, tag: str, name: str, value: str) -> bool:
            return name == "title"

    assert bleach.clean('<b title="t" id="i">x</b>', tags=["b"], attributes=Allow()) == (
        '<b title="t">x</b>'
    )


# ---------------------------------------------------------------- linkify


def test_linkify_adds_nofollow_by_default() -> None:
    assert bleach.linkify("see https://example.org/a.") == (
        'see <a href="https://example.org/a" rel="nofollow">https://example.org/a</a>.'
    )
    assert bleach.DEFAULT_CALLBACKS == [callbacks.nofollow]


def test_linkify_callbacks_get_bleachs_keys() -> None:
    seen: list[tuple[dict[Any, str], bool]] = []

    def shorten(attrs: dict[Any, str], new: bool) -> dict[Any, str]:
        seen.append((dict(attrs), new))
        attrs["_text"] = attrs["_text"].removeprefix("https://")
        attrs[(None, "title")] = "t"
        return attrs

    out = bleach.linkify('https://x.org <a href="https://y.org">y</a>', callbacks=[shorten])
    assert out == (
        '<a href="https://x.org" title="t">x.org</a> <a href="https://y.org" title="t">y</a>'
    )
    assert seen == [
        ({(None, "href"): "https://x.org", "_text": "https://x.org"}, True),
        ({(None, "href"): "https://y.org", "_text": "y"}, False),
    ]


def test_linkify_callback_returning_none_drops_the_link() -> None:
    assert bleach.linkify("https://x.org", callbacks=[lambda attrs, new: None]) == ("https://x.org")


def test_linkify_skip_tags_and_email() -> None:
    text = "<pre>https://x.org</pre> me@x.org"
    assert bleach.linkify(text, callbacks=[], skip_tags=["pre"]) == (
        "<pre>https://x.org</pre> me@x.org"
    )
    assert bleach.linkify(text, callbacks=[], parse_email=True) == (
        '<pre><a href="https://x.org">https://x.org</a></pre> '
        '<a href="mailto:me@x.org">me@x.org</a>'
    )


def test_target_blank_and_nofollow_skip_mailto() -> None:
    out = bleach.linkify(
        "http://x.org me@x.org",
        callbacks=[callbacks.nofollow, callbacks.target_blank],
        parse_email=True,
    )
    assert out == (
        '<a href="http://x.org" rel="nofollow" target="_blank">http://x.org</a> '
        '<a href="mailto:me@x.org">me@x.org</a>'
    )


def test_linkify_never_returns_unsanitized_html() -> None:
    out = bleach.linkify('<img src=x onerror="alert(1)">http://x.org<script>y()</script>')
    assert "onerror" not in out and "<script" not in out
    own = linkifier.Linker(policy=Cleaner(tags=["a"], strip=True).policy, callbacks=[])
    assert own.linkify("<b>http://x.org</b>") == '<a href="http://x.org">http://x.org</a>'


def test_linkify_refuses_what_it_cannot_honour() -> None:
    with pytest.raises(UnsupportedOptionError, match="url_re"):
        linkifier.Linker(url_re=object())
    with pytest.raises(UnsupportedOptionError, match="recognized_tags"):
        linkifier.Linker(recognized_tags=["b"])
    with pytest.raises(UnsupportedOptionError, match="build_url_re"):
        linkifier.build_url_re()
    with pytest.raises(TypeError, match="text type"):
        bleach.linkify(b"x")  # type: ignore[arg-type]


def test_cleaner_with_linkify_filter() -> None:
    text = '<p>go http://x.org <a href="/y" rel="me" target="t">y</a> me@x.org</p><i>z</i>'
    cleaner = Cleaner(tags=["a", "p"], filters=[linkifier.LinkifyFilter])
    assert cleaner.clean(text) == (
        '<p>go <a href="http://x.org" rel="nofollow">http://x.org</a> '
        '<a href="/y" rel="nofollow">y</a> me@x.org</p>&lt;i&gt;z&lt;/i&gt;'
    )
    email = functools.partial(linkifier.LinkifyFilter, callbacks=[], parse_email=True)
    assert Cleaner(tags=["a", "p"], filters=[email]).clean(text) == (
        '<p>go <a href="http://x.org">http://x.org</a> <a href="/y">y</a> '
        '<a href="mailto:me@x.org">me@x.org</a></p>&lt;i&gt;z&lt;/i&gt;'
    )
    # rel and target the attributes allow stay on input links.
    kept = Cleaner(tags=["a"], attributes={"a": ["href", "rel"]}, filters=[email])
    assert kept.clean('<a href="/y" rel="me" target="t">y</a>') == '<a href="/y" rel="me">y</a>'


def test_linkify_filter_needs_links_the_cleaner_keeps() -> None:
    with pytest.raises(UnsupportedOptionError, match="LinkifyFilter"):
        Cleaner(tags=["p"], filters=[linkifier.LinkifyFilter])
    with pytest.raises(UnsupportedOptionError, match="LinkifyFilter"):
        linkifier.LinkifyFilter(iter(()))
