"""The ASGI HTMLGuardMiddleware, driven with fake receive/send callables (no server)."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterable, MutableMapping
from typing import Any

import pytest

import htmlguard as hg
from htmlguard.asgi import OFFLOAD_BYTES, HTMLGuardMiddleware

FORM_CT = b"application/x-www-form-urlencoded"
JSON_CT = b"application/json"
BOUNDARY = "hgAsgiBoundary"
MULTIPART_CT = f"multipart/form-data; boundary={BOUNDARY}".encode()
DIRTY_FORM = b"description=%3Cp+onclick%3D%22x()%22%3Ehi%3C%2Fp%3E%3Cscript%3Ey%3C%2Fscript%3E"
CLEAN_FORM = b"description=%3Cp%3Ehi%3C%2Fp%3E"
TIMEOUT = 10  # seconds; only a hang reaches it

Message = dict[str, Any]


class Receive:
    """The server's receive: hands out the given messages, then waits like a server whose
    client has not gone away (forever, here)."""

    def __init__(self, messages: Iterable[Message]) -> None:
        self.messages = list(messages)
        self.calls = 0

    async def __call__(self) -> Message:
        self.calls += 1
        if self.messages:
            return self.messages.pop(0)
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


class App:
    """An ASGI app that records what it got and reads the whole body."""

    def __init__(self, server: Receive | None = None) -> None:
        self.server = server
        self.calls = 0
        self.scope: dict[str, Any] = {}
        self.receive: Any = None
        self.send: Any = None
        self.server_calls_at_start = -1
        self.body: bytes | None = None
        self.messages: list[Message] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        self.scope, self.receive, self.send = scope, receive, send
        if self.server is not None:
            self.server_calls_at_start = self.server.calls
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
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"app"})


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
    content_type: bytes | None = FORM_CT,
    *,
    chunks: int = 1,
    length: bool = True,
    method: str = "POST",
    path: str = "/submit",
    extra: Iterable[Message] = (),
) -> tuple[dict[str, Any], Receive]:
    """A scope and a receive that sends `body` in `chunks` http.request messages."""
    headers = [(b"host", b"test"), (b"x-custom", b"kept")]
    if content_type is not None:
        headers.append((b"content-type", content_type))
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
    mw: HTMLGuardMiddleware, scope: dict[str, Any], receive: Receive, send: Send | None = None
) -> Send:
    send = send if send is not None else Send()
    await asyncio.wait_for(mw(scope, receive, send), TIMEOUT)
    return send


def guarded(app: App, **options: Any) -> HTMLGuardMiddleware:
    options.setdefault("fields", {"description": "ugc"})
    return HTMLGuardMiddleware(app, **options)


def multipart(*parts: tuple[str, bytes, str]) -> bytes:
    out = b""
    for name, data, extra in parts:
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"{extra}\r\n\r\n'
        out += head.encode() + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def header_values(scope: dict[str, Any], name: bytes) -> list[bytes]:
    return [v for k, v in scope["headers"] if k.lower() == name]


# ---------------------------------------------------------------- clean mode


async def test_clean_form_rewrites_body_and_content_length() -> None:
    scope, receive = request(DIRTY_FORM)
    app = App(receive)
    send = await run(guarded(app), scope, receive)
    assert app.body == CLEAN_FORM
    assert app.messages == [{"type": "http.request", "body": CLEAN_FORM, "more_body": False}]
    assert header_values(app.scope, b"content-length") == [str(len(CLEAN_FORM)).encode()]
    assert header_values(app.scope, b"x-custom") == [b"kept"]
    assert header_values(app.scope, b"content-type") == [FORM_CT]
    assert (send.status, send.body) == (200, b"app")


async def test_clean_multipart_keeps_file_parts() -> None:
    file_data = b"<script>alert(1)</script>\x00\xff"
    file_part = ("upload", file_data, '; filename="a.html"\r\nContent-Type: text/html')
    body = multipart(("description", b"<i onclick=x>hi</i>", ""), file_part)
    scope, receive = request(body, MULTIPART_CT, chunks=3)
    app = App(receive)
    await run(guarded(app, fields={"*": "ugc"}), scope, receive)
    assert app.body == multipart(("description", b"<i>hi</i>", ""), file_part)


async def test_clean_json() -> None:
    body = b'{"comments": [{"body": "<script>x</script>ok", "n": 1e5}], "id": -0}'
    scope, receive = request(body, b"application/vnd.api+json")
    app = App(receive)
    await run(guarded(app, fields={"comments.*.body": "basic"}), scope, receive)
    assert app.body == b'{"comments":[{"body":"ok","n":1e5}],"id":-0}'
    assert header_values(app.scope, b"content-length") == [str(len(app.body)).encode()]


async def test_mixed_case_length_header_is_replaced_not_duplicated() -> None:
    scope = http_scope(
        [(b"Content-Type", FORM_CT), (b"Content-Length", str(len(DIRTY_FORM)).encode())]
    )
    receive = Receive([{"type": "http.request", "body": DIRTY_FORM}])
    app = App(receive)
    await run(guarded(app), scope, receive)
    assert app.body == CLEAN_FORM
    assert header_values(app.scope, b"content-length") == [str(len(CLEAN_FORM)).encode()]


async def test_unchanged_body_keeps_headers() -> None:
    body = b"description=%3Cb%3Efine%3C%2Fb%3E"
    scope, receive = request(body)
    original = list(scope["headers"])
    app = App(receive)
    await run(guarded(app), scope, receive)
    assert app.body == body
    assert app.scope["headers"] == original


async def test_responses_pass_through_untouched() -> None:
    sent: list[Message] = [
        {"type": "http.response.start", "status": 201, "headers": [(b"a", b"b")]},
        {"type": "http.response.body", "body": b"part 1", "more_body": True},
        {"type": "http.response.body", "body": b"part 2", "more_body": False},
    ]

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        for message in sent:
            await send(message)

    scope, receive = request(DIRTY_FORM)
    send = await run(HTMLGuardMiddleware(app, fields={"description": "ugc"}), scope, receive)
    assert send.messages == sent
    assert all(a is b for a, b in zip(send.messages, sent, strict=True))


async def test_receive_after_the_body_is_the_servers() -> None:
    disconnect = {"type": "http.disconnect"}
    scope, receive = request(DIRTY_FORM, extra=[disconnect])
    got: list[Message] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        got.append(await receive())
        got.append(await receive())

    await run(HTMLGuardMiddleware(app, fields={"description": "ugc"}), scope, receive)
    assert got[0]["body"] == CLEAN_FORM
    assert got[1] is disconnect


# ---------------------------------------------------------------- what is not read


def assert_passed_unread(app: App, scope: dict[str, Any], receive: Receive, send: Send) -> None:
    assert app.calls == 1
    assert app.scope is scope
    assert app.receive is receive
    assert app.send is send
    assert app.server_calls_at_start == 0


@pytest.mark.parametrize(
    "content_type", [b"text/plain", b"application/xml", b"text/html; charset=utf-8", None]
)
async def test_other_content_types_pass_unread(content_type: bytes | None) -> None:
    scope, receive = request(DIRTY_FORM, content_type)
    app = App(receive)
    send = await run(guarded(app), scope, receive)
    assert_passed_unread(app, scope, receive, send)
    assert app.body == DIRTY_FORM


@pytest.mark.parametrize("method", ["GET", "DELETE", "OPTIONS"])
async def test_unselected_methods_pass_unread(method: str) -> None:
    scope, receive = request(DIRTY_FORM, method=method)
    app = App(receive)
    send = await run(guarded(app), scope, receive)
    assert_passed_unread(app, scope, receive, send)


async def test_methods_option() -> None:
    for method, cleaned in (("POST", False), ("PUT", True), ("DELETE", True)):
        scope, receive = request(DIRTY_FORM, method=method)
        app = App(receive)
        await run(guarded(app, methods=("put", "DELETE")), scope, receive)
        assert app.body == (CLEAN_FORM if cleaned else DIRTY_FORM), method


async def test_paths_option() -> None:
    for path, cleaned in (("/api/comments", True), ("/API/comments", False), ("/web", False)):
        scope, receive = request(DIRTY_FORM, path=path)
        app = App(receive)
        send = await run(guarded(app, paths=["/api/*"]), scope, receive)
        assert app.body == (CLEAN_FORM if cleaned else DIRTY_FORM), path
        if not cleaned:
            assert_passed_unread(app, scope, receive, send)


async def test_nothing_selected_passes_unread() -> None:
    scope, receive = request(DIRTY_FORM)
    app = App(receive)
    send = await run(HTMLGuardMiddleware(app), scope, receive)
    assert_passed_unread(app, scope, receive, send)


@pytest.mark.parametrize("mode", ["clean", "report", "reject"])
async def test_empty_body_passes_unread(mode: str) -> None:
    scope, receive = request(b"", JSON_CT)
    app = App(receive)
    send = await run(guarded(app, mode=mode), scope, receive)
    assert_passed_unread(app, scope, receive, send)
    assert send.status == 200


@pytest.mark.parametrize("scope_type", ["websocket", "lifespan"])
async def test_websocket_and_lifespan_pass_untouched(scope_type: str) -> None:
    scope: dict[str, Any] = {"type": scope_type, "asgi": {"version": "3.0"}}
    if scope_type == "websocket":
        scope.update(path="/submit", headers=[(b"content-type", FORM_CT)], subprotocols=[])
    receive = Receive([{"type": f"{scope_type}.connect"}])
    app = App(receive)
    send = await run(guarded(app, default_policy="strict"), scope, receive)
    assert_passed_unread(app, scope, receive, send)
    assert scope.get("state") is None  # nothing added


# ---------------------------------------------------------------- chunked bodies


async def test_chunked_body_is_joined_and_given_a_length() -> None:
    scope, receive = request(DIRTY_FORM, chunks=4, length=False)
    app = App(receive)
    await run(guarded(app), scope, receive)
    assert app.messages == [{"type": "http.request", "body": CLEAN_FORM, "more_body": False}]
    assert header_values(app.scope, b"content-length") == [str(len(CLEAN_FORM)).encode()]
    assert header_values(app.scope, b"transfer-encoding") == []
    assert header_values(app.scope, b"x-custom") == [b"kept"]


async def test_unchanged_chunked_body_is_given_a_length() -> None:
    body = b"description=fine&x=%3Cscript%3E"
    scope, receive = request(body, chunks=3, length=False)
    app = App(receive)
    await run(guarded(app), scope, receive)
    assert app.body == body
    assert header_values(app.scope, b"content-length") == [str(len(body)).encode()]
    assert header_values(app.scope, b"transfer-encoding") == []


async def test_messages_without_body_key_are_accepted() -> None:
    scope = http_scope([(b"content-type", FORM_CT)])
    receive = Receive(
        [
            {"type": "http.request", "more_body": True},
            {"type": "http.request", "body": DIRTY_FORM, "more_body": True},
            {"type": "http.request"},
        ]
    )
    app = App(receive)
    await run(guarded(app), scope, receive)
    assert app.body == CLEAN_FORM


# ---------------------------------------------------------------- size limit


@pytest.mark.parametrize("mode", ["clean", "report", "reject"])
async def test_declared_length_over_limit_is_413_without_reading(mode: str) -> None:
    scope, receive = request(DIRTY_FORM)
    app = App(receive)
    send = await run(guarded(app, mode=mode, max_body_bytes=10), scope, receive)
    assert send.status == 413
    assert send.headers[b"content-type"] == b"application/json"
    assert send.headers[b"content-length"] == str(len(send.body)).encode()
    assert json.loads(send.body)["max_body_bytes"] == 10
    assert receive.calls == 0
    assert app.calls == 0


async def test_chunked_body_over_limit_is_413_without_reading_the_rest() -> None:
    body = b"description=" + b"x" * (10_000 - 12)
    scope, receive = request(body, chunks=100, length=False)  # 100 bytes a message
    app = App(receive)
    send = await run(guarded(app, max_body_bytes=1000), scope, receive)
    assert send.status == 413
    assert app.calls == 0
    assert receive.calls == 11  # the 11th message passes the limit; no more are read
    assert len(receive.messages) == 89


async def test_body_at_limit_is_processed() -> None:
    scope, receive = request(DIRTY_FORM, chunks=2, length=False)
    app = App(receive)
    await run(guarded(app, max_body_bytes=len(DIRTY_FORM)), scope, receive)
    assert app.body == CLEAN_FORM


# ---------------------------------------------------------------- client going away


@pytest.mark.parametrize("sent_first", [0, 1, 3])
@pytest.mark.parametrize("length", [True, False])
async def test_disconnect_mid_body_does_not_call_the_app(sent_first: int, length: bool) -> None:
    scope, _ = request(DIRTY_FORM, length=length)
    receive = Receive(
        [
            *(
                {"type": "http.request", "body": b"x" * 5, "more_body": True}
                for _ in range(sent_first)
            ),
            {"type": "http.disconnect"},
        ]
    )
    app = App(receive)
    send = await run(guarded(app), scope, receive)  # returns: wait_for would raise on a hang
    assert app.calls == 0
    assert send.messages == []
    assert receive.calls == sent_first + 1


async def test_a_stalled_client_is_cancellable() -> None:
    # The body never ends: the middleware waits in receive() and can be cancelled there
    # (servers cancel the task when the connection drops), leaving nothing behind.
    scope, receive = request(DIRTY_FORM, length=False, chunks=1)
    receive.messages[0]["more_body"] = True
    app = App(receive)
    task = asyncio.ensure_future(guarded(app)(scope, receive, Send()))
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(asyncio.shield(task), 0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, TIMEOUT)
    assert app.calls == 0


# ---------------------------------------------------------------- faults


FAULTY = [
    (FORM_CT + b"; charset=x-unknown", DIRTY_FORM),
    (JSON_CT, b'{"description": "<script>x</script>",}'),
    (JSON_CT, b"[" * 5000 + b"]" * 5000),
    (MULTIPART_CT, multipart(("description", b"<script>x</script>", ""))[:-8]),
]


@pytest.mark.parametrize(("content_type", "body"), FAULTY)
@pytest.mark.parametrize("mode", ["clean", "report"])
async def test_unreadable_bodies_pass_untouched_with_a_warning(
    content_type: bytes, body: bytes, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    if mode == "clean" and content_type != JSON_CT:
        # Naming a selected field, it would be refused (next test): name another one.
        body = body.replace(b"description", b"other")
    scope, receive = request(body, content_type, chunks=2)
    app = App(receive)
    with caplog.at_level(logging.WARNING, logger="htmlguard.middleware"):
        send = await run(guarded(app, mode=mode), scope, receive)
    assert send.status == 200
    assert app.body == body
    [record] = [r for r in caplog.records if r.name == "htmlguard.middleware"]
    assert "passed through unchanged" in record.getMessage()


@pytest.mark.parametrize(("content_type", "body"), [f for f in FAULTY if f[0] != JSON_CT])
async def test_unreadable_bodies_naming_a_selected_field_are_refused_in_clean_mode(
    content_type: bytes, body: bytes
) -> None:
    scope, receive = request(body, content_type)
    app = App(receive)
    send = await run(guarded(app), scope, receive)
    assert send.status == 400
    assert json.loads(send.body)["error"] == "unreadable request body"
    assert app.calls == 0


@pytest.mark.parametrize(("content_type", "body"), FAULTY)
async def test_on_fault_reject_answers_400_in_clean_mode(content_type: bytes, body: bytes) -> None:
    scope, receive = request(body, content_type)
    app = App(receive)
    send = await run(guarded(app, on_fault="reject"), scope, receive)
    assert send.status == 400
    assert json.loads(send.body)["error"] == "unreadable request body"
    assert app.calls == 0


async def test_a_field_over_its_policy_limit_is_413() -> None:
    scope, receive = request(DIRTY_FORM, FORM_CT)
    app = App(receive)
    small = hg.Policy.preset("ugc").derive(max_input_bytes=10)
    send = await run(guarded(app, fields={"description": small}), scope, receive)
    assert send.status == 413
    assert app.calls == 0


@pytest.mark.parametrize(("content_type", "body"), FAULTY)
async def test_unreadable_bodies_are_rejected_in_reject_mode(
    content_type: bytes, body: bytes
) -> None:
    scope, receive = request(body, content_type)
    app = App(receive)
    send = await run(guarded(app, mode="reject"), scope, receive)
    assert send.status == 400
    assert send.headers[b"content-type"] == b"application/json"
    assert json.loads(send.body)["error"] == "unreadable request body"
    assert app.calls == 0


async def test_invalid_bytes_in_a_valid_charset_are_kept_while_cleaning() -> None:
    body = multipart(("description", b"\xff<script>x</script>\xfe<b>ok</b>", ""))
    scope, receive = request(body, MULTIPART_CT)
    app = App(receive)
    await run(guarded(app), scope, receive)
    assert app.body == multipart(("description", b"\xff\xfe<b>ok</b>", ""))


# ---------------------------------------------------------------- reject and report


async def test_reject_mode_answers_400_with_the_removals() -> None:
    body = b'{"description": "<b onclick=\\"x()\\">hi</b>", "title": "<script>"}'
    scope, receive = request(body, JSON_CT)
    app = App(receive)
    send = await run(guarded(app, mode="reject"), scope, receive)
    assert send.status == 400
    assert send.headers[b"content-type"] == b"application/json"
    assert send.headers[b"content-length"] == str(len(send.body)).encode()
    assert json.loads(send.body) == {
        "error": "disallowed HTML",
        "fields": {
            "description": [{"kind": "attribute", "tag": "b", "name": "onclick", "value": "x()"}]
        },
    }
    assert app.calls == 0


async def test_reject_mode_passes_clean_requests_untouched() -> None:
    body = b"description=%3Cb%3Efine%3C%2Fb%3E"
    scope, receive = request(body)
    original = list(scope["headers"])
    app = App(receive)
    send = await run(guarded(app, mode="reject"), scope, receive)
    assert send.status == 200
    assert app.body == body and app.scope["headers"] == original


async def test_report_mode_logs_and_exposes_reports(caplog: pytest.LogCaptureFixture) -> None:
    scope, receive = request(DIRTY_FORM + b"&bio=fine")
    scope["state"] = {"existing": 1}
    app = App(receive)
    with caplog.at_level(logging.WARNING, logger="htmlguard.middleware"):
        await run(guarded(app, mode="report", fields={"*": "ugc"}), scope, receive)
    assert app.body == DIRTY_FORM + b"&bio=fine"
    state = app.scope["state"]
    assert state["existing"] == 1
    reports = state["htmlguard_reports"]
    assert list(reports) == ["description"]
    assert isinstance(reports["description"], hg.Report)
    assert reports["description"].changed
    [record] = [r for r in caplog.records if r.name == "htmlguard.middleware"]
    assert record.levelno == logging.WARNING
    assert "'description'" in record.getMessage()


async def test_report_mode_creates_state_when_missing() -> None:
    scope, receive = request(b"description=fine")
    app = App(receive)
    await run(guarded(app, mode="report"), scope, receive)
    assert app.scope["state"]["htmlguard_reports"] == {}


# ---------------------------------------------------------------- off the event loop


@pytest.mark.parametrize(("size", "offloaded"), [(1000, False), (OFFLOAD_BYTES + 1000, True)])
async def test_large_bodies_are_processed_in_a_worker_thread(
    size: int, offloaded: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = asyncio.get_running_loop()
    executor_calls: list[Any] = []
    original = loop.run_in_executor

    def run_in_executor(executor: Any, func: Any, *args: Any) -> Any:
        executor_calls.append(func)
        return original(executor, func, *args)

    monkeypatch.setattr(loop, "run_in_executor", run_in_executor)
    body = b"description=" + b"%3Cb%3Ex%3C%2Fb%3E" * (size // 18)
    scope, receive = request(body, chunks=5)
    app = App(receive)
    mw = guarded(app, fields={"description": "strict"})
    threads: list[threading.Thread] = []
    decide = mw.core.decide

    def recording_decide(*args: Any) -> Any:
        threads.append(threading.current_thread())
        return decide(*args)

    monkeypatch.setattr(mw.core, "decide", recording_decide)
    await run(mw, scope, receive)
    assert app.body == b"description=" + b"x" * (size // 18)
    assert len(threads) == 1
    assert (threads[0] is not threading.current_thread()) is offloaded
    assert (recording_decide in executor_calls) is offloaded


# ---------------------------------------------------------------- options


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"fields": {"description": "no-such-policy"}}, hg.UnknownPolicyError),
        ({"default_policy": "nope"}, hg.UnknownPolicyError),
        ({"mode": "drop"}, ValueError),
        ({"max_body_bytes": -5}, ValueError),
        ({"fields": "description"}, TypeError),
        ({"paths": [b"/api/*"]}, TypeError),
        ({"methods": [None]}, TypeError),
    ],
)
def test_bad_options_raise_at_construction(options: dict[str, Any], error: type[Exception]) -> None:
    options.setdefault("fields", {"description": "ugc"})
    with pytest.raises(error):
        HTMLGuardMiddleware(App(), **options)
