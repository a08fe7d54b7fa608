"""Sanitize columns of a Dask DataFrame, and run a Parquet/CSV bulk job on a Dask cluster.

::

    import htmlguard.dask as hgd

    clean = hgd.sanitize_columns(ddf, {"body": "ugc", "bio": bio_policy})   # lazy, like map
    clean, report = hgd.sanitize_columns(ddf, {"body": "ugc"}, report=True)
    _, report = dask.compute(clean.to_parquet("out/", compute=False), report)  # one pass

    hgd.run_job("posts.parquet", "clean/", {"body": "ugc"}, scheduler="tcp://10.0.0.5:8786")

Each partition goes through :func:`htmlguard.bulk.batch.sanitize_columns`, the step every
bulk runner shares, so a value is handled as on one machine: NULLs (``None``, NaN,
``pd.NA``) stay NULL, strings are sanitized with ``sanitize_many``, anything else (a number,
a string the policy refuses) is a failure left as it was.

Policies travel to the workers inside the task graph, pickled (``Policy.__reduce__``
rebuilds them from their options): a name is looked up in :data:`htmlguard.policies` here,
on the client, when the graph is built, so workers need no registry and a policy
registered only in this process works.

Needs the ``dask`` extra (``pip install 'htmlguard[dask]'``); ``import htmlguard`` does not
import this module.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from htmlguard._core import Policy, policies
from htmlguard.bulk.batch import sanitize_columns as _sanitize_batch
from htmlguard.bulk.errors import require
from htmlguard.bulk.parquet import DEFAULT_CODEC
from htmlguard.bulk.parquet import codecs as parquet_codecs
from htmlguard.bulk.report import Report

_EXTRA_HINT = "htmlguard.dask needs the dask extra: pip install 'htmlguard[dask]'"

try:
    import dask
    import dask.dataframe as dd
    import pandas as pd  # type: ignore[import-untyped]  # pandas has no type information
except ImportError as e:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(f"{_EXTRA_HINT} ({e})", name=e.name) from e

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["run_job", "sanitize_columns"]

#: The error a value of a CSV that is not UTF-8 is reported with (see :func:`run_job`).
INVALID_UTF8 = "UnicodeDecodeError: the value is not valid UTF-8"


# --- the public functions ------------------------------------------------------------------


@overload
def sanitize_columns(
    ddf: dd.DataFrame,
    columns: Mapping[str, Policy | str],
    *,
    report: Literal[False] = False,
    key: str | None = None,
    batch_size: int | None = None,
    samples: bool = False,
) -> dd.DataFrame: ...


@overload
def sanitize_columns(
    ddf: dd.DataFrame,
    columns: Mapping[str, Policy | str],
    *,
    report: Literal[True],
    key: str | None = None,
    batch_size: int | None = None,
    samples: bool = False,
) -> tuple[dd.DataFrame, Any]: ...


def sanitize_columns(
    ddf: dd.DataFrame,
    columns: Mapping[str, Policy | str],
    *,
    report: bool = False,
    key: str | None = None,
    batch_size: int | None = None,
    samples: bool = False,
) -> dd.DataFrame | tuple[dd.DataFrame, Any]:
    """A new Dask DataFrame with ``columns`` (name -> policy or registered policy name)
    sanitized; other columns, the index and the divisions are untouched. Lazy: nothing
    runs until the result is computed.

    With ``report=True`` returns ``(ddf, report)``, ``report`` a lazy Dask scalar whose
    value is the job's :class:`~htmlguard.bulk.report.Report`. Both come from the same
    tasks: compute them together (``dask.compute(ddf.to_parquet(..., compute=False),
    report)``) and each partition is sanitized once; computing the report alone
    sanitizes without keeping the output (a dry run).

    ``key``: the column that names a row in the report's failures and samples; by default
    a row is named by its position in the whole DataFrame (0-based). ``batch_size``: rows
    per ``sanitize_many`` call within a partition (default: the whole partition).
    ``samples``: keep up to 20 changed values in the report as examples.

    A categorical column comes back as ``object`` (a sanitized value may be no category);
    other columns keep their dtype (a failed value stays as it was).
    """
    resolved = _resolve(columns)
    _check_columns(ddf, resolved, key, batch_size)
    meta = _output_meta(ddf._meta, resolved)
    if not report:
        frame: Any = ddf  # Dask's methods are not all typed
        return frame.map_partitions(  # type: ignore[no-any-return]
            _sanitized_frame, resolved, key, batch_size, meta=meta, align_dataframes=False
        )
    return _with_report(ddf, resolved, meta, key=key, batch_size=batch_size, samples=samples)


def run_job(
    source: str | os.PathLike[str],
    dest: str | os.PathLike[str] | None,
    columns: Mapping[str, Policy | str],
    *,
    scheduler: str | Client | Any,
    dry_run: bool = False,
    batch_size: int | None = None,
) -> Report:
    """Read ``source`` (Parquet: a ``.parquet``/``.pq`` file, a directory of them or a glob;
    CSV: ``.csv``) with ``dask.dataframe`` on the cluster at ``scheduler`` (its address, a
    ``distributed.Client`` or a cluster object), sanitize ``columns``, write ``dest`` (a
    ``.csv`` file, else a Parquet directory) and return the merged report.

    ``dry_run``: write nothing; the report keeps samples of the changes. ``dest`` is
    written whole or not at all: the workers write a temporary sibling, renamed to
    ``dest`` when every partition is done (so ``dest`` must be a path the workers and
    this process share); an existing ``dest`` is replaced if it is a file or a directory
    of Parquet files, else refused. Rows are named in the report by their position in
    ``source`` (0-based, data rows only).

    CSV is read as text (no type guessing; an empty field is the empty string) and a value
    of a sanitized column that is not valid UTF-8 is a failure, written back byte for
    byte, as are the other columns. Each CSV file is one partition (posts hold line
    breaks, so a file cannot be cut at one): give several files (a glob) to spread a CSV
    job over the workers.
    """
    src_kind = _kind(source, "source")
    dest_kind = None
    if not dry_run:
        if dest is None:
            raise ValueError("dest is required unless dry_run=True")
        dest_kind = "csv" if _is_csv(dest) else "parquet"
        _check_replaceable(Path(dest))
    resolved = _resolve(columns)  # here, on the client: workers need no registry
    client: Any
    client, owned = _client(scheduler)
    try:
        ddf = _read(source, src_kind)
        _check_columns(ddf, resolved, None, batch_size)
        out, report = _with_report(
            ddf,
            resolved,
            _output_meta(ddf._meta, resolved),
            key=None,
            batch_size=batch_size,
            samples=dry_run,
            check_utf8=src_kind == "csv",
        )
        if dest_kind is None or dest is None:
            result: Report = client.compute(report, sync=True)
            return result
        dest_path = Path(dest)
        tmp = dest_path.with_name(f".{dest_path.name}.htmlguard-{uuid.uuid4().hex[:12]}")
        try:
            writer = _write(out, tmp, dest_kind, _compression(source, src_kind))
            _, result = client.compute([writer, report], sync=True)
            _publish(tmp, dest_path, dest_kind)
        finally:
            _remove(tmp)
        return result
    finally:
        if owned:
            client.close()


# --- policies and arguments ------------------------------------------------------------------


def _resolve(columns: Mapping[str, Policy | str]) -> dict[str, Policy]:
    """Each column's Policy; names looked up in this process's registry."""
    if not isinstance(columns, Mapping):
        raise TypeError(f"columns must be a mapping of column -> policy, not {type(columns)}")
    if not columns:
        raise ValueError("no columns to sanitize")
    out: dict[str, Policy] = {}
    for column, policy in columns.items():
        if isinstance(policy, str):
            out[column] = policies[policy]  # UnknownPolicyError here, not on a worker
        elif isinstance(policy, Policy):
            out[column] = policy
        else:
            raise TypeError(
                f"column {column!r}: expected a Policy or a registered policy name, "
                f"not {type(policy).__name__}"
            )
    return out


def _check_columns(
    ddf: Any, columns: Mapping[str, Policy], key: str | None, batch_size: int | None
) -> None:
    if batch_size is not None and (
        not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1
    ):
        raise ValueError(f"batch_size must be a positive int or None, not {batch_size!r}")
    if not isinstance(ddf, dd.DataFrame):
        raise TypeError(f"expected a dask.dataframe.DataFrame, not {type(ddf).__name__}")
    have = list(ddf.columns)
    missing = [c for c in (*columns, *([key] if key is not None else [])) if c not in have]
    if missing:
        raise ValueError(f"no column {', '.join(map(repr, missing))} in the DataFrame ({have})")


def _output_meta(meta: Any, columns: Mapping[str, Policy]) -> Any:
    out = meta.copy()
    for column in columns:
        if isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype(object)
    return out


# --- one partition -----------------------------------------------------------------------------


class _InvalidUTF8:
    """Stands in for a CSV value that was not UTF-8 (read as lone surrogates), so the batch
    step reports the row as failed and leaves the value alone."""

    __slots__ = ()


def _values(series: Any, check_utf8: bool) -> list[Any]:
    """The column's values as Python objects, every kind of missing value as None."""
    values: list[Any] = series.tolist()
    for i, missing in enumerate(series.isna().tolist()):
        if missing:
            values[i] = None
    if check_utf8:
        for i, v in enumerate(values):
            if isinstance(v, str) and not v.isascii():
                try:
                    v.encode("utf-8")
                except UnicodeEncodeError:
                    values[i] = _InvalidUTF8()
    return values


def _sanitize_partition(
    df: Any,
    columns: Mapping[str, Policy],
    key: str | None,
    batch_size: int | None,
    samples: bool = False,
    check_utf8: bool = False,
) -> tuple[Any, Report]:
    """The partition with ``columns`` sanitized, and its report (rows named by ``key``'s
    values, else by their position in the partition)."""
    n = len(df)
    step = batch_size or max(n, 1)
    report = Report()
    changes: dict[str, tuple[list[int], list[str]]] = {c: ([], []) for c in columns}
    for start in range(0, n, step):
        stop = min(n, start + step)
        part = df.iloc[start:stop]
        table = {c: _values(part[c], check_utf8) for c in columns}
        keys = part[key].tolist() if key is not None else range(start, stop)
        new, batch_report = _sanitize_batch(table, columns, keys, samples=samples)
        if check_utf8:
            batch_report.failures = [_utf8_failure(f) for f in batch_report.failures]
        report.merge(batch_report)
        for column in columns:
            positions, values = changes[column]
            for i, (before, after) in enumerate(zip(table[column], new[column], strict=True)):
                if after is not before:  # the batch step replaces changed values only
                    positions.append(start + i)
                    values.append(after)
    out = df.copy(deep=False)
    for column in columns:
        series = out[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        positions, values = changes[column]
        if positions:
            series = series.copy()
            series.iloc[positions] = values
        out[column] = series
    return out, report


def _utf8_failure(failure: Any) -> Any:
    if failure.error.endswith(f"got {_InvalidUTF8.__name__}"):
        return replace(failure, error=INVALID_UTF8)
    return failure


def _sanitized_frame(
    df: Any, columns: Mapping[str, Policy], key: str | None, batch_size: int | None
) -> Any:
    return _sanitize_partition(df, columns, key, batch_size)[0]


def _frame_of(pair: tuple[Any, Report]) -> Any:
    return pair[0]


def _report_series(pair: tuple[Any, Report]) -> Any:
    return pd.Series([pair[1]], dtype=object)


# --- the report: one per partition, merged in partition order --------------------------------


def _merged(reports: Iterable[Report], by_position: bool) -> Report:
    """The reports of consecutive parts, merged; with ``by_position`` each part's row
    positions are made relative to the first part (so merging is associative, and a tree
    of merges over the partitions in order names rows by their place in the whole)."""
    total = Report()
    for r in reports:
        if by_position and total.rows_read:
            offset = total.rows_read
            r = replace(
                r,
                failures=[replace(f, key=f.key + offset) for f in r.failures],
                samples=[replace(c, key=c.key + offset) for c in r.samples],
            )
        total.merge(r)
    return total


def _first(series: Any) -> Report:
    # Dask may call this on the empty meta too (when planning a one-partition reduction).
    report: Report = series.iloc[0] if len(series) else Report()
    return report


def _merge_series(series: Any, by_position: bool) -> Report:
    return _merged(series.tolist(), by_position)


def _with_report(
    ddf: Any,
    columns: Mapping[str, Policy],
    meta: Any,
    *,
    key: str | None,
    batch_size: int | None,
    samples: bool,
    check_utf8: bool = False,
) -> tuple[Any, Any]:
    # One task per partition makes (frame, report); the frame and the report collections
    # both read it, so computing them together sanitizes each partition once.
    pairs = ddf.map_partitions(
        _sanitize_partition,
        columns,
        key,
        batch_size,
        samples,
        check_utf8,
        meta=ddf._meta,  # not the partitions' type (tuples): only the two below read them
        enforce_metadata=False,
        align_dataframes=False,
    )
    out = pairs.map_partitions(_frame_of, meta=meta, align_dataframes=False)
    reports = pairs.map_partitions(
        _report_series, meta=(None, object), enforce_metadata=False, align_dataframes=False
    )
    by_position = key is None
    report = reports.reduction(
        _first,
        combine=_merge_series,
        aggregate=_merge_series,
        combine_kwargs={"by_position": by_position},
        aggregate_kwargs={"by_position": by_position},
        meta=object,
    )
    return out, report


# --- run_job: reading, writing, the client -----------------------------------------------------

_PARQUET_SUFFIXES = (".parquet", ".pq")


def _is_csv(path: str | os.PathLike[str]) -> bool:
    return os.fspath(path).lower().endswith(".csv")


def _kind(source: str | os.PathLike[str], what: str) -> str:
    name = os.fspath(source)
    if _is_csv(name):
        return "csv"
    if name.lower().endswith(_PARQUET_SUFFIXES) or os.path.isdir(name):
        return "parquet"
    raise ValueError(
        f"{what} {name!r}: expected a .csv file or glob, or Parquet "
        "(a .parquet/.pq file or glob, or a directory)"
    )


def _read(source: str | os.PathLike[str], kind: str) -> Any:
    if kind == "parquet":
        return dd.read_parquet(os.fspath(source))
    # Text as it is in the file: no type guessing, no NaN for empty fields, and bytes that
    # are not UTF-8 kept (as lone surrogates) so they fail their row alone and are written
    # back as they were. Pyarrow strings cannot hold those: object columns.
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.read_csv(
            os.fspath(source),
            blocksize=None,  # a file per partition: a quoted value may hold a line break
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            encoding="utf-8",
            encoding_errors="surrogateescape",
        )


def _compression(source: str | os.PathLike[str], kind: str) -> str | dict[str, str]:
    """A Parquet source's compression, read here from its first file (as a local bulk job
    keeps it); Dask's default when the source is CSV or not a path this process reads."""
    if kind == "parquet":
        import glob

        pq = require("pyarrow.parquet", "Parquet")
        name = os.fspath(source)
        if os.path.isdir(name):
            files = sorted(
                str(p) for p in Path(name).rglob("*") if p.suffix.lower() in _PARQUET_SUFFIXES
            )
        else:
            files = sorted(glob.glob(name))
        if files:
            try:
                return parquet_codecs(pq.ParquetFile(files[0]).metadata)
            except (OSError, ValueError):
                pass
    return DEFAULT_CODEC


def _write(out: Any, tmp: Path, kind: str, compression: str | dict[str, str]) -> Any:
    """A lazy scalar that writes ``out`` into the directory ``tmp`` (Parquet files, or one
    CSV file per partition for :func:`_publish` to join). An expression like the report,
    so the two computed together share the partitions' tasks (Dask's ``to_csv`` goes
    through delayed objects, which would sanitize every partition a second time)."""
    if kind == "csv":
        tmp.mkdir()
        parts = out.map_partitions(_write_csv_part, str(tmp), meta=(None, "int64"))
        return parts.sum()
    # A named index is data (set_index, or pandas' metadata); Dask's default one is not.
    return out.to_parquet(
        str(tmp),
        write_index=out.index.name is not None,
        name_function=_part_name,
        compression=compression,
        compute=False,
    )


def _part_name(number: int) -> str:
    # Zero-padded: readers that sort file names (pyarrow, pandas) keep the rows' order.
    return f"part.{number:08}.parquet"


def _write_csv_part(df: Any, directory: str, partition_info: dict[str, Any] | None = None) -> Any:
    number = partition_info["number"] if partition_info else 0
    df.to_csv(
        Path(directory, f"part-{number:08}.csv"),
        index=False,
        header=number == 0,
        encoding="utf-8",
        errors="surrogateescape",  # bytes that were not UTF-8 go back as they came
    )
    return pd.Series([len(df)], dtype="int64")


def _is_parquet_dir(path: Path) -> bool:
    return all(
        p.is_file() and (p.suffix in _PARQUET_SUFFIXES or p.name.startswith("_"))
        for p in path.iterdir()
    )


def _check_replaceable(dest: Path) -> None:
    if dest.is_dir() and not _is_parquet_dir(dest):
        raise FileExistsError(f"{dest} is a directory holding more than Parquet files")


def _publish(tmp: Path, dest: Path, kind: str) -> None:
    """Put what the workers wrote into ``tmp`` in place of ``dest``."""
    if kind == "csv":
        joined = tmp.with_name(f"{tmp.name}.csv")
        try:
            with open(joined, "wb") as out:
                for part in sorted(tmp.iterdir()):
                    with open(part, "rb") as f:
                        shutil.copyfileobj(f, out, 1 << 20)
            os.replace(joined, dest)
        finally:
            _remove(joined)
    elif dest.is_dir():
        _check_replaceable(dest)
        old = dest.with_name(f"{tmp.name}-old")
        os.replace(dest, old)
        os.replace(tmp, dest)
        shutil.rmtree(old)
    else:
        os.replace(tmp, dest)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


def _client(scheduler: Any) -> tuple[Client, bool]:
    """The client for ``scheduler`` and whether we made it (and so close it)."""
    try:
        from distributed import Client
    except ImportError as e:
        raise ImportError(f"{_EXTRA_HINT} ({e})", name=e.name) from e
    if isinstance(scheduler, Client):
        return scheduler, False
    if not isinstance(scheduler, str) and not hasattr(scheduler, "scheduler_address"):
        raise TypeError(
            "scheduler must be an address, a distributed.Client or a cluster, "
            f"not {type(scheduler).__name__}"
        )
    return Client(scheduler, set_as_default=False), True  # type: ignore[no-untyped-call]
