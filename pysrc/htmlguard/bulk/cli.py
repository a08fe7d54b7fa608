"""``htmlguard bulk``: re-sanitize the HTML stored in a file or a SQL table.

Registered by :mod:`htmlguard.cli`; imports nothing optional until it runs, so
``htmlguard --help`` works without the ``bulk`` extra.

Exit status: 0 every row was sanitized (or was clean); 1 some rows failed (listed in the
report; a file job wrote them as they were, a SQL job left them as stored); 2 the job could
not start or go on (a usage error, a missing extra, a checkpoint of another job, a read,
write or database error; what was committed stays, and running again continues); 130
interrupted (Ctrl-C; likewise resumable).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import htmlguard as hg
from htmlguard._core import Policy
from htmlguard.bulk.errors import EXTRA_HINT, BulkError
from htmlguard.bulk.report import Report, excerpt

__all__ = ["add_parser", "report_text", "run"]

DESCRIPTION = (
    "Sanitize chosen columns of stored HTML in batches: a JSON Lines, CSV or Parquet file "
    "(written to --out DEST, or replaced with --in-place; atomically), or a SQL table (an "
    "SQLAlchemy URL with --table; rows updated in place, a transaction per batch). An "
    "interrupted job continues where it stopped when run again (a checkpoint beside DEST, "
    "or TABLE.htmlguard-checkpoint in the current directory for SQL). Parquet, SQL and the "
    f"progress bar need the bulk extra ({EXTRA_HINT})."
)

EPILOG = (
    "Exit status: 0 ok; 1 some rows failed (see the report); 2 the job could not start or "
    "go on (running it again continues); 130 interrupted."
)


def add_parser(sub: Any) -> None:
    """Add the ``bulk`` subcommand to `sub` (the main parser's subparsers)."""
    p = sub.add_parser(
        "bulk",
        help="re-sanitize columns of a JSON Lines/CSV/Parquet file or a SQL table",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    p.add_argument("source", metavar="SOURCE", help="a file path, or an SQLAlchemy URL")
    p.add_argument(
        "--column",
        "-c",
        action="append",
        required=True,
        metavar="COLUMN=POLICY",
        help="a column (field) to sanitize and the policy for it: a registered name, a "
        "preset, or a name given by --policy-file (repeat for several columns)",
    )
    p.add_argument(
        "--policy-file",
        action="append",
        default=[],
        metavar="NAME=FILE",
        help="define policy NAME for this run from a JSON (or .toml) file of "
        "Policy.from_dict() options",
    )
    p.add_argument("--table", metavar="T", help="the table (SQL source; may be schema.table)")
    p.add_argument(
        "--key",
        metavar="K",
        help="SQL: the unique column batches are ordered by (default: the primary key); "
        "files: the field that names rows in the report (default: line/record/row number)",
    )
    p.add_argument(
        "--format", choices=("jsonl", "csv", "parquet"), help="the file format (default: suffix)"
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument("--out", "-o", metavar="DEST", help="write the file here (must not exist)")
    out.add_argument(
        "--in-place", action="store_true", help="replace SOURCE (atomically, at the end)"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="write nothing; report with sample changes"
    )
    p.add_argument(
        "--batch-size", type=int, default=1000, metavar="N", help="rows per batch (1000)"
    )
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="threads sanitizing (default: one per core)",
    )
    p.add_argument(
        "--checkpoint", metavar="FILE", help="SQL: the checkpoint file (TABLE.htmlguard-checkpoint)"
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    bar = p.add_mutually_exclusive_group()
    bar.add_argument("--progress", action="store_true", help="show the bar even if not a tty")
    bar.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--dask",
        metavar="SCHEDULER_ADDRESS",
        help="run a Parquet/CSV job on a Dask cluster (the dask extra)",
    )
    p.set_defaults(run=run)


# -- arguments -------------------------------------------------------------------------


def _pairs(values: list[str], what: str) -> Iterator[tuple[str, str]]:
    for v in values:
        name, sep, rest = v.partition("=")
        if not sep or not name or not rest:
            raise BulkError(f"{what} {v!r}: expected {what.upper().lstrip('-')}=VALUE")
        yield name, rest


def _columns(args: argparse.Namespace) -> dict[str, Policy]:
    from htmlguard.cli import CLIError, _load_policy_file

    own: dict[str, Policy] = {}
    for name, path in _pairs(args.policy_file, "--policy-file"):
        try:
            own[name] = _load_policy_file(path)
        except CLIError as e:
            raise BulkError(str(e)) from None
    columns: dict[str, Policy] = {}
    for column, name in _pairs(args.column, "--column"):
        if column in columns:
            raise BulkError(f"--column {column!r} is given twice")
        columns[column] = own[name] if name in own else hg.policies[name]
    return columns


def _is_url(source: str) -> bool:
    return "://" in source and not Path(source).exists()


# -- progress --------------------------------------------------------------------------


def _progress(args: argparse.Namespace) -> tuple[Callable[[int, int, str, Report], None], Any]:
    """A progress callback drawing a tqdm bar on stderr (or doing nothing), and a closer."""
    show = args.progress or (not args.no_progress and sys.stderr.isatty())
    if not show:
        return (lambda done, total, unit, report: None), None
    try:
        from tqdm import tqdm  # type: ignore[import-untyped]
    except ImportError:
        if args.progress:
            raise BulkError(f"--progress needs tqdm: {EXTRA_HINT}") from None
        return (lambda done, total, unit, report: None), None
    bars: list[Any] = []

    def update(done: int, total: int, unit: str, report: Report) -> None:
        if not bars:
            bars.append(
                tqdm(
                    total=total,
                    unit=unit,
                    unit_scale=unit == "B",
                    file=sys.stderr,
                    dynamic_ncols=True,
                    desc="sanitizing",
                )
            )
        bar = bars[0]
        bar.set_postfix_str(
            f"rows={report.rows_read:,} changed={report.changed:,} failed={report.failed:,}",
            refresh=False,
        )
        bar.update(done - bar.n)

    return update, bars


# -- running ---------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    columns = _columns(args)
    if args.batch_size < 1:
        raise BulkError(f"--batch-size must be at least 1, got {args.batch_size}")
    if args.workers is not None and args.workers < 1:
        raise BulkError(f"--workers must be at least 1, got {args.workers}")
    update, bars = _progress(args)
    try:
        report = _run(args, columns, update)
    except KeyboardInterrupt:
        sys.stderr.write(
            "htmlguard bulk: interrupted; the batches done so far are committed: run the "
            "same command again to continue\n"
        )
        return 130
    finally:
        for bar in bars or ():
            bar.close()
    _print(report, args)
    return 1 if report.failed else 0


def _run(
    args: argparse.Namespace, columns: dict[str, Policy], update: Callable[..., None]
) -> Report:
    if args.dask:
        dask: Any = importlib.import_module("htmlguard.dask")
        found: Report = dask.run_job(
            args.source,
            args.source if args.in_place else args.out,
            columns,
            scheduler=args.dask,
            dry_run=args.dry_run,
            batch_size=args.batch_size,
        )
        return found
    if _is_url(args.source):
        if not args.table:
            raise BulkError("a SQL source needs --table")
        if args.out or args.in_place or args.format:
            raise BulkError("--out, --in-place and --format are for files")
        from htmlguard.bulk.sql import run_sql

        try:
            return run_sql(
                args.source,
                args.table,
                columns,
                key=args.key,
                dry_run=args.dry_run,
                batch_size=args.batch_size,
                checkpoint=args.checkpoint,
                workers=args.workers,
                progress=update,
            )
        except Exception as e:
            if not type(e).__module__.startswith("sqlalchemy"):
                raise
            raise BulkError(
                f"database error: {e}; what was committed stays, run again to continue"
            ) from None
    if args.table or args.checkpoint:
        raise BulkError("--table and --checkpoint are for SQL sources")
    from htmlguard.bulk.files import run_file

    try:
        return run_file(
            args.source,
            args.out,
            columns,
            format=args.format,
            key=args.key,
            in_place=args.in_place,
            dry_run=args.dry_run,
            batch_size=args.batch_size,
            workers=args.workers,
            progress=update,
        )
    except OSError as e:
        raise BulkError(
            f"{e.strerror or e}{f': {e.filename!r}' if e.filename else ''}; what was "
            "committed stays, run again to continue"
        ) from None


# -- the report ------------------------------------------------------------------------


def _print(report: Report, args: argparse.Namespace) -> None:
    if args.json:
        data = {"dry_run": args.dry_run, **report.to_dict()}
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
        return
    sys.stdout.write(report_text(report, args.dry_run))


def report_text(report: Report, dry_run: bool) -> str:
    """The human report (lines), as ``htmlguard bulk`` prints it."""
    return "".join(line + "\n" for line in _lines(report, dry_run))


def _lines(r: Report, dry_run: bool) -> Iterator[str]:
    if dry_run:
        yield "Dry run: nothing was written."
    changed = "would change" if dry_run else "changed"
    skipped = f", {r.skipped:,} skipped (edited meanwhile)" if r.skipped else ""
    yield (
        f"rows: {r.rows_read:,} read, {r.changed:,} {changed}, {r.unchanged:,} unchanged, "
        f"{r.failed:,} failed{skipped}; {r.nulls:,} NULL values"
    )
    yield f"bytes: {r.bytes_in:,} in, {r.bytes_out:,} out"
    for what, counts in (("kind", r.by_kind), ("tag", r.by_tag), ("attribute", r.by_attribute)):
        if counts:
            yield f"removed by {what}: {_counts(counts)}"
    if r.failures:
        more = f" (the first {len(r.failures)})" if r.failed > len(r.failures) else ""
        yield f"failed rows{more}:"
        for f in r.failures:
            yield f"  {f.key!r}{f' {f.column}' if f.column else ''}: {f.error}"
    if r.samples:
        yield "sample changes:"
    for c in r.samples:
        before, after = excerpt(c.before, c.after)
        yield f"  {c.key!r} {c.column}:"
        yield f"    - {json.dumps(before, ensure_ascii=False)}"
        yield f"    + {json.dumps(after, ensure_ascii=False)}"


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{name} {n:,}" for name, n in counter.most_common())
