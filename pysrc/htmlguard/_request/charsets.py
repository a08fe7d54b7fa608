"""Form charsets: which ones can be trusted, and decoding that keeps invalid bytes."""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

from .outcome import Fault

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


def decode(raw: bytes, charset: str) -> tuple[str, bool]:
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


def encode(text: str, charset: str, kept: bool) -> bytes:
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


def charset(name: str | tuple[str | None, str | None, str] | None, default: str) -> str:
    """The codec for a declared charset (or `default`); a Fault for one that is unknown or
    that frameworks would not all read the same way."""
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
