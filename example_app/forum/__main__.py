"""Start the example forum on 127.0.0.1 (Ctrl-C stops it).

    python -m example_app.forum                        # http://127.0.0.1:8001/
    python -m example_app.forum --port 8080            # or HTMLGUARD_FORUM_PORT; 0: a free port
    python -m example_app.forum --db /tmp/forum.db     # another database

Run it from the repository root with htmlguard and its ``django`` extra installed
(``./scripts/demo-django`` does both). Before serving it runs Django's system checks
(htmlguard's included), applies the migrations, seeds an empty database and creates the
demo users (``admin``/``admin`` is the superuser). The URL is printed once the socket
listens. The server is Django's own threaded WSGI server (the one ``runserver`` uses, without
autoreload), with ``StaticFilesHandler`` serving the admin's and the forum's static files:
fine on loopback for a demo; in production, run ``example_app.forum.wsgi`` under a real WSGI
server and serve static files with it or a web server.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
import threading
import time
from pathlib import Path

DEFAULT_PORT = 8001
DEFAULT_DB = Path(__file__).resolve().parent.parent / "instance" / "forum.sqlite3"


def _exit_with_parent(pid: int) -> None:
    """Exit once process `pid` is gone, so a test run that dies leaves no server behind."""

    def watch() -> None:
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # alive, but another user's
                pass
            time.sleep(0.5)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _secret_key(db: Path) -> str:
    """The key signing sessions and CSRF tokens, kept beside the database (readable by the
    owner only) so that logins survive a restart."""
    path = db.with_name(db.name + ".secret-key")
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def main(argv: list[str] | None = None) -> int:
    doc = (__doc__ or "").split("\n")[0]
    ap = argparse.ArgumentParser(prog="python -m example_app.forum", description=doc)
    ap.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("HTMLGUARD_FORUM_PORT", DEFAULT_PORT)),
        help=f"port on 127.0.0.1 (default {DEFAULT_PORT}, or $HTMLGUARD_FORUM_PORT; "
        "0 picks a free one)",
    )
    ap.add_argument("--db", type=Path, help=f"SQLite database file (default: {DEFAULT_DB})")
    ap.add_argument("--parent", type=int, help=argparse.SUPPRESS)  # exit when this pid is gone
    args = ap.parse_args(argv)
    if args.parent:
        _exit_with_parent(args.parent)

    db: Path = (args.db or DEFAULT_DB).resolve()
    db.parent.mkdir(parents=True, exist_ok=True)
    os.environ["HTMLGUARD_FORUM_DB"] = str(db)
    os.environ.setdefault("HTMLGUARD_FORUM_SECRET_KEY", _secret_key(db))
    os.environ["DJANGO_SETTINGS_MODULE"] = "example_app.forum.settings"

    import django
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    django.setup()
    call_command("check")  # htmlguard's checks too: a bad policy stops the start here
    call_command("migrate", interactive=False, verbosity=0)
    from .seed import USERS, populate_if_empty

    if populate_if_empty():
        print(f"created and seeded {db}", flush=True)

    app = StaticFilesHandler(get_wsgi_application())
    try:
        server = ThreadedWSGIServer(("127.0.0.1", args.port), WSGIRequestHandler)
    except OSError as e:
        print(
            f"cannot listen on 127.0.0.1:{args.port} ({e.strerror}); "
            "pick another port with --port N or HTMLGUARD_FORUM_PORT=N",
            file=sys.stderr,
        )
        return 1
    server.set_app(app)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    logins = ", ".join(f"{name}/{password}" for name, password, _ in USERS)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        print(f"htmlguard example forum: {url}", flush=True)
        print(f"  admin: {url}admin/ (admin/admin)")
        print(f"  logins: {logins}")
        print(f"  database: {db} (delete it to start over)")
        print("  script hook hits: /__pwned (stays empty while htmlguard does its job)")
        print("  Ctrl-C stops the server.", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopped.")
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
