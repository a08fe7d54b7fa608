"""WSGI middleware that cleans user-submitted HTML before the application sees it.

Usage (Flask shown; any WSGI app works the same way)::

    from htmlguard.wsgi import HTMLGuardMiddleware
    app.wsgi_app = HTMLGuardMiddleware(app.wsgi_app, fields={"description": "ugc"})

See ``docs/middleware.md`` for selectors, content types, modes and faults.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from ._guard import GuardedApp, content_length
from ._request.outcome import Outcome

__all__ = ["HTMLGuardMiddleware"]

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

_CHUNK = 64 * 1024
_STATUS = {400: "400 Bad Request", 413: "413 Content Too Large"}


class HTMLGuardMiddleware(GuardedApp[WSGIApp]):
    """Wrap a WSGI application; options as in ``docs/middleware.md`` (``GuardedApp``)."""

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        guard = self.guard
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        content_type = environ.get("CONTENT_TYPE")
        kind = guard.kind(method, path, content_type)
        if kind is None or content_type is None:
            return self.app(environ, start_response)

        length = content_length(environ.get("CONTENT_LENGTH"))
        if length == 0:  # no body: nothing to look at, and nothing malformed to reject
            return self.app(environ, start_response)
        if length is not None and length > guard.max_body_bytes:
            return _respond(start_response, "413 Content Too Large", guard.too_large())
        if length is None and not environ.get("wsgi.input_terminated"):
            # No length and no guarantee the stream ends (PEP 3333): nothing to read.
            return self.app(environ, start_response)
        body, complete = _read(environ["wsgi.input"], length, guard.max_body_bytes)
        if body is None:
            return _respond(start_response, "413 Content Too Large", guard.too_large())
        if not complete or (length is not None and len(body) < length):
            # The client went away mid-body: there is no one to answer.
            return _respond(start_response, "400 Bad Request", b'{"error": "incomplete body"}')

        outcome: Outcome = guard.process(kind, content_type, body)
        guard.log(method, path, outcome)
        answer = guard.answer(outcome)
        if answer is not None:
            status, payload = answer
            return _respond(start_response, _STATUS[status], payload)
        if guard.mode == "report":
            environ["htmlguard.reports"] = dict(outcome.reports)
        new = outcome.body if outcome.body is not None else body
        environ["wsgi.input"] = io.BytesIO(new)
        environ["CONTENT_LENGTH"] = str(len(new))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)


def _read(stream: Any, length: int | None, limit: int) -> tuple[bytes | None, bool]:
    """The body (shorter than `length` if the client stopped), or None when over `limit`;
    and False if reading failed (a chunked body's end is known only by reading it)."""
    buf = bytearray()
    want = length if length is not None else limit + 1
    complete = True
    while len(buf) < want:
        try:
            chunk = stream.read(min(_CHUNK, want - len(buf)))
        except Exception:  # servers raise their own types when the client goes away
            complete = False
            break
        if not chunk:
            break
        buf += chunk
    if len(buf) > limit:
        return None, complete
    return bytes(buf), complete


def _respond(start_response: StartResponse, status: str, body: bytes) -> list[bytes]:
    start_response(
        status,
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]
