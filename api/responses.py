"""Whole GraphQL answers remembered per data version, so a repeated query costs one small read.

An answer depends on the query, its variables and operation, the data version, the current
year (the default year of many fields) and the HTTP method (which decides what may run), and
on nothing else when it was computed entirely from the data version's snapshot. So an answer
is remembered only when:

- the reader is anonymous (a signed-in user may see more, e.g. contacts);
- it has no errors and fits the response-size cap;
- computing it made no round trip to Neo4j (``graph.db.counting_round_trips``): everything
  came from the snapshot, which is the data version's by construction. A mutation, a name
  lookup or a contributions read goes to Neo4j, so it is never remembered.

Entries are keyed by the data version, which the request reads anyway (once): a load or an
accepted submission bumps the version, and the next request in every worker of every host
misses and recomputes, with nothing to invalidate by hand. Old versions' entries age out
(least recently used first) within the bounds of :class:`ResponseCache`.

Each worker process keeps its own (they share nothing but Neo4j); docs/performance.md.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

__all__ = ["ResponseCache", "response_key"]

Key = tuple[int, int, str, str, str, str]


def response_key(
    version: int,
    current_year: int,
    method: str,
    query: str,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
) -> Key:
    """What a remembered answer is keyed on (everything it can depend on)."""
    return (
        version,
        current_year,
        method,
        query,
        json.dumps(dict(variables or {}), sort_keys=True, default=repr),
        operation_name or "",
    )


class ResponseCache:
    """Encoded answers by key; at most ``max_entries`` and ``max_bytes`` in all (least
    recently used go first); an answer larger than ``max_bytes // 8`` is not kept."""

    def __init__(self, *, max_entries: int = 512, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Key, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Key) -> bytes | None:
        with self._lock:
            body = self._entries.get(key)
            if body is None:
                self.misses += 1
                return None
            self.hits += 1
            self._entries.move_to_end(key)
            return body

    def put(self, key: Key, body: bytes) -> None:
        if len(body) > self.max_bytes // 8:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            self._bytes -= len(old) if old is not None else 0
            self._entries[key] = body
            self._bytes += len(body)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped)

    def __len__(self) -> int:
        return len(self._entries)
