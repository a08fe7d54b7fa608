"""The ``postgres`` alias is a real PostgreSQL server (tests/pg_server.py, started by
tests/django/conftest.py), its test database is migrated, and models round-trip through both
aliases."""

from __future__ import annotations

import os
import uuid

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from integrations.django_site.testapp.models import Post

ALIASES = ("default", "postgres")  # as db_alias runs them (conftest.py)


@pytest.mark.django_db(databases=["postgres"])
def test_the_postgres_alias_is_a_real_postgresql_server_on_loopback(
    request: pytest.FixtureRequest,
) -> None:
    conn = connections["postgres"]
    assert conn.vendor == "postgresql"
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT version(), host(inet_server_addr()), inet_server_port(), current_database(),"
            " current_setting('listen_addresses')"
        )
        version, addr, port, dbname, listen = cursor.fetchone()
    assert version.startswith("PostgreSQL ")
    assert (addr, port) == ("127.0.0.1", int(conn.settings_dict["PORT"]))
    assert dbname == conn.settings_dict["NAME"]
    assert dbname.startswith("test_")  # pytest-django's test database, not the server's own
    if not os.environ.get("HTMLGUARD_PG_PORT"):  # the session's server, not one started by hand
        server = request.getfixturevalue("pg_server")
        assert port == server.port
        assert listen == "127.0.0.1"  # bound to loopback only


@pytest.mark.django_db(databases=list(ALIASES))
@pytest.mark.parametrize("alias", ALIASES)
def test_the_test_databases_are_migrated(alias: str) -> None:
    tables = connections[alias].introspection.table_names()
    assert {"testapp_post", "testapp_comment", "django_migrations"} <= set(tables)


def test_a_post_round_trips_through_each_alias(db_alias: str) -> None:
    other = next(a for a in ALIASES if a != db_alias)
    title = f"Round trip {uuid.uuid4().hex}"
    notes = "é ✓ 😀 <b>kept</b>"  # a plain TextField: stored as given, non-ASCII included
    with CaptureQueriesContext(connections[db_alias]) as queries:
        post = Post.objects.using(db_alias).create(
            title=title, body="<p>hi</p><script>alert(1)</script>", notes=notes
        )
    assert any("INSERT" in q["sql"] for q in queries.captured_queries)

    fetched = Post.objects.using(db_alias).get(pk=post.pk)
    assert (fetched.title, fetched.notes) == (title, notes)
    assert "<p>hi</p>" in fetched.body and "script" not in fetched.body
    # The row is in this database, as stored (sanitized), and not in the other one.
    with connections[db_alias].cursor() as cursor:
        cursor.execute("SELECT body, notes FROM testapp_post WHERE title = %s", [title])
        assert cursor.fetchall() == [(str(fetched.body), notes)]
    assert not Post.objects.using(other).filter(title=title).exists()
