"""Markdown descriptions of policies, and the generator of ``docs/presets.md``.

``docs/presets.md`` is exactly :func:`presets_document`; the tests regenerate it and
compare, so the documentation cannot drift from the presets. After changing a preset,
rewrite it with::

    python -c "from htmlguard import _docs; _docs.write_presets_document('docs/presets.md')"

>>> import htmlguard as hg
>>> tiny = hg.Policy(tags={"b", "a"}, tag_attributes={"a": {"href"}}, url_schemes={"https"})
>>> print(policy_markdown(tiny, "tiny"))
## tiny
<BLANKLINE>
| Element | Attributes |
| --- | --- |
| `a` | `href` |
| `b` | — |
<BLANKLINE>
- Global attributes: none.
- URL schemes: `https`.
- Relative URLs: removed.
- Link rel: none added.
- Removed with their content: none (other disallowed elements are removed, their text kept).
- Comments: removed.
<BLANKLINE>
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import htmlguard as hg
from htmlguard import _core

__all__ = [
    "PRESET_DESCRIPTIONS",
    "PRESETS_INTRO",
    "describe",
    "policy_markdown",
    "presets_document",
    "presets_markdown",
    "write_presets_document",
]

#: One sentence per preset, shown under its heading and by ``htmlguard policies``.
PRESET_DESCRIPTIONS: Mapping[str, str] = {
    "strict": (
        "Text only: every tag is removed and its text kept, while `script`, `style` and "
        "similar elements are dropped together with their content."
    ),
    "basic": (
        "Inline formatting (bold, italics, code, quotes, sub- and superscript, …) and "
        "links to http, https, mailto and relative URLs."
    ),
    "ugc": (
        "bluemonday's UGCPolicy allowlist as far as ammonia can express it (headings, "
        "lists, tables, images, links and inline formatting), with "
        '`rel="nofollow noopener noreferrer"` on links and ids prefixed with '
        "`user-content-`."
    ),
    "relaxed": (
        "ugc plus code-highlighting classes on `code`, `pre`, `span` and `div`, the `kbd` "
        "and `center` elements, and a filtered subset of inline `style`."
    ),
}

#: The start of ``docs/presets.md``, before the generated sections.
PRESETS_INTRO = """\
# Presets

htmlguard ships four presets, from strictest to most permissive:
{names}. Use one by name (`hg.sanitize(html, "ugc")`,
`htmlguard sanitize --policy ugc`) or start from one with
`Policy.preset(name).derive(...)`.

Each section lists every allowed element with the attributes it may keep; an attribute
followed by a pattern is kept only when its whole value matches that regular
expression. Elements not listed are removed and their text is kept, except the ones
removed with their content.

This file is generated from the presets by `htmlguard._docs.presets_document()` and
checked by the tests; `htmlguard policies NAME` prints the same section for any
registered policy.
"""


def _code(text: str) -> str:
    """``text`` as a Markdown code span, whatever backticks it contains."""
    runs = [len(m) for m in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _codes(items: Iterable[str]) -> str:
    return ", ".join(_code(i) for i in sorted(items))


def _cell(text: str) -> str:
    """Escape ``text`` for a GFM table cell (``|`` must be escaped even in code spans)."""
    return text.replace("|", "\\|").replace("\n", " ")


def _patterns(policy: _core.Policy, tag: str, attr: str) -> list[str]:
    """The patterns a value of ``tag``'s ``attr`` must match (tag-specific, then global)."""
    found: list[str] = []
    for key in (tag, "*"):
        pattern = policy.attribute_patterns.get(key, {}).get(attr)
        if pattern is not None:
            found.append(pattern)
    return found


def _with_patterns(name: str, patterns: list[str]) -> str:
    if not patterns:
        return _code(name)
    return f"{_code(name)} ({' and '.join(_code(p) for p in patterns)})"


def _tag_attributes(policy: _core.Policy, tag: str) -> str:
    parts: list[str] = []
    values = policy.tag_attribute_values.get(tag, {})
    for attr in sorted(policy.tag_attributes.get(tag, frozenset())):
        parts.append(_with_patterns(attr, _patterns(policy, tag, attr)))
    for attr in sorted(values):
        parts.append(f"{_code(attr)} (one of {_codes(values[attr])})")
    classes = policy.allowed_classes.get(tag)
    if classes:
        parts.append(f"{_code('class')} (classes {_codes(classes)})")
    for attr, value in sorted(policy.set_tag_attribute_values.get(tag, {}).items()):
        parts.append(f"{_code(attr)} always set to {_code(value)}")
    if policy.generic_attributes or policy.generic_attribute_prefixes:
        # Patterns this tag adds to global attributes are shown here, next to the tag.
        narrowed = [
            _with_patterns(attr, [policy.attribute_patterns[tag][attr]])
            for attr in sorted(policy.attribute_patterns.get(tag, {}))
            if attr in policy.generic_attributes
            and attr not in policy.tag_attributes.get(tag, frozenset())
        ]
        note = "global attributes"
        if narrowed:
            note += f" (here {', '.join(narrowed)})"
        parts.append(f"plus {note}" if parts else f"{note} only")
    return _cell(", ".join(parts) if parts else "—")


def _global_line(policy: _core.Policy) -> str:
    everywhere = policy.attribute_patterns.get("*", {})
    parts = [
        _with_patterns(attr, [everywhere[attr]] if attr in everywhere else [])
        for attr in sorted(policy.generic_attributes)
    ]
    parts.extend(
        f"any attribute starting with {_code(prefix)}"
        for prefix in sorted(policy.generic_attribute_prefixes)
    )
    if not parts:
        return "Global attributes: none."
    return f"Global attributes (on every allowed element): {', '.join(parts)}."


def _url_relative_line(policy: _core.Policy) -> str:
    rel = policy.url_relative
    if isinstance(rel, str):
        text = {"deny": "removed", "pass": "kept unchanged"}.get(rel, _code(rel))
    elif set(rel) == {"base"}:
        text = f"resolved against {_code(rel['base'])}"
    elif set(rel) == {"root", "path"}:
        text = (
            f"absolute paths resolved under {_code(rel['root'])}, relative paths under "
            f"{_code(rel['root'])} + {_code(rel['path'])}"
        )
    else:
        text = _code(repr(dict(rel)))
    return f"Relative URLs: {text}."


def _style_line(policy: _core.Policy) -> str | None:
    props = policy.filter_style_properties
    if props is not None:
        if not props:
            return "Style properties: none (every declaration is removed from `style`)."
        return f"Style properties (all others are removed from `style`): {_codes(props)}."
    style_allowed = "style" in policy.generic_attributes or any(
        "style" in attrs for attrs in policy.tag_attributes.values()
    )
    if style_allowed:
        return "Style properties: not filtered (`style` values are kept as written)."
    return None


def policy_markdown(policy: _core.Policy, title: str, description: str | None = None) -> str:
    """A Markdown section describing what ``policy`` allows, headed ``## title``.

    ``description``, when given, is a paragraph placed under the heading. The result ends
    with one newline.
    """
    lines = [f"## {title}", ""]
    if description:
        lines += [description, ""]
    tags = sorted(policy.tags)
    if tags:
        lines += ["| Element | Attributes |", "| --- | --- |"]
        lines += [f"| {_cell(_code(tag))} | {_tag_attributes(policy, tag)} |" for tag in tags]
    else:
        lines.append("No elements are allowed: tags are removed and their text kept.")
    lines.append("")

    facts = [_global_line(policy)]
    schemes = policy.url_schemes
    facts.append(
        f"URL schemes: {_codes(schemes)}."
        if schemes
        else "URL schemes: none (absolute URLs are removed)."
    )
    facts.append(_url_relative_line(policy))
    rel = policy.link_rel
    if rel:
        rel_attr = _code('rel="' + rel + '"')
        facts.append(f"Link rel: {rel_attr} is set on every `a` element.")
    else:
        facts.append("Link rel: none added.")
    if policy.target_blank:
        facts.append('Links: `target="_blank"` is added to links.')
    if policy.id_prefix:
        facts.append(f"Ids: prefixed with {_code(policy.id_prefix)}.")
    content = policy.clean_content_tags
    facts.append(
        f"Removed with their content: {_codes(content)}."
        if content
        else "Removed with their content: none (other disallowed elements are removed, "
        "their text kept)."
    )
    style = _style_line(policy)
    if style is not None:
        facts.append(style)
    facts.append(f"Comments: {'removed' if policy.strip_comments else 'kept'}.")
    if policy.max_input_bytes is not None:
        facts.append(f"Largest input: {policy.max_input_bytes} bytes.")
    lines += [f"- {fact}" for fact in facts]
    return "\n".join(lines) + "\n"


def presets_markdown() -> str:
    """One :func:`policy_markdown` section per preset, in ``hg.PRESETS`` order."""
    return "\n".join(
        policy_markdown(hg.Policy.preset(name), name, PRESET_DESCRIPTIONS.get(name))
        for name in hg.PRESETS
    )


def presets_document() -> str:
    """The full text of ``docs/presets.md``."""
    names = ", ".join(_code(name) for name in hg.PRESETS)
    return PRESETS_INTRO.format(names=names) + "\n" + presets_markdown()


def write_presets_document(path: str) -> None:
    """Write :func:`presets_document` to ``path`` (UTF-8, ``\\n`` line endings)."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(presets_document())


def describe(name: str, policy: _core.Policy | None = None) -> str:
    """A one-line description of the policy registered (or to be registered) as ``name``."""
    if name in PRESET_DESCRIPTIONS and (policy is None or policy == hg.Policy.preset(name)):
        return PRESET_DESCRIPTIONS[name]
    if policy is None:
        policy = hg.policies[name]
    for preset in hg.PRESETS:
        if policy == hg.Policy.preset(preset):
            return f"Same as the {preset} preset."
    n = len(policy.tags)
    return f"Custom policy allowing {n} element{'s' if n != 1 else ''}."
