"""ASGI 3 middleware that cleans user-submitted HTML before the application sees it.

Pure ASGI (no ``BaseHTTPMiddleware``): requests it does not select, websocket and lifespan
scopes, and every response pass through untouched and unbuffered.

Usage::

    from htmlguard.asgi import HTMLGuardMiddleware
    app = HTMLGuardMiddleware(app, fields={"comments.*.body": "basic"})

See ``docs/middleware.md`` for selectors, content types, modes and faults. The decisions
are ``_request.core.RequestCore``'s; this module only receives, replays and sends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ._request.adapter import GuardedApp
from ._request.decisions import Decision, Respond

__all__ = ["HTMLGuardMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Bodies larger than this are processed in a worker thread, off the event loop.
OFFLOAD_BYTES = 64 * 1024

#: The headers a reframed body replaces (``Forward.reframed``).
_FRAMING = (b"content-length", b"transfer-encoding")


class HTMLGuardMiddleware(GuardedApp[ASGIApp]):
    """Wrap an ASGI 3 application; options as in ``docs/middleware.md`` (``GuardedApp``)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        core = self.core
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers") or ())
        plan = core.plan(
            scope.get("method", "GET"),
            scope.get("path", ""),
            _header(headers, b"content-type"),
            _header(headers, b"content-length"),
            stream_ends=True,  # the server ends the body with more_body=False
        )
        if plan is None:
            await self.app(scope, receive, send)
            return
        if isinstance(plan, Respond):
            await _respond(send, plan)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client is gone: nobody to answer, nothing left waiting
            body += message.get("body", b"")
            if len(body) > plan.max_bytes:
                await _respond(send, core.too_large)
                return
            if not message.get("more_body", False):
                break
        data = bytes(body)

        if len(data) > OFFLOAD_BYTES:
            loop = asyncio.get_running_loop()
            decision: Decision = await loop.run_in_executor(None, core.decide, plan, data)
        else:
            decision = core.decide(plan, data)
        if isinstance(decision, Respond):
            await _respond(send, decision)
            return
        if decision.reports is not None:
            scope.setdefault("state", {})["htmlguard_reports"] = decision.reports
        if decision.reframed:
            scope = dict(scope)
            scope["headers"] = [(k, v) for k, v in headers if k.lower() not in _FRAMING] + [
                (b"content-length", decision.content_length.encode("ascii"))
            ]
        await self.app(scope, _replay(decision.body, receive), send)


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


async def _respond(send: Send, response: Respond) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": response.status,
            "headers": [
                (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers
            ],
        }
    )
    await send({"type": "http.response.body", "body": response.body})
