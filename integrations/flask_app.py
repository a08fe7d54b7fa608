"""A Flask app guarded by ``htmlguard.wsgi.HTMLGuardMiddleware`` (end-to-end harness).

    python -m waitress --host=127.0.0.1 --port=8000 --call integrations.flask_app:create_app
    python -m waitress --host=127.0.0.1 --port=8000 --call integrations.flask_app:create_site

``create_app(mode)`` is one app with the middleware on ``app.wsgi_app``; ``create_site()``
serves every mount of ``config.MOUNTS`` (each a ``create_app`` with its own options, or none
for /plain) from one process. The routes are those of ``starlette_app``: ``/echo`` and
``/guarded`` answer exactly what the app received, ``/submit`` is the benchmark's small form
handler, ``/ids`` lists the request ids seen.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask, Response, request
from werkzeug.middleware.dispatcher import DispatcherMiddleware

import htmlguard as hg
from htmlguard.wsgi import HTMLGuardMiddleware

from . import _echo
from .config import FIELDS, MOUNTS

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _json(data: object, status: int = 200) -> Response:

    return Response(json.dumps(data), status=status, mimetype="application/json")


def create_app(
    mode: str = "clean",
    *,
    guarded: bool = True,
    fields: Mapping[str, str | hg.Policy] = FIELDS,
    paths: Iterable[str] | None = None,
    max_body_bytes: int = 10 * 1024 * 1024,
    on_fault: str = "pass",
) -> Flask:
    app = Flask(__name__)
    # Werkzeug's own limits sit above everything the tests and the benchmark send.
    app.config["MAX_FORM_MEMORY_SIZE"] = 16 * 1024 * 1024

    def echo() -> Response:
        body = request.get_data()  # cached: request.form and request.files parse this copy
        _echo.remember(request.headers.get("X-Request-Id"))
        fields_seen: list[list[str]] | None = None
        files: list[dict[str, Any]] | None = None
        if _echo.is_form(request.content_type):
            fields_seen = [[k, v] for k, v in request.form.items(multi=True)]
            files = [
                _echo.file_entry(name, f.filename, f.content_type, f.headers.items(), f.read())
                for name, f in request.files.items(multi=True)
            ]
        headers = {k.lower(): v for k, v in request.headers.items()}
        return _json(
            _echo.describe(
                method=request.method,
                path=request.script_root + request.path,
                query=request.query_string.decode("latin-1"),
                headers=headers,
                body=body,
                fields=fields_seen,
                files=files,
                reports=request.environ.get("htmlguard.reports"),
                brief="brief" in request.args,
            )
        )

    def submit() -> Response:
        return _json(_echo.submit_answer(request.form.to_dict()))

    def health() -> Response:
        return Response("ok", mimetype="text/plain")

    def ids() -> Response:
        return _json(_echo.seen(request.args.get("prefix", "")))

    app.add_url_rule("/echo", "echo", echo, methods=METHODS)
    app.add_url_rule("/guarded", "guarded", echo, methods=METHODS)
    app.add_url_rule("/submit", "submit", submit, methods=["POST"])
    app.add_url_rule("/health", "health", health)
    app.add_url_rule("/ids", "ids", ids)

    if guarded:
        app.wsgi_app = HTMLGuardMiddleware(  # type: ignore[method-assign]
            app.wsgi_app,
            fields=fields,
            mode=mode,
            paths=paths,
            max_body_bytes=max_body_bytes,
            on_fault=on_fault,
        )
    return app


def create_site(guarded: bool = True) -> DispatcherMiddleware:
    """Every mount of ``config.MOUNTS`` in one WSGI app (the mount prefix becomes SCRIPT_NAME)."""
    mounts: dict[str, Any] = {}
    for prefix, options in MOUNTS.items():
        if options is None or not guarded:
            mounts[prefix] = create_app(guarded=False)
        else:
            mounts[prefix] = create_app(**options)  # type: ignore[arg-type]
    return DispatcherMiddleware(_not_found, mounts)


def create_unguarded_site() -> DispatcherMiddleware:
    return create_site(guarded=False)


def _not_found(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "9")])
    return [b"not found"]
