"""``manage.py check``: the htmlguard.E0xx errors and W0xx warnings."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

import htmlguard as hg

MW = "htmlguard.django.middleware.HTMLGuardMiddleware"
TEST_MW = "integrations.django_site.testapp.middleware"


def policies(**extra: object) -> dict[str, object]:
    """The test project's HTMLGUARD_POLICIES (its models and fields name them) and `extra`."""
    return {**settings.HTMLGUARD_POLICIES, **extra}


def ids() -> list[str]:
    return sorted(m.id for m in checks.run_checks() if (m.id or "").startswith("htmlguard."))


def messages(check_id: str) -> list[str]:
    return [m.msg for m in checks.run_checks() if m.id == check_id]


def test_the_test_project_is_clean() -> None:
    assert ids() == []
    out = StringIO()
    call_command("check", stdout=out)
    assert "no issues" in out.getvalue()


def test_e001_invalid_policy() -> None:
    with override_settings(HTMLGUARD_POLICIES=policies(a={"tags": ["script"]}, b={"x": 1})):
        assert ids() == ["htmlguard.E001", "htmlguard.E001"]
        assert any("HTMLGUARD_POLICIES['a']" in m for m in messages("htmlguard.E001"))
    with override_settings(HTMLGUARD_POLICIES="bio"):
        # and the fields and models naming the policies it no longer declares
        assert ids()[:3] == ["htmlguard.E001", "htmlguard.E003", "htmlguard.E004"]


def test_e002_unknown_default() -> None:
    with override_settings(HTMLGUARD_DEFAULT_POLICY="nope"):
        assert ids() == ["htmlguard.E002"]
    with override_settings(HTMLGUARD_DEFAULT_POLICY=3):
        assert ids() == ["htmlguard.E002"]


def test_e003_unknown_policy_in_fields() -> None:
    with override_settings(HTMLGUARD_FIELDS={"body": "ugc", "bio": "missing"}):
        assert ids() == ["htmlguard.E003"]
        assert "HTMLGUARD_FIELDS['bio']" in messages("htmlguard.E003")[0]


def test_e004_unknown_policy_on_a_model_field() -> None:
    # the test models name "bio" and "comment", which HTMLGUARD_POLICIES declares
    with override_settings(HTMLGUARD_POLICIES={"comment": {"tags": ["p"]}}):
        found = [m for m in checks.run_checks() if m.id == "htmlguard.E004"]
        assert [m.obj.name for m in found] == ["bio"]
        assert "testapp.Post.bio" in found[0].msg
        assert "htmlguard.E003" in ids()  # HTMLGUARD_FIELDS names "bio" too


def test_e005_invalid_middleware_settings() -> None:
    for key, value in [
        ("HTMLGUARD_MODE", "strip"),
        ("HTMLGUARD_ON_FAULT", "ignore"),
        ("HTMLGUARD_MAX_BODY_BYTES", -1),
        ("HTMLGUARD_PATHS", [1]),
    ]:
        with override_settings(**{key: value}):
            assert ids() == ["htmlguard.E005"], key


def test_errors_stop_manage_py_check() -> None:
    with override_settings(HTMLGUARD_DEFAULT_POLICY="nope"):
        with pytest.raises(SystemCheckError, match="htmlguard.E002"):
            call_command("check")


def test_w001_style_without_a_property_filter() -> None:
    styled = {"tags": ["p"], "generic_attributes": ["style"]}
    with override_settings(HTMLGUARD_POLICIES=policies(styled=styled)):
        assert ids() == ["htmlguard.W001"]
        assert "HTMLGUARD_POLICIES['styled']" in messages("htmlguard.W001")[0]
    filtered = {**styled, "filter_style_properties": ["color"]}
    with override_settings(HTMLGUARD_POLICIES=policies(styled=filtered)):
        assert ids() == []
    on_tag = {"tags": ["p"], "tag_attributes": {"p": ["style"]}}
    with override_settings(HTMLGUARD_POLICIES=policies(t=on_tag)):
        assert ids() == ["htmlguard.W001"]
    with override_settings(
        HTMLGUARD_DEFAULT_POLICY=hg.Policy(tags={"p"}, generic_attributes={"style"})
    ):
        assert ids() == ["htmlguard.W001"]


@pytest.mark.parametrize(
    ("reader", "hook"),
    [("BodyLogger", "__call__()"), ("FormPeek", "process_request()"), ("stream_reader", "code")],
)
def test_w002_middleware_after_a_body_reader(reader: str, hook: str) -> None:
    path = f"{TEST_MW}.{reader}"
    with override_settings(MIDDLEWARE=[path, f"{TEST_MW}.HeaderStamp", MW]):
        assert ids() == ["htmlguard.W002"]
        assert f"after {path}, whose {hook} reads" in messages("htmlguard.W002")[0]
    with override_settings(MIDDLEWARE=[MW, path]):
        assert ids() == []


def test_no_warning_for_django_middleware_and_header_readers() -> None:
    stack = [
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        f"{TEST_MW}.HeaderStamp",
        MW,
    ]
    with override_settings(MIDDLEWARE=stack):
        assert ids() == []


def test_w003_fields_without_the_middleware() -> None:
    with override_settings(MIDDLEWARE=[]):
        assert ids() == ["htmlguard.W003"]
    with override_settings(MIDDLEWARE=[], HTMLGUARD_FIELDS=None):
        assert ids() == []


def test_e005_names_the_setting_even_without_fields() -> None:
    with override_settings(HTMLGUARD_PATHS=3, HTMLGUARD_FIELDS=None, MIDDLEWARE=[]):
        assert messages("htmlguard.E005") == [
            "HTMLGUARD_PATHS: paths must be an iterable of str globs, got 3"
        ]
    with override_settings(HTMLGUARD_ON_FAULT="x"):
        (message,) = messages("htmlguard.E005")
        assert message.startswith("HTMLGUARD_ON_FAULT: on_fault must be one of pass, reject")


def test_w001_on_a_model_field_given_a_policy() -> None:
    from htmlguard.django.models import SanitizedTextField
    from integrations.django_site.testapp.models import Post

    field = SanitizedTextField(policy=hg.Policy(tags={"p"}, generic_attributes={"style"}))
    field.set_attributes_from_name("styled")
    field.model = Post
    found = [m for m in field.check() if m.id == "htmlguard.W001"]
    assert len(found) == 1 and found[0].obj is field
    assert "testapp.Post.styled" in found[0].msg
    filtered = SanitizedTextField(policy=hg.Policy(tags={"p"}))
    filtered.set_attributes_from_name("plain")
    filtered.model = Post
    assert filtered.check() == []
