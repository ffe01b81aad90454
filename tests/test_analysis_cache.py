"""The analysis cache: hits, misses, LRU eviction, version invalidation, threads."""

from __future__ import annotations

import threading
import time

import pytest

from graph.analysis.cache import AnalysisCache, CacheKey


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
    cache: AnalysisCache[str] = AnalysisCache()
    compute = Counter()
    key = CacheKey(data_version=1, year=2012, service="legal")
    assert cache.get_or_compute(key, compute) == "value"
    assert cache.get_or_compute(key, compute) == "value"
    assert compute.calls == 1
    info = cache.info()
    assert (info.hits, info.misses, info.currsize) == (1, 1, 1)


def test_year_and_service_are_part_of_the_key() -> None:
    cache: AnalysisCache[str] = AnalysisCache()
    compute = Counter()
    for key in (CacheKey(1, 2012), CacheKey(1, 2013), CacheKey(1, 2012, "legal")):
        cache.get_or_compute(key, compute)
    assert compute.calls == 3


def test_new_data_version_recomputes_and_drops_older_entries() -> None:
    cache: AnalysisCache[str] = AnalysisCache()
    old, new = Counter("old"), Counter("new")
    cache.get_or_compute(CacheKey(1, 2012), old)
    cache.get_or_compute(CacheKey(1, 2013), old)
    assert cache.get_or_compute(CacheKey(2, 2012), new) == "new"
    assert new.calls == 1
    # Both version-1 entries went as soon as version 2 was seen.
    assert cache.info().currsize == 1
    # A late reader still on version 1 gets a fresh answer that is not kept.
    assert cache.get_or_compute(CacheKey(1, 2012), old) == "old"
    assert old.calls == 3
    assert cache.info().currsize == 1


def test_least_recently_used_entry_is_evicted() -> None:
    cache: AnalysisCache[str] = AnalysisCache(maxsize=2)
    compute = Counter()
    k1, k2, k3 = CacheKey(1, 2011), CacheKey(1, 2012), CacheKey(1, 2013)
    cache.get_or_compute(k1, compute)
    cache.get_or_compute(k2, compute)
    cache.get_or_compute(k1, compute)  # k1 is now the most recent
    cache.get_or_compute(k3, compute)  # evicts k2
    assert compute.calls == 3
    cache.get_or_compute(k1, compute)
    assert compute.calls == 3
    cache.get_or_compute(k2, compute)
    assert compute.calls == 4
    assert cache.info().currsize == 2


def test_concurrent_requests_compute_once() -> None:
    cache: AnalysisCache[str] = AnalysisCache()
    compute = Counter(delay=0.05)
    key = CacheKey(3, 2012)
    start = threading.Barrier(16)
    results: list[str] = []

    def ask() -> None:
        start.wait()
        results.append(cache.get_or_compute(key, compute))

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert compute.calls == 1
    assert results == ["value"] * 16
    assert cache.info().misses == 1


def test_failures_are_not_cached() -> None:
    cache: AnalysisCache[str] = AnalysisCache()

    def broken() -> str:
        raise RuntimeError("graph unavailable")

    with pytest.raises(RuntimeError, match="graph unavailable"):
        cache.get_or_compute(CacheKey(1, 2012), broken)
    assert cache.get_or_compute(CacheKey(1, 2012), Counter()) == "value"


def test_clear_and_size_check() -> None:
    cache: AnalysisCache[str] = AnalysisCache()
    cache.get_or_compute(CacheKey(1, 2012), Counter())
    cache.clear()
    assert cache.info().currsize == 0
    with pytest.raises(ValueError, match="maxsize"):
        AnalysisCache(maxsize=0)
