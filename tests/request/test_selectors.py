"""Field selectors of the request middleware (htmlguard._request.selectors.FieldRules)."""

from __future__ import annotations

import pytest

import htmlguard as hg
from htmlguard._request.selectors import FieldRules

STRICT = hg.Policy.preset("strict")
BASIC = hg.Policy.preset("basic")
UGC = hg.Policy.preset("ugc")


# ---------------------------------------------------------------- form field names


def test_exact_name_matches_only_that_name() -> None:
    rules = FieldRules({"description": "ugc"}, None)
    assert rules.form("description") == UGC
    for other in ("descriptions", "Description", "xdescription", "description ", ""):
        assert rules.form(other) is None


@pytest.mark.parametrize(
    ("selector", "matching", "not_matching"),
    [
        (
            "comment*",
            ["comment", "comments", "comment.body", "comment[0]"],
            ["Comment", "xcomment"],
        ),
        ("comment.*", ["comment.body", "comment.", "comment.a.b"], ["comment", "commentbody"]),
        # Brackets are literal (PHP/Rails arrays), not an fnmatch character class.
        ("comment[*]", ["comment[0]", "comment[]", "comment[body]"], ["comment*", "comment0"]),
        ("c?de", ["code", "cide"], ["cde", "coode"]),
        ("*", ["anything", "", "a.b[c]"], []),
        ("item[0]", ["item[0]"], ["item0", "item"]),
    ],
)
def test_form_glob_on_whole_name(
    selector: str, matching: list[str], not_matching: list[str]
) -> None:
    rules = FieldRules({selector: "basic"}, None)
    for name in matching:
        assert rules.form(name) == BASIC, name
    for name in not_matching:
        assert rules.form(name) is None, name


def test_form_matching_is_case_sensitive() -> None:
    rules = FieldRules({"Bio": "basic"}, None)
    assert rules.form("Bio") == BASIC
    assert rules.form("bio") is None


def test_non_ascii_names() -> None:
    rules = FieldRules({"café*": "basic", "名前": "strict"}, None)
    assert rules.form("café_au_lait") == BASIC
    assert rules.form("名前") == STRICT
    assert rules.form("cafe") is None


def test_first_match_wins_in_fields_order() -> None:
    rules = FieldRules({"comment.body": "strict", "comment.*": "basic", "*": "ugc"}, None)
    assert rules.form("comment.body") == STRICT
    assert rules.form("comment.title") == BASIC
    assert rules.form("other") == UGC
    reordered = FieldRules({"*": "ugc", "comment.body": "strict"}, None)
    assert reordered.form("comment.body") == UGC


def test_default_policy_covers_unmatched_fields_only() -> None:
    rules = FieldRules({"bio": "strict"}, "basic")
    assert rules.form("bio") == STRICT
    assert rules.form("anything") == BASIC
    assert FieldRules({"bio": "strict"}, None).form("anything") is None
    assert FieldRules(None, "ugc").form("x") == UGC


# ---------------------------------------------------------------- JSON paths


def test_dotted_path_matches_exactly_that_path() -> None:
    rules = FieldRules({"challenge.description": "ugc"}, None)
    assert rules.json(("challenge", "description")) == UGC
    assert rules.json(("description",)) is None
    assert rules.json(("challenge",)) is None
    assert rules.json(("challenge", "description", "x")) is None
    assert rules.json(("other", "description")) is None


def test_star_segment_matches_one_index_or_key() -> None:
    rules = FieldRules({"comments.*.body": "basic"}, None)
    assert rules.json(("comments", "0", "body")) == BASIC
    assert rules.json(("comments", "17", "body")) == BASIC
    assert rules.json(("comments", "by-key", "body")) == BASIC
    assert rules.json(("comments", "body")) is None  # * is exactly one segment
    assert rules.json(("comments", "0", "1", "body")) is None
    assert rules.json(("comments", "0", "title")) is None


def test_trailing_star_selects_array_elements() -> None:
    rules = FieldRules({"tags.*": "strict"}, None)
    assert rules.json(("tags", "0")) == STRICT
    assert rules.json(("tags", "12")) == STRICT
    assert rules.json(("tags",)) is None
    assert rules.json(("tags", "0", "name")) is None


def test_name_without_dots_matches_a_top_level_key_only() -> None:
    rules = FieldRules({"description": "ugc"}, None)
    assert rules.json(("description",)) == UGC
    assert rules.json(("challenge", "description")) is None


def test_glob_inside_a_segment() -> None:
    rules = FieldRules({"c*s.?.b*dy": "basic"}, None)
    assert rules.json(("comments", "3", "body")) == BASIC
    assert rules.json(("cats", "x", "bdy")) == BASIC
    assert rules.json(("comments", "10", "body")) is None  # ? is one character
    assert rules.json(("comments", "3", "title")) is None


def test_json_segment_brackets_are_literal() -> None:
    rules = FieldRules({"a[*].b": "basic"}, None)
    assert rules.json(("a[0]", "b")) == BASIC
    assert rules.json(("a*", "b")) is None


def test_json_first_match_wins_and_default() -> None:
    rules = FieldRules({"a.b": "strict", "a.*": "basic"}, "ugc")
    assert rules.json(("a", "b")) == STRICT
    assert rules.json(("a", "c")) == BASIC
    assert rules.json(("z",)) == UGC
    # A bare top-level string has the empty path: only the default can select it.
    assert rules.json(()) == UGC
    assert FieldRules({"*": "strict"}, None).json(()) is None


def test_repeated_lookups_are_consistent() -> None:
    rules = FieldRules({"a*": "strict"}, "basic")
    for _ in range(3):
        assert rules.form("ab") == STRICT
        assert rules.form("b") == BASIC
        assert rules.json(("ab",)) == STRICT


# ---------------------------------------------------------------- construction


def test_truthiness_says_whether_anything_is_selected() -> None:
    assert not FieldRules(None, None)
    assert not FieldRules({}, None)
    assert FieldRules({"a": "ugc"}, None)
    assert FieldRules(None, "ugc")


def test_policy_objects_and_names_are_accepted() -> None:
    custom = hg.Policy(tags={"b"})
    rules = FieldRules({"a": custom, "b": "strict"}, custom)
    assert rules.form("a") == custom
    assert rules.form("b") == STRICT
    assert rules.default == custom


def test_unknown_policy_name_raises_at_construction() -> None:
    with pytest.raises(hg.UnknownPolicyError):
        FieldRules({"a": "no-such-policy"}, None)
    with pytest.raises(hg.UnknownPolicyError):
        FieldRules(None, "no-such-policy")


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        (["description"], TypeError),  # not a mapping
        ("description", TypeError),
        ({"": "ugc"}, ValueError),
        ({1: "ugc"}, ValueError),
        ({"a": 3}, TypeError),  # not a policy
        ({"a": None}, TypeError),
    ],
)
def test_bad_fields_raise(fields: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        FieldRules(fields, None)  # type: ignore[arg-type]
