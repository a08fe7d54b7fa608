"""The async verbs. ``Policy.sanitize_async`` (in the core) returns :func:`sanitize_coroutine`."""

from __future__ import annotations

import asyncio
import atexit
import functools

from htmlguard import _core
from htmlguard._core import Policy

__all__ = ["ASYNC_INLINE_BYTES", "Policy", "sanitize_async", "sanitize_coroutine"]

#: Inputs up to this many characters are sanitized inline by ``sanitize_async``: a thread
#: hand-off costs more than the work (tens of microseconds). Larger ones go to the core's
#: worker threads, with the GIL released, so the event loop keeps running.
ASYNC_INLINE_BYTES = 8 * 1024

# The core's background threads end before the interpreter is torn down.
atexit.register(_core._stop_background)


async def sanitize_coroutine(policy: Policy, html: str) -> str:
    """What ``policy.sanitize_async(html)`` awaits."""
    if not isinstance(html, str):
        raise TypeError(f"sanitize_async() expects str, got {type(html).__name__}")
    if len(html) <= ASYNC_INLINE_BYTES:
        return policy.sanitize(html)
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()
    if not policy._sanitize_soon(html, functools.partial(_deliver, loop, future)):
        # No background thread (none could be started, or the program is exiting).
        return await loop.run_in_executor(None, policy.sanitize, html)
    return await future


def _deliver(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[str],
    html: str | None,
    error: BaseException | None,
) -> None:
    """Called on a core worker thread: hands the result to the loop's thread."""
    try:
        loop.call_soon_threadsafe(_settle, future, html, error)
    except RuntimeError:  # the loop is closed: nothing awaits the result any more
        pass


def _settle(future: asyncio.Future[str], html: str | None, error: BaseException | None) -> None:
    if future.cancelled():  # the awaiting task was cancelled meanwhile
        return
    if error is not None:
        future.set_exception(error)
    else:
        assert html is not None
        future.set_result(html)


async def sanitize_async(html: str, policy: str | Policy = _core.DEFAULT_POLICY) -> str:
    """Module-level :meth:`Policy.sanitize_async` with a registered name or a Policy."""
    return await sanitize_coroutine(_core.resolve_policy(policy), html)
