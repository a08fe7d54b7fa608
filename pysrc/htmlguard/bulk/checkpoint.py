"""A job's checkpoint: where it got to, what it did so far, and which job it belongs to.

Written atomically after each committed batch (:mod:`htmlguard.bulk.atomic`). The
fingerprint is a hash of everything that decides the output (the source and its size and
modification time, the destination, the columns and each policy's ``to_dict()``), so a
checkpoint is never used to resume a different job: :func:`load` raises
:class:`~htmlguard.bulk.errors.CheckpointError` instead.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from htmlguard.bulk.atomic import write_atomic
from htmlguard.bulk.errors import CheckpointError
from htmlguard.bulk.report import Report

VERSION = 1


def fingerprint(job: dict[str, Any]) -> str:
    """A stable hash of `job` (JSON data; keys sorted)."""
    canonical = json.dumps(job, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Checkpoint:
    fingerprint: str
    #: The source position after the last committed batch: a byte offset (JSON Lines,
    #: CSV), a row number (Parquet) or the last key (SQL); None before the first batch.
    position: Any
    #: Rows (records, lines) consumed from the source so far: numbers the next ones.
    rows: int
    #: Bytes of the partial output that belong to committed batches (files only).
    output_size: int
    report: Report
    #: For the reader: what the job is (not compared; the fingerprint is).
    job: dict[str, Any]

    def save(self, path: Path) -> None:
        data = {
            "version": VERSION,
            "fingerprint": self.fingerprint,
            "position": self.position,
            "rows": self.rows,
            "output_size": self.output_size,
            "report": self.report.to_dict(),
            "job": self.job,
        }
        write_atomic(path, json.dumps(data, default=str, ensure_ascii=False).encode())


def load(path: Path, expected: str) -> Checkpoint | None:
    """The checkpoint at `path` if there is one; raises CheckpointError if it is not this
    job's (a different fingerprint) or cannot be read."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        data = json.loads(raw)
        if data.get("version") != VERSION:
            raise ValueError(f"version {data.get('version')!r}, expected {VERSION}")
        found = Checkpoint(
            fingerprint=str(data["fingerprint"]),
            position=data["position"],
            rows=int(data["rows"]),
            output_size=int(data["output_size"]),
            report=Report.from_dict(data["report"]),
            job=dict(data["job"]),
        )
    except (ValueError, KeyError, TypeError) as e:
        raise CheckpointError(
            f"checkpoint {str(path)!r} cannot be read ({e}); delete it to start over"
        ) from None
    if found.fingerprint != expected:
        raise CheckpointError(
            f"checkpoint {str(path)!r} belongs to another job (a different source, "
            "destination, column or policy, or the source changed since): finish that job "
            "or delete the checkpoint to start over"
        )
    return found
