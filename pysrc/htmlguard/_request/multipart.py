"""``multipart/form-data`` bodies: text parts of selected fields are cleaned in place; the
boundary, preamble, epilogue, part headers, file parts and every other part are kept
byte for byte."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes

from .charsets import charset, decode, encode
from .headers import declared_once, params
from .outcome import Fault, Values
from .selectors import FieldRules

_RFC2231_NAME = re.compile(rb"(?i)(?:^|;)\s*(?:file)?name\*\s*=")
_NAME = re.compile(rb'(?i)\bname(\*?)\s*=\s*(?:"([^"]*)"|([^\s;]+))')


def read(body: bytes, content_type: str, rules: FieldRules, values: Values) -> bytes | None:
    """The rewritten body, or None when no value changed."""
    from python_multipart.multipart import parse_options_header

    declared_once(content_type, "boundary")
    boundary = params(content_type).get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise Fault("multipart body without a boundary")
    b = boundary.encode("latin-1", "replace")
    start = _first_delimiter(body, b)
    _delimiters_are_strict(body, b)
    parts = _parse_parts(body, b, start)
    spans = _part_spans(body, b, start, len(parts))
    if len(spans) != len(parts) or any(
        body[s:e] != p.data for (s, e), p in zip(spans, parts, strict=True)
    ):
        raise Fault("malformed multipart body: parts do not line up with their delimiters")
    # Browsers name the charset of text fields in a `_charset_` field when asked to.
    default_charset = "utf-8"
    fields: list[tuple[str, bytes, tuple[int, int], bytes | None]] = []
    for part, span in zip(parts, spans, strict=True):
        if part.repeated:
            raise Fault(f"a part repeats its {part.repeated.decode()} header", ambiguous=True)
        raw_disposition = part.headers.get(b"content-disposition", b"")
        _, options = parse_options_header(raw_disposition)
        if _RFC2231_NAME.search(raw_disposition):
            # RFC 2231 names: python-multipart ignores them, Werkzeug and Django decode them.
            raise Fault("a part names itself with RFC 2231 (name*= or filename*=)", ambiguous=True)
        if b"filename" in options or b"name" not in options:
            continue  # a file, or not a form field: never touched
        # Whatever its Content-Type, a part without a filename is a text field to the app's
        # parser (python-multipart, Werkzeug, Django), so it is looked at too.
        _, ct_options = parse_options_header(part.headers.get(b"content-type", b""))
        name = _header_text(options[b"name"])
        if name == "_charset_":
            default_charset = charset(bytes(part.data).decode("ascii", "replace"), "utf-8")
        fields.append((name, bytes(part.data), span, ct_options.get(b"charset")))
    out: list[bytes] = []
    pos = 0
    for name, data, (s, e), part_charset in fields:
        policy = rules.form(name)
        if policy is None:
            continue
        codec = charset(part_charset.decode("latin-1") if part_charset else None, default_charset)
        text, kept = decode(data, codec)
        new = values.handle(name, policy, text)
        if new is not None:
            out += [body[pos:s], encode(new, codec, kept)]
            pos = e
    if not out:
        return None
    out.append(body[pos:])
    return b"".join(out)


def field_names(body: bytes) -> list[bytes]:
    """Every ``name=`` anywhere in the body (RFC 2231 ones decoded), read as leniently as any
    framework might (for a body ``read`` refused)."""
    names: list[bytes] = []
    for m in _NAME.finditer(body):
        raw = m.group(2) if m.group(2) is not None else m.group(3)
        if m.group(1):  # RFC 2231: charset'language'percent-encoded
            raw = unquote_to_bytes(raw.rsplit(b"'", 1)[-1])
        names.append(raw)
    return names


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    data: bytearray = field(default_factory=bytearray)
    #: A header that appeared twice (Content-Disposition or Content-Type), if any.
    repeated: bytes = b""


def _first_delimiter(body: bytes, boundary: bytes) -> int:
    """Where the first delimiter line starts: after the preamble, if there is one."""
    delimiter = b"--" + boundary
    if body.startswith(delimiter):
        return 0
    pos = body.find(b"\r\n" + delimiter)
    if pos < 0:
        raise Fault("malformed multipart body: no boundary")
    return pos + 2


def _parse_parts(body: bytes, boundary: bytes, start: int) -> list[_Part]:
    """The parts as python-multipart reads them (headers and data)."""
    from python_multipart.exceptions import MultipartParseError
    from python_multipart.multipart import MultipartParser

    parts: list[_Part] = []
    header: list[bytes] = [b"", b""]

    def on_part_begin() -> None:
        parts.append(_Part())

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header[0] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header[1] += data[start:end]

    def on_header_end() -> None:
        key = header[0].strip().lower()
        if key in parts[-1].headers and key in (b"content-disposition", b"content-type"):
            parts[-1].repeated = key  # parsers disagree on which one counts
        parts[-1].headers[key] = header[1].strip()
        header[0] = header[1] = b""

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1].data += data[start:end]

    ended: list[bool] = []
    callbacks: Any = {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_part_data": on_part_data,
        "on_end": lambda: ended.append(True),
    }
    # Limits well above what browsers send: a part this parser refused but the app's
    # parser accepted would reach the app unread.
    parser = MultipartParser(boundary, callbacks, max_header_count=256, max_header_size=1 << 16)
    try:
        # python-multipart refuses a preamble (RFC 2046 allows one; other parsers accept it).
        parser.write(body[start:])
        parser.finalize()
    except MultipartParseError as e:
        raise Fault(f"malformed multipart body: {e}") from None
    if not ended:
        raise Fault("malformed multipart body: no closing boundary")
    return parts


def _part_spans(body: bytes, boundary: bytes, first: int, count: int) -> list[tuple[int, int]]:
    """Where each part's data lies in `body`, found by the delimiters (RFC 2046)."""
    delimiter = b"--" + boundary
    spans: list[tuple[int, int]] = []
    pos = first
    while pos >= 0 and len(spans) < count:
        after = pos + len(delimiter)
        if body.startswith(b"--", after):
            break
        line_end = body.find(b"\r\n", after)
        if line_end < 0:
            break
        # An empty header block ends right where the delimiter line does.
        headers_end = body.find(b"\r\n\r\n", line_end)
        if headers_end < 0:
            break
        start = headers_end + 4
        end = body.find(b"\r\n" + delimiter, start)
        if end < 0:
            break
        spans.append((start, end))
        pos = end + 2
    return spans


def _delimiters_are_strict(body: bytes, boundary: bytes) -> None:
    """A `--boundary` at the start of a line must follow CRLF (RFC 2046). Werkzeug also
    takes a bare LF or CR there, so a body with one could hide a field from
    python-multipart; a body that has one is refused."""
    delimiter = b"--" + boundary
    pos = body.find(delimiter, 1)  # the preamble included: a lenient parser may start there
    while pos >= 0:
        if body[pos - 1 : pos] in (b"\r", b"\n") and body[pos - 2 : pos] != b"\r\n":
            raise Fault("a multipart delimiter follows a bare CR or LF", ambiguous=True)
        pos = body.find(delimiter, pos + 1)


def _header_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
