"""The bluemonday shim's mapping, one builder call at a time (no pybluemonday needed; the
differential test compares it with the real one)."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest

import htmlguard as hg
from htmlguard.compat import UnsupportedOptionError
from htmlguard.compat import bluemonday as bm


def links() -> bm.Policy:
    p = bm.NewPolicy()
    p.AllowStandardURLs()
    p.AllowAttrs("href").OnElements("a")
    return p


# ---------------------------------------------------------------- policies


def test_strict_and_new_policies_keep_text_only() -> None:
    for p in (bm.StrictPolicy(), bm.NewPolicy()):
        assert p.sanitize("<center><b>Blog Post Title</b></center>") == "Blog Post Title"
        assert p.sanitize("<script>alert(1)</script>x<style>s</style>") == "x"


def test_ugc_policy() -> None:
    p = bm.UGCPolicy()
    assert p.sanitize("<script>alert(1)</script><b class='stuff'>testing</b>") == "<b>testing</b>"
    assert p.sanitize('<a href="https://x.org/" onclick="x()">l</a>') == (
        '<a href="https://x.org/" rel="nofollow">l</a>'
    )
    # An element left without attributes is dropped unless bluemonday keeps it bare.
    assert p.sanitize('<a href="javascript:alert(1)">l</a>') == "l"
    assert p.policy.bare_tags is not None and "a" not in p.policy.bare_tags
    assert p.sanitize('<p dir="rtl" lang="en" id="x1" title="hi">t</p>') == (
        '<p dir="rtl" lang="en" id="x1" title="hi">t</p>'
    )
    assert p.sanitize('<p dir="sideways" title="a<b">t</p>') == "<p>t</p>"  # patterns
    assert p.sanitize('<td colspan="2" rowspan="x">c</td>'.join(["<table><tr>", "</tr></table>"]))
    assert p.sanitize("<iframe src=x>i</iframe><noscript>n</noscript>ok") == "ok"


def test_readme_example_allows_more_after_construction() -> None:
    s = bm.UGCPolicy()
    html = "<script>alert(1)</script><b class='stuff' style='color: red;'>testing</b>"
    compiled = s.policy
    s.AllowAttrs("class", "style").Globally()
    assert s.policy is not compiled  # the change recompiles
    assert s.sanitize(html) == '<b class="stuff" style="color: red;">testing</b>'


# ---------------------------------------------------------------- builder calls


def test_attribute_builders_chain_like_bluemonday() -> None:
    p = bm.NewPolicy()
    assert p.AllowElements("b") is p
    assert p.AllowAttrs("title").Matching(r"^\w+$").OnElements("b") is p
    assert p.AllowAttrs("lang").Globally() is p
    assert p.sanitize('<b title="ok" lang="x">a</b><b title="not ok">b</b>') == (
        '<b title="ok" lang="x">a</b><b>b</b>'
    )
    assert p.policy.attribute_patterns["b"]["title"] == r"(?:^\w+$)"


def test_element_and_global_patterns_are_alternatives() -> None:
    """bluemonday keeps a value any rule for the attribute accepts."""
    p = bm.NewPolicy()
    p.AllowAttrs("title").Matching("^a$").OnElements("b")
    p.AllowAttrs("title").Matching("^b$").Globally()
    p.AllowElements("i")
    out = p.sanitize('<b title="a">1</b><b title="b">2</b><b title="c">3</b><i title="a">4</i>')
    assert out == '<b title="a">1</b><b title="b">2</b><b>3</b><i>4</i>'
    p.AllowAttrs("title").OnElements("i")  # a rule without a pattern: any value
    assert p.sanitize('<i title="zz">x</i>') == '<i title="zz">x</i>'


def test_python_patterns_keep_their_flags() -> None:
    p = bm.NewPolicy()
    p.AllowAttrs("title").Matching(re.compile("^ok$", re.I)).OnElements("b")
    assert p.sanitize('<b title="OK">x</b>') == '<b title="OK">x</b>'
    with pytest.raises(TypeError):
        p.AllowAttrs("title").Matching(5)  # type: ignore[arg-type]


def test_names_are_lowercased() -> None:
    p = bm.NewPolicy()
    p.AllowAttrs("TITLE").OnElements("B")
    assert p.sanitize('<b title="t">x</b>') == '<b title="t">x</b>'


def test_allow_no_attrs_and_data_attributes_and_comments() -> None:
    p = bm.NewPolicy()
    assert p.AllowNoAttrs().OnElements("custom-el") is p
    p.AllowDataAttributes()
    p.AllowComments()
    assert p.sanitize("<custom-el data-x='1' y='2'>c</custom-el><!-- hi -->") == (
        '<custom-el data-x="1">c</custom-el><!-- hi -->'
    )


def test_urls() -> None:
    p = links()
    assert p.sanitize('<a href="/rel">x</a>') == '<a href="/rel" rel="nofollow">x</a>'
    p.AllowRelativeURLs(False)
    assert p.sanitize('<a href="/rel">x</a>') == "x"
    p.AllowURLSchemes("FTP")
    assert (
        p.sanitize('<a href="ftp://x.org/">x</a>') == '<a href="ftp://x.org/" rel="nofollow">x</a>'
    )


def test_links_rel_and_target() -> None:
    p = links()
    p.RequireNoFollowOnLinks(False)
    p.RequireNoReferrerOnLinks(True)
    p.AddTargetBlankToFullyQualifiedLinks(True)
    out = p.sanitize('<a href="https://x.org/">x</a><a href="/y">y</a>')
    assert out == (
        '<a href="https://x.org/" rel="noreferrer noopener" target="_blank">x</a>'
        '<a href="/y" rel="noreferrer">y</a>'
    )
    p.RequireNoFollowOnFullyQualifiedLinks(True)  # covered by nofollow on every link
    p.RequireNoFollowOnLinks(True)
    assert p.policy.link_rel == "nofollow noreferrer"


def test_skip_and_allow_element_content() -> None:
    p = bm.NewPolicy()
    assert p.SkipElementsContent("aside") is p
    assert p.sanitize("<aside>gone</aside><title>t</title>kept") == "kept"
    p.AllowElementsContent("title", "aside")
    assert p.sanitize("<aside>a</aside><div><title>t</title></div>") == "at"
    p.AllowElements("iframe")  # allowed: no longer dropped with its content
    assert "iframe" not in p.policy.clean_content_tags


def test_script_and_style_are_dropped_even_when_allowed() -> None:
    """As bluemonday without AllowUnsafe: never kept, content included."""
    p = bm.NewPolicy()
    p.AllowElements("script", "style", "b")
    assert p.sanitize("<script>a()</script><style>b{}</style><b>x</b>") == "<b>x</b>"
    assert p.AllowUnsafe(False) is p


def test_cross_origin_and_sandbox() -> None:
    p = bm.NewPolicy()
    p.AllowImages()
    p.AllowElements("iframe")
    p.RequireCrossOriginAnonymous(True)
    p.RequireSandboxOnIFrame()
    assert p.sanitize('<img src="/a.png">') == '<img src="/a.png" crossorigin="anonymous">'
    # sandbox not allowed on the input: the iframe is left bare, so dropped (as bluemonday)
    assert p.sanitize('<iframe sandbox="allow-scripts">x</iframe>') == "x"
    p.AllowAttrs("title").OnElements("iframe")
    assert p.sanitize('<iframe title="t"></iframe>') == '<iframe title="t" sandbox=""></iframe>'


def test_styles() -> None:
    p = bm.NewPolicy()
    p.AllowElements("span", "b")
    p.AllowStyles("color", "font-weight").Globally()
    assert p.sanitize('<span style="color: red; position: fixed">x</span>') == (
        '<span style="color:red">x</span>'
    )
    p = bm.NewPolicy()
    p.AllowElements("span", "b")
    p.AllowStyles("color").OnElements("span")
    assert p.sanitize('<span style="color: red">x</span><b style="color: red">y</b>') == (
        '<span style="color:red">x</span><b>y</b>'
    )


def test_style_value_checks() -> None:
    """Matching, MatchingEnum and MatchingHandler check the lowercased value of each
    declaration; the core's CSS filter still checks what they keep."""
    p = bm.NewPolicy()
    p.AllowElements("span", "b", "p")
    assert p.AllowStyles("color").Matching(r"^(red|blue)$").OnElements("span") is p
    p.AllowStyles("font-weight").MatchingEnum("bold", "normal").OnElements("b")
    seen: list[str] = []

    def aligned(value: str) -> bool:
        seen.append(value)
        return value in ("left", "center")

    p.AllowStyles("text-align").MatchingHandler(aligned).Globally()
    out = p.sanitize(
        '<span style="color: RED; text-align: left; font-weight: bold">a</span>'
        '<span style="color: green">g</span>'
        '<b style="font-weight: Bold !important; color: red">b</b>'
        '<p style="text-align: right">r</p><p style="text-align: center">c</p>'
    )
    assert out == (
        '<span style="color:RED;text-align:left">a</span><span>g</span>'
        '<b style="font-weight:Bold ! important">b</b><p>r</p>'
        '<p style="text-align:center">c</p>'
    )
    assert seen == ["left", "right", "center"]
    # A value a check accepts is still filtered by the core.
    q = bm.NewPolicy()
    q.AllowElements("span")
    q.AllowStyles("background").Matching(".*").Globally()
    out = q.sanitize('<span style="background: url(https://x.org/t.png)">x</span>')
    assert "url(" not in out and out.endswith(">x</span>")
    q.AllowStyles("color").Matching(r"^\p{L}+$").Globally()  # RE2 syntax, as bluemonday's
    assert q.sanitize('<span style="color: red">x</span>') == '<span style="color:red">x</span>'
    with pytest.raises(TypeError):
        q.AllowStyles("color").MatchingHandler("red")  # type: ignore[arg-type]


def test_style_properties_per_element() -> None:
    p = bm.NewPolicy()
    p.AllowElements("b", "i")
    p.AllowStyles("color").OnElements("b")
    p.AllowStyles("font-style").OnElements("i")
    assert p.policy.filter_style_properties == {"color", "font-style"}
    out = p.sanitize(
        '<b style="color: red; font-style: italic">b</b>'
        '<i style="color: red; font-style: italic">i</i>'
    )
    assert out == '<b style="color:red">b</b><i style="font-style:italic">i</i>'


def test_data_uri_images() -> None:
    p = bm.NewPolicy()
    p.AllowImages()
    p.AllowDataURIImages()
    png = "data:image/png;base64,iVBORw0KGgo="
    assert p.sanitize(f'<img src="{png}">') == f'<img src="{png}">'
    for bad in (
        "data:text/html;base64,PHNjcmlwdD4=",  # not an image
        "data:image/png;base64,!!!",  # not base64
        f"{png}#x",  # a fragment
        "data:image/svg+xml,<svg onload=alert(1)>",  # not base64
    ):
        assert p.sanitize(f'<img src="{bad}" alt="a">') == '<img alt="a">', bad
    assert p.sanitize('<img src="https://x.org/a.png">') == '<img src="https://x.org/a.png">'


def test_url_scheme_with_custom_policy() -> None:
    p = links()
    seen: list[bm.URL] = []

    def ours(u: bm.URL) -> bool:
        seen.append(u)
        return u.Host.endswith(".example")

    assert p.AllowURLSchemeWithCustomPolicy("FTP", ours) is p
    out = p.sanitize('<a href="ftp://files.example/x?y#z">ok</a><a href="ftp://evil.org/x">no</a>')
    assert out == '<a href="ftp://files.example/x?y#z" rel="nofollow">ok</a>no'
    assert seen[0] == bm.URL(
        Scheme="ftp", Host="files.example", Path="/x", RawQuery="y", Fragment="z"
    )
    p.AllowURLSchemes("ftp")  # as in bluemonday: every ftp URL again
    assert 'href="ftp://evil.org/x"' in p.sanitize('<a href="ftp://evil.org/x">no</a>')
    with pytest.raises(TypeError):
        p.AllowURLSchemeWithCustomPolicy("ftp", "yes")  # type: ignore[arg-type]
    # A callback cannot let script through: the core refuses the scheme itself.
    q = links()
    q.AllowURLSchemeWithCustomPolicy("javascript", lambda u: True)
    with pytest.raises(hg.PolicyError, match="javascript"):
        q.sanitize("x")


def test_url_parts_round_trip() -> None:
    for raw in (
        "https://user:pw@x.org:8080/a/b?q=1#f",
        "mailto:a@x.org",
        "data:image/png;base64,AAAA",
        "/rel/path?x",
        "//x.org",
        "#top",
    ):
        assert str(bm.URL.parse(raw)) == raw
    assert bm.URL.parse("mailto:a@x.org").Opaque == "a@x.org"


def test_rewrite_src() -> None:
    p = bm.NewPolicy()
    p.AllowImages()
    p.AllowElements("iframe")
    p.AllowAttrs("src").OnElements("iframe")
    p.AllowAttrs("href").OnElements("a")

    def proxy(u: bm.URL) -> None:
        u.RawQuery = f"url={u.Host}{u.Path}"
        u.Scheme, u.Host, u.Path = "https", "proxy.example", "/fetch"

    assert p.RewriteSrc(proxy) is p
    out = p.sanitize('<img src="http://evil.org/a.png"><a href="http://evil.org/">l</a>')
    assert out == (
        '<img src="https://proxy.example/fetch?url=evil.org/a.png">'
        '<a href="http://evil.org/" rel="nofollow">l</a>'
    )
    # What the rewriter returns is checked again: it cannot bring script in.
    p.RewriteSrc(lambda u: "javascript:alert(1)")
    assert p.sanitize('<img src="http://x.org/a.png" alt="">') == '<img alt="">'
    p.RewriteSrc(lambda u: bm.URL(Scheme="https", Host="cdn.example", Path="/a.png"))
    assert p.sanitize('<img src="/a.png">') == '<img src="https://cdn.example/a.png">'


def test_rel_on_fully_qualified_links_only() -> None:
    p = bm.NewPolicy()
    p.AllowElements("a")
    p.AllowAttrs("href").OnElements("a")
    p.AllowURLSchemes("https")
    p.AllowRelativeURLs(True)
    p.RequireNoFollowOnFullyQualifiedLinks(True)
    p.AddTargetBlankToFullyQualifiedLinks(True)
    html = (
        '<a href="https://x.org/" rel="me">x</a><a href="/y">y</a><a href="//x.org/">z</a><a>w</a>'
    )
    assert p.sanitize(html) == (
        '<a href="https://x.org/" rel="nofollow noopener" target="_blank">x</a><a href="/y">y</a>'
        '<a href="//x.org/" rel="nofollow noopener" target="_blank">z</a>w'
    )
    p.RequireNoReferrerOnLinks(True)
    assert p.sanitize(html).startswith(
        '<a href="https://x.org/" rel="nofollow noreferrer noopener" target="_blank">x</a>'
        '<a href="/y" rel="noreferrer">y</a>'
    )
    assert p.policy.link_rel is None  # the link hook writes rel, the core checks it
    p.RequireNoFollowOnLinks(True)
    p.RequireNoReferrerOnLinks(True)
    assert p.policy.link_rel == "nofollow noreferrer"


def test_hooks_only_when_needed() -> None:
    """Policies the core expresses alone sanitize without Python hooks (GIL released)."""
    assert bm.UGCPolicy()._compile()[1:] == (None, None)
    p = bm.UGCPolicy()
    p.AllowDataURIImages()
    assert p._compile().attribute_filter is not None


def test_elements_matching() -> None:
    """AllowElementsMatching and OnElementsMatching: the core's tag_patterns; bluemonday's
    rules for their attributes (the patterns' and the global ones, values included)."""
    p = bm.UGCPolicy()
    assert p.AllowElementsMatching("^x-") is p
    assert p.AllowAttrs("kind").Matching("^(a|b)$").OnElementsMatching(re.compile("^X-", re.I)) is p
    out = p.sanitize(
        '<x-card kind=a id="ok1" title="a<b" onclick=x()>c</x-card><x-b kind=z>z</x-b>'
        '<p kind=a id="ok2">p</p><script>alert(1)</script><x-style>s</x-style>'
    )
    assert out == ('<x-card kind="a" id="ok1">c</x-card>z<p id="ok2">p</p>s')
    assert p.policy.tag_patterns == {"^x-": frozenset(), "(?i)^X-": frozenset({"kind"})}
    # Script and style are never kept by a pattern; an element a pattern matches is kept,
    # not skipped with its content.
    q = bm.NewPolicy()
    q.AllowElementsMatching(".")
    out = q.sanitize("<script>alert(1)</script><style>b{}</style><iframe>i</iframe><b>b</b>")
    assert out == "i<b>b</b>"  # an iframe left bare is dropped, its text kept


def test_styles_on_elements_matching() -> None:
    p = bm.NewPolicy()
    p.AllowElementsMatching("^x-")
    p.AllowElements("b")
    p.AllowStyles("color").OnElementsMatching("^x-")
    out = p.sanitize('<x-a style="color: red; margin: 0">a</x-a><b style="color: red">b</b>')
    assert out == '<x-a style="color:red">a</x-a><b>b</b>'


def test_url_schemes_matching() -> None:
    p = links()
    assert p.AllowURLSchemesMatching(r"^web\+") is p
    out = p.sanitize(
        '<a href="web+app:x">1</a><a href="javascript:alert(1)">2</a><a href="ftp://x">3</a>'
    )
    assert out == '<a href="web+app:x" rel="nofollow">1</a>23'
    # Never a scheme that runs script, nor data: (AllowDataURIImages allows images).
    p.AllowURLSchemesMatching(".")
    out = p.sanitize('<a href="javascript:alert(1)">x</a><a href="data:text/html,x">y</a>')
    assert out == "xy"


def test_sandbox_values() -> None:
    p = bm.NewPolicy()
    p.AllowElements("iframe")
    p.AllowIFrames(bm.SandboxValue.SandboxAllowForms, bm.SandboxValue.SandboxAllowPopups)
    assert p.policy.iframe_sandbox == {"allow-forms", "allow-popups"}
    html = '<iframe sandbox="allow-scripts allow-popups allow-same-origin allow-forms"></iframe>'
    assert p.sanitize(html + "<iframe></iframe>") == (
        '<iframe sandbox="allow-popups allow-forms"></iframe>'  # a bare one is dropped
    )
    p.RequireSandboxOnIFrame(bm.SandboxValue.SandboxAllowScripts)  # replaces, as bluemonday
    assert p.sanitize(html) == '<iframe sandbox="allow-scripts"></iframe>'
    with pytest.raises(TypeError):
        p.RequireSandboxOnIFrame("allow-forms")  # type: ignore[arg-type]


def test_space_when_stripping_tags() -> None:
    p = bm.NewPolicy()
    p.AllowElements("b")
    assert p.sanitize("<p>Hello</p><p>World</p>") == "HelloWorld"
    assert p.AddSpaceWhenStrippingTag(True) is p
    assert p.sanitize("<p>Hello</p><p>World</p><b>!</b>") == " Hello  World <b>!</b>"
    p.AddSpaceWhenStrippingTag(False)
    assert p.sanitize("<p>Hello</p><p>World</p>") == "HelloWorld"


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda p: p.AllowUnsafe(True), r"AllowUnsafe\(True\)"),
        # Patterns: the core's (RE2) syntax for values, also Python's for element names.
        (lambda p: p.AllowElementsMatching(r"^\p{L}+$"), "AllowElementsMatching: .*Python"),
        (lambda p: p.AllowAttrs("a").OnElementsMatching("("), "OnElementsMatching"),
        (lambda p: p.AllowStyles("color").Matching("("), r"AllowStyles\(...\).Matching"),
        (lambda p: p.AllowStyles("color").OnElementsMatching("["), "OnElementsMatching"),
    ],
)
def test_refused_at_the_call(call: Any, words: str) -> None:
    with pytest.raises(UnsupportedOptionError, match=words):
        call(bm.NewPolicy())


def test_unsupported_option_error_is_a_policy_error() -> None:
    assert issubclass(UnsupportedOptionError, hg.PolicyError)
    assert issubclass(UnsupportedOptionError, ValueError)


@pytest.mark.parametrize(
    ("build", "words"),
    [
        # bluemonday would keep every URL, javascript: too.
        (lambda p: p.AllowAttrs("href").OnElements("a"), r"a\[href\].*URLs are not checked"),
        (
            lambda p: (
                p.AllowElements("b", "i"),
                p.AllowStyles("color").OnElements("b"),
                p.AllowAttrs("style").OnElements("i"),
            ),
            "unfiltered",
        ),
        (
            lambda p: (p.AllowStandardURLs(), p.AllowAttrs("rel").OnElements("a")),
            "refuses.*link_rel",
        ),
        # Script through attributes: the core refuses, the shim says which policy.
        (lambda p: p.AllowAttrs("onclick").Globally(), "refuses.*event-handler"),
        (lambda p: p.AllowAttrs("srcdoc").OnElements("iframe"), "refuses.*srcdoc"),
    ],
)
def test_refused_when_compiled(build: Any, words: str) -> None:
    p = bm.NewPolicy()
    build(p)
    with pytest.raises(UnsupportedOptionError, match=words):
        p.sanitize("<a>x</a>")


def test_javascript_scheme_is_refused() -> None:
    p = links()
    p.AllowURLSchemes("javascript")
    with pytest.raises(hg.PolicyError, match="javascript"):
        p.sanitize("x")


def test_no_url_can_pass_removes_url_attributes_instead_of_refusing() -> None:
    p = bm.NewPolicy()
    p.RequireParseableURLs(True)
    p.AllowAttrs("href", "title").OnElements("a")
    assert p.sanitize('<a href="https://x.org/" title="t">x</a>') == '<a title="t">x</a>'


# ---------------------------------------------------------------- compiling, threads, Unicode


def test_compiles_lazily_and_once_until_changed() -> None:
    p = bm.UGCPolicy()
    assert p._compiled is None
    first = p.policy
    p.sanitize("<b>x</b>")
    assert p.policy is first
    p.AllowElements("kbd")
    assert p._compiled is None and p.policy is not first and "kbd" in p.policy.tags


def test_safe_under_concurrent_use() -> None:
    """Threads sanitizing with shared policies (and one changing its own): pybluemonday
    aborts the interpreter here."""
    shared = bm.UGCPolicy()
    html = "<p onclick=x>Hi <b>there</b><script>alert(1)</script></p>" * 20
    expected = shared.sanitize(html)
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def work(i: int) -> None:
        try:
            barrier.wait()
            own = bm.UGCPolicy()
            for n in range(200):
                assert shared.sanitize(html) == expected
                if n % 50 == 0:
                    own.AllowElements(f"x-{i}-{n}")
                own.sanitize(html)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:1]


def test_output_is_not_unicode_normalised() -> None:
    """pybluemonday applies NFKD to its output (which can even turn fullwidth text into
    markup); the shim returns what the core wrote."""
    text = "caf\u00e9 \ufb01le \uff1cb\uff1e \u2460 \u00bd"
    assert bm.UGCPolicy().sanitize(f"<p>{text}</p>") == f"<p>{text}</p>"


def test_bytes_and_bad_input() -> None:
    assert bm.UGCPolicy().sanitize(b"<b>x</b>") == "<b>x</b>"  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        bm.UGCPolicy().sanitize(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        bm.NewPolicy().AllowElements(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        bm.NewPolicy().RequireNoFollowOnLinks("yes")  # type: ignore[arg-type]
