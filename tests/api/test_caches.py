"""The request pipeline's memory: whole answers per data version (api/responses.py) and
checked documents (api/guards.py). Mechanisms, not timings: what is remembered, what is
not, and that a data-version change is seen on the next request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.guards import checked_documents
from api.limits import Limits
from api.responses import ResponseCache
from graph import repository, rules
from graph.db import Database, Tx
from graph.schema import bump_data_version
from graph.settings import Settings
from tests.api.test_queries import gql, gql_errors

NAME = '{ council(code: "E07000084") { name } }'
RENAME = "MATCH (c:Council {code: $code}) SET c.name = $name"


def _state(client: TestClient) -> Any:
    return client.app.state.council_graph  # type: ignore[attr-defined]


def _responses(client: TestClient) -> ResponseCache:
    routes = client.app.routes  # type: ignore[attr-defined]
    graphql = next(r for r in routes if getattr(r, "path", "") == "/graphql")
    cache: ResponseCache = graphql.endpoint.responses
    return cache


def _trips(client: TestClient, query: str, **variables: Any) -> tuple[int, dict[str, Any]]:
    db: Database = _state(client).db
    before = db.round_trips
    data = gql(client, query, **variables)
    return db.round_trips - before, data


def test_a_repeated_anonymous_query_is_answered_from_memory(client: TestClient) -> None:
    cache = _responses(client)
    query = "{ stats(year: 2011) { total councils } }"
    gql(client, query)  # the snapshot learns 2011 (round trips: not remembered)
    _, first = _trips(client, query)  # computed from the snapshot alone: remembered
    hits = cache.hits
    trips, again = _trips(client, query)
    assert again == first
    assert cache.hits == hits + 1
    assert trips == 1  # the data version, nothing else


def test_variables_are_part_of_what_is_remembered(client: TestClient) -> None:
    query = "query ($y: Int) { stats(year: $y) { total } }"
    a = gql(client, query, y=2012)["stats"]["total"]
    b = gql(client, query, y=2020)["stats"]["total"]
    assert gql(client, query, y=2012)["stats"]["total"] == a
    assert gql(client, query, y=2020)["stats"]["total"] == b
    assert gql(client, "{ stats(year: 2012) { total } }")["stats"]["total"] == a


def test_a_renamed_council_is_seen_on_the_next_request(
    client: TestClient, loaded_db: Database
) -> None:
    original = gql(client, NAME)["council"]["name"]
    gql(client, NAME)  # remembered now

    def rename(name: str) -> Any:
        def work(tx: Tx) -> None:
            tx.run(RENAME, {"code": "E07000084", "name": name})
            bump_data_version(tx)

        return work

    loaded_db.write_transaction(rename("Basingstoke Renamed For A Test"))
    try:
        assert gql(client, NAME)["council"]["name"] == "Basingstoke Renamed For A Test"
    finally:
        loaded_db.write_transaction(rename(original))
    assert gql(client, NAME)["council"]["name"] == original


def test_answers_that_read_outside_the_snapshot_are_not_remembered(client: TestClient) -> None:
    # A name is looked up in Neo4j (aliases), not in the snapshot: every request reads it.
    query = '{ council(name: "Basingstoke & Deane") { code } }'
    gql(client, query)
    first, _ = _trips(client, query)
    second, _ = _trips(client, query)
    assert first == second > 1


def test_errors_are_not_remembered(client: TestClient) -> None:
    cache = _responses(client)
    query = '{ councils(first: 5, after: "not-a-cursor") { nodes { name } } }'
    size = len(cache)
    gql_errors(client, query)
    gql_errors(client, query)
    assert len(cache) == size


@pytest.fixture(scope="module")
def uncached(loaded_db: Database, neo4j_settings: Settings) -> Iterator[TestClient]:
    """The app with the response cache off: every answer is computed."""
    with TestClient(create_app(neo4j_settings, response_cache=False)) as test_client:
        yield test_client


def test_without_the_response_cache_answers_are_the_same(
    client: TestClient, uncached: TestClient
) -> None:
    query = "{ singletonsBorderingSharers(year: 2012, service: LEGAL) { council { code } } }"
    assert gql(uncached, query) == gql(client, query) == gql(client, query)
    trips, _ = _trips(uncached, query)
    assert trips == 1  # warm: the data version; the rest from the snapshot


def test_a_parsed_document_is_reused(uncached: TestClient) -> None:
    query = "{ stats(year: 2013) { total } }"
    gql(uncached, query)
    memory = checked_documents(Limits())
    document = memory.document(query)
    assert document is not None
    gql(uncached, query)
    assert memory.document(query) is document


def test_a_refused_document_is_refused_again(uncached: TestClient) -> None:
    deep = "{ council(code: \"E07000084\") { county { county { county { county { county {" \
        " county { county { county { county { county { name } } } } } } } } } } } }"  # fmt: skip
    first = gql_errors(uncached, deep)
    assert first[0]["extensions"]["code"] == "DEPTH_LIMIT"
    assert gql_errors(uncached, deep) == first


def test_a_passed_query_does_not_pass_other_variables(
    loaded_db: Database, neo4j_settings: Settings
) -> None:
    limits = Limits(max_cost=500)
    query = "query ($n: Int) { councils(first: $n) { nodes { partnerships { name } } } }"
    with TestClient(create_app(neo4j_settings, limits=limits, response_cache=False)) as client:
        assert len(gql(client, query, n=2)["councils"]["nodes"]) == 2
        body = client.post("/graphql", json={"query": query, "variables": {"n": 100}}).json()
        assert body["errors"][0]["extensions"]["code"] == "COST_LIMIT"
        assert len(gql(client, query, n=2)["councils"]["nodes"]) == 2


def test_a_remembered_answer_keeps_the_media_type_asked_for(client: TestClient) -> None:
    query = {"query": "{ stats(year: 2015) { total } }"}
    wanted = {"Accept": "application/graphql-response+json"}
    answers = [client.post("/graphql", json=query, headers=wanted) for _ in range(3)]
    answers += [client.post("/graphql", json=query) for _ in range(2)]
    assert {a.headers["content-type"].split(";")[0] for a in answers[:3]} == {
        "application/graphql-response+json"
    }
    assert {a.headers["content-type"].split(";")[0] for a in answers[3:]} == {"application/json"}
    assert len({a.content for a in answers}) == 1
    assert all(int(a.headers["content-length"]) == len(a.content) for a in answers)


ACTIVE_IN = """query ($year: Int!) {
  partnerships(filter: {year: $year}, first: 100) { totalCount }
}"""


def test_a_new_calendar_year_is_seen_with_the_data_version_unchanged(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An undated partnership is placed in the current year: when the year turns, the
    partnerships active in last year are counted afresh, though no load bumped the version
    (everything a snapshot remembers, selections included, is kept per current year)."""
    db: Database = _state(client).db
    year = rules.current_year()

    def expected() -> int:  # independent: the statement, with the rules of time in Cypher
        return len({m.partnership_id for m in repository.effective_memberships(db, year)})

    before = gql(client, ACTIVE_IN, year=year)["partnerships"]["totalCount"]
    assert before == expected()
    monkeypatch.setattr(rules, "current_year", lambda: year + 1)
    after = gql(client, ACTIVE_IN, year=year)["partnerships"]["totalCount"]
    assert after == expected()
    assert after < before  # the undated ones now start next year
