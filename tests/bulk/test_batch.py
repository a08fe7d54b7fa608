"""htmlguard.bulk.batch and .report: one batch through the column policies, and the totals."""

from __future__ import annotations

import pytest

import htmlguard as hg
from htmlguard.bulk.batch import sanitize_columns
from htmlguard.bulk.report import SAMPLE_LIMIT, Change, Failure, Report, excerpt
from htmlguard.bulk.workers import Workers

UGC = hg.Policy.preset("ugc")
SMALL = UGC.derive(max_input_bytes=64)


def test_values_are_sanitized_and_rows_counted() -> None:
    table = {
        "body": ["<b onclick=x>a</b>", "clean", None, 7, "<script>1</script>ok"],
        "bio": ["<i>x</i>", "<i onclick=y>y</i>", "z", "w", None],
    }
    new, report = sanitize_columns(
        table, {"body": UGC, "bio": hg.Policy.preset("strict")}, [1, 2, 3, 4, 5]
    )
    assert new["body"] == ["<b>a</b>", "clean", None, 7, "ok"]
    assert new["bio"] == ["x", "y", "z", "w", None]
    # row 4 failed (an int); rows 1, 2, 5 changed; row 3 unchanged (None and a clean "z")
    assert (report.rows_read, report.failed, report.changed, report.unchanged) == (5, 1, 3, 1)
    assert report.nulls == 2
    assert report.failures == [Failure(4, "body", "TypeError: expected str or None, got int")]
    assert report.by_kind["tag"] >= 3 and report.by_attribute["b[onclick]"] == 1
    assert report.bytes_out < report.bytes_in


def test_a_value_over_max_input_bytes_fails_only_its_row() -> None:
    values = ["<b>ok</b>", "x" * 100, "<i onclick=1>y</i>"]
    new, report = sanitize_columns({"c": values}, {"c": SMALL}, ["a", "b", "c"])
    assert new["c"] == ["<b>ok</b>", "x" * 100, "<i>y</i>"]
    assert report.failed == 1 and report.failures[0].key == "b"
    assert "InputTooLargeError" in report.failures[0].error


def test_lone_surrogates_fail_instead_of_becoming_replacement_characters() -> None:
    # Invalid UTF-8 read with surrogateescape: the core would write U+FFFD in its place.
    bad = b"<b>\xff</b>".decode("utf-8", "surrogateescape")
    new, report = sanitize_columns({"c": [bad]}, {"c": UGC}, [1])
    assert new["c"] == [bad]
    assert report.failed == 1 and "invalid UTF-8" in report.failures[0].error


def test_samples_are_capped_a_batch_lists_every_failure_a_job_the_first() -> None:
    n = SAMPLE_LIMIT * 3
    values: list[object] = ["<b onclick=x>a</b>"] * n + [1] * n
    _, report = sanitize_columns({"c": values}, {"c": UGC}, list(range(2 * n)), samples=True)
    assert report.changed == n and report.failed == n
    assert len(report.samples) == SAMPLE_LIMIT
    assert report.samples[0] == Change(0, "c", "<b onclick=x>a</b>", "<b>a</b>")
    assert [f.key for f in report.failures] == list(range(n, 2 * n))
    job = Report()
    job.merge(report)
    assert job.failed == n and len(job.failures) == SAMPLE_LIMIT


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="2 values for 3 keys"):
        sanitize_columns({"c": ["a", "b"]}, {"c": UGC}, [1, 2, 3])


@pytest.mark.parametrize("n", [1, 2, 3])
def test_workers_give_the_same_output_as_sanitize_many(n: int) -> None:
    values = [f"<p onclick=x>{i}<script>y</script></p>" * (i % 5 + 1) for i in range(101)]
    with Workers(n) as workers:
        threaded = workers.wrap(UGC)
        assert threaded.sanitize_many(values) == UGC.sanitize_many(values)
        new, report = sanitize_columns({"c": values}, {"c": threaded}, list(range(101)))
    assert new["c"] == UGC.sanitize_many(values) and report.changed == 101
    # One inspect pass per value (inspect_many) counts what sanitize_many + inspect count.
    _, plain = sanitize_columns({"c": values}, {"c": UGC}, list(range(101)))
    assert report == plain and report.by_tag["script"] == sum(i % 5 + 1 for i in range(101))


def test_workers_keep_per_row_failures() -> None:
    with Workers(2) as workers:
        new, report = sanitize_columns(
            {"c": ["a", "x" * 100, "<b>b</b>"]}, {"c": workers.wrap(SMALL)}, [1, 2, 3]
        )
    assert report.failed == 1 and new["c"][2] == "<b>b</b>"


def test_report_merge_and_round_trip() -> None:
    total = Report()
    for i in range(3):
        _, r = sanitize_columns(
            {"c": ["<b onclick=x>a</b>"] * 10 + [None]}, {"c": UGC}, list(range(11)), samples=True
        )
        r.skipped = i
        total.merge(r)
    assert (total.rows_read, total.changed, total.nulls, total.skipped) == (33, 30, 3, 3)
    assert total.by_attribute == {"b[onclick]": 30}
    assert len(total.samples) == SAMPLE_LIMIT
    again = Report.from_dict(total.to_dict())
    assert again == total
    old = total.to_dict()
    del old["skipped"]  # a checkpoint written before the field existed
    assert Report.from_dict(old).skipped == 0


def test_excerpt_cuts_around_the_first_difference() -> None:
    before, after = excerpt("a" * 300 + "<script>x</script>" + "b" * 300, "a" * 300 + "b" * 300)
    assert before.startswith("…") and before.endswith("…") and "<script>" in before
    assert len(after) <= 102
    assert excerpt("<b>x</b>", "x") == ("<b>x</b>", "x")


class _PerValue:
    """A policy seen only through the generic Sanitizer protocol (as the Django command's
    field chain is): the batch step's per-value path, the reference for the one-call path."""

    def __init__(self, policy: hg.Policy) -> None:
        self.policy = policy

    def sanitize(self, html: str, /) -> str:
        return self.policy.sanitize(html)

    def sanitize_many(self, htmls: list[str], /) -> list[str]:
        return self.policy.sanitize_many(htmls)

    def inspect(self, html: str, /) -> hg.Report:
        return self.policy.inspect(html)


@pytest.mark.parametrize("threads", [1, 2])
def test_the_one_call_path_counts_what_the_per_value_path_counts(threads: int) -> None:
    bad = b"<b>\xff</b>".decode("utf-8", "surrogateescape")
    # Over 32 KiB in all, so the core's pool runs the values when threads > 1.
    values: list[object] = [
        f"<p id=x{i} onclick=y>{i}<img src=javascript:{i}><!--c-->" + "z" * (i * 37)
        for i in range(200)
    ] + [None, 3, b"x", bad, "x" * 70_000, "clean text", "<b>kept</b>", ""]
    keys = list(range(len(values)))
    policy = UGC.derive(max_input_bytes=65_536)
    with Workers(threads) as w:
        fast_new, fast = sanitize_columns({"c": values}, {"c": w.wrap(policy)}, keys, samples=True)
    ref_new, ref = sanitize_columns({"c": values}, {"c": _PerValue(policy)}, keys, samples=True)
    assert fast_new == ref_new
    fast_data, ref_data = fast.to_dict(), ref.to_dict()
    # The one-call path lists failures in row order, the per-value path by cause.
    for data in (fast_data, ref_data):
        data["failures"].sort(key=lambda f: f["key"])
    assert fast_data == ref_data
    assert fast.failed == 4 and fast.changed == 200
    # Unchanged values come back as the very objects read (no copy of what did not change).
    assert all(fast_new["c"][i] is values[i] for i in range(200, len(values)))
