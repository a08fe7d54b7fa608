"""WSGI middleware that cleans user-submitted HTML before the application sees it.

Usage (Flask shown; any WSGI app works the same way)::

    from htmlguard.wsgi import HTMLGuardMiddleware
    app.wsgi_app = HTMLGuardMiddleware(app.wsgi_app, fields={"description": "ugc"})

See ``docs/middleware.md`` for selectors, content types, modes and faults. The decisions
are ``_request.core.RequestCore``'s; this module only reads, replays and answers.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from ._request.adapter import GuardedApp
from ._request.decisions import Respond
from ._request.responses import INCOMPLETE_BODY

__all__ = ["HTMLGuardMiddleware"]

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

_CHUNK = 64 * 1024


class HTMLGuardMiddleware(GuardedApp[WSGIApp]):
    """Wrap a WSGI application; options as in ``docs/middleware.md`` (``GuardedApp``)."""

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        core = self.core
        plan = core.plan(
            environ.get("REQUEST_METHOD", "GET"),
            environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
            environ.get("CONTENT_TYPE"),
            environ.get("CONTENT_LENGTH"),
            stream_ends=bool(environ.get("wsgi.input_terminated")),
        )
        if plan is None:
            return self.app(environ, start_response)
        if isinstance(plan, Respond):
            return _respond(start_response, plan)
        body, complete = _read(environ["wsgi.input"], plan.length, plan.max_bytes)
        if body is None:
            return _respond(start_response, core.too_large)
        if not complete or (plan.length is not None and len(body) < plan.length):
            # The client went away mid-body: there is no one to answer.
            return _respond(start_response, INCOMPLETE_BODY)

        decision = core.decide(plan, body)
        if isinstance(decision, Respond):
            return _respond(start_response, decision)
        if decision.reports is not None:
            environ["htmlguard.reports"] = decision.reports
        # wsgi.input is a new stream whether or not the body was reframed: the environ
        # describes it (a Transfer-Encoding left behind would make Werkzeug ignore the
        # length and read nothing).
        environ["wsgi.input"] = io.BytesIO(decision.body)
        environ["CONTENT_LENGTH"] = decision.content_length
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


def _respond(start_response: StartResponse, response: Respond) -> list[bytes]:
    start_response(response.status_line, list(response.headers))
    return [response.body]
