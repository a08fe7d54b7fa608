"""File jobs: JSON Lines, CSV and Parquet sources and sinks, bad rows, dry runs, destinations."""

from __future__ import annotations

import csv
import fcntl
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bulk_support import UGC, WRITERS, body, rows

import htmlguard as hg
from htmlguard.bulk.checkpoint import Checkpoint, fingerprint
from htmlguard.bulk.errors import BulkError, CheckpointError
from htmlguard.bulk.files import checkpoint_path, run_file

STRICT = hg.Policy.preset("strict")


def helper_files(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir() if "htmlguard-" in p.name)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_chosen_column_sanitized_others_untouched(tmp_path: Path, fmt: str) -> None:
    src, dest = tmp_path / f"in.{fmt}", tmp_path / f"out.{fmt}"
    WRITERS[fmt](src, 40)
    report = run_file(src, dest, {"body": UGC}, batch_size=7)
    assert report.rows_read == 40 and report.failed == 0
    assert report.changed == sum(UGC.sanitize(body(i)) != body(i) for i in range(1, 41))
    if fmt == "parquet":
        before, after = pq.read_table(src), pq.read_table(dest)
        assert after.schema == before.schema  # types (float32, large_string) kept
        for name in ("id", "n", "tag"):
            assert after.column(name) == before.column(name)
        bodies = after.column("body").to_pylist()
    elif fmt == "jsonl":
        out = [json.loads(line) for line in dest.read_text().splitlines()]
        assert [{k: v for k, v in r.items() if k != "body"} for r in out] == [
            {k: v for k, v in r.items() if k != "body"} for r in rows(40)
        ]
        bodies = [r["body"] for r in out]
    else:
        with open(dest, newline="") as f:
            out_rows = list(csv.reader(f))
        assert out_rows[0] == ["id", "body", "n", "tag"]
        assert [r[0] for r in out_rows[1:]] == [str(i) for i in range(1, 41)]
        bodies = [r[1] for r in out_rows[1:]]
    assert bodies == [UGC.sanitize(body(i)) for i in range(1, 41)]
    assert helper_files(tmp_path) == []


def test_jsonl_unchanged_lines_kept_byte_for_byte_and_bad_lines_reported(tmp_path: Path) -> None:
    src, dest = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    lines = [
        b'{"id": 1,   "body": "clean", "extra": {"deep": [1, 2.50]}}\r\n',  # unchanged: as is
        b'{"id": 2, "body": "<b onclick=x>a</b>", "other": "\\u00e9", "big": 1234567890123456789}'
        b"\n",
        b"\n",  # blank: kept, not a row
        b"[1, 2]\n",  # not an object
        b'{"id": 5, "body": "x", "body": "<script>y</script>"}\n',  # a key twice
        b'{"id": 6, "body": "<i>\xff</i>"}\n',  # invalid UTF-8
        b'{"id": 7, "body": 1e999}\n',  # too large for a double
        b"{not json\n",
        b'{"id": 9, "body": null, "x": 1}\n',
        b'{"id": 10}\n',  # the chosen field missing: like NULL
        b'{"id": 11, "body": 3}',  # a number; no newline at the end
    ]
    src.write_bytes(b"".join(lines))
    report = run_file(src, dest, {"body": UGC}, batch_size=3, key="id")
    out = dest.read_bytes().split(b"\n")
    expected = b"".join(lines).split(b"\n")
    assert len(out) == len(expected)
    changed = json.loads(out[1])
    assert changed == {
        "id": 2,
        "body": "<b>a</b>",
        "other": "é",
        "big": 1234567890123456789,
    }
    for i in (0, 2, 3, 4, 5, 6, 7, 8, 9, 10):
        assert out[i] == expected[i], i
    assert (report.rows_read, report.changed, report.unchanged, report.failed) == (10, 1, 3, 6)
    assert report.nulls == 2
    errors = {f.key: f.error for f in report.failures}
    assert "not an object" in errors[4] and "appears twice" in errors[5]
    assert "invalid UTF-8" in errors[6] and "too large" in errors[7]
    assert "invalid JSON" in errors[8] and "got int" in errors[11]


def test_csv_invalid_utf8_and_short_records(tmp_path: Path) -> None:
    src, dest = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_bytes(
        b"id,body,note\n"
        b'1,"<b onclick=1>a</b>",\xff\xfe keep\n'  # changed; invalid bytes elsewhere kept
        b'2,"<i>multi\nline</i>",y\n'
        b"3,\xffbad<script>x</script>,z\n"  # invalid UTF-8 in the chosen column: fails
        b"4\n"  # too short
        b'5,"""quoted"" <b>x</b>",  spaced  \n'
    )
    report = run_file(src, dest, {"body": UGC}, batch_size=2)
    assert dest.read_bytes() == (
        b"id,body,note\n"
        b"1,<b>a</b>,\xff\xfe keep\n"
        b'2,"<i>multi\nline</i>",y\n'
        b"3,\xffbad<script>x</script>,z\n"
        b"4\n"
        b'5,"""quoted"" <b>x</b>",  spaced  \n'
    )
    assert (report.rows_read, report.changed, report.unchanged, report.failed) == (5, 1, 2, 2)
    assert {f.key for f in report.failures} == {3, 4}


def test_csv_header_and_columns_checked(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("a,b\n1,2\n")
    with pytest.raises(BulkError, match="no column 'body'"):
        run_file(src, tmp_path / "o.csv", {"body": UGC})
    src.write_text("")
    with pytest.raises(BulkError, match="header"):
        run_file(src, tmp_path / "o.csv", {"body": UGC})


def test_parquet_non_string_column_fails_rows_and_keeps_type(tmp_path: Path) -> None:
    src, dest = tmp_path / "in.parquet", tmp_path / "out.parquet"
    table = pa.table(
        {
            "body": pa.array(["<b onclick=1>x</b>", None, "ok"]),
            "num": pa.array([1, 2, None], pa.int16()),
        }
    )
    pq.write_table(table, src)
    report = run_file(src, dest, {"body": UGC, "num": UGC})
    out = pq.read_table(dest)
    assert out.schema == table.schema
    assert out.column("body").to_pylist() == ["<b>x</b>", None, "ok"]
    assert out.column("num").to_pylist() == [1, 2, None]
    assert report.failed == 2 and report.nulls == 2


def test_dry_run_writes_nothing_and_keeps_samples(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    WRITERS["jsonl"](src, 30)
    before = sorted(tmp_path.iterdir())
    report = run_file(src, tmp_path / "out.jsonl", {"body": UGC}, dry_run=True, batch_size=4)
    assert sorted(tmp_path.iterdir()) == before
    assert report.changed > 0 and report.samples
    s = report.samples[0]
    assert s.after == UGC.sanitize(s.before) != s.before


def test_destination_rules(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    WRITERS["jsonl"](src, 5)
    (tmp_path / "taken.jsonl").write_text("mine\n")
    with pytest.raises(BulkError, match="exists"):
        run_file(src, tmp_path / "taken.jsonl", {"body": UGC})
    assert (tmp_path / "taken.jsonl").read_text() == "mine\n"
    with pytest.raises(BulkError, match="in place"):
        run_file(src, src, {"body": UGC})
    with pytest.raises(BulkError, match="no destination"):
        run_file(src, None, {"body": UGC})
    with pytest.raises(BulkError, match="format"):
        run_file(tmp_path / "in.txt", tmp_path / "o", {"body": UGC})


def test_in_place_replaces_the_source(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    WRITERS["jsonl"](src, 12)
    run_file(src, None, {"body": UGC}, in_place=True, batch_size=5)
    assert [json.loads(x)["body"] for x in src.read_text().splitlines()] == [
        UGC.sanitize(body(i)) for i in range(1, 13)
    ]
    assert helper_files(tmp_path) == []


def test_a_checkpoint_of_another_job_is_refused(tmp_path: Path) -> None:
    src, dest = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    WRITERS["jsonl"](src, 12)

    class Stop(Exception):
        pass

    def stop_after_one(done: int, total: int, unit: str, report: object) -> None:
        raise Stop

    with pytest.raises(Stop):
        run_file(src, dest, {"body": UGC}, batch_size=5, progress=stop_after_one)
    assert not dest.exists()
    assert helper_files(tmp_path) == [
        "out.jsonl.htmlguard-checkpoint",
        "out.jsonl.htmlguard-partial",
    ]
    with pytest.raises(CheckpointError, match="another job"):
        run_file(src, dest, {"body": STRICT}, batch_size=5)
    # The same job continues, whatever the batch size.
    report = run_file(src, dest, {"body": UGC}, batch_size=3)
    assert report.rows_read == 12
    assert [json.loads(x)["body"] for x in dest.read_text().splitlines()] == [
        UGC.sanitize(body(i)) for i in range(1, 13)
    ]
    assert helper_files(tmp_path) == []


def test_a_second_run_of_a_job_in_progress_is_refused(tmp_path: Path) -> None:
    src, dest = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    WRITERS["jsonl"](src, 5)
    with open(tmp_path / "out.jsonl.htmlguard-partial", "wb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # as the run in progress holds it
        with pytest.raises(BulkError, match="another run"):
            run_file(src, dest, {"body": UGC})
    run_file(src, dest, {"body": UGC})
    assert len(dest.read_text().splitlines()) == 5


def test_jsonl_numbers_a_double_cannot_hold_fail_their_line(tmp_path: Path) -> None:
    src, dest = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    lines = [
        b'{"body": "<b onclick=x>a</b>", "x": 1.50, "y": 1e5}\n',  # the same numbers
        b'{"body": "<b onclick=x>a</b>", "x": 0.10000000000000000001}\n',
    ]
    src.write_bytes(b"".join(lines))
    report = run_file(src, dest, {"body": UGC})
    first, second = dest.read_bytes().splitlines(keepends=True)
    assert json.loads(first) == {"body": "<b>a</b>", "x": 1.5, "y": 100000.0}
    assert second == lines[1]
    assert report.failed == 1 and "more digits" in report.failures[0].error


def test_parquet_dictionary_and_large_string_columns_keep_their_types(tmp_path: Path) -> None:
    src, dest = tmp_path / "in.parquet", tmp_path / "out.parquet"
    values = ["<b onclick=1>x</b>", "y", None, "<b onclick=1>x</b>"]
    table = pa.table(
        {
            "d": pa.array(values).dictionary_encode(),
            "l": pa.array(values, pa.large_string()),
        }
    )
    pq.write_table(table, src)
    report = run_file(src, dest, {"d": UGC, "l": UGC}, batch_size=3)
    out = pq.read_table(dest)
    assert out.schema == table.schema
    clean = ["<b>x</b>", "y", None, "<b>x</b>"]
    assert out.column("d").to_pylist() == out.column("l").to_pylist() == clean
    assert (report.changed, report.nulls) == (2, 2)


def test_a_run_stopped_after_its_rename_is_finished_by_the_next(tmp_path: Path) -> None:
    """Killed between renaming DEST into place and removing its checkpoint: the next run
    removes the checkpoint and returns the job's report, rewriting nothing."""
    src, dest = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    WRITERS["jsonl"](src, 6)
    first = run_file(src, dest, {"body": UGC})
    written = dest.read_bytes()
    Checkpoint(fingerprint({}), 0, 6, len(written), first, {}).save(checkpoint_path(dest))
    assert run_file(src, dest, {"body": UGC}) == first
    assert dest.read_bytes() == written and helper_files(tmp_path) == []
    with pytest.raises(BulkError, match="exists"):  # and after that, DEST is just taken
        run_file(src, dest, {"body": UGC})


@pytest.mark.parametrize(
    "compression",
    ["zstd", "gzip", "none", {"body": "zstd", "x": "none"}],
    ids=["zstd", "gzip", "none", "per column"],
)
def test_parquet_output_keeps_the_source_compression(
    tmp_path: Path, compression: str | dict[str, str]
) -> None:
    src, dest = tmp_path / "in.parquet", tmp_path / "out.parquet"
    table = pa.table({"body": [body(i) for i in range(30)], "x": list(range(30))})
    pq.write_table(table, src, compression=compression, row_group_size=10)
    run_file(src, dest, {"body": UGC}, batch_size=7)

    def codecs(path: Path) -> list[set[str]]:
        """Each column's codecs over its row groups (the output groups rows its own way)."""
        meta = pq.ParquetFile(path).metadata
        return [
            {meta.row_group(g).column(c).compression for g in range(meta.num_row_groups)}
            for c in range(meta.num_columns)
        ]

    assert codecs(dest) == codecs(src)
    assert pq.read_table(dest).column("x") == table.column("x")
