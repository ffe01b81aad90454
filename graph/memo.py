"""A bounded, thread-safe memo: each value computed once, however many threads ask at once.

The one cache of the project: :class:`graph.snapshot.Snapshot` keeps everything it derives for
its data version in one, so a new data version (a new snapshot) leaves the old values behind
with nothing to invalidate by hand.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar, cast

__all__ = ["Memo", "MemoInfo"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class MemoInfo:
    """Counters, as :func:`functools.lru_cache` reports them."""

    hits: int
    misses: int
    maxsize: int
    currsize: int


class Memo:
    """Least-recently-used values by key, each computed once.

    Concurrent callers asking for the same missing key wait for a single computation instead
    of each running it; the computation runs outside the lock, so other keys are served
    meanwhile. A computation that raises is not remembered: its waiters get the same
    exception and the next ask computes again.

    Examples
    --------
    >>> memo = Memo(maxsize=2)
    >>> memo.get(("analysis", 2012), lambda: "cold")
    'cold'
    >>> memo.get(("analysis", 2012), lambda: "not called")
    'cold'
    >>> memo.info().hits, memo.info().misses
    (1, 1)
    """

    def __init__(self, maxsize: int = 256) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be at least 1, got {maxsize}")
        self._maxsize = maxsize
        self._entries: OrderedDict[Hashable, Future[Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value for ``key``, computed with ``compute`` the first time it is asked for."""
        with self._lock:
            future = self._entries.get(key)
            owner = future is None
            if future is None:
                self._misses += 1
                future = Future()
                self._entries[key] = future
                while len(self._entries) > self._maxsize:
                    self._entries.popitem(last=False)
            else:
                self._hits += 1
                self._entries.move_to_end(key)
        if owner:
            try:
                future.set_result(compute())
            except BaseException as error:
                with self._lock:
                    if self._entries.get(key) is future:
                        del self._entries[key]
                future.set_exception(error)
        return cast(T, future.result())

    def peek(self, key: Hashable) -> tuple[bool, Any]:
        """``(True, value)`` when ``key``'s value is computed already, else ``(False, None)``;
        computes nothing, waits for nothing (for callers that must not block, e.g. on an event
        loop, and would otherwise hop to a thread to call :meth:`get`)."""
        with self._lock:
            future = self._entries.get(key)
            if future is None or not future.done() or future.exception() is not None:
                return False, None
            self._hits += 1
            self._entries.move_to_end(key)
        return True, future.result()

    def info(self) -> MemoInfo:
        """Hit and miss counters and the current size."""
        with self._lock:
            return MemoInfo(self._hits, self._misses, self._maxsize, len(self._entries))
