"""Fake servers and recording apps for the request middleware tests, one pair per adapter
(WSGI, ASGI), and a driver per adapter that sends one request through the middleware and
returns what the client got and what the app saw (``Result``). No real server: see
test_e2e_middleware.py for those.

The Django drivers (``DjangoWSGIDriver``, ``DjangoASGIDriver``) send the same fake server's
request through Django's own ``WSGIHandler``/``ASGIHandler``, with
``htmlguard.django.middleware.HTMLGuardMiddleware`` as the only middleware (its options as
``HTMLGUARD_*`` settings, by ``override_settings``) and a recording view as the app. They
need Django set up (pytest-django and the test project's settings); without it they skip.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import htmlguard as hg
from htmlguard import asgi, wsgi

FORM_CT = "application/x-www-form-urlencoded"
JSON_CT = "application/json"
BOUNDARY = "hgTestBoundary"
MULTIPART_CT = f"multipart/form-data; boundary={BOUNDARY}"
DIRTY_FORM = b"description=%3Cp+onclick%3D%22x()%22%3Ehi%3C%2Fp%3E%3Cscript%3Ey%3C%2Fscript%3E"
CLEAN_FORM = b"description=%3Cp%3Ehi%3C%2Fp%3E"
TIMEOUT = 10  # seconds; only a hang reaches it

#: How the recording apps answer: status, one header, a body sent in two pieces.
APP_STATUS, APP_HEADERS, APP_BODY = 200, {"x-app": "1"}, b"app"


def multipart(*parts: tuple[str, bytes, str]) -> bytes:
    """A multipart body: (name, data, extra Content-Disposition text and headers) per part."""
    out = b""
    for name, data, extra in parts:
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"{extra}\r\n\r\n'
        out += head.encode() + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def sent_headers(body: bytes, content_type: str | None = FORM_CT) -> dict[str, str]:
    """The request headers every driver sends with a body that has a Content-Length."""
    headers = {"host": "test", "x-custom": "kept"}
    if content_type is not None:
        headers["content-type"] = content_type
    headers["content-length"] = str(len(body))
    return headers


@dataclass
class Result:
    """One request through the middleware."""

    status: int
    #: Response headers (lower-case names) and body, as the client got them.
    headers: dict[str, str]
    body: bytes
    app_calls: int
    #: The body the app read, and the request headers it saw (lower-case names).
    app_body: bytes | None
    app_headers: dict[str, str]
    #: The reports exposed to the app (report mode), None when none were.
    reports: dict[str, hg.Report] | None
    #: The app got the request as the server gave it: the same environ or scope, the same
    #: input stream or receive, and nothing had been read from it.
    unread: bool
    #: Reads from the server's input, and bytes taken from it, before the app was called
    #: (all of them when it was not).
    reads: int
    consumed: int


# ================================================================ WSGI


class Input:
    """A wsgi.input that records what was read; `fail_after` makes it raise like a server
    does when the client goes away."""

    def __init__(self, data: bytes, fail_after: int | None = None) -> None:
        self.data = data
        self.pos = 0
        self.reads = 0
        self.fail_after = fail_after

    def read(self, size: int = -1) -> bytes:
        self.reads += 1
        if self.fail_after is not None and self.pos >= self.fail_after:
            raise OSError("client disconnected")
        end = len(self.data) if size is None or size < 0 else self.pos + size
        if self.fail_after is not None:
            end = min(end, self.fail_after)
        chunk = self.data[self.pos : end]
        self.pos += len(chunk)
        return chunk


class WSGIApp:
    """A WSGI app that records what it was given and reads the body as PEP 3333 says."""

    def __init__(self) -> None:
        self.calls = 0
        self.environ: dict[str, Any] = {}
        self.body: bytes | None = None
        self.server_reads_at_call = -1
        self.server_pos_at_call = -1

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.calls += 1
        self.environ = environ
        server = environ.get("test.input")
        if isinstance(server, Input):
            self.server_reads_at_call, self.server_pos_at_call = server.reads, server.pos
        stream = environ.get("wsgi.input")
        length = environ.get("CONTENT_LENGTH")
        if length:
            self.body = stream.read(int(length)) if stream is not None else None
        start_response(f"{APP_STATUS} OK", list(APP_HEADERS.items()))
        return [APP_BODY[:2], APP_BODY[2:]]


def environ(
    body: bytes = b"",
    content_type: str | None = FORM_CT,
    *,
    method: str = "POST",
    path: str = "/submit",
    script_name: str = "",
    length: int | str | None = -1,
    stream: Input | None = None,
    terminated: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """A WSGI environ; `length=-1` declares the body's length, None declares none."""
    stream = stream if stream is not None else Input(body)
    env: dict[str, Any] = {
        "test.input": stream,  # the original, whatever the middleware does to wsgi.input
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path,
        "SERVER_NAME": "test",
        "SERVER_PORT": "80",
        "HTTP_HOST": "test",
        "HTTP_X_CUSTOM": "kept",
        "wsgi.input": stream,
        "wsgi.url_scheme": "http",
    }
    if content_type is not None:
        env["CONTENT_TYPE"] = content_type
    if length == -1:
        env["CONTENT_LENGTH"] = str(len(body))
    elif length is not None:
        env["CONTENT_LENGTH"] = str(length)
    if terminated:  # the server guarantees the stream ends (a chunked body, PEP 3333 note)
        env["wsgi.input_terminated"] = True
    env.update(extra)
    return env


def call(mw: wsgi.HTMLGuardMiddleware, env: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
    got: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        got["status"] = status
        got["headers"] = dict(headers)

    body = b"".join(mw(env, start_response))
    return got["status"], got["headers"], body


def environ_headers(env: dict[str, Any]) -> dict[str, str]:
    """The request headers a WSGI environ holds, named as on the wire (lower case)."""
    out = {}
    for key, value in env.items():
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            out[key.lower().replace("_", "-")] = value
        elif key.startswith("HTTP_"):
            out[key[5:].lower().replace("_", "-")] = value
    return out


# ================================================================ ASGI

Message = dict[str, Any]


class Receive:
    """The server's receive: hands out the given messages, then waits like a server whose
    client has not gone away (forever, here)."""

    def __init__(self, messages: Iterable[Message]) -> None:
        self.messages = list(messages)
        self.calls = 0
        self.consumed = 0

    async def __call__(self) -> Message:
        self.calls += 1
        if self.messages:
            message = self.messages.pop(0)
            self.consumed += len(message.get("body", b""))
            return message
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


class Send:
    def __init__(self) -> None:
        self.messages: list[MutableMapping[str, Any]] = []

    async def __call__(self, message: MutableMapping[str, Any]) -> None:
        self.messages.append(message)

    @property
    def status(self) -> int:
        return int(self.messages[0]["status"])

    @property
    def headers(self) -> dict[bytes, bytes]:
        return dict(self.messages[0]["headers"])

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.messages[1:])


class ASGIApp:
    """An ASGI app that records what it got and reads the whole body."""

    def __init__(self, server: Receive | None = None) -> None:
        self.server = server
        self.calls = 0
        self.scope: dict[str, Any] = {}
        self.receive: Any = None
        self.send: Any = None
        self.server_calls_at_start = -1
        self.server_consumed_at_start = -1
        self.body: bytes | None = None
        self.messages: list[Message] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        self.scope, self.receive, self.send = scope, receive, send
        if self.server is not None:
            self.server_calls_at_start = self.server.calls
            self.server_consumed_at_start = self.server.consumed
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            self.messages.append(message)
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        self.body = body
        headers = [(k.encode(), v.encode()) for k, v in APP_HEADERS.items()]
        await send({"type": "http.response.start", "status": APP_STATUS, "headers": headers})
        await send({"type": "http.response.body", "body": APP_BODY[:2], "more_body": True})
        await send({"type": "http.response.body", "body": APP_BODY[2:]})


def http_scope(
    headers: list[tuple[bytes, bytes]], method: str = "POST", path: str = "/submit"
) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
    }


def request(
    body: bytes,
    content_type: str | None = FORM_CT,
    *,
    chunks: int = 1,
    length: bool = True,
    method: str = "POST",
    path: str = "/submit",
    extra: Iterable[Message] = (),
) -> tuple[dict[str, Any], Receive]:
    """A scope and a receive that sends `body` in `chunks` http.request messages; without
    `length` the request is chunked (no Content-Length)."""
    headers = [(b"host", b"test"), (b"x-custom", b"kept")]
    if content_type is not None:
        headers.append((b"content-type", content_type.encode("latin-1")))
    if length:
        headers.append((b"content-length", str(len(body)).encode()))
    else:
        headers.append((b"transfer-encoding", b"chunked"))
    step = max(1, -(-len(body) // chunks))
    pieces = [body[i : i + step] for i in range(0, len(body), step)] or [b""]
    messages: list[Message] = [
        {"type": "http.request", "body": p, "more_body": i < len(pieces) - 1}
        for i, p in enumerate(pieces)
    ]
    return http_scope(headers, method, path), Receive([*messages, *extra])


async def run(
    mw: asgi.HTMLGuardMiddleware, scope: dict[str, Any], receive: Receive, send: Send | None = None
) -> Send:
    send = send if send is not None else Send()
    await asyncio.wait_for(mw(scope, receive, send), TIMEOUT)
    return send


def header_values(scope: dict[str, Any], name: bytes) -> list[bytes]:
    return [v for k, v in scope["headers"] if k.lower() == name]


# ================================================================ drivers


def _options(options: dict[str, Any]) -> dict[str, Any]:
    options.setdefault("fields", {"description": "ugc"})
    return options


class WSGIDriver:
    name = "wsgi"

    def guarded(self, **options: Any) -> WSGIGuarded:
        """The WSGI middleware with these options (``fields`` defaults to description)."""
        return WSGIGuarded(_options(options))


class WSGIGuarded:
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        wsgi.HTMLGuardMiddleware(WSGIApp(), **options)  # bad options raise here

    def send(
        self,
        body: bytes = b"",
        content_type: str | None = FORM_CT,
        *,
        method: str = "POST",
        path: str = "/submit",
        chunked: bool = False,
        pieces: int = 1,  # ASGI messages; a WSGI stream hands over what is asked for
    ) -> Result:
        app = WSGIApp()
        mw = wsgi.HTMLGuardMiddleware(app, **self.options)
        stream = Input(body)
        env = environ(
            body,
            content_type,
            method=method,
            path=path,
            stream=stream,
            length=None if chunked else -1,
            terminated=chunked,
        )
        if chunked:
            env["HTTP_TRANSFER_ENCODING"] = "chunked"
        status, headers, out = call(mw, env)
        called = app.calls > 0
        return Result(
            status=int(status.split()[0]),
            headers={k.lower(): v for k, v in headers.items()},
            body=out,
            app_calls=app.calls,
            app_body=app.body,
            app_headers=environ_headers(app.environ) if called else {},
            reports=app.environ.get("htmlguard.reports") if called else None,
            unread=called
            and app.environ is env
            and app.environ["wsgi.input"] is stream
            and app.server_reads_at_call == 0,
            reads=app.server_reads_at_call if called else stream.reads,
            consumed=app.server_pos_at_call if called else stream.pos,
        )


class ASGIDriver:
    name = "asgi"

    def guarded(self, **options: Any) -> ASGIGuarded:
        """The ASGI middleware with these options (``fields`` defaults to description)."""
        return ASGIGuarded(_options(options))


class ASGIGuarded:
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        asgi.HTMLGuardMiddleware(ASGIApp(), **options)  # bad options raise here

    def send(
        self,
        body: bytes = b"",
        content_type: str | None = FORM_CT,
        *,
        method: str = "POST",
        path: str = "/submit",
        chunked: bool = False,
        pieces: int = 1,
    ) -> Result:
        scope, receive = request(
            body, content_type, chunks=pieces, length=not chunked, method=method, path=path
        )
        app = ASGIApp(receive)
        mw = asgi.HTMLGuardMiddleware(app, **self.options)
        send = Send()
        asyncio.run(run(mw, scope, receive, send))
        called = app.calls > 0
        return Result(
            status=send.status,
            headers={k.decode().lower(): v.decode() for k, v in send.headers.items()},
            body=send.body,
            app_calls=app.calls,
            app_body=app.body,
            app_headers={
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in app.scope["headers"]
            }
            if called
            else {},
            reports=app.scope.get("state", {}).get("htmlguard_reports") if called else None,
            unread=called
            and app.scope is scope
            and app.receive is receive
            and app.send is send
            and app.server_calls_at_start == 0,
            reads=app.server_calls_at_start if called else receive.calls,
            consumed=app.server_consumed_at_start if called else receive.consumed,
        )


# ================================================================ Django

DJANGO_MIDDLEWARE = "htmlguard.django.middleware.HTMLGuardMiddleware"

#: Each middleware option and the setting that carries it; options without one (``methods``,
#: ``default_policy``: the Django middleware has no such setting) skip the test.
SETTING_OF = {
    "fields": "HTMLGUARD_FIELDS",
    "paths": "HTMLGUARD_PATHS",
    "mode": "HTMLGUARD_MODE",
    "max_body_bytes": "HTMLGUARD_MAX_BODY_BYTES",
    "on_fault": "HTMLGUARD_ON_FAULT",
}


class FullInput(Input):
    """An Input with the ``readline`` PEP 3333 asks of wsgi.input (Django's LimitedStream
    takes it up front)."""

    def readline(self, size: int = -1) -> bytes:
        end = self.data.find(b"\n", self.pos) + 1 or len(self.data)
        if size is not None and size >= 0:
            end = min(end, self.pos + size)
        return self.read(end - self.pos)


class DjangoRecorder:
    """What the recording view saw; it finds this object in the request's environ or scope
    (``test.recorder``)."""

    def __init__(self) -> None:
        self.calls = 0
        self.body: bytes | None = None
        self.headers: dict[str, str] = {}
        self.reports: dict[str, hg.Report] | None = None
        #: The request still held the stream Django made it with, nothing read from it.
        self.untouched = False
        self.reads_at_call = -1
        self.consumed_at_call = -1


def _record(request: Any, recorder: DjangoRecorder, server: Any, original: bool) -> Any:
    from django.http import HttpResponse

    recorder.calls += 1
    recorder.reads_at_call, recorder.consumed_at_call = server.reads, server.pos
    recorder.untouched = original and server.reads == 0 and not request._read_started
    recorder.headers = environ_headers(request.META)
    recorder.reports = getattr(request, "htmlguard_reports", None)
    recorder.body = request.body  # as a view reads it: Django's own framing
    response = HttpResponse(APP_BODY, status=APP_STATUS)
    del response["Content-Type"]  # answer only what the other recording apps answer
    for name, value in APP_HEADERS.items():
        response[name] = value
    return response


def _django_wsgi_view(request: Any) -> Any:
    from django.core.handlers.wsgi import LimitedStream

    server = request.META["test.input"]
    original = isinstance(request._stream, LimitedStream)  # the middleware gives a BytesIO
    return _record(request, request.META["test.recorder"], server, original)


async def _django_asgi_view(request: Any) -> Any:
    recorder: DjangoRecorder = request.scope["test.recorder"]
    body_file: CountingFile = request.scope["test.body_file"]
    return _record(request, recorder, body_file, request._stream is body_file)


def _urlconf(view: Any) -> type:
    """A ROOT_URLCONF (any object with ``urlpatterns``) sending every path to `view`."""
    from django.urls import re_path

    return type("URLConf", (), {"urlpatterns": [re_path(r"^", view)]})


class CountingFile:
    """The body file Django's ASGIHandler spools the request into, counting what is read
    from it: under ASGI, Django receives the whole body from the server before any
    middleware runs, so this file is the server's input as the middleware knows it."""

    def __init__(self, file: Any) -> None:
        self.file = file
        self.reads = 0
        self.pos = 0

    def read(self, size: int = -1, /) -> bytes:
        self.reads += 1
        data: bytes = self.file.read(size)
        self.pos += len(data)
        return data

    def readline(self, size: int = -1, /) -> bytes:
        self.reads += 1
        data: bytes = self.file.readline(size)
        self.pos += len(data)
        return data

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return int(self.file.seek(offset, whence))

    def tell(self) -> int:
        return int(self.file.tell())

    def close(self) -> None:
        self.file.close()


def _django_settings(options: dict[str, Any], view: Any) -> dict[str, Any]:
    import django.apps
    import pytest

    if not django.apps.apps.ready:
        pytest.skip("Django is not set up (pytest-django, DJANGO_SETTINGS_MODULE)")
    from htmlguard._settings import DEFAULTS

    settings: dict[str, Any] = {
        "MIDDLEWARE": [DJANGO_MIDDLEWARE],
        "ROOT_URLCONF": _urlconf(view),
        "ALLOWED_HOSTS": ["test"],
        # An option not given is its default, not the test project's value.
        **{key: DEFAULTS[key] for key in SETTING_OF.values()},
    }
    for option, value in options.items():
        if option not in SETTING_OF:
            pytest.skip(f"the Django middleware has no setting for {option!r}")
        settings[SETTING_OF[option]] = value
    return settings


@contextmanager
def _no_connection_handling() -> Iterator[None]:
    """Django's handlers close stale database connections at each request's start and end;
    these drivers use no database, and pytest-django refuses any access outside a test
    that asks for one (an earlier test may have left a connection open)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


class DjangoGuarded:
    """The Django middleware with these settings; bad ones raise here, as the middleware's
    first request would (it reads them when used)."""

    def __init__(self, options: dict[str, Any], view: Any) -> None:
        from django.test import override_settings

        from htmlguard.django import conf

        self.settings = _django_settings(options, view)
        with override_settings(**self.settings):
            conf.request_core()


class DjangoWSGIDriver:
    name = "django-wsgi"

    def guarded(self, **options: Any) -> DjangoWSGIGuarded:
        return DjangoWSGIGuarded(_options(options), _django_wsgi_view)


class DjangoWSGIGuarded(DjangoGuarded):
    def send(
        self,
        body: bytes = b"",
        content_type: str | None = FORM_CT,
        *,
        method: str = "POST",
        path: str = "/submit",
        chunked: bool = False,
        pieces: int = 1,
    ) -> Result:
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import override_settings

        recorder = DjangoRecorder()
        stream = FullInput(body)
        env = environ(
            body,
            content_type,
            method=method,
            path=path,
            stream=stream,
            length=None if chunked else -1,
            terminated=chunked,
        )
        env["test.recorder"] = recorder
        if chunked:
            env["HTTP_TRANSFER_ENCODING"] = "chunked"
        with override_settings(**self.settings), _no_connection_handling():
            handler = WSGIHandler()  # loads MIDDLEWARE
            got: dict[str, Any] = {}

            def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> Any:
                got["status"], got["headers"] = status, headers

            response = handler(env, start_response)
            try:
                out = b"".join(response)
            finally:
                response.close()  # as a WSGI server does
        return _django_result(int(got["status"].split()[0]), got["headers"], out, recorder, stream)


class DjangoASGIDriver:
    name = "django-asgi"

    def guarded(self, **options: Any) -> DjangoASGIGuarded:
        return DjangoASGIGuarded(_options(options), _django_asgi_view)


class DjangoASGIGuarded(DjangoGuarded):
    def send(
        self,
        body: bytes = b"",
        content_type: str | None = FORM_CT,
        *,
        method: str = "POST",
        path: str = "/submit",
        chunked: bool = False,
        pieces: int = 1,
    ) -> Result:
        from django.core.handlers.asgi import ASGIHandler
        from django.test import override_settings

        recorder = DjangoRecorder()
        scope, receive = request(
            body, content_type, chunks=pieces, length=not chunked, method=method, path=path
        )
        scope["test.recorder"] = recorder

        class Handler(ASGIHandler):
            async def read_body(self, receive: Any) -> Any:
                body_file = CountingFile(await super().read_body(receive))
                scope["test.body_file"] = body_file
                return body_file

        send = Send()
        with override_settings(**self.settings), _no_connection_handling():
            app: Any = Handler()
            asyncio.run(asyncio.wait_for(app(scope, receive, send), TIMEOUT))
        body_file = scope.get("test.body_file") or CountingFile(None)
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in send.headers.items()]
        return _django_result(send.status, headers, send.body, recorder, body_file)


def _django_result(
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    recorder: DjangoRecorder,
    server: Input | CountingFile,
) -> Result:
    called = recorder.calls > 0
    return Result(
        status=status,
        headers={k.lower(): v for k, v in headers},
        body=body,
        app_calls=recorder.calls,
        app_body=recorder.body,
        app_headers=recorder.headers,
        reports=recorder.reports,
        unread=called and recorder.untouched,
        reads=recorder.reads_at_call if called else server.reads,
        consumed=recorder.consumed_at_call if called else server.pos,
    )


Driver = WSGIDriver | ASGIDriver | DjangoWSGIDriver | DjangoASGIDriver
