"""graph.memo: hits, misses, LRU eviction, threads, failures; and a snapshot per data version."""

from __future__ import annotations

import threading
import time

import pytest

from graph.db import Database
from graph.memo import Memo
from graph.snapshot import Snapshots


class Counter:
    """A computation that counts its calls."""

    def __init__(self, value: str = "value", delay: float = 0.0) -> None:
        self.calls = 0
        self.value = value
        self.delay = delay
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            self.calls += 1
        time.sleep(self.delay)
        return self.value


def test_second_request_is_a_hit() -> None:
    cache = Memo()
    compute = Counter()
    key = ("analysis", 2012, "legal")
    assert cache.get(key, compute) == "value"
    assert cache.get(key, compute) == "value"
    assert compute.calls == 1
    info = cache.info()
    assert (info.hits, info.misses, info.currsize) == (1, 1, 1)


def test_each_key_is_computed_once() -> None:
    cache = Memo()
    compute = Counter()
    for key in (("a", 2012), ("a", 2013), ("a", 2012, "legal")):
        cache.get(key, compute)
    assert compute.calls == 3


def test_least_recently_used_entry_is_evicted() -> None:
    cache = Memo(maxsize=2)
    compute = Counter()
    k1, k2, k3 = ("a", 2011), ("a", 2012), ("a", 2013)
    cache.get(k1, compute)
    cache.get(k2, compute)
    cache.get(k1, compute)  # k1 is now the most recent
    cache.get(k3, compute)  # evicts k2
    assert compute.calls == 3
    cache.get(k1, compute)
    assert compute.calls == 3
    cache.get(k2, compute)
    assert compute.calls == 4
    assert cache.info().currsize == 2


def test_concurrent_requests_compute_once() -> None:
    cache = Memo()
    compute = Counter(delay=0.05)
    key = ("a", 2012)
    start = threading.Barrier(16)
    results: list[str] = []

    def ask() -> None:
        start.wait()
        results.append(cache.get(key, compute))

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert compute.calls == 1
    assert results == ["value"] * 16
    assert cache.info().misses == 1


def test_failures_are_not_remembered() -> None:
    cache = Memo()

    def broken() -> str:
        raise RuntimeError("graph unavailable")

    with pytest.raises(RuntimeError, match="graph unavailable"):
        cache.get(("a", 2012), broken)
    assert cache.get(("a", 2012), Counter()) == "value"


def test_size_check() -> None:
    with pytest.raises(ValueError, match="maxsize"):
        Memo(maxsize=0)


def test_a_snapshot_per_data_version(loaded_db: Database) -> None:
    snapshots = Snapshots(loaded_db)
    first = snapshots.current()
    assert snapshots.current() is first  # the same version: the same snapshot
    assert first.analysis(2012) is first.analysis(2012)  # remembered
    assert snapshots.at(first.version + 1) is not first  # a new version: a new snapshot
    assert snapshots.at(first.version + 1).version == first.version + 1
