"""The JSON answers the core gives instead of calling the app.

Their structure is part of the public behaviour (docs/middleware.md): keys are only ever
added, never renamed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from .._core import Report
from .decisions import Respond


def body_too_large(max_body_bytes: int) -> Respond:
    return _json(413, {"error": "request body too large", "max_body_bytes": max_body_bytes})


def field_too_large(detail: str | None) -> Respond:
    return _json(413, {"error": "field too large", "detail": detail})


def unreadable(detail: str) -> Respond:
    return _json(400, {"error": "unreadable request body", "detail": detail})


def disallowed(reports: Mapping[str, Report]) -> Respond:
    """Reject mode: each field with what sanitizing it *would* remove (nothing was)."""
    return _json(
        400,
        {
            "error": "disallowed HTML",
            "fields": {
                name: [
                    {"kind": r.kind, "tag": r.tag, "name": r.name, "value": r.value}
                    for r in report.removed
                ]
                for name, report in reports.items()
            },
        },
    )


#: The client stopped sending before the body ended (WSGI must still answer something).
INCOMPLETE_BODY = Respond(400, b'{"error": "incomplete body"}')


def _json(status: int, data: object) -> Respond:
    return Respond(status, json.dumps(data, ensure_ascii=False).encode("utf-8"))
