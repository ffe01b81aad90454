"""The GraphQL API end to end: real Neo4j, bundled data, answers checked against the rules."""

from __future__ import annotations

import itertools
from typing import Any

from graphql import GraphQLError
from starlette.testclient import TestClient

from api.app import create_app
from api.errors import SafeErrors, UserError
from api.limits import Limits
from api.sdl import schema_sdl
from graph.db import Database, GraphUnavailable
from graph.schema import bump_data_version
from graph.settings import Secret, Settings

LIMITS = Limits()


def gql(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body.get("errors")
    data: dict[str, Any] = body["data"]
    return data


def gql_errors(client: TestClient, query: str) -> list[dict[str, Any]]:
    body = client.post("/graphql", json={"query": query}).json()
    assert body.get("errors"), body
    return list(body["errors"])


SINGLETONS_NEAR_SHARERS = """
query ($year: Int, $service: Service) {
  singletonsBorderingSharers(year: $year, service: $service) {
    council { code name }
    sharingNeighbours { code name }
  }
}"""


def test_typename(client: TestClient) -> None:
    assert gql(client, "{ __typename }") == {"__typename": "Query"}


def test_singletons_bordering_legal_sharers_2012(client: TestClient) -> None:
    rows = gql(client, SINGLETONS_NEAR_SHARERS, year=2012, service="LEGAL")[
        "singletonsBorderingSharers"
    ]
    by_name = {row["council"]["name"]: row for row in rows}
    basingstoke = by_name["Basingstoke and Deane"]
    assert [n["name"] for n in basingstoke["sharingNeighbours"]] == ["East Hampshire", "Wokingham"]
    assert "East Hampshire" not in by_name  # a sharer itself
    assert [row["council"]["name"] for row in rows] == sorted(
        row["council"]["name"] for row in rows
    )


def test_singletons_bordering_sharers_follow_the_rules(client: TestClient) -> None:
    """Cross-check against an independent path: legal sharers from `councils(sharing:)`."""
    data = gql(
        client,
        """{
          sharers: councils(filter: {year: 2012, service: LEGAL, sharing: SHARER}, first: 100) {
            totalCount nodes { code } pageInfo { hasNextPage endCursor } }
          singles: singletons(year: 2012, service: LEGAL) { code name borders(year: 2012) { code } }
        }""",
    )
    sharers = {n["code"] for n in data["sharers"]["nodes"]}
    cursor = data["sharers"]["pageInfo"]["endCursor"]
    while len(sharers) < data["sharers"]["totalCount"]:
        page = gql(
            client,
            """query ($after: String) { councils(filter: {year: 2012, service: LEGAL,
               sharing: SHARER}, first: 100, after: $after) {
               nodes { code } pageInfo { endCursor } } }""",
            after=cursor,
        )["councils"]
        sharers |= {n["code"] for n in page["nodes"]}
        cursor = page["pageInfo"]["endCursor"]
    expected = {
        s["code"]: sorted(b["code"] for b in s["borders"] if b["code"] in sharers)
        for s in data["singles"]
    }
    expected = {code: neighbours for code, neighbours in expected.items() if neighbours}
    rows = gql(client, SINGLETONS_NEAR_SHARERS, year=2012, service="LEGAL")[
        "singletonsBorderingSharers"
    ]
    got = {r["council"]["code"]: sorted(n["code"] for n in r["sharingNeighbours"]) for r in rows}
    assert got == expected
    assert not set(got) & sharers
    # Some singleton has no sharing neighbour at all and so is left out.
    assert {s["code"] for s in data["singles"]} - set(got)


def test_a_county_borders_what_its_districts_border(client: TestClient) -> None:
    kent = gql(client, '{ council(name: "Kent County Council") { kind borders { name } } }')
    names = {b["name"] for b in kent["council"]["borders"]}
    assert kent["council"]["kind"] == "COUNTY"
    assert {"East Sussex", "Surrey"} <= names
    assert "Maidstone" not in names
    rows = gql(client, SINGLETONS_NEAR_SHARERS, year=2012, service="ICT")[
        "singletonsBorderingSharers"
    ]
    counties = [
        r
        for r in rows
        if gql(client, "query ($c: String) { council(code: $c) { kind } }", c=r["council"]["code"])[
            "council"
        ]["kind"]
        == "COUNTY"
    ]
    assert counties, "expected at least one county among ICT singletons in 2012"
    for row in counties:
        borders = gql(
            client,
            "query ($c: String) { council(code: $c) { borders(year: 2012) { code } } }",
            c=row["council"]["code"],
        )["council"]["borders"]
        assert {n["code"] for n in row["sharingNeighbours"]} <= {b["code"] for b in borders}


def test_name_matching_is_forgiving(client: TestClient) -> None:
    for name in (
        "basingstoke & deane",
        "Basingstoke and Deane Borough Council",
        "BASINGSTOKE AND DEANE",
    ):
        found = gql(client, "query ($n: String) { council(name: $n) { code } }", n=name)
        assert found["council"] == {"code": "E07000084"}


def test_stats_2012_are_consistent_with_the_rules(client: TestClient) -> None:
    stats = gql(
        client,
        """{ stats(year: 2012) { total councils activeSharers singletons
              byTierMix { key count } byOffice { key count } byStatus { key count }
              savings { reportedTotalGbp partnershipsWithFigure caveat } }
            active: partnerships(filter: {activeIn: 2012}) { totalCount }
            councils(filter: {year: 2012}) { totalCount } }""",
    )
    s = stats["stats"]
    assert s["total"] == stats["active"]["totalCount"] > 0
    assert s["councils"] == stats["councils"]["totalCount"] == 27 + 201 + 56 + 36 + 32 + 1
    assert s["activeSharers"] + s["singletons"] == s["councils"]
    assert sum(c["count"] for c in s["byTierMix"]) == s["total"]
    assert {c["key"] for c in s["byStatus"]} <= {"operational", "ended"}
    assert sum(c["count"] for c in s["byOffice"]) <= s["total"]
    assert "savingsNote" in s["savings"]["caveat"]


def test_successor_stands_in_for_an_abolished_member(client: TestClient) -> None:
    """A partnership listing Somerset County Council counts Somerset Council in 2024."""
    data = gql(
        client,
        """{ council(code: "E10000027") { name partnerships { id members(year: 2024) {
               council { name } } } } }""",
    )
    assert data["council"]["name"] == "Somerset"
    effective = [
        {m["council"]["name"] for m in p["members"]} for p in data["council"]["partnerships"]
    ]
    assert any("Somerset" in members for members in effective if members)
    somerset_2024 = gql(
        client, '{ council(code: "E06000066") { partnerships(year: 2024) { id } } }'
    )["council"]["partnerships"]
    listed_ids = {p["id"] for p in data["council"]["partnerships"]}
    assert listed_ids & {p["id"] for p in somerset_2024}


def test_path_between_two_councils(client: TestClient) -> None:
    data = gql(client, '{ path(fromCode: "E07000084", toCode: "E09000024", year: 2015) { code } }')
    chain = [c["code"] for c in data["path"]]
    assert chain[0] == "E07000084"
    assert chain[-1] == "E09000024"
    # Each consecutive pair shares a partnership active in 2015.
    for a, b in itertools.pairwise(chain):
        partners = gql(
            client,
            "query ($c: String) { council(code: $c) { partners(year: 2015) { code } } }",
            c=a,
        )["council"]["partners"]
        assert b in {p["code"] for p in partners}


def test_partnership_filters(client: TestClient) -> None:
    data = gql(
        client,
        """{ partnerships(filter: {service: LEGAL, council: "Merton", activeIn: 2014}, first: 50) {
               totalCount nodes { id services office tierMix(year: 2014) } } }""",
    )
    nodes = data["partnerships"]["nodes"]
    assert "south-london-legal-partnership" in {n["id"] for n in nodes}
    assert all("LEGAL" in n["services"] for n in nodes)


# -- performance: no N+1 -----------------------------------------------------------------

NESTED = """query ($n: Int) { councils(first: $n, filter: {year: 2012}) { nodes { name
  partnerships { name members { role council { name county { name } } } } } } }"""


def _app_db(client: TestClient) -> Database:
    """The app's own Database (its round trips are the ones a request costs)."""
    db: Database = client.app.state.council_graph.db  # type: ignore[attr-defined]
    return db


def test_nested_query_costs_a_fixed_number_of_round_trips(client: TestClient) -> None:
    app_db = _app_db(client)

    def trips(page: int) -> int:
        gql(client, NESTED, n=page)  # warm the data version's snapshot
        before = app_db.round_trips
        gql(client, NESTED, n=page)
        return app_db.round_trips - before

    small, large = trips(2), trips(60)
    assert small == large
    # Warm, a request reads only the data version: the rest comes from the snapshot.
    assert large == 1


def test_the_data_version_is_read_once_per_request_however_many_resolvers_ask(
    client: TestClient,
) -> None:
    app_db = _app_db(client)
    query = (
        "{ "
        + " ".join(
            f'c{i}: council(code: "E07000084") {{ partnerships(year: 2012) {{ id }} }}'
            for i in range(30)
        )
        + " }"
    )
    gql(client, query)
    before = app_db.round_trips
    gql(client, query)
    assert app_db.round_trips - before == 1


def test_a_new_data_version_is_seen_on_the_next_request(
    client: TestClient, loaded_db: Database
) -> None:
    app = client.app.state.council_graph  # type: ignore[attr-defined]
    gql(client, "{ stats(year: 2012) { total } }")
    before = app.snapshots.current()
    loaded_db.write_transaction(bump_data_version)
    gql(client, "{ stats(year: 2012) { total } }")
    after = app.snapshots.current()
    assert after.version == before.version + 1
    assert after is not before


# -- safety --------------------------------------------------------------------------------


def test_depth_limit(client: TestClient) -> None:
    deep = (
        '{ council(code: "E07000084") { '
        + "county { " * LIMITS.max_depth
        + "name"
        + " }" * LIMITS.max_depth
        + " } }"
    )
    errors = gql_errors(client, deep)
    assert "exceeds maximum operation depth" in errors[0]["message"]


def test_alias_limit(client: TestClient) -> None:
    many = " ".join(f"a{i}: __typename" for i in range(LIMITS.max_aliases + 1))
    errors = gql_errors(client, "{ " + many + " }")
    assert "aliases" in errors[0]["message"]


def test_token_limit(client: TestClient) -> None:
    errors = gql_errors(client, "{ " + " ".join(["__typename"] * (LIMITS.max_tokens + 1)) + " }")
    assert "token" in errors[0]["message"].lower()


def test_page_size_limit(client: TestClient) -> None:
    errors = gql_errors(client, "{ councils(first: 1000) { totalCount } }")
    assert "first must be between 1 and 100" in errors[0]["message"]


def test_bad_cursor_is_a_user_error(client: TestClient) -> None:
    errors = gql_errors(client, '{ councils(after: "nonsense") { totalCount } }')
    assert "not a cursor" in errors[0]["message"]


def test_unexpected_errors_are_masked() -> None:
    leaked = GraphQLError("boom", original_error=RuntimeError("MATCH (n) secret driver detail"))
    masked = SafeErrors._safe(leaked, "req123")
    assert "secret" not in masked.message
    assert "req123" in masked.message
    kept = GraphQLError("first must be ...", original_error=UserError("first must be ..."))
    assert SafeErrors._safe(kept, "req123") is kept


def test_neo4j_down_gives_503_and_a_clear_error() -> None:
    settings = Settings(uri="neo4j://127.0.0.1:9", password=Secret("irrelevant1"))
    with TestClient(create_app(settings)) as down:
        assert down.get("/health").json() == {"status": "ok"}
        ready = down.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["reason"] == GraphUnavailable.public
        assert "127.0.0.1" not in ready.text
        body = down.post("/graphql", json={"query": "{ stats(year: 2012) { total } }"}).json()
        error = body["errors"][0]
        assert error["extensions"]["code"] == "GRAPH_UNAVAILABLE"
        assert "Traceback" not in str(body)


def test_cors_is_off_by_default(client: TestClient) -> None:
    response = client.options(
        "/graphql",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in response.headers


def test_schema_in_docs_matches_the_code() -> None:
    with open("docs/schema.graphql", encoding="utf-8") as handle:
        assert handle.read() == schema_sdl(), "run `make schema` and commit docs/schema.graphql"


def test_every_type_and_field_is_described(client: TestClient) -> None:
    data = gql(
        client,
        """{ __schema { types { name kind description
             fields { name description args { name description } } } } }""",
    )
    missing = []
    for t in data["__schema"]["types"]:
        if t["name"].startswith("__") or t["kind"] == "SCALAR":
            continue
        if not t["description"]:
            missing.append(t["name"])
        for f in t["fields"] or []:
            if not f["description"]:
                missing.append(f"{t['name']}.{f['name']}")
            missing += [
                f"{t['name']}.{f['name']}({a['name']})" for a in f["args"] if not a["description"]
            ]
    assert missing == []


def test_singletons_bordering_sharers_cost_a_fixed_number_of_round_trips(
    client: TestClient,
) -> None:
    app_db = _app_db(client)
    gql(client, SINGLETONS_NEAR_SHARERS, year=2012, service="LEGAL")
    before = app_db.round_trips
    rows = gql(client, SINGLETONS_NEAR_SHARERS, year=2012, service="LEGAL")[
        "singletonsBorderingSharers"
    ]
    assert len(rows) > 20
    assert app_db.round_trips - before == 1


def test_council_filter_by_service_alone_means_sharers_of_it(client: TestClient) -> None:
    data = gql(
        client,
        """{ alone: councils(filter: {year: 2012, service: LEGAL}) { totalCount }
             sharers: councils(filter: {year: 2012, service: LEGAL, sharing: SHARER}) {
               totalCount }
             singles: councils(filter: {year: 2012, service: LEGAL, sharing: SINGLETON}) {
               totalCount }
             all: councils(filter: {year: 2012}) { totalCount } }""",
    )
    assert data["alone"]["totalCount"] == data["sharers"]["totalCount"] > 0
    assert (
        data["sharers"]["totalCount"] + data["singles"]["totalCount"] == data["all"]["totalCount"]
    )
