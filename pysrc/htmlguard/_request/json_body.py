"""JSON bodies (``application/json``, ``*/*+json``): strings at selected dotted paths.

When nothing changes the original bytes are kept; when something does, the document is
written again (UTF-8) with the same keys, repeated keys, order, numbers (their original
text) and literals.
"""

from __future__ import annotations

import json
from typing import Any

from .outcome import Fault, Values
from .selectors import FieldRules


def read(body: bytes, content_type: str, rules: FieldRules, values: Values) -> bytes | None:
    """The rewritten body, or None when no value changed (`content_type` is not needed:
    JSON is UTF-8)."""
    try:
        doc = json.loads(
            body,
            parse_float=_Raw,
            parse_int=_Raw,
            parse_constant=_Raw,
            object_pairs_hook=_Object,
        )
    except (ValueError, RecursionError) as e:
        raise Fault(f"malformed JSON body: {e}") from None
    if isinstance(doc, str) and not isinstance(doc, _Raw):
        # A bare string: only a default policy can select it.
        policy = rules.json(())
        new = values.handle("$", policy, doc) if policy is not None else None
        return _utf8(_dump(new)) if new is not None else None
    if not isinstance(doc, list):  # a bare number or literal (`true` is not iterable)
        return None
    changed = False
    # Iterative, so a deeply nested document cannot exhaust the Python stack.
    stack: list[tuple[Any, tuple[str, ...]]] = [(doc, ())]
    while stack:
        node, path = stack.pop()
        is_object = isinstance(node, _Object)
        pairs = node if is_object else [(str(i), v) for i, v in enumerate(node)]
        for i, (key, value) in enumerate(pairs):
            sub = (*path, key)
            if isinstance(value, list):  # an array, or an object (_Object)
                stack.append((value, sub))
            elif isinstance(value, str) and not isinstance(value, _Raw):
                policy = rules.json(sub)
                if policy is None:
                    continue
                new = values.handle(".".join(sub), policy, value)
                if new is not None:
                    node[i] = (key, new) if is_object else new
                    changed = True
    return _utf8(_dump(doc)) if changed else None


class _Raw(str):
    """A JSON number or constant, kept as its original text."""


class _Object(list[tuple[str, Any]]):
    """A JSON object as its (key, value) pairs, in order.

    Not a dict: a repeated key would keep only its last value, and the others would pass
    unlooked-at (in the original bytes, when nothing else changes) to a parser that takes
    the first, or be dropped from a rewritten document.
    """


def _utf8(text: str) -> bytes:
    # A JSON "\ud800" escape reads as a lone surrogate, which UTF-8 cannot hold: it is
    # written back as the same escape, so an unselected string like it cannot make the
    # rewrite fail (a fault, which would pass the whole body through uncleaned).
    return text.encode("utf-8", "backslashreplace")


def _dump(doc: Any) -> str:
    """JSON text of `doc`, numbers and constants as they were read (iterative)."""
    out: list[str] = []
    todo: list[Any] = [doc]
    while todo:
        item = todo.pop()
        if isinstance(item, _Token):
            out.append(item.text)
        elif isinstance(item, _Raw):
            out.append(str.__str__(item))
        elif isinstance(item, str):
            out.append(json.dumps(item, ensure_ascii=False))
        elif item is None:
            out.append("null")
        elif item is True:
            out.append("true")
        elif item is False:
            out.append("false")
        elif isinstance(item, _Object):
            seq: list[Any] = [_Token("{")]
            for n, (k, v) in enumerate(item):
                seq += [_Token(("," if n else "") + json.dumps(k, ensure_ascii=False) + ":"), v]
            seq.append(_Token("}"))
            todo.extend(reversed(seq))
        elif isinstance(item, list):
            seq = [_Token("[")]
            for n, v in enumerate(item):
                if n:
                    seq.append(_Token(","))
                seq.append(v)
            seq.append(_Token("]"))
            todo.extend(reversed(seq))
        else:  # pragma: no cover - json.loads produces nothing else
            raise TypeError(type(item))
    return "".join(out)


class _Token:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text
