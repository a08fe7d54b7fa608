"""What the fields' read path has sanitized lately: stored text -> the policy's output.

Every value read from the database is sanitized again (a row may have been written around
the ORM); a value read again, under the same policy, gives the same output, so a hot row
costs a dictionary lookup instead of a parse. The cache is bounded by the characters it
holds (least recently used first out), and values too large to be worth keeping skip it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from .._core import Policy

__all__ = ["MAX_CHARS", "MAX_VALUE_CHARS", "ReadCache", "cache"]

#: Characters (stored text and output together) the cache holds at most.
MAX_CHARS = 8 * 1024 * 1024
#: Larger values are sanitized every time and not kept.
MAX_VALUE_CHARS = 64 * 1024


class ReadCache:
    def __init__(self, max_chars: int = MAX_CHARS, max_value_chars: int = MAX_VALUE_CHARS):
        self.max_chars = max_chars
        self.max_value_chars = max_value_chars
        self._entries: OrderedDict[tuple[Policy, str], str] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()

    def get(self, policy: Policy, text: str, sanitize: Callable[[str], str]) -> str:
        """`sanitize(text)`, from the cache when `policy` has seen `text` lately."""
        if len(text) > self.max_value_chars:
            return sanitize(text)
        key = (policy, text)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        out = sanitize(text)  # outside the lock: sanitizing runs with the GIL released
        with self._lock:
            if key not in self._entries:
                self._entries[key] = out
                self._chars += len(text) + len(out)
                while self._chars > self.max_chars and self._entries:
                    (_, old), old_out = self._entries.popitem(last=False)
                    self._chars -= len(old) + len(old_out)
        return out

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._chars = 0

    def __len__(self) -> int:
        return len(self._entries)


#: The one the fields use.
cache = ReadCache()
