"""A Starlette app guarded by ``htmlguard.asgi.HTMLGuardMiddleware`` (end-to-end harness).

    python -m uvicorn integrations.starlette_app:app --host 127.0.0.1 --port 8000

Every mount in ``config.MOUNTS`` serves the same routes behind its own middleware (or none,
for /plain): ``/echo`` and ``/guarded`` answer exactly what the app received (the raw body in
base64 with its SHA-256, the parsed form fields and files or JSON, the middleware's reports);
``/submit`` is the benchmark's small form handler; ``/ids`` lists the request ids seen.
``unguarded`` is the same site with no middleware anywhere.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route

from htmlguard.asgi import HTMLGuardMiddleware

from . import _echo
from .config import FIELDS, MOUNTS

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


async def echo(request: Request) -> Response:
    body = await request.body()
    _echo.remember(request.headers.get("x-request-id"))
    fields: list[list[str]] | None = None
    files: list[dict[str, Any]] | None = None
    if _echo.is_form(request.headers.get("content-type")):
        fields, files = [], []
        async with request.form(max_part_size=16 * 1024 * 1024) as form:
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    data = await value.read()
                    files.append(
                        _echo.file_entry(
                            name,
                            value.filename,
                            value.content_type,
                            value.headers.items(),
                            data,
                        )
                    )
                else:
                    fields.append([name, value])
    answer = _echo.describe(
        method=request.method,
        path=request.url.path,
        query=request.url.query,
        headers=request.headers,
        body=body,
        fields=fields,
        files=files,
        reports=getattr(request.state, "htmlguard_reports", None),
        brief="brief" in request.query_params,
    )
    return _json(answer)


def _json(data: object) -> Response:
    # ensure_ascii: a lone surrogate (valid in a JSON escape) must not break the echo.
    return Response(json.dumps(data), media_type="application/json")


async def submit(request: Request) -> Response:
    async with request.form() as form:
        values = {k: v for k, v in form.items() if isinstance(v, str)}
    return JSONResponse(_echo.submit_answer(values))


async def health(request: Request) -> Response:
    return PlainTextResponse("ok")


async def ids(request: Request) -> Response:
    return JSONResponse(_echo.seen(request.query_params.get("prefix", "")))


def site() -> Starlette:
    """The routes, with no middleware."""
    return Starlette(
        routes=[
            Route("/echo", echo, methods=METHODS),
            Route("/guarded", echo, methods=METHODS),
            Route("/submit", submit, methods=["POST"]),
            Route("/health", health),
            Route("/ids", ids),
        ]
    )


def build(guarded: bool = True) -> Starlette:
    mounts = []
    for prefix, options in MOUNTS.items():
        inner: Any = site()
        if guarded and options is not None:
            inner = HTMLGuardMiddleware(inner, fields=FIELDS, **options)  # type: ignore[arg-type]
        mounts.append(Mount(prefix, app=inner))
    return Starlette(routes=mounts)


app = build()
unguarded = build(guarded=False)
