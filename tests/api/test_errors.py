"""Every error a user can cause carries an ``extensions.code``; requests refused before they
run are GraphQL errors with an HTTP status (GraphQL over HTTP, ``api/http.py``); the request's
cost is queryable (``rateLimit``)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from api.cost import measure
from api.guards import whole
from api.http import accepts_graphql_response
from api.limits import Limits
from api.schema import build_schema
from graph import rules

GRAPHQL_RESPONSE = "application/graphql-response+json"


def post(client: TestClient, body: Any, accept: str | None = None) -> tuple[int, str, Any]:
    headers = {"accept": accept} if accept else {}
    response = client.post("/graphql", json=body, headers=headers)
    return response.status_code, response.headers["content-type"], response.json()


# Each: a query a user might send, and the code its first error must carry.
USER_ERRORS = {
    '{ council(code: "E99999999") { name } }': "NOT_FOUND",
    '{ council(name: "Nowhere Borough") { name } }': "NOT_FOUND",
    '{ council(code: "E07000084", name: "Hart") { name } }': "BAD_USER_INPUT",
    '{ partnership(id: "no-such-partnership") { name } }': "NOT_FOUND",
    "{ stats(year: 1900) { total } }": "BAD_USER_INPUT",
    "{ councils(first: 1000) { totalCount } }": "BAD_USER_INPUT",
    '{ councils(after: "bm90IGEgY3Vyc29y") { totalCount } }': "BAD_USER_INPUT",
    '{ path(fromCode: "E99999999", toCode: "E07000084") { name } }': "NOT_FOUND",
    '{ peerSearch(code: "E07000084", limit: 0) { alreadyShares } }': "BAD_USER_INPUT",
    "{ submissions { id } }": "UNAUTHENTICATED",
    "{ noSuchField }": "BAD_USER_INPUT",
    "{ council(code: 7) { name } }": "BAD_USER_INPUT",
    "{ council(code: ": "BAD_USER_INPUT",
}


@pytest.mark.parametrize("query", list(USER_ERRORS))
def test_every_user_error_has_a_code(client: TestClient, query: str) -> None:
    status, _, body = post(client, {"query": query})
    assert status == 200  # application/json: the errors say what went wrong
    codes = [error["extensions"]["code"] for error in body["errors"]]
    assert codes[0] == USER_ERRORS[query], body


def test_an_unknown_council_is_null_and_not_found_in_every_field(client: TestClient) -> None:
    query = """{ a: council(code: "E99999999") { name } b: council(code: "E07000084") { name }
                 c: path(fromCode: "E99999999", toCode: "E07000084") { name } }"""
    _, _, body = post(client, {"query": query})
    assert body["data"] == {"a": None, "b": {"name": "Basingstoke and Deane"}, "c": None}
    assert sorted(e["path"][0] for e in body["errors"]) == ["a", "c"]
    assert {e["extensions"]["code"] for e in body["errors"]} == {"NOT_FOUND"}


def test_request_errors_get_400_and_no_data_with_graphql_response_json(
    client: TestClient,
) -> None:
    documents = (
        {"query": "{"},  # parse error
        {"query": "{ noSuchField }"},  # validation
        {"query": "query ($y: Int!) { stats(year: $y) { total } }", "variables": {"y": "x"}},
    )
    for body in (*documents, {"qeury": "{ __typename }"}):  # the last: no query at all
        status, media, answer = post(client, body, accept=GRAPHQL_RESPONSE)
        assert status == 400, (body, answer)
        assert media.startswith(GRAPHQL_RESPONSE)
        assert "data" not in answer
        assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    for body in documents:  # as application/json: HTTP 200, data null, the errors beside it
        status, media, answer = post(client, body, accept="application/json")
        assert (status, media.split(";")[0]) == (200, "application/json")
        assert answer["data"] is None
        assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    status, _, answer = post(client, {"qeury": "{ __typename }"}, accept="application/json")
    assert status == 400
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_field_errors_keep_200_and_data_with_graphql_response_json(client: TestClient) -> None:
    status, media, answer = post(
        client, {"query": '{ council(code: "E99999999") { name } }'}, accept=GRAPHQL_RESPONSE
    )
    assert (status, media.split(";")[0]) == (200, GRAPHQL_RESPONSE)
    assert answer["data"] == {"council": None}


def test_a_bad_token_is_a_graphql_error_with_401(client: TestClient) -> None:
    for accept in (GRAPHQL_RESPONSE, "application/json"):
        response = client.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": "Bearer nonsense", "accept": accept},
        )
        assert response.status_code == 401
        assert response.headers["content-type"].startswith(accept)
        (error,) = response.json()["errors"]
        assert error["extensions"] == {"code": "UNAUTHENTICATED"}
        assert "is not a Council Graph token" in error["message"]


def test_accept_header_negotiation() -> None:
    assert accepts_graphql_response(GRAPHQL_RESPONSE)
    assert accepts_graphql_response(f"application/json;q=0.9, {GRAPHQL_RESPONSE}")
    assert accepts_graphql_response(f"{GRAPHQL_RESPONSE}, application/json")
    assert not accepts_graphql_response(f"application/json, {GRAPHQL_RESPONSE}")
    assert not accepts_graphql_response(f"{GRAPHQL_RESPONSE};q=0, application/json")
    assert not accepts_graphql_response("*/*")
    assert not accepts_graphql_response(None)


def test_rate_limit_reports_the_cost_the_limits_measured(client: TestClient) -> None:
    query = (
        "{ rateLimit { cost limit remaining } councils(first: 7) { edges { node { name "
        "partners(year: 2019) { name } } } } }"
    )
    _, _, body = post(client, {"query": query})
    got = body["data"]["rateLimit"]
    schema = build_schema()._schema
    from graphql import OperationDefinitionNode, parse

    document = parse(query)
    (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    shape = measure(schema, document, operation)
    assert shape is not None
    # By hand: rateLimit 1+3; councils 1+edges 7*(1+node (1+name 1+partners 20*(1+1))).
    assert got["cost"] == whole(shape.cost) == 4 + 1 + 7 * (1 + 1 + 1 + 20 * 2)
    assert got["limit"] == Limits().max_cost
    assert got["remaining"] == got["limit"] - got["cost"]


def test_years_out_of_range_say_which_are_valid(client: TestClient) -> None:
    _, _, body = post(client, {"query": "{ stats(year: 1900) { total } }"})
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert str(rules.FIRST_YEAR) in error["message"]
