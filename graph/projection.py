"""The network analysis fed from Neo4j, cached per data version.

One read per (year, service) projection (the effective memberships, with each partnership's
services and start year); councils and borders change only with the data version, so they
are read once per version. Every cache keys on the version stored in the graph, so a change
made by any process or host invalidates all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph import repository as repo
from graph import rules
from graph.analysis import (
    DEFAULT_WEIGHTS,
    AnalysisCache,
    CacheKey,
    CouncilAttrs,
    Membership,
    Neighbour,
    NetworkAnalysis,
    PeerSearch,
    PeerWeights,
    analyse_network,
    border_pairs,
    council_attrs,
    find_peers,
    nearest_neighbours,
)
from graph.db import Database

__all__ = ["NetworkSource", "StaticFacts"]


@dataclass(frozen=True)
class StaticFacts:
    """What does not depend on the year: every council and the border pairs."""

    councils: tuple[repo.Council, ...]
    borders: tuple[tuple[str, str], ...]


class NetworkSource:
    """Projections, measures and peers for one database; safe to share between threads."""

    def __init__(self, db: Database, *, maxsize: int = 32) -> None:
        self.db = db
        self._facts: AnalysisCache[StaticFacts] = AnalysisCache(maxsize=2)
        self._analyses: AnalysisCache[NetworkAnalysis] = AnalysisCache(maxsize=maxsize)
        self._memberships: AnalysisCache[tuple[Membership, ...]] = AnalysisCache(maxsize=maxsize)

    def facts(self, version: int) -> StaticFacts:
        def load() -> StaticFacts:
            councils = repo.all_councils(self.db)
            links = repo.council_links(self.db, [c.code for c in councils])
            return StaticFacts(tuple(councils), border_pairs(links))

        return self._facts.get_or_compute(CacheKey(version, 0, None), load)

    def memberships(self, version: int, year: int, service: str | None) -> tuple[Membership, ...]:
        """Effective memberships of the year, as analysis rows (one read)."""

        def load() -> tuple[Membership, ...]:
            return tuple(
                Membership(
                    m.partnership_id,
                    m.code,
                    m.services,
                    m.start_year,
                    m.start_basis,
                    m.partnership_name,
                    rules.not_confirmed_since(m.status, m.last_evidence_year, year),
                )
                for m in repo.effective_memberships(self.db, year, service)
            )

        return self._memberships.get_or_compute(CacheKey(version, year, service), load)

    def councils(self, version: int, year: int) -> dict[str, CouncilAttrs]:
        return council_attrs(self.facts(version).councils, year=year)

    def analysis(
        self, year: int, service: str | None = None, *, version: int | None = None
    ) -> NetworkAnalysis:
        """All measures of the year's network (optionally one service layer)."""
        version = repo.data_version(self.db) if version is None else version

        def compute() -> NetworkAnalysis:
            return analyse_network(
                self.memberships(version, year, service),
                self.councils(version, year),
                self.facts(version).borders,
                service=service,
            )

        return self._analyses.get_or_compute(CacheKey(version, year, service), compute)

    def peers(
        self,
        code: str,
        year: int,
        service: str | None = None,
        *,
        limit: int = 10,
        weights: PeerWeights = DEFAULT_WEIGHTS,
        version: int | None = None,
    ) -> PeerSearch:
        """Councils ``code`` could learn from (active sharers, most similar and nearest first)."""
        version = repo.data_version(self.db) if version is None else version
        return find_peers(
            code,
            self.memberships(version, year, service),
            self.councils(version, year),
            service=service,
            weights=weights,
            limit=limit,
        )

    def neighbours(
        self, code: str, year: int, *, k: int = 10, version: int | None = None
    ) -> tuple[Neighbour, ...]:
        """Statistical nearest neighbours of ``code``, regardless of sharing."""
        version = repo.data_version(self.db) if version is None else version
        return nearest_neighbours(code, self.councils(version, year), k)
