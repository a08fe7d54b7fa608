"""Reading and committing beside sanitizing: a bulk job as three overlapping stages.

A job's batch is read, sanitized and committed (written, fsynced, checkpointed). Done one
after the other, the cores sanitizing wait for the disk and the decoder, and the decoder
waits for them. Here the next batches are read on one thread (:func:`read_ahead`) and the
finished ones committed on another (:class:`Committer`) while the calling thread sanitizes;
pyarrow's reading and writing and the file system's calls release the GIL, so the stages
overlap.

What does not change: batches are committed one at a time, in order, by one thread, so a
checkpoint still counts exactly the batches before it; a batch read ahead and not committed
when the job stops is read again by the next run. When the caller stops (an error, Ctrl-C),
the batches already handed to the committer are committed before the error goes on (each
is whole: losing one would only mean sanitizing it again), and the reader is stopped.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")
W = TypeVar("W")
R = TypeVar("R")

#: Batches read ahead of the one being sanitized, and waiting to be committed: two each
#: keeps every stage busy; more would only hold more rows in memory.
DEPTH = 2

_END = object()


class _Raised:
    def __init__(self, error: BaseException) -> None:
        self.error = error


@contextmanager
def read_ahead(items: Iterable[T], depth: int = DEPTH) -> Iterator[Iterator[T]]:
    """`items`, produced on a thread of their own up to `depth` ahead of the consumer
    (``depth=0``: on the consumer's thread, when the source may not change threads). An
    error while producing is raised to the consumer at that point of the sequence."""
    if depth == 0:
        it = iter(items)
        try:
            yield it
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()
        return
    q: queue.Queue[object] = queue.Queue(depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        it = iter(items)
        try:
            for item in it:
                if not put(item):
                    return
            put(_END)
        except BaseException as e:  # handed to the consumer, raised there
            put(_Raised(e))
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="htmlguard-bulk-read", daemon=True)
    thread.start()

    def consume() -> Iterator[T]:
        while True:
            item = q.get()
            if item is _END:
                return
            if isinstance(item, _Raised):
                raise item.error
            yield item  # type: ignore[misc]

    try:
        yield consume()
    finally:
        stop.set()
        thread.join()


class Committer(Generic[R]):
    """Runs submitted calls in order on one thread; their results come back through
    :meth:`finished` on the caller's thread (for progress reports). An error in a call
    stops the committer: later calls are not run, and the error is raised by the next
    :meth:`submit`, :meth:`finished` or :meth:`close`."""

    def __init__(self, depth: int = DEPTH) -> None:
        """``depth=0``: each call runs within :meth:`submit`, on the caller's thread."""
        self._inline = depth == 0
        self._todo: queue.Queue[Callable[[], R] | None] = queue.Queue(max(depth, 1))
        self._done: queue.Queue[R] = queue.Queue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="htmlguard-bulk-commit", daemon=True)
        if not self._inline:
            self._thread.start()

    def _run(self) -> None:
        while (call := self._todo.get()) is not None:
            if self._error is not None:
                continue  # drain: nothing after a failed commit may be committed
            try:
                self._done.put(call())
            except BaseException as e:  # raised on the caller's thread
                self._error = e

    def _raise(self) -> None:
        # The error stays set: a committer that failed stays stopped.
        if self._error is not None:
            raise self._error

    def submit(self, call: Callable[[], R]) -> None:
        self._raise()
        if self._inline:
            self._done.put(call())
        else:
            self._todo.put(call)

    def finished(self) -> list[R]:
        """The results of the calls finished since the last look, in order."""
        out: list[R] = []
        while True:
            try:
                out.append(self._done.get_nowait())
            except queue.Empty:
                break
        self._raise()
        return out

    def close(self) -> list[R]:
        """Wait for every submitted call; return the results not yet taken."""
        if self._thread.is_alive():
            self._todo.put(None)
            self._thread.join()
        return self.finished()

    def __enter__(self) -> Committer[R]:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        if e is None:
            return
        # Stopping on an error: commit what was handed over, then let `e` go on.
        try:
            self.close()
        except BaseException:
            if isinstance(e, Exception):
                raise


def run(
    items: Iterable[T],
    work: Callable[[T], W],
    commit: Callable[[T, W], R],
    done: Callable[[R], None],
    depth: int = DEPTH,
) -> None:
    """A job: each item read ahead (:func:`read_ahead`), ``work(item)`` on this thread,
    ``commit(item, result)`` in order on the committer's, and ``done`` of what each commit
    returns back on this thread (progress), in order. ``depth=0``: all on this thread."""
    with read_ahead(items, depth) as ahead, Committer[R](depth) as committer:
        for item in ahead:
            committer.submit(partial(commit, item, work(item)))
            for result in committer.finished():
                done(result)
        for result in committer.close():
            done(result)
