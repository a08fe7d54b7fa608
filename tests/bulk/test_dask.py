"""htmlguard.dask on a real two-process Dask cluster: the output equals the single-process
batch step's (htmlguard.bulk.batch.sanitize_columns over the whole table) row for row, and
the reports agree, for Parquet and CSV jobs and for sanitize_columns on a DataFrame."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import htmlguard as hg
from htmlguard.bulk.batch import sanitize_columns as batch_sanitize
from htmlguard.bulk.report import SAMPLE_LIMIT, Report

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

import htmlguard.dask as hgd  # noqa: E402  (after the skips: needs the dask extra)

REGISTERED = "dask-test-comments"  # registered in this process only, never on the workers

#: Unregistered: it reaches the workers only by pickling. max_input_bytes makes long
#: strings fail their row.
BIO = hg.Policy(
    tags={"b", "i", "a"},
    tag_attributes={"a": {"href"}},
    url_schemes={"https"},
    link_rel="nofollow",
    max_input_bytes=120,
)
COMMENTS = hg.Policy.preset("basic").derive(id_prefix="c-")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=":0",  # not 8787: other runs may hold it
    )
    try:
        with distributed.Client(cluster) as c:
            yield c
    finally:
        cluster.close()


@pytest.fixture(scope="module", autouse=True)
def registered() -> Iterator[None]:
    hg.policies.register(REGISTERED, COMMENTS)
    yield
    hg.policies.unregister(REGISTERED)


def body(i: int) -> str | None:
    """A forum post: some clean, some with what the policies remove, some NULL."""
    kinds = [
        f"<p>post {i} with <b>bold</b>\nand <a href='https://example.org/{i}'>a link</a></p>",
        f"<p onclick='steal()'>post {i}</p><script>alert({i})</script>",
        f"<img src=x onerror=alert({i})><i>caption {i}</i>",
        f"plain text {i} &amp; more",
        None,
        f"<div id='x{i}' style='color:red'>styled <u>{i}</u></div><!-- note -->",
    ]
    return kinds[i % len(kinds)]


def bio(i: int) -> str | None:
    if i % 7 == 3:
        return None
    if i % 50 == 9:
        return "<b>" + "long " * 40 + "</b>"  # over BIO's max_input_bytes: a failed row
    return f"<i>me</i> <a href='http://insecure/{i}' title=t>site</a> <em>{i}</em>"


def score(i: int) -> float | None:
    """Not text: every non-NULL value is a failure, and stays as it was."""
    return i / 2 if i % 40 == 1 else None


def python_values(series: Any) -> list[Any]:
    return [None if m else v for v, m in zip(series.tolist(), series.isna().tolist(), strict=True)]


def assert_reports_agree(got: Report, want: Report, table: dict[str, list[Any]]) -> None:
    g, w = got.to_dict(), want.to_dict()
    for field in ("failures", "samples"):
        g.pop(field), w.pop(field)
    assert g == w
    # Batches fill their examples in another order; with fewer failures than the limit
    # both hold all of them.
    assert len(want.failures) < SAMPLE_LIMIT
    assert sorted(map(repr, got.failures)) == sorted(map(repr, want.failures))
    for change in got.samples:  # each sample is a real change of that row
        assert table[change.column][change.key] == change.before
        assert change.after == hg.sanitize(change.before, policy_of[change.column])


policy_of: dict[str, hg.Policy] = {"body": COMMENTS, "bio": BIO, "score": BIO}


@pytest.fixture(scope="module")
def table() -> dict[str, list[Any]]:
    n = 400
    return {
        "id": list(range(n)),
        "title": [f"<b onclick=x>title {i}</b>" for i in range(n)],  # not a chosen column
        "body": [body(i) for i in range(n)],
        "bio": [bio(i) for i in range(n)],
        "score": [score(i) for i in range(n)],
    }


def expected(
    table: dict[str, list[Any]], columns: dict[str, hg.Policy]
) -> tuple[dict[str, list[Any]], Report]:
    """The single-process result: the batch step over the whole table at once."""
    return batch_sanitize(table, columns, list(range(len(table["id"]))))


# --- run_job --------------------------------------------------------------------------------


def write_parquet_parts(
    table: dict[str, list[Any]], directory: Path, parts: int, compression: str = "snappy"
) -> None:
    directory.mkdir()
    whole = pa.table(table)
    size = -(-whole.num_rows // parts)
    for p in range(parts):
        part = whole.slice(p * size, size)
        pq.write_table(part, directory / f"part-{p:02}.parquet", compression=compression)


def test_parquet_job_equals_the_single_process_result(
    client: Any, table: dict[str, list[Any]], tmp_path: Path
) -> None:
    source = tmp_path / "posts"
    write_parquet_parts(table, source, parts=12)  # more than a reduction combines at once
    dest = tmp_path / "clean.parquet"
    columns = {"body": REGISTERED, "bio": BIO, "score": BIO}
    report = hgd.run_job(source, dest, columns, scheduler=client, batch_size=30)

    want, want_report = expected(table, {"body": COMMENTS, "bio": BIO, "score": BIO})
    got = pd.read_parquet(dest)
    assert list(got.columns) == list(table)
    assert got["id"].tolist() == table["id"]
    assert got["title"].tolist() == table["title"]  # untouched
    for column in columns:
        assert python_values(got[column]) == want[column], column
    assert want_report.failed > 0 and want_report.nulls > 0 and want_report.changed > 0
    assert_reports_agree(report, want_report, table)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_parquet_job_keeps_the_source_compression(
    client: Any, table: dict[str, list[Any]], tmp_path: Path
) -> None:
    source, dest = tmp_path / "posts", tmp_path / "clean.parquet"
    write_parquet_parts(table, source, parts=2, compression="zstd")
    hgd.run_job(source, dest, {"body": BIO}, scheduler=client)
    written = sorted(dest.glob("*.parquet"))
    codecs = {
        pq.ParquetFile(f).metadata.row_group(0).column(c).compression
        for f in written
        for c in range(pq.ParquetFile(f).metadata.num_columns)
    }
    assert written and codecs == {"ZSTD"}


def test_the_workers_do_not_know_the_registered_name(client: Any) -> None:
    """So the Parquet job above could only have worked with the name resolved here."""
    known = client.run(lambda: REGISTERED in __import__("htmlguard").policies)
    assert len(known) == 2 and not any(known.values())


def csv_text_table(table: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The table as a CSV holds it: text, NULL as the empty field."""
    return {c: ["" if v is None else str(v) for v in vs] for c, vs in table.items()}


def test_csv_job_equals_the_single_process_result(
    client: Any, table: dict[str, list[Any]], tmp_path: Path
) -> None:
    text = csv_text_table(table)
    source = tmp_path / "in"
    source.mkdir()
    names = list(text)
    n = len(text["id"])
    for p, (lo, hi) in enumerate([(0, 150), (150, 151), (151, n)]):  # three partitions
        with open(source / f"posts-{p}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(names)
            w.writerows(zip(*(text[c][lo:hi] for c in names), strict=True))
    dest = tmp_path / "out.csv"
    columns: dict[str, Any] = {"body": "ugc", "bio": BIO}
    report = hgd.run_job(str(source / "*.csv"), dest, columns, scheduler=client)

    want, want_report = expected(text, {"body": hg.Policy.preset("ugc"), "bio": BIO})
    with open(dest, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == names
    got = {c: [r[i] for r in rows[1:]] for i, c in enumerate(names)}
    for column in names:
        assert got[column] == want.get(column, text[column]), column
    assert want_report.failed > 0 and want_report.changed > 0
    assert_reports_agree(report, want_report, text)


def test_csv_value_that_is_not_utf8_fails_its_row_and_is_written_back_as_it_was(
    client: Any, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(
        b"id,body,note\n"
        b"1,<b onclick=x>fine</b>,caf\xc3\xa9\n"
        b"2,<i>bad \xff\xfe</i><script>x</script>,n\xffo\n"
        b"3,,\n"
    )
    dest = tmp_path / "out.csv"
    report = hgd.run_job(source, dest, {"body": "ugc"}, scheduler=client)
    assert dest.read_bytes().replace(b"\r\n", b"\n").splitlines() == [
        b"id,body,note",
        b"1,<b>fine</b>,caf\xc3\xa9",
        b"2,<i>bad \xff\xfe</i><script>x</script>,n\xffo",
        b"3,,",
    ]
    assert (report.rows_read, report.changed, report.unchanged, report.failed) == (3, 1, 1, 1)
    assert [(f.key, f.column, f.error) for f in report.failures] == [(1, "body", hgd.INVALID_UTF8)]


def test_dry_run_writes_nothing_and_samples_changes(
    client: Any, table: dict[str, list[Any]], tmp_path: Path
) -> None:
    source = tmp_path / "posts"
    write_parquet_parts(table, source, parts=3)
    dest = tmp_path / "never"
    report = hgd.run_job(source, dest, {"body": COMMENTS}, scheduler=client.scheduler.address,
                         dry_run=True)  # fmt: skip
    assert not dest.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["posts"]
    _, want_report = expected(table, {"body": COMMENTS})
    assert report.changed == want_report.changed > SAMPLE_LIMIT
    assert len(report.samples) == SAMPLE_LIMIT
    assert_reports_agree(report, want_report, table)


def test_an_existing_parquet_dest_is_replaced_and_another_directory_refused(
    client: Any, table: dict[str, list[Any]], tmp_path: Path
) -> None:
    source = tmp_path / "posts"
    write_parquet_parts(table, source, parts=2)
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "part.9.parquet").write_bytes(b"old")
    hgd.run_job(source, dest, {"body": "ugc"}, scheduler=client)
    assert "part.9.parquet" not in [p.name for p in dest.iterdir()]
    first = pd.read_parquet(dest)
    assert len(first) == len(table["id"])

    # In place: the source is read whole before it is replaced; a second pass changes nothing.
    again = hgd.run_job(dest, dest, {"body": "ugc"}, scheduler=client)
    assert again.changed == 0 and again.rows_read == len(table["id"])
    assert pd.read_parquet(dest).equals(first)

    other = tmp_path / "home"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        hgd.run_job(source, other, {"body": "ugc"}, scheduler=client)
    assert [p.name for p in other.iterdir()] == ["notes.txt"]


def test_bad_arguments_fail_on_the_client(client: Any, tmp_path: Path) -> None:
    source = tmp_path / "x.parquet"
    pq.write_table(pa.table({"body": ["a"]}), source)
    with pytest.raises(hg.UnknownPolicyError):
        hgd.run_job(source, tmp_path / "o", {"body": "no-such-policy"}, scheduler=client)
    with pytest.raises(ValueError, match="no column 'bio'"):
        hgd.run_job(source, tmp_path / "o", {"bio": "ugc"}, scheduler=client)
    with pytest.raises(ValueError, match="expected a .csv"):
        hgd.run_job(tmp_path / "x.json", tmp_path / "o", {"body": "ugc"}, scheduler=client)
    with pytest.raises(ValueError, match="dest is required"):
        hgd.run_job(source, None, {"body": "ugc"}, scheduler=client)
    with pytest.raises(TypeError, match="scheduler"):
        hgd.run_job(source, tmp_path / "o", {"body": "ugc"}, scheduler=42)
    assert not (tmp_path / "o").exists()


# --- sanitize_columns on a DataFrame -----------------------------------------------------------


def test_sanitize_columns_on_a_dataframe(client: Any, table: dict[str, list[Any]]) -> None:
    """Mixed values in an object column (dask's string conversion off, as a user's frame
    may be), a categorical column, a key column; lazy, with the report computed in the
    same pass."""
    mixed = [v if i % 23 else i for i, v in enumerate(table["body"])]  # ints among the text
    frame = pd.DataFrame(
        {
            "id": [f"post-{i}" for i in table["id"]],
            "body": pd.Series(mixed, dtype=object),
            "tag": pd.Categorical([f"<i>t{i % 3}</i><script>" for i in table["id"]]),
            "title": table["title"],
        }
    )
    with dask.config.set({"dataframe.convert-string": False}):
        ddf = dd.from_pandas(frame, npartitions=4)
        out, report = hgd.sanitize_columns(
            ddf, {"body": "ugc", "tag": BIO}, report=True, key="id", samples=True
        )
    assert str(out.dtypes["tag"]) == str(out.dtypes["body"]) == "object"
    assert out.divisions == ddf.divisions
    got, got_report = dask.compute(out, report)

    rows = {c: python_values(frame[c].astype(object)) for c in frame.columns}
    want, want_report = batch_sanitize(
        rows, {"body": hg.Policy.preset("ugc"), "tag": BIO}, rows["id"], samples=True
    )
    assert python_values(got["body"]) == want["body"]
    assert got["tag"].tolist() == want["tag"]
    assert got["title"].tolist() == table["title"]
    assert got["id"].tolist() == rows["id"]
    g, w = got_report.to_dict(), want_report.to_dict()
    assert {k: v for k, v in g.items() if k not in ("failures", "samples")} == {
        k: v for k, v in w.items() if k not in ("failures", "samples")
    }
    assert sorted(map(repr, got_report.failures)) == sorted(map(repr, want_report.failures))
    assert {f.key for f in got_report.failures} == {f"post-{i}" for i in range(0, 400, 23)}
    assert len(got_report.samples) == SAMPLE_LIMIT

    # Without report=True: the same frame, still lazy.
    only = hgd.sanitize_columns(ddf, {"body": "ugc"})
    assert python_values(only["body"].compute()) == want["body"]


def test_a_custom_policy_round_trips_to_the_workers(client: Any) -> None:
    future = client.submit(lambda p: (p.to_dict(), p.sanitize("<a href=https://x>y</a>")), BIO)
    options, html = future.result()
    assert hg.Policy.from_dict(options) == BIO
    assert html == BIO.sanitize("<a href=https://x>y</a>")


def test_sanitize_columns_refuses_bad_arguments() -> None:
    ddf = dd.from_pandas(pd.DataFrame({"body": ["x"]}), npartitions=1)
    with pytest.raises(TypeError, match="dask.dataframe.DataFrame"):
        hgd.sanitize_columns(pd.DataFrame({"body": ["x"]}), {"body": "ugc"})
    with pytest.raises(TypeError, match="Policy or a registered policy name"):
        hgd.sanitize_columns(ddf, {"body": 3})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="batch_size"):
        hgd.sanitize_columns(ddf, {"body": "ugc"}, batch_size=0)
    with pytest.raises(ValueError, match="no column 'nope'"):
        hgd.sanitize_columns(ddf, {"body": "ugc"}, key="nope")


# --- imports ------------------------------------------------------------------------------------


def test_htmlguard_does_not_import_dask() -> None:
    code = (
        "import sys, htmlguard, htmlguard.bulk, htmlguard.bulk.batch;"
        "print(sorted(m for m in ('dask', 'distributed', 'pandas', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_without_dask_the_import_error_names_the_extra() -> None:
    code = "import sys; sys.modules['dask'] = None; import htmlguard.dask"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode != 0
    assert "ImportError: htmlguard.dask needs the dask extra" in out.stderr
    assert "htmlguard[dask]" in out.stderr


def test_bulk_command_runs_the_job_on_the_cluster_it_is_given(
    client: Any, table: dict[str, list[Any]], tmp_path: Path
) -> None:
    # `htmlguard bulk --dask ADDRESS` from another process: the same data as the
    # single-process result, and the report as JSON.
    import json
    import os

    source = tmp_path / "posts"
    write_parquet_parts(table, source, parts=3)
    dest = tmp_path / "clean.parquet"
    env = {**os.environ, "PYTHONPATH": str(Path(hg.__file__).parent.parent)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "htmlguard",
            "bulk",
            str(source),
            "--column",
            "body=basic",
            "--out",
            str(dest),
            "--dask",
            client.scheduler.address,
            "--json",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    want, want_report = expected(table, {"body": hg.Policy.preset("basic")})
    assert proc.returncode == (1 if want_report.failed else 0), proc.stderr
    assert python_values(pd.read_parquet(dest)["body"]) == want["body"]
    got = json.loads(proc.stdout)
    assert (got["rows_read"], got["changed"], got["failed"]) == (
        want_report.rows_read,
        want_report.changed,
        want_report.failed,
    )
