"""What a bulk job writes leaves the page cache once it is on disk (pagecache.py): the
partial output batch by batch, and the finished output whole. Residency is read with
util-linux's fincore, from the kernel itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bulk_support import UGC, WRITERS

from htmlguard.bulk import pagecache
from htmlguard.bulk.files import PARTIAL, run_file

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's page cache"),
    pytest.mark.skipif(shutil.which("fincore") is None, reason="util-linux's fincore"),
]


def cached(path: Path) -> int:
    """Bytes of `path` in the page cache."""
    out = subprocess.run(
        ["fincore", "--bytes", "--noheadings", "--output", "RES", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return int(out.strip())


@pytest.fixture
def disk(tmp_path: Path) -> Path:
    """`tmp_path`, unless it is in memory (tmpfs keeps every page: nothing to release)."""
    fs = subprocess.run(
        ["stat", "-f", "-c", "%T", str(tmp_path)], check=True, capture_output=True, text=True
    ).stdout.strip()
    if fs in ("tmpfs", "ramfs"):
        pytest.skip(f"{tmp_path} is on {fs}")
    return tmp_path


def test_release_drops_what_is_on_disk(disk: Path) -> None:
    path = disk / "f"
    size = 1 << 20
    with open(path, "wb") as f:
        f.write(os.urandom(size))
        f.flush()
        os.fsync(f.fileno())
        assert cached(path) == size
        pagecache.release(f.fileno())
        assert cached(path) == 0
    assert len(path.read_bytes()) == size
    assert cached(path) == size  # read back: cached again


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_a_finished_job_leaves_none_of_its_output_cached(disk: Path, fmt: str) -> None:
    src = disk / f"in.{fmt}"
    WRITERS[fmt](src, 3000)
    out = disk / f"out.{fmt}"
    report = run_file(src, out, {"body": UGC}, batch_size=500)
    assert report.rows_read == 3000
    assert out.stat().st_size > 50_000
    assert cached(out) == 0


class Looking:
    """The ugc policy; when batch `at` is sanitized, notes the partial output's size and
    how much of it is cached, then stops the job (Ctrl-C)."""

    def __init__(self, partial: Path, at: int) -> None:
        self.partial = partial
        self.at = at
        self.calls = 0
        self.seen: tuple[int, int] | None = None

    def sanitize(self, html: str) -> str:
        return UGC.sanitize(html)

    def inspect(self, html: str) -> object:
        return UGC.inspect(html)

    def sanitize_many(self, htmls: list[str]) -> list[str]:
        self.calls += 1
        if self.calls == self.at:
            self.seen = (self.partial.stat().st_size, cached(self.partial))
            raise KeyboardInterrupt
        return UGC.sanitize_many(htmls)


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_committed_batches_leave_the_cache_as_the_job_goes(disk: Path, fmt: str) -> None:
    src = disk / f"in.{fmt}"
    WRITERS[fmt](src, 6000)
    out = disk / f"out.{fmt}"
    partial = out.with_name(out.name + PARTIAL)
    look = Looking(partial, at=12)
    with pytest.raises(KeyboardInterrupt):
        run_file(src, out, {"body": UGC}, batch_size=500, sanitizers={"body": look})
    assert look.seen is not None
    size, in_cache = look.seen
    batch = partial.stat().st_size / 11  # eleven batches were committed
    # While batch 12 is sanitized, at most the batches being committed are still cached.
    assert size >= 7 * batch
    assert in_cache <= 3 * batch + 64 * 1024
    # The job stopped: what it committed is kept for the next run, and not cached.
    assert cached(partial) == 0
