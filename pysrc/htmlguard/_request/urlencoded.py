"""``application/x-www-form-urlencoded`` bodies: only a changed value's bytes are replaced."""

from __future__ import annotations

from urllib.parse import quote_plus, unquote_to_bytes

from .charsets import charset, decode, encode
from .headers import declared_once, params
from .outcome import Values
from .selectors import FieldRules


def read(body: bytes, content_type: str, rules: FieldRules, values: Values) -> bytes | None:
    """The rewritten body, or None when no value changed."""
    declared_once(content_type, "charset")
    codec = charset(params(content_type).get_param("charset"), "utf-8")
    pieces = body.split(b"&")
    changed = False
    for i, piece in enumerate(pieces):
        raw_name, eq, raw_value = piece.partition(b"=")
        if not piece:
            continue
        name = unquote_to_bytes(raw_name.replace(b"+", b" ")).decode(codec, "replace")
        policy = rules.form(name)
        if policy is None:
            continue
        text, kept = decode(unquote_to_bytes(raw_value.replace(b"+", b" ")), codec)
        new = values.handle(name, policy, text)
        if new is not None:
            pieces[i] = raw_name + b"=" + quote_plus(encode(new, codec, kept)).encode("ascii")
            changed = True
    return b"&".join(pieces) if changed else None


def field_names(body: bytes) -> list[bytes]:
    """Every field name, read as leniently as any framework might (for a body ``read``
    refused)."""
    return [
        unquote_to_bytes(piece.partition(b"=")[0].replace(b"+", b" ")) for piece in body.split(b"&")
    ]
