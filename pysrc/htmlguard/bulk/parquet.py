"""Parquet (pyarrow).

- Columns keep their Arrow types (and the schema's metadata, e.g. pandas'); a chosen
  column is rebuilt only in a batch where a value changed. A chosen column that is not a
  string column makes its rows fail (nothing is converted).
- The partial output is a staging file of framed Arrow IPC streams, one per batch (an
  8-byte little-endian length, then the stream), which can be cut back to a committed
  batch and appended to; :meth:`ParquetFile.finish` writes the Parquet file from it, in row
  groups as large as the source's largest.
- Rows are keyed by row number (from 1), or by the ``key`` column when named.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from htmlguard.bulk.errors import BulkError, require
from htmlguard.bulk.formats import Chunk

_FRAME = struct.Struct("<Q")


class ParquetFile:
    def __init__(self, source: Path, columns: Sequence[str], key: str | None) -> None:
        self.pa = require("pyarrow", "the Parquet format")
        self.pq = require("pyarrow.parquet", "the Parquet format")
        try:
            self._pf = self.pq.ParquetFile(source)
        except (OSError, self.pa.ArrowException) as e:
            raise BulkError(f"cannot read {str(source)!r} as Parquet: {e}") from None
        self.schema = self._pf.schema_arrow
        names = self.schema.names
        wanted = [*columns, *([key] if key else [])]
        missing = [c for c in wanted if c not in names]
        if missing:
            raise BulkError(
                f"{str(source)!r} has no column {', '.join(map(repr, missing))} "
                f"(its columns: {', '.join(names)})"
            )
        self.columns = list(columns)
        self._key = key
        meta = self._pf.metadata
        self._groups = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]

    def header(self) -> bytes:
        return b""

    def total(self) -> tuple[int, str]:
        return sum(self._groups), "row"

    def progress(self, chunk: Chunk) -> int:
        return chunk.end

    def close(self) -> None:
        self._pf.close()

    def chunks(self, start: int, rows: int, size: int) -> Iterator[Chunk]:
        # Skip whole row groups before `start`, then the rows before it in its group.
        group, skip = 0, start
        while group < len(self._groups) and skip >= self._groups[group]:
            skip -= self._groups[group]
            group += 1
        if group >= len(self._groups):
            return
        batches = self._pf.iter_batches(
            batch_size=size, row_groups=range(group, len(self._groups)), use_threads=False
        )
        pos = start
        pending: Any = None  # rows read and not yet handed out
        for batch in batches:
            if skip:
                cut = min(skip, batch.num_rows)
                batch, skip = batch.slice(cut), skip - cut
                if batch.num_rows == 0:
                    continue
            pending = batch if pending is None else self._concat(pending, batch)
            while pending is not None and pending.num_rows >= size:
                head, pending = pending.slice(0, size), pending.slice(size)
                pending = pending if pending.num_rows else None
                pos += head.num_rows
                yield self._chunk(head, pos)
        if pending is not None:
            pos += pending.num_rows
            yield self._chunk(pending, pos)

    def _concat(self, a: Any, b: Any) -> Any:
        table = self.pa.Table.from_batches([a, b]).combine_chunks()
        return table.to_batches()[0]

    def _chunk(self, batch: Any, end: int) -> Chunk:
        first = end - batch.num_rows
        table = {c: batch.column(c).to_pylist() for c in self.columns}
        if self._key:
            keys = batch.column(self._key).to_pylist()
        else:
            keys = list(range(first + 1, end + 1))
        return Chunk(table, keys, end, end, self._renderer(batch, table))

    def _renderer(
        self, batch: Any, old: dict[str, list[Any]]
    ) -> Callable[[dict[str, list[Any]]], bytes]:
        pa = self.pa

        def render(new: dict[str, list[Any]]) -> bytes:
            arrays = list(batch.columns)
            for c in self.columns:
                if any(n is not o for n, o in zip(new[c], old[c], strict=True)):
                    i = batch.schema.get_field_index(c)
                    kind = batch.schema.field(i).type
                    arrays[i] = pa.array(new[c], type=kind)
            out = pa.RecordBatch.from_arrays(arrays, schema=batch.schema)
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, out.schema) as writer:
                writer.write_batch(out)
            data: bytes = sink.getvalue().to_pybytes()
            return _FRAME.pack(len(data)) + data

        return render

    def finish(self, partial: Path, out: Path) -> bool:
        pa, pq = self.pa, self.pq
        group = max(self._groups, default=0) or 1 << 16
        with open(partial, "rb") as f, pq.ParquetWriter(out, self.schema) as writer:
            buffered: list[Any] = []
            rows = 0
            while frame := f.read(_FRAME.size):
                (length,) = _FRAME.unpack(frame)
                for batch in pa.ipc.open_stream(pa.py_buffer(f.read(length))):
                    buffered.append(batch)
                    rows += batch.num_rows
                if rows >= group:
                    writer.write_table(pa.Table.from_batches(buffered, self.schema), group)
                    buffered, rows = [], 0
            if buffered:
                writer.write_table(pa.Table.from_batches(buffered, self.schema), group)
        return True
