"""What the WSGI and ASGI middleware both do, written once and run against each adapter.

Each test gets a ``driver`` (tests/middleware_drivers.py) that sends a request through the
adapter with a fake server and a recording app, and returns a ``Result``: what the client
got and what the app saw. Adapter-only behaviours are in test_wsgi.py and test_asgi.py.

The Django middleware runs the same suite behind Django's WSGI and ASGI handlers
(``django-wsgi``, ``django-asgi``): a case using an option it has no setting for skips, and
the few that cannot hold because of how Django itself reads bodies are listed in
``DJANGO_LIMITS``, each with its reason, as strict xfails.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from middleware_drivers import (  # tests/ is on sys.path, see conftest.py
    APP_BODY,
    APP_HEADERS,
    APP_STATUS,
    CLEAN_FORM,
    DIRTY_FORM,
    FORM_CT,
    JSON_CT,
    MULTIPART_CT,
    ASGIDriver,
    DjangoASGIDriver,
    DjangoWSGIDriver,
    Driver,
    Result,
    WSGIDriver,
    multipart,
    sent_headers,
)

import htmlguard as hg

_NO_LENGTH = (
    "Django's WSGIRequest reads no body without a Content-Length (it ignores "
    "wsgi.input_terminated): the view gets an empty body, so the middleware passes the "
    "request on unread"
)

#: (test, driver) -> (why the case cannot hold there, the parameters it applies to).
DJANGO_LIMITS: dict[tuple[str, str], tuple[str, dict[str, object]]] = {
    ("test_chunked_body_is_read_to_its_end_and_given_a_length", "django-wsgi"): (_NO_LENGTH, {}),
    ("test_unchanged_chunked_body_is_given_a_length_too", "django-wsgi"): (_NO_LENGTH, {}),
    ("test_chunked_body_over_limit_is_413_without_reading_the_rest", "django-wsgi"): (
        _NO_LENGTH,
        {},
    ),
    ("test_body_exactly_at_limit_is_processed", "django-wsgi"): (_NO_LENGTH, {"chunked": True}),
}


@pytest.fixture(
    params=[WSGIDriver(), ASGIDriver(), DjangoWSGIDriver(), DjangoASGIDriver()],
    ids=lambda d: d.name,
)
def driver(request: pytest.FixtureRequest) -> Driver:
    d: Driver = request.param
    limit = DJANGO_LIMITS.get((request.node.originalname, d.name))
    if limit is not None:
        reason, params = limit
        if all(request.node.callspec.params.get(k) == v for k, v in params.items()):
            request.applymarker(
                pytest.mark.xfail(reason=reason, strict=True, raises=AssertionError)
            )
    return d


def app_answered(r: Result) -> bool:
    return (r.status, r.headers, r.body) == (APP_STATUS, APP_HEADERS, APP_BODY)


# ---------------------------------------------------------------- clean mode


def test_clean_form_rewrites_body_and_content_length(driver: Driver) -> None:
    r = driver.guarded().send(b"title=%3Cb%3Ex%3C%2Fb%3E&" + DIRTY_FORM)
    assert app_answered(r)
    assert r.app_body == b"title=%3Cb%3Ex%3C%2Fb%3E&" + CLEAN_FORM
    assert r.app_headers == sent_headers(r.app_body, FORM_CT)


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [(b"<b onclick='x'>hi</b>", b"<b>hi</b>"), (b"<i onclick=x>hi</i>", b"<i>hi</i>")],
)
def test_clean_multipart_keeps_file_parts_byte_for_byte(
    driver: Driver, dirty: bytes, clean: bytes
) -> None:
    file_part = (
        "upload",
        b"<script>alert(1)</script>\x00\xff binary",
        '; filename="a.html"\r\nContent-Type: text/html',
    )
    body = multipart(("description", dirty, ""), file_part)
    r = driver.guarded(fields={"*": "ugc"}).send(body, MULTIPART_CT, pieces=3)
    assert r.app_body == multipart(("description", clean, ""), file_part)
    assert r.app_headers["content-length"] == str(len(r.app_body))


@pytest.mark.parametrize(
    ("content_type", "fields", "body", "want"),
    [
        (
            JSON_CT,
            {"description": "ugc"},
            '{"description": "€ <script>x</script>", "n": 1.10}'.encode(),
            '{"description":"€ ","n":1.10}'.encode(),  # bytes, not characters, are counted
        ),
        (
            "application/vnd.api+json",
            {"comments.*.body": "basic"},
            b'{"comments": [{"body": "<script>x</script>ok", "n": 1e5}], "id": -0}',
            b'{"comments":[{"body":"ok","n":1e5}],"id":-0}',
        ),
    ],
)
def test_clean_json_and_its_content_length_in_bytes(
    driver: Driver, content_type: str, fields: dict[str, str], body: bytes, want: bytes
) -> None:
    r = driver.guarded(fields=fields).send(body, content_type)
    assert r.app_body == want
    assert r.app_headers["content-length"] == str(len(want))


def test_unchanged_body_reaches_the_app_as_sent(driver: Driver) -> None:
    body = b"description=%3Cb%3Efine%3C%2Fb%3E&x=%3Cscript%3E"
    r = driver.guarded().send(body)
    assert app_answered(r)
    assert r.app_body == body
    assert r.app_headers == sent_headers(body)


# ---------------------------------------------------------------- what is not read


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/html",
        "text/html; charset=utf-8",
        "application/xml",
        "application/octet-stream",
        None,
        "",
    ],
)
def test_other_content_types_pass_unread(driver: Driver, content_type: str | None) -> None:
    r = driver.guarded().send(DIRTY_FORM, content_type)
    assert r.unread and app_answered(r)
    assert r.app_body == DIRTY_FORM


@pytest.mark.parametrize("method", ["GET", "DELETE", "OPTIONS", "HEAD"])
def test_unselected_methods_pass_unread(driver: Driver, method: str) -> None:
    assert driver.guarded().send(DIRTY_FORM, method=method).unread


def test_methods_option_and_its_case(driver: Driver) -> None:
    guarded = driver.guarded(methods=["put", "Delete"])
    assert guarded.send(DIRTY_FORM, method="POST").unread
    for method in ("PUT", "DELETE", "delete"):
        assert guarded.send(DIRTY_FORM, method=method).app_body == CLEAN_FORM, method
    single = driver.guarded(methods="PATCH")
    assert single.send(DIRTY_FORM, method="PATCH").app_body == CLEAN_FORM


def test_paths_globs_select_requests(driver: Driver) -> None:
    guarded = driver.guarded(paths=["/api/*", "/forms/submit"])
    for path in ("/other", "/web", "/API/x", "/API/comments", "/forms/submit/more", "/apix"):
        r = guarded.send(DIRTY_FORM, path=path)
        assert r.unread and r.app_body == DIRTY_FORM, path
    for path in ("/api/x", "/api/comments", "/api/a/b", "/forms/submit"):
        assert guarded.send(DIRTY_FORM, path=path).app_body == CLEAN_FORM, path


def test_paths_match_the_forms_a_router_may_read(driver: Driver) -> None:
    # Werkzeug routes "//api/x" to "/api/x"; the glob must not be dodged that way.
    guarded = driver.guarded(paths=["/api/*"])
    for path in ("//api/x", "/api//x", "/./api/x", "/other/../api/x"):
        assert guarded.send(DIRTY_FORM, path=path).app_body == CLEAN_FORM, path


def test_nothing_selected_passes_everything_unread(driver: Driver) -> None:
    assert driver.guarded(fields=None).send(DIRTY_FORM).unread


@pytest.mark.parametrize("mode", ["clean", "report", "reject"])
def test_empty_body_passes_unread(driver: Driver, mode: str) -> None:
    r = driver.guarded(mode=mode).send(b"", JSON_CT)
    assert r.unread and app_answered(r)


# ---------------------------------------------------------------- chunked bodies


def test_chunked_body_is_read_to_its_end_and_given_a_length(driver: Driver) -> None:
    r = driver.guarded().send(DIRTY_FORM, chunked=True, pieces=4)
    assert r.app_body == CLEAN_FORM
    assert r.app_headers == sent_headers(CLEAN_FORM)  # Transfer-Encoding gone, others kept


def test_unchanged_chunked_body_is_given_a_length_too(driver: Driver) -> None:
    body = b"description=fine&x=%3Cscript%3E"
    r = driver.guarded().send(body, chunked=True, pieces=3)
    assert r.app_body == body
    assert r.app_headers == sent_headers(body)


# ---------------------------------------------------------------- size limit


@pytest.mark.parametrize("mode", ["clean", "report", "reject"])
def test_declared_length_over_limit_is_413_without_reading(driver: Driver, mode: str) -> None:
    r = driver.guarded(mode=mode, max_body_bytes=10).send(DIRTY_FORM)
    assert r.status == 413
    assert r.headers == {"content-type": "application/json", "content-length": str(len(r.body))}
    assert json.loads(r.body) == {"error": "request body too large", "max_body_bytes": 10}
    assert (r.app_calls, r.reads) == (0, 0)


def test_chunked_body_over_limit_is_413_without_reading_the_rest(driver: Driver) -> None:
    body = b"description=" + b"x" * (10_000 - 12)
    r = driver.guarded(max_body_bytes=1000).send(body, chunked=True, pieces=100)
    assert r.status == 413 and r.app_calls == 0
    # WSGI asks for one byte past the limit, which proves it; ASGI stops at the message
    # (100 bytes each) that passes it. Django's ASGI handler has spooled the whole body
    # before any middleware runs: the middleware asks its body file for one byte past.
    want = {"wsgi": (1, 1001), "asgi": (11, 1100), "django-asgi": (1, 1001)}
    assert (r.reads, r.consumed) == want[driver.name]


@pytest.mark.parametrize("chunked", [False, True])
def test_body_exactly_at_limit_is_processed(driver: Driver, chunked: bool) -> None:
    r = driver.guarded(max_body_bytes=len(DIRTY_FORM)).send(DIRTY_FORM, chunked=chunked, pieces=2)
    assert app_answered(r) and r.app_body == CLEAN_FORM


# ---------------------------------------------------------------- faults


FAULTY = [
    (FORM_CT + "; charset=x-unknown", DIRTY_FORM),
    (JSON_CT, b'{"description": "<script>x</script>"'),
    (JSON_CT, b'{"description": "<script>x</script>",}'),
    (JSON_CT, b"[" * 5000 + b"]" * 5000),
    (MULTIPART_CT, multipart(("description", b"<script>x</script>", ""))[:-8]),
]


@pytest.mark.parametrize(("content_type", "body"), FAULTY)
@pytest.mark.parametrize("mode", ["clean", "report"])
def test_unreadable_bodies_pass_untouched_with_a_warning(
    driver: Driver, content_type: str, body: bytes, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    if mode == "clean" and content_type != JSON_CT:
        # Naming a selected field, it would be refused (next test): name another one.
        body = body.replace(b"description", b"other")
    with caplog.at_level(logging.WARNING, logger="htmlguard.middleware"):
        r = driver.guarded(mode=mode).send(body, content_type, pieces=2)
    assert app_answered(r)
    assert r.app_body == body
    assert r.app_headers["content-length"] == str(len(body))
    [record] = [rec for rec in caplog.records if rec.name == "htmlguard.middleware"]
    assert record.levelno == logging.WARNING
    assert "passed through unchanged" in record.getMessage()


@pytest.mark.parametrize(("content_type", "body"), [f for f in FAULTY if f[0] != JSON_CT])
def test_unreadable_bodies_naming_a_selected_field_are_refused_in_clean_mode(
    driver: Driver, content_type: str, body: bytes
) -> None:
    # A lenient framework parser (Werkzeug) may still read the field, uncleaned.
    r = driver.guarded().send(body, content_type)
    assert r.status == 400
    assert json.loads(r.body)["error"] == "unreadable request body"
    assert r.app_calls == 0


@pytest.mark.parametrize(("content_type", "body"), FAULTY)
@pytest.mark.parametrize("mode", ["clean", "report"])
def test_on_fault_reject_answers_400_in_every_mode(
    driver: Driver, content_type: str, body: bytes, mode: str
) -> None:
    r = driver.guarded(mode=mode, on_fault="reject").send(body, content_type)
    assert r.status == 400
    assert json.loads(r.body)["error"] == "unreadable request body"
    assert r.app_calls == 0


@pytest.mark.parametrize(("content_type", "body"), FAULTY)
def test_unreadable_bodies_are_rejected_in_reject_mode(
    driver: Driver, content_type: str, body: bytes
) -> None:
    r = driver.guarded(mode="reject").send(body, content_type)
    assert r.status == 400
    assert r.headers["content-type"] == "application/json"
    assert json.loads(r.body)["error"] == "unreadable request body"
    assert r.app_calls == 0


@pytest.mark.parametrize("mode", ["clean", "reject"])
def test_a_field_over_its_policy_limit_is_413_never_passed_dirty(driver: Driver, mode: str) -> None:
    small = hg.Policy.preset("ugc").derive(max_input_bytes=10)
    r = driver.guarded(mode=mode, fields={"description": small}).send(DIRTY_FORM)
    assert r.status == 413
    assert "description" in json.loads(r.body)["detail"]
    assert r.app_calls == 0


def test_a_field_over_its_policy_limit_passes_in_report_mode(
    driver: Driver, caplog: pytest.LogCaptureFixture
) -> None:
    small = hg.Policy.preset("ugc").derive(max_input_bytes=10)
    with caplog.at_level(logging.WARNING, logger="htmlguard.middleware"):
        r = driver.guarded(mode="report", fields={"description": small}).send(DIRTY_FORM)
    assert app_answered(r) and r.app_body == DIRTY_FORM
    assert any("max_input_bytes" in rec.getMessage() for rec in caplog.records)


@pytest.mark.parametrize(
    ("content_type", "body", "want"),
    [
        (
            FORM_CT,
            b"description=%FF%3Cscript%3Ex%3C%2Fscript%3E%FEok",
            b"description=%FF%FEok",
        ),
        (
            MULTIPART_CT,
            multipart(("description", b"\xff<script>x</script>\xfe<b>ok</b>", "")),
            multipart(("description", b"\xff\xfe<b>ok</b>", "")),
        ),
    ],
)
def test_invalid_bytes_in_a_valid_charset_are_kept_while_cleaning(
    driver: Driver, content_type: str, body: bytes, want: bytes
) -> None:
    assert driver.guarded().send(body, content_type).app_body == want


# ---------------------------------------------------------------- reject mode


@pytest.mark.parametrize(
    ("body", "fields", "want"),
    [
        (
            b'{"comments": [{"body": "fine"}, {"body": "<a href=\\"javascript:x()\\" '
            b'onclick=\\"y()\\">l</a>"}], "description": "<script>s</script>", '
            b'"other": "<script>"}',
            {"comments.*.body": "ugc", "description": "ugc"},
            {
                "comments.1.body": [
                    {"kind": "url", "tag": "a", "name": "href", "value": "javascript:x()"},
                    {"kind": "attribute", "tag": "a", "name": "onclick", "value": "y()"},
                ],
                "description": [{"kind": "tag", "tag": "script", "name": "script", "value": ""}],
            },
        ),
        (
            b'{"description": "<b onclick=\\"x()\\">hi</b>", "title": "<script>"}',
            {"description": "ugc"},
            {"description": [{"kind": "attribute", "tag": "b", "name": "onclick", "value": "x()"}]},
        ),
    ],
)
def test_reject_mode_lists_what_would_be_removed_field_by_field(
    driver: Driver, body: bytes, fields: dict[str, str], want: dict[str, Any]
) -> None:
    r = driver.guarded(mode="reject", fields=fields).send(body, JSON_CT)
    assert r.status == 400
    assert r.headers == {"content-type": "application/json", "content-length": str(len(r.body))}
    assert json.loads(r.body) == {"error": "disallowed HTML", "fields": want}
    assert r.app_calls == 0


def test_reject_mode_passes_clean_requests_untouched(driver: Driver) -> None:
    body = b"description=%3Cb%3Efine%3C%2Fb%3E&other=%3Cscript%3E"
    r = driver.guarded(mode="reject").send(body)
    assert app_answered(r)
    assert r.app_body == body and r.app_headers == sent_headers(body)


def test_reject_mode_form_field_names(driver: Driver) -> None:
    body = "názov=%3Cb%3Ex%3C%2Fb%3E".encode()
    r = driver.guarded(mode="reject", fields={"názov": "strict"}).send(body)
    assert list(json.loads(r.body)["fields"]) == ["názov"]


# ---------------------------------------------------------------- report mode


def test_report_mode_logs_and_exposes_reports(
    driver: Driver, caplog: pytest.LogCaptureFixture
) -> None:
    body = DIRTY_FORM + b"&bio=%3Cb%3Eok%3C%2Fb%3E"
    with caplog.at_level(logging.WARNING, logger="htmlguard.middleware"):
        r = driver.guarded(mode="report", fields={"*": "ugc"}).send(body)
    assert app_answered(r)
    assert r.app_body == body  # nothing changed
    assert r.reports is not None and list(r.reports) == ["description"]
    report = r.reports["description"]
    assert isinstance(report, hg.Report) and report.changed
    assert sorted(x.kind for x in report.removed) == ["attribute", "tag"]
    [record] = [rec for rec in caplog.records if rec.name == "htmlguard.middleware"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "POST /submit" in message and "'description'" in message and "script" in message


def test_report_mode_with_clean_values(driver: Driver, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="htmlguard.middleware"):
        r = driver.guarded(mode="report").send(b"description=fine")
    assert r.reports == {}
    assert not [rec for rec in caplog.records if rec.name == "htmlguard.middleware"]


def test_reports_are_exposed_in_report_mode_only(driver: Driver) -> None:
    assert driver.guarded(mode="clean").send(DIRTY_FORM).reports is None
    assert driver.guarded(mode="reject").send(b"description=fine").reports is None


# ---------------------------------------------------------------- options


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"fields": {"description": "no-such-policy"}}, hg.UnknownPolicyError),
        ({"default_policy": "no-such-policy"}, hg.UnknownPolicyError),
        ({"mode": "fix"}, ValueError),
        ({"mode": "CLEAN"}, ValueError),
        ({"on_fault": "drop"}, ValueError),
        ({"max_body_bytes": -1}, ValueError),
        ({"max_body_bytes": "10"}, ValueError),
        ({"max_body_bytes": 1.5}, ValueError),
        ({"fields": ["description"]}, TypeError),
        ({"fields": "description"}, TypeError),
        ({"fields": {"": "ugc"}}, ValueError),
        ({"fields": {"a": 42}}, TypeError),
        ({"paths": [1]}, TypeError),
        ({"paths": [b"/api/*"]}, TypeError),
        ({"paths": 5}, TypeError),
        ({"methods": [1]}, TypeError),
        ({"methods": [None]}, TypeError),
        ({"methods": None}, TypeError),
    ],
)
def test_bad_options_raise_at_construction(
    driver: Driver, options: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        driver.guarded(**options)


def test_policy_objects_are_accepted(driver: Driver) -> None:
    policy = hg.Policy(tags={"i"})
    r = driver.guarded(fields={"description": policy}).send(
        b"description=%3Cb%3E%3Ci%3Ex%3C%2Fi%3E%3C%2Fb%3E"
    )
    assert r.app_body == b"description=%3Ci%3Ex%3C%2Fi%3E"


def test_the_apps_response_reaches_the_client_untouched(driver: Driver) -> None:
    assert app_answered(driver.guarded().send(DIRTY_FORM))  # cleaned on the way in
    assert app_answered(driver.guarded().send(DIRTY_FORM, "text/plain"))  # not read
