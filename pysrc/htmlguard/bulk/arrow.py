"""A column of Arrow strings through the core without Python strings.

Parquet gives a bulk job Arrow arrays. Turning each value into a ``str`` and the results
back into an array cost about as much, on a job of forum posts, as the second core saves
(bench/BULK.md), so a ``string`` or ``large_string`` column goes to the core as its three
buffers instead (``Policy._bulk_arrow``, ``rust/columns.rs``): every value sanitized on the
core's pool with the GIL released once, and the new column comes back as two buffers that
become an array without a copy. Other column types take the list path of
:mod:`htmlguard.bulk.batch`.

pyarrow is imported only when a pyarrow array is already in hand.
"""

from __future__ import annotations

import importlib
from typing import Any

from htmlguard._core import Policy


def _pyarrow() -> Any:
    # Imported only when a pyarrow object is already in hand (so it is installed).
    return importlib.import_module("pyarrow")


def is_array(values: Any) -> bool:
    """``values`` is a pyarrow array of any type."""
    return type(values).__module__.startswith("pyarrow") and isinstance(values, _pyarrow().Array)


def is_strings(values: Any) -> bool:
    """``values`` is a pyarrow ``string`` or ``large_string`` array."""
    if not is_array(values):
        return False
    types = _pyarrow().types
    return bool(types.is_string(values.type) or types.is_large_string(values.type))


def value(values: Any, i: int) -> Any:
    """Row `i` of a list or a pyarrow array, as Python."""
    return values[i].as_py() if is_array(values) else values[i]


def bulk(policy: Policy, array: Any, threads: int = 0) -> tuple[Any, ...]:
    """``Policy._bulk_batch``'s tuple for a pyarrow string `array`: the new array (`array`
    itself when no value changed), the changed rows, ``(row, why)`` failures, bytes in and
    out, and the removals by kind, tag and attribute. A failed row keeps its value."""
    pa = _pyarrow()

    validity, offsets, data = array.buffers()
    wide = pa.types.is_large_string(array.type)
    (new_offsets, new_data), *rest = policy._bulk_arrow(
        len(array),
        array.offset,
        validity.to_pybytes() if validity is not None and array.null_count else None,
        offsets.to_pybytes(),
        data.to_pybytes() if data is not None else b"",
        wide,
        threads,
    )
    changed = rest[0]
    if not changed:
        return (array, *rest)
    # The core's column starts at row 0; the input's validity bits start at its offset.
    bits = array.is_valid().buffers()[1] if array.null_count else None
    new = pa.Array.from_buffers(
        array.type,
        len(array),
        [bits, pa.py_buffer(new_offsets), pa.py_buffer(new_data)],
        null_count=array.null_count,
    )
    return (new, *rest)


def join(array: Any, parts: list[tuple[Any, ...]], starts: Any) -> tuple[Any, ...]:
    """One :func:`bulk` result from those of slices of `array` starting at `starts`."""
    pa = _pyarrow()

    changed: list[int] = []
    failures: list[tuple[int, str]] = []
    bytes_in = bytes_out = 0
    by_kind: dict[str, int] = {}
    by_tag: dict[str, int] = {}
    by_attr: dict[tuple[str, str], int] = {}
    for start, (_, ch, fa, b_in, b_out, kinds, tags, attrs) in zip(starts, parts, strict=True):
        changed.extend(start + i for i in ch)
        failures.extend((start + i, why) for i, why in fa)
        bytes_in += b_in
        bytes_out += b_out
        for into, counts in ((by_kind, kinds), (by_tag, tags), (by_attr, attrs)):
            for k, n in counts.items():
                into[k] = into.get(k, 0) + n
    new = pa.concat_arrays([p[0] for p in parts]) if changed else array
    return (new, changed, failures, bytes_in, bytes_out, by_kind, by_tag, by_attr)
