"""Sanitizing files as streams: read in chunks, fed to the core's ``_Stream``, the output
written as it comes; and writing a file atomically (a temporary file renamed over it).

Memory stays near the distance between the document's exact cut points (see
``rust/engine/stream.rs``) instead of several times the file, and the output is
byte-identical to ``policy.sanitize(whole document)``.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator
from typing import BinaryIO, Literal, Protocol

from htmlguard import _core

__all__ = [
    "CHUNK_BYTES",
    "TEMP_SUFFIX",
    "Errors",
    "Readable",
    "atomic_writer",
    "remove_stale_temps",
    "sanitize_stream",
]

#: Bytes read at a time. Large enough that a call into the core costs nothing next to the
#: work, small next to the memory the document would take.
CHUNK_BYTES = 1 << 20

#: How every temporary file this module writes ends: ``.NAME.PID.RANDOM.htmlguard-tmp``
#: beside its destination (hidden, and matching no ``*.html`` pattern).
TEMP_SUFFIX = ".htmlguard-tmp"
_TEMP_NAME = re.compile(r"^\..*\.(\d+)\.[^.]+" + re.escape(TEMP_SUFFIX) + "$")

#: What invalid UTF-8 in the input does: fail (``InvalidUTF8Error``) or become U+FFFD.
Errors = Literal["strict", "replace"]


class Readable(Protocol):
    """What :func:`sanitize_stream` reads: a binary file, or anything with its ``read``."""

    def read(self, n: int, /) -> bytes: ...


def sanitize_stream(
    policy: str | _core.Policy,
    src: Readable,
    write: Callable[[bytes], object],
    *,
    errors: Errors = "strict",
    progress: Callable[[int], object] | None = None,
    chunk_bytes: int = CHUNK_BYTES,
) -> None:
    """Read ``src`` to its end in chunks and ``write`` its sanitized HTML (UTF-8) piece by
    piece; ``progress(n)`` is called after each chunk of ``n`` bytes. Raises what the core
    raises (``InvalidUTF8Error``, ``InputTooLargeError``) and ``OSError`` from reading or
    writing; what was written before then is a prefix of the output."""
    stream = _core._Stream(policy, errors=errors)
    while data := src.read(chunk_bytes):
        out = stream.feed(data)
        if out:
            write(out)
        if progress is not None:
            progress(len(data))
    out = stream.finish()
    if out:
        write(out)


def _alive(pid: int) -> bool:
    # On Windows os.kill ends the process whatever the signal: every writer counts as
    # alive there, and its files are only ignored.
    if pid == os.getpid() or os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process
        return True
    return True


def remove_stale_temps(directory: str) -> list[str]:
    """Delete the temporary files an interrupted run (its process gone) left in
    ``directory``; return their paths. A running writer's files are left alone."""
    removed: list[str] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP_NAME.match(entry.name)
        if m is None or _alive(int(m.group(1))):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(entry.path)
    return removed


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_writer(dest: str) -> Iterator[BinaryIO]:
    """A binary file that becomes ``dest`` when the block ends without an exception, in
    one rename: readers see the old file or the new one, never a part. On an exception,
    or if the process dies, ``dest`` is untouched (a dead process's temporary file is
    removed by :func:`remove_stale_temps`). An existing ``dest`` keeps its mode (and
    owner, where allowed); a new one gets the mode ``open()`` would give it."""
    directory = os.path.dirname(dest) or "."
    try:
        old: os.stat_result | None = os.stat(dest)
    except FileNotFoundError:
        old = None
    fd, tmp = tempfile.mkstemp(
        prefix=f".{os.path.basename(dest)}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=directory
    )
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.chmod(tmp, stat.S_IMODE(old.st_mode) if old is not None else _new_file_mode())
            if old is not None and hasattr(os, "fchown"):
                if (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
                    with contextlib.suppress(OSError):
                        os.fchown(f.fileno(), old.st_uid, old.st_gid)
            # On disk before the rename, so a crash cannot leave an empty file in its place.
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
