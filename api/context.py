"""Per-request context: the database, DataLoaders (one set per request) and cached rules."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from api.auth import Contributions
from contributions.accounts import User
from graph import repository as repo
from graph import rules
from graph.analysis import NetworkAnalysis
from graph.db import Database
from graph.schema import data_version
from graph.snapshot import Snapshot, Snapshots, analysis_key

K = TypeVar("K")
V = TypeVar("V")


def _from_snapshot(
    snapshot: Callable[[], Awaitable[Snapshot]], pick: Callable[[Snapshot], Mapping[K, V]]
) -> Callable[[list[K]], Awaitable[list[V | None]]]:
    """A DataLoader function answering from the request's snapshot: one result per key, in key
    order, with no round trip (the snapshot holds every council and partnership)."""

    async def load(keys: list[K]) -> list[V | None]:
        found = pick(await snapshot())
        return [found.get(key) for key in keys]

    return load


@dataclass
class Loaders:
    """The request's DataLoaders, by key: councils (current or former code), partnerships,
    council links and the partnerships a council is listed in, all from the snapshot."""

    council: DataLoader[str, repo.Council | None]
    partnership: DataLoader[str, repo.Partnership | None]
    links: DataLoader[str, repo.CouncilLinks | None]
    listed_partnerships: DataLoader[str, tuple[str, ...] | None]

    @classmethod
    def for_snapshot(cls, snapshot: Callable[[], Awaitable[Snapshot]]) -> Loaders:
        return cls(
            council=DataLoader(_from_snapshot(snapshot, lambda s: s.councils_by_code)),
            partnership=DataLoader(_from_snapshot(snapshot, lambda s: s.partnerships)),
            links=DataLoader(_from_snapshot(snapshot, lambda s: s.links)),
            listed_partnerships=DataLoader(_from_snapshot(snapshot, lambda s: s.listed)),
        )


@dataclass(frozen=True)
class YearView:
    """Who shares what in one year (optionally one service), derived from the memberships once
    (the snapshot remembers it, so every request of the data version shares it)."""

    year: int
    service: str | None
    memberships: tuple[repo.Membership, ...]
    partnership_ids: tuple[str, ...] = field(init=False)
    sharers: frozenset[str] = field(init=False)
    _by_partnership: Mapping[str, tuple[repo.Membership, ...]] = field(init=False, repr=False)
    _by_council: Mapping[str, tuple[str, ...]] = field(init=False, repr=False)
    #: GraphQL objects built from this view once and shared by every request that reads it
    #: (``api/types/objects.py``: a partnership's effective members), read-only once built.
    built: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_partnership: dict[str, list[repo.Membership]] = defaultdict(list)
        by_council: dict[str, list[str]] = defaultdict(list)
        for membership in self.memberships:
            by_partnership[membership.partnership_id].append(membership)
            by_council[membership.code].append(membership.partnership_id)
        derived = {
            "partnership_ids": tuple(sorted(by_partnership)),
            "sharers": frozenset(by_council),
            "_by_partnership": {k: tuple(v) for k, v in by_partnership.items()},
            "_by_council": {k: tuple(v) for k, v in by_council.items()},
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    def members_by_partnership(self) -> Mapping[str, tuple[repo.Membership, ...]]:
        return self._by_partnership

    def partnerships_by_council(self) -> Mapping[str, tuple[str, ...]]:
        return self._by_council


@dataclass
class Context:
    """What every resolver gets as ``info.context``: the database, the request's DataLoaders,
    and the snapshot of the data version the request reads (learnt once per request)."""

    db: Database
    snapshots: Snapshots
    loaders: Loaders = field(init=False)
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    #: The signed-in account (api/auth.py); None for anonymous readers.
    user: User | None = None
    #: History and contacts loaders, submission limiter (api/auth.py; set in get_context).
    contributions: Contributions | None = None
    _snapshot: Snapshot | None = None
    _snapshot_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self.loaders = Loaders.for_snapshot(self.snapshot)

    @classmethod
    def create(cls, db: Database, snapshots: Snapshots) -> Context:
        return cls(db=db, snapshots=snapshots)

    async def run(self, fetch: Callable[[], V]) -> V:
        """Run a blocking repository call off the event loop."""
        return await run_in_threadpool(fetch)

    async def snapshot(self) -> Snapshot:
        """The data version's snapshot: its version is read once per request, however many
        resolvers ask at the same moment."""
        async with self._snapshot_lock:
            if self._snapshot is None:
                # The version in one network round trip: a remembered answer's tail was
                # mostly the managed transaction's second one (docs/performance.md).
                self._snapshot = await self.run(
                    lambda: self.snapshots.at(data_version(self.db, one_trip=True))
                )
            return self._snapshot

    @property
    def known_snapshot(self) -> Snapshot | None:
        """The snapshot when this request has read its data version already, else None (a
        resolver then answers now, without an awaitable: ``api/types/common.with_snapshot``)."""
        return self._snapshot

    def known_year_view(self, year: int | None, service: str | None = None) -> YearView | None:
        """:meth:`year_view` when the request knows its snapshot and the snapshot remembers
        the view already (no awaitable, no thread hop), else None."""
        snapshot = self._snapshot
        if snapshot is None:
            return None
        known, value = snapshot.remembered(_view_key(rules.resolve_year(year), service))
        return cast(YearView, value) if known else None

    async def data_version(self) -> int:
        """The data version this request reads."""
        return (await self.snapshot()).version

    async def all_councils(self) -> tuple[repo.Council, ...]:
        """Every council of the data version."""
        return (await self.snapshot()).councils

    async def all_partnerships(self) -> Mapping[str, repo.Partnership]:
        """Every partnership of the data version, by id."""
        return (await self.snapshot()).partnerships

    async def lga_editions(self) -> tuple[repo.LgaEdition, ...]:
        """The LGA's published totals (reference data)."""
        return (await self.snapshot()).lga_editions

    async def network_analysis(self, year: int, service: str | None) -> NetworkAnalysis:
        """All measures of the year's network (optionally one service), once per version."""
        snapshot = await self.snapshot()
        return await self._remembered(
            snapshot, analysis_key(year, service), lambda: snapshot.analysis(year, service)
        )

    async def _remembered(self, snapshot: Snapshot, key: Hashable, compute: Callable[[], V]) -> V:
        """What ``compute`` gives (it remembers under ``key`` in ``snapshot``): straight from
        memory when it is there already, else computed in a worker thread (it may read)."""
        known, value = snapshot.remembered(key)
        if known:
            return cast(V, value)
        return await self.run(compute)

    async def year_view(self, year: int | None, service: str | None = None) -> YearView:
        """Effective memberships for ``year`` (default: this year), once per data version."""
        year = rules.resolve_year(year)
        snapshot = await self.snapshot()
        key = _view_key(year, service)
        return await self._remembered(
            snapshot,
            key,
            lambda: snapshot.remember(
                key, lambda: YearView(year, service, snapshot.memberships(year, service))
            ),
        )


def _view_key(year: int, service: str | None) -> Hashable:
    """A year view's key in the snapshot (which keeps it for the current year, as all it
    remembers: an undated partnership is placed in the current year, so a new year is a new
    view)."""
    return ("year_view", year, service)
