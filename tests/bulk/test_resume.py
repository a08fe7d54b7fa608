"""Resumption: a job killed (SIGKILL) at a random batch, then run again, gives the same data
as an uninterrupted run, for every sink; DEST is never half-written."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from bulk_support import UGC, WRITERS, body, read_output, rows, write_sqlite

import htmlguard as hg

REPO = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).resolve().parent / "kill_driver.py"
N, BATCH = 230, 20  # 12 batches
BATCHES = -(-N // BATCH)


def env() -> dict[str, str]:
    # The htmlguard under test: the installed wheel in CI, pysrc/ with its built core here.
    here = str(Path(hg.__file__).parent.parent)
    return {**os.environ, "PYTHONPATH": os.pathsep.join([here, str(REPO / "tests")])}


def drive(job: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(DRIVER), json.dumps(job)], capture_output=True, text=True, env=env()
    )


def run_killed_then_resumed(job: dict[str, Any], kill_at: int, point: str) -> dict[str, Any]:
    killed = drive({**job, "kill_at": kill_at, "point": point})
    assert killed.returncode == -9, killed.stderr
    done = drive({**job, "kill_at": 0, "point": point})
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


@pytest.mark.parametrize("point", ["sanitize", "checkpoint"])
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_file_job_killed_and_resumed_equals_uninterrupted(
    tmp_path: Path, fmt: str, point: str
) -> None:
    src = tmp_path / f"in.{fmt}"
    WRITERS[fmt](src, N)
    reference = tmp_path / f"reference.{fmt}"
    plain = drive(
        {
            "source": str(src),
            "dest": str(reference),
            "batch_size": BATCH,
            "kill_at": 0,
            "point": point,
        }
    )
    assert plain.returncode == 0, plain.stderr

    dest = tmp_path / f"out.{fmt}"
    kill_at = random.Random(f"{fmt}{point}").randint(2, BATCHES - 1)
    killed = drive(
        {
            "source": str(src),
            "dest": str(dest),
            "batch_size": BATCH,
            "kill_at": kill_at,
            "point": point,
        }
    )
    assert killed.returncode == -9, killed.stderr
    assert not dest.exists()  # never half-written: absent until the final rename
    assert (tmp_path / f"out.{fmt}.htmlguard-checkpoint").exists()

    done = drive(
        {"source": str(src), "dest": str(dest), "batch_size": BATCH, "kill_at": 0, "point": point}
    )
    assert done.returncode == 0, done.stderr
    assert read_output(dest) == read_output(reference)
    report = json.loads(done.stdout)
    assert report == json.loads(plain.stdout)  # the report counts every row once
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [src.name, reference.name, dest.name]
    )


def table_rows(url: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            return [tuple(r) for r in c.execute(sa.text("SELECT * FROM posts ORDER BY id"))]
    finally:
        engine.dispose()


def load_pg(url: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as c:
            c.execute(sa.text("DROP TABLE IF EXISTS posts"))
            c.execute(
                sa.text("CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT, n REAL, tag TEXT)")
            )
            c.execute(sa.text("INSERT INTO posts VALUES (:id, :body, :n, :tag)"), rows(N))
    finally:
        engine.dispose()


@pytest.mark.parametrize("point", ["sanitize", "checkpoint"])
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_sql_job_killed_and_resumed_equals_uninterrupted(
    tmp_path: Path, database: str, point: str, request: pytest.FixtureRequest
) -> None:
    def fresh(name: str) -> str:
        if database == "sqlite":
            return write_sqlite(tmp_path / f"{name}.sqlite", N)
        pg = request.getfixturevalue("pg")
        url: str = pg.make_url(driver="psycopg")
        load_pg(url)
        return url

    reference_url = fresh("reference")
    ckpt = str(tmp_path / "posts.ckpt")
    job = {"source": reference_url, "table": "posts", "batch_size": BATCH, "checkpoint": ckpt}
    assert drive({**job, "kill_at": 0, "point": point}).returncode == 0
    reference = table_rows(reference_url)

    url = fresh("killed")
    kill_at = random.Random(f"{database}{point}").randint(2, BATCHES - 1)
    report = run_killed_then_resumed({**job, "source": url}, kill_at, point)
    assert table_rows(url) == reference
    assert report["rows_read"] == N and report["failed"] == 0
    assert not Path(ckpt).exists()


def test_cli_killed_from_outside_and_run_again(tmp_path: Path) -> None:
    """The command itself, SIGKILLed once its checkpoint shows a committed batch."""
    src, dest = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    WRITERS["jsonl"](src, 3000)
    args = [
        sys.executable,
        "-m",
        "htmlguard",
        "bulk",
        str(src),
        "-c",
        "body=ugc",
        "--out",
        str(dest),
        "--batch-size",
        "10",
    ]
    proc = subprocess.Popen(args, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ckpt = tmp_path / "out.jsonl.htmlguard-checkpoint"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if json.loads(ckpt.read_bytes())["position"] > 0:
                break
        except (OSError, ValueError):
            pass
        time.sleep(0.005)
    proc.kill()
    proc.wait()
    again = subprocess.run(args + ["--json"], env=env(), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert [json.loads(x)["body"] for x in dest.read_text().splitlines()] == [
        UGC.sanitize(body(i)) for i in range(1, 3001)
    ]
    assert json.loads(again.stdout)["rows_read"] == 3000


def test_in_place_job_killed_leaves_the_source_whole_then_finishes(tmp_path: Path) -> None:
    src = tmp_path / "in.parquet"
    WRITERS["parquet"](src, N)
    original = src.read_bytes()
    job = {"source": str(src), "in_place": True, "batch_size": BATCH, "point": "checkpoint"}
    killed = drive({**job, "kill_at": random.Random("in place").randint(2, BATCHES - 1)})
    assert killed.returncode == -9, killed.stderr
    assert src.read_bytes() == original
    done = drive({**job, "kill_at": 0})
    assert done.returncode == 0, done.stderr
    assert pq.read_table(src).column("body").to_pylist() == [
        UGC.sanitize(body(i)) for i in range(1, N + 1)
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet"]
