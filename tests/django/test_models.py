"""SanitizedTextField and SanitizedCharField: every write path stores sanitized HTML, every
read gives the policy's output, expressions the database would compute are refused."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connections, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Upper
from django.template import Context, Template
from django.test import override_settings
from django.utils.safestring import SafeData
from django.utils.translation import gettext_lazy

import htmlguard as hg
from htmlguard.django.html import SanitizedHTML
from htmlguard.django.models import (
    SanitizedCharField,
    SanitizedTextField,
    UnsanitizableExpressionError,
)
from integrations.django_site.testapp.models import LINKS_ONLY, Comment, Post

HOSTILE = '<b onclick="steal()">bold</b><img src=x onerror=alert(1)><script>alert(2)</script>'
UGC = hg.Policy.preset("ugc")
BIO = hg.Policy(tags={"b", "i", "em", "strong"})  # integrations/django_site/settings.py


def raw(alias: str, column: str, pk: int) -> str | None:
    """The value as stored, read past the ORM."""
    with connections[alias].cursor() as cur:
        cur.execute(f"SELECT {column} FROM testapp_post WHERE id = %s", [pk])
        (value,) = cur.fetchone()
    return value  # type: ignore[no-any-return]


def raw_write(alias: str, column: str, pk: int, value: str) -> None:
    with connections[alias].cursor() as cur:
        cur.execute(f"UPDATE testapp_post SET {column} = %s WHERE id = %s", [value, pk])


@contextmanager
def refused(alias: str, match: str | None = None) -> Iterator[None]:
    """The block raises UnsanitizableExpressionError; a savepoint keeps the test's
    transaction usable (Django marks it for rollback on any error in a query)."""
    with pytest.raises(UnsanitizableExpressionError, match=match):
        with transaction.atomic(using=alias):
            yield


def new_post(alias: str, **fields: object) -> Post:
    values: dict[str, object] = {"title": "t", "body": "b"}
    values.update(fields)
    return Post.objects.using(alias).create(**values)


# ---------------------------------------------------------------- write paths


def test_create_and_save_store_sanitized_html(db_alias: str) -> None:
    post = new_post(db_alias, title=HOSTILE, body=HOSTILE, bio=HOSTILE)
    assert raw(db_alias, "body", post.pk) == UGC.sanitize(HOSTILE)
    assert raw(db_alias, "title", post.pk) == hg.Policy.preset("strict").sanitize(HOSTILE)
    assert raw(db_alias, "bio", post.pk) == BIO.sanitize(HOSTILE)
    # the instance holds what was stored, marked safe
    assert post.body == UGC.sanitize(HOSTILE)
    assert isinstance(post.body, SafeData)

    post.body = "<p>again<script>x()</script></p>"
    post.save()
    assert raw(db_alias, "body", post.pk) == "<p>again</p>"


def test_save_with_update_fields(db_alias: str) -> None:
    post = new_post(db_alias)
    post.body = HOSTILE
    post.notes = HOSTILE  # a plain TextField: stored as given
    post.save(update_fields=["body", "notes"])
    assert raw(db_alias, "body", post.pk) == UGC.sanitize(HOSTILE)
    assert raw(db_alias, "notes", post.pk) == HOSTILE


def test_queryset_update(db_alias: str) -> None:
    post = new_post(db_alias)
    count = Post.objects.using(db_alias).filter(pk=post.pk).update(body=HOSTILE, bio=HOSTILE)
    assert count == 1
    assert raw(db_alias, "body", post.pk) == UGC.sanitize(HOSTILE)
    assert raw(db_alias, "bio", post.pk) == BIO.sanitize(HOSTILE)


def test_bulk_create(db_alias: str) -> None:
    posts = [Post(title=f"<i>{i}</i>", body=HOSTILE + str(i)) for i in range(3)]
    made = Post.objects.using(db_alias).bulk_create(posts)
    for i, post in enumerate(Post.objects.using(db_alias).order_by("pk")):
        assert raw(db_alias, "body", post.pk) == UGC.sanitize(HOSTILE + str(i))
        assert raw(db_alias, "title", post.pk) == str(i)
    assert made[0].body == UGC.sanitize(HOSTILE + "0")  # the objects were cleaned too


def test_bulk_update(db_alias: str) -> None:
    posts = [new_post(db_alias) for _ in range(3)]
    for i, post in enumerate(posts):
        post.body = f"{HOSTILE}{i}"
        post.bio = None if i == 1 else HOSTILE
    Post.objects.using(db_alias).bulk_update(posts, ["body", "bio"], batch_size=2)
    for i, post in enumerate(posts):
        assert raw(db_alias, "body", post.pk) == UGC.sanitize(f"{HOSTILE}{i}")
        assert raw(db_alias, "bio", post.pk) == (None if i == 1 else BIO.sanitize(HOSTILE))


def test_get_or_create_and_update_or_create(db_alias: str) -> None:
    objects = Post.objects.using(db_alias)
    post, created = objects.get_or_create(title="g", defaults={"body": HOSTILE})
    assert created and raw(db_alias, "body", post.pk) == UGC.sanitize(HOSTILE)
    post, created = objects.update_or_create(title="g", defaults={"body": HOSTILE + "!"})
    assert not created and raw(db_alias, "body", post.pk) == UGC.sanitize(HOSTILE + "!")


def test_related_manager_create(db_alias: str) -> None:
    post = new_post(db_alias)
    comment = post.comments.create(text='<a href="javascript:x()">x</a><p>ok</p>')
    with connections[db_alias].cursor() as cur:
        cur.execute("SELECT text FROM testapp_comment WHERE id = %s", [comment.pk])
        assert cur.fetchone() == ('<a rel="nofollow">x</a><p>ok</p>',)


def test_policy_object_and_default_policy(db_alias: str) -> None:
    post = new_post(db_alias, links='<a href="https://x.test/">x</a><b>gone</b>', summary=HOSTILE)
    assert raw(db_alias, "links", post.pk) == '<a href="https://x.test/">x</a>gone'
    assert raw(db_alias, "summary", post.pk) == UGC.sanitize(HOSTILE)  # "ugc": the default
    with override_settings(HTMLGUARD_DEFAULT_POLICY="bio"):
        post.summary = '<p><b onclick="x">b</b></p>'
        post.save()
    assert raw(db_alias, "summary", post.pk) == "<b>b</b>"


def test_non_str_and_lazy_values_are_stored_as_text(db_alias: str) -> None:
    post = new_post(db_alias, body=12345, bio=gettext_lazy("<b>lazy</b><u>u</u>"))
    assert raw(db_alias, "body", post.pk) == "12345"
    assert raw(db_alias, "bio", post.pk) == "<b>lazy</b>u"


def test_safe_strings_are_sanitized_all_the_same(db_alias: str) -> None:
    from django.utils.safestring import mark_safe

    post = new_post(db_alias, body=mark_safe(HOSTILE))
    assert raw(db_alias, "body", post.pk) == UGC.sanitize(HOSTILE)
    # a SanitizedHTML of another policy is not trusted either
    post.bio = SanitizedHTML(UGC.sanitize('<p title="t">x</p>'), UGC)
    post.save()
    assert raw(db_alias, "bio", post.pk) == "x"


def test_none_stays_none(db_alias: str) -> None:
    post = new_post(db_alias, bio=None)
    assert raw(db_alias, "bio", post.pk) is None
    assert Post.objects.using(db_alias).get(pk=post.pk).bio is None
    Post.objects.using(db_alias).update(bio=None)
    assert raw(db_alias, "bio", post.pk) is None


def test_too_large_input_is_never_stored(db_alias: str) -> None:
    with override_settings(HTMLGUARD_POLICIES={"bio": {"tags": ["b"], "max_input_bytes": 10}}):
        with pytest.raises(hg.InputTooLargeError), transaction.atomic(using=db_alias):
            new_post(db_alias, bio="<b>" + "x" * 100 + "</b>")
    assert not Post.objects.using(db_alias).filter(bio__contains="xxx").exists()


# ---------------------------------------------------------------- expressions


@pytest.mark.parametrize(
    "expression",
    [
        Value(HOSTILE),
        Upper(Value(HOSTILE)),
        Concat(F("body"), Value("<script>x</script>")),
        F("notes"),  # a column nobody sanitized
        F("title"),  # sanitized, but by another policy
    ],
    ids=["Value", "Upper", "Concat", "F-plain", "F-other-policy"],
)
def test_update_refuses_expressions_it_cannot_sanitize(db_alias: str, expression: object) -> None:
    post = new_post(db_alias, notes=HOSTILE)
    with refused(db_alias, match=r"testapp\.Post\.body"):
        Post.objects.using(db_alias).update(body=expression)
    assert raw(db_alias, "body", post.pk) == "b"


def test_create_and_save_refuse_expressions(db_alias: str) -> None:
    with refused(db_alias):
        new_post(db_alias, body=Upper(Value(HOSTILE)))
    post = new_post(db_alias)
    post.body = Concat(Value("<script>"), F("notes"))
    with refused(db_alias):
        post.save()
    assert raw(db_alias, "body", post.pk) == "b"


def test_bulk_update_refuses_expressions_on_objects(db_alias: str) -> None:
    post = new_post(db_alias, notes=HOSTILE)
    post.body = F("notes")
    with refused(db_alias):
        Post.objects.using(db_alias).bulk_update([post], ["body"])
    assert raw(db_alias, "body", post.pk) == "b"


def test_expressions_with_a_sanitized_value_are_allowed(db_alias: str) -> None:
    post = new_post(db_alias)
    comment = post.comments.create(text="<p>kept</p>")
    # F() of a field with the same policy copies clean HTML; None is None
    Comment.objects.using(db_alias).update(copy=F("text"))
    assert Comment.objects.using(db_alias).get(pk=comment.pk).copy == "<p>kept</p>"
    Post.objects.using(db_alias).update(bio=Value(None))
    assert raw(db_alias, "bio", post.pk) is None


# ---------------------------------------------------------------- reading


def test_rows_written_around_the_orm_are_read_sanitized(db_alias: str) -> None:
    post = new_post(db_alias)
    raw_write(db_alias, "body", post.pk, HOSTILE)
    raw_write(db_alias, "bio", post.pk, HOSTILE)
    fresh = Post.objects.using(db_alias).get(pk=post.pk)
    assert fresh.body == UGC.sanitize(HOSTILE)
    assert fresh.bio == BIO.sanitize(HOSTILE)
    assert Post.objects.using(db_alias).values_list("body", flat=True).get(pk=post.pk) == (
        UGC.sanitize(HOSTILE)
    )
    post.refresh_from_db()
    assert post.body == UGC.sanitize(HOSTILE)
    # and render as HTML, never as the stored script
    html = Template("{{ post.body }}|{{ post.bio }}").render(Context({"post": fresh}))
    assert html == f"{UGC.sanitize(HOSTILE)}|{BIO.sanitize(HOSTILE)}"
    assert "onerror" not in html and "<script" not in html


def test_values_read_back_are_safe_and_render_as_html(db_alias: str) -> None:
    post = new_post(db_alias, body="<p>a &amp; <b>b</b></p>")
    fresh = Post.objects.using(db_alias).get(pk=post.pk)
    assert isinstance(fresh.body, SanitizedHTML) and isinstance(fresh.body, SafeData)
    assert Template("{{ p.body }}").render(Context({"p": fresh})) == "<p>a &amp; <b>b</b></p>"
    # a changed string is no longer marked safe: templates escape it
    assert Template("{{ v }}").render(Context({"v": fresh.body + "<i>"})) == (
        "&lt;p&gt;a &amp;amp; &lt;b&gt;b&lt;/b&gt;&lt;/p&gt;&lt;i&gt;"
    )


def test_a_tighter_policy_applies_to_rows_already_stored(db_alias: str) -> None:
    post = new_post(db_alias, bio="<b>bold</b> <i>it</i>")
    with override_settings(HTMLGUARD_POLICIES={"bio": {"tags": ["i"]}}):
        assert Post.objects.using(db_alias).get(pk=post.pk).bio == "bold <i>it</i>"
    assert Post.objects.using(db_alias).get(pk=post.pk).bio == "<b>bold</b> <i>it</i>"


def test_lookups_compare_with_the_value_as_given(db_alias: str) -> None:
    new_post(db_alias, body="<p>hello <b>world</b></p>")
    posts = Post.objects.using(db_alias)
    assert posts.filter(body="<p>hello <b>world</b></p>").count() == 1
    assert posts.filter(body__contains="<b>world").count() == 1
    assert posts.filter(body__icontains="<script").count() == 0  # not sanitized to ""
    assert posts.filter(body__in=["<p>hello <b>world</b></p>", "x"]).count() == 1
    assert posts.exclude(body__startswith="<p>").count() == 0


def test_sanitized_html_pickles_with_its_policy(db_alias: str) -> None:
    post = Post.objects.using(db_alias).get(pk=new_post(db_alias, body="<b>x</b>").pk)
    again = pickle.loads(pickle.dumps(post))
    assert again.body == "<b>x</b>" and isinstance(again.body, SanitizedHTML)
    assert again.body.policy == UGC


def test_value_from_object_is_plain_text(db_alias: str) -> None:
    post = Post.objects.using(db_alias).get(pk=new_post(db_alias, body="<b>x</b>").pk)
    value = Post._meta.get_field("body").value_from_object(post)
    assert value == "<b>x</b>" and type(value) is str


# ---------------------------------------------------------------- the field itself


def test_policy_argument_is_checked() -> None:
    with pytest.raises(TypeError, match="policy must be"):
        SanitizedTextField(policy=42)  # type: ignore[arg-type]
    with pytest.raises(hg.PolicyError):
        SanitizedTextField(policy={"tags": ["script"]})


def test_deconstruct_keeps_the_name_or_the_policy_data() -> None:
    named = Post._meta.get_field("bio")
    _, path, _, kwargs = named.deconstruct()
    assert path == "htmlguard.django.models.SanitizedTextField"
    assert kwargs["policy"] == "bio" and kwargs["null"] is True
    data = Post._meta.get_field("links").deconstruct()[3]["policy"]
    assert data == LINKS_ONLY.to_dict()
    rebuilt = SanitizedTextField(policy=data)
    assert rebuilt.policy == LINKS_ONLY
    assert "policy" not in Post._meta.get_field("summary").deconstruct()[3]
    _, path, _, kwargs = SanitizedCharField(max_length=9, policy="strict").deconstruct()
    assert path == "htmlguard.django.models.SanitizedCharField"
    assert kwargs == {"max_length": 9, "policy": "strict"}


def test_full_clean_checks_max_length_on_the_sanitized_value() -> None:
    from django.core.exceptions import ValidationError

    post = Post(title="<b>" + "x" * 60 + "</b>", body="b")  # 67 characters, 60 once clean
    post.full_clean()
    assert post.title == "x" * 60
    post = Post(title="&" * 20, body="b")  # 20 characters, 100 once escaped
    with pytest.raises(ValidationError) as e:
        post.full_clean()
    assert "title" in e.value.message_dict


def test_fixtures_are_sanitized_when_loaded(db_alias: str, tmp_path: object) -> None:
    import json
    from pathlib import Path

    from django.core.management import call_command

    fixture = Path(str(tmp_path)) / "posts.json"
    fields = {"title": "<b>f</b>", "body": HOSTILE, "bio": None, "links": "", "summary": ""}
    fixture.write_text(json.dumps([{"model": "testapp.post", "pk": 901, "fields": fields}]))
    call_command("loaddata", str(fixture), database=db_alias, verbosity=0)
    assert raw(db_alias, "body", 901) == UGC.sanitize(HOSTILE)
    assert raw(db_alias, "title", 901) == "f"


@pytest.mark.django_db(transaction=True)
async def test_async_orm_paths() -> None:
    post = await Post.objects.acreate(title="a", body=HOSTILE)
    await Post.objects.filter(pk=post.pk).aupdate(bio=HOSTILE)
    fresh = await Post.objects.aget(pk=post.pk)
    assert (fresh.body, fresh.bio) == (UGC.sanitize(HOSTILE), BIO.sanitize(HOSTILE))
    (made,) = await Post.objects.abulk_create([Post(title="b", body=HOSTILE + "!")])
    assert made.body == UGC.sanitize(HOSTILE + "!")


def test_a_stored_row_over_max_input_bytes_still_reads_sanitized(db_alias: str) -> None:
    post = new_post(db_alias)
    big = "<b>" + "x" * 200 + "</b><script>alert(1)</script>"
    raw_write(db_alias, "bio", post.pk, big)
    with override_settings(HTMLGUARD_POLICIES={"bio": {"tags": ["b"], "max_input_bytes": 50}}):
        fresh = Post.objects.using(db_alias).get(pk=post.pk)
        assert fresh.bio == "<b>" + "x" * 200 + "</b>alert(1)"
        fresh.save()  # what was read is the policy's output: saving it repairs the row
        assert raw(db_alias, "bio", post.pk) == fresh.bio
        with pytest.raises(hg.InputTooLargeError), transaction.atomic(using=db_alias):
            new_post(db_alias, bio=big)  # new input over the limit is still refused
