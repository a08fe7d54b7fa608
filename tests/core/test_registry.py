"""hg.policies: the name → Policy registry."""

from __future__ import annotations

import pytest

import htmlguard as hg


@pytest.fixture
def name() -> object:
    n = "test-comments"
    yield n
    if n in hg.policies:
        hg.policies.unregister(n)


def test_presets_are_preregistered() -> None:
    assert set(hg.PRESETS) <= set(hg.policies.names())
    assert list(hg.policies) == hg.policies.names()
    assert len(hg.policies) == len(hg.policies.names())
    assert "ugc" in hg.policies and "nope" not in hg.policies and 3 not in hg.policies
    assert hg.policies["ugc"] == hg.Policy.preset("ugc")
    assert hg.policies.get("nope") is None


def test_register_use_replace_unregister(name: str) -> None:
    comments = hg.Policy(tags={"b"})
    hg.policies.register(name, comments)
    assert hg.policies[name] is comments
    assert hg.sanitize("<b>x</b><i>y</i>", name) == "<b>x</b>y"
    with pytest.raises(hg.PolicyError, match="already registered"):
        hg.policies.register(name, hg.Policy())
    hg.policies.register(name, hg.Policy(tags={"i"}), replace=True)
    assert hg.sanitize("<b>x</b><i>y</i>", name) == "x<i>y</i>"
    removed = hg.policies.unregister(name)
    assert removed == hg.Policy(tags={"i"})
    with pytest.raises(hg.UnknownPolicyError):
        hg.policies[name]
    with pytest.raises(hg.UnknownPolicyError):
        hg.policies.unregister(name)


def test_presets_cannot_be_replaced_or_removed() -> None:
    with pytest.raises(hg.PolicyError, match="built-in preset"):
        hg.policies.register("ugc", hg.Policy(), replace=True)
    with pytest.raises(hg.PolicyError, match="built-in preset"):
        hg.policies.unregister("ugc")
    assert hg.sanitize("<b>x</b>", "ugc") == "<b>x</b>"


def test_register_checks_its_arguments() -> None:
    with pytest.raises(TypeError):
        hg.policies.register("x", {"tags": ["b"]})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        hg.policies.register(3, hg.Policy())  # type: ignore[arg-type]
    with pytest.raises(hg.PolicyError):
        hg.policies.register("", hg.Policy())
