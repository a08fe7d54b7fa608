"""htmlguard.jinja: the ``sanitize`` filter on a plain Jinja environment (no Flask)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from jinja2 import Environment
from markupsafe import Markup

import htmlguard as hg
from htmlguard.jinja import install, make_filter, sanitize_filter

DIRTY = '<p onclick="steal()">Hi <script>alert(1)</script><b>there</b></p>'
CLEAN = "<p>Hi <b>there</b></p>"


@pytest.fixture
def env() -> Environment:
    env = Environment(autoescape=True)
    install(env)
    return env


@pytest.fixture
def bold_only() -> Iterator[str]:
    name = "test-jinja-bold"
    hg.policies.register(name, hg.Policy(tags={"b"}), replace=True)
    yield name
    hg.policies.unregister(name)


def test_filter_returns_markup_of_the_sanitized_html() -> None:
    out = sanitize_filter(DIRTY)
    assert type(out) is Markup
    assert out == CLEAN


def test_none_is_empty_and_other_values_are_stringified() -> None:
    assert sanitize_filter(None) == Markup("")
    assert sanitize_filter(42) == Markup("42")

    class Thing:
        def __str__(self) -> str:
            return "<i>x</i><img src=x onerror=alert(1)>"

    assert sanitize_filter(Thing(), "basic") == "<i>x</i>"


def test_markup_is_not_proof_of_safety() -> None:
    dirty = Markup('<a href="javascript:alert(1)">x</a><script>alert(2)</script>')
    out = sanitize_filter(dirty)
    assert type(out) is Markup
    assert out == hg.sanitize(str(dirty))
    assert "javascript" not in out and "script" not in out and ">x</a>" in out


def test_policy_argument_name_or_object() -> None:
    assert sanitize_filter("<p><b>x</b></p>", "strict") == hg.sanitize("<p><b>x</b></p>", "strict")
    assert sanitize_filter("<i>a</i><b>b</b>", hg.Policy(tags={"i"})) == "<i>a</i>b"
    with pytest.raises(hg.UnknownPolicyError):
        sanitize_filter("x", "no-such-policy")


def test_install_renders_with_autoescape(env: Environment) -> None:
    t = env.from_string("{{ v|sanitize }}|{{ v }}")
    safe, escaped = t.render(v=DIRTY).split("|")
    assert safe == CLEAN
    # Autoescaping is still on for everything else...
    assert escaped.startswith("&lt;p onclick=")
    # ...and the filter's Markup is not escaped a second time.
    assert "&lt;" not in safe


def test_filter_argument_in_template(env: Environment, bold_only: str) -> None:
    t = env.from_string("{{ v|sanitize(p) }}")
    assert t.render(v="<b>x</b><i>y</i>", p=bold_only) == "<b>x</b>y"
    assert env.from_string('{{ v|sanitize("strict") }}').render(v="<p>a</p><b>b</b>") == (
        hg.sanitize("<p>a</p><b>b</b>", "strict")
    )


def test_none_renders_empty_in_template(env: Environment) -> None:
    assert env.from_string("[{{ v|sanitize }}]").render(v=None) == "[]"


def test_install_default_policy_and_name(bold_only: str) -> None:
    env = Environment(autoescape=True)
    f = install(env, default_policy=bold_only, name="clean_html")
    assert env.filters["clean_html"] is f
    assert "sanitize" not in env.filters
    assert env.from_string("{{ v|clean_html }}").render(v="<b>x</b><i>y</i>") == "<b>x</b>y"
    # An explicit policy still wins over the default.
    assert env.from_string("{{ v|clean_html('basic') }}").render(v="<b>x</b><i>y</i>") == (
        "<b>x</b><i>y</i>"
    )


def test_default_name_is_looked_up_each_time(bold_only: str) -> None:
    f = make_filter(bold_only)
    assert f("<b>x</b><i>y</i>") == "<b>x</b>y"
    hg.policies.register(bold_only, hg.Policy(tags={"i"}), replace=True)
    assert f("<b>x</b><i>y</i>") == "x<i>y</i>"


def test_install_rejects_an_unknown_default() -> None:
    env = Environment()
    with pytest.raises(hg.UnknownPolicyError):
        install(env, default_policy="no-such-policy")
    assert "sanitize" not in env.filters


def test_without_autoescape_output_is_still_safe() -> None:
    env = Environment(autoescape=False)
    install(env)
    assert env.from_string("{{ v|sanitize }}").render(v=DIRTY) == CLEAN


def test_docstring_examples() -> None:
    import doctest

    import htmlguard.jinja

    result = doctest.testmod(htmlguard.jinja)
    assert result.attempted > 0
    assert result.failed == 0


def test_resolve_decides_what_a_name_means() -> None:
    # How the Flask extension gives each app's environment its own policies.
    mine = {"bio": hg.Policy(tags={"i"})}

    def resolve(policy: str | hg.Policy) -> hg.Policy:
        if isinstance(policy, str) and policy in mine:
            return mine[policy]
        return hg.policies[policy] if isinstance(policy, str) else policy

    env = Environment(autoescape=True)
    install(env, default_policy="bio", resolve=resolve)
    assert hg.policies.get("bio") is not mine["bio"]
    assert env.from_string("{{ v|sanitize }}").render(v="<b>x</b><i>y</i>") == "x<i>y</i>"
    assert env.from_string("{{ v|sanitize('basic') }}").render(v="<b>x</b>") == "<b>x</b>"
    with pytest.raises(hg.UnknownPolicyError):  # checked at install, with the resolver
        install(Environment(), default_policy="elsewhere", resolve=resolve)
