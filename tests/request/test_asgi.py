"""What only the ASGI HTMLGuardMiddleware does (messages, disconnects, other scope types,
the worker thread); what both adapters do is in test_middleware_contract.py."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from middleware_drivers import (  # tests/ is on sys.path, see conftest.py
    CLEAN_FORM,
    DIRTY_FORM,
    FORM_CT,
    TIMEOUT,
    ASGIApp,
    Message,
    Receive,
    Send,
    header_values,
    http_scope,
    request,
    run,
)

from htmlguard.asgi import OFFLOAD_BYTES, HTMLGuardMiddleware


def guarded(app: ASGIApp, **options: Any) -> HTMLGuardMiddleware:
    options.setdefault("fields", {"description": "ugc"})
    return HTMLGuardMiddleware(app, **options)


# ---------------------------------------------------------------- what the app receives


@pytest.mark.parametrize("length", [True, False])
async def test_the_body_is_replayed_as_one_message(length: bool) -> None:
    scope, receive = request(DIRTY_FORM, chunks=4, length=length)
    app = ASGIApp(receive)
    await run(guarded(app), scope, receive)
    assert app.messages == [{"type": "http.request", "body": CLEAN_FORM, "more_body": False}]
    assert header_values(app.scope, b"content-length") == [str(len(CLEAN_FORM)).encode()]
    assert header_values(app.scope, b"transfer-encoding") == []


async def test_mixed_case_length_header_is_replaced_not_duplicated() -> None:
    scope = http_scope(
        [(b"Content-Type", FORM_CT.encode()), (b"Content-Length", str(len(DIRTY_FORM)).encode())]
    )
    receive = Receive([{"type": "http.request", "body": DIRTY_FORM}])
    app = ASGIApp(receive)
    await run(guarded(app), scope, receive)
    assert app.body == CLEAN_FORM
    assert header_values(app.scope, b"content-length") == [str(len(CLEAN_FORM)).encode()]


@pytest.mark.parametrize("mode", ["clean", "reject"])
async def test_an_unchanged_body_keeps_the_header_list(mode: str) -> None:
    body = b"description=%3Cb%3Efine%3C%2Fb%3E"
    scope, receive = request(body)
    original = list(scope["headers"])
    app = ASGIApp(receive)
    await run(guarded(app, mode=mode), scope, receive)
    assert app.body == body
    assert app.scope["headers"] == original


async def test_messages_without_body_key_are_accepted() -> None:
    scope = http_scope([(b"content-type", FORM_CT.encode())])
    receive = Receive(
        [
            {"type": "http.request", "more_body": True},
            {"type": "http.request", "body": DIRTY_FORM, "more_body": True},
            {"type": "http.request"},
        ]
    )
    app = ASGIApp(receive)
    await run(guarded(app), scope, receive)
    assert app.body == CLEAN_FORM


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


async def test_report_mode_keeps_the_existing_state() -> None:
    scope, receive = request(DIRTY_FORM + b"&bio=fine")
    scope["state"] = {"existing": 1}
    app = ASGIApp(receive)
    await run(guarded(app, mode="report", fields={"*": "ugc"}), scope, receive)
    state = app.scope["state"]
    assert state["existing"] == 1
    assert list(state["htmlguard_reports"]) == ["description"]


# ---------------------------------------------------------------- what passes untouched


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


@pytest.mark.parametrize("scope_type", ["websocket", "lifespan"])
async def test_websocket_and_lifespan_pass_untouched(scope_type: str) -> None:
    scope: dict[str, Any] = {"type": scope_type, "asgi": {"version": "3.0"}}
    if scope_type == "websocket":
        scope.update(path="/submit", headers=[(b"content-type", FORM_CT.encode())], subprotocols=[])
    receive = Receive([{"type": f"{scope_type}.connect"}])
    app = ASGIApp(receive)
    send = Send()
    await run(guarded(app, default_policy="strict"), scope, receive, send)
    assert app.calls == 1
    assert app.scope is scope and app.receive is receive and app.send is send
    assert app.server_calls_at_start == 0
    assert scope.get("state") is None  # nothing added


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
    app = ASGIApp(receive)
    send = await run(guarded(app), scope, receive)  # returns: wait_for would raise on a hang
    assert app.calls == 0
    assert send.messages == []
    assert receive.calls == sent_first + 1


async def test_a_stalled_client_is_cancellable() -> None:
    # The body never ends: the middleware waits in receive() and can be cancelled there
    # (servers cancel the task when the connection drops), leaving nothing behind.
    scope, receive = request(DIRTY_FORM, length=False, chunks=1)
    receive.messages[0]["more_body"] = True
    app = ASGIApp(receive)
    task = asyncio.ensure_future(guarded(app)(scope, receive, Send()))
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(asyncio.shield(task), 0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, TIMEOUT)
    assert app.calls == 0


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
    app = ASGIApp(receive)
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
