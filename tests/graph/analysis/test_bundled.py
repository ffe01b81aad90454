"""The analysis end to end on the bundled data, without Neo4j.

The year's effective memberships are built here in Python from the loaders'
cleaned records, following the rules of docs/graph-model.md (the partnership's years, members'
own years, succession, activity, two or more effective members). The production path reads the same
rows from Neo4j; its own test belongs with that repository function. These
tests pin what the analysis promises on real data: peers of a singleton are
active sharers of the service in the year, and results are the same every run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest

from graph.analysis.network import analyse_network
from graph.analysis.peers import find_peers, nearest_neighbours
from graph.analysis.projection import CouncilAttrs, Membership
from loaders.councils import CouncilData, CouncilRecord, build_council_data
from loaders.matching import CouncilIndex
from loaders.partnerships import PartnershipRecord, read_table, validate_file_rows
from loaders.sources import BundledSources, read_csv_rows

YEAR = 2012


@dataclass(frozen=True)
class Bundled:
    councils: CouncilData
    partnerships: tuple[PartnershipRecord, ...]


def load_bundled_records() -> Bundled:
    """The bundled councils and partnerships, cleaned and validated by the loaders."""
    sources = BundledSources()
    councils = build_council_data(sources)
    index = CouncilIndex(c.ref() for c in councils.councils)
    areas = {r["code"]: r["label"] for r in read_csv_rows(sources.service_areas)}
    table, errors = read_table(sources.partnerships, "partnerships_cited.csv")
    assert table is not None
    assert not errors
    validation = validate_file_rows(table, "partnerships_cited.csv", index, areas)
    assert not validation.errors
    return Bundled(councils, validation.records)


@pytest.fixture(scope="module")
def bundled() -> Bundled:
    return load_bundled_records()


def _effective(code: str, year: int, by_code: dict[str, CouncilRecord]) -> set[str]:
    council = by_code.get(code)
    if council is None or council.valid_from.year > year:
        return set()
    if council.exists_in(year):
        return {code}
    found: set[str] = set()
    for successor in council.replaced_by:
        found |= _effective(successor, year, by_code)
    return found


def _years(p: PartnershipRecord) -> tuple[int, int | None]:
    """The data README's "when a partnership runs", written out again (not graph.rules)."""
    dated = [
        int(y)
        for s in p.sources
        if s.date and not s.date.lower().startswith(("n.d", "undated"))
        for y in re.findall(r"(?<!\d)\d{4}(?!\d)", s.date)
    ]
    start = p.start_year if p.start_year is not None else min(dated, default=date.today().year)
    end = p.end_year
    if end is None and p.status == "ended" and dated:
        end = max(dated)
    return start, end


def year_rows(
    data: Bundled, year: int
) -> tuple[list[Membership], dict[str, CouncilAttrs], list[tuple[str, str]]]:
    by_code = {c.code: c for c in data.councils.councils}
    rows: list[Membership] = []
    for p in data.partnerships:
        if p.status not in ("operational", "ended"):
            continue
        start, end = _years(p)
        if start > year or (end is not None and end < year):
            continue
        members = set().union(
            *(
                _effective(m.council_code, year, by_code)
                for m in p.members
                if (m.from_year or year) <= year <= (m.to_year or year)
            )
        )
        if len(members) < 2:
            continue
        rows.extend(Membership(p.id, code, p.service_areas, start) for code in members)
    councils = {
        c.code: CouncilAttrs(
            c.code,
            c.name,
            c.kind,
            c.tier,
            c.region,
            c.population,
            c.area_ha,
            c.latitude,
            c.longitude,
        )
        for c in data.councils.councils
        if c.exists_in(year)
    }
    borders = [(a, b) for a, b in data.councils.borders if a in councils and b in councils]
    return rows, councils, borders


def test_peers_of_a_singleton_are_active_sharers_of_the_service(bundled: Bundled) -> None:
    rows, councils, _ = year_rows(bundled, YEAR)
    legal_sharers = {m.council_code for m in rows if "legal" in m.services}
    asker = min(code for code in councils if code not in legal_sharers)
    found = find_peers(asker, rows, councils, service="legal", limit=None)
    assert not found.asker_shares
    assert {p.code for p in found.peers} == legal_sharers
    scores = [p.score for p in found.peers]
    assert scores == sorted(scores, reverse=True)
    assert all(" km apart; shares legal with " in p.reason for p in found.peers)
    relevant = {(m.partnership_id, m.council_code) for m in rows if "legal" in m.services}
    assert all((pid, p.code) in relevant for p in found.peers for pid in p.partnerships)


def test_results_are_the_same_on_every_run(bundled: Bundled) -> None:
    rows, councils, borders = year_rows(bundled, YEAR)
    first = analyse_network(rows, councils, borders)
    again = analyse_network(list(reversed(rows)), dict(reversed(councils.items())), borders)
    assert first.summary == again.summary
    assert first.communities == again.communities
    assert first.metrics == again.metrics
    assert first.summary.ties > 0
    assert 0.0 < (first.summary.bordering_share or 0.0) < 1.0
    asker = min(councils)
    assert find_peers(asker, rows, councils) == find_peers(asker, reversed(rows), councils)
    assert nearest_neighbours(asker, councils) == nearest_neighbours(asker, councils)


@pytest.mark.parametrize("year", [2011, 2016, 2024])
def test_every_year_analyses_without_error(bundled: Bundled, year: int) -> None:
    rows, councils, borders = year_rows(bundled, year)
    result = analyse_network(rows, councils, borders, include_isolates=True)
    assert result.summary.councils == len(councils)
    assert set(result.metrics) == set(councils)
