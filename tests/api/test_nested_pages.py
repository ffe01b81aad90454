"""Nested lists that grow are pages like the top-level ones: a council's partnerships and
partners, and the singletons bordering sharers. Walking every page gives the list the CSVs
give (``tests/api/test_time_truth.py`` reads them with the csv module alone), a cursor from
another list is refused, and a page of councils with their pages costs a fixed number of round
trips."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.api.test_analyst import data
from tests.api.test_queries import _app_db
from tests.api.test_time_truth import active, existing, partnerships, register, tier_mix

BASINGSTOKE = "E07000084"

PARTNERSHIPS = """query ($code: String!, $year: Int, $after: String, $order: [PartnershipOrder!]) {
  council(council: $code) {
    partnershipConnection(year: $year, first: 2, after: $after, orderBy: $order) {
      totalCount pageInfo { hasNextPage endCursor hasPreviousPage }
      nodes { id name startYear } } } }"""

PARTNERS = """query ($code: String!, $year: Int, $after: String) {
  council(council: $code) {
    partnerConnection(year: $year, first: 3, after: $after,
                      orderBy: [{field: PARTNERSHIP_COUNT, direction: DESC, year: 2016}]) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { code name partnershipCount(year: 2016) } } } }"""


def _walk(client: TestClient, query: str, field: str, **variables: Any) -> list[dict[str, Any]]:
    """Every node of a council's nested page, following endCursor to the end."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = data(client, query, after=after, **variables)["council"][field]
        nodes += page["nodes"]
        assert page["totalCount"] >= len(nodes)
        if not page["pageInfo"]["hasNextPage"]:
            assert page["totalCount"] == len(nodes)
            return nodes
        after = page["pageInfo"]["endCursor"]


def _busiest(year: int) -> str:
    counts: dict[str, int] = {}
    for members in active(year).values():
        for code in members:
            counts[code] = counts.get(code, 0) + 1
    return max(sorted(counts), key=lambda code: counts[code])


def test_a_councils_partnerships_in_a_year_page_through_to_the_csvs(client: TestClient) -> None:
    code = _busiest(2019)
    nodes = _walk(client, PARTNERSHIPS, "partnershipConnection", code=code, year=2019)
    expected = {pid for pid, members in active(2019).items() if code in members}
    assert len(expected) > 2  # more than one page of 2
    assert {n["id"] for n in nodes} == expected
    assert len(nodes) == len(expected)
    names = [n["name"].lower() for n in nodes]
    assert names == sorted(names)


def test_listed_partnerships_ordered_by_start_year_page_through(client: TestClient) -> None:
    nodes = _walk(
        client,
        PARTNERSHIPS,
        "partnershipConnection",
        code=BASINGSTOKE,
        order=[{"field": "START_YEAR", "direction": "DESC"}],
    )
    expected = {p.id for p in partnerships() if any(c == BASINGSTOKE for c, _, _ in p.members)}
    assert {n["id"] for n in nodes} == expected
    years = [n["startYear"] for n in nodes if n["startYear"] is not None]
    assert years == sorted(years, reverse=True)


def test_partners_page_through_to_the_csvs(client: TestClient) -> None:
    code = _busiest(2016)
    nodes = _walk(client, PARTNERS, "partnerConnection", code=code, year=2016)
    expected = {c for members in active(2016).values() if code in members for c in members}
    assert {n["code"] for n in nodes} == expected - {code}
    counts = [n["partnershipCount"] for n in nodes]
    assert counts == sorted(counts, reverse=True)


def test_a_cursor_from_another_councils_list_is_refused(client: TestClient) -> None:
    code = _busiest(2019)
    page = data(client, PARTNERSHIPS, code=code, year=2019)["council"]["partnershipConnection"]
    cursor = page["pageInfo"]["endCursor"]
    for variables in ({"code": BASINGSTOKE, "year": 2019}, {"code": code, "year": 2018}):
        body = client.post(
            "/graphql",
            json={"query": PARTNERSHIPS, "variables": {**variables, "after": cursor}},
        ).json()
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_singletons_bordering_sharers_page_through_as_the_old_list(client: TestClient) -> None:
    old = data(
        client,
        "{ singletonsBorderingSharers(year: 2012, service: LEGAL) "
        "{ council { code } sharingNeighbours { code } } }",
    )["singletonsBorderingSharers"]
    query = """query ($after: String) {
      singletonsBorderingSharersConnection(year: 2012, service: LEGAL, first: 7, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { council { code } sharingNeighbours { code } } } }"""
    walked: list[dict[str, Any]] = []
    after = None
    while True:
        page = data(client, query, after=after)["singletonsBorderingSharersConnection"]
        walked += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(old) > 7
    assert walked == old
    assert page["totalCount"] == len(old)


def test_a_page_of_councils_with_their_pages_costs_a_fixed_number_of_round_trips(
    client: TestClient,
) -> None:
    query = """query ($first: Int) { councils(first: $first, filter: {year: 2019}) { nodes {
      partnershipConnection(year: 2019, first: 5) { totalCount nodes { name } }
      partnerConnection(year: 2019, first: 5) { totalCount nodes { name } } } } }"""
    app_db = _app_db(client)
    data(client, query, first=100)  # warm the snapshot's year
    trips = []
    for size in (5, 100):
        before = app_db.round_trips
        data(client, query, first=size)
        trips.append(app_db.round_trips - before)
    assert trips[0] == trips[1] <= 3


def test_a_councils_partnerships_take_the_top_level_filter(client: TestClient) -> None:
    answer = data(
        client,
        """{ councils(first: 100, filter: {kind: [COUNTY], year: 2019}) { nodes { code
             partnershipConnection(year: 2019, filter: {tierMix: DISTRICT_UPPER}) {
               totalCount } } } }""",
    )["councils"]["nodes"]
    councils, _ = register()
    counties = {c for c in existing(2019) if councils[c].tier == "upper" and c.startswith("E10")}
    mixed = [m for m in active(2019).values() if tier_mix(m) == "district_upper"]
    expected = {code: sum(code in m for m in mixed) for code in counties}
    assert {n["code"]: n["partnershipConnection"]["totalCount"] for n in answer} == expected
    assert any(expected.values())
