"""Shared data and helpers of the bulk tests (tests/bulk/ is on sys.path via conftest)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

import htmlguard as hg

UGC = hg.Policy.preset("ugc")

HOSTILE = [
    "<p>hi<script>alert(1)</script> there</p>",
    '<a href="javascript:alert(1)" onclick="steal()">link</a>',
    "<img src=x onerror=alert(1)><b>bold</b>",
    "<p>unclosed <b>bold",
    "<p>already <b>clean</b></p>",
    "plain text, é and 😀",
    "",
]


def body(i: int) -> str:
    return HOSTILE[i % len(HOSTILE)] + f" #{i}"


def rows(n: int) -> list[dict[str, Any]]:
    return [{"id": i, "body": body(i), "n": i * 0.5, "tag": f"t{i}"} for i in range(1, n + 1)]


def write_jsonl(path: Path, n: int) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows(n)))


def write_csv(path: Path, n: int) -> None:
    import csv
    import io

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["id", "body", "n", "tag"])
    for r in rows(n):
        w.writerow([r["id"], r["body"], r["n"], r["tag"]])
    path.write_text(out.getvalue(), newline="")


def write_parquet(path: Path, n: int, row_group_size: int = 50) -> None:
    data = rows(n)
    table = pa.table(
        {
            "id": pa.array([r["id"] for r in data], pa.int64()),
            "body": pa.array([r["body"] for r in data], pa.string()),
            "n": pa.array([r["n"] for r in data], pa.float32()),
            "tag": pa.array([r["tag"] for r in data], pa.large_string()),
        }
    )
    pq.write_table(table, path, row_group_size=row_group_size)


def write_sqlite(path: Path, n: int) -> str:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT, n REAL, tag TEXT)")
    con.executemany(
        "INSERT INTO posts VALUES (?, ?, ?, ?)",
        [(r["id"], r["body"], r["n"], r["tag"]) for r in rows(n)],
    )
    con.commit()
    con.close()
    return f"sqlite:///{path}"


WRITERS = {"jsonl": write_jsonl, "csv": write_csv, "parquet": write_parquet}


def read_output(path: Path) -> Any:
    """A file's content in comparable form."""
    if path.suffix == ".parquet":
        return pq.read_table(path)
    return path.read_bytes()
