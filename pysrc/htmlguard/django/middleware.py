"""``HTMLGuardMiddleware``: the request middleware for Django, sync and async.

::

    MIDDLEWARE = [
        "django.middleware.security.SecurityMiddleware",
        "htmlguard.django.middleware.HTMLGuardMiddleware",   # before anything reading the body
        ...
    ]
    HTMLGUARD_FIELDS = {"body": "ugc", "profile.bio": "bio"}   # form fields and JSON paths
    HTMLGUARD_MODE = "clean"                                    # or "reject", "report"

The selected fields of urlencoded, multipart (files pass byte for byte) and JSON bodies are
cleaned before ``request.POST``, ``request.FILES``, ``request.body`` or ``request.read()``
see them. Every decision is the request core's, as for ``htmlguard.wsgi`` and
``htmlguard.asgi`` (docs/middleware.md): ``"reject"`` answers 400 with the reasons as JSON
and the view is not called; ``"report"`` leaves the body alone and puts the reports on the
request (``request.htmlguard_reports``: field -> :class:`~htmlguard.Report`). The settings
are read on every request (the core is rebuilt only when they change).

If a middleware listed before this one has already read the body, the body is cleaned
all the same from what Django kept (``request.body``, or a urlencoded ``request.POST``), and
the view gets the cleaned one; a body read without being kept (a multipart ``request.POST``,
``request.read()``) cannot be, and the request fails with ``ImproperlyConfigured`` (report
mode logs a warning and passes it on; ``manage.py check`` warns of this order:
htmlguard.W002).

Under WSGI, Django reads no body without a Content-Length (it ignores
``wsgi.input_terminated``), so such a request is passed on unread: the view sees an empty
body. Under ASGI the body is spooled whole before any middleware runs, so one without a
Content-Length is read, and handed on with one, as by ``htmlguard.asgi``.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse
from django.http.request import UnreadablePostError

from .._request.core import RequestCore, logger
from .._request.decisions import Decision, ReadBody, Respond
from .._request.responses import INCOMPLETE_BODY
from ..asgi import OFFLOAD_BYTES
from . import conf

__all__ = ["HTMLGuardMiddleware"]

_CHUNK = 64 * 1024


class HTMLGuardMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        step = _plan(request)
        if step is None:
            return self.get_response(request)
        if isinstance(step, HttpResponse):
            return step
        answer = _process(request, *step)
        return answer if answer is not None else self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> Any:
        step = _plan(request)
        if step is None:
            return await self.get_response(request)
        if isinstance(step, HttpResponse):
            return step
        core, plan = step
        # An ASGI request's body is already spooled (no network wait), but reading a large
        # one (from disk past FILE_UPLOAD_MAX_MEMORY_SIZE) and cleaning it are done off the
        # event loop; a body of unknown length may be large too.
        if plan.length is None or plan.length > OFFLOAD_BYTES:
            answer = await asyncio.to_thread(_process, request, core, plan)
        else:
            answer = _process(request, core, plan)
        return answer if answer is not None else await self.get_response(request)


def _plan(request: HttpRequest) -> None | HttpResponse | tuple[RequestCore, ReadBody]:
    """None: pass the request on untouched; a response: answer it; else how to read it."""
    core = conf.request_core()
    if core is None:
        return None
    meta = request.META
    plan = core.plan(
        request.method or "GET",
        request.path,
        meta.get("CONTENT_TYPE"),
        meta.get("CONTENT_LENGTH"),
        # A WSGIRequest reads no more than its Content-Length (none: an empty body, whatever
        # wsgi.input_terminated says), so a body without one is nothing Django would see.
        # An ASGI request's body is spooled whole: request.body reads all of it.
        stream_ends=not isinstance(request, WSGIRequest),
    )
    if plan is None:
        return None
    if isinstance(plan, Respond):
        return _response(plan)
    return core, plan


def _process(request: HttpRequest, core: RequestCore, plan: ReadBody) -> HttpResponse | None:
    """Read the body, have the core decide, and give the request the decided body; a
    response instead when there is one to give."""
    kept = request.__dict__.get("_body")
    if kept is not None:
        body: bytes | None = kept  # read before us and kept: cleaned all the same
    elif getattr(request, "_read_started", False):
        # Read before us and not kept (a multipart request.POST, request.read()): what
        # the view would get is gone, and what an earlier middleware parsed is unchecked.
        if core.mode == "report":
            logger.warning(
                "%s %s: body read before HTMLGuardMiddleware: not inspected",
                plan.method,
                plan.path,
            )
            return None
        raise ImproperlyConfigured(
            "HTMLGuardMiddleware: the request body was read before it (by a middleware "
            "listed earlier in MIDDLEWARE), so it cannot be cleaned; move "
            "htmlguard.django.middleware.HTMLGuardMiddleware above that middleware"
        )
    else:
        try:
            body = _read(request, plan.max_bytes)
        except (UnreadablePostError, OSError):
            return _response(INCOMPLETE_BODY)  # the client went away mid-body
    if body is None:
        return _response(core.too_large)
    if plan.length is not None and len(body) < plan.length:
        return _response(INCOMPLETE_BODY)
    return _finish(request, core.decide(plan, body))


def _read(request: HttpRequest, limit: int) -> bytes | None:
    """The body, or None once it is longer than `limit` (the rest is not read)."""
    buf = bytearray()
    while len(buf) <= limit:
        chunk = request.read(min(_CHUNK, limit + 1 - len(buf)))
        if not chunk:
            return bytes(buf)
        buf += chunk
    return None


def _finish(request: HttpRequest, decision: Decision) -> HttpResponse | None:
    """Give the request the decided body; a response instead when the core answers."""
    if isinstance(decision, Respond):
        return _response(decision)
    if decision.reports is not None:
        request.htmlguard_reports = decision.reports  # type: ignore[attr-defined]
    # Django reads the body from request._stream, up to META's CONTENT_LENGTH; what was
    # made from the body before (the kept body, the parsed forms) and the headers made
    # from META are dropped, to be made again from the cleaned body.
    request._stream = io.BytesIO(decision.body)
    request._read_started = False  # type: ignore[attr-defined]
    for cached in ("_body", "_post", "_files", "headers"):
        request.__dict__.pop(cached, None)
    request.META["CONTENT_LENGTH"] = decision.content_length
    request.META.pop("HTTP_TRANSFER_ENCODING", None)
    return None


def _response(answer: Respond) -> HttpResponse:
    response = HttpResponse(answer.body, status=answer.status)
    for name, value in answer.headers:  # Content-Type and Content-Length
        response[name] = value
    return response
