"""The filter under Django's Jinja2 template backend."""

from __future__ import annotations

import pytest
from django.template import engines
from django.test import override_settings

import htmlguard as hg

JINJA2 = {
    "BACKEND": "django.template.backends.jinja2.Jinja2",
    "NAME": "jinja2",
    "DIRS": [],
    "OPTIONS": {"environment": "htmlguard.django.jinja2.environment", "autoescape": True},
}


def render(source: str, **context: object) -> str:
    with override_settings(TEMPLATES=[JINJA2]):
        engine = engines["jinja2"]
        return engine.from_string(source).render(context)


def test_filter_in_the_jinja2_backend() -> None:
    html = '<p onclick="x()">a</p><script>b()</script>'
    escaped = "&lt;p onclick=&#34;x()&#34;&gt;a&lt;/p&gt;&lt;script&gt;b()&lt;/script&gt;"
    assert render("{{ v|sanitize }}|{{ v }}", v=html) == f"{hg.sanitize(html)}|{escaped}"
    assert render('{{ v|sanitize("bio") }}', v="<b>x</b><p>y</p>") == "<b>x</b>y"
    assert render("[{{ v|sanitize }}]", v=None) == "[]"


def test_default_and_unknown_policies() -> None:
    with override_settings(HTMLGUARD_DEFAULT_POLICY="strict"):
        assert render("{{ v|sanitize }}", v="<b>x</b>") == "x"
    with pytest.raises(hg.UnknownPolicyError):
        render('{{ v|sanitize("nope") }}', v="<script>x</script>")
