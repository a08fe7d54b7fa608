"""CSV with a header line (Python's ``csv`` module, its default "excel" dialect).

- Every value is text. A record whose chosen columns did not change is written back byte
  for byte (the reader hands out each record's own lines); a changed one is written by
  ``csv.writer`` (minimal quoting), ending as the record ended.
- Bytes are decoded as UTF-8 with ``surrogateescape``: invalid UTF-8 in a chosen column
  makes the row fail (reported, written as it was); elsewhere it passes through unchanged,
  byte for byte, even in a rewritten record.
- A record with fewer fields than a chosen column needs is a failed row. Rows are keyed by
  record number (from 1, the header not counted), or by the ``key`` column when named.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from htmlguard.bulk.errors import BulkError
from htmlguard.bulk.formats import Chunk
from htmlguard.bulk.report import SAMPLE_LIMIT, Failure, Report

#: A stored HTML value may be far larger than csv's default field limit (128 KiB).
FIELD_LIMIT = 1 << 30


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


class _Lines:
    """The file's lines as text, remembering the raw bytes of those read since the last
    :meth:`take` (so a record's own bytes are known) and the offset reached."""

    def __init__(self, f: io.BufferedReader, pos: int) -> None:
        self._f = f
        self.pos = pos
        self._raw: list[bytes] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        raw = self._f.readline()
        if not raw:
            raise StopIteration
        self.pos += len(raw)
        self._raw.append(raw)
        return _decode(raw)

    def take(self) -> bytes:
        raw, self._raw = b"".join(self._raw), []
        return raw


class CSVFile:
    def __init__(self, source: Path, columns: Sequence[str], key: str | None) -> None:
        if csv.field_size_limit() < FIELD_LIMIT:
            csv.field_size_limit(FIELD_LIMIT)
        self.columns = list(columns)
        try:
            self._file = open(source, "rb")  # noqa: SIM115 (closed by close())
        except OSError as e:
            raise BulkError(f"cannot read {str(source)!r}: {e.strerror or e}") from None
        self._size = os.fstat(self._file.fileno()).st_size
        lines = _Lines(self._file, 0)
        try:
            names = next(csv.reader(lines))
        except StopIteration:
            raise BulkError(f"{str(source)!r} is empty: a CSV source needs a header line") from None
        except csv.Error as e:
            raise BulkError(f"{str(source)!r}: cannot read the header: {e}") from None
        self._header = lines.take()
        self._body = lines.pos
        wanted = [*self.columns, *([key] if key else [])]
        missing = [c for c in wanted if c not in names]
        if missing:
            raise BulkError(
                f"{str(source)!r} has no column {', '.join(map(repr, missing))} "
                f"(its header: {', '.join(names)})"
            )
        self._index = {c: names.index(c) for c in wanted}
        self._key = key

    def header(self) -> bytes:
        return self._header

    def total(self) -> tuple[int, str]:
        return self._size, "B"

    def progress(self, chunk: Chunk) -> int:
        return chunk.end

    def close(self) -> None:
        self._file.close()

    def finish(self, partial: Path, out: Path) -> bool:
        return False

    def chunks(self, start: int, rows: int, size: int) -> Iterator[Chunk]:
        start = max(start, self._body)
        self._file.seek(start)
        lines = _Lines(self._file, start)
        reader = csv.reader(lines)
        need = max(self._index.values()) + 1
        number = rows
        while True:
            entries: list[tuple[bytes, list[str] | None]] = []
            extra = Report()
            table: dict[str, list[Any]] = {c: [] for c in self.columns}
            keys: list[Any] = []
            while len(entries) < size:
                record: list[str] | None
                error: str | None = None
                try:
                    record = next(reader)
                except StopIteration:
                    break
                except csv.Error as e:  # e.g. a quote left open at the end of the file
                    record, error = None, f"unreadable CSV record: {e}"
                if record is not None and len(record) < need:
                    error = f"{len(record)} fields, the chosen columns need {need}"
                raw = lines.take()
                number += 1
                if record is None or error is not None:
                    extra.rows_read += 1
                    extra.failed += 1
                    if len(extra.failures) < SAMPLE_LIMIT:
                        extra.failures.append(Failure(number, "", str(error)))
                    entries.append((raw, None))
                    continue
                entries.append((raw, record))
                keys.append(record[self._index[self._key]] if self._key else number)
                for c in self.columns:
                    table[c].append(record[self._index[c]])
            if not entries:
                return
            yield Chunk(table, keys, lines.pos, number, self._renderer(entries, table), extra)

    def _renderer(
        self, entries: list[tuple[bytes, list[str] | None]], old: dict[str, list[Any]]
    ) -> Callable[[dict[str, list[Any]]], bytes]:
        index = self._index
        columns = self.columns

        def render(new: dict[str, list[Any]]) -> bytes:
            out: list[bytes] = []
            i = 0
            for raw, record in entries:
                if record is None:
                    out.append(raw)
                    continue
                changed = [c for c in columns if new[c][i] is not old[c][i]]
                if changed:
                    for c in changed:
                        record[index[c]] = new[c][i]
                    ending = raw[len(raw.rstrip(b"\r\n")) :].decode("ascii")
                    text = io.StringIO()
                    csv.writer(text, lineterminator=ending).writerow(record)
                    out.append(_encode(text.getvalue()))
                else:
                    out.append(raw)
                i += 1
            return b"".join(out)

        return render
