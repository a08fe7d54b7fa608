"""SQL jobs through SQLAlchemy, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from bulk_support import UGC

from htmlguard.bulk.errors import BulkError
from htmlguard.bulk.sql import run_sql

VALUES = {
    1: ("<b onclick=x>a</b>", "ok"),
    2: (None, "<i>fine</i>"),
    3: ("clean", "a & b & c & d"),  # bio grows past varchar(16) once escaped
    4: ("<script>x</script>y", None),
    5: ("z" * 200, "ok"),  # over max_input_bytes
}


def fill(engine: Any, name: str, columns: str, rows: list[dict[str, Any]]) -> None:
    """(Re)create the table `name` (SQL, quoted as needed) with `columns`, holding `rows`."""
    with engine.begin() as c:
        c.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))
        c.execute(sa.text(f"CREATE TABLE {name} ({columns})"))
        names = ", ".join(f":{k}" for k in rows[0])
        c.execute(sa.text(f"INSERT INTO {name} VALUES ({names})"), rows)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        found = f"sqlite:///{tmp_path / 'db.sqlite'}"
    else:
        found = request.getfixturevalue("pg").make_url(driver="psycopg")
    engine = sa.create_engine(found)
    fill(
        engine,
        "posts",
        "id INTEGER PRIMARY KEY, body TEXT, bio VARCHAR(16)",
        [{"id": k, "body": b, "bio": o} for k, (b, o) in VALUES.items()],
    )
    engine.dispose()
    return found


def stored(url: str) -> dict[int, tuple[Any, Any]]:
    engine = sa.create_engine(url)
    with engine.connect() as c:
        out = {r[0]: (r[1], r[2]) for r in c.execute(sa.text("SELECT id, body, bio FROM posts"))}
    engine.dispose()
    return out


def test_rows_updated_in_place_bad_rows_left_as_stored(url: str, tmp_path: Path) -> None:
    policy = UGC.derive(max_input_bytes=100)
    report = run_sql(
        url, "posts", {"body": policy, "bio": policy}, batch_size=2, checkpoint=tmp_path / "c"
    )
    assert stored(url) == {
        1: ("<b>a</b>", "ok"),
        2: (None, "<i>fine</i>"),
        3: VALUES[3],  # too long for its column once sanitized: left as stored
        4: ("y", None),
        5: VALUES[5],
    }
    assert (report.rows_read, report.changed, report.unchanged, report.failed) == (5, 2, 1, 2)
    assert report.nulls == 2
    errors = {f.key: f.error for f in report.failures}
    assert "over the column's length 16" in errors[3] and "InputTooLarge" in errors[5]
    assert not (tmp_path / "c").exists()


def test_a_row_edited_since_it_was_read_is_skipped(url: str, tmp_path: Path) -> None:
    engine = sa.create_engine(url)

    class EditsRow1:
        """Sanitizes like ugc, and meanwhile someone edits row 1."""

        def sanitize(self, html: str, /) -> str:
            return UGC.sanitize(html)

        def inspect(self, html: str, /) -> Any:
            return UGC.inspect(html)

        def sanitize_many(self, htmls: list[str], /) -> list[str]:
            with engine.begin() as c:
                c.execute(sa.text("UPDATE posts SET body = 'edited <u>by hand</u>' WHERE id = 1"))
            return UGC.sanitize_many(htmls)

    report = run_sql(
        url,
        "posts",
        {"body": UGC},
        checkpoint=tmp_path / "c",
        sanitizers={"body": EditsRow1()},
    )
    engine.dispose()
    assert stored(url)[1][0] == "edited <u>by hand</u>"
    assert stored(url)[4][0] == "y"
    assert report.skipped == 1 and report.changed == 1


def test_dry_run_writes_nothing(url: str, tmp_path: Path) -> None:
    report = run_sql(url, "posts", {"body": UGC}, dry_run=True, checkpoint=tmp_path / "c")
    assert stored(url) == VALUES
    assert report.changed == 2 and report.samples[0].after == "<b>a</b>"
    assert not (tmp_path / "c").exists()


def test_unknown_table_column_and_key(url: str) -> None:
    with pytest.raises(BulkError, match="no table"):
        run_sql(url, "nope", {"body": UGC})
    with pytest.raises(BulkError, match="no column 'text'"):
        run_sql(url, "posts", {"text": UGC})
    with pytest.raises(BulkError, match="no column 'k'"):
        run_sql(url, "posts", {"body": UGC}, key="k")


def test_a_lost_connection_stops_the_job_and_a_new_run_continues(pg: Any, tmp_path: Path) -> None:
    url = pg.make_url(driver="psycopg")
    engine = sa.create_engine(url)
    fill(
        engine,
        "lost",
        "id INTEGER PRIMARY KEY, body TEXT",
        [{"id": i, "body": f"<b onclick=x>{i}</b>"} for i in range(1, 51)],
    )
    calls = [0]

    class CutsTheConnection:
        """Sanitizes like ugc; at the third batch the server drops the job's connections."""

        def sanitize(self, html: str, /) -> str:
            return UGC.sanitize(html)

        def inspect(self, html: str, /) -> Any:
            return UGC.inspect(html)

        def sanitize_many(self, htmls: list[str], /) -> list[str]:
            calls[0] += 1
            if calls[0] == 3:
                with engine.connect() as c:
                    c.execute(
                        sa.text(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                        )
                    )
            return UGC.sanitize_many(htmls)

    ckpt = tmp_path / "lost.ckpt"
    with pytest.raises(sa.exc.DBAPIError):
        run_sql(
            url,
            "lost",
            {"body": UGC},
            batch_size=10,
            checkpoint=ckpt,
            sanitizers={"body": CutsTheConnection()},
        )
    with engine.connect() as c:
        bodies = dict(c.execute(sa.text("SELECT id, body FROM lost")).all())
    # Batches are read and written beside the sanitizing, two at once, on connections of
    # their own: which of them the cut reaches depends on timing (all five may be written
    # before the reader, looking for a sixth, meets its cut connection). Either way what
    # the checkpoint counts is written, and each batch after it is written whole or not.
    done = json.loads(ckpt.read_bytes())["position"] if ckpt.exists() else 0
    assert done in (0, 10, 20, 30, 40, 50)
    clean = {i for i, b in bodies.items() if b == f"<b>{i}</b>"}
    assert set(range(1, done + 1)) <= clean
    assert all(set(range(b + 1, b + 11)) <= clean or not {*range(b + 1, b + 11)} & clean
               for b in range(0, 50, 10))  # fmt: skip
    ahead = len(clean) - done  # written past the checkpoint: read again, found clean
    report = run_sql(url, "lost", {"body": UGC}, batch_size=10, checkpoint=ckpt)
    with engine.connect() as c:
        bodies = dict(c.execute(sa.text("SELECT id, body FROM lost")).all())
    engine.dispose()
    assert bodies == {i: f"<b>{i}</b>" for i in range(1, 51)}
    assert (report.rows_read, report.changed, report.unchanged) == (50, 50 - ahead, ahead)
    assert not ckpt.exists()


def test_a_key_the_checkpoint_cannot_hold_is_refused_before_any_write(
    url: str, tmp_path: Path
) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as c:
        c.execute(sa.text("DROP TABLE IF EXISTS dated"))
        c.execute(sa.text("CREATE TABLE dated (day DATE PRIMARY KEY, body TEXT)"))
        c.execute(sa.text("INSERT INTO dated VALUES ('2024-01-01', '<b onclick=x>a</b>')"))
    with pytest.raises(BulkError, match="integer or string"):
        run_sql(url, "dated", {"body": UGC}, checkpoint=tmp_path / "c")
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT body FROM dated")).scalar_one() == "<b onclick=x>a</b>"
    engine.dispose()


def test_a_row_the_database_refuses_fails_alone(url: str, tmp_path: Path) -> None:
    engine = sa.create_engine(url)
    fill(
        engine,
        "guarded",
        "id INTEGER PRIMARY KEY, body TEXT CHECK (body <> 'y')",
        [
            {"id": 1, "body": "<b onclick=x>a</b>"},
            {"id": 2, "body": "<script>x</script>y"},  # "y" once sanitized: refused
            {"id": 3, "body": "<i onclick=1>z</i>"},
        ],
    )
    report = run_sql(url, "guarded", {"body": UGC}, checkpoint=tmp_path / "c")
    with engine.connect() as c:
        bodies = dict(c.execute(sa.text("SELECT id, body FROM guarded")).all())
    engine.dispose()
    assert bodies == {1: "<b>a</b>", 2: "<script>x</script>y", 3: "<i>z</i>"}
    assert (report.changed, report.failed) == (2, 1)
    assert [f.key for f in report.failures] == [2]
    assert "check" in report.failures[0].error.lower()


def test_string_keys_and_two_columns_in_one_batch(url: str, tmp_path: Path) -> None:
    """On PostgreSQL a batch's rows go as arrays of the columns' own types (a varchar, a
    text key); rows changing different columns are written by separate statements."""
    engine = sa.create_engine(url)
    rows = {
        "a'1": ("<b onclick=x>1</b>", "<i onclick=x>1</i>"),
        'b"2': ("<b onclick=x>2</b>", "<i onclick=x>2</i>"),
        "c\\3": ("<b onclick=x>3</b>", "same"),
        "d 4": ("same", "<u onclick=x>4</u>"),
        "é5": ("ok", "same"),
    }
    fill(
        engine,
        '"Mixed Case"',
        "slug VARCHAR(8) PRIMARY KEY, body TEXT, bio VARCHAR(40)",
        [{"k": k, "body": b, "bio": o} for k, (b, o) in rows.items()],
    )
    report = run_sql(
        url, "Mixed Case", {"body": UGC, "bio": UGC}, checkpoint=tmp_path / "c", batch_size=100
    )
    with engine.connect() as c:
        got = {r[0]: (r[1], r[2]) for r in c.execute(sa.text('SELECT * FROM "Mixed Case"'))}
    engine.dispose()
    assert got == {k: (UGC.sanitize(b), UGC.sanitize(o)) for k, (b, o) in rows.items()}
    assert (report.changed, report.unchanged, report.skipped) == (4, 1, 0)


def test_postgresql_writes_two_batches_at_once(pg: Any, tmp_path: Path) -> None:
    """Each batch's UPDATE logs when it ran (statement triggers; the first ones are held
    back half a second): writes overlap, and the job's result is the serial one's."""
    url = pg.make_url(driver="psycopg")
    engine = sa.create_engine(url)
    fill(
        engine,
        "slow",
        "id INTEGER PRIMARY KEY, body TEXT",
        [{"id": i, "body": f"<b onclick=x>{i}</b>"} for i in range(1, 41)],
    )
    with engine.begin() as c:
        c.execute(sa.text("DROP TABLE IF EXISTS write_log"))
        c.execute(sa.text("CREATE TABLE write_log (pid INT, began TIMESTAMPTZ, ended TIMESTAMPTZ)"))
        c.execute(
            sa.text(
                """
                CREATE OR REPLACE FUNCTION log_begin() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM set_config('log.began', clock_timestamp()::text, true);
                    IF NOT EXISTS (SELECT 1 FROM write_log) THEN PERFORM pg_sleep(0.5); END IF;
                    RETURN NULL;
                END $$;
                CREATE OR REPLACE FUNCTION log_end() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO write_log VALUES (pg_backend_pid(),
                        current_setting('log.began')::timestamptz, clock_timestamp());
                    RETURN NULL;
                END $$;
                CREATE TRIGGER b BEFORE UPDATE ON slow
                    FOR EACH STATEMENT EXECUTE FUNCTION log_begin();
                CREATE TRIGGER e AFTER UPDATE ON slow
                    FOR EACH STATEMENT EXECUTE FUNCTION log_end();
                """
            )
        )
    report = run_sql(url, "slow", {"body": UGC}, batch_size=10, checkpoint=tmp_path / "c")
    with engine.connect() as c:
        bodies = dict(c.execute(sa.text("SELECT id, body FROM slow")).all())
        log = c.execute(sa.text("SELECT pid, began, ended FROM write_log ORDER BY began")).all()
    engine.dispose()
    assert bodies == {i: f"<b>{i}</b>" for i in range(1, 41)}
    assert (report.rows_read, report.changed, report.skipped) == (40, 40, 0)
    assert len(log) == 4
    first = log[0]
    assert any(began < first.ended for _, began, _ in log[1:]), "no write beside the first"
    assert not (tmp_path / "c").exists()
