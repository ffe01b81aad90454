"""Answers about a year equal an independent reading of the data README's rules.

The rules ("When a partnership runs", "Member years", succession, "active", "singleton", tier
mix) are written again here, from the CSV files with the csv module alone: nothing of the
project's own rule code (graph.rules, graph.repository, loaders) is called, so a mistake in
either shows as a difference. The answers compared are the public ones, through GraphQL on the
real Neo4j. Borders come from the graph's BORDERS relationships, whose derivation from the
adjacency file has its own tests (test_loaders_neo4j).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.db import Database
from loaders.sources import DATA_DIR

YEARS = (2011, 2012, 2016, 2019, 2024)
CURRENT = date.today().year
PRINCIPAL = {"CTY", "NMD", "UA", "MD", "LBO", "CC"}


def _rows(relative: str) -> list[dict[str, str]]:
    with (DATA_DIR / relative).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


SERVICES = tuple(row["code"] for row in _rows("taxonomy/service_areas.csv"))


@dataclass(frozen=True)
class Reg:
    code: str
    start: date | None
    end: date | None
    replaced_by: tuple[str, ...]  # GSS codes
    tier: str

    def exists(self, year: int) -> bool:
        return (self.start is None or self.start <= date(year, 12, 31)) and (
            self.end is None or self.end > date(year, 1, 1)
        )


@cache
def register() -> tuple[dict[str, Reg], dict[str, str]]:
    """English principal councils by GSS code, and every code (current or former) -> current."""
    rows = [
        r
        for r in _rows("councils/uk_local_authorities_future.csv")
        if r["nation"] == "England" and r["local-authority-type"] in PRINCIPAL
    ]
    gss_of = {r["local-authority-code"]: r["gss-code"] for r in rows}
    councils = {
        r["gss-code"]: Reg(
            code=r["gss-code"],
            start=date.fromisoformat(r["start-date"]) if r["start-date"] else None,
            end=date.fromisoformat(r["end-date"]) if r["end-date"] else None,
            replaced_by=tuple(
                gss_of[x.strip()] for x in r["replaced-by"].split(",") if x.strip() in gss_of
            ),
            tier="lower" if r["local-authority-type"] == "NMD" else "upper",
        )
        for r in rows
    }
    current = {code: code for code in councils}
    for r in rows:
        for former in r["former-gss-codes"].split(","):
            if former.strip():
                current[former.strip()] = r["gss-code"]
    return councils, current


def stand_ins(code: str, year: int) -> set[str]:
    """The council itself if it exists in ``year``, else the first existing successors."""
    councils, _ = register()
    council = councils[code]
    if council.exists(year):
        return {code}
    found: set[str] = set()
    for successor in council.replaced_by:
        found |= stand_ins(successor, year)
    return found


def dated_years(source_dates: str) -> list[int]:
    years = []
    for entry in source_dates.split(";"):
        entry = entry.strip().lower()
        if not entry or entry.startswith(("n.d", "undated")):
            continue
        years += [int(y) for y in re.findall(r"(?<!\d)\d{4}(?!\d)", entry)]
    return years


@dataclass(frozen=True)
class Row:
    id: str
    status: str
    services: tuple[str, ...]
    start: int
    basis: str
    end: int | None
    members: tuple[tuple[str, int | None, int | None], ...]  # (current code, from, to)


@cache
def partnerships() -> tuple[Row, ...]:
    _, current = register()
    result = []
    for r in _rows("partnerships/partnerships_cited.csv"):
        years = dated_years(r["source_dates"])
        if r["start_year"].strip():
            start, basis = int(r["start_year"]), "STATED"
        elif years:
            start, basis = min(years), "FIRST_EVIDENCE"
        else:
            start, basis = CURRENT, "UNKNOWN"
        end = int(r["end_year"]) if r["end_year"].strip() else None
        if end is None and r["status"] == "ended" and years:
            end = max(years)
        own: dict[str, tuple[int | None, int | None]] = {}
        for entry in r["member_years"].split(";"):
            if entry.strip():
                code, span = entry.strip().split(":")
                first, _, last = span.partition("-")
                own[current[code.strip()]] = (
                    int(first) if first.strip() else None,
                    int(last) if last.strip() else None,
                )
        codes = [current[c.strip()] for c in r["council_gss_codes"].split(";")]
        result.append(
            Row(
                id=r["id"],
                status=r["status"],
                services=tuple(s for s in r["service_areas"].split(";") if s.strip()),
                start=start,
                basis=basis,
                end=end,
                members=tuple((c, *own.get(c, (None, None))) for c in dict.fromkeys(codes)),
            )
        )
    return tuple(result)


def active(year: int, service: str | None = None) -> dict[str, set[str]]:
    """Partnership id -> its members in ``year``, for every partnership active then."""
    found = {}
    for p in partnerships():
        if p.status not in ("operational", "ended"):
            continue
        if service is not None and service not in p.services:
            continue
        if not (p.start <= year and (p.end is None or year <= p.end)):
            continue
        members: set[str] = set()
        for code, first, last in p.members:
            if (first is None or first <= year) and (last is None or year <= last):
                members |= stand_ins(code, year)
        if len(members) >= 2:
            found[p.id] = members
    return found


def existing(year: int) -> set[str]:
    councils, _ = register()
    return {code for code, c in councils.items() if c.exists(year)}


def tier_mix(codes: set[str]) -> str:
    councils, _ = register()
    tiers = {councils[c].tier for c in codes}
    if tiers == {"lower"}:
        return "district_district"
    return "upper_upper" if tiers == {"upper"} else "district_upper"


# -- the API's answers -------------------------------------------------------------------


def gql(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    body = client.post("/graphql", json={"query": query, "variables": variables}).json()
    assert "errors" not in body, body.get("errors")
    data: dict[str, Any] = body["data"]
    return data


def counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {row["key"]: row["count"] for row in rows}


@pytest.mark.parametrize("year", YEARS)
def test_stats_and_singletons_equal_the_rules(client: TestClient, year: int) -> None:
    data = gql(
        client,
        """query ($year: Int) {
          stats(year: $year) {
            total activeSharers singletons byTierMix { key count } byService { key count }
          }
          singletons(year: $year) { code }
        }""",
        year=year,
    )
    year_active = active(year)
    sharers = set().union(*year_active.values())
    councils = existing(year)
    assert sharers <= councils
    stats = data["stats"]
    assert stats["total"] == len(year_active)
    assert stats["activeSharers"] == len(sharers)
    assert stats["singletons"] == len(councils - sharers)
    assert counts(stats["byTierMix"]) == Counter(tier_mix(m) for m in year_active.values())
    by_id = {p.id: p for p in partnerships()}
    assert counts(stats["byService"]) == Counter(
        s for pid in year_active for s in by_id[pid].services
    )
    assert {c["code"] for c in data["singletons"]} == councils - sharers


@pytest.mark.parametrize("year", YEARS)
def test_singletons_bordering_sharers_equal_the_rules_for_every_service(
    client: TestClient, loaded_db: Database, year: int
) -> None:
    pairs = loaded_db.read(
        "MATCH (a:Council)-[:BORDERS]->(b:Council) RETURN a.code AS a, b.code AS b"
    )
    borders: dict[str, set[str]] = {}
    for pair in pairs:
        borders.setdefault(pair["a"], set()).add(pair["b"])
        borders.setdefault(pair["b"], set()).add(pair["a"])
    data: dict[str, Any] = {}
    for start in range(0, len(SERVICES), 3):  # three services a request: within the cost budget
        fields = " ".join(
            f"{s}: singletonsBorderingSharers(year: $year, service: {s.upper()}) "
            "{ council { code } sharingNeighbours { code } }"
            for s in SERVICES[start : start + 3]
        )
        data |= gql(client, f"query ($year: Int) {{ {fields} }}", year=year)
    councils = existing(year)
    for service in SERVICES:
        sharers = set().union(*active(year, service).values())
        expected = {
            code: sorted(borders.get(code, set()) & sharers)
            for code in sorted(councils - sharers)
            if borders.get(code, set()) & sharers
        }
        got = {
            row["council"]["code"]: sorted(c["code"] for c in row["sharingNeighbours"])
            for row in data[service]
        }
        assert got == expected, (year, service)


# -- the README's worked cases -------------------------------------------------------------


PARTNERSHIP = """query ($id: String!, $year: Int!) {
  partnership(id: $id) {
    startYear startYearBasis endYear lastEvidenceYear years(year: $year)
    activeIn(year: $year) members(year: $year) { council { code } memberFrom memberFromBasis }
  }
}"""


def test_an_undated_partnership_first_seen_later_is_not_active_before_that(
    client: TestClient,
) -> None:
    late = [p for p in partnerships() if p.basis == "FIRST_EVIDENCE" and p.start >= 2017]
    assert late, "the bundled data has undated partnerships first seen in 2017 or later"
    for p in late:
        before = gql(client, PARTNERSHIP, id=p.id, year=2012)["partnership"]
        assert before["activeIn"] is False, p.id
        assert before["members"] == []
        assert (before["startYear"], before["startYearBasis"]) == (p.start, "FIRST_EVIDENCE")
        assert f"since {p.start} (first evidence)" in before["years"] or before["endYear"]


def test_a_member_who_joined_later_is_not_a_member_before_it_joined(client: TestClient) -> None:
    # HB Public Law (data: E07000004:2015-): Aylesbury Vale joined in 2015.
    in_2012 = gql(client, PARTNERSHIP, id="hb-public-law", year=2012)["partnership"]
    in_2016 = gql(client, PARTNERSHIP, id="hb-public-law", year=2016)["partnership"]
    assert "E07000004" not in {m["council"]["code"] for m in in_2012["members"]}
    joined = {m["council"]["code"]: m for m in in_2016["members"]}["E07000004"]
    assert (joined["memberFrom"], joined["memberFromBasis"]) == (2015, "STATED")
    assert set(active(2012)["hb-public-law"]) == {m["council"]["code"] for m in in_2012["members"]}
    # Buckinghamshire Council (2020) stands for Aylesbury Vale (joined 2015) and the county
    # (joined 2016): a member since the earlier of the two.
    in_2021 = gql(client, PARTNERSHIP, id="hb-public-law", year=2021)["partnership"]
    bucks = {m["council"]["code"]: m for m in in_2021["members"]}["E06000060"]
    assert bucks["memberFrom"] == 2015


def test_an_ended_partnership_without_an_end_year_stops_at_its_latest_source(
    client: TestClient,
) -> None:
    cases = [
        p
        for p in partnerships()
        if p.status == "ended" and p.end is not None and p.end < CURRENT and p.id in active(p.end)
    ]
    raw = {r["id"]: r for r in _rows("partnerships/partnerships_cited.csv")}
    cases = [p for p in cases if not raw[p.id]["end_year"].strip()]
    assert cases, "the bundled data has ended partnerships with no end year"
    for p in cases:
        assert p.end is not None
        last = gql(client, PARTNERSHIP, id=p.id, year=p.end)["partnership"]
        after = gql(client, PARTNERSHIP, id=p.id, year=p.end + 1)["partnership"]
        assert last["activeIn"] is True, p.id
        assert after["activeIn"] is False, p.id
        assert last["endYear"] == last["lastEvidenceYear"] == p.end


def test_the_past_is_not_made_busier_than_it_was(client: TestClient) -> None:
    # Public health moved to councils in 2013; regional adoption agencies date from ~2018.
    in_2011 = active(2011)
    data = gql(
        client,
        """{ rutland: council(code: "E06000017") { partnerships(year: 2011) { id } }
             warrington: council(code: "E06000007") { partnerships(year: 2011) { id name } } }""",
    )
    assert {p["id"] for p in data["rutland"]["partnerships"]} == {
        pid for pid, members in in_2011.items() if "E06000017" in members
    }
    assert not any("adoption" in p["name"].lower() for p in data["warrington"]["partnerships"])


def test_undated_partnerships_are_placed_in_the_current_year_only(client: TestClient) -> None:
    undated = [p for p in partnerships() if p.basis == "UNKNOWN"]
    assert undated
    for p in undated:
        earlier = gql(client, PARTNERSHIP, id=p.id, year=CURRENT - 1)["partnership"]
        assert earlier["activeIn"] is False, p.id
        assert earlier["startYear"] is None
        assert earlier["startYearBasis"] == "UNKNOWN"
        assert earlier["years"].startswith("undated")


def test_stats_show_old_evidence_and_the_lga_figures(client: TestClient) -> None:
    stats = gql(
        client,
        """{ stats(year: 2011) { total activeOnOldEvidence coverageNote
               lgaReference { edition year arrangements arrangementsCount sources } } }""",
    )["stats"]
    ref = stats["lgaReference"]
    assert ref["year"] == 2011
    assert ref["edition"] == "2011-12-01"  # the latest edition published in 2011
    assert ref["arrangementsCount"] == 143
    assert ref["sources"]
    assert str(stats["total"]) in stats["coverageNote"]
    assert "143" in stats["coverageNote"]
    raw = {r["id"]: r for r in _rows("partnerships/partnerships_cited.csv")}
    expected_old = sum(
        1
        for pid in active(2011)
        if raw[pid]["status"] == "operational"
        and (years := dated_years(raw[pid]["source_dates"]))
        and 2011 - max(years) > 5
    )
    assert stats["activeOnOldEvidence"] == expected_old
    later = gql(client, "{ stats(year: 2024) { activeOnOldEvidence total } }")["stats"]
    expected_2024 = sum(
        1
        for pid in active(2024)
        if raw[pid]["status"] == "operational"
        and (years := dated_years(raw[pid]["source_dates"]))
        and 2024 - max(years) > 5
    )
    assert later["activeOnOldEvidence"] == expected_2024 > 0


def test_years_out_of_range_are_user_errors_naming_the_range(client: TestClient) -> None:
    for year in (2147483647, -99999, 2008, CURRENT + 1):
        body = client.post("/graphql", json={"query": f"{{ stats(year: {year}) {{ total }} }}"})
        errors = body.json()["errors"]
        assert f"from 2009 to {CURRENT}" in errors[0]["message"], errors
        assert "Internal error" not in errors[0]["message"]


def test_peer_reasons_for_2012_legal_cite_only_what_was_so_in_2012(client: TestClient) -> None:
    legal_2012 = active(2012, "legal")
    councils = sorted(existing(2012))
    for start in range(0, len(councils), 25):
        batch = councils[start : start + 25]
        fields = " ".join(
            f'c{i}: peers(code: "{code}", service: LEGAL, year: 2012, limit: 10) '
            "{ council { code } partners { code } partnerships { id name } reason since }"
            for i, code in enumerate(batch)
        )
        data = gql(client, f"{{ {fields} }}")
        for i, _ in enumerate(batch):
            for peer in data[f"c{i}"]:
                code = peer["council"]["code"]
                cited = {p["id"] for p in peer["partnerships"]}
                assert cited, code
                for pid in cited:
                    assert pid in legal_2012, (code, pid)
                    assert code in legal_2012[pid], (code, pid)
                named = set().union(*(legal_2012[pid] for pid in cited)) - {code}
                assert {c["code"] for c in peer["partners"]} == named
                shown = sorted(peer["partnerships"], key=lambda p: p["id"])[:3]
                assert all(p["name"] in peer["reason"] for p in shown), peer["reason"]
