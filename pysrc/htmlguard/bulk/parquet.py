"""Parquet (pyarrow).

- Columns keep their Arrow types (and the schema's metadata, e.g. pandas'); a chosen
  column is rebuilt only in a batch where a value changed. A chosen column that is not a
  string column makes its rows fail (nothing is converted).
- The partial output is a staging file of framed Arrow IPC streams, one per batch (an
  8-byte little-endian length, then the stream), which can be cut back to a committed
  batch and appended to. The Parquet file itself is written beside it as batches are
  committed (:meth:`ParquetFile.begin`, after replaying what an earlier run committed), in
  row groups as large as the source's largest, and closed by :meth:`ParquetFile.finish`:
  writing it all at the end left a core idle for the whole conversion.
- The output keeps the source's compression, column by column (:func:`codecs`); the level
  is not stored in a Parquet file, so each codec writes at its default level.
- Rows are keyed by row number (from 1), or by the ``key`` column when named.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from htmlguard.bulk import arrow, pagecache
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
        self._compression = codecs(meta)
        self._out: Any = None  # the Parquet writer (begin), the file it writes,
        self._sink: Any = None
        self._buffered: list[Any] = []  # and the batches not yet in a row group

    def header(self) -> bytes:
        return b""

    def total(self) -> tuple[int, str]:
        return sum(self._groups), "row"

    def progress(self, chunk: Chunk) -> int:
        return chunk.end

    def close(self) -> None:
        if self._out is not None:  # a job that stopped early: its final file is redone
            self._end()
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
        # String columns stay arrays (htmlguard.bulk.arrow); others are read as lists,
        # whose values then fail in the batch step.
        table = {c: self._values(batch.column(c)) for c in self.columns}
        if self._key:
            keys = batch.column(self._key).to_pylist()
        else:
            keys = list(range(first + 1, end + 1))
        return Chunk(table, keys, end, end, self._renderer(batch, table))

    @staticmethod
    def _values(array: Any) -> Any:
        return array if arrow.is_strings(array) else array.to_pylist()

    def _renderer(
        self, batch: Any, old: dict[str, list[Any]]
    ) -> Callable[[dict[str, list[Any]]], memoryview]:
        pa = self.pa

        def render(new: dict[str, list[Any]]) -> memoryview:
            arrays = list(batch.columns)
            for c in self.columns:
                i = batch.schema.get_field_index(c)
                if arrow.is_array(new[c]):
                    arrays[i] = new[c]
                elif any(n is not o for n, o in zip(new[c], old[c], strict=True)):
                    arrays[i] = pa.array(new[c], type=batch.schema.field(i).type)
            out = pa.RecordBatch.from_arrays(arrays, schema=batch.schema)
            if self._out is not None:
                self._feed(out)
            # The stream is measured first, so its frame and it are written into one
            # buffer: copying tens of megabytes a batch into bytes cost a core a tenth.
            measure = pa.MockOutputStream()
            _write_stream(pa, measure, out)
            sink = pa.BufferOutputStream()
            sink.write(_FRAME.pack(measure.size()))
            _write_stream(pa, sink, out)
            return memoryview(sink.getvalue())

        return render

    def begin(self, partial: Path, out: Path, committed: int) -> None:
        """Start the final file `out`: the batches in the first `committed` bytes of
        `partial` (an earlier run's), then each batch as it is rendered."""
        # Opened here, not by the writer, for its descriptor (pagecache.release).
        self._sink = self.pa.OSFile(str(out), "wb")
        self._out = self.pq.ParquetWriter(self._sink, self.schema, compression=self._compression)
        self._buffered = []
        for batch in self._staged(partial, committed):
            self._feed(batch)

    def _staged(self, partial: Path, size: int) -> Iterator[Any]:
        pa = self.pa
        with open(partial, "rb") as f:
            while f.tell() < size and (frame := f.read(_FRAME.size)):
                (length,) = _FRAME.unpack(frame)
                yield from pa.ipc.open_stream(pa.py_buffer(f.read(length)))

    def _group(self) -> int:
        return max(self._groups, default=0) or 1 << 16

    def _feed(self, batch: Any) -> None:
        self._buffered.append(batch)
        if sum(b.num_rows for b in self._buffered) >= self._group():
            self._flush()

    def _flush(self) -> None:
        if self._buffered:
            table = self.pa.Table.from_batches(self._buffered, self.schema)
            self._out.write_table(table, self._group())
            self._buffered = []
            # Row groups written before this one are on disk by now (this starts writing
            # this one): their pages go back.
            pagecache.release(self._sink.fileno())

    def finish(self, partial: Path, out: Path) -> bool:
        if self._out is None:  # not begun: convert the whole staging file now
            self.begin(partial, out, partial.stat().st_size)
        self._flush()
        self._end()
        return True

    def _end(self) -> None:
        self._out.close()
        self._sink.close()
        self._out = self._sink = None


#: The codec of a file whose source says nothing (pyarrow's default, and Dask's).
DEFAULT_CODEC = "snappy"

#: Parquet's codec names (as its metadata spells them) as pyarrow's writer takes them.
_WRITER_CODEC = {"UNCOMPRESSED": "none", "LZ4_RAW": "lz4"}


def codecs(meta: Any) -> str | dict[str, str]:
    """The source's compression for the writer: one codec when every column chunk of the
    first row group uses it (the usual file), else each column's by its path."""
    if meta.num_row_groups == 0:
        return DEFAULT_CODEC
    group = meta.row_group(0)
    by_path = {}
    for i in range(group.num_columns):
        chunk = group.column(i)
        name = chunk.compression
        by_path[chunk.path_in_schema] = _WRITER_CODEC.get(name, name.lower())
    kinds = set(by_path.values())
    return kinds.pop() if len(kinds) == 1 else by_path


def _write_stream(pa: Any, sink: Any, batch: Any) -> None:
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
