"""Output kept out of the page cache once it is on disk.

A bulk job writes gigabytes it does not read back (only a run resuming after a crash reads
its staging file). Left cached, every batch is written into pages the kernel must find
afresh: on a virtual machine whose memory the host hands out on first touch, copying a
20 MB batch into new pages cost about 90 ms of CPU, into recycled ones about 12 ms
(measured 2026-12-04; a million-post Parquet job went from 40-45 to 32 CPU s). Releasing
each batch once it is written lets the next one reuse its pages, and spares the cache the
user's other files hold.
"""

from __future__ import annotations

import os


def release(fd: int, offset: int = 0, length: int = 0) -> None:
    """Drop the cached pages of `fd` from `offset` for `length` bytes (0: to the end) that
    are already on disk, and start writing the others (which a later call then drops).
    Nothing where the system has no ``posix_fadvise`` (macOS, Windows)."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is not None:
        advise(fd, offset, length, os.POSIX_FADV_DONTNEED)
