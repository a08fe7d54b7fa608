"""The file formats a job reads and writes, behind one interface.

A format reads its source from a position in :class:`Chunk` s: the chosen columns' values
for :func:`~htmlguard.bulk.batch.sanitize_columns`, a key per row, the position after the
chunk, and ``render``, which turns the sanitized values into the chunk's bytes of partial
output (rows kept in source order, unchosen fields untouched). The partial output of
JSON Lines and CSV is the final file; Parquet's is a staging file that :meth:`finish`
converts (a Parquet file's footer is written at its end, so a killed writer leaves nothing
readable to continue from).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from htmlguard.bulk.errors import BulkError
from htmlguard.bulk.report import Report

#: ``--format`` names, and the suffixes that choose them.
SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}
FORMATS = ("jsonl", "csv", "parquet")


@dataclass
class Chunk:
    #: The chosen columns' values, one per row handed to the batch step.
    table: dict[str, list[Any]]
    keys: list[Any]
    #: The source position after this chunk, and the rows (records, lines) it consumed.
    end: int
    rows: int
    #: The chunk's output given the new values of the chosen columns.
    render: Callable[[dict[str, list[Any]]], bytes | memoryview]
    #: Rows the format could not hand to the batch step (a line that is not a JSON
    #: object...): counted as failed, written as they were.
    extra: Report = field(default_factory=Report)


class Format(Protocol):
    def header(self) -> bytes:
        """What the partial output starts with (the CSV header line)."""
        ...

    def chunks(self, start: int, rows: int, size: int) -> Iterator[Chunk]:
        """Chunks of at most `size` rows from position `start`, `rows` rows already read."""
        ...

    def total(self) -> tuple[int, str]:
        """The progress bar's total and unit (bytes of a text file, rows of Parquet)."""
        ...

    def progress(self, chunk: Chunk) -> int:
        """How far `chunk` got, in :meth:`total`'s unit."""
        ...

    # Optional: ``begin(partial, out, committed)`` starts the final file before the first
    # batch (see ParquetFile.begin); :meth:`finish` then completes it.

    def finish(self, partial: Path, out: Path) -> bool:
        """Write the final file to `out` from `partial` and return True, or return False if
        `partial` is the final file itself."""
        ...

    def close(self) -> None: ...


def format_for(path: Path, name: str | None) -> str:
    if name is not None:
        if name not in FORMATS:
            raise BulkError(f"unknown format {name!r}: expected one of {', '.join(FORMATS)}")
        return name
    found = SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise BulkError(
            f"cannot tell the format of {str(path)!r} from its suffix: name it with --format "
            f"({', '.join(FORMATS)})"
        )
    return found


def open_format(name: str, source: Path, columns: Sequence[str], key: str | None) -> Format:
    """The reader/writer for `source` (checked: readable, the columns exist where the
    format has a header or schema)."""
    if name == "jsonl":
        from htmlguard.bulk.jsonl import JSONLines

        return JSONLines(source, columns, key)
    if name == "csv":
        from htmlguard.bulk.csvfile import CSVFile

        return CSVFile(source, columns, key)
    from htmlguard.bulk.parquet import ParquetFile

    return ParquetFile(source, columns, key)
