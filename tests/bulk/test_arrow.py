"""Arrow string columns straight to the core (htmlguard.bulk.arrow): the same rows, changes,
failures and counts as the list path, for every layout a Parquet reader hands over."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from bulk_support import HOSTILE, UGC

import htmlguard as hg
from htmlguard.bulk import arrow
from htmlguard.bulk.workers import Workers

VALUES: list[Any] = [*HOSTILE, None, "<i onclick=x>é😀</i>", None, *HOSTILE[::-1]] * 9


def as_list(result: tuple[Any, ...]) -> tuple[Any, ...]:
    new, *rest = result
    return (new.to_pylist() if isinstance(new, pa.Array) else list(new), *rest)


def by_list(policy: hg.Policy, values: list[Any]) -> tuple[Any, ...]:
    return as_list(policy._bulk_batch(list(values), 1))


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
@pytest.mark.parametrize("cut", [(0, None), (3, 40), (17, 1), (5, 0)])
@pytest.mark.parametrize("threads", [1, 2])
def test_same_result_as_the_list_path(
    kind: pa.DataType, cut: tuple[int, Any], threads: int
) -> None:
    start, length = cut
    array = pa.array(VALUES, kind).slice(start, length)  # a slice: offset into its buffers
    values = array.to_pylist()
    got = arrow.bulk(UGC, array, threads)
    assert got[0].type == kind and len(got[0]) == len(values)
    assert got[0].null_count == array.null_count
    assert as_list(got) == by_list(UGC, values)
    if not got[1]:
        assert got[0] is array  # nothing changed: the very array read, not a copy


def test_workers_slices_join_back_in_order() -> None:
    array = pa.array(VALUES, pa.string()).slice(2)
    with Workers(3) as workers:
        got = workers.wrap(UGC)._bulk_arrow(array)
    assert as_list(got) == by_list(UGC, array.to_pylist())


def invalid_utf8_column() -> pa.Array:
    rows = [b"<b onclick=1>ok</b>", b"bad \xff<script>x</script>", b"", b"<p>fine"]
    offsets, at = [0], 0
    for r in rows:
        at += len(r)
        offsets.append(at)
    return pa.Array.from_buffers(
        pa.string(),
        len(rows),
        [
            None,
            pa.py_buffer(pa.array(offsets, pa.int32()).buffers()[1]),
            pa.py_buffer(b"".join(rows)),
        ],
    )


def test_a_row_that_is_not_utf8_fails_alone_and_is_kept_byte_for_byte() -> None:
    array = invalid_utf8_column()
    new, changed, failures, *_ = arrow.bulk(UGC, array)
    assert failures == [(1, "UnicodeError: invalid UTF-8 at byte 4")]
    assert changed == [0, 3]
    assert new.buffers()[2].to_pybytes().count(b"bad \xff<script>x</script>") == 1
    assert new.slice(0, 1).to_pylist() == ["<b>ok</b>"]
    assert new.slice(3).to_pylist() == ["<p>fine</p>"]


def test_a_row_over_the_size_limit_fails_alone() -> None:
    small = UGC.derive(max_input_bytes=40)
    array = pa.array(["<b onclick=1>x</b>", "<b>" + "y" * 60 + "</b>", None])
    new, changed, failures, *_ = arrow.bulk(small, array)
    assert [i for i, _ in failures] == [1] and failures[0][1].startswith("InputTooLargeError")
    assert changed == [0]
    assert new.to_pylist() == ["<b>x</b>", array[1].as_py(), None]


@pytest.mark.parametrize(
    "offsets, data",
    [
        ([0, 10], b"short"),  # past the data
        ([0, 4, 2], b"abcdef"),  # backwards
        ([-3, 2], b"abcdef"),  # negative
    ],
)
def test_buffers_that_do_not_hold_their_column_raise_value_error(
    offsets: list[int], data: bytes
) -> None:
    raw = pa.array(offsets, pa.int32()).buffers()[1].to_pybytes()
    with pytest.raises(ValueError):
        UGC._bulk_arrow(len(offsets) - 1, 0, None, raw, data, False, 1)


def test_more_rows_than_offsets_raise_value_error() -> None:
    raw = pa.array([0, 2], pa.int32()).buffers()[1].to_pybytes()
    assert UGC._bulk_arrow(1, 0, None, raw, b"ab", False, 1)[0][1] == b"ab"
    with pytest.raises(ValueError, match="offsets buffer"):
        UGC._bulk_arrow(5, 0, None, raw, b"ab", False, 1)
    ten = pa.array([0] * 10 + [2], pa.int32()).buffers()[1].to_pybytes()
    with pytest.raises(ValueError, match="validity"):
        UGC._bulk_arrow(1, 9, b"\xff", ten, b"ab", False, 1)  # bit 9 of an 8-bit bitmap


def test_only_string_arrays_take_the_arrow_path() -> None:
    assert arrow.is_strings(pa.array(["a"])) and arrow.is_strings(
        pa.array(["a"], pa.large_string())
    )
    assert not arrow.is_strings(pa.array([1]))
    assert not arrow.is_strings(pa.array(["a"]).dictionary_encode())
    assert not arrow.is_strings(["a"]) and not arrow.is_array(["a"])
