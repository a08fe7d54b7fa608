"""The option table (``rust/policy/options.rs``, exposed as ``_core.OPTION_TABLE``) against what
else lists the options: the policy's attributes and ``to_dict()``, the type stub and the
README's table."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

import htmlguard as hg
from htmlguard import _core

ROOT = Path(__file__).resolve().parents[2]
NAMES = [name for name, _, _, _ in _core.OPTION_TABLE]
TYPES = {name: type_ for name, type_, _, _ in _core.OPTION_TABLE}

#: How the stub writes each type of the table: (keyword argument, attribute).
STUB_TYPES = {
    "bool": ("bool", "bool"),
    "int or None": ("int | None", "int | None"),
    "str or None": ("str | None", "str | None"),
    "set of str": ("Iterable[str]", "frozenset[str]"),
    "set of str or None": ("Iterable[str] | None", "frozenset[str] | None"),
    "{tag: set of str}": ("Mapping[str, Iterable[str]]", "Mapping[str, frozenset[str]]"),
    "{tag: {attr: set of str}}": (
        "Mapping[str, Mapping[str, Iterable[str]]]",
        "Mapping[str, Mapping[str, frozenset[str]]]",
    ),
    "{tag: {attr: str}}": ("Mapping[str, Mapping[str, str]]", "Mapping[str, Mapping[str, str]]"),
    '"deny", "pass", {"base": URL}, {"root": URL, "path": PATH}': ("_UrlRelative", "_UrlRelative"),
    '"htmlguard", "ammonia" or None': ("_Engine | None", "_Engine | None"),
    '"unwrap", "drop", "escape", "remove"': ("_Disallowed", "_Disallowed"),
}


def test_table_rows() -> None:
    assert tuple(NAMES) == _core.OPTIONS
    assert len(set(NAMES)) == len(NAMES)
    for name, type_, _, doc in _core.OPTION_TABLE:
        assert type_ in STUB_TYPES, (name, type_)
        assert doc and "\n" not in doc, name


def test_defaults_are_the_empty_policys() -> None:
    empty = hg.Policy()
    for name, _, default, _ in _core.OPTION_TABLE:
        value = getattr(empty, name)
        assert value == default and type(value) is type(default), name
    unset = {name for name, _, default, _ in _core.OPTION_TABLE if default is None}
    assert list(empty.to_dict()) == [name for name in NAMES if name not in unset]


def test_attributes_carry_the_docs() -> None:
    for name, _, _, doc in _core.OPTION_TABLE:
        assert getattr(hg.Policy, name).__doc__ == doc, name


def test_unknown_option_lists_the_table() -> None:
    with pytest.raises(hg.PolicyError) as info:
        hg.Policy(colour="red")  # type: ignore[call-arg]
    assert str(info.value) == f'unknown option "colour"; options are: {", ".join(NAMES)}'


def stub_policy() -> ast.ClassDef:
    tree = ast.parse((ROOT / "pysrc" / "htmlguard" / "_core.pyi").read_text(encoding="utf-8"))
    return next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Policy")


def test_stub_keyword_arguments_follow_the_table() -> None:
    new = next(
        n for n in stub_policy().body if isinstance(n, ast.FunctionDef) and n.name == "__new__"
    )
    assert [a.arg for a in new.args.kwonlyargs] == NAMES
    assert new.args.args[1:] == [] and new.args.kwarg is None
    for arg in new.args.kwonlyargs:
        assert arg.annotation is not None
        assert ast.unparse(arg.annotation) == STUB_TYPES[TYPES[arg.arg]][0], arg.arg


def test_stub_attributes_follow_the_table() -> None:
    properties = {
        n.name: n.returns
        for n in stub_policy().body
        if isinstance(n, ast.FunctionDef)
        and any(isinstance(d, ast.Name) and d.id == "property" for d in n.decorator_list)
    }
    assert list(properties) == NAMES
    for name, returns in properties.items():
        assert returns is not None
        assert ast.unparse(returns) == STUB_TYPES[TYPES[name]][1], name


def readme_rows() -> list[list[str]]:
    """The cells of each row of the README's ``### Options`` table."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n### Options\n", 1)[1].split("\n#", 1)[0]
    return [line[2:-2].split(" | ") for line in section.splitlines() if line.startswith("| `")]


def readme_default(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return f'"{value}"'
    if len(value) == 0:
        return "empty"
    assert not isinstance(value, dict), value
    return "{" + ", ".join(f'"{v}"' for v in sorted(value)) + "}"


def test_readme_table_follows_the_table() -> None:
    rows = readme_rows()
    assert [row[0] for row in rows] == [f"`{name}`" for name in NAMES]
    for row, (name, type_, default, doc) in zip(rows, _core.OPTION_TABLE, strict=True):
        assert len(row) == 4, row
        _, cell_type, cell_default, meaning = row
        assert cell_type.replace("`", "") == type_, name
        assert cell_default.replace("`", "") == readme_default(default), name
        assert meaning == doc, name


# ---------------------------------------------------------------- bluemonday's builder options
# (tag_patterns, url_scheme_patterns, iframe_sandbox, space_when_stripping): what each keeps,
# what it can never admit, on both engines.


def both_engines(**options: Any) -> list[hg.Policy]:
    return [hg.Policy(**options, engine=e) for e in ("htmlguard", "ammonia")]


def test_tag_patterns_keep_elements_by_name_never_script_or_style() -> None:
    for p in both_engines(
        tags={"b"},
        tag_patterns={"^x-": {"title"}, "^(scr|sty)": set()},
        clean_content_tags={"x-gone"},
    ):
        html = (
            "<x-card title=t onclick=x() class=c>a</x-card><x-gone>g</x-gone>"
            "<script>alert(1)</script><style>b{}</style><b title=t>b</b>"
        )
        assert p.sanitize(html) == '<x-card title="t">a</x-card>alert(1)b{}<b>b</b>'
        assert p.tag_patterns == {"^x-": frozenset({"title"}), "^(scr|sty)": frozenset()}
        assert hg.Policy.from_dict(p.to_dict()) == p
    with pytest.raises(hg.PolicyError, match="^tag_patterns: .*event-handler"):
        hg.Policy(tag_patterns={"^x-": {"onclick"}})
    with pytest.raises(hg.PolicyError, match="^tag_patterns: .*regular expression"):
        hg.Policy(tag_patterns={"(": set()})
    with pytest.raises(hg.PolicyError, match="^link_rel/tag_patterns"):
        hg.Policy(tags={"a"}, link_rel="nofollow", tag_patterns={"^a$": {"rel"}})


def test_url_scheme_patterns_never_admit_script_or_data() -> None:
    for p in both_engines(
        tags={"a"}, tag_attributes={"a": {"href"}}, url_scheme_patterns={"^web\\+", "."}
    ):
        out = p.sanitize(
            '<a href="web+app:x">1</a><a href="javascript:alert(1)">2</a>'
            '<a href="VBScript:x">3</a><a href="data:text/html,x">4</a><a href="/r">5</a>'
        )
        assert out == '<a href="web+app:x">1</a><a>2</a><a>3</a><a>4</a><a>5</a>'
    # data: only by name.
    p = hg.Policy(
        tags={"img"},
        tag_attributes={"img": {"src"}},
        url_schemes={"data"},
        url_scheme_patterns={"."},
    )
    assert p.sanitize('<img src="data:image/png;base64,AA==">') == (
        '<img src="data:image/png;base64,AA==">'
    )
    with pytest.raises(hg.PolicyError, match="^url_scheme_patterns: "):
        hg.Policy(url_scheme_patterns={"["})


def test_iframe_sandbox_filters_tokens_and_is_always_there() -> None:
    for p in both_engines(
        tags={"iframe"},
        tag_attributes={"iframe": {"sandbox"}},
        iframe_sandbox={"allow-forms", "allow-popups"},
    ):
        html = (
            '<iframe sandbox="allow-scripts allow-forms allow-same-origin"></iframe>'
            "<iframe></iframe>"
        )
        assert p.sanitize(html) == (
            '<iframe sandbox="allow-forms"></iframe><iframe sandbox=""></iframe>'
        )
        report = p.inspect(html)
        assert [(r.kind, r.tag, r.name) for r in report.removed] == [
            ("attribute", "iframe", "sandbox")
        ]
    assert hg.Policy(tags={"iframe"}, iframe_sandbox=()).sanitize("<iframe></iframe>") == (
        '<iframe sandbox=""></iframe>'
    )
    with pytest.raises(hg.PolicyError, match="^iframe_sandbox: .*not a sandbox token"):
        hg.Policy(iframe_sandbox={"allow-anything"})
    with pytest.raises(hg.PolicyError, match="^iframe_sandbox/set_tag_attribute_values"):
        hg.Policy(
            tags={"iframe"},
            iframe_sandbox=set(),
            set_tag_attribute_values={"iframe": {"sandbox": ""}},
        )


def test_space_when_stripping() -> None:
    for p in both_engines(tags={"p"}, clean_content_tags={"script"}, space_when_stripping=True):
        assert p.sanitize("<div>Hello</div><div>World</div><script>x</script>!") == (
            " Hello  World   !"
        )
        assert p.sanitize("<p>a<br>b</p>") == "<p>a b</p>"
    assert hg.Policy(tags={"p"}).sanitize("<div>Hello</div><div>World</div>") == "HelloWorld"


def test_bare_tags_unwrap_elements_left_without_attributes() -> None:
    for p in both_engines(
        tags={"a", "b", "p"},
        tag_attributes={"a": {"href"}},
        url_schemes={"https"},
        link_rel="nofollow",
        bare_tags={"b", "p"},
    ):
        html = '<a href="javascript:x">1</a><a href="https://x.org/">2</a><b>3</b><p id=x>4</p>'
        assert p.sanitize(html) == (
            '1<a href="https://x.org/" rel="nofollow">2</a><b>3</b><p>4</p>'
        )
        assert str(p.inspect("<a>x</a>")) == "removed 1 tag (<a>)"
    assert hg.Policy(tags={"a"}).sanitize("<a>x</a>") == "<a>x</a>"  # None: all may be bare
    with pytest.raises(hg.PolicyError, match="^bare_tags: "):
        hg.Policy(bare_tags={"a b"})
