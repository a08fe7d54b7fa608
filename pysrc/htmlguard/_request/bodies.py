"""One body, whatever its kind: the reader for it, and what its faults mean.

Everything the rules do not select is kept byte for byte: only the bytes of a changed value
are replaced. Anything a reader cannot read (an unknown charset, malformed multipart or
JSON) is reported as a fault and the core decides (pass through, or 400).
"""

from __future__ import annotations

from collections.abc import Callable

from . import json_body, multipart, urlencoded
from .headers import FORM, JSON, MULTIPART
from .outcome import Fault, Outcome, Values, ValueTooLarge
from .selectors import FieldRules

_READERS: dict[str, Callable[[bytes, str, FieldRules, Values], bytes | None]] = {
    FORM: urlencoded.read,
    MULTIPART: multipart.read,
    JSON: json_body.read,
}


def process(kind: str, content_type: str, body: bytes, rules: FieldRules, mode: str) -> Outcome:
    """Clean (``mode="clean"``) or inspect the selected values of one body."""
    outcome = Outcome()
    if not body:  # no body is not a malformed one (an empty JSON body is no JSON at all)
        return outcome
    try:
        new = _READERS[kind](body, content_type, rules, Values(mode, outcome))
    except ValueTooLarge as e:
        return Outcome(fault=str(e), too_large=True)
    except Fault as e:
        ambiguous = e.ambiguous or _mentions_selected_field(kind, body, rules)
        return Outcome(fault=str(e), ambiguous=ambiguous)
    except UnicodeError as e:  # an encoder refusing a cleaned value, for example
        return Outcome(fault=f"cannot re-encode a value: {e}")
    if mode == "clean" and new is not None and new != body:
        outcome.body = new
    return outcome


def _mentions_selected_field(kind: str, body: bytes, rules: FieldRules) -> bool:
    """Whether a body that could not be read names a field the rules select, read as
    leniently as any framework might. Such a body is refused rather than passed on."""
    if kind == JSON:
        return False  # JSON parsers agree; one that cannot read it, no framework reads
    names = urlencoded.field_names(body) if kind == FORM else multipart.field_names(body)
    return any(
        rules.form(raw.decode(codec, "replace")) is not None
        for raw in names
        for codec in ("utf-8", "latin-1")
    )
