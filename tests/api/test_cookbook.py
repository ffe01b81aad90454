"""The cookbook (docs/cookbook.md): every question is one request that answers without
errors, and the answers marked *checked* equal an independent reading of the CSV files
(the rules as ``tests/api/test_time_truth.py`` writes them again, with the csv module alone).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.test_time_truth import Row, _rows, active, partnerships, register
from tests.support.paths import ROOT

COOKBOOK = ROOT / "docs" / "cookbook.md"
KENT, MEDWAY = "E10000016", "E06000035"


def recipes() -> dict[int, str]:
    """Question number -> its request, in the order of the cookbook."""
    text = COOKBOOK.read_text(encoding="utf-8")
    found = re.findall(r"^## (\d+)\. .*?```graphql\n(.*?)```", text, re.S | re.M)
    return {int(number): query for number, query in found}


def ask(client: TestClient, number: int, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": recipes()[number], "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def test_the_cookbook_answers_at_least_the_twenty_questions_of_the_issue() -> None:
    assert sorted(recipes()) == list(range(1, len(recipes()) + 1))
    assert len(recipes()) >= 20


@pytest.mark.parametrize("number", sorted(recipes()))
def test_every_question_is_one_request_without_errors(client: TestClient, number: int) -> None:
    data = ask(client, number)
    assert all(value is not None for value in data.values())


# -- checked against the CSV ---------------------------------------------------------------


def _listed() -> dict[str, Row]:
    return {p.id: p for p in partnerships()}


def _csv_partnerships() -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in _rows("partnerships/partnerships_cited.csv")}


def test_top_ten_councils_by_active_partnerships_in_2019(client: TestClient) -> None:
    counts: Counter[str] = Counter(c for members in active(2019).values() for c in members)
    expected = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    nodes = ask(client, 1)["councils"]["nodes"]
    assert [(n["code"], n["partnershipCount"]) for n in nodes] == expected


def test_savings_of_a_million_or_more_largest_first(client: TestClient) -> None:
    rows = _csv_partnerships()
    savings = {
        pid: int(r["annual_savings_gbp"])
        for pid, r in rows.items()
        if r["annual_savings_gbp"].strip() and int(r["annual_savings_gbp"]) >= 1_000_000
    }
    expected = sorted(savings, key=lambda pid: (-savings[pid], pid))
    answer = ask(client, 2)["partnerships"]
    assert answer["totalCount"] == len(expected) > 0
    assert [n["id"] for n in answer["nodes"]] == expected
    assert [n["annualSavingsGbp"] for n in answer["nodes"]] == [savings[i] for i in expected]


def test_starts_per_year(client: TestClient) -> None:
    expected = Counter(p.start if p.basis != "UNKNOWN" else None for p in partnerships())
    groups = ask(client, 3)["partnershipAggregate"]
    assert {g["startYear"]: g["count"] for g in groups} == expected
    years = [g["startYear"] for g in groups if g["startYear"] is not None]
    assert years == sorted(years)
    rows = _csv_partnerships()
    saved: Counter[int | None] = Counter()
    for p in partnerships():
        figure = rows[p.id]["annual_savings_gbp"].strip()
        saved[p.start if p.basis != "UNKNOWN" else None] += int(figure) if figure else 0
    assert {g["startYear"]: g["savings"]["reportedTotalGbp"] for g in groups} == saved


def test_largest_partnership_by_members(client: TestClient) -> None:
    rows = partnerships()
    largest = max(len(p.members) for p in rows)
    expected = min(p.id for p in rows if len(p.members) == largest)
    (node,) = ask(client, 4)["partnerships"]["nodes"]
    assert node["id"] == expected
    assert len(node["members"]) == largest


def test_names_containing_audit(client: TestClient) -> None:
    expected = {pid for pid, r in _csv_partnerships().items() if "audit" in r["name"].lower()}
    answer = ask(client, 5)["partnerships"]
    assert answer["totalCount"] == len(expected) > 0
    assert {n["id"] for n in answer["nodes"]} == expected


def test_every_page_in_start_year_order(client: TestClient) -> None:
    rows = partnerships()
    expected = [p.id for p in sorted(rows, key=lambda p: (p.basis == "UNKNOWN", p.start, p.id))]
    seen: list[str] = []
    after, pages = None, 0
    while True:
        answer = ask(client, 6, after=after)["partnerships"]
        pages += 1
        seen += [n["id"] for n in answer["nodes"]]
        if not answer["pageInfo"]["hasNextPage"]:
            break
        after = answer["pageInfo"]["endCursor"]
    assert seen == expected
    assert pages == -(-len(expected) // 100)


def test_kent_and_medway_together(client: TestClient) -> None:
    expected = {
        p.id for p in partnerships() if {KENT, MEDWAY} <= {code for code, _, _ in p.members}
    }
    answer = ask(client, 7)["partnerships"]
    assert {n["id"] for n in answer["nodes"]} == expected
    assert len(expected) > 0


def test_london_boroughs_with_partners_outside_london(client: TestClient) -> None:
    types = {
        r["gss-code"]: r["local-authority-type"]
        for r in _rows("councils/uk_local_authorities_future.csv")
        if r["nation"] == "England"
    }
    in_london = {"LBO", "CC"}  # the boroughs and the City of London
    expected = {
        p.id
        for p in partnerships()
        if any(types[c] == "LBO" for c, _, _ in p.members)
        and any(types[c] not in in_london for c, _, _ in p.members)
    }
    answer = ask(client, 8)["partnerships"]
    assert {n["id"] for n in answer["nodes"]} == expected
    assert len(expected) > 0
    councils, _ = register()
    for node in answer["nodes"]:
        codes = {m["council"]["code"] for m in node["members"]}
        assert codes <= set(councils)
