"""``htmlguard.django.middleware.HTMLGuardMiddleware`` through Django's whole handler stack.

Django's test ``Client`` (the sync handler, a sync view: ``/mw/echo``) and ``AsyncClient``
(the async handler, an ``async def`` view: ``/mw/async/echo``) send real requests through
the test project's MIDDLEWARE (integrations/django_site/settings.py); the echo views answer
what they saw (integrations/django_site/echo.py). Expected values are computed here with the
policies themselves, not with the middleware's code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import AsyncClient, Client, override_settings
from django.test.client import MULTIPART_CONTENT
from middleware_drivers import BOUNDARY, MULTIPART_CT, multipart  # tests/ is on sys.path

import htmlguard as hg
from htmlguard.django import conf
from integrations import _echo

FORM_CT = "application/x-www-form-urlencoded"
JSON_CT = "application/json"
MIDDLEWARE = "htmlguard.django.middleware.HTMLGuardMiddleware"
EARLY = "integrations.django_site.echo"

DIRTY = '<p onclick="x()">hi <a href="javascript:y()">l</a></p><script>z()</script>'
BIO = "<b>bold</b> <p>para</p><img src=x onerror=alert(1)>"
LINK = '<a href="http://e.com/" onclick="x()">l</a> <em>e</em><script>s()</script>'
#: An upload that is neither text nor clean: NULs, invalid UTF-8 and markup.
BINARY = b"\x00\x01<script>alert(1)</script>\x00\xff\xfe<b onclick=x>\r\n\r\n--x\x00" + bytes(
    range(256)
)


def policy(name: str) -> hg.Policy:
    """A policy as the test project's settings name it (its own, or a preset)."""
    return conf.resolve_policy(name)


def cleaned(name: str, value: str) -> str:
    out = policy(name).sanitize(value)
    assert out != value, "the test value must be dirty under its policy"
    return out


def form(**fields: str) -> bytes:
    from urllib.parse import urlencode

    return urlencode(fields).encode("ascii")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# ------------------------------------------------------------------ the two ways in


@dataclass
class Via:
    """One request path through Django: a client, and the echo view behind it."""

    name: str
    echo: str
    send: Callable[..., HttpResponse]

    def post(
        self,
        data: Any,
        content_type: str = FORM_CT,
        *,
        path: str | None = None,
        method: str = "post",
        request_id: str | None = None,
        **extra: Any,
    ) -> HttpResponse:
        headers = {"X-Request-Id": request_id} if request_id else None
        return self.send(
            method, path or self.echo, data, content_type=content_type, headers=headers, **extra
        )


def _sync(method: str, path: str, data: Any, **kw: Any) -> HttpResponse:
    return getattr(Client(), method)(path, data, **kw)  # type: ignore[no-any-return]


def _async(method: str, path: str, data: Any, **kw: Any) -> HttpResponse:
    # A coroutine function of our own: Django 4.2's AsyncClient methods are plain functions
    # returning a coroutine, which async_to_sync warns about.
    async def call() -> HttpResponse:
        return await getattr(AsyncClient(), method)(path, data, **kw)  # type: ignore[no-any-return]

    return async_to_sync(call)()


VIAS = [Via("sync", "/mw/echo", _sync), Via("async", "/mw/async/echo", _async)]


@pytest.fixture(params=VIAS, ids=lambda v: v.name)
def via(request: pytest.FixtureRequest) -> Via:
    return request.param  # type: ignore[no-any-return]


def echoed(r: Any, via: Via) -> dict[str, Any]:
    assert r.status_code == 200, r.content
    seen: dict[str, Any] = json.loads(r.content)
    assert seen["view"] == via.name
    return seen


def new_id() -> str:
    return f"mw-{uuid.uuid4()}"


def view_called(request_id: str) -> bool:
    return bool(_echo.seen(request_id))


# ------------------------------------------------------------------ clean mode


def test_urlencoded_selected_fields_are_cleaned_before_request_post(via: Via) -> None:
    sent = form(title=DIRTY, body=DIRTY, bio=BIO, other="<script>x</script>")
    seen = echoed(via.post(sent), via)
    assert seen["post"] == {
        "title": [DIRTY],  # not selected
        "body": [cleaned("ugc", DIRTY)],
        "bio": [cleaned("bio", BIO)],  # the project's own policy (HTMLGUARD_POLICIES)
        "other": ["<script>x</script>"],
    }
    body = base64.b64decode(seen["body_b64"])
    assert body == form(
        title=DIRTY, body=cleaned("ugc", DIRTY), bio=cleaned("bio", BIO), other="<script>x</script>"
    )
    assert seen["content_length"] == seen["header_content_length"] == str(len(body))


def test_multipart_text_fields_are_cleaned_and_files_pass_byte_for_byte(via: Via) -> None:
    upload = SimpleUploadedFile("evil.html", BINARY, content_type="text/html")
    # A file part under a selected name: files are never cleaned.
    named_body = SimpleUploadedFile("body.bin", BINARY[::-1], content_type="application/x-bin")
    data = {"body": DIRTY, "title": DIRTY, "upload": upload, "bio": named_body}
    seen = echoed(via.post(data, MULTIPART_CONTENT), via)  # encoded by the client
    assert seen["post"] == {"body": [cleaned("ugc", DIRTY)], "title": [DIRTY]}
    files = {f["field"]: f for f in seen["files"]}
    assert files.keys() == {"upload", "bio"}
    for field, name, ctype, content in [
        ("upload", "evil.html", "text/html", BINARY),
        ("bio", "body.bin", "application/x-bin", BINARY[::-1]),
    ]:
        got = files[field]
        assert (got["filename"], got["content_type"]) == (name, ctype)
        assert got["data_b64"] == b64(content)
        assert got["sha256"] == hashlib.sha256(content).hexdigest()
        assert got["size"] == len(content)


def test_raw_multipart_keeps_every_other_byte(via: Via) -> None:
    file_part = ("doc", BINARY, '; filename="d.txt"\r\nContent-Type: text/plain; charset=latin-1')
    sent = multipart(("body", DIRTY.encode(), ""), file_part, ("title", b"<i>t</i>", ""))
    seen = echoed(via.post(sent, MULTIPART_CT), via)
    assert seen["post"] == {"body": [cleaned("ugc", DIRTY)], "title": ["<i>t</i>"]}
    [doc] = seen["files"]
    assert (doc["filename"], doc["content_type"], doc["charset"]) == (
        "d.txt",
        "text/plain",
        "latin-1",
    )
    assert doc["data_b64"] == b64(BINARY)
    want = multipart(
        ("body", cleaned("ugc", DIRTY).encode(), ""), file_part, ("title", b"<i>t</i>", "")
    )
    assert seen["content_length"] == str(len(want))
    assert BOUNDARY in seen["content_type"]


def test_json_paths_are_cleaned_before_request_body(via: Via) -> None:
    doc = {
        "post": {"body": DIRTY, "title": DIRTY},
        "comments": [{"text": LINK, "by": DIRTY}, {"text": "fine"}],
        "body": DIRTY,  # top-level "body": the form selector matches it too
        "tags": [DIRTY],
    }
    seen = echoed(via.post(json.dumps(doc), JSON_CT), via)
    assert seen["json"] == {
        "post": {"body": cleaned("ugc", DIRTY), "title": DIRTY},
        "comments": [{"text": cleaned("comment", LINK), "by": DIRTY}, {"text": "fine"}],
        "body": cleaned("ugc", DIRTY),
        "tags": [DIRTY],
    }
    assert seen["content_length"] == str(len(base64.b64decode(seen["body_b64"])))


def test_put_json_is_cleaned_too(via: Via) -> None:
    seen = echoed(via.post(json.dumps({"post": {"body": DIRTY}}), JSON_CT, method="put"), via)
    assert seen["json"] == {"post": {"body": cleaned("ugc", DIRTY)}}


def test_clean_bodies_reach_the_view_as_sent(via: Via) -> None:
    sent = b'{"post": {"body": "<b>fine</b>"},   "n": 1.50}'
    seen = echoed(via.post(sent, JSON_CT), via)
    assert seen["body_b64"] == b64(sent)  # not even re-serialized
    assert seen["content_length"] == str(len(sent))


@pytest.mark.parametrize(
    ("overrides", "content_type"),
    [
        ({"HTMLGUARD_PATHS": ["/elsewhere/*"]}, FORM_CT),  # path not selected
        ({"HTMLGUARD_FIELDS": {}}, FORM_CT),  # nothing selected
        ({"HTMLGUARD_FIELDS": None}, FORM_CT),
        ({}, "text/plain"),  # a content type the middleware does not read
    ],
)
def test_unselected_requests_pass_untouched(
    via: Via, overrides: dict[str, Any], content_type: str
) -> None:
    sent = form(body=DIRTY)
    with override_settings(**overrides):
        seen = echoed(via.post(sent, content_type), via)
    assert seen["body_b64"] == b64(sent)
    assert seen["content_length"] == str(len(sent))


# ------------------------------------------------------------------ reject and report


def test_reject_mode_answers_400_with_the_reasons_and_the_view_is_not_called(via: Via) -> None:
    rid = new_id()
    doc = {"post": {"body": DIRTY}, "comments": [{"text": "ok"}, {"text": LINK}]}
    with override_settings(HTMLGUARD_MODE="reject"):
        r = via.post(json.dumps(doc), JSON_CT, request_id=rid)
    assert r.status_code == 400
    assert r["Content-Type"] == "application/json"
    assert r["Content-Length"] == str(len(r.content))

    def reasons(name: str, value: str) -> list[dict[str, str]]:
        return [
            {"kind": x.kind, "tag": x.tag, "name": x.name, "value": x.value}
            for x in policy(name).inspect(value).removed
        ]

    assert json.loads(r.content) == {
        "error": "disallowed HTML",
        "fields": {"post.body": reasons("ugc", DIRTY), "comments.1.text": reasons("comment", LINK)},
    }
    assert not view_called(rid)


def test_reject_mode_passes_clean_requests(via: Via) -> None:
    rid = new_id()
    sent = form(body="<b>fine</b>", title=DIRTY)
    with override_settings(HTMLGUARD_MODE="reject"):
        seen = echoed(via.post(sent, request_id=rid), via)
    assert seen["post"] == {"body": ["<b>fine</b>"], "title": [DIRTY]}
    assert view_called(rid)


def test_report_mode_puts_the_reports_on_the_request_and_changes_nothing(
    via: Via, caplog: pytest.LogCaptureFixture
) -> None:
    sent = form(body=DIRTY, bio="<b>fine</b>", title=DIRTY)
    with override_settings(HTMLGUARD_MODE="report"), caplog.at_level(logging.WARNING):
        seen = echoed(via.post(sent), via)
    assert seen["body_b64"] == b64(sent)
    assert seen["post"]["body"] == [DIRTY]
    report = policy("ugc").inspect(DIRTY)
    assert seen["reports"] == {
        "body": {
            "summary": str(report),
            "total": report.total,
            "html": report.html,
            "removed": [[x.kind, x.tag, x.name, x.value] for x in report.removed],
        }
    }
    [record] = [r for r in caplog.records if r.name == "htmlguard.middleware"]
    assert f"POST {via.echo}: field 'body': would remove" in record.getMessage()


def test_reports_are_on_the_request_in_report_mode_only(via: Via) -> None:
    assert echoed(via.post(form(body=DIRTY)), via)["reports"] is None
    with override_settings(HTMLGUARD_MODE="report"):
        assert echoed(via.post(form(body="fine")), via)["reports"] == {}


# ------------------------------------------------------------------ settings, read when used


def test_override_settings_takes_effect_between_requests(via: Via) -> None:
    sent = form(body=DIRTY, title=DIRTY, bio=BIO)
    assert echoed(via.post(sent), via)["post"]["body"] == [cleaned("ugc", DIRTY)]
    with override_settings(HTMLGUARD_FIELDS={"title": "strict"}):
        post = echoed(via.post(sent), via)["post"]
        assert post == {"body": [DIRTY], "title": [cleaned("strict", DIRTY)], "bio": [BIO]}
        with override_settings(HTMLGUARD_MODE="reject"):
            assert via.post(sent).status_code == 400
        assert echoed(via.post(sent), via)["post"]["title"] == [cleaned("strict", DIRTY)]
    bio = cleaned("bio", BIO)
    policies = {**settings.HTMLGUARD_POLICIES, "bio": {"tags": ["p"]}}
    with override_settings(HTMLGUARD_POLICIES=policies):
        want = hg.Policy(tags={"p"}).sanitize(BIO)
        assert want != bio
        assert echoed(via.post(sent), via)["post"]["bio"] == [want]
    assert echoed(via.post(sent), via)["post"]["bio"] == [bio]


def test_invalid_settings_fail_the_request(via: Via) -> None:
    with override_settings(HTMLGUARD_MODE="fix"), pytest.raises(ValueError, match="mode"):
        via.post(form(body=DIRTY))


@pytest.mark.parametrize("mode", ["clean", "reject", "report"])
def test_max_body_bytes_answers_413_unread(via: Via, mode: str) -> None:
    rid = new_id()
    sent = form(body=DIRTY)
    with override_settings(HTMLGUARD_MAX_BODY_BYTES=len(sent) - 1, HTMLGUARD_MODE=mode):
        r = via.post(sent, request_id=rid)
        assert r.status_code == 413
        assert json.loads(r.content) == {
            "error": "request body too large",
            "max_body_bytes": len(sent) - 1,
        }
        assert not view_called(rid)
    with override_settings(HTMLGUARD_MAX_BODY_BYTES=len(sent)):
        assert echoed(via.post(sent), via)["post"] == {"body": [cleaned("ugc", DIRTY)]}


def test_on_fault_reject_answers_400_for_an_unreadable_body(via: Via) -> None:
    sent = b'{"post": {"body": "<script>x</script>"'
    assert echoed(via.post(sent, JSON_CT), via)["body_b64"] == b64(sent)  # passes by default
    with override_settings(HTMLGUARD_ON_FAULT="reject"):
        r = via.post(sent, JSON_CT)
    assert r.status_code == 400
    assert json.loads(r.content)["error"] == "unreadable request body"


# ------------------------------------------------------------------ a body read before us


def earlier(*names: str) -> list[str]:
    """MIDDLEWARE with these test middlewares (echo.py) right before HTMLGuardMiddleware."""
    return [
        "django.middleware.security.SecurityMiddleware",
        *(f"{EARLY}.{name}" for name in names),
        MIDDLEWARE,
        "django.middleware.csrf.CsrfViewMiddleware",
    ]


@pytest.mark.parametrize(
    ("content_type", "data", "want"),
    [
        (FORM_CT, form(body=DIRTY), {"body": [cleaned("ugc", DIRTY)]}),
        (MULTIPART_CT, multipart(("body", DIRTY.encode(), "")), {"body": [cleaned("ugc", DIRTY)]}),
    ],
)
def test_a_body_read_before_is_still_cleaned(
    via: Via, content_type: str, data: bytes, want: dict[str, list[str]]
) -> None:
    with override_settings(MIDDLEWARE=earlier("ReadsBody")):
        seen = echoed(via.post(data, content_type), via)
    assert seen["post"] == want


def test_a_json_body_read_before_is_still_cleaned(via: Via) -> None:
    with override_settings(MIDDLEWARE=earlier("ReadsBody")):
        seen = echoed(via.post(json.dumps({"post": {"body": DIRTY}}), JSON_CT), via)
    assert seen["json"] == {"post": {"body": cleaned("ugc", DIRTY)}}


def test_a_urlencoded_post_parsed_before_is_parsed_again_from_the_cleaned_body(via: Via) -> None:
    # request.POST of a urlencoded body keeps the body (request.body): it can be cleaned, and
    # the view must not get the QueryDict parsed from the dirty one.
    with override_settings(MIDDLEWARE=earlier("ReadsPost")):
        seen = echoed(via.post(form(body=DIRTY)), via)
    assert seen["post"] == {"body": [cleaned("ugc", DIRTY)]}


def test_headers_read_before_are_made_again(via: Via) -> None:
    with override_settings(MIDDLEWARE=earlier("ReadsHeaders")):
        seen = echoed(via.post(form(body=DIRTY)), via)
    length = str(len(form(body=cleaned("ugc", DIRTY))))
    assert seen["content_length"] == seen["header_content_length"] == length


@pytest.mark.parametrize("mode", ["clean", "reject"])
def test_a_multipart_post_parsed_before_is_improperly_configured(via: Via, mode: str) -> None:
    # Django streams a multipart body into request.POST/FILES without keeping it: there is
    # nothing left to clean, and the view must not get what was parsed from the dirty body.
    rid = new_id()
    with (
        override_settings(MIDDLEWARE=earlier("ReadsPost"), HTMLGUARD_MODE=mode),
        pytest.raises(ImproperlyConfigured, match="read before it"),
    ):
        via.post(multipart(("body", DIRTY.encode(), "")), MULTIPART_CT, request_id=rid)
    assert not view_called(rid)


def test_a_multipart_post_parsed_before_is_a_500_for_the_client() -> None:
    with override_settings(MIDDLEWARE=earlier("ReadsPost")):
        client = Client(raise_request_exception=False)
        r = client.post("/mw/echo", multipart(("body", DIRTY.encode(), "")), MULTIPART_CT)
    assert r.status_code == 500


def test_a_multipart_post_parsed_before_is_passed_with_a_warning_in_report_mode(
    via: Via, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        override_settings(MIDDLEWARE=earlier("ReadsPost"), HTMLGUARD_MODE="report"),
        caplog.at_level(logging.WARNING),
    ):
        seen = echoed(via.post(multipart(("body", DIRTY.encode(), "")), MULTIPART_CT), via)
    assert seen["post"] == {"body": [DIRTY]}  # what ReadsPost parsed, as in report mode
    assert seen["reports"] is None  # nothing was inspected
    [record] = [r for r in caplog.records if r.name == "htmlguard.middleware"]
    assert "read before HTMLGuardMiddleware" in record.getMessage()


def test_a_multipart_post_parsed_before_an_unselected_request_is_fine(via: Via) -> None:
    with override_settings(MIDDLEWARE=earlier("ReadsPost"), HTMLGUARD_PATHS=["/elsewhere/*"]):
        seen = echoed(via.post(multipart(("body", DIRTY.encode(), "")), MULTIPART_CT), via)
    assert seen["post"] == {"body": [DIRTY]}


# ------------------------------------------------------------------ bodies Django does not read


def test_wsgi_body_without_content_length_passes_unread() -> None:
    # Django's WSGIRequest reads no body without a Content-Length, even with
    # wsgi.input_terminated: the view gets an empty body, so there is nothing to read, and
    # an empty JSON body must not be refused as malformed.
    with override_settings(HTMLGUARD_MODE="reject"):
        r = Client().post(
            "/mw/echo",
            json.dumps({"post": {"body": DIRTY}}),
            JSON_CT,
            CONTENT_LENGTH="",
            **{"wsgi.input_terminated": True},  # type: ignore[arg-type]
        )
    seen = echoed(r, VIAS[0])
    assert (seen["body_b64"], seen["content_length"]) == ("", "")


# ------------------------------------------------------------------ async


LARGE = 70 * 1024  # over htmlguard.asgi.OFFLOAD_BYTES


@pytest.mark.parametrize(("size", "offloaded"), [(LARGE, True), (1024, False)])
async def test_async_view_cleans_in_a_worker_thread_past_64_kib(
    size: int, offloaded: bool, caplog: pytest.LogCaptureFixture
) -> None:
    filler = "x" * size
    sent = form(filler=filler, body=DIRTY)
    assert (len(sent) > 64 * 1024) is offloaded
    with caplog.at_level(logging.WARNING):
        r = await AsyncClient().post("/mw/async/echo", sent, content_type=FORM_CT)
        assert r.status_code == 200
        assert r.json()["post"] == {"filler": [filler], "body": [cleaned("ugc", DIRTY)]}
        with override_settings(HTMLGUARD_MODE="report"):
            r = await AsyncClient().post("/mw/async/echo", sent, content_type=FORM_CT)
    assert r.json()["post"]["body"] == [DIRTY]
    # The core logs from wherever it ran: a worker thread, or the event loop (this thread).
    [record] = [rec for rec in caplog.records if rec.name == "htmlguard.middleware"]
    assert (record.thread != threading.get_ident()) is offloaded


async def test_async_multipart_upload_over_64_kib() -> None:
    data = BINARY * 400
    upload = SimpleUploadedFile("big.bin", data, content_type="application/octet-stream")
    r = await AsyncClient().post("/mw/async/echo", {"body": DIRTY, "f": upload})
    assert r.status_code == 200
    seen = r.json()
    assert seen["post"] == {"body": [cleaned("ugc", DIRTY)]}
    [f] = seen["files"]
    assert f["sha256"] == hashlib.sha256(data).hexdigest() and f["size"] == len(data)


async def test_async_reject_mode() -> None:
    rid = new_id()
    with override_settings(HTMLGUARD_MODE="reject"):
        r = await AsyncClient().post(
            "/mw/async/echo", form(body=DIRTY), FORM_CT, headers={"X-Request-Id": rid}
        )
    assert r.status_code == 400
    assert list(json.loads(r.content)["fields"]) == ["body"]
    assert not view_called(rid)
