"""What a bulk job did: counts per row, removals per kind, tag and attribute, and samples.

A :class:`Report` is built per batch (:func:`htmlguard.bulk.batch.sanitize_columns`) and the
job's total is their :meth:`Report.merge`, so batches done in other processes (Dask
partitions, a resumed run's earlier batches stored in its checkpoint) add up the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

#: How many failures and changes a report keeps as examples (counts are always complete).
SAMPLE_LIMIT = 20


@dataclass(frozen=True)
class Failure:
    """One value that could not be sanitized: where it is and why."""

    key: Any
    column: str
    error: str

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "column": self.column, "error": self.error}


@dataclass(frozen=True)
class Change:
    """One value the policy changed (kept as a sample, e.g. for ``--dry-run``)."""

    key: Any
    column: str
    before: str
    after: str

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "column": self.column, "before": self.before, "after": self.after}


@dataclass
class Report:
    """Totals of a bulk job or of one batch of it.

    Row counts: a row is *failed* if any of its columns failed, else *changed* if any
    column's value changed, else *unchanged*; a SQL sink moves a changed row it could not
    write because it was edited since it was read to *skipped* (left as the edit made it);
    ``rows_read`` is their sum. NULL (``None``) values are left as they are and counted in
    ``nulls``. Byte counts are UTF-8 bytes of the string values read and sanitized.
    """

    rows_read: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    nulls: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_tag: Counter[str] = field(default_factory=Counter)
    #: ``"tag[attribute]"`` -> count, as :class:`htmlguard.Report` prints them.
    by_attribute: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    samples: list[Change] = field(default_factory=list)
    #: Last, so that positional construction of the fields above is unchanged.
    skipped: int = 0

    def merge(self, other: Report) -> None:
        """Add ``other``'s counts (and samples, up to :data:`SAMPLE_LIMIT`) to this one."""
        self.rows_read += other.rows_read
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.failed += other.failed
        self.skipped += other.skipped
        self.nulls += other.nulls
        self.bytes_in += other.bytes_in
        self.bytes_out += other.bytes_out
        self.by_kind.update(other.by_kind)
        self.by_tag.update(other.by_tag)
        self.by_attribute.update(other.by_attribute)
        self.failures.extend(other.failures[: max(0, SAMPLE_LIMIT - len(self.failures))])
        self.samples.extend(other.samples[: max(0, SAMPLE_LIMIT - len(self.samples))])

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable data (``--json``, checkpoints)."""
        return {
            "rows_read": self.rows_read,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "skipped": self.skipped,
            "nulls": self.nulls,
            "bytes_in": self.bytes_in,
            "bytes_out": self.bytes_out,
            "by_kind": dict(self.by_kind),
            "by_tag": dict(self.by_tag),
            "by_attribute": dict(self.by_attribute),
            "failures": [f.to_dict() for f in self.failures],
            "samples": [c.to_dict() for c in self.samples],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """The inverse of :meth:`to_dict`."""
        return cls(
            rows_read=int(data["rows_read"]),
            changed=int(data["changed"]),
            unchanged=int(data["unchanged"]),
            failed=int(data["failed"]),
            skipped=int(data.get("skipped", 0)),  # absent from reports written before it
            nulls=int(data["nulls"]),
            bytes_in=int(data["bytes_in"]),
            bytes_out=int(data["bytes_out"]),
            by_kind=Counter(data["by_kind"]),
            by_tag=Counter(data["by_tag"]),
            by_attribute=Counter(data["by_attribute"]),
            failures=[Failure(**f) for f in data["failures"]],
            samples=[Change(**c) for c in data["samples"]],
        )


def excerpt(old: str, new: str, width: int = 100) -> tuple[str, str]:
    """`old` and `new` cut to about `width` characters around where they first differ, an
    ellipsis marking each cut (for showing a change on one line)."""
    start = 0
    for a, b in zip(old, new, strict=False):
        if a != b:
            break
        start += 1
    start = max(0, start - width // 4)

    def cut(text: str) -> str:
        part = text[start : start + width]
        return ("…" if start else "") + part + ("…" if start + width < len(text) else "")

    return cut(old), cut(new)
