"""The differentials' shared fixture check (tests/listed_differences.py) fails both ways: on a
difference that is not listed, on a listed one whose outputs changed, on a listed one that
no longer occurs; and it refuses to write a difference no category explains."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

_TESTS = Path(__file__).resolve().parents[1]
if str(_TESTS) not in sys.path:
    sys.path.insert(0, str(_TESTS))
from listed_differences import Key, Listed  # noqa: E402

ACTUAL: dict[Key, dict[str, str]] = {
    ("defaults", "p1"): {"input": "<x>", "htmlguard": "a", "peer": "b"},
    ("defaults", "p2"): {"input": "<y>", "htmlguard": "c", "peer": "d"},
}
CATEGORIES = {"known": "a reason", "other": "another reason"}


def explain(key: Key, outs: Mapping[str, str]) -> tuple[str | None, str]:
    return ("known,other" if key[1] == "p1" else "known"), "detail"


@pytest.fixture
def listed(tmp_path: Path) -> Listed:
    fixture = Listed(tmp_path / "fixtures" / "peer_differences.json", "peer")
    fixture.write(ACTUAL, explain, CATEGORIES, {"about": "test", "peer_version": "1"})
    return fixture


def test_written_fixture_lists_each_difference_with_its_reasons(listed: Listed) -> None:
    doc = json.loads(listed.path.read_text("utf-8"))
    assert list(doc) == ["about", "peer_version", "categories", "differences"]
    first = doc["differences"][0]
    assert first == {
        "config": "defaults",
        "id": "p1",
        "category": "known,other",
        "justification": "a reason; another reason",
        "htmlguard": "a",
        "peer": "b",
    }
    assert set(listed.load()) == set(ACTUAL)
    assert listed.problems(ACTUAL, explain) == []


def test_an_unlisted_difference_fails(listed: Listed) -> None:
    actual = {**ACTUAL, ("defaults", "p3"): {"htmlguard": "e", "peer": "f"}}
    problems = listed.problems(actual, lambda key, outs: (None, "no idea"))
    assert len(problems) == 1
    assert "unlisted difference ('defaults', 'p3')" in problems[0]
    assert "UNEXPLAINED: no idea" in problems[0]


def test_a_changed_or_vanished_difference_fails(listed: Listed) -> None:
    actual = {("defaults", "p1"): {"htmlguard": "a2", "peer": "b"}}
    problems = listed.problems(actual, explain)
    assert len(problems) == 2
    assert "listed difference ('defaults', 'p1') changed" in problems[0]
    assert "listed difference ('defaults', 'p2') no longer occurs" in problems[1]


def test_a_key_listed_twice_is_refused(listed: Listed) -> None:
    doc = json.loads(listed.path.read_text("utf-8"))
    doc["differences"].append(doc["differences"][0])
    listed.path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(AssertionError, match="listed twice"):
        listed.load()


def test_an_unexplained_difference_is_not_written(tmp_path: Path) -> None:
    fixture = Listed(tmp_path / "policy_differences.json", "nh3", name_field="policy")
    actual = {("ugc", "p1"): {"htmlguard": "a", "nh3": "b"}}
    with pytest.raises(SystemExit, match="ugc p1: why not"):
        fixture.write(actual, lambda key, outs: (None, "why not"), CATEGORIES, {"about": "x"})
    assert not fixture.path.exists()
