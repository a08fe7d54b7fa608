"""Start a harness app on a real server, on a loopback port the OS picks, and say where.

    python -m integrations.serve starlette [--unguarded] [--port 0]   # uvicorn
    python -m integrations.serve flask [--unguarded] [--threads 4]     # waitress
    python -m integrations.serve django-wsgi [--mode reject]          # waitress, Django
    python -m integrations.serve django-asgi [--mode report]          # uvicorn, Django

The Django stacks serve the test project (integrations/django_site, its middleware on
/mw/*); ``--mode`` sets its ``HTMLGUARD_MODE`` (``--unguarded`` takes the middleware out of
MIDDLEWARE). They need ``DJANGO_SETTINGS_MODULE`` (defaulted) and, to keep the project's
SQLite file out of the tree, ``HTMLGUARD_DJANGO_SQLITE``; the echo views use no database.

The socket is bound before the server starts, so the port printed on the first line of
stdout (``PORT 41234``) is already accepting connections: no guessed free port that another
process might take first. With ``--parent PID`` the server exits as soon as that process is
gone, so a test run that is killed leaves no server behind. ``Server`` (below) runs it as a
subprocess and stops it, for the tests and the benchmark.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
STACKS = ("starlette", "flask", "django-wsgi", "django-asgi")
DJANGO_STACKS = ("django-wsgi", "django-asgi")
#: The readiness probe of each stack (a GET its middleware does not read).
HEALTH = {"starlette": "/plain/health", "flask": "/plain/health"} | dict.fromkeys(
    DJANGO_STACKS, "/mw/health"
)


def _watch_parent(pid: int) -> None:
    def watch() -> None:
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # pragma: no cover - alive, someone else's
                pass
            if os.getppid() != pid:
                os._exit(0)
            time.sleep(0.5)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("stack", choices=STACKS)
    ap.add_argument("--unguarded", action="store_true", help="no middleware anywhere")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--threads", type=int, default=4, help="waitress worker threads")
    ap.add_argument("--parent", type=int, help="exit when this process is gone")
    ap.add_argument("--mode", help="HTMLGUARD_MODE of the Django stacks")
    args = ap.parse_args(argv)
    if args.mode is not None and args.stack not in DJANGO_STACKS:
        ap.error("--mode is for the Django stacks (the others serve every mode as a mount)")
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    if args.parent:
        _watch_parent(args.parent)
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY on accepted connections only when
    # the listening socket says TCP, and without it uvicorn's responses wait ~40 ms on the
    # client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(1024)
    print(f"PORT {sock.getsockname()[1]}", flush=True)

    site: Any
    if args.stack in DJANGO_STACKS:
        site = _django_site(args.stack, args.mode, guarded=not args.unguarded)
    elif args.stack == "starlette":
        site = "integrations.starlette_app:" + ("unguarded" if args.unguarded else "app")
    else:
        from .flask_app import create_site

        site = create_site(guarded=not args.unguarded)

    if args.stack in ("starlette", "django-asgi"):
        import uvicorn

        config = uvicorn.Config(
            site,
            log_level="warning",
            access_log=False,
            lifespan="off",  # Django's ASGI handler has no lifespan support
        )
        uvicorn.Server(config).run(sockets=[sock])
    else:
        import waitress

        # waitress has no SIGTERM handler of its own: exit cleanly on it.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        waitress.serve(
            site,
            sockets=[sock],
            threads=args.threads,
            ident="htmlguard-e2e",
            channel_timeout=30,
        )


def _django_site(stack: str, mode: str | None, *, guarded: bool) -> Any:
    """The test project's WSGI or ASGI application, with these settings changed before it
    serves (the middleware reads its settings when used)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "integrations.django_site.settings")
    import django
    from django.conf import settings

    django.setup()
    if mode is not None:
        settings.HTMLGUARD_MODE = mode
    if not guarded:
        settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "htmlguard" not in m]
    if stack == "django-asgi":
        from django.core.asgi import get_asgi_application

        return get_asgi_application()
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


class Server:
    """A harness server in a subprocess: ``with Server("flask") as s: s.url("/clean/echo")``.

    Its stderr (the server's and the middleware's log) goes to ``log_path``. Leaving the
    block (also on an exception) stops it: SIGTERM, then SIGKILL after a few seconds.
    """

    def __init__(
        self,
        stack: str,
        *,
        guarded: bool = True,
        threads: int = 4,
        log_path: Path | None = None,
        env: dict[str, str] | None = None,
        start_timeout: float = 30.0,
        mode: str | None = None,
    ) -> None:
        if stack not in STACKS:
            raise ValueError(stack)
        self.stack = stack
        self.guarded = guarded
        self.threads = threads
        self.log_path = log_path
        self.env = env
        self.start_timeout = start_timeout
        self.mode = mode
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self._log_file: object = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def log(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def start(self) -> Server:
        cmd = [
            sys.executable,
            "-m",
            "integrations.serve",
            self.stack,
            "--parent",
            str(os.getpid()),
            "--threads",
            str(self.threads),
        ]
        if not self.guarded:
            cmd.append("--unguarded")
        if self.mode is not None:
            cmd += ["--mode", self.mode]
        if self.log_path is None:
            import tempfile

            fd, name = tempfile.mkstemp(prefix=f"htmlguard-{self.stack}-", suffix=".log")
            os.close(fd)
            self.log_path = Path(name)
        log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self._log_file = log
        env = dict(os.environ if self.env is None else self.env)
        env["PYTHONUNBUFFERED"] = "1"
        self.proc = subprocess.Popen(
            cmd,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,
        )
        try:
            self.port = self._read_port()
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _read_port(self) -> int:
        assert self.proc is not None and self.proc.stdout is not None
        result: list[bytes] = []
        reader = threading.Thread(
            target=lambda: result.append(self.proc.stdout.readline()),  # type: ignore[union-attr]
            daemon=True,
        )
        reader.start()
        reader.join(self.start_timeout)
        line = result[0] if result else b""
        if not line.startswith(b"PORT "):
            raise RuntimeError(
                f"{self.stack} server did not start (exit code {self.proc.poll()}): "
                f"{line!r}\n{self.log()[-4000:]}"
            )
        return int(line.split()[1])

    def _wait_ready(self) -> None:
        import httpx

        deadline = time.monotonic() + self.start_timeout
        while True:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.stack} server exited with {self.proc.returncode}\n{self.log()[-4000:]}"
                )
            try:
                if httpx.get(self.url(HEALTH[self.stack]), timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.stack} server not ready\n{self.log()[-4000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if proc is not None and proc.stdout is not None:
            proc.stdout.close()
        log, self._log_file = self._log_file, None
        if log is not None:
            log.close()  # type: ignore[attr-defined]

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


if __name__ == "__main__":
    main()
