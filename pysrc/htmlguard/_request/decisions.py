"""What the core tells an adapter to do: read a body, forward one, or answer.

Plain data, no I/O: an adapter turns each into its server's calls (WSGI environ and
``start_response``, ASGI messages, a Django ``HttpResponse``...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from .._core import Report

#: Reason phrases for the statuses the core answers with (WSGI wants a status line).
_REASONS = {400: "Bad Request", 413: "Content Too Large"}


@dataclass(frozen=True, slots=True)
class ReadBody:
    """Read the request body, then hand it to ``RequestCore.decide`` with this plan."""

    method: str
    path: str
    #: The body reader's kind (``headers.FORM``, ``MULTIPART``, ``JSON``).
    kind: str
    content_type: str
    #: The declared Content-Length; None: read the stream to its end.
    length: int | None
    #: Stop reading once the body is longer than this and answer ``RequestCore.too_large``.
    max_bytes: int


@dataclass(frozen=True, slots=True)
class Forward:
    """Call the app with this body instead of the one read."""

    body: bytes
    #: The body's framing changed (it was rewritten, or it came without a Content-Length):
    #: Content-Length must become ``content_length`` and Transfer-Encoding must go.
    reframed: bool
    #: Field → report for every selected value that is not clean, in report mode (exposed
    #: to the app); None in the other modes.
    reports: dict[str, Report] | None = None

    @property
    def content_length(self) -> str:
        return str(len(self.body))


@dataclass(frozen=True, slots=True)
class Respond:
    """Answer the request with this JSON response; the app is not called."""

    status: int
    body: bytes

    @property
    def status_line(self) -> str:
        return f"{self.status} {_REASONS[self.status]}"

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        return (("Content-Type", "application/json"), ("Content-Length", str(len(self.body))))


#: What the core decides once it has the body.
Decision: TypeAlias = Forward | Respond
