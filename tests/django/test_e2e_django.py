"""End to end: the test project (integrations/django_site) with ``HTMLGuardMiddleware`` on
real servers, talked to over loopback with httpx.

``django-wsgi`` is Django's WSGI application under waitress (the middleware's sync path);
``django-asgi`` its ASGI application under uvicorn (the async path, with ``async def``
views). Each runs as a subprocess (``integrations/serve.py``) on a port the OS picks, once in
clean mode and once in reject mode (``HTMLGUARD_MODE``). The echo views
(integrations/django_site/echo.py) answer what the view saw; the expected values are computed
here with the policies the project's settings name.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import htmlguard as hg
from htmlguard.django import conf

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")
pytest.importorskip("waitress")

from integrations.serve import REPO, Server  # noqa: E402

STACKS = ("django-wsgi", "django-asgi")
#: The sync and the async echo view; both run under either server.
VIEWS = {"sync": "/mw/echo", "async": "/mw/async/echo"}

DIRTY = '<p onclick="x()">hi <a href="javascript:y()">l</a></p><script>z()</script>'
LINK = '<a href="http://e.com/" onclick="x()">l</a> <em>e</em><script>s()</script>'
BINARY = b"\x00\x01<script>alert(1)</script>\x00\xff\xfe<b onclick=x>\r\n\r\n--x\x00" + bytes(
    range(256)
)


def cleaned(policy: str, value: str) -> str:
    out = conf.resolve_policy(policy).sanitize(value)
    assert out != value, "the test value must be dirty under its policy"
    return out


@dataclass
class Site:
    stack: str
    clean: Server
    reject: Server


@pytest.fixture(scope="module", params=STACKS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The project on one server stack, in clean and in reject mode, for the whole module."""
    stack: str = request.param
    tmp = tmp_path_factory.mktemp(stack)
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "integrations.django_site.settings"
    env["HTMLGUARD_DJANGO_SQLITE"] = str(tmp / "db.sqlite3")
    # The package this run imports (pysrc/ or an installed one), and the harness.
    package_root = str(Path(hg.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([package_root, str(REPO)])
    with (
        Server(stack, env=env, log_path=tmp / "clean.log") as clean,
        Server(stack, env=env, log_path=tmp / "reject.log", mode="reject") as reject,
    ):
        yield Site(stack, clean, reject)


@pytest.fixture(params=list(VIEWS), ids=lambda v: f"{v}-view")
def view(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def post(server: Server, path: str, **kw: Any) -> Any:
    return httpx.post(server.url(path), timeout=60, **kw)


def seen(r: Any, view: str) -> dict[str, Any]:
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    assert data["view"] == view
    return data


def check_file(got: dict[str, Any], name: str, content_type: str, data: bytes) -> None:
    assert (got["filename"], got["content_type"], got["size"]) == (name, content_type, len(data))
    assert got["sha256"] == hashlib.sha256(data).hexdigest()
    assert base64.b64decode(got["data_b64"]) == data


# ------------------------------------------------------------------ clean mode


@pytest.mark.parametrize("size", [1, 300], ids=["small", "over-64KiB"])
def test_multipart_text_cleaned_file_byte_for_byte(site: Site, view: str, size: int) -> None:
    upload = BINARY * size
    r = post(
        site.clean,
        VIEWS[view],
        data={"body": DIRTY, "title": DIRTY},
        files={"upload": ("evil.html", upload, "text/html")},
    )
    got = seen(r, view)
    assert got["post"] == {"body": [cleaned("ugc", DIRTY)], "title": [DIRTY]}
    [f] = got["files"]
    check_file(f, "evil.html", "text/html", upload)


def test_urlencoded_fields_cleaned(site: Site, view: str) -> None:
    bio = "<b>b</b><p>p</p><img src=x onerror=alert(1)>"
    r = post(site.clean, VIEWS[view], data={"body": DIRTY, "bio": bio, "title": DIRTY})
    got = seen(r, view)
    assert got["post"] == {
        "body": [cleaned("ugc", DIRTY)],
        "bio": [cleaned("bio", bio)],
        "title": [DIRTY],
    }
    assert got["content_length"] == str(len(base64.b64decode(got["body_b64"])))


def test_json_paths_cleaned(site: Site, view: str) -> None:
    doc = {"post": {"body": DIRTY, "title": DIRTY}, "comments": [{"text": LINK}, {"text": "ok"}]}
    got = seen(post(site.clean, VIEWS[view], json=doc), view)
    assert got["json"] == {
        "post": {"body": cleaned("ugc", DIRTY), "title": DIRTY},
        "comments": [{"text": cleaned("comment", LINK)}, {"text": "ok"}],
    }


def test_chunked_json_cleaned_and_given_a_length(site: Site, view: str) -> None:
    # waitress de-chunks and sets CONTENT_LENGTH; under uvicorn the request reaches Django
    # without one, and the middleware hands it on with one.
    data = json.dumps({"post": {"body": DIRTY}}).encode()

    def pieces() -> Iterator[bytes]:
        yield data[:10]
        yield data[10:]

    r = post(
        site.clean, VIEWS[view], content=pieces(), headers={"content-type": "application/json"}
    )
    got = seen(r, view)
    assert got["json"] == {"post": {"body": cleaned("ugc", DIRTY)}}
    body = base64.b64decode(got["body_b64"])
    assert got["content_length"] == str(len(body))
    assert got["transfer_encoding"] is None


def test_other_content_types_untouched(site: Site) -> None:
    sent = f"body={DIRTY}".encode()
    r = post(site.clean, "/mw/echo", content=sent, headers={"content-type": "text/plain"})
    assert base64.b64decode(seen(r, "sync")["body_b64"]) == sent


# ------------------------------------------------------------------ reject mode


def test_reject_answers_400_with_the_reasons_and_the_view_is_not_called(
    site: Site, view: str
) -> None:
    rid = f"e2e-{uuid.uuid4()}"
    r = post(
        site.reject,
        VIEWS[view],
        data={"body": DIRTY},
        files={"upload": ("a.bin", BINARY, "application/octet-stream")},
        headers={"x-request-id": rid},
    )
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/json"
    removed = conf.resolve_policy("ugc").inspect(DIRTY).removed
    assert r.json() == {
        "error": "disallowed HTML",
        "fields": {
            "body": [
                {"kind": x.kind, "tag": x.tag, "name": x.name, "value": x.value} for x in removed
            ]
        },
    }
    clean_id = f"e2e-{uuid.uuid4()}"
    ok = post(
        site.reject, VIEWS[view], data={"body": "<b>fine</b>"}, headers={"x-request-id": clean_id}
    )
    assert seen(ok, view)["post"] == {"body": ["<b>fine</b>"]}
    ids = httpx.get(site.reject.url("/mw/ids"), params={"prefix": "e2e-"}, timeout=60).json()
    assert clean_id in ids and rid not in ids
