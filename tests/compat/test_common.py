"""What the shims share: the URL-attribute list must be the core's, the docs must cover
every builder method and difference category."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import htmlguard as hg
from htmlguard.compat import bluemonday
from htmlguard.compat._common import is_url_attribute

MIGRATION = Path(__file__).resolve().parents[2] / "docs" / "migration.md"

TAGS = ("a", "img", "form", "object", "button", "input", "video", "q", "body", "animate", "set")
ATTRIBUTES = (
    "href", "xlink:href", "src", "action", "data", "formaction", "ping", "poster", "cite",
    "longdesc", "background", "codebase", "manifest", "lowsrc", "dynsrc", "title", "alt",
    "srcset", "name",
)  # fmt: skip


@pytest.mark.parametrize("tag", TAGS)
def test_url_attributes_are_the_cores(tag: str) -> None:
    """The core refuses a URL attribute no URL could pass: exactly the ones the shims drop."""
    for attr in ATTRIBUTES:
        try:
            hg.Policy(tags={tag}, tag_attributes={tag: {attr}})
            refused = False
        except hg.PolicyError as e:
            assert str(e).startswith("url_schemes/url_relative"), e
            refused = True
        assert refused == is_url_attribute(tag, attr), (tag, attr)


def test_migration_guide_covers_every_builder_method() -> None:
    doc = MIGRATION.read_text(encoding="utf-8")
    methods = [
        name
        for name, _ in inspect.getmembers(bluemonday.Policy, inspect.isfunction)
        if name[0].isupper() and name != "Sanitize"
    ]
    missing = [m for m in methods if m not in doc]
    assert not missing, f"docs/migration.md does not mention {missing}"
