"""A bulk job over a file: SOURCE read in batches, DEST written atomically, resumable.

Beside DEST (in its directory, so the final rename is atomic) a job keeps:

- ``DEST.htmlguard-partial``: the output so far, appended batch by batch, each batch
  flushed and fsynced before the checkpoint that counts it;
- ``DEST.htmlguard-checkpoint``: the source position, the partial output's committed size
  and the report so far (:mod:`htmlguard.bulk.checkpoint`), replaced atomically after each
  batch;
- ``DEST.htmlguard-tmp``: Parquet's final file while it is written from the partial one.

What a job writes leaves the page cache once it is on disk (:mod:`htmlguard.bulk.pagecache`).

A run that finds a checkpoint of the same job cuts the partial output back to the
committed size (dropping whatever a killed run wrote after its last checkpoint) and goes on
from the recorded position, so no row is written twice and none is lost. At the end the
final file is renamed over DEST and the helper files are removed: DEST is either absent (or,
for ``in_place``, the untouched source) or complete, never half-written.

DEST may not exist unless it is SOURCE itself (``in_place=True``: the source is read to the
end before it is replaced). A failed row is written as it was read (see
:mod:`htmlguard.bulk.batch`): the output is never less safe than the source, the row is
counted and listed in the report, and the CLI exits with status 1 so a pipeline notices.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from htmlguard._core import Policy
from htmlguard.bulk import atomic, hugepages, pagecache, pipeline
from htmlguard.bulk.batch import Sanitizer, sanitize_columns
from htmlguard.bulk.checkpoint import Checkpoint, fingerprint, load
from htmlguard.bulk.errors import BulkError, CheckpointError
from htmlguard.bulk.formats import format_for, open_format
from htmlguard.bulk.report import Report
from htmlguard.bulk.workers import Workers, default_workers

#: Called after each committed batch with (progress, total, unit, report so far).
Progress = Callable[[int, int, str, Report], None]

PARTIAL = ".htmlguard-partial"
CHECKPOINT = ".htmlguard-checkpoint"
TMP = ".htmlguard-tmp"


def _beside(dest: Path, suffix: str) -> Path:
    return dest.with_name(dest.name + suffix)


def checkpoint_path(dest: Path) -> Path:
    return _beside(dest, CHECKPOINT)


def run_file(
    source: str | os.PathLike[str],
    dest: str | os.PathLike[str] | None,
    columns: Mapping[str, Policy],
    *,
    format: str | None = None,
    key: str | None = None,
    in_place: bool = False,
    dry_run: bool = False,
    batch_size: int = 1000,
    workers: int | None = None,
    sanitizers: Mapping[str, Sanitizer] | None = None,
    progress: Progress | None = None,
) -> Report:
    """Sanitize `columns` (name -> policy) of the file `source` into `dest` and return the
    report (see the module documentation). `format`: "jsonl", "csv" or "parquet" (default:
    by the suffix). `key`: a field or column that identifies rows in the report (default:
    the line, record or row number). `dry_run`: read everything, write nothing, keep sample
    changes. `workers`: threads sanitizing (:mod:`htmlguard.bulk.workers`; default one per
    core). `sanitizers`: what sanitizes each column instead of its policy on `workers`; the
    policies still make the fingerprint.
    """
    if batch_size < 1:
        raise BulkError(f"batch size must be at least 1, got {batch_size}")
    if not columns:
        raise BulkError("no columns chosen")
    src = Path(source).absolute()
    kind = format_for(src, format)
    if not src.is_file():
        raise BulkError(f"{str(source)!r} is not a file")
    if in_place:
        if dest is not None and Path(dest).absolute() != src:
            raise BulkError("in place and a different destination: choose one")
        out = src
    elif dry_run:
        out = Path(dest).absolute() if dest is not None else src
    else:
        if dest is None:
            raise BulkError("no destination: name one (--out DEST), or rewrite in place")
        out = Path(dest).absolute()
        if out == src:
            raise BulkError("the destination is the source: rewrite it in place (--in-place)")
    if not dry_run:
        done = _finished(out)
        if done is not None:
            return done
    if out != src and not dry_run:
        if out.exists():
            raise BulkError(f"{str(dest)!r} exists: remove it or choose another destination")
        if not out.parent.is_dir():
            raise BulkError(f"{str(out.parent)!r} is not a directory")
    pool = Workers(workers or default_workers())
    use: Mapping[str, Sanitizer] = sanitizers or {c: pool.wrap(p) for c, p in columns.items()}
    fmt = open_format(kind, src, list(columns), key)
    # pyarrow's buffers, refaulted as huge pages every batch, cost a Parquet job about a
    # quarter of its CPU time (hugepages.py).
    memory = hugepages.off() if kind == "parquet" else nullcontext()
    try:
        with memory:
            if dry_run:
                return _dry_run(fmt, use, batch_size, progress)
            stat = src.stat()
            job = {
                "kind": "file",
                "format": kind,
                "source": str(src),
                "source_size": stat.st_size,
                "source_mtime_ns": stat.st_mtime_ns,
                "dest": str(out),
                "key": key,
                "columns": {c: p.to_dict() for c, p in columns.items()},
            }
            return _run(fmt, job, out, use, batch_size, progress)
    finally:
        fmt.close()
        pool.close()


def _finished(out: Path) -> Report | None:
    """The report of a run that was stopped after it renamed its output into place and
    before it removed its checkpoint (the checkpoint is removed now), else None."""
    ckpt_path = checkpoint_path(out)
    if not ckpt_path.exists() or _beside(out, PARTIAL).exists() or not out.exists():
        return None
    try:
        report = Report.from_dict(json.loads(ckpt_path.read_bytes())["report"])
    except (ValueError, KeyError, TypeError):
        return None
    atomic.remove(ckpt_path)
    return report


def _dry_run(
    fmt: Any, use: Mapping[str, Sanitizer], size: int, progress: Progress | None
) -> Report:
    total, unit = fmt.total()
    report = Report()
    for chunk in fmt.chunks(0, 0, size):
        _, batch = sanitize_columns(chunk.table, use, chunk.keys, samples=True)
        report.merge(batch)
        report.merge(chunk.extra)
        if progress is not None:
            progress(fmt.progress(chunk), total, unit, report)
    return report


def _run(
    fmt: Any,
    job: dict[str, Any],
    out: Path,
    use: Mapping[str, Sanitizer],
    size: int,
    progress: Progress | None,
) -> Report:
    ckpt_path, partial = checkpoint_path(out), _beside(out, PARTIAL)
    fp = fingerprint(job)
    # Opened without truncating and locked first: a second run of the job must not touch
    # the partial output of one in progress.
    with open(os.open(partial, os.O_RDWR | os.O_CREAT, 0o666), "r+b") as f:
        _lock(f, partial)
        ckpt = load(ckpt_path, fp)
        if ckpt is None:
            ckpt = Checkpoint(fp, 0, 0, len(fmt.header()), Report(), job)
            f.truncate(0)
            f.write(fmt.header())
            f.flush()
            os.fsync(f.fileno())
            ckpt.save(ckpt_path)
        elif os.fstat(f.fileno()).st_size < ckpt.output_size:
            raise CheckpointError(
                f"{str(partial)!r} is missing or shorter than its checkpoint says: delete "
                f"{str(ckpt_path)!r} to start over"
            )
        tmp = _beside(out, TMP)
        begin = getattr(fmt, "begin", None)
        if begin is not None:
            begin(partial, tmp, ckpt.output_size)
        report = _append(fmt, f, ckpt, ckpt_path, use, size, progress)
    if fmt.finish(partial, tmp):
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
            pagecache.release(f.fileno())
        atomic.replace(tmp, out)
        atomic.remove(partial)
    else:
        atomic.replace(partial, out)
    atomic.remove(ckpt_path)
    return report


def _lock(f: Any, path: Path) -> None:
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        return
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise BulkError(f"another run of this job is writing {str(path)!r}") from None


def _append(
    fmt: Any,
    f: Any,
    ckpt: Checkpoint,
    ckpt_path: Path,
    use: Mapping[str, Sanitizer],
    size: int,
    progress: Progress | None,
) -> Report:
    """Append the batches after the checkpoint's position to the partial output `f`: read
    ahead and committed on threads of their own while this one sanitizes
    (:mod:`htmlguard.bulk.pipeline`)."""
    total, unit = fmt.total()
    report = ckpt.report  # what the checkpoints hold: the committer's
    seen = Report.from_dict(report.to_dict())  # what progress shows: this thread's
    # Whatever a killed run wrote after its last checkpoint is not part of the output.
    f.truncate(ckpt.output_size)
    f.seek(ckpt.output_size)

    def sanitize(chunk: Any) -> tuple[dict[str, list[Any]], Report]:
        return sanitize_columns(chunk.table, use, chunk.keys)

    def commit(chunk: Any, result: tuple[dict[str, list[Any]], Report]) -> tuple[Any, Report]:
        new, batch = result
        start = f.tell()
        f.write(chunk.render(new))
        f.flush()
        os.fsync(f.fileno())
        pagecache.release(f.fileno(), start, f.tell() - start)
        report.merge(batch)
        report.merge(chunk.extra)
        ckpt.position, ckpt.rows, ckpt.output_size = chunk.end, chunk.rows, f.tell()
        ckpt.save(ckpt_path)
        return chunk, batch

    def show(done: tuple[Any, Report]) -> None:
        chunk, batch = done
        seen.merge(batch)
        seen.merge(chunk.extra)
        if progress is not None:
            progress(fmt.progress(chunk), total, unit, seen)

    try:
        pipeline.run(fmt.chunks(int(ckpt.position), ckpt.rows, size), sanitize, commit, show)
    finally:
        pagecache.release(f.fileno())  # the header too; everything here is fsynced
    return report
