"""The public :class:`Policy` class and the async verbs."""

from __future__ import annotations

import asyncio

from htmlguard import _core

__all__ = ["ASYNC_INLINE_BYTES", "Policy", "sanitize_async"]

#: Inputs up to this many characters are sanitized inline by ``sanitize_async``: a thread
#: hand-off costs more than the work (tens of microseconds). Larger ones go to a worker
#: thread, with the GIL released, so the event loop keeps running.
ASYNC_INLINE_BYTES = 8 * 1024


class Policy(_core.Policy):
    """An immutable, compiled sanitizing policy.

    ``Policy(**options)`` starts from nothing allowed: what is written is exactly what
    passes. Start from a preset with :meth:`Policy.preset` and :meth:`derive`.

    >>> p = Policy(tags={"b", "a"}, tag_attributes={"a": {"href"}}, url_schemes={"https"})
    >>> p.sanitize('<b onclick="x()">hi</b> <a href="javascript:alert(1)">x</a>')
    '<b>hi</b> <a>x</a>'
    >>> ugc = Policy.preset("ugc")
    >>> "u" in ugc.tags, "kbd" in ugc.tags
    (True, False)
    >>> mine = ugc.derive(tags=ugc.tags | {"kbd"})
    >>> mine.sanitize("<kbd>Ctrl</kbd>")
    '<kbd>Ctrl</kbd>'
    >>> Policy.from_dict(mine.to_dict()) == mine
    True
    """

    __slots__ = ()

    async def sanitize_async(self, html: str) -> str:
        """:meth:`sanitize` for async code: large inputs run in a worker thread.

        >>> import asyncio
        >>> asyncio.run(Policy.preset("basic").sanitize_async("<b>x</b><script>y</script>"))
        '<b>x</b>'
        """
        if not isinstance(html, str):
            raise TypeError(f"sanitize_async() expects str, got {type(html).__name__}")
        if len(html) <= ASYNC_INLINE_BYTES:
            return self.sanitize(html)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.sanitize, html)


# Pickles and reprs name the public path.
Policy.__module__ = "htmlguard"


async def sanitize_async(html: str, policy: str | _core.Policy = "ugc") -> str:
    """Module-level :meth:`Policy.sanitize_async` with a registered name or a Policy."""
    # The method only needs ``sanitize``, which every core Policy has.
    return await Policy.sanitize_async(_core.resolve_policy(policy), html)  # type: ignore[arg-type]
