"""What the WSGI and ASGI middleware share: options, request selection, responses, logs."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from typing import Generic, TypeVar

from ._core import Policy
from ._request.bodies import process
from ._request.headers import content_kind
from ._request.outcome import Outcome
from ._request.selectors import FieldRules

logger = logging.getLogger("htmlguard.middleware")

MODES = ("clean", "reject", "report")
#: What clean and report modes do with a body they cannot read (reject mode answers 400).
FAULT_ACTIONS = ("pass", "reject")


class Guard:
    """The middleware's configuration, checked once when the middleware is built."""

    def __init__(
        self,
        *,
        fields: Mapping[str, str | Policy] | None,
        default_policy: str | Policy | None,
        paths: Iterable[str] | None,
        methods: Iterable[str],
        mode: str,
        max_body_bytes: int,
        on_fault: str = "pass",
    ) -> None:
        self.rules = FieldRules(fields, default_policy)
        if isinstance(paths, str):
            paths = (paths,)
        self.paths = None if paths is None else tuple(paths)
        if self.paths is not None and not all(isinstance(p, str) for p in self.paths):
            raise TypeError(f"paths must be an iterable of str globs, got {paths!r}")
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
        # Nothing selected means nothing to do: every request passes unread.
        self.active = bool(self.rules)
        try:  # fail at start-up, not on the first multipart request
            import python_multipart  # noqa: F401
        except ImportError as e:  # pragma: no cover - the extra installs it
            raise ImportError(
                "htmlguard's request middleware needs python-multipart: "
                "pip install 'htmlguard[middleware]'"
            ) from e

    def kind(self, method: str, path: str, content_type: str | None) -> str | None:
        """The body kind to read for this request, or None to pass it through unread."""
        if not self.active or method.upper() not in self.methods:
            return None
        if self.paths is not None and not any(
            fnmatchcase(candidate, p) for candidate in _path_forms(path) for p in self.paths
        ):
            return None
        return content_kind(content_type)

    def process(self, kind: str, content_type: str, body: bytes) -> Outcome:
        return process(kind, content_type, body, self.rules, self.mode)

    # ------------------------------------------------------------ responses and logs

    def too_large(self) -> bytes:
        return _json_bytes(
            {"error": "request body too large", "max_body_bytes": self.max_body_bytes}
        )

    @staticmethod
    def rejection(outcome: Outcome) -> bytes:
        if outcome.fault is not None:
            return _json_bytes({"error": "unreadable request body", "detail": outcome.fault})
        return _json_bytes(
            {
                "error": "disallowed HTML",
                "fields": {
                    name: [
                        {"kind": r.kind, "tag": r.tag, "name": r.name, "value": r.value}
                        for r in report.removed
                    ]
                    for name, report in outcome.reports.items()
                },
            }
        )

    def answer(self, outcome: Outcome) -> tuple[int, bytes] | None:
        """The status and JSON body to answer instead of calling the app, if any."""
        if outcome.too_large and self.mode != "report":
            # Too large for its policy to clean or inspect: never handed on dirty.
            return 413, _json_bytes({"error": "field too large", "detail": outcome.fault})
        if outcome.ambiguous and self.mode != "report":
            # Passing it on could hand the app, whose parser reads it another way, a
            # selected field uncleaned.
            return 400, self.rejection(outcome)
        if outcome.fault is not None and (self.mode == "reject" or self.on_fault == "reject"):
            return 400, self.rejection(outcome)
        if outcome.reports and self.mode == "reject":
            return 400, self.rejection(outcome)
        return None

    def log(self, method: str, path: str, outcome: Outcome) -> None:
        if outcome.fault is not None:
            rejected = self.answer(outcome) is not None
            action = "rejected" if rejected else "passed through unchanged"
            logger.warning("%s %s: body %s: %s", method, path, action, outcome.fault)
        for name, report in outcome.reports.items():
            logger.warning("%s %s: field %r: %s", method, path, name, report)



AppT = TypeVar("AppT")


class GuardedApp(Generic[AppT]):
    """What the WSGI and ASGI middleware share: the wrapped app and the checked options."""

    def __init__(
        self,
        app: AppT,
        *,
        fields: Mapping[str, str | Policy] | None = None,
        default_policy: str | Policy | None = None,
        paths: Iterable[str] | None = None,
        methods: Iterable[str] = ("POST", "PUT", "PATCH"),
        mode: str = "clean",
        max_body_bytes: int = 10 * 1024 * 1024,
        on_fault: str = "pass",
    ) -> None:
        self.app = app
        self.guard = Guard(
            fields=fields,
            default_policy=default_policy,
            paths=paths,
            methods=methods,
            mode=mode,
            max_body_bytes=max_body_bytes,
            on_fault=on_fault,
        )

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


def _json_bytes(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


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
