"""Proposals checked against the partnerships of a year (graph/reorganisation_proposals.py),
on the bundled proposals, against the tests' own classification from the CSVs."""

from __future__ import annotations

import pytest

from graph import rules
from graph.db import Database
from graph.reorganisation_proposals import (
    Placement,
    Proposal,
    ProposedUnit,
    check_proposal,
    find_proposal,
    proposals,
)
from graph.snapshot import Snapshot, Snapshots
from tests.support.reorganisation import Register, active_members, classify, rows


@pytest.fixture(scope="module")
def snapshot(loaded_db: Database) -> Snapshot:
    return Snapshots(loaded_db).current()


def test_every_bundled_proposal_is_loaded(snapshot: Snapshot) -> None:
    bundled = rows("reorganisation/proposals_cited.csv")
    loaded = [p for p in proposals(snapshot) if p.origin == "bundled"]
    assert {p.name for p in loaded} == {r["proposal_id"] for r in bundled}
    assert sum(len(p.units) for p in loaded) == len(bundled)
    assert loaded[0].name == "surrey-two-unitaries"  # the Surrey decision first
    statuses = {r["proposal_id"]: r["status"] for r in bundled}
    assert all(p.status == statuses[p.name] for p in loaded)
    assert all(p.sources for p in loaded)


def test_surrey_decision_classified_as_the_csvs_say(snapshot: Snapshot) -> None:
    year = rules.current_year()
    units = {
        r["unit_name"]: set(r["member_gss_codes"].split(";"))
        for r in rows("reorganisation/proposals_cited.csv")
        if r["proposal_id"] == "surrey-two-unitaries"
    }
    assert set(units) == {"East Surrey", "West Surrey"}
    register = Register()
    surrey = next(
        r["gss-code"]
        for r in rows("councils/uk_local_authorities_future.csv")
        if r["official-name"] == "Surrey County Council"
    )
    expected = classify(register, year, units, surrey)
    members = active_members(register, year)

    proposal = find_proposal(snapshot, "Surrey: two unitary councils (East Surrey, West Surrey)")
    assert proposal is not None
    check = check_proposal(snapshot, proposal, year)
    found = {p.partnership.id: p.placement.value for p in check.partnerships}
    assert found == expected
    assert {"inside", "crossing", "outside"} <= set(found.values())
    assert check.unplaced == ()
    for placed in check.placed(Placement.CROSSING):
        assert set(placed.units) == set(units) or surrey in placed.spanning
    census = {r["LAD"]: int(r["POP21"]) for r in rows("population/census_2011_2021_by_lad2021.csv")}
    for unit in check.units:
        assert unit.unit.population == sum(census[c] for c in units[unit.unit.name])
        assert set(unit.inside) == {
            pid
            for pid, where in expected.items()
            if where == "inside" and members[pid] <= units[unit.unit.name]
        }


def test_incomplete_proposal_names_the_councils_no_source_placed(snapshot: Snapshot) -> None:
    proposal = find_proposal(snapshot, "hertfordshire-three-unitaries")
    assert proposal is not None
    placed = {c for u in proposal.units for c in u.members}
    herts = {
        r["gss-code"]
        for r in rows("councils/uk_local_authorities_future.csv")
        if r["county-la"] == "HRT" and not r["end-date"]
    }
    check = check_proposal(snapshot, proposal, rules.current_year())
    assert set(check.unplaced) == herts - placed
    assert check.unplaced


def _by_name() -> dict[str, dict[str, str]]:
    return {r["nice-name"]: r for r in rows("councils/uk_local_authorities_future.csv")}


def _made(*units: tuple[str, ...]) -> Proposal:
    """A hand-made proposal (not stored): one unit per tuple of council names."""
    register = _by_name()
    return Proposal(
        name="hand-made",
        title="hand-made",
        area="",
        status="submitted",
        origin="file",
        units=tuple(
            ProposedUnit(f"U{i}", tuple(register[n]["gss-code"] for n in names))
            for i, names in enumerate(units)
        ),
    )


def test_unplaced_follows_the_stated_rule(snapshot: Snapshot) -> None:
    register, existing = _by_name(), Register()
    year = rules.current_year()

    def districts(county: str) -> set[str]:
        return {
            r["gss-code"]
            for r in rows("councils/uk_local_authorities_future.csv")
            if r["county-la"] == county and existing.exists(r["gss-code"], year)
        }

    hampshire = districts("HAM")
    named = ("Southampton", "Portsmouth", "East Hampshire", "Havant")
    check = check_proposal(snapshot, _made(named[:2], named[2:]), year)
    # the area: the districts of the county its named districts belong to
    assert check.counties == (register["Hampshire"]["gss-code"],)
    assert set(check.unplaced) == hampshire - {register[n]["gss-code"] for n in named}
    # the stated limit: a unitary the proposal never names is not counted
    assert register["Isle of Wight"]["gss-code"] not in check.unplaced
    # a proposal of unitaries only has no area to compare with
    dorset = ("Isle of Wight", "Bournemouth, Christchurch and Poole")
    only = check_proposal(snapshot, _made(named[:2], dorset), year)
    assert (only.counties, only.unplaced) == ((), ())
    # a county council named as a member brings its districts into the area
    surrey = districts("SRY")
    county = check_proposal(snapshot, _made(("Surrey", "Southampton")), year)
    assert county.counties == (register["Surrey"]["gss-code"],)
    assert set(county.unplaced) == surrey
