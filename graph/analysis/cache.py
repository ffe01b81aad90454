"""A bounded, thread-safe, in-process cache of analyses keyed by data version.

The key holds the data version read from the graph's ``DataVersion`` node
(bumped by every load or accepted change), so a change seen by any worker
process or host makes the old entries unreachable: there is nothing to
invalidate by hand. Entries of older versions are also dropped as soon as a
newer version is asked for, to free memory at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

__all__ = ["AnalysisCache", "CacheInfo", "CacheKey"]

T = TypeVar("T")


class CacheKey(NamedTuple):
    """What an analysis depends on: the data version, the year and the service."""

    data_version: int
    year: int
    service: str | None = None


@dataclass(frozen=True, slots=True)
class CacheInfo:
    """Counters, as :func:`functools.lru_cache` reports them."""

    hits: int
    misses: int
    maxsize: int
    currsize: int


class AnalysisCache(Generic[T]):
    """Least-recently-used cache of computed values per :class:`CacheKey`.

    Concurrent callers asking for the same missing key wait for a single
    computation instead of each running it. A computation that raises is not
    cached; its waiters get the same exception.

    Parameters
    ----------
    maxsize : int, optional (default=32)
        Entries kept; the least recently used is evicted beyond that.

    Examples
    --------
    >>> cache: AnalysisCache[str] = AnalysisCache(maxsize=2)
    >>> cache.get_or_compute(CacheKey(1, 2012), lambda: "cold")
    'cold'
    >>> cache.get_or_compute(CacheKey(1, 2012), lambda: "not called")
    'cold'
    >>> cache.info().hits, cache.info().misses
    (1, 1)
    """

    def __init__(self, maxsize: int = 32) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be at least 1, got {maxsize}")
        self._maxsize = maxsize
        self._entries: OrderedDict[CacheKey, T] = OrderedDict()
        self._pending: dict[CacheKey, Future[T]] = {}
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0
        self._latest_version: int | None = None

    def get_or_compute(self, key: CacheKey, compute: Callable[[], T]) -> T:
        """Return the cached value for `key`, computing it with `compute` if absent.

        `compute` runs outside the lock, so other keys are served meanwhile.
        """
        with self._lock:
            self._note_version(key.data_version)
            if key in self._entries:
                self._entries.move_to_end(key)
                self._hits += 1
                return self._entries[key]
            pending = self._pending.get(key)
            if pending is None:
                self._misses += 1
                future: Future[T] = Future()
                self._pending[key] = future
            else:
                self._hits += 1
        if pending is not None:
            return pending.result()

        try:
            value = compute()
        except BaseException as error:
            with self._lock:
                del self._pending[key]
            future.set_exception(error)
            raise
        with self._lock:
            del self._pending[key]
            if self._latest_version is None or key.data_version >= self._latest_version:
                self._entries[key] = value
                while len(self._entries) > self._maxsize:
                    self._entries.popitem(last=False)
        future.set_result(value)
        return value

    def _note_version(self, version: int) -> None:
        # Called with the lock held.
        if self._latest_version is not None and version <= self._latest_version:
            return
        self._latest_version = version
        for stale in [k for k in self._entries if k.data_version < version]:
            del self._entries[stale]

    def info(self) -> CacheInfo:
        """Return hit and miss counters and the current size."""
        with self._lock:
            return CacheInfo(self._hits, self._misses, self._maxsize, len(self._entries))

    def clear(self) -> None:
        """Drop every entry and reset the counters (pending computations finish)."""
        with self._lock:
            self._entries.clear()
            self._hits = self._misses = 0
            self._latest_version = None
