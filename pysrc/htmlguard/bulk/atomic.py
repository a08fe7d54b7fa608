"""Durable files: a checkpoint replaced atomically, output renamed into place.

Each is written to a sibling file, flushed and fsynced, then renamed over its target, and
the directory is fsynced so the rename itself survives a crash: a reader sees the old file
or the new one, never a half-written one.
"""

from __future__ import annotations

import os
from pathlib import Path


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace(src: Path, dest: Path) -> None:
    """Rename `src` (already fsynced) over `dest`, durably."""
    os.replace(src, dest)
    fsync_dir(dest.parent)


def write_atomic(path: Path, data: bytes) -> None:
    """`path` holds `data` entirely, or what it held before."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    replace(tmp, path)


def remove(path: Path) -> None:
    path.unlink(missing_ok=True)
