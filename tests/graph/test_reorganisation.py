"""Lineage and base rates (graph/reorganisation.py) on the bundled data, against counts the
tests make themselves from the CSVs and the register."""

from __future__ import annotations

import csv
from datetime import date
from functools import partial

import pytest

from graph import rules
from graph.db import Database
from graph.reorganisation import lineage, reorganisation_evidence, reorganisations
from graph.snapshot import Snapshot, Snapshots
from tests.support.paths import ROOT

DATA = ROOT / "data"


def _rows(path: str) -> list[dict[str, str]]:
    with (DATA / path).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def snapshot(loaded_db: Database) -> Snapshot:
    return Snapshots(loaded_db).current()


class Register:
    """The council register as the test reads it: existence and replaced-by, by GSS code."""

    def __init__(self) -> None:
        rows = [r for r in _rows("councils/uk_local_authorities_future.csv") if r["gss-code"]]
        gss = {r["local-authority-code"]: r["gss-code"] for r in rows}
        self.code = {r["gss-code"]: r["gss-code"] for r in rows}
        for r in rows:
            for old in filter(None, (c.strip() for c in r["former-gss-codes"].split(","))):
                self.code.setdefault(old, r["gss-code"])
        self.start = {
            r["gss-code"]: date.fromisoformat(r["start-date"] or "1900-01-01") for r in rows
        }
        self.end = {
            r["gss-code"]: date.fromisoformat(r["end-date"]) if r["end-date"] else None
            for r in rows
        }
        self.later = {
            r["gss-code"]: [gss[c] for c in r["replaced-by"].split(",") if c in gss] for r in rows
        }

    def exists(self, code: str, year: int) -> bool:
        return rules.exists_in(self.start[code], self.end[code], year)

    def descendants(self, code: str) -> set[str]:
        found, frontier = set(), list(self.later[code])
        while frontier:
            current = frontier.pop()
            if current not in found:
                found.add(current)
                frontier.extend(self.later[current])
        return found


def _management_pairs(register: Register, first: int, last: int) -> set[tuple[str, str]]:
    """Pairs effective members together of an active management partnership in some year."""
    pairs: set[tuple[str, str]] = set()
    for row in _rows("partnerships/partnerships_cited.csv"):
        if "management" not in row["service_areas"].split(";"):
            continue
        if row["status"] not in rules.ACTIVE_STATUSES:
            continue
        first_ev, last_ev = rules.evidence_years(row["source_dates"].split(";"))
        span = rules.partnership_span(
            status=row["status"],
            start_year=int(row["start_year"]) if row["start_year"] else None,
            end_year=int(row["end_year"]) if row["end_year"] else None,
            first_evidence=first_ev,
            last_evidence=last_ev,
        )
        own = {m.code: m for m in rules.parse_member_years(row["member_years"])}
        listed = [register.code[c] for c in row["council_gss_codes"].split(";")]
        for year in range(first, last + 1):
            if not span.covers(year):
                continue
            members: set[str] = set()
            for code in listed:
                m = own.get(code)
                if m is None or rules.member_covers(m.from_year, m.to_year, year):
                    exists = partial(register.exists, year=year)
                    members |= rules.stand_ins(code, exists, register.later.__getitem__)
            if len(members) >= 2:
                pairs.update((a, b) for a in members for b in members if a < b)
    return pairs


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
    shared = _management_pairs(register, 2009, last) & together
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
        r for r in _rows("councils/uk_local_authorities_future.csv") if r["county-la"] == "NTH"
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
