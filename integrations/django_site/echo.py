"""The middleware's echo views, under ``/mw/`` (``HTMLGUARD_PATHS``): each answers, as JSON,
exactly what the view saw after ``HTMLGuardMiddleware`` ran.

- ``/mw/echo`` (a sync view) and ``/mw/async/echo`` (an ``async def`` view), any method:
  ``post`` (``request.POST`` as name -> list of values), ``files`` (each upload's field,
  name, content type, size, SHA-256 and bytes in base64), ``body_b64``/``body_sha256`` and,
  for JSON, ``json`` (``request.body`` parsed), ``content_length`` (META's
  ``CONTENT_LENGTH``) and ``header_content_length`` (``request.headers``), and ``reports``
  (``request.htmlguard_reports``, report mode; None when absent).
- ``/mw/health``: the servers' readiness probe; ``/mw/ids?prefix=P``: the request ids seen.

The ``X-Request-Id`` header is remembered (``integrations._echo.seen``): the tests check
with it that a refused request never reached the view. ``ReadsBody``, ``ReadsPost`` and
``ReadsHeaders`` are middlewares the tests put before ``HTMLGuardMiddleware`` (a body read
before it).

A multipart body is read through ``request.POST``/``request.FILES`` (Django's streaming
parser, as most views do) and its raw body is not echoed; every other body through
``request.body``. None of them touches the database.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils.deprecation import MiddlewareMixin
from django.views.decorators.csrf import csrf_exempt

from integrations import _echo


def describe(request: HttpRequest, view: str) -> dict[str, Any]:
    meta = request.META
    _echo.remember(request.headers.get("X-Request-Id"))
    out: dict[str, Any] = {
        "view": view,
        "id": request.headers.get("X-Request-Id"),
        "method": request.method,
        "path": request.path,
        "content_type": meta.get("CONTENT_TYPE"),
        "content_length": meta.get("CONTENT_LENGTH"),
        "header_content_length": request.headers.get("Content-Length"),
        "transfer_encoding": request.headers.get("Transfer-Encoding"),
    }
    if request.content_type != "multipart/form-data":
        body = request.body
        out["body_b64"] = base64.b64encode(body).decode("ascii")
        out["body_sha256"] = _echo.sha256(body)
        if _echo.is_json(meta.get("CONTENT_TYPE")):
            try:
                out["json"] = json.loads(body)
            except ValueError as e:
                out["json_error"] = str(e)
    out["post"] = {name: values for name, values in request.POST.lists()}
    out["files"] = [
        {
            **_echo.file_entry(name, f.name, f.content_type, (), f.read()),
            # Django's multipart parser gives the part's charset parameter as bytes.
            "charset": f.charset.decode("latin-1") if isinstance(f.charset, bytes) else f.charset,
        }
        for name, files in request.FILES.lists()
        for f in files
    ]
    out["reports"] = _echo.reports_json(getattr(request, "htmlguard_reports", None))
    return out


@csrf_exempt
def echo(request: HttpRequest) -> HttpResponse:
    return JsonResponse(describe(request, "sync"))


async def async_echo(request: HttpRequest) -> HttpResponse:
    return JsonResponse(describe(request, "async"))


# Django 4.2's csrf_exempt wraps any view in a sync function (5.0 made it async-aware): the
# mark it sets is all that is needed.
async_echo.csrf_exempt = True  # type: ignore[attr-defined]


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def ids(request: HttpRequest) -> HttpResponse:
    """The request ids this process's echo views have seen (``?prefix=``), in order."""
    return JsonResponse(_echo.seen(request.GET.get("prefix", "")), safe=False)


class ReadsBody(MiddlewareMixin):
    def process_request(self, request: HttpRequest) -> None:
        request.body  # noqa: B018 - read and kept by Django


class ReadsPost(MiddlewareMixin):
    def process_request(self, request: HttpRequest) -> None:
        request.POST  # noqa: B018 - multipart: read, parsed and not kept


class ReadsHeaders(MiddlewareMixin):
    def process_request(self, request: HttpRequest) -> None:
        request.headers  # noqa: B018 - a cached copy of META's headers


urlpatterns = [
    path("echo", echo),
    path("async/echo", async_echo),
    path("health", health),
    path("ids", ids),
]
