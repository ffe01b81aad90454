"""A year's view of the data (``api.context.year_view``) reads nothing from Neo4j: its
memberships are computed from the data version's snapshot (graph/memberships.py), so the
first request about any year costs what a warm one does, the data version's read."""

from __future__ import annotations

from starlette.testclient import TestClient

from graph import repository, rules
from graph.db import Database
from graph.schema import bump_data_version
from tests.api.test_queries import gql

BASINGSTOKE = "E07000084"
PARTNERS = """query ($year: Int, $service: Service) {
  council(code: "E07000084") {
    partnerConnection(year: $year, service: $service, first: 100) { nodes { code } } } }"""


def test_the_first_request_about_a_year_reads_only_the_data_version(
    client: TestClient, loaded_db: Database
) -> None:
    app_db: Database = client.app.state.council_graph.db  # type: ignore[attr-defined]
    loaded_db.write_transaction(bump_data_version)  # a new version: none of its years known
    gql(client, '{ council(code: "E07000084") { name } }')  # its snapshot, read once
    cases = [(2010, None), (2013, "LEGAL"), (2016, None), (2019, "REVENUES_BENEFITS"),
             (rules.current_year(), None)]  # fmt: skip
    for year, service in cases:
        before = app_db.round_trips
        nodes = gql(client, PARTNERS, year=year, service=service)["council"]["partnerConnection"]
        assert app_db.round_trips - before == 1, (year, service)  # the data version only
        # Basingstoke's partners that year, as the Cypher statement reads them.
        rows = repository.effective_memberships(loaded_db, year, service and service.lower())
        shared = {m.partnership_id for m in rows if m.code == BASINGSTOKE}
        expected = {m.code for m in rows if m.partnership_id in shared} - {BASINGSTOKE}
        assert {n["code"] for n in nodes["nodes"]} == expected, (year, service)
    assert any(
        gql(client, PARTNERS, year=y, service=s)["council"]["partnerConnection"]["nodes"]
        for y, s in cases
    )  # not vacuous: Basingstoke shares in some of these years
