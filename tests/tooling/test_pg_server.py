"""tests/pg_server.py: the PostgreSQL server the Django tests (and later the SQLAlchemy ones)
run against. Real servers: a start, a stop that leaves nothing behind, and the ways a test run
can end badly (killed, Ctrl-C) must not leave a server running either."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from pg_server import PostgreSQLNotInstalled, find_bindir, start_postgres

TESTS = Path(__file__).resolve().parent.parent

# A test process of its own: starts a server, prints where it is, then waits to be ended.
CHILD = f"""
import json, signal, sys, time
# As under a terminal: a test process started in the background (nohup, &) inherits SIGINT
# ignored or blocked, and would never see the Ctrl-C this test sends.
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {{signal.SIGINT}})
sys.path.insert(0, {str(TESTS)!r})
from pg_server import start_postgres
s = start_postgres(dbname="child")
print(json.dumps({{"port": s.port, "directory": str(s.directory),
                  "supervisor": s._supervisor.pid}}), flush=True)
time.sleep(600)
"""


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead (its parent has not reaped it yet).
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _eventually(condition: Callable[[], bool], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _postmaster_pid(directory: Path) -> int:
    return int((directory / "data" / "postmaster.pid").read_text().split()[0])


def _start_child() -> tuple[subprocess.Popen[str], dict[str, object]]:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, to send it a terminal's Ctrl-C
    )
    assert child.stdout is not None
    info = json.loads(child.stdout.readline())
    return child, info


def test_a_server_answers_on_loopback_only_and_stop_leaves_nothing() -> None:
    server = start_postgres(dbname="htmlguard_t")
    try:
        assert server.host == "127.0.0.1"
        assert server.url.startswith(f"postgresql://postgres:{server.password}@127.0.0.1:")
        with psycopg.connect(server.url) as conn:
            row = conn.execute(
                "SELECT version(), current_database(), current_user,"
                " current_setting('listen_addresses'), host(inet_server_addr())"
            ).fetchone()
        assert row is not None
        version, dbname, user, listen, addr = row
        assert version.startswith(f"PostgreSQL {server.version} ")
        assert (dbname, user, listen, addr) == ("htmlguard_t", "postgres", "127.0.0.1", "127.0.0.1")
        with psycopg.connect(server.dsn) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        assert server.make_url(driver="psycopg").startswith("postgresql+psycopg://")
        # Password authentication: a wrong password is refused.
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(server.make_url().replace(server.password, "wrong"))
        assert (server.socket_dir / f".s.PGSQL.{server.port}").is_socket()
        if os.geteuid() == 0:  # initdb and postgres refuse root: the postgres user runs them
            assert (server.directory / "data").stat().st_uid != 0
        assert server.running
    finally:
        server.stop()
    assert not server.running
    assert not server.directory.exists()
    assert not _accepts(server.port)
    server.stop()  # idempotent


def test_stop_is_prompt_while_another_process_holds_a_copy_of_the_pipe() -> None:
    # As a child forked by a test (multiprocessing) would: stop() must not wait for it.
    server = start_postgres()
    assert server._supervisor is not None and server._supervisor.stdin is not None
    holder = subprocess.Popen(["sleep", "60"], pass_fds=[server._supervisor.stdin.fileno()])
    try:
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 15
        assert not server.directory.exists()
    finally:
        holder.kill()
        holder.wait()


def test_two_servers_at_once_get_their_own_ports_and_directories() -> None:
    with start_postgres() as a, start_postgres() as b:
        assert a.port != b.port and a.directory != b.directory
        for s in (a, b):
            with psycopg.connect(s.url) as conn:
                assert conn.execute("SELECT current_setting('port')::int").fetchone() == (s.port,)


def test_a_taken_port_is_replaced_by_a_free_one() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with start_postgres(port=port) as server:
            assert server.port != port
            with psycopg.connect(server.url) as conn:
                assert conn.execute("SELECT 1").fetchone() == (1,)


def test_a_killed_test_process_leaves_no_server_and_no_directory() -> None:
    child, info = _start_child()
    directory, port = Path(str(info["directory"])), int(str(info["port"]))
    postmaster = _postmaster_pid(directory)
    assert _alive(postmaster) and _accepts(port)
    child.kill()  # SIGKILL: no atexit, no fixture teardown
    child.wait()
    assert _eventually(lambda: not _alive(postmaster)), "the server outlived the test process"
    assert _eventually(lambda: not directory.exists()), f"{directory} was left behind"
    assert not _accepts(port)


def test_ctrl_c_stops_the_tests_not_the_server_under_them() -> None:
    child, info = _start_child()
    directory = Path(str(info["directory"]))
    postmaster = _postmaster_pid(directory)
    os.killpg(child.pid, signal.SIGINT)  # what Ctrl-C sends the terminal's foreground group
    child.wait(90)  # longer than PostgresServer.stop waits for the server (60 s)
    # The server was in another session: it was stopped by the child's exit, in order.
    assert not _alive(postmaster)
    assert not directory.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal: Linux")
def test_a_killed_supervisor_takes_the_server_with_it() -> None:
    child, info = _start_child()
    directory = Path(str(info["directory"]))
    try:
        postmaster = _postmaster_pid(directory)
        os.kill(int(str(info["supervisor"])), signal.SIGKILL)
        assert _eventually(lambda: not _alive(postmaster)), "the server outlived its supervisor"
    finally:
        child.kill()
        child.wait()
        shutil.rmtree(directory, ignore_errors=True)  # nobody is left to delete it


def _fake_bindir(root: Path, version: str) -> Path:
    bindir = root / version / "bin"
    bindir.mkdir(parents=True)
    for name in ("initdb", "postgres"):
        (bindir / name).write_text("#!/bin/sh\n")
        (bindir / name).chmod(0o755)
    return bindir


def test_find_bindir_takes_the_newest_version(tmp_path: Path) -> None:
    _fake_bindir(tmp_path, "9.6")
    newest = _fake_bindir(tmp_path, "16")
    _fake_bindir(tmp_path, "15")
    (tmp_path / "17" / "bin").mkdir(parents=True)  # a client-only install: no server
    assert find_bindir([str(tmp_path / "*" / "bin")], path="") == newest


def test_without_postgresql_a_clear_error_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(PostgreSQLNotInstalled, match=r"Debian's `postgresql` package"):
        find_bindir([str(tmp_path / "*" / "bin")], path=str(tmp_path))
