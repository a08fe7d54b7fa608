"""The ``engine`` option: which parser a policy runs on, carried like every other option,
and used by every verb. Written for either default: the tests name both engines."""

from __future__ import annotations

import asyncio
import pickle

import pytest

import htmlguard as hg
from htmlguard import _core
from htmlguard._policy import ASYNC_INLINE_BYTES

ENGINES = ("htmlguard", "ammonia")

#: Mixed markup the two engines must sanitize alike (no html5ever deviation in it).
SAMPLE = [
    '<p onclick="x()">a<script>b</script><a href="https://x.org" target=_top>c</a></p>',
    "<b>x<i>y</b>z</i>",
    "<table><tr><td>1<td>2</table><p>after",
    '<img src="javascript:alert(1)" alt=x><br>',
    "<ul><li>a<li>b</ul><!-- c --><pre>\ncode</pre>",
    "<style>p{}</style><textarea><b></textarea><noscript><p>x</noscript>",
    '<a href="/rel">r</a><abbr title="t">t</abbr>&amp;&nbsp;&lt;',
    "<div><p>x<div>y</div></p></div><h1>t<h2>u</h2></h1>",
    "<select><option>1</select><form><input></form>",
]

#: The standard (and our parser) makes MathML `<mi>` special, so a list item's implied end
#: stops at it; html5ever does not (docs/engines.md).
DIFFERS = "<li><math><mi><li>x"


def other(engine: str) -> str:
    return next(e for e in ENGINES if e != engine)


def test_no_engine_chosen_is_the_default_engine() -> None:
    assert hg.DEFAULT_ENGINE == _core.DEFAULT_ENGINE and hg.DEFAULT_ENGINE in ENGINES
    assert hg.Policy().engine is None and "engine" not in hg.Policy().to_dict()
    for name in _core.PRESET_NAMES:
        assert hg.Policy.preset(name).engine is None
        assert hg.policies[name].engine is None
    ugc = hg.Policy.preset("ugc")
    assert ugc.sanitize(DIFFERS) == ugc.derive(engine=hg.DEFAULT_ENGINE).sanitize(DIFFERS)
    # Chosen, even the default is kept: it stays the choice if the default changes.
    assert ugc.derive(engine=hg.DEFAULT_ENGINE) != ugc
    assert ugc.derive(engine=hg.DEFAULT_ENGINE).derive(engine=None) == ugc


@pytest.mark.parametrize("engine", ENGINES)
def test_the_option_is_carried_like_the_others(engine: str) -> None:
    p = hg.Policy(tags={"b"}, engine=engine)  # type: ignore[arg-type]
    assert p.engine == engine
    assert p.to_dict()["engine"] == engine
    assert hg.Policy.from_dict(p.to_dict()) == p
    assert pickle.loads(pickle.dumps(p)) == p
    assert p.derive(engine=engine) == p and hash(p.derive(engine=engine)) == hash(p)
    flipped = p.derive(engine=other(engine))
    assert flipped != p and flipped.engine == other(engine)
    assert repr(p).endswith(f', engine "{engine}">)')


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", _core.PRESET_NAMES)
def test_a_preset_on_an_engine(name: str, engine: str) -> None:
    p = hg.Policy.preset(name).derive(engine=engine)
    assert p.to_dict() == {**hg.Policy.preset(name).to_dict(), "engine": engine}
    assert repr(p) == f'Policy.preset("{name}").derive(engine="{engine}")'
    assert eval(repr(p), {"Policy": hg.Policy}) == p


@pytest.mark.parametrize("bad", ["html5ever", "Ammonia", "", "native"])
def test_an_unknown_engine_is_refused_naming_the_engines(bad: str) -> None:
    for build in (
        lambda: hg.Policy(engine=bad),  # type: ignore[arg-type]
        lambda: hg.Policy.preset("ugc").derive(engine=bad),
        lambda: hg.Policy.from_dict({"engine": bad}),
    ):
        with pytest.raises(hg.PolicyError) as info:
            build()
        assert str(info.value) == f'engine: "{bad}" is not one of "htmlguard", "ammonia"'


@pytest.mark.parametrize("bad", [1, True, ["htmlguard"]])
def test_an_engine_that_is_not_a_string_is_refused(bad: object) -> None:
    with pytest.raises(hg.PolicyError, match="^engine: expected a string"):
        hg.Policy(engine=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", _core.PRESET_NAMES)
def test_the_engines_agree_on_a_sample(name: str) -> None:
    a, b = (hg.Policy.preset(name).derive(engine=e) for e in ENGINES)
    for html in SAMPLE:
        assert a.sanitize(html) == b.sanitize(html), html
        ra, rb = a.inspect(html), b.inspect(html)
        assert (ra.html, ra.removed) == (rb.html, rb.removed), html


@pytest.mark.parametrize("engine", ENGINES)
def test_every_verb_goes_through_the_policys_engine(engine: str) -> None:
    p = hg.Policy.preset("ugc").derive(engine=engine)
    # The engines differ on this input, so each verb's answer shows whose parser it used.
    own = p.sanitize(DIFFERS)
    assert own != p.derive(engine=other(engine)).sanitize(DIFFERS)
    assert p.inspect(DIFFERS).html == own
    assert p.sanitize_many([DIFFERS, DIFFERS]) == [own, own]
    assert p.is_clean(own)
    long = "x" * ASYNC_INLINE_BYTES + DIFFERS  # the worker-thread path
    assert asyncio.run(p.sanitize_async(DIFFERS)) == own
    assert asyncio.run(p.sanitize_async(long)) == p.sanitize(long)
    assert p.sanitize(long).endswith(own)
    # By name, through the registry and the module verbs.
    hg.policies.register("test-engine", p, replace=True)
    try:
        assert hg.sanitize(DIFFERS, "test-engine") == own
        assert hg.inspect(DIFFERS, "test-engine").html == own
        assert hg.sanitize_many([DIFFERS], "test-engine") == [own]
        assert hg.is_clean(own, "test-engine")
    finally:
        hg.policies.unregister("test-engine")


def test_parse_tree_shows_each_parsers_tree() -> None:
    # The private hook of the browser check (tests/security/browser/test_parser_deviations.py).
    html = DIFFERS
    assert _core._parse_tree("<p>x<b>y") == '| <p>\n|   "x"\n|   <b>\n|     "y"\n'
    assert _core._parse_tree(html, "htmlguard") != _core._parse_tree(html, "ammonia")
    with pytest.raises(hg.PolicyError, match='^engine: "servo" is not one of'):
        _core._parse_tree(html, "servo")  # type: ignore[arg-type]
