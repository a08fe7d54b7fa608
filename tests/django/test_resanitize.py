"""``manage.py htmlguard_resanitize`` and its core (htmlguard.django.resanitize), on real
databases (``db_alias``). Rows are written and read back with raw SQL: through the ORM a
sanitized field hands back its policy's output, whatever the table holds."""

from __future__ import annotations

import io
import json
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connections
from django.test.utils import CaptureQueriesContext, override_settings

from htmlguard.django import conf
from htmlguard.django.resanitize import (
    Summary,
    excerpt,
    read_batches,
    resanitize,
    target,
    write_batch,
)
from integrations.django_site.testapp.models import Comment, Post

POST = Post._meta.db_table
COMMENT = Comment._meta.db_table

HOSTILE = [
    "<p>hi<script>alert(1)</script> there</p>",
    '<a href="javascript:alert(1)" onclick="steal()">link</a>',
    "<img src=x onerror=alert(1)><b>bold</b>",
    '<iframe src="https://evil.example/"></iframe>text <em style="color:red">em</em>',
    "<p>unclosed <b>bold",  # nothing removed: only re-serialized
]
CLEAN = ["<p>already <b>clean</b></p>", "plain text", ""]


def ugc(html: str) -> str:
    return conf.resolve_policy("ugc").sanitize(html)


# ------------------------------------------------------------------ raw SQL helpers


def q(alias: str, name: str) -> str:
    return connections[alias].ops.quote_name(name)


def insert_posts(alias: str, rows: list[dict[str, Any]], first_id: int = 1) -> list[int]:
    """Posts written by raw SQL (no field sees them), with ids from `first_id`."""
    ids = []
    with connections[alias].cursor() as cursor:
        for n, row in enumerate(rows, first_id):
            values: dict[str, Any] = {"id": n, "title": "t", "body": "", "bio": None}
            values |= {"links": "", "summary": "", "notes": "", **row}
            columns = ", ".join(q(alias, c) for c in values)
            marks = ", ".join(["%s"] * len(values))
            cursor.execute(
                f"INSERT INTO {q(alias, POST)} ({columns}) VALUES ({marks})", list(values.values())
            )
            ids.append(n)
    return ids


def column(alias: str, name: str, table: str = POST) -> dict[int, str | None]:
    """`table`.`name` by id, as stored."""
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT id, {q(alias, name)} FROM {q(alias, table)} ORDER BY id")
        return {int(pk): value for pk, value in cursor.fetchall()}


def set_value(alias: str, pk: int, name: str, value: str | None, table: str = POST) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute(
            f"UPDATE {q(alias, table)} SET {q(alias, name)} = %s WHERE id = %s", [value, pk]
        )


def run(alias: str, *args: str, **options: Any) -> dict[str, Any]:
    """The command's --json summary."""
    out = io.StringIO()
    call_command(
        "htmlguard_resanitize", *args, "--json", "--no-progress", database=alias,
        stdout=out, **options,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def run_text(alias: str, *args: str, **options: Any) -> str:
    out = io.StringIO()
    call_command("htmlguard_resanitize", *args, database=alias, stdout=out, **options)
    return out.getvalue()


def updates(queries: CaptureQueriesContext) -> list[str]:
    return [x["sql"] for x in queries.captured_queries if x["sql"].lstrip().startswith("UPDATE")]


@pytest.fixture
def posts(db_alias: str) -> dict[int, str]:
    """Hostile and clean bodies, by id (ids 1..8)."""
    bodies = HOSTILE + CLEAN
    assert all(ugc(html) == html for html in CLEAN)
    assert all(ugc(html) != html for html in HOSTILE)
    ids = insert_posts(db_alias, [{"body": body} for body in bodies])
    return dict(zip(ids, bodies, strict=True))


# ------------------------------------------------------------------ cleaning


def test_hostile_rows_are_cleaned_and_clean_rows_left_alone(
    db_alias: str, posts: dict[int, str]
) -> None:
    with CaptureQueriesContext(connections[db_alias]) as queries:
        (summary,) = run(db_alias, "testapp.Post.body")["fields"]
    stored = column(db_alias, "body")
    assert stored == {pk: ugc(body) for pk, body in posts.items()}
    # One UPDATE per changed row; none for the clean ones.
    assert len(updates(queries)) == len(HOSTILE)
    assert summary["changed"] == len(HOSTILE)
    assert summary["unchanged"] == len(CLEAN)
    assert summary["policy"] == "ugc"
    assert summary["field"] == "testapp.Post.body"


def test_summary_counts_match_what_changed(db_alias: str, posts: dict[int, str]) -> None:
    insert_posts(db_alias, [{"body": HOSTILE[0]}], first_id=100)  # another, for the tag counts
    before = column(db_alias, "body")
    (summary,) = run(db_alias, "testapp.Post.body")["fields"]
    after = column(db_alias, "body")

    changed = [pk for pk in before if before[pk] != after[pk]]
    assert summary["scanned"] == len(before)
    assert summary["changed"] == len(changed) == len(HOSTILE) + 1
    assert summary["unchanged"] == len(before) - len(changed)
    assert summary["skipped"] == summary["null"] == 0
    assert summary["rejected"] == []
    assert summary["bytes_before"] == sum(len(v.encode()) for v in before.values() if v)
    assert summary["bytes_after"] == sum(len(v.encode()) for v in after.values() if v)
    assert summary["bytes_after"] < summary["bytes_before"]

    policy = conf.resolve_policy("ugc")
    kinds: Counter[str] = Counter()
    tags: Counter[str] = Counter()
    nothing_removed = 0
    for pk in changed:
        report = policy.inspect(before[pk] or "")
        kinds.update(r.kind for r in report.removed)
        tags.update(r.tag for r in report.removed)
        nothing_removed += not report.removed
    assert summary["removed_by_kind"] == dict(kinds)
    assert summary["removed_by_tag"] == dict(tags)
    assert summary["removed_by_tag"]["script"] == 2
    assert summary["reserialized"] == nothing_removed == 1
    assert summary["samples"] == []  # only a dry run shows changes


def test_text_summary(db_alias: str, posts: dict[int, str]) -> None:
    text = run_text(db_alias, "testapp.Post.body", "--no-progress")
    assert "testapp.Post.body (policy ugc, database " in text
    assert (
        f"rows: 8 scanned, {len(HOSTILE)} changed, {len(CLEAN)} unchanged, "
        "0 skipped (edited meanwhile), 0 NULL"
    ) in text
    assert "only re-serialized" in text
    assert "removed by kind: " in text and "removed by tag: " in text
    assert "script 1" in text
    assert "Dry run" not in text


def test_running_again_changes_nothing(db_alias: str, posts: dict[int, str]) -> None:
    run(db_alias, "testapp.Post.body")
    once = column(db_alias, "body")
    with CaptureQueriesContext(connections[db_alias]) as queries:
        (summary,) = run(db_alias, "testapp.Post.body")["fields"]
    assert column(db_alias, "body") == once
    assert updates(queries) == []
    assert (summary["changed"], summary["unchanged"]) == (0, len(posts))


@pytest.mark.parametrize("batch_size", [1, 3, 8, 1000])
def test_batch_size_does_not_change_the_result(
    db_alias: str, posts: dict[int, str], batch_size: int
) -> None:
    set_value(db_alias, 2, "bio", "<b>x</b><img src=x onerror=y>")
    set_value(db_alias, 5, "bio", "<i>fine</i>")
    (summary,) = run(db_alias, "testapp.Post.bio", batch_size=batch_size)["fields"]
    assert column(db_alias, "bio") == {
        pk: {2: "<b>x</b>", 5: "<i>fine</i>"}.get(pk) for pk in posts
    }
    assert summary["scanned"] == len(posts)
    assert (summary["changed"], summary["unchanged"], summary["null"]) == (1, 1, len(posts) - 2)


def test_nulls_stay_null(db_alias: str) -> None:
    insert_posts(db_alias, [{"bio": None}, {"bio": "<img src=x onerror=y><b>b</b>"}, {"bio": None}])
    (summary,) = run(db_alias, "testapp.Post.bio", batch_size=1)["fields"]
    assert column(db_alias, "bio") == {1: None, 2: "<b>b</b>", 3: None}
    assert (summary["null"], summary["changed"], summary["scanned"]) == (2, 1, 3)


def test_several_fields_in_one_run(db_alias: str) -> None:
    insert_posts(db_alias, [{"title": "<b>T</b>", "body": "<script>x</script>ok"}])
    with connections[db_alias].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(db_alias, COMMENT)} (id, post_id, text, copy) VALUES (%s, %s, %s, %s)",
            [1, 1, '<a href="http://x.example/" onclick="y">l</a>', ""],
        )
    result = run(db_alias, "testapp.Post.title", "testapp.Post.body", "testapp.Comment.text")
    assert [s["field"] for s in result["fields"]] == [
        "testapp.Post.title",
        "testapp.Post.body",
        "testapp.Comment.text",
    ]
    assert [s["changed"] for s in result["fields"]] == [1, 1, 1]
    assert column(db_alias, "title") == {1: "T"}
    assert column(db_alias, "body") == {1: "ok"}
    comment = conf.resolve_policy("comment").sanitize(
        '<a href="http://x.example/" onclick="y">l</a>'
    )
    assert column(db_alias, "text", COMMENT) == {1: comment}
    assert "onclick" not in comment


def test_default_policy_field_is_named_in_the_summary(db_alias: str) -> None:
    insert_posts(db_alias, [{"summary": "<script>x</script>s"}])
    (summary,) = run(db_alias, "testapp.Post.summary")["fields"]
    assert summary["policy"] == "ugc (HTMLGUARD_DEFAULT_POLICY)"
    assert column(db_alias, "summary") == {1: "s"}


# ------------------------------------------------------------------ dry run


def test_dry_run_writes_nothing_and_shows_what_would_change(
    db_alias: str, posts: dict[int, str]
) -> None:
    with CaptureQueriesContext(connections[db_alias]) as queries:
        text = run_text(db_alias, "testapp.Post.body", "--dry-run", "--no-progress")
    assert column(db_alias, "body") == posts
    assert updates(queries) == []
    assert text.startswith("Dry run: nothing was written.")
    assert f"{len(HOSTILE)} would change" in text
    # Sample changes: pk, the value before and after.
    assert "  pk 1:\n    - <p>hi<script>alert(1)</script> there</p>\n    + <p>hi there</p>" in text

    (summary,) = run(db_alias, "testapp.Post.body", "--dry-run")["fields"]
    assert summary["dry_run"] is True
    assert summary["changed"] == len(HOSTILE)
    assert [s["pk"] for s in summary["samples"]] == [1, 2, 3, 4, 5]
    assert summary["samples"][0] == {
        "pk": 1,
        "before": HOSTILE[0],
        "after": ugc(HOSTILE[0]),
    }
    assert column(db_alias, "body") == posts


def test_excerpt_cuts_around_the_first_difference() -> None:
    old = "a" * 300 + "<script>x</script>" + "b" * 300
    new = "a" * 300 + "b" * 300
    before, after = excerpt(old, new, width=40)
    assert before == "…" + "a" * 10 + "<script>x</script>" + "b" * 12 + "…"
    assert after == "…" + "a" * 10 + "b" * 30 + "…"
    assert excerpt("<b>x", "<b>x</b>") == ("<b>x", "<b>x</b>")


# ------------------------------------------------------------------ --policy


def test_policy_option_applies_a_stricter_policy(db_alias: str, posts: dict[int, str]) -> None:
    strict = conf.resolve_policy("strict")
    (summary,) = run(db_alias, "testapp.Post.body", policy="strict")["fields"]
    stored = column(db_alias, "body")
    # The field stores only its own policy's output: strict first, then ugc on top (which
    # leaves strict's output as it is).
    assert stored == {pk: ugc(strict.sanitize(body)) for pk, body in posts.items()}
    assert stored == {pk: strict.sanitize(body) for pk, body in posts.items()}
    assert stored[1] == "hi there"
    assert summary["policy"] == "strict, then the field's ugc"
    # Clean for ugc is not clean for strict: these change too now.
    assert summary["changed"] == len(HOSTILE) + 1  # "<p>already <b>clean</b></p>"
    assert summary["unchanged"] == 2


def test_policy_option_equal_to_the_fields_is_one_pass(
    db_alias: str, posts: dict[int, str]
) -> None:
    (summary,) = run(db_alias, "testapp.Post.body", policy="ugc")["fields"]
    assert summary["policy"] == "ugc"
    assert column(db_alias, "body") == {pk: ugc(body) for pk, body in posts.items()}


def test_policy_option_cleans_a_plain_text_field(db_alias: str) -> None:
    insert_posts(
        db_alias, [{"notes": "<b>x</b><em>y</em><img src=x onerror=z>"}, {"notes": "<b>ok</b>"}]
    )
    (summary,) = run(db_alias, "testapp.Post.notes", policy="bio")["fields"]
    assert column(db_alias, "notes") == {1: "<b>x</b><em>y</em>", 2: "<b>ok</b>"}
    assert (summary["changed"], summary["unchanged"], summary["policy"]) == (1, 1, "bio")


def test_value_too_long_once_cleaned_is_rejected_not_written(db_alias: str) -> None:
    title = "a & b " * 10  # 60 characters: fits max_length, but not once each & is &amp;
    insert_posts(db_alias, [{"title": title}, {"title": "<b>short</b>"}])
    (summary,) = run(db_alias, "testapp.Post.title", batch_size=10)["fields"]
    assert column(db_alias, "title") == {1: title, 2: "short"}
    assert summary["changed"] == 1
    assert summary["rejected"] == [
        {"pk": 1, "reason": "100 characters once cleaned, over max_length 60"}
    ]
    assert summary["scanned"] == 2


def test_value_over_max_input_bytes_is_rejected_alone(db_alias: str) -> None:
    policies = {"tiny": {"tags": ["b"], "max_input_bytes": 40}}
    insert_posts(
        db_alias,
        [{"notes": "<i>x</i>"}, {"notes": "<i>" + "y" * 50 + "</i>"}, {"notes": "<b>z</b>"}],
    )
    with override_settings(HTMLGUARD_POLICIES=policies):
        (summary,) = run(db_alias, "testapp.Post.notes", policy="tiny")["fields"]
    assert column(db_alias, "notes") == {1: "x", 2: "<i>" + "y" * 50 + "</i>", 3: "<b>z</b>"}
    assert (summary["changed"], summary["unchanged"]) == (1, 1)
    assert [r["pk"] for r in summary["rejected"]] == [2]
    assert "max_input_bytes" in summary["rejected"][0]["reason"]


# ------------------------------------------------------------------ concurrency, interruption


def test_a_row_edited_between_read_and_write_is_not_overwritten(
    db_alias: str, posts: dict[int, str]
) -> None:
    t = target("testapp.Post.body")
    batches = read_batches(t, using=db_alias, batch_size=3)
    first = next(batches)
    assert [c.pk for c in first.changes] == [1, 2, 3]
    edited = "<p>edited meanwhile</p><script>new()</script>"
    set_value(db_alias, 2, "body", edited)  # another writer, after the read

    written = write_batch(t, first, using=db_alias)
    assert [c.pk for c in written] == [1, 3]
    assert column(db_alias, "body")[2] == edited
    summary = Summary(t.label, t.policy_name, db_alias, dry_run=False)
    summary.add(t, first, written, samples=0)
    assert (summary.changed, summary.skipped) == (2, 1)

    # The next batches are read after this one was written; a second run cleans the edit.
    rest = [c.pk for batch in batches for c in write_batch(t, batch, using=db_alias)]
    assert rest == [4, 5]
    (again,) = run(db_alias, "testapp.Post.body")["fields"]
    assert (again["changed"], again["skipped"]) == (1, 0)
    assert column(db_alias, "body") == {pk: ugc(body) for pk, body in posts.items()} | {
        2: "<p>edited meanwhile</p>"
    }


def test_a_row_edited_before_its_batch_is_read_is_cleaned_from_its_new_value(
    db_alias: str, posts: dict[int, str]
) -> None:
    edited = "<b>new</b><script>x</script>"

    def edit_later_row(summary: Summary) -> None:
        if summary.scanned == 2:
            set_value(db_alias, 7, "body", edited)

    summary = resanitize(
        target("testapp.Post.body"), using=db_alias, batch_size=2, on_batch=edit_later_row
    )
    assert column(db_alias, "body")[7] == "<b>new</b>"
    assert (summary.changed, summary.skipped) == (len(HOSTILE) + 1, 0)


def test_interrupted_run_keeps_finished_batches_and_a_rerun_finishes(
    db_alias: str, posts: dict[int, str]
) -> None:
    def interrupt(summary: Summary) -> None:
        if summary.scanned >= 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        resanitize(target("testapp.Post.body"), using=db_alias, batch_size=2, on_batch=interrupt)
    stored = column(db_alias, "body")
    assert [stored[pk] for pk in (1, 2)] == [ugc(posts[1]), ugc(posts[2])]
    assert [stored[pk] for pk in (3, 4, 5)] == [posts[3], posts[4], posts[5]]

    (summary,) = run(db_alias, "testapp.Post.body", batch_size=2)["fields"]
    assert column(db_alias, "body") == {pk: ugc(body) for pk, body in posts.items()}
    assert (summary["changed"], summary["unchanged"]) == (len(HOSTILE) - 2, len(CLEAN) + 2)


def _fail_update_of(alias: str, pk: int) -> None:
    """A trigger that makes the database refuse the UPDATE of post `pk` (the test's
    transaction drops it)."""
    with connections[alias].cursor() as cursor:
        if connections[alias].vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION htmlguard_refuse() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER htmlguard_refuse BEFORE UPDATE ON {q(alias, POST)} FOR EACH ROW "
                f"WHEN (NEW.id = {int(pk)}) EXECUTE FUNCTION htmlguard_refuse()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER htmlguard_refuse BEFORE UPDATE ON {q(alias, POST)} "
                f"WHEN NEW.id = {int(pk)} BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )


def test_a_failing_batch_is_rolled_back_whole(db_alias: str, posts: dict[int, str]) -> None:
    _fail_update_of(db_alias, 5)  # batch 2 is rows 4, 5, 6: row 4 is written before 5 fails
    with pytest.raises(DatabaseError):
        run(db_alias, "testapp.Post.body", batch_size=3)
    stored = column(db_alias, "body")
    assert [stored[pk] for pk in (1, 2, 3)] == [ugc(posts[pk]) for pk in (1, 2, 3)]
    assert [stored[pk] for pk in (4, 5)] == [posts[4], posts[5]]


class Terminal(io.StringIO):
    """An in-memory stderr that says it is a terminal; with `interrupt_on`, the user presses
    Ctrl-C when text containing it is drawn."""

    def __init__(self, interrupt_on: str | None = None) -> None:
        super().__init__()
        self.interrupt_on = interrupt_on

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.interrupt_on is not None and self.interrupt_on in text:
            raise KeyboardInterrupt
        return super().write(text)


def test_ctrl_c_prints_what_was_committed(db_alias: str, posts: dict[int, str]) -> None:
    insert_posts(db_alias, [{"title": "<b>T</b>"}], first_id=50)
    out = io.StringIO()
    with pytest.raises(CommandError, match="interrupted") as raised:
        call_command(
            "htmlguard_resanitize", "testapp.Post.body", "testapp.Post.title",
            database=db_alias, stdout=out, stderr=Terminal(interrupt_on="testapp.Post.title"),
        )  # fmt: skip
    assert raised.value.returncode == 130
    assert column(db_alias, "body") == {pk: ugc(body) for pk, body in posts.items()} | {50: ""}
    assert column(db_alias, "title")[50] == "<b>T</b>"  # not reached
    text = out.getvalue()
    assert "Interrupted" in text
    assert f"{len(HOSTILE)} changed" in text
    assert "testapp.Post.title" not in text


# ------------------------------------------------------------------ progress


def test_progress_bar_on_a_terminal(db_alias: str, posts: dict[int, str]) -> None:
    err = Terminal()
    run_text(db_alias, "testapp.Post.body", stderr=err)
    assert "testapp.Post.body" in err.getvalue()
    assert f"{len(posts)}/{len(posts)}" in err.getvalue()


@pytest.mark.parametrize("flag", [True, False])
def test_no_progress_bar_when_asked_or_not_a_terminal(
    db_alias: str, posts: dict[int, str], flag: bool
) -> None:
    err: io.StringIO = Terminal() if flag else io.StringIO()
    options = {"no_progress": True} if flag else {}
    run_text(db_alias, "testapp.Post.body", stderr=err, **options)
    assert err.getvalue() == ""
    assert column(db_alias, "body") == {pk: ugc(body) for pk, body in posts.items()}


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("nosuchapp.Post.body", "no installed app with label 'nosuchapp'"),
        ("testapp.Nope.body", "app 'testapp' has no model 'Nope'"),
        ("testapp.Post.nope", "model testapp.Post has no field 'nope'"),
        ("testapp.Post", "expected app_label.Model.field"),
        ("testapp.Post.body.x", "expected app_label.Model.field"),
        ("testapp.Comment.post", "is a ForeignKey, not a text column"),
        ("testapp.Post.id", "is a BigAutoField, not a text column"),
        ("testapp.Post.comments", "is a ManyToOneRel, not a text column"),
        ("testapp.Post.notes", "is a TextField, not a SanitizedTextField"),
    ],
)
def test_unknown_or_unfit_fields_are_refused(db_alias: str, label: str, message: str) -> None:
    insert_posts(db_alias, [{"body": HOSTILE[0]}])
    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        run(db_alias, "testapp.Post.body", label)
    assert column(db_alias, "body") == {1: HOSTILE[0]}  # checked before any work


def test_unknown_policy_is_refused(db_alias: str) -> None:
    with pytest.raises(CommandError, match="nosuchpolicy"):
        run(db_alias, "testapp.Post.body", policy="nosuchpolicy")


@pytest.mark.parametrize("size", [0, -3])
def test_batch_size_must_be_positive(db_alias: str, size: int) -> None:
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        run(db_alias, "testapp.Post.body", batch_size=size)


def test_unknown_database_is_refused(db: None) -> None:
    with pytest.raises(CommandError, match="no database 'nosuchdb'"):
        run("nosuchdb", "testapp.Post.body")
