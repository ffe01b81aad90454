"""Every GraphQL example in README.md runs without errors on the bundled data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.api.test_queries import gql

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLES = re.findall(r"```graphql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_has_the_examples() -> None:
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("query", EXAMPLES, ids=[f"example{i}" for i in range(len(EXAMPLES))])
def test_readme_example_runs(client: TestClient, query: str) -> None:
    data = gql(client, query)
    assert data
    assert all(value is not None for value in data.values())


def test_readme_answers(client: TestClient) -> None:
    basingstoke = gql(client, EXAMPLES[0])["council"]
    assert basingstoke["ceremonialCounty"] == "Hampshire"
    assert [c["name"] for c in basingstoke["partnerConnection"]["nodes"]] == ["Hart"]
    legal = {p["name"]: p for p in basingstoke["partnershipConnection"]["nodes"]}
    shared = legal["Hart and Basingstoke and Deane shared legal service"]
    assert (shared["startYear"], shared["startYearBasis"]) == (2014, "FIRST_EVIDENCE")
    assert shared["years"] == "since 2014 (first evidence)"
    assert {m["council"]["name"] for m in shared["members"]} == {"Basingstoke and Deane", "Hart"}
    stats = gql(client, EXAMPLES[2])["stats"]
    assert stats["lgaReference"]["edition"] == "2011-12-01"
    assert str(stats["total"]) in stats["coverageNote"]
    near = gql(client, EXAMPLES[1])["singletonsBorderingSharersConnection"]
    assert near["totalCount"] > len(near["nodes"]) == 100  # a first page of 100
    basingstoke = next(r for r in near["nodes"] if r["council"]["name"] == "Basingstoke and Deane")
    assert [n["name"] for n in basingstoke["sharingNeighbours"]] == ["East Hampshire", "Wokingham"]
    path = gql(client, EXAMPLES[3])["path"]
    assert path[0]["name"] == "Basingstoke and Deane"
    assert path[-1]["name"] == "Merton"
