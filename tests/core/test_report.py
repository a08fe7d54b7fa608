"""inspect() and is_clean(): what a policy removes."""

from __future__ import annotations

import pytest

import htmlguard as hg


def test_report_lists_each_removal_in_document_order() -> None:
    html = (
        '<!-- hidden --><p onclick="steal()">Hi <script>alert(1)</script>'
        '<a href="javascript:alert(2)" title="t">x</a><blink>b</blink></p>'
    )
    r = hg.Policy.preset("ugc").inspect(html)
    got = [(x.kind, x.tag, x.name, x.value) for x in r.removed]
    assert got == [
        ("comment", "", "#comment", " hidden "),
        ("attribute", "p", "onclick", "steal()"),
        ("tag", "script", "script", ""),
        ("url", "a", "href", "javascript:alert(2)"),
        ("tag", "blink", "blink", ""),
    ]
    assert r.html == hg.Policy.preset("ugc").sanitize(html)
    assert r.total == 5 and bool(r) and r.changed
    assert dict(r.by_kind) == {"attribute": 1, "comment": 1, "tag": 2, "url": 1}
    assert dict(r.by_tag) == {"p": 1, "script": 1, "a": 1, "blink": 1}
    assert dict(r.by_attribute) == {("p", "onclick"): 1, ("a", "href"): 1}
    assert str(r) == (
        "removed 1 attribute (p[onclick]); 1 comment (comment); "
        "2 tags (<script>, <blink>); 1 url (a[href])"
    )
    assert repr(r).startswith("<Report: removed")
    assert (
        repr(r.removed[0]) == "Removal(kind='comment', tag='', name='#comment', value=' hidden ')"
    )
    assert r.removed[1] == r.removed[1] and r.removed[1] != r.removed[0]
    assert len({r.removed[2], r.removed[4]}) == 2


def test_clean_input_reports_nothing() -> None:
    p = hg.Policy.preset("ugc")
    html = '<p>Hello <b>world</b> <a href="https://x.org">x</a></p>'
    r = p.inspect(html)
    assert r.total == 0 and not r and str(r) == "nothing removed"
    assert p.is_clean(html)
    # rel is added and attributes are re-quoted, but nothing the user wrote was removed
    assert r.changed


def test_is_clean_agrees_with_inspect(preset: hg.Policy) -> None:
    samples = [
        "plain",
        "<b>bold</b>",
        "<p>p</p>",
        "<img src=x onerror=y>",
        "<a href=/x>x</a>",
        "<!-- c -->",
        "<span style='color:red'>s</span>",
        "<code class='language-py'>c</code>",
        "<h1>t</h1>",
        "<table><tr><td>c</td></tr></table>",
    ]
    for s in samples:
        assert preset.is_clean(s) == (preset.inspect(s).total == 0), s


def test_values_are_shortened_and_counts_stay_exact() -> None:
    long = "x" * 500
    r = hg.Policy.preset("ugc").inspect(f'<b onclick="{long}">y</b>')
    assert len(r.removed[0].value) <= 61 and r.removed[0].value.endswith("…")
    many = "<blink>a</blink>" * 12_000
    r = hg.Policy.preset("ugc").inspect(many)
    assert r.total == 12_000 and r.by_tag["blink"] == 12_000
    assert len(r.removed) == 10_000


def test_report_is_read_only() -> None:
    r = hg.inspect("<blink>x</blink>")
    r.removed.clear()
    assert len(r.removed) == 1


def _summary(r: hg.Report) -> tuple[object, ...]:
    return (
        r.html,
        r.changed,
        r.total,
        [(x.kind, x.tag, x.name, x.value) for x in r.removed],
        dict(r.by_kind),
        dict(r.by_tag),
        dict(r.by_attribute),
        str(r),
    )


def test_inspect_many_equals_inspect_of_each_on_the_pool_and_off_it() -> None:
    p = hg.Policy.preset("ugc")
    # Over 32 KiB in all, so the items run on the shared pool; the short batch runs inline.
    big = [
        f"<p id=x{i} onclick=y>{i}<img src=javascript:{i}><!--c-->" + "z" * (i * 97)
        for i in range(300)
    ]
    small = ["<b>fine</b>", "<script>x</script>t", "", "plain & text"]
    for items in (big, small):
        reports = p.inspect_many(items)
        assert [_summary(r) for r in reports] == [_summary(p.inspect(x)) for x in items]
        assert [r.html for r in reports] == p.sanitize_many(items)
    assert [_summary(r) for r in hg.inspect_many(iter(small), "basic")] == [
        _summary(hg.inspect(x, "basic")) for x in small
    ]
    assert p.inspect_many(()) == []


def test_inspect_many_rejects_bad_items_bare_strings_and_oversized_items() -> None:
    p = hg.Policy.preset("basic")
    with pytest.raises(TypeError, match="item 1"):
        p.inspect_many(["ok", 3])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="single str"):
        p.inspect_many("<b>x</b>")
    with pytest.raises(hg.InputTooLargeError, match="item 2"):
        p.derive(max_input_bytes=4).inspect_many(["a", "bb", "ccccc"])
