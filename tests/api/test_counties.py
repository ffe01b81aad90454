"""The `county` filters go by ceremonial county (Lieutenancies Act 1997): a county council,
its districts and the unitaries in the county alike. Expected sets are read from the CSVs with
the csv module alone: the register's `county-la` for districts, the project's ceremonial file
for everything else."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.test_analyst import data
from tests.api.test_time_truth import _rows, partnerships, register


def _in_county(county: str) -> set[str]:
    """Codes of the councils in ``county``: listed for it in the ceremonial file, or districts
    of a county council listed for it."""
    listed = {
        r["code"]
        for r in _rows("councils/ceremonial_counties.csv")
        if county in (r["ceremonial_county"], r["also_partly_in"])
    }
    councils, _ = register()
    rows = _rows("councils/uk_local_authorities_future.csv")
    registry = {r["local-authority-code"]: r["gss-code"] for r in rows}
    districts = {
        r["gss-code"]
        for r in rows
        if r["gss-code"] in councils
        and r["local-authority-type"] == "NMD"
        and registry.get(r["county-la"]) in listed
    }
    return listed | districts


@pytest.mark.parametrize(
    ("asked", "county"),
    [
        ("Kent", "Kent"),
        ("Medway", "Kent"),
        ("greater london", "Greater London"),
        ("E06000004", "Durham"),
        ("North Yorkshire", "North Yorkshire"),
        ("Bristol", "City of Bristol"),
    ],
)
def test_councils_in_a_county_equal_the_csvs(client: TestClient, asked: str, county: str) -> None:
    answer = data(
        client,
        "query ($c: String) { councils(first: 100, filter: {county: $c}) "
        "{ totalCount nodes { code ceremonialCounty ceremonialCounties } } }",
        c=asked,
    )["councils"]
    nodes = answer["nodes"]
    assert {n["code"] for n in nodes} == _in_county(county)
    assert answer["totalCount"] == len(nodes)
    assert all(county in n["ceremonialCounties"] for n in nodes)


def test_partnerships_entirely_within_kent_equal_the_csvs(client: TestClient) -> None:
    kent = _in_county("Kent")
    query = """query ($f: PartnershipFilter) { partnerships(first: 100, filter: $f) {
        totalCount nodes { id } } }"""
    within = data(client, query, f={"members": {"all": {"county": "Kent"}}})["partnerships"]
    expected = {p.id for p in partnerships() if all(c in kent for c, _, _ in p.members)}
    assert expected, "expected partnerships among Kent's councils only"
    assert {n["id"] for n in within["nodes"]} == expected
    # Medway (a unitary) shares with Kent's districts: the old county-council reading missed it.
    medway = data(
        client, query, f={"members": {"all": {"county": "Kent"}, "some": {"codeIn": ["E06000035"]}}}
    )
    assert medway["partnerships"]["totalCount"] > 0


def test_an_unknown_county_is_not_found_with_suggestions(client: TestClient) -> None:
    body: dict[str, Any] = client.post(
        "/graphql", json={"query": '{ councils(filter: {county: "Kentt"}) { totalCount } }'}
    ).json()
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "Kent" in error["message"]
