"""Linkify (the ``linkify`` options, ``htmlguard.linkify``) and the hooks of
``Policy.sanitize_with`` (link callbacks, ``attribute_filter``)."""

from __future__ import annotations

import sys
import threading
from typing import Any

import pytest

import htmlguard as hg

UGC = hg.Policy.preset("ugc")
REL = 'rel="nofollow noopener noreferrer"'


def link(href: str, text: str | None = None, rel: str = REL) -> str:
    return f'<a href="{href}" {rel}>{text or href}</a>'


@pytest.fixture(params=["htmlguard", "ammonia"])
def ugc(request: pytest.FixtureRequest) -> hg.Policy:
    """ugc with linkify on, on each engine."""
    return UGC.derive(linkify=True, engine=request.param)


def plain_links(**options: Any) -> hg.Policy:
    """A policy that keeps links with https only and adds nothing to them."""
    base: dict[str, Any] = dict(
        tags={"a", "p", "b", "code", "pre"},
        tag_attributes={"a": {"href", "title"}},
        url_schemes={"https"},
        linkify=True,
    )
    return hg.Policy(**{**base, **options})


# ---------------------------------------------------------------- finding URLs


def test_urls_in_text_become_links(ugc: hg.Policy) -> None:
    assert ugc.sanitize("see https://x.org/a?b=1&c=2 now") == (
        f"see {link('https://x.org/a?b=1&amp;c=2')} now"
    )
    # Plain text (no markup at all) is linked too, and so is text in kept elements.
    assert ugc.sanitize("http://x.org") == link("http://x.org")
    assert ugc.sanitize("<p><b>go: https://x.org</b></p>") == (
        f"<p><b>go: {link('https://x.org')}</b></p>"
    )
    # Without linkify the text stays text.
    assert UGC.sanitize("see https://x.org") == "see https://x.org"


def test_trailing_punctuation_and_brackets_stay_outside(ugc: hg.Policy) -> None:
    assert ugc.sanitize("(https://x.org/a.)") == f"({link('https://x.org/a')}.)"
    assert ugc.sanitize("https://x.org/wiki/A_(b), next") == (
        f"{link('https://x.org/wiki/A_(b)')}, next"
    )
    assert ugc.sanitize("'https://x.org/p'!") == f"'{link('https://x.org/p')}'!"


def test_bare_domains_are_not_linked(ugc: hg.Policy) -> None:
    for text in ["example.com", "www.example.com/a", "setup.py", "e.g. this"]:
        assert ugc.sanitize(text) == text


def test_text_is_escaped_around_and_inside_links(ugc: hg.Policy) -> None:
    assert ugc.sanitize("a &lt;b&gt; https://x.org/?q=&lt;x&gt;") == (
        f"a &lt;b&gt; {link('https://x.org/?q=')}&lt;x&gt;"
    )


def test_text_split_by_removed_markup_is_linked_as_written(ugc: hg.Policy) -> None:
    """Text runs joined by removed elements or comments are one text node in the output,
    so they are linked as one (and sanitizing again changes nothing)."""
    out = ugc.sanitize("see http<blink>s://x.org</blink><!-- c -->/a here")
    assert out == f"see {link('https://x.org/a')} here"
    assert ugc.sanitize(out) == out


def test_emails_only_with_linkify_email(ugc: hg.Policy) -> None:
    assert ugc.sanitize("me@x.org") == "me@x.org"
    email = ugc.derive(linkify_email=True)
    assert email.sanitize("write me@x.org.") == f"write {link('mailto:me@x.org', 'me@x.org')}."


# ---------------------------------------------------------------- where links are made


def test_never_inside_a_link(ugc: hg.Policy) -> None:
    html = '<a href="https://a.org">see https://b.org <b>or https://c.org</b></a>'
    assert ugc.sanitize(html) == (
        f'<a href="https://a.org" {REL}>see https://b.org <b>or https://c.org</b></a>'
    )


def test_skip_tags_are_judged_on_the_input(ugc: hg.Policy) -> None:
    assert ugc.sanitize("<pre>https://x.org</pre> <code>https://y.org</code>") == (
        "<pre>https://x.org</pre> <code>https://y.org</code>"
    )
    # A policy that removes <code> (keeping its text) still makes no link in it.
    no_code = ugc.derive(tags=ugc.tags - {"code"})
    assert no_code.sanitize("<code>https://y.org</code> https://z.org") == (
        f"https://y.org {link('https://z.org')}"
    )
    # An <a> the policy unwraps still holds no links.
    unwrapping = plain_links(tags={"a", "p"}, tag_attributes={"a": {"href"}})
    assert unwrapping.sanitize('<a href="http://x.org">https://y.org</a>') == (
        "<a>https://y.org</a>"
    )
    custom = ugc.derive(linkify_skip_tags={"blockquote"})
    assert custom.sanitize("<blockquote><p>https://x.org</p></blockquote>") == (
        "<blockquote><p>https://x.org</p></blockquote>"
    )
    assert custom.sanitize("<code>https://x.org</code>") == f"<code>{link('https://x.org')}</code>"


def test_no_links_in_raw_text_or_foreign_content() -> None:
    p = plain_links(
        tags={"a", "svg", "title", "textarea", "xmp"},
        tag_attributes={"a": {"href"}},
    )
    for html in [
        "<textarea>https://x.org</textarea>",
        "<xmp>https://x.org</xmp>",
        "<svg><title>https://x.org</title></svg>",
    ]:
        assert "<a " not in p.sanitize(html), html


# ---------------------------------------------------------------- what the policy says


def test_made_links_obey_the_schemes() -> None:
    p = plain_links()
    assert p.sanitize("http://x.org https://y.org ftp://z.org") == (
        f"http://x.org {link('https://y.org', rel='').replace(' >', '>')} ftp://z.org"
    )


def test_made_links_get_link_rel_and_target_blank() -> None:
    p = plain_links(link_rel="ugc", target_blank=True)
    assert p.sanitize("https://y.org") == (
        '<a href="https://y.org" rel="ugc noopener" target="_blank">https://y.org</a>'
    )


def test_made_links_follow_attribute_patterns() -> None:
    p = plain_links(attribute_patterns={"a": {"href": "^https://ok\\.org/"}})
    assert p.sanitize("https://ok.org/a https://no.org/b") == (
        '<a href="https://ok.org/a">https://ok.org/a</a> https://no.org/b'
    )


@pytest.mark.parametrize(
    ("options", "option"),
    [
        ({"tags": {"p"}}, "linkify/tags"),
        ({"tag_attributes": {"a": {"title"}}}, "linkify/tags"),
        ({"url_schemes": {"mailto"}}, "linkify/url_schemes"),
        ({"linkify_email": True}, "linkify_email/url_schemes"),
        ({"linkify": False, "linkify_email": True}, "linkify_email/linkify"),
        ({"linkify_skip_tags": {"a b"}}, "linkify_skip_tags"),
    ],
)
def test_policies_that_could_make_no_link_are_refused(options: dict[str, Any], option: str) -> None:
    with pytest.raises(hg.PolicyError, match=f"^{option}: "):
        plain_links(**options)


def test_options_round_trip() -> None:
    p = UGC.derive(linkify=True, linkify_email=True, linkify_skip_tags={"pre"})
    assert p.linkify and p.linkify_email and p.linkify_skip_tags == frozenset({"pre"})
    assert hg.Policy.from_dict(p.to_dict()) == p
    assert hg.Policy().linkify_skip_tags == frozenset({"pre", "code"})


def test_large_documents_are_linked_in_every_piece(ugc: hg.Policy) -> None:
    doc = "".join(f"<p>item {i}: https://x.org/{i}.</p>" for i in range(5000))
    out = ugc.sanitize(doc)
    assert out.count("<a ") == 5000
    assert out == hg._core._sanitize_unsplit(ugc, doc)
    assert ugc.sanitize_many([doc, "https://y.org"])[1] == link("https://y.org")


# ---------------------------------------------------------------- htmlguard.linkify


def test_linkify_function() -> None:
    assert hg.linkify("<script>x</script>https://x.org") == link("https://x.org")
    assert hg.linkify("me@x.org", email=True) == link("mailto:me@x.org", "me@x.org")
    assert hg.linkify("<code>https://x.org</code>", skip_tags=()) == (
        f"<code>{link('https://x.org')}</code>"
    )
    assert hg.linkify("https://x.org", "basic") == hg.Policy.preset("basic").derive(
        linkify=True
    ).sanitize("https://x.org")
    with pytest.raises(hg.PolicyError, match="linkify/tags"):
        hg.linkify("https://x.org", "strict")
    with pytest.raises(TypeError, match="skip_tags"):
        hg.linkify("x", skip_tags="pre")
    dropped = hg.linkify("https://x.org", callbacks=[lambda attrs, new: None])
    assert dropped == "https://x.org"


# ---------------------------------------------------------------- link callbacks


def test_callbacks_see_every_link_in_order(ugc: hg.Policy) -> None:
    seen: list[tuple[dict[str, str], bool]] = []

    def record(attrs: dict[str, str], new: bool) -> dict[str, str]:
        seen.append((dict(attrs), new))
        return attrs

    html = 'one https://x.org <a href="https://y.org" title="t">two <b>2</b></a>'
    assert ugc.sanitize_with(html, link_callbacks=[record]) == ugc.sanitize(html)
    assert seen == [
        ({"href": "https://x.org", "rel": REL[5:-1], "_text": "https://x.org"}, True),
        ({"href": "https://y.org", "title": "t", "rel": REL[5:-1], "_text": "two 2"}, False),
    ]


def test_callbacks_adjust_links_in_turn(ugc: hg.Policy) -> None:
    def shorten(attrs: dict[str, str], new: bool) -> dict[str, str]:
        attrs["_text"] = attrs["_text"].removeprefix("https://")
        return attrs

    def titled(attrs: dict[str, str], new: bool) -> dict[str, str]:
        return {**attrs, "title": "was " + attrs["_text"]}

    out = ugc.sanitize_with(
        'see https://x.org and <a href="https://y.org">https://y.org</a>',
        link_callbacks=[shorten, titled],
    )
    assert out == (
        f'see <a href="https://x.org" title="was x.org" {REL}>x.org</a> and '
        f'<a href="https://y.org" title="was y.org" {REL}>y.org</a>'
    )


def test_callbacks_drop_links(ugc: hg.Policy) -> None:
    def drop_y(attrs: dict[str, str], new: bool) -> dict[str, str] | None:
        return None if "y.org" in attrs["href"] else attrs

    html = 'https://y.org https://x.org <a href="https://y.org/a">keep <b>me</b></a>'
    assert ugc.sanitize_with(html, link_callbacks=[drop_y]) == (
        f"https://y.org {link('https://x.org')} keep <b>me</b>"
    )


def test_callback_output_is_checked_by_the_policy(ugc: hg.Policy) -> None:
    def evil(attrs: dict[str, str], new: bool) -> dict[str, str]:
        return {
            "href": "javascript:alert(1)" if new else attrs["href"],
            "onclick": "alert(1)",
            "x onload=alert(1)": "1",
            "rel": "opener",
            "_text": "<b>hi</b>",
        }

    out = ugc.sanitize_with('https://x.org <a href="https://y.org">y</a>', link_callbacks=[evil])
    # The made link's href is refused, so it stays text; the input link keeps its href,
    # loses what the policy does not allow, gets the policy's rel back; text is escaped.
    assert out == f'https://x.org <a href="https://y.org" {REL}>&lt;b&gt;hi&lt;/b&gt;</a>'


def test_callback_errors_propagate(ugc: hg.Policy) -> None:
    class Boom(Exception):
        pass

    def boom(attrs: dict[str, str], new: bool) -> dict[str, str]:
        raise Boom("no")

    with pytest.raises(Boom, match="no"):
        ugc.sanitize_with("https://x.org", link_callbacks=[boom])
    with pytest.raises(TypeError, match="link callback must return"):
        ugc.sanitize_with("https://x.org", link_callbacks=[lambda a, n: ["x"]])
    with pytest.raises(TypeError, match='value for "title"'):
        ugc.sanitize_with("https://x.org", link_callbacks=[lambda a, n: {**a, "title": 1}])
    with pytest.raises(TypeError, match="list of callables"):
        ugc.sanitize_with("x", link_callbacks=lambda a, n: a)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="callable"):
        ugc.sanitize_with("x", link_callbacks=["no"])  # type: ignore[list-item]
    with pytest.raises(hg.InputTooLargeError):
        ugc.derive(max_input_bytes=3).sanitize_with("abcd", link_callbacks=[lambda a, n: a])


# ---------------------------------------------------------------- attribute_filter

BASED = hg.Policy(
    tags={"a", "p", "span"},
    tag_attributes={"a": {"href", "title"}},
    tag_attribute_values={"p": {"dir": {"ltr", "rtl"}}},
    generic_attributes={"id"},
    url_schemes={"https"},
    url_relative={"base": "https://e.org/b/"},
    link_rel="nofollow",
    id_prefix="u-",
)


def test_attribute_filter_keeps_changes_and_drops() -> None:
    def f(element: str, name: str, value: str) -> str | None:
        if name == "title":
            return None
        return value.upper() if element == "p" else value

    out = BASED.sanitize_with(
        '<p dir="ltr">x</p><a href="https://x.org" title="t">y</a>', attribute_filter=f
    )
    assert out == '<p dir="LTR">x</p><a href="https://x.org" rel="nofollow">y</a>'


def test_attribute_filter_runs_after_the_scheme_check_before_resolving() -> None:
    calls: list[tuple[str, str, str]] = []

    def f(element: str, name: str, value: str) -> str:
        calls.append((element, name, value))
        return value

    out = BASED.sanitize_with(
        '<a href="javascript:x()" title="t">1</a><a href="page">2</a><span id="s">3</span>',
        attribute_filter=f,
    )
    assert out == (
        '<a title="t" rel="nofollow">1</a>'
        '<a href="https://e.org/b/page" rel="nofollow">2</a><span id="u-s">3</span>'
    )
    # Never the refused URL nor the policy's own rel; the relative URL before it is
    # resolved; the id with its prefix.
    assert calls == [("a", "title", "t"), ("a", "href", "page"), ("span", "id", "u-s")]


def test_attribute_filter_output_is_checked_again() -> None:
    def f(element: str, name: str, value: str) -> str:
        return {"href": "javascript:alert(1)", "dir": "sideways", "id": "top"}.get(name, value)

    out = BASED.sanitize_with(
        '<a href="https://x.org">1</a><p dir="ltr">2</p><span id="s">3</span>', attribute_filter=f
    )
    assert out == '<a rel="nofollow">1</a><p>2</p><span id="u-top">3</span>'
    with pytest.raises(TypeError, match="attribute_filter must return str or None"):
        BASED.sanitize_with('<a title="t">x</a>', attribute_filter=lambda e, n, v: 1)
    with pytest.raises(ZeroDivisionError):
        BASED.sanitize_with('<a title="t">x</a>', attribute_filter=lambda e, n, v: 1 / 0)
    with pytest.raises(TypeError, match="attribute_filter must be callable"):
        BASED.sanitize_with("x", attribute_filter="f")  # type: ignore[arg-type]


def test_sanitize_with_without_hooks_is_sanitize() -> None:
    html = '<a href="https://x.org" onclick="x">y</a>'
    assert BASED.sanitize_with(html) == BASED.sanitize(html)
    assert BASED.sanitize_with(html, attribute_filter=None, link_callbacks=[]) == BASED.sanitize(
        html
    )


def _runs_concurrently(call: Any) -> bool:
    """Whether another Python thread runs while ``call()`` is running in a thread.

    With a switch interval far longer than the test, Python never takes the GIL from a
    running thread: the main thread can run only when the worker gives the GIL up, which
    a sanitize does only if it releases it. The main thread looks while the worker is
    still inside the call.
    """
    started, finished = threading.Event(), threading.Event()

    def worker() -> None:
        started.set()
        call()
        finished.set()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1000)
    try:
        t = threading.Thread(target=worker)
        t.start()
        started.wait()
        overlapped = not finished.is_set()
        t.join()
    finally:
        sys.setswitchinterval(interval)
    return overlapped


def test_the_gil_is_released_without_hooks_and_held_with_them() -> None:
    p = UGC.derive(linkify=True)
    doc = "<p>text https://x.org <b>b</b></p>" * 200_000
    assert _runs_concurrently(lambda: p.sanitize_with(doc))
    assert not _runs_concurrently(lambda: p.sanitize_with(doc, attribute_filter=lambda e, n, v: v))
