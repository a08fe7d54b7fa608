"""A real, throwaway PostgreSQL server for the tests.

::

    from pg_server import start_postgres  # tests/ is on sys.path (tests/conftest.py)

    with start_postgres(dbname="htmlguard") as server:  # or start_postgres() ... .stop()
        server.url     # postgresql://postgres:<password>@127.0.0.1:<port>/htmlguard
        server.dsn     # the same as libpq keywords: "host=127.0.0.1 port=... dbname=..."
        server.make_url(driver="psycopg")   # postgresql+psycopg://... (SQLAlchemy)

The server binaries are the newest ``/usr/lib/postgresql/*/bin`` (Debian's layout), else
``initdb`` and ``postgres`` on PATH; without them :class:`PostgreSQLNotInstalled` says to
install Debian's ``postgresql`` package (``./scripts/test`` does that).

A cluster is created with ``initdb`` in a new temporary directory, which also holds the unix
socket and the log; password authentication (scram-sha-256, a random password) for every
connection; the server listens on 127.0.0.1 only, on a free port (chosen again if another
process takes it first); durability is off (``fsync``...), since the data is thrown away.
``initdb`` and ``postgres`` refuse to run as root: as root, they run as the ``postgres``
system user (created if missing), which owns the directory.

Lifetime: the server is not a child of the test process but of a small supervisor (this file
run as a script) in a session of its own, so Ctrl-C in the terminal does not stop it under
the tests' feet. The supervisor stops the server (fast shutdown) and deletes the directory
when told to (:meth:`PostgresServer.stop`, at the latest at interpreter exit) and also when
the test process dies without telling it (killed: its pipe closes and it is re-parented);
and if the supervisor itself is killed, Linux's parent-death signal gives the server a fast
shutdown too. So no test run, however it ends, leaves a server running.
"""

from __future__ import annotations

import atexit
import glob
import json
import os
import pwd
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

__all__ = ["PostgreSQLNotInstalled", "PostgresServer", "find_bindir", "start_postgres"]

#: Where Debian's postgresql-NN packages put the server binaries.
DEBIAN_BINDIRS = ("/usr/lib/postgresql/*/bin",)
#: The system user that runs the server when the tests run as root (Debian's name).
SERVER_USER = "postgres"
HOST = "127.0.0.1"
_PORT_ATTEMPTS = 5


class PostgreSQLNotInstalled(RuntimeError):
    """The PostgreSQL server binaries (initdb, postgres) are not installed."""


@dataclass
class PostgresServer:
    """A running server: connect as ``user``/``password`` to ``host:port``, database ``dbname``."""

    host: str
    port: int
    user: str
    password: str
    dbname: str
    directory: Path  #: the temporary directory: ``data/`` (the cluster), the socket, the log
    bindir: Path
    version: str  #: the server's, e.g. "15.18"
    _supervisor: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """``postgresql://user:password@127.0.0.1:port/dbname``."""
        return self.make_url()

    @property
    def dsn(self) -> str:
        """The libpq keyword form (psycopg.connect, psql)."""
        return (
            f"host={self.host} port={self.port} user={self.user} "
            f"password={self.password} dbname={self.dbname}"
        )

    def make_url(self, *, driver: str | None = None, dbname: str | None = None) -> str:
        """The URL, with a driver (``postgresql+psycopg://``, SQLAlchemy) or another database."""
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        auth = f"{quote(self.user, safe='')}:{quote(self.password, safe='')}"
        return f"{scheme}://{auth}@{self.host}:{self.port}/{dbname or self.dbname}"

    @property
    def socket_dir(self) -> Path:
        return self.directory

    @property
    def log_path(self) -> Path:
        """The server's log (gone after :meth:`stop`)."""
        return self.directory / "postgres.log"

    @property
    def running(self) -> bool:
        return self._supervisor is not None and self._supervisor.poll() is None

    def stop(self, timeout: float = 60) -> None:
        """Fast shutdown, then the directory is deleted. Idempotent."""
        sup, self._supervisor = self._supervisor, None
        if sup is None:
            return
        atexit.unregister(self.stop)
        _stop_supervisor(sup, timeout)

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def find_bindir(patterns: Sequence[str] = DEBIAN_BINDIRS, path: str | None = None) -> Path:
    """The newest directory among ``patterns`` holding ``initdb`` and ``postgres``, else the
    directory of ``postgres`` on ``path`` (default: PATH) if ``initdb`` is beside it."""

    def has_server(d: Path) -> bool:
        return all(os.access(d / name, os.X_OK) for name in ("initdb", "postgres"))

    def version_key(d: Path) -> tuple[int, ...]:
        # /usr/lib/postgresql/15/bin -> (15,); 9.6 -> (9, 6)
        return tuple(int(n) for n in re.findall(r"\d+", d.parent.name))

    found = [Path(d) for p in patterns for d in glob.glob(p) if has_server(Path(d))]
    if found:
        return max(found, key=version_key)
    on_path = shutil.which("postgres", path=path)
    if on_path and has_server(Path(on_path).parent):
        return Path(on_path).parent
    raise PostgreSQLNotInstalled(
        "PostgreSQL's server binaries (initdb, postgres) were not found in "
        f"{', '.join(patterns)} or on PATH. Install Debian's `postgresql` package "
        "(apt-get install postgresql; ./scripts/test does it when they are missing)."
    )


def start_postgres(
    dbname: str = "htmlguard",
    *,
    user: str = "postgres",
    port: int | None = None,
    timeout: float = 120,
) -> PostgresServer:
    """Starts a server and creates ``dbname`` in it; see the module's docstring.

    ``port``: the port to try first (a free one is chosen if it is taken or not given).
    Raises :class:`PostgreSQLNotInstalled`, or RuntimeError with the server's log if it
    does not start within ``timeout`` seconds.
    """
    bindir = find_bindir()
    run_as = _server_user() if os.geteuid() == 0 else None
    # As root the cluster is the postgres user's: put it where any user can reach it (root's
    # TMPDIR may be under /root).
    base = "/tmp" if run_as else tempfile.gettempdir()
    config = {
        "bindir": str(bindir),
        "run_as": run_as,
        "base": base,
        "dbname": dbname,
        "user": user,
        "password": secrets.token_hex(16),
        "port": port,
        "timeout": timeout,
    }
    sup = subprocess.Popen(
        [sys.executable, "-I", str(Path(__file__).resolve())],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # no terminal signals (Ctrl-C): it stops when told or orphaned
    )
    assert sup.stdin is not None and sup.stdout is not None and sup.stderr is not None
    # On stdin, not in argv: the password must not show in `ps`.
    sup.stdin.write(json.dumps(config).encode() + b"\n")
    sup.stdin.flush()
    report = _read_line(sup.stdout.fileno(), deadline=time.monotonic() + timeout + 30)
    try:
        info = json.loads(report) if report else {}
    except ValueError:
        info = {}
    if "port" not in info:
        _stop_supervisor(sup, timeout=30)
        detail = info.get("error") or (report + sup.stderr.read().decode(errors="replace"))
        raise RuntimeError(f"PostgreSQL did not start: {detail.strip() or 'no report'}")
    sup.stdout.close()
    sup.stderr.close()
    server = PostgresServer(
        host=HOST,
        port=int(info["port"]),
        user=user,
        password=str(config["password"]),
        dbname=dbname,
        directory=Path(info["directory"]),
        bindir=bindir,
        version=str(info["version"]),
        _supervisor=sup,
    )
    # A test run that ends without the fixture's teardown (Ctrl-C) still stops it here.
    atexit.register(server.stop)
    return server


def _server_user() -> str:
    """The system user to run the server as when we are root; created if missing."""
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home",
             "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", SERVER_USER],
            check=True,
        )  # fmt: skip
    return SERVER_USER


def _read_line(fd: int, deadline: float) -> str:
    """One line from ``fd`` ("" on EOF or when the deadline passes)."""
    data = b""
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data.decode(errors="replace")


def _stop_supervisor(sup: subprocess.Popen[bytes], timeout: float) -> None:
    if sup.stdin is not None:
        # A line, not only EOF: a child forked by a test may hold a copy of this pipe.
        try:
            sup.stdin.write(b"stop\n")
            sup.stdin.close()
        except BrokenPipeError:
            pass  # it has exited already
    try:
        sup.wait(timeout)
    except subprocess.TimeoutExpired:
        # Killed, the supervisor leaves the server its parent-death signal (fast shutdown).
        sup.kill()
        sup.wait()


# ------------------------------------------------------------------ the supervisor
# Runs as `python -I pg_server.py`, in a session of its own. It reads its configuration (one
# JSON line) from stdin, writes one JSON line to stdout ({"port", "directory", "version"} or
# {"error"}), then waits until stdin says "stop" (stop()) or closes (the test process died),
# it is re-parented (the same) or sent SIGTERM or SIGHUP; then fast shutdown, and the
# directory is deleted.


class _StartError(Exception):
    pass


def _supervise() -> int:
    parent = os.getppid()
    config = json.loads(sys.stdin.buffer.readline())
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_exit)
    directory = Path(tempfile.mkdtemp(prefix="htmlguard-pg-", dir=str(config["base"])))
    server: subprocess.Popen[bytes] | None = None
    try:
        try:
            server, port, version = _start(config, directory)
        except _StartError as e:
            _report({"error": str(e)})
            return 1
        _report({"port": port, "directory": str(directory), "version": version})
        # Nobody reads our stderr any more: a late message must not block or break us.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        while os.getppid() == parent and not select.select([0], [], [], 1.0)[0]:
            pass  # until "stop" or EOF (the test process died) is readable
        return 0
    finally:
        if server is not None:
            _shutdown(server)
        shutil.rmtree(directory, ignore_errors=True)


def _raise_exit(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _report(message: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _start(config: dict[str, object], directory: Path) -> tuple[subprocess.Popen[bytes], int, str]:
    bindir = Path(str(config["bindir"]))
    user, password, dbname = str(config["user"]), str(config["password"]), str(config["dbname"])
    deadline = time.monotonic() + float(str(config["timeout"]))
    uid = gid = None
    groups: list[int] | None = None
    if config["run_as"]:
        pw = pwd.getpwnam(str(config["run_as"]))
        uid, gid, groups = pw.pw_uid, pw.pw_gid, []
        os.chown(directory, uid, gid)
    # PG* variables (PGDATA, PGPORT...) would redirect the binaries; C: English messages.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"

    pwfile = directory / "pwfile"
    pwfile.write_text(password + "\n")
    if uid is not None and gid is not None:
        os.chown(pwfile, uid, gid)
    data = directory / "data"
    initdb = subprocess.run(
        [str(bindir / "initdb"), "-D", str(data), "-U", user, f"--pwfile={pwfile}",
         "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-sync"],
        cwd=directory, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        user=uid, group=gid, extra_groups=groups,
    )  # fmt: skip
    pwfile.unlink()
    if initdb.returncode != 0:
        raise _StartError(f"initdb failed:\n{initdb.stdout.decode(errors='replace')}")

    log_path = directory / "postgres.log"
    first = config["port"]
    server: subprocess.Popen[bytes] | None = None
    try:
        for attempt in range(_PORT_ATTEMPTS):
            port = int(str(first)) if first and attempt == 0 else _free_port()
            with open(log_path, "wb") as log:
                server = subprocess.Popen(
                    [str(bindir / "postgres"), "-D", str(data), "-p", str(port),
                     "-c", f"listen_addresses={HOST}",
                     "-c", f"unix_socket_directories={directory}",
                     # Throwaway data: no need to survive a crash, so no waiting for the disk.
                     "-c", "fsync=off", "-c", "synchronous_commit=off",
                     "-c", "full_page_writes=off"],
                    cwd=directory, env=env, stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT, preexec_fn=_die_with_parent(os.getpid()),
                    user=uid, group=gid, extra_groups=groups,
                )  # fmt: skip
            status = _wait_ready(server, data / "postmaster.pid", deadline)
            if status == "ready":
                break
            log_text = log_path.read_text(errors="replace")
            if status == "exited" and re.search(r"could not bind|already in use", log_text):
                continue  # another process took the port since we chose it: choose again
            raise _StartError(f"postgres did not start ({status}); its log:\n{log_text}")
        else:
            raise _StartError(f"no free port in {_PORT_ATTEMPTS} attempts")

        createdb = subprocess.run(
            [str(bindir / "createdb"), "-h", HOST, "-p", str(port), "-U", user, dbname],
            env={**env, "PGPASSWORD": password}, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, timeout=max(deadline - time.monotonic(), 10),
        )  # fmt: skip
        if createdb.returncode != 0:
            raise _StartError(f"createdb failed: {createdb.stdout.decode(errors='replace')}")
        # "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
        out = subprocess.run(
            [str(bindir / "postgres"), "--version"], env=env, capture_output=True, text=True
        ).stdout
        version = m.group(1) if (m := re.search(r"\) (\S+)", out)) else out.strip()
    except BaseException:
        if server is not None:
            _shutdown(server)
        raise
    return server, port, version


def _free_port() -> int:
    # Bound and released at once: postgres binds it a moment later, and _start chooses
    # again if someone else was quicker.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _die_with_parent(parent: int) -> Callable[[], None] | None:
    """A preexec_fn: the server gets SIGINT (fast shutdown) if the supervisor dies. Linux
    only (elsewhere the supervisor's own watch has to do). The supervisor has one thread, so
    running Python between fork and exec is safe here."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1

    def preexec() -> None:
        # After the switch to the postgres user (a credential change clears the setting).
        libc.prctl(pr_set_pdeathsig, signal.SIGINT)
        if os.getppid() != parent:  # the supervisor died before prctl: nobody will stop us
            os._exit(1)

    return preexec


def _wait_ready(server: subprocess.Popen[bytes], pidfile: Path, deadline: float) -> str:
    """Waits for the postmaster to accept connections (postmaster.pid's status line, as
    pg_ctl reads it): "ready", "exited" (it stopped) or "timed out"."""
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return "exited"
        try:
            lines = pidfile.read_text().splitlines()
        except OSError:
            lines = []
        if len(lines) >= 8 and lines[0].strip() == str(server.pid) and lines[7].strip() == "ready":
            return "ready"
        time.sleep(0.05)
    return "timed out"


def _shutdown(server: subprocess.Popen[bytes]) -> None:
    """Fast shutdown (SIGINT: clients are disconnected); immediate, then SIGKILL if stuck."""
    for sig, wait in ((signal.SIGINT, 30.0), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)):
        if server.poll() is not None:
            return
        try:
            server.send_signal(sig)
            server.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


if __name__ == "__main__":
    sys.exit(_supervise())
