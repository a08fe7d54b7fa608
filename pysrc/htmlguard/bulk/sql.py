"""A bulk job over a SQL table, through SQLAlchemy (any database it supports).

The table is read in key order, a batch at a time, by keyset pagination (``key >`` the last
one read, so a batch costs the same at the end of a large table as at its start); each
batch's changed rows are written in one transaction, each with
``UPDATE table SET col = :new WHERE key = :k AND col = :old`` (every changed column in the
WHERE): a row edited since it was read is left as the edit made it and counted as
*skipped*, never overwritten with a value computed from its old content. NULLs stay NULL.
On PostgreSQL through psycopg 3 the batch's rows go in one such statement, joined to
arrays of keys and values (:func:`_arrays`).

- A value the policy refuses, or that would outgrow its column's declared length once
  sanitized (escaping lengthens text), is a failed row, left as stored. If the database
  refuses a batch's writes, the batch is written again a row per transaction and only the
  refused rows fail.
- Resumable: after each committed batch the last key and the report so far go to a
  checkpoint file (:mod:`htmlguard.bulk.checkpoint`); a run of the same job continues after
  that key. A run stopped between a commit and its checkpoint reads that batch again and
  finds its rows clean (a policy's output is its own fixed point), so nothing is written
  twice; the report then counts those rows as unchanged. On PostgreSQL, where two batches
  are written at once, a stop can leave the batch after a failed one written past the
  checkpoint in the same way. Each batch is one transaction: written whole or not at all.
- The next batches are read, and the finished ones written, on threads of their own while
  this one sanitizes (:mod:`htmlguard.bulk.pipeline`; each on its own connection, so the
  database works beside the sanitizer), except with a pool that keeps connections to
  one thread (SQLite in memory), where everything runs on the caller's thread.
- The key must be unique (the primary key by default) and an integer or string column.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from htmlguard._core import Policy
from htmlguard.bulk import atomic, pipeline
from htmlguard.bulk.batch import Sanitizer, sanitize_columns
from htmlguard.bulk.checkpoint import Checkpoint, fingerprint, load
from htmlguard.bulk.errors import BulkError, require
from htmlguard.bulk.report import SAMPLE_LIMIT, Failure, Report
from htmlguard.bulk.workers import Workers, default_workers

Progress = Callable[[int, int, str, Report], None]


def _same_thread_pools() -> tuple[type, ...]:
    from sqlalchemy.pool import SingletonThreadPool, StaticPool

    return (SingletonThreadPool, StaticPool)


def default_checkpoint(table: str) -> Path:
    """``TABLE.htmlguard-checkpoint`` in the current directory."""
    return Path(f"{table}.htmlguard-checkpoint")


def run_sql(
    url: str | Any,
    table: str,
    columns: Mapping[str, Policy],
    *,
    key: str | None = None,
    dry_run: bool = False,
    batch_size: int = 1000,
    checkpoint: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    sanitizers: Mapping[str, Sanitizer] | None = None,
    progress: Progress | None = None,
) -> Report:
    """Sanitize `columns` (name -> policy) of `table` in place and return the report (see
    the module documentation). `url`: a SQLAlchemy URL or an Engine. `table` may be
    ``schema.table``. `checkpoint`: the checkpoint file (default
    :func:`default_checkpoint`); not used by a dry run. `workers` and `sanitizers` as in
    :func:`htmlguard.bulk.files.run_file`.
    """
    sa = require("sqlalchemy", "a SQL source")
    if batch_size < 1:
        raise BulkError(f"batch size must be at least 1, got {batch_size}")
    if not columns:
        raise BulkError("no columns chosen")
    engine = sa.create_engine(url) if isinstance(url, str) else url
    pool = Workers(workers or default_workers())
    try:
        t, key_col, cols = _reflect(sa, engine, table, key, list(columns))
        use: Mapping[str, Sanitizer] = sanitizers or {c: pool.wrap(p) for c, p in columns.items()}
        job = {
            "kind": "sql",
            "url": engine.url.render_as_string(hide_password=True),
            "table": table,
            "key": key_col.name,
            "columns": {c: p.to_dict() for c, p in columns.items()},
        }
        ckpt_path = Path(checkpoint) if checkpoint is not None else default_checkpoint(table)
        fp = fingerprint(job)
        ckpt = None if dry_run else load(ckpt_path, fp)
        if ckpt is None:
            ckpt = Checkpoint(fp, None, 0, 0, Report(), job)
        with engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
        report = ckpt.report  # what the checkpoints hold: the committer's
        seen = Report.from_dict(report.to_dict())  # what progress shows: this thread's
        rows_done = ckpt.rows

        def pages() -> Iterator[list[Any]]:
            # Keyset pages, each read on a connection of its own (so on the reader's thread).
            last = ckpt.position
            while True:
                query = sa.select(key_col, *cols).order_by(key_col).limit(batch_size)
                if last is not None:
                    query = query.where(key_col > last)
                with engine.connect() as conn:
                    rows = list(conn.execute(query).all())
                if not rows:
                    return
                yield rows
                last = rows[-1][0]
                if len(rows) < batch_size:
                    return

        # A pool that pins connections to threads, or shares one (SQLite in memory), must
        # see every query on this thread: no reading ahead or committing beside it.
        depth = 0 if isinstance(engine.pool, _same_thread_pools()) else pipeline.DEPTH
        # On PostgreSQL two batches are written at once, each in its own transaction on its
        # own connection: the server's share of a batch (the UPDATE, its WAL) was the job's
        # slowest stage, and it runs on one core per connection. Checkpoints still follow
        # in batch order (a batch's commit waits for its write); a batch written past the
        # last checkpoint when the job stops is read again by the next run and found clean.
        parallel = not dry_run and depth > 0 and engine.dialect.name == "postgresql"
        writers = ThreadPoolExecutor(2, "htmlguard-bulk-write") if parallel else None
        Result = tuple[list[Any], Any, Any, Report, "Future[None] | None"]

        def sanitize(rows: list[Any]) -> Result:
            keys = [r[0] for r in rows]
            values = {c.name: [r[i + 1] for r in rows] for i, c in enumerate(cols)}
            new, batch = sanitize_columns(values, use, keys, samples=dry_run)
            written = None
            if writers is not None:
                args = (sa, engine, t, key_col, cols, keys, values, new, batch)
                written = writers.submit(_write, *args)
            return keys, values, new, batch, written

        def commit(rows: list[Any], result: Result) -> tuple[int, Report]:
            keys, values, new, batch, written = result
            if written is not None:
                written.result()
            elif not dry_run:
                _write(sa, engine, t, key_col, cols, keys, values, new, batch)
            report.merge(batch)
            ckpt.rows += len(keys)
            if not dry_run:
                ckpt.position = keys[-1]
                ckpt.save(ckpt_path)
            return len(keys), batch

        def show(done: tuple[int, Report]) -> None:
            nonlocal rows_done
            n, batch = done
            seen.merge(batch)
            rows_done += n
            if progress is not None:
                progress(rows_done, max(total, rows_done), "row", seen)

        try:
            pipeline.run(pages(), sanitize, commit, show, depth)
        finally:
            if writers is not None:
                # Writes whose commit was handed over are done; one not yet started is
                # dropped, one under way finishes (its rows are clean when read again).
                writers.shutdown(wait=True, cancel_futures=True)
        if not dry_run:
            atomic.remove(ckpt_path)
        return report
    finally:
        pool.close()
        if isinstance(url, str):
            engine.dispose()


def _reflect(sa: Any, engine: Any, name: str, key: str | None, columns: list[str]) -> Any:
    schema, _, bare = name.rpartition(".")
    try:
        t = sa.Table(bare, sa.MetaData(), autoload_with=engine, schema=schema or None)
    except sa.exc.NoSuchTableError:
        raise BulkError(f"no table {name!r} in the database") from None
    if key is None:
        pk = list(t.primary_key.columns)
        if len(pk) != 1:
            raise BulkError(f"table {name!r} has no single-column primary key: name one (--key)")
        key_col = pk[0]
    elif key in t.c:
        key_col = t.c[key]
    else:
        raise BulkError(f"table {name!r} has no column {key!r}")
    missing = [c for c in columns if c not in t.c]
    if missing:
        raise BulkError(
            f"table {name!r} has no column {', '.join(map(repr, missing))} "
            f"(its columns: {', '.join(t.c.keys())})"
        )
    if key_col.name in columns:
        raise BulkError(f"the key {key_col.name!r} cannot be one of the sanitized columns")
    try:
        kind = key_col.type.python_type
    except NotImplementedError:
        kind = None
    if kind not in (int, str):
        # The checkpoint keeps the last key as JSON.
        raise BulkError(f"the key {key_col.name!r} must be an integer or string column")
    return t, key_col, [t.c[c] for c in columns]


def _fail(report: Report, key: Any, column: str, error: str, *, was_changed: bool) -> None:
    if was_changed:
        report.changed -= 1
    else:
        report.unchanged -= 1
    report.failed += 1
    if len(report.failures) < SAMPLE_LIMIT:
        report.failures.append(Failure(key, column, error))


def _write(
    sa: Any,
    engine: Any,
    t: Any,
    key_col: Any,
    cols: list[Any],
    keys: list[Any],
    old: dict[str, list[Any]],
    new: dict[str, list[Any]],
    report: Report,
) -> None:
    """Write the batch's changed rows (adjusting `report`: skipped and failed rows)."""
    updates: list[tuple[Any, dict[str, Any], dict[str, Any]]] = []
    for i, k in enumerate(keys):
        changed = {c.name: new[c.name][i] for c in cols if new[c.name][i] is not old[c.name][i]}
        if not changed:
            continue
        too_long = [
            (c, changed[c.name])
            for c in cols
            if c.name in changed
            and getattr(c.type, "length", None)
            and len(changed[c.name]) > c.type.length
        ]
        if too_long:
            c, value = too_long[0]
            _fail(
                report,
                k,
                c.name,
                f"{len(value)} characters once sanitized, over the column's length {c.type.length}",
                was_changed=True,
            )
            continue
        updates.append((k, changed, {c: old[c][i] for c in changed}))
    if not updates:
        return

    def statement(names: tuple[str, ...]) -> Any:
        where = [key_col == sa.bindparam("_key", type_=key_col.type)]
        where += [t.c[c] == sa.bindparam(f"_old_{c}", type_=t.c[c].type) for c in names]
        return sa.update(t).where(*where).values({c: sa.bindparam(f"_new_{c}") for c in names})

    def params(k: Any, changed: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
        out = {"_key": k}
        out.update({f"_old_{c}": v for c, v in before.items()})
        out.update({f"_new_{c}": v for c, v in changed.items()})
        return out

    def execute(conn: Any, k: Any, changed: dict[str, Any], before: dict[str, Any]) -> int:
        return int(conn.execute(statement(tuple(changed)), params(k, changed, before)).rowcount)

    # Rows changing the same columns share one statement: on PostgreSQL (psycopg 3) one
    # UPDATE joined to the group's keys and values sent as arrays (_arrays), else one sent with
    # executemany (one round trip per batch where the driver pipelines). executemany's
    # rowcount is the sum: when it falls short, some rows were edited since they were read,
    # and reading the group back tells which (their value is not the one written).
    groups: dict[tuple[str, ...], list[tuple[Any, dict[str, Any], dict[str, Any]]]] = {}
    for row in updates:
        groups.setdefault(tuple(row[1]), []).append(row)
    summed = bool(getattr(engine.dialect, "supports_sane_multi_rowcount", False))
    arrays = engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"

    def write_group(conn: Any, names: tuple[str, ...], rows: list[Any]) -> list[int]:
        if arrays and len(rows) > 1:
            found = _arrays(conn, t, key_col, names, rows)
            if found is not None:
                return found
        if not summed or len(rows) == 1:
            return [execute(conn, k, ch, before) for k, ch, before in rows]
        got = conn.execute(statement(names), [params(*r) for r in rows]).rowcount
        if got == len(rows):
            return [1] * len(rows)
        now = {
            r[0]: r[1:]
            for r in conn.execute(
                sa.select(key_col, *(t.c[c] for c in names)).where(
                    key_col.in_([k for k, _, _ in rows])
                )
            )
        }
        return [int(tuple(now.get(k, ())) == tuple(ch[c] for c in names)) for k, ch, _ in rows]

    written: list[int] = []
    try:
        with engine.begin() as conn:
            for names, rows in groups.items():
                written += write_group(conn, names, rows)
    except sa.exc.DBAPIError as e:
        if e.connection_invalidated:
            raise  # the connection is gone: stop; a new run continues from the checkpoint
        # One row refused (a constraint, a trigger...) undid the whole batch: write each row
        # in its own transaction so only the refused ones fail.
        written = []
        for k, ch, before in updates:
            try:
                with engine.begin() as conn:
                    written.append(execute(conn, k, ch, before))
            except sa.exc.DBAPIError as row_error:
                if row_error.connection_invalidated:
                    raise
                _fail(report, k, next(iter(ch)), str(row_error.orig), was_changed=True)
                written.append(-1)
    for count in written:
        if count == 0:  # edited since it was read
            report.changed -= 1
            report.skipped += 1


def _arrays(
    conn: Any, t: Any, key_col: Any, names: tuple[str, ...], rows: list[Any]
) -> list[int] | None:
    """PostgreSQL through psycopg 3: a group's rows written by one statement, the keys and
    the old and new values sent as arrays in binary (text arrays have every quote and
    backslash escaped, in Python)::

        UPDATE t SET c = v.n0
        FROM (SELECT unnest(keys) AS k, unnest(olds) AS o0, unnest(news) AS n0) AS v
        WHERE t.key = v.k AND t.c = v.o0 RETURNING t.key

    The keys returned are the rows written (1); the others were edited since they were read
    (0). None when a column's type has no name to cast to (reflected as unknown).

    One statement instead of one per row, whose parameters took psycopg and SQLAlchemy
    about 35 µs a row in Python (bench/BULK.md has the rates). Hash and merge joins are off
    for the transaction: either reads the whole table for every batch when the planner
    misjudges its size (a table just filled has no statistics), and looking each row up by
    key costs the batch, not the table."""
    from sqlalchemy.exc import CompileError

    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote

    cols = [t.c[c] for c in names]
    try:
        types = [str(c.type.compile(dialect=dialect)) for c in [key_col, *cols, *cols]]
    except CompileError:
        return None
    aliases = ["k", *(f"o{i}" for i in range(len(cols))), *(f"n{i}" for i in range(len(cols)))]
    # unnest in the select list, not in FROM: there its rows would be stored first, in
    # temporary files past work_mem (tens of MB a batch).
    arrays = ", ".join(f"unnest(%b::{n}[]) AS {a}" for n, a in zip(types, aliases, strict=True))
    key = quote(key_col.name)
    statement = (
        f"UPDATE {dialect.identifier_preparer.format_table(t)} AS t SET "
        + ", ".join(f"{quote(c.name)} = v.n{i}" for i, c in enumerate(cols))
        + f" FROM (SELECT {arrays}) AS v WHERE t.{key} = v.k AND "
        + " AND ".join(f"t.{quote(c.name)} = v.o{i}" for i, c in enumerate(cols))
        + f" RETURNING t.{key}"
    )
    params = [
        [k for k, _, _ in rows],
        *([before[c] for _, _, before in rows] for c in names),
        *([ch[c] for _, ch, _ in rows] for c in names),
    ]
    conn.exec_driver_sql("SET LOCAL enable_hashjoin = off")
    conn.exec_driver_sql("SET LOCAL enable_mergejoin = off")
    written = set(conn.exec_driver_sql(statement, tuple(params)).scalars())
    return [int(k in written) for k, _, _ in rows]
