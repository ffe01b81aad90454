"""The analysis fed by the real test Neo4j holding the bundled data.

Reads go through ``graph.repository`` (one statement each: effective memberships,
partnerships, councils, council links, data version); the analysis then runs in
Python. This is the path the API and CLI take.
"""

from __future__ import annotations

from graph import repository
from graph.analysis.inputs import border_pairs, council_attrs, memberships_from_rows
from graph.analysis.network import NetworkAnalysis, analyse_network
from graph.analysis.peers import find_peers
from graph.db import Database

YEAR = 2012


def read_year(db: Database, year: int, service: str | None = None) -> NetworkAnalysis:
    members = repository.effective_memberships(db, year, service)
    ids = sorted({m.partnership_id for m in members})
    rows = memberships_from_rows(members, repository.partnerships_by_ids(db, ids))
    councils = council_attrs(repository.all_councils(db), year=year)
    borders = border_pairs(repository.council_links(db, sorted(councils)))
    return analyse_network(rows, councils, borders, service=service)


def test_peers_of_a_singleton_from_neo4j(loaded_db: Database) -> None:
    analysis = read_year(loaded_db, YEAR, "legal")
    sharers = {m.council_code for m in analysis.memberships}
    assert sharers
    asker = min(code for code in analysis.councils if code not in sharers)
    found = find_peers(asker, analysis.memberships, analysis.councils, service="legal", limit=None)
    assert not found.asker_shares
    assert {p.code for p in found.peers} == sharers
    scores = [p.score for p in found.peers]
    assert scores == sorted(scores, reverse=True)


def test_same_figures_on_every_read(loaded_db: Database) -> None:
    first, again = read_year(loaded_db, YEAR), read_year(loaded_db, YEAR)
    assert first.summary == again.summary
    assert first.communities == again.communities
    assert first.metrics == again.metrics


def test_bundled_rows_helper_matches_the_repository(loaded_db: Database) -> None:
    # test_analysis_bundled builds the same rows in Python without Neo4j; both
    # follow docs/graph-model.md, so they must agree exactly.
    from tests.graph.analysis.test_bundled import load_bundled_records, year_rows

    bundled = load_bundled_records()
    for year in (2011, 2012, 2019, 2020, 2024):
        rows, _, _ = year_rows(bundled, year)
        ours = {(m.partnership_id, m.council_code) for m in rows}
        theirs = {
            (m.partnership_id, m.code) for m in repository.effective_memberships(loaded_db, year)
        }
        assert ours == theirs, year
