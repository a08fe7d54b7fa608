from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from pg_server import PostgresServer, start_postgres  # noqa: E402


@pytest.fixture(scope="session")
def pg() -> Iterator[PostgresServer]:
    """A PostgreSQL server of the session (tests/pg_server.py)."""
    server = start_postgres(dbname="bulk")
    try:
        yield server
    finally:
        server.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The resumption tests run each job two or three times in subprocesses (a minute in
    # all): slow, as tests/conftest.py marks its long tests.
    for item in items:
        if item.path.name == "test_resume.py":
            item.add_marker(pytest.mark.slow)
