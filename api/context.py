"""Per-request context: the database, DataLoaders (one set per request) and cached rules."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from api.auth import Contributions
from contributions.accounts import User
from graph import repository as repo
from graph import rules
from graph.analysis import NetworkAnalysis
from graph.db import Database
from graph.projection import NetworkSource

K = TypeVar("K")
V = TypeVar("V")


def _batched(
    fetch: Callable[[Sequence[K]], dict[K, V]],
) -> Callable[[list[K]], Awaitable[list[V | None]]]:
    """Turn a sync batch reader into a DataLoader function: one result per key, in key order."""

    async def load(keys: list[K]) -> list[V | None]:
        found = await run_in_threadpool(fetch, keys)
        return [found.get(key) for key in keys]

    return load


@dataclass
class Loaders:
    """The request's DataLoaders; each batches every ``load`` of one tick into one query."""

    council: DataLoader[str, repo.Council | None]
    partnership: DataLoader[str, repo.Partnership | None]
    links: DataLoader[str, repo.CouncilLinks | None]
    listed_partnerships: DataLoader[str, list[str] | None]

    @classmethod
    def for_database(cls, db: Database) -> Loaders:
        return cls(
            council=DataLoader(_batched(lambda keys: repo.councils_by_codes(db, keys))),
            partnership=DataLoader(_batched(lambda keys: repo.partnerships_by_ids(db, keys))),
            links=DataLoader(_batched(lambda keys: repo.council_links(db, keys))),
            listed_partnerships=DataLoader(
                _batched(lambda keys: repo.listed_partnership_ids(db, keys))
            ),
        )


@dataclass(frozen=True)
class YearView:
    """Who shares what in one year (optionally one service), derived from the memberships."""

    year: int
    service: str | None
    memberships: tuple[repo.Membership, ...]

    @property
    def partnership_ids(self) -> list[str]:
        return sorted({m.partnership_id for m in self.memberships})

    @property
    def sharers(self) -> frozenset[str]:
        return frozenset(m.code for m in self.memberships)

    def members_by_partnership(self) -> dict[str, list[repo.Membership]]:
        grouped: dict[str, list[repo.Membership]] = defaultdict(list)
        for membership in self.memberships:
            grouped[membership.partnership_id].append(membership)
        return grouped

    def partnerships_by_council(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = defaultdict(list)
        for membership in self.memberships:
            grouped[membership.code].append(membership.partnership_id)
        return grouped


@dataclass
class Context:
    """What every resolver gets as ``info.context``."""

    db: Database
    memberships: repo.MembershipCache
    network: NetworkSource
    loaders: Loaders
    reference: repo.ReferenceCache
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    _version: int | None = None
    #: The signed-in account (api/auth.py); None for anonymous readers.
    user: User | None = None
    #: History and contacts loaders, submission limiter (api/auth.py; set in get_context).
    contributions: Contributions | None = None

    @classmethod
    def create(
        cls,
        db: Database,
        memberships: repo.MembershipCache,
        network: NetworkSource,
        reference: repo.ReferenceCache,
    ) -> Context:
        return cls(
            db=db,
            memberships=memberships,
            network=network,
            loaders=Loaders.for_database(db),
            reference=reference,
        )

    async def run(self, fetch: Callable[[], V]) -> V:
        """Run a blocking repository call off the event loop."""
        return await run_in_threadpool(fetch)

    async def data_version(self) -> int:
        """The data version, read once per request."""
        if self._version is None:
            self._version = await self.run(lambda: repo.data_version(self.db))
        return self._version

    async def all_councils(self) -> tuple[repo.Council, ...]:
        """Every council, from the per-version cache."""
        version = await self.data_version()
        return await self.run(lambda: self.reference.councils(self.db, version))

    async def all_partnerships(self) -> dict[str, repo.Partnership]:
        """Every partnership by id, from the per-version cache."""
        version = await self.data_version()
        return await self.run(lambda: self.reference.partnerships(self.db, version))

    async def network_analysis(self, year: int, service: str | None) -> NetworkAnalysis:
        """All measures of the year's network (optionally one service), cached per version."""
        version = await self.data_version()
        return await self.run(lambda: self.network.analysis(year, service, version=version))

    async def year_view(self, year: int | None, service: str | None = None) -> YearView:
        """Effective memberships for ``year`` (default: this year), cached per data version."""
        year = rules.resolve_year(year)
        version = await self.data_version()
        memberships = await self.run(lambda: self.memberships.get(self.db, version, year, service))
        return YearView(year, service, memberships)
