"""Fake servers and recording apps for the request middleware tests, one pair per adapter
(WSGI, ASGI), and a driver per adapter that sends one request through the middleware and
returns what the client got and what the app saw (``Result``). No real server: see
test_e2e_middleware.py for those."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, MutableMapping
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


Driver = WSGIDriver | ASGIDriver
