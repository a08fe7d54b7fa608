"""The WSGI HTMLGuardMiddleware, driven with hand-built environ dicts (no server)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

import pytest

import htmlguard as hg
from htmlguard.wsgi import HTMLGuardMiddleware

FORM_CT = "application/x-www-form-urlencoded"
JSON_CT = "application/json"
BOUNDARY = "hgWsgiBoundary"
MULTIPART_CT = f"multipart/form-data; boundary={BOUNDARY}"
DIRTY_FORM = b"description=%3Cp+onclick%3D%22x()%22%3Ehi%3C%2Fp%3E%3Cscript%3Ey%3C%2Fscript%3E"
CLEAN_FORM = b"description=%3Cp%3Ehi%3C%2Fp%3E"


class Input:
    """A wsgi.input that records what was read; `fail_after` makes it raise like a server
    does when the client goes away."""

    def __init__(self, data: bytes, fail_after: int | None = None) -> None:
        self.data = data
        self.pos = 0
        self.reads = 0
        self.fail_after = fail_after

    @property
    def consumed(self) -> int:
        return self.pos

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


class App:
    """A WSGI app that records what it was given and reads the body as PEP 3333 says."""

    def __init__(self) -> None:
        self.calls = 0
        self.environ: dict[str, Any] = {}
        self.body: bytes | None = None
        self.input_reads_at_call = -1

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.calls += 1
        self.environ = environ
        stream = environ.get("wsgi.input")
        self.input_reads_at_call = stream.reads if isinstance(stream, Input) else -1
        length = environ.get("CONTENT_LENGTH")
        if length:
            self.body = stream.read(int(length)) if stream is not None else None
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"app"]


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
    stream = stream if stream is not None else Input(body)
    env: dict[str, Any] = {
        "test.input": stream,  # the original, whatever the middleware does to wsgi.input
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path,
        "SERVER_NAME": "test",
        "SERVER_PORT": "80",
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


def call(mw: HTMLGuardMiddleware, env: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
    got: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        got["status"] = status
        got["headers"] = dict(headers)

    body = b"".join(mw(env, start_response))
    return got["status"], got["headers"], body


def guarded(app: App, **options: Any) -> HTMLGuardMiddleware:
    options.setdefault("fields", {"description": "ugc"})
    return HTMLGuardMiddleware(app, **options)


def multipart(*parts: tuple[str, bytes, str]) -> bytes:
    out = b""
    for name, data, extra in parts:
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"{extra}\r\n\r\n'
        out += head.encode() + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


# ---------------------------------------------------------------- clean mode


def test_clean_urlencoded_rewrites_body_and_content_length() -> None:
    app = App()
    body = b"title=%3Cb%3Ex%3C%2Fb%3E&" + DIRTY_FORM
    status, _, out = call(guarded(app), environ(body))
    assert (status, out) == ("200 OK", b"app")
    assert app.body == b"title=%3Cb%3Ex%3C%2Fb%3E&" + CLEAN_FORM
    assert app.environ["CONTENT_LENGTH"] == str(len(app.body))


def test_clean_multipart_keeps_file_parts_byte_for_byte() -> None:
    app = App()
    file_data = b"<script>alert(1)</script>\x00\xff binary"
    body = multipart(
        ("description", b"<b onclick='x'>hi</b>", ""),
        ("upload", file_data, '; filename="a.html"\r\nContent-Type: text/html'),
    )
    call(guarded(app, fields={"*": "ugc"}), environ(body, MULTIPART_CT))
    assert app.body == multipart(
        ("description", b"<b>hi</b>", ""),
        ("upload", file_data, '; filename="a.html"\r\nContent-Type: text/html'),
    )
    assert app.environ["CONTENT_LENGTH"] == str(len(app.body))


def test_clean_json_and_non_ascii_content_length_counts_bytes() -> None:
    app = App()
    body = '{"description": "€ <script>x</script>", "n": 1.10}'.encode()
    call(guarded(app), environ(body, JSON_CT))
    assert app.body == '{"description":"€ ","n":1.10}'.encode()
    assert app.environ["CONTENT_LENGTH"] == str(len(app.body)) != str(len(app.body.decode()))


def test_unchanged_body_reaches_the_app_intact() -> None:
    app = App()
    body = b"description=%3Cb%3Efine%3C%2Fb%3E&x=%3Cscript%3E"
    call(guarded(app), environ(body))
    assert app.body == body
    assert app.environ["CONTENT_LENGTH"] == str(len(body))


def test_the_apps_response_iterable_is_returned_as_is() -> None:
    sentinel = iter([b"streamed", b" response"])

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("201 Created", [])
        return sentinel

    mw = HTMLGuardMiddleware(app, fields={"description": "ugc"})
    assert mw(environ(DIRTY_FORM), lambda *a: None) is sentinel


# ---------------------------------------------------------------- what is not read


def assert_passed_unread(app: App, env: dict[str, Any]) -> None:
    """The app got this very environ and stream, and nothing had read from it."""
    assert app.environ is env
    assert app.environ["wsgi.input"] is env["test.input"]
    assert app.input_reads_at_call == 0


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "text/html", "application/xml", "application/octet-stream", None, ""],
)
def test_other_content_types_pass_unread(content_type: str | None) -> None:
    app = App()
    env = environ(DIRTY_FORM, content_type)
    call(guarded(app), env)
    assert_passed_unread(app, env)
    assert app.body == DIRTY_FORM


@pytest.mark.parametrize("method", ["GET", "DELETE", "OPTIONS", "HEAD"])
def test_unselected_methods_pass_unread(method: str) -> None:
    app = App()
    env = environ(DIRTY_FORM, method=method)
    call(guarded(app), env)
    assert_passed_unread(app, env)


def test_methods_option_and_its_case() -> None:
    app = App()
    mw = guarded(app, methods=["put", "Delete"])
    env = environ(DIRTY_FORM, method="POST")
    call(mw, env)
    assert_passed_unread(app, env)
    for method in ("PUT", "DELETE", "delete"):
        call(mw, environ(DIRTY_FORM, method=method))
        assert app.body == CLEAN_FORM, method
    single = App()
    call(guarded(single, methods="PATCH"), environ(DIRTY_FORM, method="PATCH"))
    assert single.body == CLEAN_FORM


def test_paths_globs_select_requests() -> None:
    app = App()
    mw = guarded(app, paths=["/api/*", "/forms/submit"])
    for path in ("/other", "/API/x", "/forms/submit/more", "/apix"):
        env = environ(DIRTY_FORM, path=path)
        call(mw, env)
        assert_passed_unread(app, env)
        assert app.body == DIRTY_FORM
    for path in ("/api/x", "/api/a/b", "/forms/submit"):
        call(mw, environ(DIRTY_FORM, path=path))
        assert app.body == CLEAN_FORM, path


def test_paths_match_the_forms_a_router_may_read() -> None:
    # Werkzeug routes "//api/x" to "/api/x"; the glob must not be dodged that way.
    app = App()
    mw = guarded(app, paths=["/api/*"])
    for path in ("//api/x", "/api//x", "/./api/x", "/other/../api/x"):
        call(mw, environ(DIRTY_FORM, path=path))
        assert app.body == CLEAN_FORM, path


def test_paths_include_script_name() -> None:
    app = App()
    mw = guarded(app, paths="/api/*")
    call(mw, environ(DIRTY_FORM, script_name="/api", path="/comments"))
    assert app.body == CLEAN_FORM


def test_nothing_selected_passes_everything_unread() -> None:
    app = App()
    env = environ(DIRTY_FORM)
    call(HTMLGuardMiddleware(app), env)
    assert_passed_unread(app, env)


@pytest.mark.parametrize("mode", ["clean", "report", "reject"])
def test_empty_body_passes_unread(mode: str) -> None:
    app = App()
    env = environ(b"", JSON_CT, length=0)
    status, _, _ = call(guarded(app, mode=mode), env)
    assert status == "200 OK"
    assert_passed_unread(app, env)


def test_no_length_and_no_terminated_input_means_no_body() -> None:
    # PEP 3333: without CONTENT_LENGTH (and no wsgi.input_terminated) nothing may be read.
    app = App()
    env = environ(DIRTY_FORM, length=None)
    call(guarded(app), env)
    assert_passed_unread(app, env)
    assert "CONTENT_LENGTH" not in app.environ


# ---------------------------------------------------------------- chunked bodies


def test_chunked_body_is_read_to_its_end_and_given_a_length() -> None:
    app = App()
    env = environ(DIRTY_FORM, length=None, terminated=True, HTTP_TRANSFER_ENCODING="chunked")
    call(guarded(app), env)
    assert app.body == CLEAN_FORM
    assert app.environ["CONTENT_LENGTH"] == str(len(CLEAN_FORM))
    assert "HTTP_TRANSFER_ENCODING" not in app.environ


def test_unchanged_chunked_body_is_given_a_length_too() -> None:
    app = App()
    body = b"description=fine"
    env = environ(body, length=None, terminated=True)
    call(guarded(app), env)
    assert app.body == body
    assert app.environ["CONTENT_LENGTH"] == str(len(body))


def test_large_chunked_body_in_many_reads() -> None:
    app = App()
    body = b"description=" + b"%3Cb%3Ex%3C%2Fb%3E" * 20_000 + b"&z=1"
    stream = Input(body)
    env = environ(body, length=None, stream=stream, terminated=True)
    call(guarded(app, fields={"description": "strict"}), env)
    assert app.body == b"description=" + b"x" * 20_000 + b"&z=1"
    assert stream.consumed == len(body) and stream.reads > 2


# ---------------------------------------------------------------- size limit


@pytest.mark.parametrize("mode", ["clean", "report", "reject"])
def test_declared_length_over_limit_is_413_without_reading(mode: str) -> None:
    app = App()
    env = environ(DIRTY_FORM)
    status, headers, out = call(guarded(app, mode=mode, max_body_bytes=20), env)
    assert status.startswith("413")
    assert headers["Content-Type"] == "application/json"
    assert headers["Content-Length"] == str(len(out))
    assert json.loads(out)["max_body_bytes"] == 20
    assert app.calls == 0
    assert env["test.input"].reads == 0


def test_chunked_body_over_limit_is_413_without_reading_the_rest() -> None:
    app = App()
    limit = 1000
    body = b"description=" + b"x" * 100_000
    env = environ(body, length=None, terminated=True)
    status, _, _ = call(guarded(app, max_body_bytes=limit), env)
    assert status.startswith("413")
    assert app.calls == 0
    assert env["test.input"].consumed == limit + 1  # one byte past the limit proves it


def test_body_exactly_at_limit_is_processed() -> None:
    app = App()
    status, _, _ = call(guarded(app, max_body_bytes=len(DIRTY_FORM)), environ(DIRTY_FORM))
    assert status == "200 OK" and app.body == CLEAN_FORM


# ---------------------------------------------------------------- client going away


def test_short_read_does_not_call_the_app() -> None:
    app = App()
    env = environ(DIRTY_FORM[:10], length=len(DIRTY_FORM))  # the client sent less
    status, _, _ = call(guarded(app), env)
    assert status.startswith("400")
    assert app.calls == 0


@pytest.mark.parametrize("length", [-1, None])
def test_read_error_does_not_call_the_app(length: int | None) -> None:
    app = App()
    stream = Input(DIRTY_FORM, fail_after=10)
    env = environ(DIRTY_FORM, stream=stream, length=length, terminated=True)
    status, _, _ = call(guarded(app), env)
    assert status.startswith("400")
    assert app.calls == 0


# ---------------------------------------------------------------- faults


FAULTY = [
    (FORM_CT + "; charset=x-unknown", DIRTY_FORM),
    (JSON_CT, b'{"description": "<script>x</script>"'),
    (JSON_CT, b"[" * 5000 + b"]" * 5000),
    (MULTIPART_CT, multipart(("description", b"<script>x</script>", ""))[:-8]),
]


@pytest.mark.parametrize(("content_type", "body"), FAULTY)
@pytest.mark.parametrize("mode", ["clean", "report"])
def test_unreadable_bodies_pass_untouched_with_a_warning(
    content_type: str, body: bytes, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    if mode == "clean" and content_type != JSON_CT:
        # Naming a selected field, it would be refused (next test): name another one.
        body = body.replace(b"description", b"other")
    app = App()
    with caplog.at_level(logging.WARNING, logger="htmlguard.middleware"):
        status, _, _ = call(guarded(app, mode=mode), environ(body, content_type))
    assert status == "200 OK"
    assert app.body == body
    assert app.environ["CONTENT_LENGTH"] == str(len(body))
    [record] = [r for r in caplog.records if r.name == "htmlguard.middleware"]
    assert record.levelno == logging.WARNING
    assert "passed through unchanged" in record.getMessage()


@pytest.mark.parametrize(("content_type", "body"), [f for f in FAULTY if f[0] != JSON_CT])
def test_unreadable_bodies_naming_a_selected_field_are_refused_in_clean_mode(
    content_type: str, body: bytes
) -> None:
    # A lenient framework parser (Werkzeug) may still read the field, uncleaned.
    app = App()
    status, _, out = call(guarded(app), environ(body, content_type))
    assert status.startswith("400")
    assert json.loads(out)["error"] == "unreadable request body"
    assert app.calls == 0


@pytest.mark.parametrize(("content_type", "body"), FAULTY)
@pytest.mark.parametrize("mode", ["clean", "report"])
def test_on_fault_reject_answers_400_in_every_mode(
    content_type: str, body: bytes, mode: str
) -> None:
    app = App()
    mw = guarded(app, mode=mode, on_fault="reject")
    status, _, out = call(mw, environ(body, content_type))
    assert status.startswith("400")
    assert json.loads(out)["error"] == "unreadable request body"
    assert app.calls == 0


@pytest.mark.parametrize("mode", ["clean", "reject"])
def test_a_field_over_its_policy_limit_is_413_never_passed_dirty(mode: str) -> None:
    app = App()
    small = hg.Policy.preset("ugc").derive(max_input_bytes=10)
    status, _, out = call(guarded(app, mode=mode, fields={"description": small}),
                          environ(DIRTY_FORM))
    assert status.startswith("413")
    assert "description" in json.loads(out)["detail"]
    assert app.calls == 0


def test_a_field_over_its_policy_limit_passes_in_report_mode(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = App()
    small = hg.Policy.preset("ugc").derive(max_input_bytes=10)
    with caplog.at_level(logging.WARNING, logger="htmlguard.middleware"):
        status, _, _ = call(guarded(app, mode="report", fields={"description": small}),
                            environ(DIRTY_FORM))
    assert status.startswith("200") and app.body == DIRTY_FORM
    assert any("max_input_bytes" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(("content_type", "body"), FAULTY)
def test_unreadable_bodies_are_rejected_in_reject_mode(content_type: str, body: bytes) -> None:
    app = App()
    status, headers, out = call(guarded(app, mode="reject"), environ(body, content_type))
    assert status.startswith("400")
    assert headers["Content-Type"] == "application/json"
    assert json.loads(out)["error"] == "unreadable request body"
    assert app.calls == 0


def test_invalid_bytes_in_a_valid_charset_are_kept_while_cleaning() -> None:
    app = App()
    body = b"description=%FF%3Cscript%3Ex%3C%2Fscript%3E%FEok"
    call(guarded(app), environ(body))
    assert app.body == b"description=%FF%FEok"


# ---------------------------------------------------------------- reject mode


def test_reject_mode_lists_removals_field_by_field() -> None:
    app = App()
    body = (
        b'{"comments": [{"body": "fine"}, {"body": "<a href=\\"javascript:x()\\" '
        b'onclick=\\"y()\\">l</a>"}], "description": "<script>s</script>", "other": "<script>"}'
    )
    mw = guarded(app, mode="reject", fields={"comments.*.body": "ugc", "description": "ugc"})
    status, headers, out = call(mw, environ(body, JSON_CT))
    assert status.startswith("400")
    assert headers["Content-Type"] == "application/json"
    assert headers["Content-Length"] == str(len(out))
    assert json.loads(out) == {
        "error": "disallowed HTML",
        "fields": {
            "comments.1.body": [
                {"kind": "url", "tag": "a", "name": "href", "value": "javascript:x()"},
                {"kind": "attribute", "tag": "a", "name": "onclick", "value": "y()"},
            ],
            "description": [{"kind": "tag", "tag": "script", "name": "script", "value": ""}],
        },
    }
    assert app.calls == 0


def test_reject_mode_passes_clean_requests_untouched() -> None:
    app = App()
    body = b"description=%3Cb%3Efine%3C%2Fb%3E&other=%3Cscript%3E"
    status, _, _ = call(guarded(app, mode="reject"), environ(body))
    assert status == "200 OK"
    assert app.body == body


def test_reject_mode_form_field_names() -> None:
    app = App()
    body = "názov=%3Cb%3Ex%3C%2Fb%3E".encode()
    _, _, out = call(guarded(app, mode="reject", fields={"názov": "strict"}), environ(body))
    assert list(json.loads(out)["fields"]) == ["názov"]


# ---------------------------------------------------------------- report mode


def test_report_mode_logs_and_exposes_reports(caplog: pytest.LogCaptureFixture) -> None:
    app = App()
    body = DIRTY_FORM + b"&bio=%3Cb%3Eok%3C%2Fb%3E"
    with caplog.at_level(logging.WARNING, logger="htmlguard.middleware"):
        status, _, _ = call(guarded(app, mode="report", fields={"*": "ugc"}), environ(body))
    assert status == "200 OK"
    assert app.body == body  # nothing changed
    reports = app.environ["htmlguard.reports"]
    assert list(reports) == ["description"]
    assert isinstance(reports["description"], hg.Report)
    assert sorted(r.kind for r in reports["description"].removed) == ["attribute", "tag"]
    [record] = [r for r in caplog.records if r.name == "htmlguard.middleware"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "POST /submit" in message and "'description'" in message and "script" in message


def test_report_mode_with_clean_values(caplog: pytest.LogCaptureFixture) -> None:
    app = App()
    with caplog.at_level(logging.DEBUG, logger="htmlguard.middleware"):
        call(guarded(app, mode="report"), environ(b"description=fine"))
    assert app.environ["htmlguard.reports"] == {}
    assert not [r for r in caplog.records if r.name == "htmlguard.middleware"]


# ---------------------------------------------------------------- options


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"fields": {"description": "no-such-policy"}}, hg.UnknownPolicyError),
        ({"default_policy": "no-such-policy"}, hg.UnknownPolicyError),
        ({"mode": "fix"}, ValueError),
        ({"mode": "CLEAN"}, ValueError),
        ({"max_body_bytes": -1}, ValueError),
        ({"max_body_bytes": "10"}, ValueError),
        ({"max_body_bytes": 1.5}, ValueError),
        ({"fields": ["description"]}, TypeError),
        ({"fields": {"": "ugc"}}, ValueError),
        ({"fields": {"a": 42}}, TypeError),
        ({"paths": [1]}, TypeError),
        ({"paths": 5}, TypeError),
        ({"methods": [1]}, TypeError),
        ({"methods": None}, TypeError),
    ],
)
def test_bad_options_raise_at_construction(options: dict[str, Any], error: type[Exception]) -> None:
    options.setdefault("fields", {"description": "ugc"})
    with pytest.raises(error):
        HTMLGuardMiddleware(App(), **options)


def test_policy_objects_are_accepted() -> None:
    app = App()
    policy = hg.Policy(tags={"i"})
    body = b"description=%3Cb%3E%3Ci%3Ex%3C%2Fi%3E%3C%2Fb%3E"
    call(HTMLGuardMiddleware(app, fields={"description": policy}), environ(body))
    assert app.body == b"description=%3Ci%3Ex%3C%2Fi%3E"
