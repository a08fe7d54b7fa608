"""What reading one body found, and the mode applied to each selected value on the way."""

from __future__ import annotations

from dataclasses import dataclass, field

from .._core import Policy, Report
from ..errors import InputTooLargeError


@dataclass
class Outcome:
    """What processing one body found."""

    #: The rewritten body (clean mode, when a value changed); None: keep the original.
    body: bytes | None = None
    #: Field → report, for every selected value that is not clean (report/reject modes).
    reports: dict[str, Report] = field(default_factory=dict)
    #: Why the body could not be read; None when it could.
    fault: str | None = None
    #: A value exceeds its policy's ``max_input_bytes`` (answered 413, never passed dirty).
    too_large: bool = False
    #: The app's parser may read this body differently from ours, in a way that would hand
    #: it a selected field uncleaned: never passed on in clean or reject mode (400).
    ambiguous: bool = False


class Fault(Exception):
    """The body cannot be read as its content type says."""

    def __init__(self, message: str, *, ambiguous: bool = False) -> None:
        super().__init__(message)
        self.ambiguous = ambiguous


class ValueTooLarge(Fault):
    """A selected value is larger than its policy's ``max_input_bytes``."""


class Values:
    """Applies the mode to each selected value and collects the reports."""

    def __init__(self, mode: str, outcome: Outcome) -> None:
        self.clean = mode == "clean"
        self.outcome = outcome

    def handle(self, key: str, policy: Policy, text: str) -> str | None:
        """The replacement text (clean mode), or None to keep the value."""
        try:
            if self.clean:
                out = policy.sanitize(text)
                return out if out != text else None
            report = policy.inspect(text)
        except InputTooLargeError as e:
            raise ValueTooLarge(f"field {key!r}: {e}") from None
        if report.total:
            name, k = key, 2
            while name in self.outcome.reports:  # a repeated field name
                name, k = f"{key}[{k}]", k + 1
            self.outcome.reports[name] = report
        return None
