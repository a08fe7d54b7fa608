"""ASGI 3 middleware that cleans user-submitted HTML before the application sees it.

Pure ASGI (no ``BaseHTTPMiddleware``): requests it does not select, websocket and lifespan
scopes, and every response pass through untouched and unbuffered.

Usage::

    from htmlguard.asgi import HTMLGuardMiddleware
    app = HTMLGuardMiddleware(app, fields={"comments.*.body": "basic"})

See ``docs/middleware.md`` for selectors, content types, modes and faults.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ._guard import GuardedApp, content_length
from ._request.outcome import Outcome

__all__ = ["HTMLGuardMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Bodies larger than this are processed in a worker thread, off the event loop.
OFFLOAD_BYTES = 64 * 1024


class HTMLGuardMiddleware(GuardedApp[ASGIApp]):
    """Wrap an ASGI 3 application; options as in ``docs/middleware.md`` (``GuardedApp``)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        guard = self.guard
        method = scope.get("method", "GET")
        path = scope.get("path", "")
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers") or ())
        content_type = _header(headers, b"content-type")
        kind = guard.kind(method, path, content_type)
        if kind is None or content_type is None:
            await self.app(scope, receive, send)
            return

        length = content_length(_header(headers, b"content-length"))
        if length == 0:  # no body: nothing to look at, and nothing malformed to reject
            await self.app(scope, receive, send)
            return
        if length is not None and length > guard.max_body_bytes:
            await _respond(send, 413, guard.too_large())
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client is gone: nobody to answer, nothing left waiting
            body += message.get("body", b"")
            if len(body) > guard.max_body_bytes:
                await _respond(send, 413, guard.too_large())
                return
            if not message.get("more_body", False):
                break
        data = bytes(body)

        if len(data) > OFFLOAD_BYTES:
            loop = asyncio.get_running_loop()
            outcome: Outcome = await loop.run_in_executor(
                None, guard.process, kind, content_type, data
            )
        else:
            outcome = guard.process(kind, content_type, data)
        guard.log(method, path, outcome)
        answer = guard.answer(outcome)
        if answer is not None:
            await _respond(send, *answer)
            return
        if guard.mode == "report":
            scope.setdefault("state", {})["htmlguard_reports"] = dict(outcome.reports)
        new = outcome.body if outcome.body is not None else data
        if outcome.body is not None or length is None:
            scope = dict(scope)
            scope["headers"] = [
                (k, v)
                for k, v in headers
                if k.lower() not in (b"content-length", b"transfer-encoding")
            ] + [(b"content-length", str(len(new)).encode("ascii"))]
        await self.app(scope, _replay(new, receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands over the whole body once, then defers to the server's."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    for k, v in headers:
        if k.lower() == name:
            return v.decode("latin-1")
    return None


async def _respond(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode("ascii")),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
