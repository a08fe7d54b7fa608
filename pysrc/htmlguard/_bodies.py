"""Request bodies: find the selected text values, clean or inspect them, rebuild the body.

Everything the rules do not select is kept byte for byte: only the bytes of a changed value
are replaced. Anything this module cannot read (an unknown charset, malformed multipart or
JSON) is reported as a fault and the caller decides (pass through, or 400 in reject mode).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus, unquote_to_bytes

from ._core import Policy, Report
from ._selectors import FieldRules
from .errors import InputTooLargeError

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


def _params(content_type: str) -> Message:
    m = Message()
    m["content-type"] = content_type
    return m


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


# ---------------------------------------------------------------- values


#: Bytes that are invalid in the body's charset are carried through sanitizing as these
#: private-use characters (one per byte) and turned back into the same bytes afterwards, so
#: a field is cleaned without changing bytes the app will have to deal with itself.
_KEEP_BASE = 0xF700
_KEPT = re.compile("[\uf700-\uf7ff]")


def _keep_bytes(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeDecodeError):
        raise err
    bad = err.object[err.start : err.end]
    return "".join(chr(_KEEP_BASE + b) for b in bad), err.end


codecs.register_error("htmlguard-keep-bytes", _keep_bytes)


def _decode(raw: bytes, charset: str) -> tuple[str, bool]:
    """The text, and whether invalid bytes were kept as private-use characters."""
    try:
        return raw.decode(charset), False
    except UnicodeDecodeError:
        text = raw.decode(charset, "htmlguard-keep-bytes")
        valid_part = raw.decode(charset, "ignore")
        if _KEPT.search(valid_part):
            # The valid text already holds these characters: the mapping would be ambiguous.
            raise Fault(f"invalid {charset} in a value that also holds U+F700-U+F7FF") from None
        return text, True


def _encode(text: str, charset: str, kept: bool) -> bytes:
    # Sanitizing can bring characters the charset lacks (`&euro;` decoded, U+FFFD for a NUL):
    # they become character references, which mean the same in HTML. Refusing them would be
    # a fault, and a fault passes the whole body through uncleaned.
    if not kept:
        return text.encode(charset, "xmlcharrefreplace")
    out = bytearray()
    pos = 0
    for m in _KEPT.finditer(text):
        out += text[pos : m.start()].encode(charset, "xmlcharrefreplace")
        out.append(ord(m.group()) - _KEEP_BASE)
        pos = m.end()
    out += text[pos:].encode(charset, "xmlcharrefreplace")
    return bytes(out)


class _Values:
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


# ---------------------------------------------------------------- urlencoded


def _form(body: bytes, content_type: str, rules: FieldRules, values: _Values) -> bytes | None:
    _declared_once(content_type, "charset")
    charset = _charset(_params(content_type).get_param("charset"), "utf-8")
    pieces = body.split(b"&")
    changed = False
    for i, piece in enumerate(pieces):
        raw_name, eq, raw_value = piece.partition(b"=")
        if not piece:
            continue
        name = unquote_to_bytes(raw_name.replace(b"+", b" ")).decode(charset, "replace")
        policy = rules.form(name)
        if policy is None:
            continue
        text, kept = _decode(unquote_to_bytes(raw_value.replace(b"+", b" ")), charset)
        new = values.handle(name, policy, text)
        if new is not None:
            pieces[i] = raw_name + b"=" + quote_plus(_encode(new, charset, kept)).encode("ascii")
            changed = True
    return b"&".join(pieces) if changed else None


def _charset(name: str | tuple[str | None, str | None, str] | None, default: str) -> str:
    if isinstance(name, tuple):  # RFC 2231 form
        name = name[2]
    name = (name or default).strip()
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise Fault(f"unknown charset {name!r}") from None
    if not _ascii_transparent(codec):
        # Werkzeug and Starlette read form data as UTF-8 whatever the declared charset;
        # Django follows it. Under UTF-16, UTF-7 or a multi-byte charset the two readings
        # can disagree on where markup is, so neither can be trusted for the other.
        raise Fault(f"charset {name!r} does not keep ASCII as ASCII", ambiguous=True)
    return codec


@lru_cache(maxsize=64)
def _ascii_transparent(codec: str) -> bool:
    """UTF-8, or a single-byte charset that decodes every ASCII byte to itself: any reading
    of the bytes (this one, or UTF-8 by a framework that ignores the charset) then puts
    `<`, `>`, quotes and `&` in the same places."""
    if codec in ("utf-8", "ascii"):
        return True
    if codec in ("utf-7", "hz") or codec.startswith("iso2022"):
        return False  # escape sequences switch ASCII bytes to other characters
    try:
        text = bytes(range(256)).decode(codec, "replace")
    except (LookupError, UnicodeError, TypeError):
        return False
    return len(text) == 256 and text[:128] == "".join(map(chr, range(128)))


def _declared_once(content_type: str, param: str) -> None:
    """Two values for one parameter: parsers disagree on which one counts."""
    if len(re.findall(rf"(?i)(?:^|;)\s*{param}\*?\s*=", content_type)) > 1:
        raise Fault(f"Content-Type declares {param} more than once", ambiguous=True)


_RFC2231_NAME = re.compile(rb"(?i)(?:^|;)\s*(?:file)?name\*\s*=")
_NAME = re.compile(rb'(?i)\bname(\*?)\s*=\s*(?:"([^"]*)"|([^\s;]+))')


def _mentions_selected_field(kind: str, body: bytes, rules: FieldRules) -> bool:
    """Whether a body this module could not read names a field the rules select, read as
    leniently as any framework might. Such a body is refused rather than passed on."""
    if kind == JSON:
        return False  # JSON parsers agree; one that cannot read it, no framework reads
    if kind == FORM:
        names = [
            unquote_to_bytes(piece.partition(b"=")[0].replace(b"+", b" "))
            for piece in body.split(b"&")
        ]
    else:
        names = []
        for m in _NAME.finditer(body):
            raw = m.group(2) if m.group(2) is not None else m.group(3)
            if m.group(1):  # RFC 2231: charset'language'percent-encoded
                raw = unquote_to_bytes(raw.rsplit(b"'", 1)[-1])
            names.append(raw)
    return any(
        rules.form(raw.decode(codec, "replace")) is not None
        for raw in names
        for codec in ("utf-8", "latin-1")
    )


# ---------------------------------------------------------------- multipart


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


def _multipart(body: bytes, content_type: str, rules: FieldRules, values: _Values) -> bytes | None:
    from python_multipart.multipart import parse_options_header

    _declared_once(content_type, "boundary")
    boundary = _params(content_type).get_param("boundary")
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
            raise Fault("a part names itself with RFC 2231 (name*= or filename*=)",
                        ambiguous=True)
        if b"filename" in options or b"name" not in options:
            continue  # a file, or not a form field: never touched
        # Whatever its Content-Type, a part without a filename is a text field to the app's
        # parser (python-multipart, Werkzeug, Django), so it is looked at too.
        _, ct_options = parse_options_header(part.headers.get(b"content-type", b""))
        name = _header_text(options[b"name"])
        if name == "_charset_":
            default_charset = _charset(bytes(part.data).decode("ascii", "replace"), "utf-8")
        fields.append((name, bytes(part.data), span, ct_options.get(b"charset")))
    out: list[bytes] = []
    pos = 0
    for name, data, (s, e), part_charset in fields:
        policy = rules.form(name)
        if policy is None:
            continue
        charset = _charset(
            part_charset.decode("latin-1") if part_charset else None, default_charset
        )
        text, kept = _decode(data, charset)
        new = values.handle(name, policy, text)
        if new is not None:
            out += [body[pos:s], _encode(new, charset, kept)]
            pos = e
    if not out:
        return None
    out.append(body[pos:])
    return b"".join(out)


def _header_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


# ---------------------------------------------------------------- JSON


class _Raw(str):
    """A JSON number or constant, kept as its original text."""


class _Object(list[tuple[str, Any]]):
    """A JSON object as its (key, value) pairs, in order.

    Not a dict: a repeated key would keep only its last value, and the others would pass
    unlooked-at (in the original bytes, when nothing else changes) to a parser that takes
    the first, or be dropped from a rewritten document.
    """


def _json(body: bytes, rules: FieldRules, values: _Values) -> bytes | None:
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


# ---------------------------------------------------------------- entry point

_READERS: dict[str, Callable[[bytes, str, FieldRules, _Values], bytes | None]] = {
    FORM: _form,
    MULTIPART: _multipart,
    JSON: lambda body, _ct, rules, values: _json(body, rules, values),
}


def process(kind: str, content_type: str, body: bytes, rules: FieldRules, mode: str) -> Outcome:
    """Clean (``mode="clean"``) or inspect the selected values of one body."""
    outcome = Outcome()
    if not body:  # no body is not a malformed one (an empty JSON body is no JSON at all)
        return outcome
    try:
        new = _READERS[kind](body, content_type, rules, _Values(mode, outcome))
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
