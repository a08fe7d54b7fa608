"""The request core: every decision the middleware makes, none of its I/O.

An adapter (WSGI, ASGI, a Django middleware...) drives it in two calls::

    plan = core.plan(method, path, content_type, content_length, stream_ends=...)
    # None: call the app untouched, body unread.  Respond: answer it, body unread.
    # ReadBody: read at most plan.max_bytes + 1 bytes (more is core.too_large), then
    decision = core.decide(plan, body)
    # Forward: call the app with decision.body; Respond: answer it.

``decide`` runs the body's reader, computes the answer once and logs from that answer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from typing import cast

from .._core import Policy, Report
from .bodies import process
from .decisions import Decision, Forward, ReadBody, Respond
from .headers import content_kind
from .headers import content_length as declared_length
from .outcome import Outcome
from .responses import body_too_large, disallowed, field_too_large, unreadable
from .selectors import FieldRules

logger = logging.getLogger("htmlguard.middleware")

MODES = ("clean", "reject", "report")
#: What clean and report modes do with a body they cannot read (reject mode answers 400).
FAULT_ACTIONS = ("pass", "reject")
DEFAULT_METHODS = ("POST", "PUT", "PATCH")
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024


class RequestCore:
    """The middleware's options, checked once, and the decisions they lead to."""

    def __init__(
        self,
        *,
        fields: Mapping[str, str | Policy] | None = None,
        default_policy: str | Policy | None = None,
        paths: Iterable[str] | None = None,
        methods: Iterable[str] = DEFAULT_METHODS,
        mode: str = "clean",
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        on_fault: str = "pass",
    ) -> None:
        self.rules = FieldRules(fields, default_policy)
        if isinstance(paths, str):
            paths = (paths,)
        globs: tuple[object, ...] | None
        try:
            globs = None if paths is None else tuple(paths)
        except TypeError:  # not iterable
            globs = (paths,)
        if globs is not None and not all(isinstance(p, str) for p in globs):
            raise TypeError(f"paths must be an iterable of str globs, got {paths!r}")
        self.paths = cast("tuple[str, ...] | None", globs)
        methods = (methods,) if isinstance(methods, str) else tuple(methods)
        if not all(isinstance(m, str) for m in methods):  # a TypeError, not an AttributeError
            raise TypeError(f"methods must be an iterable of str, got {methods!r}")
        self.methods = frozenset(m.upper() for m in methods)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.mode = mode
        if on_fault not in FAULT_ACTIONS:
            raise ValueError(
                f"on_fault must be one of {', '.join(FAULT_ACTIONS)}, got {on_fault!r}"
            )
        self.on_fault = on_fault
        if not isinstance(max_body_bytes, int) or max_body_bytes < 0:
            raise ValueError(f"max_body_bytes must be an int >= 0, got {max_body_bytes!r}")
        self.max_body_bytes = max_body_bytes
        #: The answer to a body over ``max_body_bytes`` (the rest of it is not read).
        self.too_large = body_too_large(max_body_bytes)
        # Nothing selected means nothing to do: every request passes unread.
        self.active = bool(self.rules)
        try:  # fail at start-up, not on the first multipart request
            import python_multipart  # noqa: F401
        except ImportError as e:  # pragma: no cover - the extra installs it
            raise ImportError(
                "htmlguard's request middleware needs python-multipart: "
                "pip install 'htmlguard[middleware]'"
            ) from e

    # ------------------------------------------------------------ before the body

    def plan(
        self,
        method: str,
        path: str,
        content_type: str | None,
        content_length: str | bytes | None,
        *,
        stream_ends: bool,
    ) -> ReadBody | Respond | None:
        """Whether to read this request's body: None passes it on unread, a Respond answers
        it unread, a ReadBody says how to read it.

        `content_length` is the raw header (str or bytes; absent, empty or invalid means
        none). `stream_ends` says the server ends the body stream itself (ASGI, or WSGI with
        ``wsgi.input_terminated``): only then can a body without a length be read at all.
        """
        kind = self._kind(method, path, content_type)
        if kind is None or content_type is None:
            return None
        length = declared_length(content_length)
        if length == 0:  # no body: nothing to look at, and nothing malformed to reject
            return None
        if length is not None and length > self.max_body_bytes:
            return self.too_large
        if length is None and not stream_ends:
            # No length and no guarantee the stream ends (PEP 3333): nothing to read.
            return None
        return ReadBody(method, path, kind, content_type, length, self.max_body_bytes)

    def _kind(self, method: str, path: str, content_type: str | None) -> str | None:
        """The body kind to read for this request, or None to pass it through unread."""
        if not self.active or method.upper() not in self.methods:
            return None
        if self.paths is not None and not any(
            fnmatchcase(candidate, p) for candidate in _path_forms(path) for p in self.paths
        ):
            return None
        return content_kind(content_type)

    # ------------------------------------------------------------ with the body

    def decide(self, plan: ReadBody, body: bytes) -> Decision:
        """What to do with the request now that its body is read (the whole of it)."""
        if len(body) > plan.max_bytes:  # an adapter that got the body whole, unbounded
            return self.too_large
        outcome = process(plan.kind, plan.content_type, body, self.rules, self.mode)
        answer = self._answer(outcome)
        self._log(plan, outcome, answer)
        if answer is not None:
            return answer
        new = outcome.body if outcome.body is not None else body
        return Forward(
            new,
            reframed=outcome.body is not None or plan.length is None,
            reports=dict(outcome.reports) if self.mode == "report" else None,
        )

    def _answer(self, outcome: Outcome) -> Respond | None:
        """The response to give instead of calling the app, if any."""
        if outcome.too_large and self.mode != "report":
            # Too large for its policy to clean or inspect: never handed on dirty.
            return field_too_large(outcome.fault)
        if outcome.ambiguous and self.mode != "report":
            # Passing it on could hand the app, whose parser reads it another way, a
            # selected field uncleaned.
            return _rejection(outcome)
        if outcome.fault is not None and (self.mode == "reject" or self.on_fault == "reject"):
            return _rejection(outcome)
        if outcome.reports and self.mode == "reject":
            return _rejection(outcome)
        return None

    def _log(self, plan: ReadBody, outcome: Outcome, answer: Respond | None) -> None:
        method, path = plan.method, plan.path
        if outcome.fault is not None:
            action = "rejected" if answer is not None else "passed through unchanged"
            logger.warning("%s %s: body %s: %s", method, path, action, outcome.fault)
        for name, report in outcome.reports.items():
            logger.warning("%s %s: field %r: %s", method, path, name, _would_remove(report))


def _would_remove(report: Report) -> str:
    """The report's summary ("removed 1 tag (<script>)") as what sanitizing *would* do:
    reports exist only in report and reject modes, which never change a value."""
    summary, done = str(report), "removed "
    return "would remove " + summary[len(done) :] if summary.startswith(done) else summary


def _rejection(outcome: Outcome) -> Respond:
    if outcome.fault is not None:
        return unreadable(outcome.fault)
    return disallowed(outcome.reports)


def _path_forms(path: str) -> tuple[str, ...]:
    """The path as sent and as a router may read it (repeated slashes merged, `.` and `..`
    resolved): a request is selected if either form matches, so `//api/x` cannot slip past
    a `/api/*` glob."""
    parts: list[str] = []
    for seg in path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if parts:
                parts.pop()
            continue
        parts.append(seg)
    normal = "/" + "/".join(parts) + ("/" if path.endswith("/") and parts else "")
    return (path,) if normal == path else (path, normal)
