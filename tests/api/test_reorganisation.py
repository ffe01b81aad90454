"""GraphQL for reorganisation: lineage, reorganisations, base rates and proposals, on the real
app and test Neo4j, against the tests' own counts from the CSVs and the register."""

from __future__ import annotations

from starlette.testclient import TestClient

from contributions.accounts import Role
from graph import rules
from graph.db import Database
from loaders.proposals import delete_proposal
from tests.support.contributions import data, gql, messages, module_accounts
from tests.support.reorganisation import Register, classify, management_pairs, rows

LINEAGE = """
query ($council: String!) {
  lineage(council: $council) {
    council { name } vesting vestingBasis sharedManagement
    firstYearConsidered lastYearConsidered
    predecessors { council { code name } split share territorySize successors { name } }
    partnerships { partnership { id } members { code } firstYear lastYear years startBasis
                   management }
  }
}"""

PROPOSAL = """
query ($name: String!, $year: Int) {
  proposal(name: $name, year: $year) {
    name title status origin year sources { url date }
    units { name councils { code } population populationNote areaKm2
            sharedAcross sharedPartly notShared inside { id } }
    inside { partnership { id } units }
    crossing { partnership { id } units spanning { code } }
    outside { partnership { id } outside { code } }
    unplaced { code } areaCounties { code } unplacedRule
  }
}"""


def test_lineage_of_somerset_west_and_taunton(client: TestClient) -> None:
    found = data(client, LINEAGE, council="Somerset West and Taunton")["lineage"]
    assert [p["council"]["name"] for p in found["predecessors"]] == [
        "Taunton Deane",
        "West Somerset",
    ]
    assert found["vesting"] == "2019-04-01"
    assert "register" in found["vestingBasis"]
    assert found["sharedManagement"] is True
    assert found["lastYearConsidered"] == 2018
    first = found["partnerships"][0]
    assert first["partnership"]["id"] == "taunton-deane-west-somerset"
    assert first["management"] is True
    assert (first["firstYear"], first["lastYear"], first["startBasis"]) == (2013, 2018, "STATED")
    assert {m["code"] for m in first["members"]} == {"E07000190", "E07000191"}


def test_lineage_of_west_northamptonshire_and_none(client: TestClient) -> None:
    found = data(client, LINEAGE, council="E06000062")["lineage"]
    by_name = {p["council"]["name"]: p for p in found["predecessors"]}
    assert set(by_name) == {"Daventry", "Northampton", "South Northamptonshire", "Northamptonshire"}
    county = by_name["Northamptonshire"]
    assert county["split"] is True
    assert set(county["share"]) == {
        by_name[n]["council"]["code"] for n in by_name if n != county["council"]["name"]
    }
    assert data(client, LINEAGE, council="Hart")["lineage"] is None
    unknown = gql(client, LINEAGE, council="Narnia")
    assert messages(unknown)


def test_reorganisations_between_years(client: TestClient) -> None:
    register = Register()
    query = (
        "{ reorganisations(from: 2023, to: 2023) "
        "{ vesting successors { code } replaced { code } } }"
    )
    (found,) = data(client, query)["reorganisations"]
    expected = {
        s for later in register.later.values() for s in later if register.start[s].year == 2023
    }
    assert {c["code"] for c in found["successors"]} == expected
    assert {c["code"] for c in found["replaced"]} == {
        c for c, later in register.later.items() if set(later) & expected
    }


def test_evidence_equals_an_independent_count(client: TestClient, loaded_db: Database) -> None:
    query = """{ reorganisationEvidence { firstYear lastYear caveat yearsBasis
      sharedManagement { pairs merged share mergedPairs { first { code } second { code } } }
      noSharedManagement { pairs merged share } } }"""
    found = data(client, query)["reorganisationEvidence"]
    register, last = Register(), rules.current_year()
    borders = {
        (r["a"], r["b"])
        for r in loaded_db.read(
            "MATCH (a:Council)-[:BORDERS]-(b:Council) WHERE a.code < b.code "
            "RETURN a.code AS a, b.code AS b"
        )
    }
    together = {
        p
        for p in borders
        if any(register.exists(p[0], y) and register.exists(p[1], y) for y in range(2009, last + 1))
    }
    shared = management_pairs(register, 2009, last) & together
    merged = {p for p in together if register.descendants(p[0]) & register.descendants(p[1])}
    assert found["sharedManagement"]["pairs"] == len(shared)
    assert found["sharedManagement"]["merged"] == len(shared & merged)
    assert found["noSharedManagement"]["pairs"] == len(together - shared)
    assert found["noSharedManagement"]["merged"] == len(merged - shared)
    assert found["sharedManagement"]["share"] == len(shared & merged) / len(shared)
    assert "not cause" in found["caveat"]


def test_surrey_decision_classified(client: TestClient) -> None:
    year = rules.current_year()
    units = {
        r["unit_name"]: set(r["member_gss_codes"].split(";"))
        for r in rows("reorganisation/proposals_cited.csv")
        if r["proposal_id"] == "surrey-two-unitaries"
    }
    surrey = next(
        r["gss-code"]
        for r in rows("councils/uk_local_authorities_future.csv")
        if r["official-name"] == "Surrey County Council"
    )
    expected = classify(Register(), year, units, surrey)
    found = data(client, PROPOSAL, name="surrey-two-unitaries")["proposal"]
    assert (found["status"], found["origin"], found["year"]) == ("decided", "bundled", year)
    assert found["sources"]
    got = {
        p["partnership"]["id"]: where
        for where in ("inside", "crossing", "outside")
        for p in found[where]
    }
    assert got == expected
    assert {u["name"]: {c["code"] for c in u["councils"]} for u in found["units"]} == units
    assert all(u["population"] and u["areaKm2"] for u in found["units"])
    # every Surrey district is placed; the area is the county's, by the stated rule
    assert (found["unplaced"], found["areaCounties"]) == ([], [{"code": surrey}])
    assert "not counted" in found["unplacedRule"]
    listed = data(client, "{ proposals { name status origin sources { url } } }")["proposals"]
    assert (listed[0]["name"], listed[0]["status"]) == ("surrey-two-unitaries", "decided")
    # every bundled proposal, checked out of the box, with its status and sources
    bundled = rows("reorganisation/proposals_cited.csv")
    statuses = {r["proposal_id"]: r["status"] for r in bundled}
    shown = {p["name"]: p for p in listed if p["origin"] == "bundled"}
    assert {n: p["status"] for n, p in shown.items()} == statuses
    assert all(p["sources"] for p in shown.values())
    assert data(client, PROPOSAL, name="no such proposal")["proposal"] is None


LOAD = """
mutation ($name: String!, $units: [ProposedUnitInput!]!) {
  loadProposal(name: $name, units: $units) {
    errors
    proposal { name origin units { name councils { code } } crossing { partnership { id } } }
  }
}"""


def test_load_proposal_needs_sign_in_and_is_all_or_nothing(
    client: TestClient, loaded_db: Database
) -> None:
    units = [
        {"name": "A", "members": ["Elmbridge", "Woking"]},
        {"name": "B", "members": ["Guildford", "Waverley"]},
    ]
    anonymous = gql(client, LOAD, name="API two", units=units)
    assert any("signed-in" in m for m in messages(anonymous))
    with module_accounts(loaded_db) as made:
        token = made.add("planner", Role.CONTRIBUTOR)
        bad = data(
            client,
            LOAD,
            token,
            name="API bad",
            units=[{"name": "A", "members": ["Woking", "Narnia"]}],
        )
        assert bad["loadProposal"]["proposal"] is None
        assert any("unknown council ('Narnia')" in e for e in bad["loadProposal"]["errors"])
        assert data(client, PROPOSAL, name="API bad")["proposal"] is None
        try:
            done = data(client, LOAD, token, name="API two", units=units)["loadProposal"]
            assert done["errors"] == []
            assert done["proposal"]["origin"] == "file"
            assert [u["name"] for u in done["proposal"]["units"]] == ["A", "B"]
            assert data(client, PROPOSAL, name="API two")["proposal"]["name"] == "API two"
        finally:
            delete_proposal(loaded_db, "API two")


def test_proposals_are_never_councils(client: TestClient, loaded_db: Database) -> None:
    (row,) = loaded_db.read(
        "MATCH (n) WHERE n:Proposal OR n:ProposedUnit "
        "RETURN count(n) AS n, count(CASE WHEN n:Council THEN 1 END) AS councils"
    )
    assert row["n"] >= 66 + 166
    assert row["councils"] == 0
    register = [
        r
        for r in rows("councils/uk_local_authorities_future.csv")
        if r["nation"] == "England"
        and r["local-authority-type"] in {"CTY", "NMD", "UA", "MD", "LBO", "CC"}
    ]
    total = data(client, "{ councils(first: 1) { totalCount } }")["councils"]["totalCount"]
    assert total == len(register)
    query = '{ councils(first: 100, filter: {nameContains: "surrey"}) { edges { node { name } } } }'
    edges = data(client, query)["councils"]["edges"]
    assert edges
    assert not {e["node"]["name"] for e in edges} & {"East Surrey", "West Surrey"}


DELETE = """
mutation ($name: String!) { deleteProposal(name: $name) { name deleted } }"""


def codes(body: dict[str, object]) -> list[str]:
    errors = body.get("errors", [])
    assert isinstance(errors, list)
    return [e["extensions"]["code"] for e in errors]


def stored(loaded_db: Database, name: str) -> dict[str, object] | None:
    found = loaded_db.read(
        "MATCH (p:Proposal {name: $name}) "
        "RETURN p.origin AS origin, p.loadedBy AS loadedBy, COUNT { (p)-[:HAS_UNIT]->() } AS units",
        {"name": name},
    )
    return found[0] if found else None


def test_delete_proposal_least_privilege(client: TestClient, loaded_db: Database) -> None:
    two = [
        {"name": "A", "members": ["Elmbridge", "Woking"]},
        {"name": "B", "members": ["Guildford", "Waverley"]},
    ]
    three = [*two, {"name": "C", "members": ["Tandridge", "Mole Valley"]}]
    assert codes(gql(client, DELETE, name="surrey-two-unitaries")) == ["UNAUTHENTICATED"]
    with module_accounts(loaded_db) as made:
        owner = made.add("owner", Role.CONTRIBUTOR)
        other = made.add("other", Role.CONTRIBUTOR)
        editor = made.add("editor", Role.EDITOR)
        admin = made.add("admin", Role.ADMIN)
        try:
            data(client, LOAD, owner, name="API mine", units=two)
            assert stored(loaded_db, "API mine") == {
                "origin": "file",
                "loadedBy": made.emails["owner"],
                "units": 2,
            }
            # another contributor may neither delete nor replace it: nothing written
            assert codes(gql(client, DELETE, other, name="API mine")) == ["FORBIDDEN"]
            assert codes(gql(client, LOAD, other, name="API mine", units=three)) == ["FORBIDDEN"]
            assert stored(loaded_db, "API mine") == {
                "origin": "file",
                "loadedBy": made.emails["owner"],
                "units": 2,
            }
            # its loader may replace and delete it
            data(client, LOAD, owner, name="API mine", units=three)
            assert stored(loaded_db, "API mine")["units"] == 3  # type: ignore[index]
            done = data(client, DELETE, owner, name="API mine")["deleteProposal"]
            assert done == {"name": "API mine", "deleted": True}
            assert stored(loaded_db, "API mine") is None
            again = data(client, DELETE, owner, name="API mine")["deleteProposal"]
            assert again["deleted"] is False
            # an editor may delete what another account loaded
            data(client, LOAD, other, name="API theirs", units=two)
            assert data(client, DELETE, editor, name="API theirs")["deleteProposal"]["deleted"]
            assert stored(loaded_db, "API theirs") is None
            # a bundled proposal: never through the API, not even for an admin
            for token in (owner, editor, admin):
                body = gql(client, DELETE, token, name="surrey-two-unitaries")
                assert codes(body) == ["FORBIDDEN"]
                assert any("councilgraph load" in m for m in messages(body))
            assert stored(loaded_db, "surrey-two-unitaries") == {
                "origin": "bundled",
                "loadedBy": None,
                "units": 2,
            }
        finally:
            delete_proposal(loaded_db, "API mine")
            delete_proposal(loaded_db, "API theirs")
