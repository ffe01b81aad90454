"""Peers, network measures and communities through GraphQL and the CLI, on the bundled data."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from starlette.testclient import TestClient

from graph import repository
from graph.db import Database
from graph.settings import Settings
from loaders.sources import COUNCILS, read_csv_rows
from tests.api.test_queries import gql, gql_errors

PEERS = """query ($code: String!, $service: Service, $year: Int) {
  peerSearch(code: $code, service: $service, year: $year, limit: 10) {
    alreadyShares
    peers {
      council { code name isSharer(year: $year, service: $service) }
      score distanceKm reason partnerships { id services }
    }
    nearestNeighbours { council { code } }
  }
}"""


def test_peers_of_a_legal_singleton_are_active_legal_sharers(client: TestClient) -> None:
    data = gql(client, PEERS, code="E07000084", service="LEGAL", year=2012)
    search = data["peerSearch"]
    assert search["alreadyShares"] is False
    peers = search["peers"]
    assert len(peers) == 10
    assert all(p["council"]["isSharer"] for p in peers)
    assert all("LEGAL" in part["services"] for p in peers for part in p["partnerships"])
    scores = [p["score"] for p in peers]
    assert scores == sorted(scores, reverse=True)
    assert all(p["reason"] and "km" in p["reason"] for p in peers)
    # East Hampshire borders Basingstoke and Deane and shares legal: it leads.
    assert peers[0]["council"]["name"] == "East Hampshire"
    assert len(search["nearestNeighbours"]) == 10


def test_peers_say_when_the_council_already_shares(client: TestClient) -> None:
    search = gql(client, PEERS, code="E09000024", service="LEGAL", year=2014)["peerSearch"]
    assert search["alreadyShares"] is True  # Merton leads the South London Legal Partnership
    assert search["peers"]


def test_peers_reject_bad_input(client: TestClient) -> None:
    errors = gql_errors(client, '{ peers(code: "E99999999") { score } }')
    assert "no council matches 'E99999999'" in errors[0]["message"]
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"
    # A misspelt name gets the closest councils, with their codes and years.
    errors = gql_errors(client, '{ peers(code: "Basingstok and Dean") { score } }')
    assert "closest: Basingstoke and Deane (E07000084, 1974-)" in errors[0]["message"]


def test_peers_by_any_form_of_the_name_agree_with_peers_by_code(client: TestClient) -> None:
    by_code = gql(client, PEERS, code="E07000084", service="LEGAL", year=2012)
    by_name = gql(client, PEERS, code="Basingstoke & Deane", service="LEGAL", year=2012)
    assert by_code == by_name
    assert by_code["peerSearch"]["peers"]
    errors = gql_errors(client, '{ peers(code: "E07000084", limit: 500) { score } }')
    assert "must be between 1 and 50 (got 500)" in errors[0]["message"]


def test_network_measures_are_the_same_on_every_run(client: TestClient) -> None:
    query = """{ network(year: 2012) { councils ties density components communities
                 metrics(first: 5, orderBy: BETWEENNESS) { totalCount edges { node {
                   code betweenness community } } } }
               council(code: "E07000084") { metrics(year: 2012) { degree community } } }"""
    first, second = gql(client, query), gql(client, query)
    assert first == second
    network = first["network"]
    assert network["metrics"]["totalCount"] == network["councils"] > 300
    values = [e["node"]["betweenness"] for e in network["metrics"]["edges"]]
    assert values == sorted(values, reverse=True)
    assert first["council"]["metrics"]["degree"] > 0


def test_communities_partition_the_network(client: TestClient) -> None:
    data = gql(
        client,
        "{ communities(year: 2012) { number size councils { code } } "
        "network(year: 2012) { councils } }",
    )
    communities = data["communities"]
    codes = [c["code"] for community in communities for c in community["councils"]]
    assert len(codes) == len(set(codes)) == data["network"]["councils"]
    assert [c["number"] for c in communities] == list(range(1, len(communities) + 1))
    assert all(c["size"] == len(c["councils"]) for c in communities)


def test_cli_peers_and_stats(loaded_db: Database, neo4j_settings: Settings) -> None:
    env = {
        "NEO4J_URI": neo4j_settings.uri,
        "NEO4J_PASSWORD": neo4j_settings.password.value,
        "COLUMNS": "200",
        "PATH": "/usr/bin:/bin",
    }
    peers = subprocess.run(
        [sys.executable, "-m", "cli.main", "peers", "Basingstoke and Deane", "--service", "legal",
         "--year", "2012"],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip
    assert peers.returncode == 0, peers.stderr
    assert "does not share legal in 2012" in peers.stdout
    assert "East Hampshire" in peers.stdout
    stats = subprocess.run(
        [sys.executable, "-m", "cli.main", "stats", "--year", "2012"],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip
    assert stats.returncode == 0, stats.stderr
    assert "active partnerships" in stats.stdout
    assert "353 councils" in stats.stdout
    # Our count beside the LGA's, and how fresh the evidence is.
    assert "LGA's own figures (2011-12-01): 143 arrangements" in stats.stdout
    assert "not confirmed in the 5 years before 2012" in stats.stdout
    # Peer reasons give each partnership's years with their basis.
    assert "stated)" in peers.stdout or "first evidence)" in peers.stdout
    wrong = subprocess.run(
        [sys.executable, "-m", "cli.main", "stats", "--year", "1999"],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip
    assert wrong.returncode == 1
    assert "--year 1999 is out of range: give a year from 2009 to" in wrong.stdout
    misspelt = subprocess.run(
        [sys.executable, "-m", "cli.main", "peers", "Basingstok", "--year", "2012"],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip
    assert misspelt.returncode == 1
    assert "closest: Basingstoke and Deane (E07000084, 1974-)" in misspelt.stdout


def test_cli_who_to_call_as_csv_and_json(loaded_db: Database, neo4j_settings: Settings) -> None:
    env = {
        "NEO4J_URI": neo4j_settings.uri,
        "NEO4J_PASSWORD": neo4j_settings.password.value,
        "PATH": "/usr/bin:/bin",
    }
    base = [sys.executable, "-m", "cli.main", "peers", "Basingstoke & Deane", "--service",
            "legal", "--year", "2024", "--limit", "5"]  # fmt: skip
    as_csv = subprocess.run(
        [*base, "--format", "csv"], capture_output=True, text=True, env=env, check=False,
        timeout=120,
    )  # fmt: skip
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert 1 <= len(rows) <= 5
    assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))
    councils = {c.code: c for c in repository.all_councils(loaded_db)}
    for row in rows:
        assert row["partnership_ids"], row
        assert row["reason"].startswith(("both ", councils[row["code"]].kind.split("_")[0]))
        council = councils[row["code"]]
        assert row["gov_uk_url"] == (council.gov_uk_url or "")
        assert row["gov_uk_url"].startswith("https://www.gov.uk/find-local-council/")
    as_json = subprocess.run(
        [*base, "--format", "json"], capture_output=True, text=True, env=env, check=False,
        timeout=120,
    )  # fmt: skip
    assert as_json.returncode == 0, as_json.stderr
    assert [r["code"] for r in json.loads(as_json.stdout)] == [r["code"] for r in rows]


def test_gov_uk_link_for_current_councils_with_a_slug(client: TestClient) -> None:
    register = {r["gss-code"]: r for r in read_csv_rows(COUNCILS) if r["nation"] == "England"}
    after = None
    seen = 0
    while True:
        page = gql(
            client,
            "query ($after: String) { councils(first: 100, after: $after) { nodes { code "
            "govUkUrl } pageInfo { hasNextPage endCursor } } }",
            after=after,
        )["councils"]
        for node in page["nodes"]:
            row = register[node["code"]]
            current = not row["end-date"]
            slug = row["gov-uk-slug"]
            expected = f"https://www.gov.uk/find-local-council/{slug}" if current and slug else None
            assert node["govUkUrl"] == expected, node
            seen += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen > 300
