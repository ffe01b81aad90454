"""Filters, aggregates and text search of the analyst API, checked against the CSV files
(``tests/api/test_time_truth.py`` reads them again with the csv module alone)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.test_time_truth import _rows, active, partnerships, tier_mix


def data(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    body: dict[str, Any] = client.post(
        "/graphql", json={"query": query, "variables": variables}
    ).json()
    assert "errors" not in body, body["errors"]
    answer: dict[str, Any] = body["data"]
    return answer


def _types() -> dict[str, str]:
    return {
        r["gss-code"]: r["local-authority-type"]
        for r in _rows("councils/uk_local_authorities_future.csv")
        if r["nation"] == "England"
    }


@pytest.mark.parametrize("year", [2012, 2019])
def test_tier_mix_groups_of_a_range_equal_the_rules(client: TestClient, year: int) -> None:
    groups = data(
        client,
        "query ($y: Int!) { partnershipAggregate(groupBy: TIER_MIX, years: {gte: $y, lte: $y}) "
        "{ year tierMix count } }",
        y=year,
    )["partnershipAggregate"]
    expected = Counter(tier_mix(members).upper() for members in active(year).values())
    assert {g["tierMix"]: g["count"] for g in groups} == expected
    assert {g["year"] for g in groups} == {year}


def test_service_groups_over_years_equal_each_years_stats(client: TestClient) -> None:
    answer = data(
        client,
        """{ partnershipAggregate(groupBy: SERVICE, years: {gte: 2011, lte: 2013}) {
             year service count }
           y2011: stats(year: 2011) { services { service count } }
           y2012: stats(year: 2012) { services { service count } }
           y2013: stats(year: 2013) { services { service count } } }""",
    )
    for year in (2011, 2012, 2013):
        groups = [g for g in answer["partnershipAggregate"] if g["year"] == year]
        stats = answer[f"y{year}"]["services"]
        assert {g["service"]: g["count"] for g in groups} == {
            s["service"]: s["count"] for s in stats
        }


def test_member_set_filters_all_and_none(client: TestClient) -> None:
    types = _types()
    query = """query ($f: PartnershipFilter) { partnerships(first: 100, filter: $f) {
        totalCount nodes { id } } }"""
    every_district = data(client, query, f={"members": {"all": {"kind": ["DISTRICT"]}}})
    expected = {p.id for p in partnerships() if all(types[c] == "NMD" for c, _, _ in p.members)}
    assert every_district["partnerships"]["totalCount"] == len(expected)
    no_county = data(
        client,
        query,
        f={"members": {"none": {"kind": ["COUNTY"]}, "some": {"kind": ["UNITARY"]}}},
    )
    expected = {
        p.id
        for p in partnerships()
        if not any(types[c] == "CTY" for c, _, _ in p.members)
        and any(types[c] == "UA" for c, _, _ in p.members)
    }
    assert no_county["partnerships"]["totalCount"] == len(expected)


def test_ranges_or_and_not_compose(client: TestClient) -> None:
    rows = {r["id"]: r for r in _rows("partnerships/partnerships_cited.csv")}
    listed = {p.id: p for p in partnerships()}
    f = {
        "OR": [{"startYear": {"gte": 2020}}, {"memberCount": {"gte": 10}}],
        "NOT": {"status": ["ABANDONED"]},
    }
    answer = data(
        client,
        "query ($f: PartnershipFilter) { partnerships(filter: $f) { totalCount } }",
        f=f,
    )
    expected = {
        pid
        for pid, p in listed.items()
        if ((p.basis != "UNKNOWN" and p.start >= 2020) or len(p.members) >= 10)
        and rows[pid]["status"] != "abandoned"
    }
    assert answer["partnerships"]["totalCount"] == len(expected)


def test_search_ranks_names_with_the_word(client: TestClient) -> None:
    hits = data(
        client,
        '{ search(query: "audit", types: [PARTNERSHIP], first: 100) '
        "{ type score partnership { id name } } }",
    )["search"]
    named = {
        r["id"]
        for r in _rows("partnerships/partnerships_cited.csv")
        if "audit" in re.split(r"[^a-z0-9]+", r["name"].lower())
    }
    assert named
    assert named <= {h["partnership"]["id"] for h in hits}
    assert {h["type"] for h in hits} == {"PARTNERSHIP"}
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    # Lucene's syntax is not the caller's: brackets and quotes are searched as written.
    same = data(
        client,
        '{ search(query: "(audit", types: [PARTNERSHIP], first: 100) { partnership { id } } }',
    )["search"]
    assert [h["partnership"]["id"] for h in same] == [h["partnership"]["id"] for h in hits]


def test_search_finds_a_council_first_by_its_name(client: TestClient) -> None:
    hits = data(client, '{ search(query: "Hampshire", types: [COUNCIL]) { council { code } } }')
    assert hits["search"][0]["council"]["code"] == "E10000014"
    body = client.post("/graphql", json={"query": '{ search(query: "  ") { score } }'}).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
