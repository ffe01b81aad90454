"""The benchmark's baselines answer exactly as the API does (bench/baselines.py): E, the best
single Cypher statement per query, and D, plain Python over the snapshot. Otherwise the
bench's ratios would compare different answers."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from bench.baselines import QUERIES, bare_answer, snapshot_answer
from graph.db import Database
from graph.snapshot import Snapshots


@pytest.mark.parametrize("name", list(QUERIES))
def test_the_baselines_answer_as_graphql_does(
    name: str, client: TestClient, loaded_db: Database
) -> None:
    graphql = client.post("/graphql", json={"query": QUERIES[name]}).json()
    assert "errors" not in graphql, graphql
    assert next(iter(graphql["data"].values()))  # a real answer, not an empty one
    assert bare_answer(loaded_db, name) == graphql
    assert snapshot_answer(Snapshots(loaded_db), name) == graphql
