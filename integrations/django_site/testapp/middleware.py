"""Middleware for the checks' tests: some read the request body, some do not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.deprecation import MiddlewareMixin


class BodyLogger:
    """Reads the body in ``__call__`` (as request loggers do)."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        request.size = len(request.body)  # type: ignore[attr-defined]
        return self.get_response(request)


class FormPeek(MiddlewareMixin):
    """Reads ``request.POST`` in ``process_request``."""

    def process_request(self, request: HttpRequest) -> None:
        request.peeked = dict(request.POST)  # type: ignore[attr-defined]


def stream_reader(get_response: Callable[[HttpRequest], Any]) -> Callable[..., Any]:
    """A function middleware that reads the stream."""

    def middleware(request: HttpRequest) -> Any:
        request.first = request.read(10)  # type: ignore[attr-defined]
        return get_response(request)

    return middleware


class HeaderStamp:
    """Looks only at headers: no warning."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        response["X-Seen"] = request.headers.get("User-Agent", "")
        return response
