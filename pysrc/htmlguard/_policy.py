"""The async verbs. ``Policy.sanitize_async`` (in the core) returns :func:`sanitize_coroutine`."""

from __future__ import annotations

import asyncio
import atexit
import itertools
import types
import weakref
from collections.abc import Generator
from typing import Any

from htmlguard import _core
from htmlguard._core import Policy

__all__ = ["ASYNC_INLINE_BYTES", "Policy", "sanitize_async", "sanitize_coroutine"]

#: Inputs up to this many characters are sanitized inline by ``sanitize_async``: a thread
#: hand-off costs more than the work (tens of microseconds). Larger ones go to the core's
#: worker threads, with the GIL released, so the event loop keeps running.
ASYNC_INLINE_BYTES = 8 * 1024

#: After handing an input to the core's threads, the awaiting task looks for the answer on
#: each of the event loop's turns instead of sleeping until the answer rings: a loop asleep
#: on an idle CPU takes tens of microseconds to wake, on some VMs over a millisecond. It
#: looks for this long plus twice as long as the core expects the job to take (from the
#: pace of its recent jobs), at most ``ASYNC_POLL_MAX_SECONDS``. The price is CPU on the
#: loop's thread while it has nothing else to do, about as much as the job's own; inputs
#: that take longer are woken by the ring.
ASYNC_POLL_SECONDS = 0.0005
ASYNC_POLL_MAX_SECONDS = 0.005

# The core's background threads end before the interpreter is torn down.
atexit.register(_core._stop_background)


async def sanitize_coroutine(policy: Policy, html: str) -> str:
    """What ``policy.sanitize_async(html)`` awaits."""
    if not isinstance(html, str):
        raise TypeError(f"sanitize_async() expects str, got {type(html).__name__}")
    if len(html) <= ASYNC_INLINE_BYTES:
        return policy.sanitize(html)
    loop = asyncio.get_running_loop()
    inbox = _inbox(loop)
    if inbox is not None:
        key = next(inbox.keys)
        pending = policy._sanitize_soon(html, inbox.mailbox, key)
        if pending is not None:
            return await _answer(loop, inbox, key, pending)
    # No background thread (none could be started, or the program is exiting), or a loop
    # that cannot watch a file descriptor (Windows' proactor).
    return await loop.run_in_executor(None, policy.sanitize, html)


@types.coroutine
def _answer(
    loop: asyncio.AbstractEventLoop, inbox: _Inbox, key: int, pending: _core._Pending
) -> Generator[Any, None, str]:
    """The answer to the job ``key``: looked for on the loop's turns for a while (see
    ``ASYNC_POLL_SECONDS``), then slept for until the mailbox has the key."""
    window = min(ASYNC_POLL_SECONDS + 2 * pending.expected, ASYNC_POLL_MAX_SECONDS)
    until = loop.time() + window
    while True:
        yield  # a bare yield: the task runs again on the loop's next turn
        html = pending.answer()
        if html is not None:
            return html
        if loop.time() >= until:
            break
    future = loop.create_future()
    inbox.waiting[key] = future
    try:
        if not pending.sleep():  # the answer came meanwhile: no wake-up will
            yield from future
    finally:
        del inbox.waiting[key]
    html = pending.answer()
    assert html is not None
    return html


class _Inbox:
    """One event loop's side of the core's mailbox: the futures of the tasks that sleep
    until their answer arrives, by key, and the reader that wakes them. It holds no
    reference to its loop, so a closed loop can be collected."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.mailbox = _core._Mailbox()
        self.waiting: dict[int, asyncio.Future[None]] = {}
        self.keys = itertools.count()
        loop.add_reader(self.mailbox.fileno(), self.collect)

    def collect(self) -> None:
        for key in self.mailbox.take():
            future = self.waiting.get(key)
            if future is not None and not future.done():  # else the task was cancelled
                future.set_result(None)


# Keyed by the loop itself: a closed loop that is collected takes its inbox (and socket
# pair) with it. None for a loop that cannot have one.
_INBOXES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Inbox | None] = (
    weakref.WeakKeyDictionary()
)


def _inbox(loop: asyncio.AbstractEventLoop) -> _Inbox | None:
    try:
        return _INBOXES[loop]
    except KeyError:
        pass
    except TypeError:  # a loop that cannot be weakly referenced
        return None
    try:
        inbox: _Inbox | None = _Inbox(loop)
    except (NotImplementedError, OSError):  # no add_reader, or no socket pair
        inbox = None
    _INBOXES[loop] = inbox
    return inbox


async def sanitize_async(html: str, policy: str | Policy = _core.DEFAULT_POLICY) -> str:
    """Module-level :meth:`Policy.sanitize_async` with a registered name or a Policy."""
    return await sanitize_coroutine(_core.resolve_policy(policy), html)
