"""The request headers the core reads: Content-Type (which body reader, and its parameters)
and Content-Length."""

from __future__ import annotations

import re
from email.message import Message

from .outcome import Fault

#: Content kinds the middleware reads; every other content type passes unread.
FORM, MULTIPART, JSON = "form", "multipart", "json"


def content_kind(content_type: str | None) -> str | None:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        return FORM
    if media == "multipart/form-data":
        return MULTIPART
    # `*/*+json` (RFC 6839): any type with the structured-syntax suffix, not only application/.
    if media == "application/json" or ("/" in media and media.endswith("+json")):
        return JSON
    return None


def params(content_type: str) -> Message:
    """The Content-Type parsed for its parameters (``get_param``)."""
    m = Message()
    m["content-type"] = content_type
    return m


def declared_once(content_type: str, param: str) -> None:
    """Two values for one parameter: parsers disagree on which one counts."""
    if len(re.findall(rf"(?i)(?:^|;)\s*{param}\*?\s*=", content_type)) > 1:
        raise Fault(f"Content-Type declares {param} more than once", ambiguous=True)


def content_length(raw: str | bytes | None) -> int | None:
    """A request's declared body length, or None when absent, empty or not a non-negative
    integer (the body is then read to its end, as for chunked requests)."""
    if raw is None:
        return None
    try:
        n = int(raw)
    except ValueError:
        return None
    return n if n >= 0 else None
