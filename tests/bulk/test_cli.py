"""``htmlguard bulk`` end to end, in a subprocess: exit codes, the report, --json."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from bulk_support import UGC, WRITERS, body, write_sqlite

import htmlguard as hg


def htmlguard(*args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(hg.__file__).parent.parent)}
    argv = (
        [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "htmlguard", *args]
    )
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)


def test_file_job_text_report_and_exit_0(tmp_path: Path) -> None:
    src, dest = tmp_path / "in.csv", tmp_path / "out.csv"
    WRITERS["csv"](src, 25)
    done = htmlguard(
        "bulk",
        str(src),
        "--column",
        "body=ugc",
        "--out",
        str(dest),
        "--batch-size",
        "4",
        "--workers",
        "2",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("rows: 25 read, ")
    assert "removed by tag: " in done.stdout and done.stderr == ""  # no bar: not a tty
    assert dest.exists()


def test_failed_rows_exit_1_and_json_report(tmp_path: Path) -> None:
    src, dest = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text('{"body": "<b onclick=x>a</b>"}\n[1]\n{"body": 5}\n')
    done = htmlguard("bulk", str(src), "-c", "body=ugc", "-o", str(dest), "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert (report["rows_read"], report["changed"], report["failed"]) == (3, 1, 2)
    assert sorted(f["key"] for f in report["failures"]) == [2, 3]
    assert report["dry_run"] is False
    # The failed rows are written as they were.
    assert dest.read_text().splitlines()[1:] == ["[1]", '{"body": 5}']


def test_dry_run_shows_samples_and_writes_nothing(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    WRITERS["jsonl"](src, 10)
    done = htmlguard("bulk", str(src), "-c", "body=ugc", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Dry run: nothing was written.")
    assert "would change" in done.stdout and "    - " in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_policy_file_and_sql_source(tmp_path: Path) -> None:
    url = write_sqlite(tmp_path / "db.sqlite", 12)
    policy = tmp_path / "bold.json"
    policy.write_text(json.dumps({"tags": ["b"]}))
    done = htmlguard(
        "bulk", url, "--table", "posts", "-c", "body=bold", "--policy-file", f"bold={policy}",
        "--checkpoint", str(tmp_path / "ck"), "--json", "--progress",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows_read"] == 12
    assert "12/12" in done.stderr  # the forced progress bar
    con = sqlite3.connect(tmp_path / "db.sqlite")
    got = [r[0] for r in con.execute("SELECT body FROM posts ORDER BY id")]
    con.close()
    assert got == [hg.Policy(tags={"b"}).sanitize(body(i)) for i in range(1, 13)]


def test_usage_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    WRITERS["jsonl"](src, 3)
    (tmp_path / "taken.jsonl").write_text("")
    cases = [
        (["bulk", str(src), "-c", "body=nope", "-o", str(tmp_path / "o.jsonl")], "unknown policy"),
        (["bulk", str(src), "-c", "body", "-o", str(tmp_path / "o.jsonl")], "--column"),
        (["bulk", str(src), "-c", "body=ugc", "-o", str(tmp_path / "taken.jsonl")], "exists"),
        (["bulk", str(src), "-c", "body=ugc"], "no destination"),
        (["bulk", "sqlite:///x.db", "-c", "body=ugc"], "--table"),
        (["bulk", str(src), "-c", "body=ugc", "--batch-size", "0", "--dry-run"], "batch-size"),
    ]
    for args, message in cases:
        done = htmlguard(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.startswith("htmlguard: error: ") and message in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1 and done.stdout == ""


BLOCKED = (
    "import sys\n"
    "for m in ('pyarrow', 'sqlalchemy', 'tqdm'): sys.modules[m] = None  # not installed\n"
    "from htmlguard.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def test_help_works_and_jobs_name_the_extra_without_the_bulk_extra(tmp_path: Path) -> None:
    assert htmlguard("--help", code=BLOCKED).returncode == 0
    helped = htmlguard("bulk", "--help", code=BLOCKED)
    assert helped.returncode == 0 and "--dry-run" in helped.stdout
    src = tmp_path / "in.parquet"
    WRITERS["parquet"](src, 3)
    done = htmlguard("bulk", str(src), "-c", "body=ugc", "--dry-run", code=BLOCKED)
    assert done.returncode == 2
    assert "pip install 'htmlguard[bulk]'" in done.stderr
    # JSON Lines needs no extra at all.
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(json.dumps({"body": "<b onclick=x>x</b>"}) + "\n")
    assert (
        htmlguard("bulk", str(jsonl), "-c", "body=ugc", "--dry-run", code=BLOCKED).returncode == 0
    )
    assert UGC.sanitize("<b onclick=x>x</b>") == "<b>x</b>"
