"""``docs/presets.md`` is generated from the presets and must not drift from them."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

import htmlguard as hg
from htmlguard import _docs

DOC = Path(__file__).resolve().parents[2] / "docs" / "presets.md"
REGENERATE = (
    "docs/presets.md is out of date; regenerate it with\n"
    "  python -c \"from htmlguard import _docs; _docs.write_presets_document('docs/presets.md')\""
)


def sections(markdown: str) -> dict[str, str]:
    """``## name`` heading → the text up to the next ``## `` heading."""
    parts = re.split(r"^## (.+)$", markdown, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def table_rows(section: str) -> dict[str, str]:
    """Element → its Attributes cell, from the section's table."""
    rows: dict[str, str] = {}
    for line in section.splitlines():
        m = re.fullmatch(r"\| `([^`]+)` \| (.*) \|", line)
        if m:
            rows[m.group(1)] = m.group(2)
    return rows


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_presets_md_is_generated() -> None:
    assert DOC.read_text(encoding="utf-8") == _docs.presets_document(), REGENERATE


def test_document_is_intro_then_sections() -> None:
    document = _docs.presets_document()
    body = _docs.presets_markdown()
    assert document.endswith(body)
    assert document.startswith("# Presets\n")
    assert list(sections(body)) == list(hg.PRESETS)


def test_every_tag_of_every_preset_is_in_its_section(preset: hg.Policy) -> None:
    name = next(n for n in hg.PRESETS if hg.Policy.preset(n) == preset)
    section = sections(DOC.read_text(encoding="utf-8"))[name]
    assert _docs.PRESET_DESCRIPTIONS[name] in section
    rows = table_rows(section)
    assert set(rows) == set(preset.tags)
    assert list(rows) == sorted(preset.tags)
    for tag in preset.tags:
        assert f"| `{tag}` |" in section
        for attr in preset.tag_attributes.get(tag, frozenset()):
            assert f"`{attr}`" in rows[tag], (tag, attr)
            pattern = preset.attribute_patterns.get(tag, {}).get(attr)
            if pattern is not None:
                assert f"`{attr}` (`{pattern.replace('|', chr(92) + '|')}`)" in rows[tag]
        if preset.generic_attributes:
            assert "global attributes" in rows[tag]
    for attr in preset.generic_attributes:
        assert f"`{attr}`" in section
    for attr, pattern in preset.attribute_patterns.get("*", {}).items():
        assert f"`{attr}` (`{pattern}`)" in section
    for tag in preset.clean_content_tags:
        assert f"`{tag}`" in section
    for scheme in preset.url_schemes:
        assert f"`{scheme}`" in section
    for prop in preset.filter_style_properties or ():
        assert f"`{prop}`" in section
    if preset.link_rel:
        assert f'`rel="{preset.link_rel}"`' in section
    if preset.id_prefix:
        assert f"`{preset.id_prefix}`" in section
    assert ("Comments: removed." in section) == preset.strip_comments
    for line in section.splitlines():
        if line.startswith("|"):
            assert unescaped_pipes(line) == 3, line  # patterns' | are escaped in cells


def test_section_headings() -> None:
    body = _docs.presets_markdown()
    assert [line[3:] for line in body.splitlines() if line.startswith("## ")] == list(hg.PRESETS)
    assert "No elements are allowed" in sections(body)["strict"]
    assert "Style properties" in sections(body)["relaxed"]
    assert "Style properties" not in sections(body)["ugc"]


def test_policy_markdown_for_a_custom_policy() -> None:
    policy = hg.Policy(
        tags={"a", "div", "img", "p"},
        tag_attributes={"a": {"href"}, "img": {"src"}},
        generic_attributes={"title", "style"},
        generic_attribute_prefixes={"data-"},
        tag_attribute_values={"div": {"align": {"left", "right"}}},
        set_tag_attribute_values={"img": {"loading": "lazy"}},
        allowed_classes={"p": {"lead", "note"}},
        attribute_patterns={"*": {"title": "^[a-z|]*$"}, "p": {"title": "^x`y$"}},
        url_schemes={"https"},
        url_relative={"base": "https://example.org/"},
        strip_comments=False,
        target_blank=True,
        max_input_bytes=4096,
    )
    md = _docs.policy_markdown(policy, "custom", "A test policy.")
    assert md.startswith("## custom\n\nA test policy.\n\n| Element | Attributes |\n")
    assert md.endswith("\n") and not md.endswith("\n\n")
    rows = table_rows(md)
    assert set(rows) == {"a", "div", "img", "p"}
    assert rows["a"] == "`href`, plus global attributes"
    assert rows["div"] == "`align` (one of `left`, `right`), plus global attributes"
    assert rows["img"] == "`src`, `loading` always set to `lazy`, plus global attributes"
    # a tag-specific pattern on a global attribute is shown on the tag; backticks survive
    assert rows["p"] == (
        "`class` (classes `lead`, `note`), plus global attributes (here `title` (``^x`y$``))"
    )
    assert "`title` (`^[a-z|]*$`)" in md  # outside the table, | is not escaped
    assert "any attribute starting with `data-`" in md
    assert "URL schemes: `https`." in md
    assert "Relative URLs: resolved against `https://example.org/`." in md
    assert "Link rel: none added." in md
    assert 'target="_blank"' in md
    assert "Style properties: not filtered" in md
    assert "Comments: kept." in md
    assert "4096 bytes" in md


def test_policy_markdown_relative_url_variants() -> None:
    deny = _docs.policy_markdown(hg.Policy(), "empty")
    assert "Relative URLs: removed." in deny and "Removed with their content: none" in deny
    root = hg.Policy(url_relative={"root": "https://x.org/", "path": "wiki/"})
    assert "`https://x.org/` + `wiki/`" in _docs.policy_markdown(root, "root")


@pytest.mark.parametrize("name", hg.PRESETS)
def test_describe(name: str) -> None:
    assert _docs.describe(name) == _docs.PRESET_DESCRIPTIONS[name]
    assert _docs.describe("copy", hg.Policy.preset(name)) == f"Same as the {name} preset."
    changed = hg.Policy.preset(name).derive(tags=hg.Policy.preset(name).tags | {"nav"})
    assert _docs.describe(name, changed).startswith("Custom policy allowing")


def test_module_examples() -> None:
    result = doctest.testmod(_docs, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
