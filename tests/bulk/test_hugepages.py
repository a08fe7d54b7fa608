"""A Parquet job turns transparent huge pages off for its process, and puts back what the
process had when it ends (hugepages.py)."""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

import pytest
from bulk_support import UGC, WRITERS

from htmlguard.bulk import hugepages
from htmlguard.bulk.files import run_file

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's prctl")


def set_disabled(value: bool) -> None:
    assert ctypes.CDLL(None).prctl(41, int(value), 0, 0, 0) == 0


@pytest.fixture(autouse=True)
def restore() -> object:
    before = hugepages.disabled()
    yield
    set_disabled(bool(before))


@pytest.mark.parametrize("before", [False, True])
def test_off_inside_and_the_process_setting_back_after(before: bool) -> None:
    set_disabled(before)
    with hugepages.off():
        assert hugepages.disabled() is True
        with hugepages.off():  # a second job in the same process
            assert hugepages.disabled() is True
        assert hugepages.disabled() is True, "the first job is still running"
    assert hugepages.disabled() is before


class Watching:
    """The ugc policy, noting whether huge pages were off while it sanitized."""

    def __init__(self, fail_at: int = 0) -> None:
        self.seen: list[bool | None] = []
        self.fail_at = fail_at

    def sanitize(self, html: str) -> str:
        return UGC.sanitize(html)

    def inspect(self, html: str) -> object:
        return UGC.inspect(html)

    def sanitize_many(self, htmls: list[str]) -> list[str]:
        self.seen.append(hugepages.disabled())
        if len(self.seen) == self.fail_at:
            raise KeyboardInterrupt
        return UGC.sanitize_many(htmls)


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_a_parquet_job_runs_without_huge_pages(tmp_path: Path, fmt: str) -> None:
    set_disabled(False)
    src = tmp_path / f"in.{fmt}"
    WRITERS[fmt](src, 30)
    watch = Watching()
    run_file(src, tmp_path / f"out.{fmt}", {"body": UGC}, batch_size=10, sanitizers={"body": watch})
    assert watch.seen == [fmt == "parquet"] * 3
    assert hugepages.disabled() is False


def test_a_stopped_job_puts_the_setting_back(tmp_path: Path) -> None:
    set_disabled(False)
    src = tmp_path / "in.parquet"
    WRITERS["parquet"](src, 30)
    watch = Watching(fail_at=2)
    with pytest.raises(KeyboardInterrupt):
        run_file(
            src, tmp_path / "out.parquet", {"body": UGC}, batch_size=10, sanitizers={"body": watch}
        )
    assert watch.seen == [True, True]
    assert hugepages.disabled() is False
