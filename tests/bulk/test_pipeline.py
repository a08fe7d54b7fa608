"""The bulk job's stages on threads (htmlguard.bulk.pipeline): order kept, errors raised
where they belong, committed work never lost when the caller stops."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from bulk_support import UGC, WRITERS, read_output

from htmlguard.bulk import pipeline
from htmlguard.bulk.files import checkpoint_path, run_file


def test_read_ahead_keeps_order_and_raises_where_the_error_is() -> None:
    def items() -> Iterator[int]:
        yield from range(5)
        raise OSError("disk gone")

    got: list[int] = []
    with pytest.raises(OSError, match="disk gone"), pipeline.read_ahead(items()) as ahead:
        for i in ahead:
            got.append(i)
    assert got == [0, 1, 2, 3, 4]


def test_read_ahead_stops_its_reader_when_the_consumer_stops() -> None:
    closed = threading.Event()
    produced: list[int] = []

    def items() -> Iterator[int]:
        try:
            for i in range(10**9):
                produced.append(i)
                yield i
        finally:
            closed.set()

    with pipeline.read_ahead(items(), depth=2) as ahead:
        for i in ahead:
            if i == 3:
                break
    assert closed.is_set()  # the source generator was closed on its own thread
    assert len(produced) <= 4 + 2 + 1  # read at most `depth` (and one in hand) ahead


def test_committer_runs_in_order_and_stops_at_the_first_error() -> None:
    ran: list[int] = []

    def call(i: int) -> int:
        if i == 3:
            raise RuntimeError("fsync failed")
        time.sleep(0.001)
        ran.append(i)
        return i

    c: pipeline.Committer[int] = pipeline.Committer()
    with pytest.raises(RuntimeError, match="fsync failed"):
        for i in range(8):
            c.submit(lambda i=i: call(i))
        c.close()
    with pytest.raises(RuntimeError):
        c.close()
    assert ran == [0, 1, 2]  # nothing after the failed call was committed


def test_committer_commits_what_it_was_given_when_the_caller_fails() -> None:
    ran: list[int] = []
    with pytest.raises(KeyboardInterrupt), pipeline.Committer[None]() as c:
        for i in range(3):
            c.submit(lambda i=i: (time.sleep(0.01), ran.append(i))[-1])
        raise KeyboardInterrupt
    assert ran == [0, 1, 2]


class Failing:
    """The ugc policy, failing the whole job at its `at`-th batch (an error that is not a
    row's: the job stops, as it would on Ctrl-C)."""

    def __init__(self, at: int) -> None:
        self.at, self.seen = at, 0

    def sanitize(self, html: str) -> str:
        return UGC.sanitize(html)

    def inspect(self, html: str) -> object:
        return UGC.inspect(html)

    def sanitize_many(self, htmls: list[str]) -> list[str]:
        self.seen += 1
        if self.seen == self.at:
            raise KeyboardInterrupt
        return UGC.sanitize_many(htmls)


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_a_job_stopped_mid_way_keeps_every_batch_before_and_resumes(
    tmp_path: Path, fmt: str
) -> None:
    src, dest, ref = tmp_path / f"in.{fmt}", tmp_path / f"out.{fmt}", tmp_path / f"ref.{fmt}"
    WRITERS[fmt](src, 100)
    run_file(src, ref, {"body": UGC}, batch_size=10)
    with pytest.raises(KeyboardInterrupt):
        run_file(src, dest, {"body": UGC}, batch_size=10, sanitizers={"body": Failing(6)})
    ckpt = json.loads(checkpoint_path(dest).read_bytes())
    assert ckpt["rows"] == 50  # batches 1-5, all committed
    report = run_file(src, dest, {"body": UGC}, batch_size=10)
    assert report.rows_read == 100
    assert read_output(dest) == read_output(ref)
