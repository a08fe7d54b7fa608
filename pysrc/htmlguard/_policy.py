"""The async verbs. ``Policy.sanitize_async`` (in the core) returns :func:`sanitize_coroutine`."""

from __future__ import annotations

import asyncio

from htmlguard import _core
from htmlguard._core import Policy

__all__ = ["ASYNC_INLINE_BYTES", "Policy", "sanitize_async", "sanitize_coroutine"]

#: Inputs up to this many characters are sanitized inline by ``sanitize_async``: a thread
#: hand-off costs more than the work (tens of microseconds). Larger ones go to a worker
#: thread, with the GIL released, so the event loop keeps running.
ASYNC_INLINE_BYTES = 8 * 1024


async def sanitize_coroutine(policy: Policy, html: str) -> str:
    """What ``policy.sanitize_async(html)`` awaits."""
    if not isinstance(html, str):
        raise TypeError(f"sanitize_async() expects str, got {type(html).__name__}")
    if len(html) <= ASYNC_INLINE_BYTES:
        return policy.sanitize(html)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, policy.sanitize, html)


async def sanitize_async(html: str, policy: str | Policy = _core.DEFAULT_POLICY) -> str:
    """Module-level :meth:`Policy.sanitize_async` with a registered name or a Policy."""
    return await sanitize_coroutine(_core.resolve_policy(policy), html)
