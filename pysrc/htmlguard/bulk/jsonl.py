"""JSON Lines: one JSON object per line.

- A line whose chosen fields did not change is written back byte for byte; a changed one
  is ``json.dumps`` of the parsed object with the new values (key order, strings and
  integers as they were; a float as the shortest text of the same double), ending as the
  line ended.
- Fields not chosen pass through untouched; a chosen field an object lacks counts as NULL.
- A line that cannot be rewritten faithfully is a failed row (reported by line number,
  written as it was): invalid UTF-8 or JSON, not an object, a key given twice (``json``
  would keep only the last), a number too large or too precise for a double. Blank lines
  are kept and are not rows.
- Rows are keyed by line number (from 1), or by the ``key`` field when one is named.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from htmlguard.bulk.errors import BulkError
from htmlguard.bulk.formats import Chunk
from htmlguard.bulk.report import SAMPLE_LIMIT, Failure, Report


class _BadLine(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for k, v in pairs:
        if k in obj:
            raise _BadLine(f"key {k!r} appears twice in one object")
        obj[k] = v
    return obj


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _BadLine(f"number {text[:40]} is too large for a double")
    # Written back as repr(value): refuse a number that would not mean the same ("1.50" is
    # 1.5, but 0.10000000000000000001 would become 0.1).
    if Decimal(repr(value)) != Decimal(text):
        raise _BadLine(f"number {text[:40]} has more digits than a double keeps")
    return value


#: Built once: json.loads with hooks builds a decoder on every call.
_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_float=_float)


def _parse(raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise _BadLine(f"invalid UTF-8 at byte {e.start}") from None
    try:
        obj = _DECODER.decode(text)
    except _BadLine:
        raise
    except ValueError as e:
        raise _BadLine(f"invalid JSON: {e}") from None
    if not isinstance(obj, dict):
        raise _BadLine(f"a JSON {type(obj).__name__}, not an object")
    return obj


def _dumps(obj: dict[str, Any]) -> bytes:
    text = json.dumps(obj, ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (from a \ud800 escape): keep it escaped
        return json.dumps(obj).encode("ascii")


class JSONLines:
    def __init__(self, source: Path, columns: Sequence[str], key: str | None) -> None:
        self.columns = list(columns)
        self.key = key
        try:
            self._file = open(source, "rb")  # noqa: SIM115 (closed by close())
        except OSError as e:
            raise BulkError(f"cannot read {str(source)!r}: {e.strerror or e}") from None
        self._size = os.fstat(self._file.fileno()).st_size

    def header(self) -> bytes:
        return b""

    def total(self) -> tuple[int, str]:
        return self._size, "B"

    def progress(self, chunk: Chunk) -> int:
        return chunk.end

    def close(self) -> None:
        self._file.close()

    def finish(self, partial: Path, out: Path) -> bool:
        return False

    def chunks(self, start: int, rows: int, size: int) -> Iterator[Chunk]:
        f = self._file
        f.seek(start)
        pos, lineno = start, rows
        while True:
            # Entries in order: (raw line, None) passes through, (raw, obj) is a row.
            entries: list[tuple[bytes, dict[str, Any] | None]] = []
            extra = Report()
            table: dict[str, list[Any]] = {c: [] for c in self.columns}
            keys: list[Any] = []
            while len(keys) + extra.rows_read < size:
                raw = f.readline()
                if not raw:
                    break
                pos += len(raw)
                lineno += 1
                if not raw.strip():
                    entries.append((raw, None))
                    continue
                try:
                    obj = _parse(raw)
                except _BadLine as e:
                    extra.rows_read += 1
                    extra.failed += 1
                    if len(extra.failures) < SAMPLE_LIMIT:
                        extra.failures.append(Failure(lineno, "", str(e)))
                    entries.append((raw, None))
                    continue
                entries.append((raw, obj))
                keys.append(obj.get(self.key, lineno) if self.key else lineno)
                for c in self.columns:
                    table[c].append(obj.get(c))
            if not entries:
                return
            yield Chunk(table, keys, pos, lineno, self._renderer(entries, table), extra)

    def _renderer(
        self, entries: list[tuple[bytes, dict[str, Any] | None]], old: dict[str, list[Any]]
    ) -> Callable[[dict[str, list[Any]]], bytes]:
        columns = self.columns

        def render(new: dict[str, list[Any]]) -> bytes:
            out: list[bytes] = []
            i = 0
            for raw, obj in entries:
                if obj is None:
                    out.append(raw)
                    continue
                changed = [c for c in columns if new[c][i] is not old[c][i]]
                if changed:
                    for c in changed:
                        obj[c] = new[c][i]
                    ending = raw[len(raw.rstrip(b"\r\n")) :]
                    out.append(_dumps(obj) + ending)
                else:
                    out.append(raw)
                i += 1
            return b"".join(out)

        return render
