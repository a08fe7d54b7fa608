"""Migrations: the fields deconstruct with the policy's name (or a Policy's data), so a
named policy's options live in settings and changing them makes no migration."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ModelState, ProjectState
from django.test import override_settings

import htmlguard as hg
from htmlguard.django.models import SanitizedTextField


def makemigrations_check() -> str:
    out = StringIO()
    call_command("makemigrations", "testapp", check=True, dry_run=True, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_committed_migrations_match_the_models() -> None:
    assert "No changes detected" in makemigrations_check()


@pytest.mark.django_db
def test_changing_a_named_policys_options_makes_no_migration() -> None:
    with override_settings(
        HTMLGUARD_POLICIES={"bio": {"tags": ["u"]}, "comment": {"tags": []}},
        HTMLGUARD_DEFAULT_POLICY="strict",
    ):
        assert "No changes detected" in makemigrations_check()


def changes(alter: dict[str, object]) -> dict[str, list[object]]:
    """The autodetector's changes after giving Post.bio these field keywords."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    before = loader.project_state()
    after = ProjectState.from_apps(apps)
    post = after.models["testapp", "post"]
    fields = dict(post.fields)
    name, path, args, kwargs = fields["bio"].deconstruct()
    fields["bio"] = SanitizedTextField(*args, **{**kwargs, **alter})
    after.models["testapp", "post"] = ModelState(
        "testapp", "Post", list(fields.items()), post.options, post.bases, post.managers
    )
    detector = MigrationAutodetector(before, after)
    return detector.changes(graph=loader.graph)  # type: ignore[no-any-return]


def test_another_policy_name_is_a_migration() -> None:
    assert changes({}) == {}
    found = changes({"policy": "comment"})
    (migration,) = found["testapp"]
    (operation,) = migration.operations  # type: ignore[attr-defined]
    assert type(operation).__name__ == "AlterField" and operation.name == "bio"
    assert operation.field.deconstruct()[3]["policy"] == "comment"


def test_a_policy_object_is_a_migration_only_when_it_changes() -> None:
    policy = hg.Policy(tags={"b"})
    assert changes({"policy": policy}) != {}
    # the same data given back (as the migration file does) is the same field
    field = SanitizedTextField(policy=policy.to_dict())
    assert field.deconstruct()[3]["policy"] == policy.to_dict()
    assert field.policy == policy


def test_another_policy_alters_no_column() -> None:
    from django.db import connection

    from integrations.django_site.testapp.models import Post

    old = Post._meta.get_field("bio")
    new = old.clone()
    new.policy = "comment"  # type: ignore[attr-defined]
    new.set_attributes_from_name("bio")
    new.model = Post
    editor = connection.schema_editor()
    assert not editor._field_should_be_altered(old, new)  # a migration, but no ALTER TABLE
    wider = SanitizedTextField(policy="bio", null=False)
    wider.set_attributes_from_name("bio")
    wider.model = Post
    assert editor._field_should_be_altered(old, wider)  # a real change still is one
