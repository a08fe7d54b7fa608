"""The settings: read when used, HTMLGUARD_POLICIES registered in htmlguard.policies."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

import htmlguard as hg
from htmlguard.django import conf, resolve_policy, sanitize


def test_settings_policies_are_registered_globally() -> None:
    assert hg.sanitize("<b>x</b><p>y</p>", "bio") == "<b>x</b>y"
    assert resolve_policy("bio") is hg.policies["bio"]


def test_override_settings_replaces_and_then_restores_policies() -> None:
    before = hg.policies["bio"]
    with override_settings(HTMLGUARD_POLICIES={"bio": {"tags": ["p"]}, "extra": {"tags": []}}):
        assert sanitize("<b>x</b><p>y</p>", "bio") == "x<p>y</p>"
        assert hg.sanitize("<b>x</b>", "extra") == "x"
        assert "comment" not in conf.project_policies()
    assert sanitize("<b>x</b><p>y</p>", "bio") == "<b>x</b>y"
    assert hg.policies["bio"] == before
    assert "extra" not in hg.policies  # registered by the setting, gone with it


def test_programs_own_registrations_are_left_alone() -> None:
    hg.policies.register("program-own", hg.Policy(tags={"u"}))
    try:
        with override_settings(HTMLGUARD_POLICIES={"other": {"tags": []}}):
            resolve_policy("other")
        assert "program-own" in hg.policies
    finally:
        hg.policies.unregister("program-own")


def test_default_policy_setting() -> None:
    assert sanitize("<p>x</p>") == "<p>x</p>"  # "ugc"
    with override_settings(HTMLGUARD_DEFAULT_POLICY="strict"):
        assert sanitize("<p>x</p>") == "x"
    with override_settings(HTMLGUARD_DEFAULT_POLICY=hg.Policy(tags={"i"})):
        assert sanitize("<p><i>x</i></p>") == "<i>x</i>"
    with override_settings(HTMLGUARD_DEFAULT_POLICY="nope"):
        with pytest.raises(hg.UnknownPolicyError, match="HTMLGUARD_DEFAULT_POLICY"):
            sanitize("x")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"bad": {"tags": ["script"]}}, r"HTMLGUARD_POLICIES\['bad'\]: .*script"),
        ({"bad": {"no_such_option": 1}}, r"HTMLGUARD_POLICIES\['bad'\]: .*no_such_option"),
        ({"bad": "tags=b"}, r"HTMLGUARD_POLICIES\['bad'\]: expected a dict"),
        ({"ugc": {"tags": []}}, r"HTMLGUARD_POLICIES\['ugc'\]: 'ugc' is a built-in preset"),
    ],
)
def test_an_invalid_policy_raises_when_used_never_sanitizes_without_it(
    value: dict[str, object], message: str
) -> None:
    name = next(iter(value))
    with override_settings(HTMLGUARD_POLICIES={**value, "good": {"tags": ["b"]}}):
        if name != "ugc":
            with pytest.raises(hg.PolicyError, match=message):
                resolve_policy(name)
        assert sanitize("<b>x</b><i>y</i>", "good") == "<b>x</b>y"  # the others still work
        assert any(re.search(message, e) for e in conf.loaded().errors.values())


def test_not_a_mapping() -> None:
    with override_settings(HTMLGUARD_POLICIES=["bio"]):
        with pytest.raises(hg.PolicyError, match="expected a mapping"):
            resolve_policy("bio")


def test_request_core_follows_the_settings() -> None:
    core = conf.request_core()
    assert core is not None and core.mode == "clean"
    assert conf.request_core() is core  # built once per value
    with override_settings(HTMLGUARD_MODE="reject"):
        assert conf.request_core().mode == "reject"  # type: ignore[union-attr]
    with override_settings(HTMLGUARD_FIELDS=None):
        assert conf.request_core() is None
    with override_settings(HTMLGUARD_FIELDS={"x": "nope"}):
        with pytest.raises(hg.UnknownPolicyError, match=r"HTMLGUARD_FIELDS\['x'\]"):
            conf.request_core()


def test_a_programs_registration_is_restored_after_the_setting_lets_go() -> None:
    own = hg.Policy(tags={"s"})
    hg.policies.register("shared-name", own)
    try:
        with override_settings(HTMLGUARD_POLICIES={"shared-name": {"tags": ["u"]}}):
            assert hg.sanitize("<s>a</s><u>b</u>", "shared-name") == "a<u>b</u>"
        assert hg.policies["shared-name"] is own
    finally:
        hg.policies.unregister("shared-name")


def test_presets_resolve_when_the_setting_is_broken() -> None:
    with override_settings(HTMLGUARD_POLICIES=["bio"]):
        assert sanitize("<p>x</p>", "ugc") == "<p>x</p>"
        with pytest.raises(hg.PolicyError):
            sanitize("<p>x</p>", "anything-else")


def test_unknown_names_are_listed_once() -> None:
    with pytest.raises(hg.UnknownPolicyError) as e:
        resolve_policy("nope")
    assert str(e.value).count("bio") == 1
