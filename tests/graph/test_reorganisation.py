"""Lineage and base rates (graph/reorganisation.py) on the bundled data, against counts the
tests make themselves from the CSVs and the register."""

from __future__ import annotations

import pytest

from graph import rules
from graph.db import Database
from graph.reorganisation import lineage, reorganisation_evidence, reorganisations
from graph.snapshot import Snapshot, Snapshots
from tests.support.reorganisation import Register, management_pairs, rows


@pytest.fixture(scope="module")
def snapshot(loaded_db: Database) -> Snapshot:
    return Snapshots(loaded_db).current()


def test_base_rates_equal_an_independent_count(snapshot: Snapshot, loaded_db: Database) -> None:
    register = Register()
    last = rules.current_year()
    borders = {
        (r["a"], r["b"])
        for r in loaded_db.read(
            "MATCH (a:Council)-[:BORDERS]-(b:Council) WHERE a.code < b.code "
            "RETURN a.code AS a, b.code AS b"
        )
    }
    together = {
        p
        for p in borders
        if any(register.exists(p[0], y) and register.exists(p[1], y) for y in range(2009, last + 1))
    }
    shared = management_pairs(register, 2009, last) & together
    merged = {p for p in together if register.descendants(p[0]) & register.descendants(p[1])}

    evidence = reorganisation_evidence(snapshot)
    assert (evidence.first_year, evidence.last_year) == (2009, last)
    assert evidence.shared_management.pairs == len(shared)
    assert evidence.shared_management.merged == len(shared & merged)
    assert set(evidence.shared_management.merged_pairs) == shared & merged
    assert evidence.no_shared_management.pairs == len(together - shared)
    assert evidence.no_shared_management.merged == len(merged - shared)
    assert ("E07000190", "E07000191") in evidence.shared_management.merged_pairs
    assert "not cause" in evidence.caveat


def test_lineage_of_somerset_west_and_taunton(snapshot: Snapshot) -> None:
    found = lineage(snapshot, "E07000246")
    assert found is not None
    assert [p.council.name for p in found.predecessors] == ["Taunton Deane", "West Somerset"]
    assert found.years_considered == (2009, 2018)
    management = [p for p in found.partnerships if p.management]
    assert [p.partnership.id for p in management] == ["taunton-deane-west-somerset"]
    assert management[0].members == ("E07000190", "E07000191")
    assert (management[0].first_year, management[0].last_year) == (2013, 2018)
    assert management[0].start_basis == "stated"
    assert "(stated)" in management[0].years
    assert found.shared_management
    # every partnership listed had both predecessors as members in the years given
    for p in found.partnerships:
        for year in (p.first_year, p.last_year):
            codes = {
                m.code for m in snapshot.memberships(year) if m.partnership_id == p.partnership.id
            }
            assert set(p.members) <= codes


def test_lineage_of_west_northamptonshire_lists_districts_and_county_share(
    snapshot: Snapshot,
) -> None:
    found = lineage(snapshot, "E06000062")
    assert found is not None
    register = Register()
    replaced = {c for c, later in register.later.items() if "E06000062" in later}
    assert {p.council.code for p in found.predecessors} == replaced
    districts = sorted(p.council.name for p in found.predecessors if not p.split)
    assert districts == ["Daventry", "Northampton", "South Northamptonshire"]
    (county,) = [p for p in found.predecessors if p.split]
    assert county.council.name == "Northamptonshire"
    assert set(county.successors) == {"E06000061", "E06000062"}
    # the county's share: its districts that West Northamptonshire replaced (county rule)
    assert set(county.share) == {p.council.code for p in found.predecessors if not p.split}
    within = [
        r for r in rows("councils/uk_local_authorities_future.csv") if r["county-la"] == "NTH"
    ]
    assert county.territory_size == len(within)


def test_reorganisations_are_the_register_s(snapshot: Snapshot) -> None:
    register = Register()
    successors = {s for later in register.later.values() for s in later}
    years = {register.start[s].year for s in successors}
    found = reorganisations(snapshot)
    assert {c.code for r in found for c in r.successors} == successors
    assert {r.vesting.year for r in found} == years
    assert [c.name for r in reorganisations(snapshot, 2021, 2021) for c in r.successors] == [
        "North Northamptonshire",
        "West Northamptonshire",
    ]
    assert lineage(snapshot, "E07000084") is None  # Basingstoke and Deane replaced no one


def test_lineage_reads_once_and_agrees_with_each_year_s_memberships(loaded_db: Database) -> None:
    cold = Snapshots(loaded_db).current()
    successors = [c.code for r in reorganisations(cold) for c in r.successors]
    for code in successors:
        before = loaded_db.round_trips
        found = lineage(cold, code)
        assert found is not None
        assert loaded_db.round_trips - before == 1  # one statement for every year
        assert lineage(cold, code) is found  # remembered for the data version
        assert loaded_db.round_trips - before == 1
        # the same partnerships, members and years as each year's effective memberships give
        codes = {p.council.code for p in found.predecessors}
        first, last = found.years_considered
        expected: dict[str, tuple[set[str], list[int]]] = {}
        for year in range(first, last + 1):
            among: dict[str, set[str]] = {}
            for m in cold.memberships(year):
                if m.code in codes:
                    among.setdefault(m.partnership_id, set()).add(m.code)
            for pid, members in among.items():
                if len(members) >= 2:
                    entry = expected.setdefault(pid, (set(), []))
                    entry[0].update(members)
                    entry[1].append(year)
        assert {
            p.partnership.id: (set(p.members), p.first_year, p.last_year)
            for p in found.partnerships
        } == {pid: (m, min(y), max(y)) for pid, (m, y) in expected.items()}
