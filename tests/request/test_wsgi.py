"""What only the WSGI HTMLGuardMiddleware does (PEP 3333 streams, SCRIPT_NAME, the response
iterable); what both adapters do is in test_middleware_contract.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from middleware_drivers import (  # tests/ is on sys.path, see conftest.py
    CLEAN_FORM,
    DIRTY_FORM,
    Input,
    WSGIApp,
    call,
    environ,
)

from htmlguard.wsgi import HTMLGuardMiddleware


def guarded(app: WSGIApp, **options: Any) -> HTMLGuardMiddleware:
    options.setdefault("fields", {"description": "ugc"})
    return HTMLGuardMiddleware(app, **options)


def test_the_apps_response_iterable_is_returned_as_is() -> None:
    sentinel = iter([b"streamed", b" response"])

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("201 Created", [])
        return sentinel

    mw = HTMLGuardMiddleware(app, fields={"description": "ugc"})
    assert mw(environ(DIRTY_FORM), lambda *a: None) is sentinel


def test_paths_include_script_name() -> None:
    app = WSGIApp()
    mw = guarded(app, paths="/api/*")
    call(mw, environ(DIRTY_FORM, script_name="/api", path="/comments"))
    assert app.body == CLEAN_FORM


def test_no_length_and_no_terminated_input_means_no_body() -> None:
    # PEP 3333: without CONTENT_LENGTH (and no wsgi.input_terminated) nothing may be read.
    app = WSGIApp()
    env = environ(DIRTY_FORM, length=None)
    call(guarded(app), env)
    assert app.environ is env
    assert app.environ["wsgi.input"] is env["test.input"]
    assert app.server_reads_at_call == 0
    assert "CONTENT_LENGTH" not in app.environ


def test_large_chunked_body_in_many_reads() -> None:
    app = WSGIApp()
    body = b"description=" + b"%3Cb%3Ex%3C%2Fb%3E" * 20_000 + b"&z=1"
    stream = Input(body)
    env = environ(body, length=None, stream=stream, terminated=True)
    call(guarded(app, fields={"description": "strict"}), env)
    assert app.body == b"description=" + b"x" * 20_000 + b"&z=1"
    assert stream.pos == len(body) and stream.reads > 2


# ---------------------------------------------------------------- client going away


def test_short_read_does_not_call_the_app() -> None:
    app = WSGIApp()
    env = environ(DIRTY_FORM[:10], length=len(DIRTY_FORM))  # the client sent less
    status, _, _ = call(guarded(app), env)
    assert status.startswith("400")
    assert app.calls == 0


@pytest.mark.parametrize("length", [-1, None])
def test_read_error_does_not_call_the_app(length: int | None) -> None:
    app = WSGIApp()
    stream = Input(DIRTY_FORM, fail_after=10)
    env = environ(DIRTY_FORM, stream=stream, length=length, terminated=True)
    status, headers, out = call(guarded(app), env)
    assert (status, out) == ("400 Bad Request", b'{"error": "incomplete body"}')
    assert headers["Content-Type"] == "application/json"
    assert app.calls == 0
