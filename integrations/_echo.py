"""What the echo routes answer: exactly what the application received, framework-neutral."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import htmlguard as hg

#: Request ids seen by this process (X-Request-Id), in arrival order; the load test checks
#: that every request reached the app exactly once.
_SEEN: list[str] = []
_SEEN_LOCK = threading.Lock()


def remember(request_id: str | None) -> None:
    if request_id:
        with _SEEN_LOCK:
            _SEEN.append(request_id)


def seen(prefix: str) -> list[str]:
    with _SEEN_LOCK:
        return [i for i in _SEEN if i.startswith(prefix)]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(value: object) -> str:
    """A checksum of parsed data (fields, files, JSON), key order included."""
    return sha256(json.dumps(value, ensure_ascii=True, separators=(",", ":")).encode("ascii"))


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_form(content_type: str | None) -> bool:
    return media_type(content_type) in ("application/x-www-form-urlencoded", "multipart/form-data")


def is_json(content_type: str | None) -> bool:
    media = media_type(content_type)
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def file_entry(
    field: str,
    filename: str | None,
    content_type: str | None,
    headers: Iterable[tuple[str, str]],
    data: bytes,
) -> dict[str, Any]:
    return {
        "field": field,
        "filename": filename,
        "content_type": content_type,
        "headers": [[k.lower(), v] for k, v in headers],
        "sha256": sha256(data),
        "size": len(data),
        "data_b64": base64.b64encode(data).decode("ascii"),
    }


def reports_json(reports: Mapping[str, hg.Report] | None) -> dict[str, Any] | None:
    if reports is None:
        return None
    return {
        name: {
            "summary": str(r),
            "total": r.total,
            "html": r.html,
            "removed": [[x.kind, x.tag, x.name, x.value] for x in r.removed],
        }
        for name, r in reports.items()
    }


def describe(
    *,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str | None],
    body: bytes,
    fields: list[list[str]] | None,
    files: list[dict[str, Any]] | None,
    reports: Mapping[str, hg.Report] | None,
    brief: bool,
) -> dict[str, Any]:
    """The echo answer. `brief` leaves out the bulky parts (body, values, file bytes) and
    keeps their checksums, for the load test."""
    out: dict[str, Any] = {
        "method": method,
        "path": path,
        "query": query,
        "id": headers.get("x-request-id"),
        "content_type": headers.get("content-type"),
        "content_length": headers.get("content-length"),
        "transfer_encoding": headers.get("transfer-encoding"),
        "body_len": len(body),
        "body_sha256": sha256(body),
    }
    if fields is not None:
        out["fields_sha256"] = digest(fields)
    if files is not None:
        out["files_sha256"] = digest([[f["field"], f["filename"], f["sha256"]] for f in files])
    content_type = headers.get("content-type")
    if is_json(content_type):
        try:
            doc = json.loads(body)
        except ValueError as e:
            out["json_error"] = str(e)
        else:
            out["json_sha256"] = digest(doc)
            if not brief:
                out["json"] = doc
    out["reports"] = reports_json(reports)
    if not brief:
        out["body_b64"] = base64.b64encode(body).decode("ascii")
        out["fields"] = fields
        out["files"] = files
    return out


def submit_answer(fields: Mapping[str, str]) -> dict[str, Any]:
    """What /submit answers (the benchmark's handler): a small summary of the form."""
    description = fields.get("description", "")
    return {"fields": len(fields), "description_len": len(description)}
