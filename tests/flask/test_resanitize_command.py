"""``flask htmlguard resanitize``: the bulk SQL job on the app's database (SQLite)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from flask import Flask

import htmlguard as hg
from htmlguard.flask import HTMLGuard

ROWS = {1: "<b onclick=x>a</b>", 2: "<i>clean</i>", 3: None, 4: "<script>1</script>bio"}


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.chdir(tmp_path)  # the default checkpoint goes to the current directory
    db = tmp_path / "app.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT)")
    con.executemany("INSERT INTO posts VALUES (?, ?)", list(ROWS.items()))
    con.commit()
    con.close()
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db}"
    app.config["HTMLGUARD_POLICIES"] = {"bold": {"tags": ["b"]}}
    HTMLGuard(app)
    return app


def bodies(app: Flask) -> dict[int, str | None]:
    con = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    found = dict(con.execute("SELECT id, body FROM posts"))
    con.close()
    return found


def test_resanitize_with_an_app_policy(app: Flask, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(
        args=["htmlguard", "resanitize", "--table", "posts", "-c", "body=bold", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["rows_read"], report["changed"], report["nulls"]) == (4, 3, 1)
    bold = hg.Policy(tags={"b"})
    assert bodies(app) == {k: None if v is None else bold.sanitize(v) for k, v in ROWS.items()}
    assert list(tmp_path.glob("*.htmlguard-checkpoint")) == []


def test_dry_run_and_text_report(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["htmlguard", "resanitize", "--table", "posts", "-c", "body=ugc", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Dry run: nothing was written.")
    assert "2 would change" in result.output
    assert bodies(app) == ROWS


def test_errors_exit_2_and_failed_rows_exit_1(app: Flask) -> None:
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["htmlguard", "resanitize", "--table", "posts", "-c", "body=x"])
    assert unknown.exit_code == 2 and "unknown policy" in unknown.output
    missing = runner.invoke(args=["htmlguard", "resanitize", "--table", "nope", "-c", "body=ugc"])
    assert missing.exit_code == 2 and "no table 'nope'" in missing.output
    app.config["HTMLGUARD_POLICIES"] = {"tiny": {"tags": ["b"], "max_input_bytes": 10}}
    HTMLGuard(app)
    failed = runner.invoke(args=["htmlguard", "resanitize", "--table", "posts", "-c", "body=tiny"])
    assert failed.exit_code == 1, failed.output
    assert "failed rows:" in failed.output and "InputTooLargeError" in failed.output
