"""The async verbs. ``Policy.sanitize_async`` (in the core) returns :func:`sanitize_coroutine`."""

from __future__ import annotations

import asyncio
import atexit
import itertools
import weakref

from htmlguard import _core
from htmlguard._core import Policy

__all__ = ["ASYNC_INLINE_BYTES", "Policy", "sanitize_async", "sanitize_coroutine"]

#: Inputs up to this many characters are sanitized inline by ``sanitize_async``: a thread
#: hand-off costs more than the work (tens of microseconds). Larger ones go to the core's
#: worker threads, with the GIL released, so the event loop keeps running.
ASYNC_INLINE_BYTES = 8 * 1024

#: After handing an input to the core's threads, the event loop looks for the answer on each
#: of its turns instead of sleeping until the answer rings: a loop asleep on an idle CPU takes
#: tens of microseconds to wake, on some VMs over a millisecond. It looks for this long plus
#: twice as long as the core expects the job to take (from the pace of its recent jobs), at
#: most ``ASYNC_POLL_MAX_SECONDS``. The price is CPU on the loop's thread while it has nothing
#: else to do, about as much as the job's own; inputs that take longer are woken by the ring.
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
        future: asyncio.Future[str] = loop.create_future()
        inbox.waiting[key] = future
        expected = policy._sanitize_soon(html, inbox.mailbox, key)
        if expected is not None:
            inbox.expect(loop, expected)
            return await future
        del inbox.waiting[key]
    # No background thread (none could be started, or the program is exiting), or a loop
    # that cannot watch a file descriptor (Windows' proactor).
    return await loop.run_in_executor(None, policy.sanitize, html)


class _Inbox:
    """One event loop's side of the core's mailbox: the futures waiting, by key, and the
    reader that settles them when the background threads ring, and the polling in between.
    It holds no reference to its loop, so a closed loop can be collected."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.mailbox = _core._Mailbox()
        self.waiting: dict[int, asyncio.Future[str]] = {}
        self.keys = itertools.count()
        self.polling = False
        self.poll_until = 0.0
        loop.add_reader(self.mailbox.fileno(), self.collect)

    def expect(self, loop: asyncio.AbstractEventLoop, seconds: float) -> None:
        """Poll for answers on the loop's turns a while, for a job expected to take
        ``seconds`` (see ``ASYNC_POLL_SECONDS``)."""
        window = min(ASYNC_POLL_SECONDS + 2 * seconds, ASYNC_POLL_MAX_SECONDS)
        self.poll_until = max(self.poll_until, loop.time() + window)
        if not self.polling:
            self.polling = True
            self.mailbox.polling(True)  # answers need not ring meanwhile
            loop.call_soon(self.poll, loop)

    def poll(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.mailbox.arrived():
            self.collect()
        if self.waiting and loop.time() < self.poll_until:
            loop.call_soon(self.poll, loop)
        else:
            self.polling = False
            self.mailbox.polling(False)
            # An answer posted while the flag was still set did not ring: look once more.
            if self.mailbox.arrived():
                self.collect()

    def collect(self) -> None:
        for key, html, error in self.mailbox.take():
            future = self.waiting.pop(key, None)
            if future is None or future.cancelled():  # the awaiting task was cancelled
                continue
            if error is not None:
                future.set_exception(error)
            else:
                assert html is not None
                future.set_result(html)


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
