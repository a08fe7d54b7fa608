"""How many threads sanitize a bulk job's values (``--workers N``).

``Policy.sanitize_many`` runs on the core's shared pool, sized once per process to the
number of cores (``rust/pool.rs``), so it cannot be told to use fewer. :class:`Threaded`
gives an exact number instead: the batch's values are cut into ``n`` slices and each slice
is sanitized with ``Policy.sanitize`` on its own thread (each call releases the GIL, and
does not touch the shared pool); with ``n == 1`` the values are sanitized one by one on the
calling thread. Without ``--workers`` a job calls ``sanitize_many`` itself.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from types import TracebackType

from htmlguard._core import Policy, Report


class Workers:
    """``n`` threads (none for ``n == 1``), shared by every column's :class:`Threaded`."""

    def __init__(self, n: int) -> None:
        if n < 1:
            raise ValueError(f"workers must be at least 1, got {n}")
        self.n = n
        self._pool = ThreadPoolExecutor(n, thread_name_prefix="htmlguard-bulk") if n > 1 else None

    def wrap(self, policy: Policy) -> Threaded:
        return Threaded(policy, self)

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
        pool, n = self._workers._pool, self._workers.n
        sanitize = self.policy.sanitize
        if pool is None or len(htmls) < 2:
            return [sanitize(h) for h in htmls]
        step = -(-len(htmls) // n)
        slices = [htmls[i : i + step] for i in range(0, len(htmls), step)]
        out: list[str] = []
        # An error in one slice is raised here, as sanitize_many raises it.
        for part in pool.map(lambda s: [sanitize(h) for h in s], slices):
            out.extend(part)
        return out
