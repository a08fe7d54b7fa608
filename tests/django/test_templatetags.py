"""``{% load htmlguard %}`` and ``{{ value|sanitize }}``."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

import htmlguard as hg

HOSTILE = '<p onclick="x()">hi <b>there</b></p><script>alert(1)</script>'


def render(source: str, **context: object) -> str:
    return Template("{% load htmlguard %}" + source).render(Context(context))


def test_default_policy_and_named_policy() -> None:
    assert render("{{ v|sanitize }}", v=HOSTILE) == hg.sanitize(HOSTILE, "ugc")
    assert render('{{ v|sanitize:"bio" }}', v=HOSTILE) == "hi <b>there</b>alert(1)"
    assert render('{{ v|sanitize:"strict" }}', v=HOSTILE) == hg.sanitize(HOSTILE, "strict")


def test_output_is_not_escaped_again_and_plain_output_is() -> None:
    assert render("{{ v|sanitize }}|{{ v }}", v="<b>x</b>") == "<b>x</b>|&lt;b&gt;x&lt;/b&gt;"


def test_none_renders_as_nothing() -> None:
    assert render("[{{ v|sanitize }}]", v=None) == "[]"


def test_safe_and_lazy_strings_are_sanitized() -> None:
    assert render("{{ v|sanitize }}", v=mark_safe(HOSTILE)) == hg.sanitize(HOSTILE)
    lazy = gettext_lazy("<b onclick=x>lazy</b>")
    assert render("{{ v|sanitize }}", v=lazy) == "<b>lazy</b>"
    assert render("{{ v|sanitize }}", v=42) == "42"


def test_default_policy_follows_settings() -> None:
    with override_settings(HTMLGUARD_DEFAULT_POLICY="bio"):
        assert render("{{ v|sanitize }}", v="<p><b>x</b></p>") == "<b>x</b>"
    with override_settings(HTMLGUARD_POLICIES={"mine": {"tags": ["i"]}}):
        assert render('{{ v|sanitize:"mine" }}', v="<b>a</b><i>b</i>") == "a<i>b</i>"


def test_unknown_policy_raises_and_never_renders_the_html() -> None:
    with pytest.raises(hg.UnknownPolicyError, match="no-such"):
        render('{{ v|sanitize:"no-such" }}', v="<script>x</script>")


def test_invalid_policy_in_settings_raises_its_error() -> None:
    with override_settings(HTMLGUARD_POLICIES={"bad": {"tags": ["script"]}}):
        with pytest.raises(hg.PolicyError, match=r"HTMLGUARD_POLICIES\['bad'\]"):
            render('{{ v|sanitize:"bad" }}', v="<script>x</script>")
