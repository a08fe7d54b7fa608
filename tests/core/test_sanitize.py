"""The sanitizing verbs, on policies and at module level."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import htmlguard as hg


def test_module_verbs_default_to_ugc() -> None:
    html = '<p onclick="x()">a<script>b</script><a href="https://x.org">c</a></p>'
    ugc = hg.Policy.preset("ugc")
    assert hg.sanitize(html) == ugc.sanitize(html)
    assert hg.sanitize(html, "strict") == "ac"
    assert hg.sanitize(html, policy=hg.Policy.preset("basic")) == hg.Policy.preset(
        "basic"
    ).sanitize(html)
    assert hg.sanitize_many([html, "<b>x</b>"]) == [ugc.sanitize(html), "<b>x</b>"]
    assert hg.inspect(html).html == ugc.sanitize(html)
    assert hg.is_clean(html) is False
    assert hg.is_clean("<p>fine</p>") is True


def test_unknown_policy_name() -> None:
    with pytest.raises(hg.UnknownPolicyError, match="nope") as info:
        hg.sanitize("x", "nope")
    assert isinstance(info.value, LookupError)
    assert "ugc" in str(info.value)
    with pytest.raises(TypeError, match="policy must be"):
        hg.sanitize("x", 3)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [None, b"<b>", 3, ["<b>"], object()])
def test_non_str_input_is_a_type_error(bad: object, preset: hg.Policy) -> None:
    for verb in (
        preset.sanitize,
        preset.inspect,
        preset.is_clean,
        hg.sanitize,
        hg.strip_tags,
        hg.escape,
    ):
        with pytest.raises(TypeError, match="expects str"):
            verb(bad)  # type: ignore[operator]


def test_sanitize_many_rejects_bad_items_and_bare_strings() -> None:
    p = hg.Policy.preset("basic")
    with pytest.raises(TypeError, match="item 1"):
        p.sanitize_many(["ok", b"bytes"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="single str"):
        p.sanitize_many("<b>x</b>")
    assert p.sanitize_many(iter(["<b>a</b>", "<i>b</i>"])) == ["<b>a</b>", "<i>b</i>"]
    assert p.sanitize_many(()) == []


def test_sanitize_many_equals_loop_across_threads() -> None:
    p = hg.Policy.preset("ugc")
    items = [
        f"<p id=x{i} onclick=y>{i}<img src=javascript:{i}>" + "z" * (i * 97) for i in range(400)
    ]
    assert p.sanitize_many(items) == [p.sanitize(x) for x in items]


BATCH = [f"<p onclick=y>{i}<script>x</script>" + "z" * 400 for i in range(200)]  # > 32 KiB


def _pool_threads() -> list[str]:
    return [
        n
        for n in (
            Path(f"/proc/self/task/{t}/comm").read_text().strip()
            for t in os.listdir("/proc/self/task")
        )
        # sanitize_many's pool ("htmlguard-N"), not sanitize_async's ("htmlguard-async-N")
        if re.fullmatch(r"htmlguard-\d+", n)
    ]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_sanitize_many_reuses_one_pool_of_threads() -> None:
    p = hg.Policy.preset("ugc")
    p.sanitize_many(BATCH)
    first = _pool_threads()
    assert 1 <= len(first) <= (os.cpu_count() or 1)
    for _ in range(20):
        assert p.sanitize_many(BATCH) == [p.sanitize(x) for x in BATCH]
    assert _pool_threads() == first  # no threads started (or leaked) per call


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_sanitize_many_works_after_fork() -> None:
    # A pre-forking server may sanitize in the parent before it forks its workers; the
    # pool's threads do not survive the fork, so the child must get a pool of its own.
    script = textwrap.dedent(f"""
        import os, sys
        import htmlguard as hg
        batch = {BATCH!r}
        p = hg.Policy.preset("ugc")
        want = [p.sanitize(x) for x in batch]
        assert p.sanitize_many(batch) == want
        pid = os.fork()
        if pid == 0:
            ok = p.sanitize_many(batch) == want and p.sanitize_many(batch) == want
            os._exit(0 if ok else 3)
        _, status = os.waitpid(pid, 0)
        sys.exit(os.waitstatus_to_exitcode(status))
    """)
    proc = subprocess.run([sys.executable, "-c", script], timeout=60, capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]


def test_max_input_bytes() -> None:
    p = hg.Policy(tags={"b"}, max_input_bytes=10)
    assert p.sanitize("<b>x</b>") == "<b>x</b>"
    with pytest.raises(hg.InputTooLargeError) as info:
        p.sanitize("x" * 11)
    assert "11" in str(info.value) and "10" in str(info.value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, hg.HTMLGuardError)
    # the limit counts UTF-8 bytes, not characters
    with pytest.raises(hg.InputTooLargeError):
        p.sanitize("é" * 6)
    with pytest.raises(hg.InputTooLargeError, match="item 1"):
        p.sanitize_many(["ok", "y" * 50])
    for verb in (p.inspect, p.is_clean):
        with pytest.raises(hg.InputTooLargeError):
            verb("x" * 11)


def test_escape() -> None:
    assert (
        hg.escape("<a href=\"x\">'&'</a>")
        == "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"
    )
    assert hg.escape("plain") == "plain"
    # escaped text never parses as markup
    assert (
        hg.sanitize(hg.escape("<script>x</script>"), "strict") == "&lt;script&gt;x&lt;/script&gt;"
    )


def test_strip_tags() -> None:
    assert hg.strip_tags("<p>Hello <b>world</b> &amp; &lt;you&gt;</p>") == "Hello world & <you>"
    assert hg.strip_tags("a<script>alert(1)</script><style>p{}</style>b<!-- c -->") == "ab"
    assert hg.strip_tags("") == ""


def test_url_rules() -> None:
    p = hg.Policy(
        tags={"a", "img"},
        tag_attributes={"a": {"href"}, "img": {"src"}},
        url_schemes={"https", "mailto"},
    )
    assert p.sanitize('<a href="mailto:a@b.c">m</a>') == '<a href="mailto:a@b.c">m</a>'
    for bad in (
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:x",
        "&#106;avascript:x",
        "data:text/html,x",
        "vbscript:x",
    ):
        assert p.sanitize(f'<a href="{bad}">x</a>') == "<a>x</a>", bad
    # URL attributes ammonia does not know about follow the same scheme rule
    q = hg.Policy(tags={"q"}, tag_attributes={"q": {"cite"}}, url_schemes={"https"})
    assert q.sanitize('<q cite="javascript:alert(1)">x</q>') == "<q>x</q>"
    assert q.sanitize('<q cite="https://x.org">x</q>') == '<q cite="https://x.org">x</q>'
    assert [(r.kind, r.name) for r in q.inspect('<q cite="vbscript:x">x</q>').removed] == [
        ("url", "cite")
    ]
    # relative URLs are denied unless allowed
    assert p.sanitize('<a href="/x">x</a>') == "<a>x</a>"
    rel = p.derive(url_relative="pass")
    assert rel.sanitize('<a href="/x">x</a>') == '<a href="/x">x</a>'
    base = p.derive(url_relative={"base": "https://example.org/docs/"})
    assert base.sanitize('<a href="page">x</a>') == '<a href="https://example.org/docs/page">x</a>'
    root = p.derive(url_relative={"root": "https://example.org/", "path": "wiki/"})
    assert root.sanitize('<a href="page">x</a>') == '<a href="https://example.org/wiki/page">x</a>'


def test_attribute_patterns_per_tag_and_global() -> None:
    p = hg.Policy(
        tags={"span", "b"},
        tag_attributes={"span": {"class"}},
        generic_attributes={"title"},
        attribute_patterns={"span": {"class": r"^lang-[a-z]+$"}, "*": {"title": r"^[A-Za-z ]*$"}},
    )
    assert p.sanitize('<span class="lang-py">x</span>') == '<span class="lang-py">x</span>'
    assert p.sanitize('<span class="evil">x</span>') == "<span>x</span>"
    assert p.sanitize('<b title="Fine title">x</b>') == '<b title="Fine title">x</b>'
    assert p.sanitize('<b title="no: colons">x</b>') == "<b>x</b>"
    report = p.inspect('<span class="evil">x</span>')
    assert [(r.kind, r.tag, r.name, r.value) for r in report.removed] == [
        ("attribute", "span", "class", "evil")
    ]


def test_target_blank_on_absolute_links_only() -> None:
    p = hg.Policy(
        tags={"a"},
        tag_attributes={"a": {"href"}},
        url_schemes={"https"},
        url_relative="pass",
        link_rel="nofollow",
        target_blank=True,
    )
    assert p.sanitize('<a href="https://x.org/">x</a>') == (
        '<a href="https://x.org/" rel="nofollow noopener" target="_blank">x</a>'
    )
    assert p.sanitize('<a href="/local">x</a>') == '<a href="/local" rel="nofollow">x</a>'
    assert p.sanitize("<a>x</a>") == '<a rel="nofollow">x</a>'


def test_classes_styles_ids_comments_and_set_values() -> None:
    p = hg.Policy(
        tags={"p", "span", "img"},
        tag_attributes={"span": {"style"}, "img": {"src"}, "p": {"id"}},
        allowed_classes={"p": {"lead", "note"}},
        filter_style_properties={"color"},
        id_prefix="user-",
        strip_comments=False,
        url_schemes={"https"},
        set_tag_attribute_values={"img": {"loading": "lazy"}},
    )
    assert p.sanitize('<p class="lead evil note">x</p>') == '<p class="lead note">x</p>'
    assert (
        p.sanitize('<span style="color: red; position: fixed">x</span>')
        == '<span style="color:red">x</span>'
    )
    assert p.sanitize('<p id="top">x</p>') == '<p id="user-top">x</p>'
    assert p.sanitize("<!-- kept -->") == "<!-- kept -->"
    assert (
        p.sanitize('<img src="https://x.org/a.png">')
        == '<img src="https://x.org/a.png" loading="lazy">'
    )
    r = p.inspect('<p class="lead evil">x</p><span style="position:fixed">y</span>')
    assert [(x.kind, x.name) for x in r.removed] == [("class", "evil"), ("style", "position")]


def test_clean_content_tags_and_tag_attribute_values() -> None:
    p = hg.Policy(
        tags={"input"},
        clean_content_tags={"script"},
        tag_attribute_values={"input": {"type": {"checkbox"}}},
    )
    assert (
        p.sanitize('<script>alert(1)</script><input type="checkbox" checked>')
        == '<input type="checkbox">'
    )
    assert p.sanitize('<input type="text">') == "<input>"
    # without clean_content_tags, a removed element keeps its text (as text)
    assert hg.Policy().sanitize("<script>alert(1)</script>") == "alert(1)"


def test_defined_results_for_odd_input() -> None:
    p = hg.Policy.preset("basic")
    # lone surrogates cannot be encoded; they become U+FFFD
    assert p.sanitize("a\ud800b") == "a\ufffdb"
    # NUL in text is dropped by the HTML parser
    assert p.sanitize("a\x00b<b>c\x00</b>") == "ab<b>c</b>"
    # CRLF is normalised, entities decoded and re-escaped
    assert p.sanitize("a\r\nb &lt; &amp;amp;") == "a\nb &lt; &amp;amp;"
    # unclosed and stray tags follow the HTML parsing algorithm
    assert p.sanitize("<b>x") == "<b>x</b>"
    assert p.sanitize("x</b></i>y") == "xy"
    assert p.sanitize("") == ""
