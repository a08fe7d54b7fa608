"""One batch of a bulk job: sanitize chosen columns of some rows, and report what changed.

This is the one piece every runner shares (the single-machine job, Dask partitions, the
Flask and Django commands), so a value is handled the same way wherever it runs:

- ``None`` (SQL NULL, an empty Parquet cell) stays ``None`` and is counted in ``nulls``;
- a ``str`` goes through the column's policy, all of a column's strings in one core call
  (every core, GIL released);
- anything else (a number, bytes, a string the policy refuses, such as one over its
  ``max_input_bytes``, a string holding lone surrogates, which is how invalid UTF-8 read
  with ``surrogateescape`` arrives and which the core would turn into U+FFFD) is a per-row
  *failure*: the value is returned as it was, the row is
  counted in ``failed``, and the job goes on. What a runner writes for a failed row is its
  choice (its docs say); it must never write a value the policy did not produce in place of
  one it did.

A :class:`htmlguard.Policy` (or :class:`htmlguard.bulk.workers.Threaded`) takes a whole
column in one ``Policy._bulk_batch`` call: the core inspects every string on its pool with
the GIL released once, sums the removals, and hands back unchanged values as the objects
it was given. Any other sanitizer (the Django command's chain of a field's policies) goes
value by value: ``inspect_results`` if it has it, else ``sanitize_many`` and then
``inspect`` of the values that changed (a value the policy leaves alone removed nothing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from htmlguard._core import Policy
from htmlguard.bulk import arrow
from htmlguard.bulk.report import SAMPLE_LIMIT, Change, Failure, Report
from htmlguard.errors import HTMLGuardError


class Findings(Protocol):
    """What :meth:`htmlguard.Policy.inspect`'s report gives the batch step."""

    @property
    def by_kind(self) -> Mapping[str, int]: ...
    @property
    def by_tag(self) -> Mapping[str, int]: ...
    @property
    def by_attribute(self) -> Mapping[tuple[str, str], int]: ...


class Sanitizer(Protocol):
    """What the batch step needs of a column's policy: a :class:`htmlguard.Policy`, or a
    wrapper around one (:class:`htmlguard.bulk.workers.Threaded` sizes the parallelism,
    the Django command chains a field's passes)."""

    def sanitize(self, html: str, /) -> str: ...
    def sanitize_many(self, htmls: list[str], /) -> list[str]: ...
    def inspect(self, html: str, /) -> Findings: ...


class InspectsMany(Protocol):
    def inspect_results(self, htmls: list[str], /) -> list[tuple[str, Findings] | BaseException]:
        """Each value's output and removals, or the exception that value alone raises."""
        ...


#: What sanitizing one value gave: the output and its removals if known, or the error.
Result = tuple[str, Findings | None] | BaseException


def _utf8_len(s: str) -> int:
    return len(s.encode("utf-8", "surrogatepass"))


def inspect_results(
    policy: Policy, values: list[str]
) -> list[tuple[str, Findings] | BaseException]:
    """Each value's output and removals from ``Policy.inspect_many`` (one parallel pass, GIL
    released), or the exception that value alone raises."""
    try:
        return [(r.html, r) for r in policy.inspect_many(values)]
    except (HTMLGuardError, ValueError, TypeError):
        # One bad value fails the whole call: redo the batch one value at a time.
        out: list[tuple[str, Findings] | BaseException] = []
        for v in values:
            try:
                r = policy.inspect(v)
            except (HTMLGuardError, ValueError, TypeError) as e:
                out.append(e)
            else:
                out.append((r.html, r))
        return out


class WholeColumn(Protocol):
    def _bulk_batch(self, values: list[Any], /) -> tuple[Any, ...]:
        """A column's values in one call (``Policy._bulk_batch``): outputs, changed
        indexes, failures, bytes in and out, removals by kind, tag and attribute."""
        ...


def _outputs(policy: Sanitizer, values: list[str]) -> list[Result]:
    if isinstance(policy, Policy):
        return list(inspect_results(policy, values))
    results = getattr(policy, "inspect_results", None)
    if results is not None:
        found: list[Result] = results(values)
        return found
    return [
        r if isinstance(r, BaseException) else (r, None) for r in _sanitize_values(policy, values)
    ]


def _sanitize_values(policy: Sanitizer, values: list[str]) -> list[str | BaseException]:
    """Each value's output, or the exception that value alone raises."""
    try:
        return list(policy.sanitize_many(values))
    except (HTMLGuardError, ValueError, TypeError):
        # One bad value fails the whole call: redo the batch one value at a time so only
        # the bad ones fail (rare, so the slow path does not matter).
        out: list[str | BaseException] = []
        for v in values:
            try:
                out.append(policy.sanitize(v))
            except (HTMLGuardError, ValueError, TypeError) as e:
                out.append(e)
        return out


def _arrow_column(policy: Sanitizer) -> Any:
    """How `policy` takes a whole Arrow string column (:mod:`htmlguard.bulk.arrow`), or
    None for a sanitizer that cannot (its values then go as a list)."""
    whole = getattr(policy, "_bulk_arrow", None)
    if whole is not None:
        return whole
    if isinstance(policy, Policy):
        return lambda array: arrow.bulk(policy, array)
    return None


def sanitize_columns(
    table: Mapping[str, Sequence[Any]],
    columns: Mapping[str, Sanitizer],
    keys: Sequence[Any],
    *,
    samples: bool = False,
) -> tuple[dict[str, list[Any]], Report]:
    """Sanitize ``table[c]`` with ``columns[c]`` for each chosen column ``c``.

    ``table`` holds columns of equal length (one entry per row; a list, or a pyarrow array,
    which comes back an array when it is a string column), ``keys`` identifies each
    row in failures and samples (a primary key, a line number). Returns the new values of
    the chosen columns (other columns are not copied) and the batch's :class:`Report`;
    ``samples=True`` keeps up to :data:`~htmlguard.bulk.report.SAMPLE_LIMIT` changed
    values as examples (``--dry-run``).
    """
    n = len(keys)
    report = Report(rows_read=n)
    row_failed = [False] * n
    row_changed = [False] * n
    out: dict[str, list[Any]] = {}
    for column, policy in columns.items():
        values: Any = table[column]
        whole = _arrow_column(policy) if arrow.is_strings(values) else None
        if whole is not None:
            nulls = values.null_count
        else:
            values = values.to_pylist() if arrow.is_array(values) else list(values)
            whole = getattr(policy, "_bulk_batch", None)
            nulls = sum(1 for v in values if v is None)
        if len(values) != n:
            raise ValueError(f"column {column!r} has {len(values)} values for {n} keys")
        if whole is not None:
            outputs, changed, failures, b_in, b_out, by_kind, by_tag, by_attr = whole(values)
            report.bytes_in += b_in
            report.bytes_out += b_out
            report.by_kind.update(by_kind)
            report.by_tag.update(by_tag)
            report.by_attribute.update({f"{t}[{a}]": c for (t, a), c in by_attr.items()})
            report.nulls += nulls
            for i, why in failures:
                row_failed[i] = True
                report.failures.append(Failure(keys[i], column, why))
            for i in changed:
                row_changed[i] = True
                if samples and len(report.samples) < SAMPLE_LIMIT:
                    before, after = arrow.value(values, i), arrow.value(outputs, i)
                    report.samples.append(Change(keys[i], column, before, after))
            out[column] = outputs
            continue
        new_values: list[Any] = list(values)
        todo: list[int] = []
        for i, v in enumerate(values):
            if not isinstance(v, str):
                continue
            try:
                report.bytes_in += len(v.encode("utf-8"))
            except UnicodeEncodeError as e:
                report.bytes_in += _utf8_len(v)
                row_failed[i] = True
                error = f"UnicodeError: invalid UTF-8 or a lone surrogate at character {e.start}"
                report.failures.append(Failure(keys[i], column, error))
                continue
            todo.append(i)
        results = _outputs(policy, [values[i] for i in todo])
        for i, outcome in zip(todo, results, strict=True):
            before = values[i]
            if isinstance(outcome, BaseException):
                row_failed[i] = True
                report.failures.append(
                    Failure(keys[i], column, f"{type(outcome).__name__}: {outcome}")
                )
                continue
            result, found = outcome
            report.bytes_out += _utf8_len(result)
            if result != before:
                row_changed[i] = True
                new_values[i] = result
                if found is None:
                    found = policy.inspect(before)
                report.by_kind.update(found.by_kind)
                report.by_tag.update(found.by_tag)
                report.by_attribute.update(
                    {f"{t}[{a}]": c for (t, a), c in found.by_attribute.items()}
                )
                if samples and len(report.samples) < SAMPLE_LIMIT:
                    report.samples.append(Change(keys[i], column, before, result))
        for i, v in enumerate(values):
            if v is None:
                report.nulls += 1
            elif not isinstance(v, str):
                row_failed[i] = True
                report.failures.append(
                    Failure(
                        keys[i], column, f"TypeError: expected str or None, got {type(v).__name__}"
                    )
                )
        out[column] = new_values
    report.failed = sum(row_failed)
    report.changed = sum(c and not f for c, f in zip(row_changed, row_failed, strict=True))
    report.unchanged = n - report.failed - report.changed
    # Every failure of the batch is listed (a batch is bounded; Report.merge keeps the first
    # SAMPLE_LIMIT of a job's): a caller can tell each failed row from an unchanged one.
    return out, report
