"""The request core (htmlguard._request.core) on its own: method, path, headers and body in,
a decision out; no server, no I/O."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

import htmlguard as hg
from htmlguard._request import core as core_module
from htmlguard._request.core import RequestCore
from htmlguard._request.decisions import Forward, ReadBody, Respond
from htmlguard._request.headers import FORM, JSON, MULTIPART, content_length
from htmlguard._request.responses import INCOMPLETE_BODY

FORM_CT = "application/x-www-form-urlencoded"
JSON_CT = "application/json"
DIRTY_FORM = b"description=%3Cp+onclick%3D%22x()%22%3Ehi%3C%2Fp%3E%3Cscript%3Ey%3C%2Fscript%3E"
CLEAN_FORM = b"description=%3Cp%3Ehi%3C%2Fp%3E"


def make(**options: Any) -> RequestCore:
    options.setdefault("fields", {"description": "ugc"})
    return RequestCore(**options)


def planned(
    core: RequestCore,
    body: bytes = DIRTY_FORM,
    content_type: str | None = FORM_CT,
    *,
    method: str = "POST",
    path: str = "/submit",
    length: str | None = "-",
    stream_ends: bool = True,
) -> ReadBody | Respond | None:
    declared = str(len(body)) if length == "-" else length
    return core.plan(method, path, content_type, declared, stream_ends=stream_ends)


def decide(core: RequestCore, body: bytes, content_type: str = FORM_CT, **kw: Any) -> Any:
    plan = planned(core, body, content_type, **kw)
    assert isinstance(plan, ReadBody)
    return core.decide(plan, body)


# ---------------------------------------------------------------- plan: before the body


def test_plan_says_how_to_read_a_selected_request() -> None:
    plan = planned(make(max_body_bytes=5000), method="put", path="/a")
    assert plan == ReadBody("put", "/a", FORM, FORM_CT, len(DIRTY_FORM), 5000)


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [(FORM_CT, FORM), ("multipart/form-data; boundary=b", MULTIPART), (JSON_CT, JSON)],
)
def test_plan_picks_the_reader_by_content_type(content_type: str, kind: str) -> None:
    plan = planned(make(), content_type=content_type)
    assert isinstance(plan, ReadBody) and plan.kind == kind
    assert plan.content_type == content_type


@pytest.mark.parametrize(
    ("options", "request_kw"),
    [
        ({}, {"method": "GET"}),
        ({"methods": ["PUT"]}, {"method": "POST"}),
        ({"paths": ["/api/*"]}, {"path": "/web/x"}),
        ({}, {"content_type": "text/plain"}),
        ({}, {"content_type": None}),
        ({"fields": None}, {}),  # nothing selected
        ({}, {"length": "0"}),  # no body
        ({}, {"length": None, "stream_ends": False}),  # PEP 3333: nothing may be read
    ],
)
def test_plan_passes_requests_on_unread(options: dict[str, Any], request_kw: Any) -> None:
    assert planned(make(**options), **request_kw) is None


def test_plan_reads_to_the_end_without_a_length_only_when_the_stream_ends() -> None:
    plan = planned(make(), length=None, stream_ends=True)
    assert isinstance(plan, ReadBody) and plan.length is None
    assert planned(make(), length=None, stream_ends=False) is None


@pytest.mark.parametrize("raw", ["", "12x", "-3"])
def test_plan_treats_an_invalid_length_as_none(raw: str) -> None:
    plan = planned(make(), length=raw)
    assert isinstance(plan, ReadBody) and plan.length is None


@pytest.mark.parametrize("mode", ["clean", "report", "reject"])
def test_plan_answers_413_for_a_declared_length_over_the_limit(mode: str) -> None:
    core = make(mode=mode, max_body_bytes=10)
    answer = planned(core)
    assert answer is core.too_large
    assert isinstance(answer, Respond) and answer.status == 413
    assert json.loads(answer.body) == {"error": "request body too large", "max_body_bytes": 10}
    assert isinstance(planned(core, b"description=x"), Respond)  # 13 bytes
    assert isinstance(planned(make(max_body_bytes=len(DIRTY_FORM))), ReadBody)  # at the limit


def test_plan_matches_paths_as_a_router_may_read_them() -> None:
    core = make(paths=["/api/*"])
    # Either form selects: "/api/../x" as sent matches "/api/*" too.
    for path in ("//api/x", "/api//x", "/./api/x", "/other/../api/x", "/api/x", "/api/../x"):
        assert isinstance(planned(core, path=path), ReadBody), path
    for path in ("/API/x", "/apix", "/web/./x"):
        assert planned(core, path=path) is None, path


# ---------------------------------------------------------------- decide: with the body


def test_decide_forwards_a_cleaned_body_reframed() -> None:
    decision = decide(make(), b"a=1&" + DIRTY_FORM)
    assert decision == Forward(b"a=1&" + CLEAN_FORM, reframed=True, reports=None)
    assert decision.content_length == str(len(b"a=1&" + CLEAN_FORM))


def test_decide_forwards_an_unchanged_body_as_framed() -> None:
    body = b"description=%3Cb%3Efine%3C%2Fb%3E"
    assert decide(make(), body) == Forward(body, reframed=False)


def test_decide_reframes_an_unchanged_body_that_came_without_a_length() -> None:
    body = b"description=fine"
    assert decide(make(), body, length=None) == Forward(body, reframed=True)


def test_decide_in_report_mode_forwards_the_body_with_reports() -> None:
    decision = decide(make(mode="report", fields={"*": "ugc"}), DIRTY_FORM + b"&bio=ok")
    assert isinstance(decision, Forward)
    assert decision.body == DIRTY_FORM + b"&bio=ok" and not decision.reframed
    assert list(decision.reports or {}) == ["description"]
    assert isinstance(decision.reports["description"], hg.Report)
    assert decide(make(mode="report"), b"description=ok").reports == {}


def test_decide_in_reject_mode_answers_400_with_what_would_be_removed() -> None:
    decision = decide(make(mode="reject"), DIRTY_FORM)
    assert isinstance(decision, Respond) and decision.status == 400
    fields = json.loads(decision.body)["fields"]
    assert json.loads(decision.body)["error"] == "disallowed HTML"
    assert sorted(r["kind"] for r in fields["description"]) == ["attribute", "tag"]
    clean = b"description=%3Cb%3Eok%3C%2Fb%3E"
    assert decide(make(mode="reject"), clean) == Forward(clean, reframed=False)


@pytest.mark.parametrize(
    ("mode", "on_fault", "status"),
    [
        ("clean", "pass", None),
        ("report", "pass", None),
        ("reject", "pass", 400),
        ("clean", "reject", 400),
        ("report", "reject", 400),
    ],
)
def test_decide_on_an_unreadable_body(mode: str, on_fault: str, status: int | None) -> None:
    body = b'{"description": "<script>x</script>"'
    decision = decide(make(mode=mode, on_fault=on_fault), body, JSON_CT)
    if status is None:
        assert decision == Forward(body, reframed=False, reports={} if mode == "report" else None)
    else:
        assert isinstance(decision, Respond) and decision.status == status
        assert json.loads(decision.body)["error"] == "unreadable request body"
        assert "malformed JSON" in json.loads(decision.body)["detail"]


@pytest.mark.parametrize("mode", ["clean", "report"])
def test_decide_refuses_an_unreadable_body_naming_a_selected_field(mode: str) -> None:
    body = DIRTY_FORM
    decision = decide(make(mode=mode), body, FORM_CT + "; charset=x-unknown")
    if mode == "report":
        assert decision == Forward(body, reframed=False, reports={})
    else:
        assert isinstance(decision, Respond) and decision.status == 400


@pytest.mark.parametrize(("mode", "status"), [("clean", 413), ("reject", 413), ("report", None)])
def test_decide_on_a_field_over_its_policy_limit(mode: str, status: int | None) -> None:
    small = hg.Policy.preset("ugc").derive(max_input_bytes=10)
    decision = decide(make(mode=mode, fields={"description": small}), DIRTY_FORM)
    if status is None:
        assert decision == Forward(DIRTY_FORM, reframed=False, reports={})
    else:
        assert isinstance(decision, Respond) and decision.status == status
        assert json.loads(decision.body)["error"] == "field too large"
        assert "description" in json.loads(decision.body)["detail"]


def test_decide_answers_413_for_a_body_longer_than_the_plan_allows() -> None:
    # An adapter that gets the body whole (not read by the plan) is still held to the limit.
    core = make(max_body_bytes=100)
    plan = planned(core, b"description=x")
    assert isinstance(plan, ReadBody)
    assert core.decide(plan, DIRTY_FORM * 2) is core.too_large


def test_decide_reads_the_body_and_computes_the_answer_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def counted(name: str, func: Any) -> Any:
        def wrapper(*args: Any) -> Any:
            calls.append(name)
            return func(*args)

        return wrapper

    core = make(mode="reject", on_fault="reject")
    monkeypatch.setattr(core_module, "process", counted("process", core_module.process))
    monkeypatch.setattr(core, "_answer", counted("answer", core._answer))
    with caplog.at_level(logging.WARNING, logger="htmlguard.middleware"):
        decision = decide(core, b"{", JSON_CT)
    assert isinstance(decision, Respond) and decision.status == 400
    assert calls == ["process", "answer"]
    [record] = caplog.records
    assert "POST /submit: body rejected: malformed JSON" in record.getMessage()


def test_decide_logs_a_fault_passed_through(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="htmlguard.middleware"):
        decide(make(), b"{", JSON_CT, method="PUT", path="/p")
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith("PUT /p: body passed through unchanged: malformed")


@pytest.mark.parametrize("mode", ["reject", "report"])
def test_logged_reports_say_what_would_be_removed(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Neither mode changes the value: "removed" would be false.
    with caplog.at_level(logging.WARNING, logger="htmlguard.middleware"):
        decide(make(mode=mode), b"description=%3Cb+onclick%3Dx()%3Ehi%3C%2Fb%3E")
    [record] = caplog.records
    message = record.getMessage()
    assert message == "POST /submit: field 'description': would remove 1 attribute (b[onclick])"
    assert "removed" not in message


# ---------------------------------------------------------------- responses and headers


def test_responses_carry_their_status_line_and_headers() -> None:
    assert INCOMPLETE_BODY.status_line == "400 Bad Request"
    assert json.loads(INCOMPLETE_BODY.body) == {"error": "incomplete body"}
    too_large = make(max_body_bytes=1).too_large
    assert too_large.status_line == "413 Content Too Large"
    assert too_large.headers == (
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(too_large.body))),
    )


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("12", 12),
        (b"12", 12),
        ("0", 0),
        (None, None),
        ("", None),
        (b"", None),
        ("-1", None),
        (b"-1", None),
        ("12x", None),
        (b"\xff", None),
    ],
)
def test_declared_content_length_from_either_server_kind(
    raw: str | bytes | None, want: int | None
) -> None:
    # WSGI hands over a str (or an empty one), ASGI the header's bytes: one parser for both.
    assert content_length(raw) == want
