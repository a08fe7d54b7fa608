"""Transparent huge pages, off for the process while a Parquet job runs.

pyarrow's allocator asks the kernel for transparent huge pages on its arenas, gives each
batch's buffers back when the batch is done and takes them again for the next one, so the
kernel zeroes fresh 2 MiB pages for every batch. A Parquet job of 100,000 posts with two
workers took 6.43 CPU s with huge pages and 4.79 without, 3.71 s and 2.88 s of wall time
(medians of 6 paired runs, 2026-12-04). Sanitizing is not affected (htmlguard's own
allocator never asks for huge pages).

Linux's ``prctl(PR_SET_THP_DISABLE)`` is per process: every thread of the process, and
only pages faulted in from then on. The setting the process had is put back when the last
job running in it ends. Elsewhere (another system, or a kernel refusing), nothing is done.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_PR_SET_THP_DISABLE = 41
_PR_GET_THP_DISABLE = 42

_lock = threading.Lock()
_jobs = 0  # jobs running with huge pages off
_before = 0  # the process's setting when the first of them started


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        f = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    f.restype = ctypes.c_int
    return f


def disabled() -> bool | None:
    """Whether this process has transparent huge pages turned off (None: not Linux)."""
    prctl = _prctl()
    if prctl is None:
        return None
    state = prctl(_PR_GET_THP_DISABLE, 0, 0, 0, 0)
    return None if state < 0 else bool(state)


@contextmanager
def off() -> Iterator[None]:
    """Transparent huge pages off for the process inside the block (see the module)."""
    global _jobs, _before
    prctl = _prctl()
    if prctl is None:
        yield
        return
    with _lock:
        if _jobs == 0:
            _before = max(prctl(_PR_GET_THP_DISABLE, 0, 0, 0, 0), 0)
            prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0)
        _jobs += 1
    try:
        yield
    finally:
        with _lock:
            _jobs -= 1
            if _jobs == 0:
                prctl(_PR_SET_THP_DISABLE, _before, 0, 0, 0)
