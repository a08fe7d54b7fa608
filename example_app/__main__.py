"""Start the example CTF site with waitress on 127.0.0.1 (Ctrl-C stops it).

    python -m example_app                    # http://127.0.0.1:8000/
    python -m example_app --port 8080        # or HTMLGUARD_DEMO_PORT=8080; 0 picks a free port
    python -m example_app --db /tmp/ctf.db   # another database (created and seeded if missing)

Run it from the repository root with htmlguard and its ``flask`` extra installed
(``./scripts/demo`` does both). The first line printed names the URL, and the socket is
already listening when it is printed.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import threading
import time


def _watch_parent(pid: int) -> None:
    """Exit as soon as process `pid` is gone (so a killed test run leaves no server)."""

    def watch() -> None:
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # pragma: no cover - alive, someone else's
                pass
            time.sleep(0.5)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m example_app", description=__doc__.split("\n")[0])
    ap.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("HTMLGUARD_DEMO_PORT", "8000")),
        help="port on 127.0.0.1 (default 8000, or $HTMLGUARD_DEMO_PORT; 0 picks a free one)",
    )
    ap.add_argument("--db", help="SQLite database file (default: example_app/instance/ctf.sqlite3)")
    ap.add_argument("--threads", type=int, default=4, help="waitress worker threads")
    ap.add_argument("--parent", type=int, help=argparse.SUPPRESS)  # exit when this pid is gone
    args = ap.parse_args(argv)
    if args.parent:
        _watch_parent(args.parent)

    import waitress

    from .ctf import create_app

    app = create_app({"DATABASE": args.db} if args.db else None)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", args.port))
    except OSError as e:
        print(
            f"cannot listen on 127.0.0.1:{args.port} ({e.strerror}); "
            "pick another port with --port N or HTMLGUARD_DEMO_PORT=N",
            file=sys.stderr,
        )
        return 1
    sock.listen(128)
    port = sock.getsockname()[1]
    print(f"htmlguard example CTF site: http://127.0.0.1:{port}/", flush=True)
    print("  logins: admin/admin (writes challenges), alice/alice and mallory/mallory (players)")
    print(f"  database: {app.config['DATABASE']} (delete it to start over)")
    print("  script hook hits: /__pwned (stays empty while htmlguard does its job)")
    print("  Ctrl-C stops the server.", flush=True)

    # waitress has no SIGTERM handler of its own: exit cleanly on it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        waitress.serve(app, sockets=[sock], threads=args.threads, ident="htmlguard-ctf")
    except KeyboardInterrupt:
        print("\nstopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
