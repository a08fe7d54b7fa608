"""Fixtures of the Django tests (pytest-django; settings: integrations/django_site).

``db_alias`` runs a test once per database: SQLite (``default``) and a real PostgreSQL
server the session starts (``postgres``, tests/pg_server.py), with database access to both.

The server is started once per session, and only if a collected test uses the ``postgres``
alias: ``django_db_modify_db_settings`` (pytest-django's hook for this) points the alias at
it before the test databases are created. A server started by hand is used instead when
``HTMLGUARD_PG_PORT`` is set (settings.py reads the ``HTMLGUARD_PG_*`` variables).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from pg_server import PostgresServer, start_postgres

#: The databases every write-path test runs against.
ALIASES = ("default", "postgres")
#: pytest.mark.django_db's parameters, in order (to read positional ones).
_DJANGO_DB_PARAMS = (
    "transaction",
    "reset_sequences",
    "databases",
    "serialized_rollback",
    "available_apps",
)


def external_server() -> bool:
    """Whether ``postgres`` is a server started by hand (``HTMLGUARD_PG_PORT``)."""
    return bool(os.environ.get("HTMLGUARD_PG_PORT"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # pytest-django creates only the test databases that the collected tests' django_db
    # marks (read before any fixture runs) name: a test taking `db_alias` names all of
    # ALIASES, keeping the other options of its own mark.
    for item in items:
        if "db_alias" not in getattr(item, "fixturenames", ()):
            continue
        options = _mark_options(item)
        databases = options.get("databases")
        if databases != "__all__":
            options["databases"] = list(dict.fromkeys([*(databases or ["default"]), *ALIASES]))
        item.add_marker(pytest.mark.django_db(**options), append=False)  # the closest mark


def _mark_options(item: pytest.Item) -> dict[str, object]:
    """The options of the item's closest django_db mark, by name ({} without one)."""
    mark = item.get_closest_marker("django_db")
    if mark is None:
        return {}
    return {**dict(zip(_DJANGO_DB_PARAMS, mark.args, strict=False)), **mark.kwargs}


def _databases(item: pytest.Item) -> set[str]:
    """The aliases an item needs test databases for (by its mark, or its Django TestCase)."""
    cls = getattr(item, "cls", None)
    databases = getattr(cls, "databases", None) if cls is not None else None
    if item.get_closest_marker("django_db") is not None:
        databases = _mark_options(item).get("databases")
    if databases == "__all__":
        return set(ALIASES)
    return set(databases or ())


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server (started on first use)."""
    server = start_postgres(dbname="htmlguard")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
    request: pytest.FixtureRequest,
) -> None:
    """Points the ``postgres`` alias at the session's server before pytest-django creates
    the test databases; starts it only if a collected test uses that alias."""
    if external_server() or not any("postgres" in _databases(i) for i in request.session.items):
        return
    from django.conf import settings

    server: PostgresServer = request.getfixturevalue("pg_server")
    # In place: django.db.connections holds this same dict.
    settings.DATABASES["postgres"].update(
        HOST=server.host,
        PORT=str(server.port),
        USER=server.user,
        PASSWORD=server.password,
        NAME=server.dbname,
    )


@pytest.fixture(params=ALIASES)
def db_alias(request: pytest.FixtureRequest, db: None) -> str:
    """A database alias, with database access to all of ALIASES."""
    return str(request.param)
