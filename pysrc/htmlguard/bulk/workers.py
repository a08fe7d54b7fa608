"""How many threads sanitize a bulk job's values (``--workers N``).

``Policy.sanitize_many`` runs on the core's shared pool, sized once per process to the
number of cores (``rust/pool.rs``), so it cannot be told to use fewer. :class:`Threaded`
gives an exact number instead: the batch's values are cut into ``n`` slices and each slice
goes through the policy on its own thread (each call releases the GIL while the core works,
and does not touch the shared pool); with ``n == 1`` the values go one by one on the calling
thread. Its ``inspect_results`` gives the batch step each value's output and removals in one
pass (``Policy.inspect``), where ``sanitize_many`` and then ``inspect`` of each changed
value would sanitize it twice: on stored HTML most of which changes, that halves a job's
time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

from htmlguard._core import Policy, Report
from htmlguard.bulk import arrow
from htmlguard.bulk.batch import Findings, inspect_results
from htmlguard.errors import HTMLGuardError

T = TypeVar("T")


def default_workers() -> int:
    """One thread per core (what ``--workers`` is without a value)."""
    return os.cpu_count() or 1


class Workers:
    """``n`` threads (none for ``n == 1``), shared by every column's :class:`Threaded`."""

    def __init__(self, n: int) -> None:
        if n < 1:
            raise ValueError(f"workers must be at least 1, got {n}")
        self.n = n
        self._pool = ThreadPoolExecutor(n, thread_name_prefix="htmlguard-bulk") if n > 1 else None

    def wrap(self, policy: Policy) -> Threaded:
        return Threaded(policy, self)

    def map(self, f: Callable[[str], T], items: list[str]) -> list[T]:
        """``[f(x) for x in items]``, in ``n`` slices on the threads."""
        if self._pool is None or len(items) < 2:
            return [f(x) for x in items]
        step = -(-len(items) // self.n)
        slices = [items[i : i + step] for i in range(0, len(items), step)]
        out: list[T] = []
        for part in self._pool.map(lambda s: [f(x) for x in s], slices):
            out.extend(part)
        return out

    def map_slices(self, f: Callable[[list[str]], list[T]], items: list[str]) -> list[T]:
        """``f`` of ``n`` slices of ``items``, on the threads, joined in order."""
        if self._pool is None or len(items) < 2:
            return f(items)
        step = -(-len(items) // self.n)
        slices = [items[i : i + step] for i in range(0, len(items), step)]
        out: list[T] = []
        for part in self._pool.map(f, slices):
            out.extend(part)
        return out

    def map_column(self, f: Callable[[Any], tuple[Any, ...]], array: Any) -> tuple[Any, ...]:
        """``f`` (:func:`htmlguard.bulk.arrow.bulk`) of ``n`` slices of a pyarrow `array`,
        on the threads, joined into one result."""
        if self._pool is None or len(array) < 2:
            return f(array)
        step = -(-len(array) // self.n)
        starts = range(0, len(array), step)
        parts = list(self._pool.map(f, [array.slice(i, step) for i in starts]))
        return arrow.join(array, parts, starts)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class Threaded:
    """A policy whose ``sanitize_many`` runs on :class:`Workers`' threads (see above)."""

    def __init__(self, policy: Policy, workers: Workers) -> None:
        self.policy = policy
        self._workers = workers

    def sanitize(self, html: str, /) -> str:
        return self.policy.sanitize(html)

    def inspect(self, html: str, /) -> Report:
        return self.policy.inspect(html)

    def sanitize_many(self, htmls: list[str], /) -> list[str]:
        # An error is raised here, as sanitize_many raises it.
        return self._workers.map(self.policy.sanitize, htmls)

    def _bulk_batch(self, values: list[Any], /) -> tuple[Any, ...]:
        # One call: the core runs the values on its pool (n > 1) or on this thread (n == 1).
        return self.policy._bulk_batch(values, self._workers.n)

    def _bulk_arrow(self, array: Any, /) -> tuple[Any, ...]:
        # A pyarrow string column, a slice per thread, each in one call (htmlguard.bulk.arrow).
        return self._workers.map_column(lambda a: arrow.bulk(self.policy, a, 1), array)

    def inspect_results(self, htmls: list[str], /) -> list[tuple[str, Findings] | BaseException]:
        if self._workers.n == 1:
            inspect = self.policy.inspect

            def one(html: str) -> tuple[str, Findings] | BaseException:
                try:
                    report = inspect(html)
                except (HTMLGuardError, ValueError, TypeError) as e:
                    return e
                return report.html, report

            return [one(h) for h in htmls]
        # A slice per thread, each in one call (Policy.inspect_many: one GIL release per
        # slice rather than per value).
        return self._workers.map_slices(lambda s: inspect_results(self.policy, s), htmls)
