"""Contributions end to end through GraphQL on the real test Neo4j.

A contributor reports the missing "Legal Shared Service - Hart and Basingstoke & Deane"; it is
invisible to readers until an editor accepts it; then it is in queries, stats and history, and
``singletonsBorderingSharers(2012, LEGAL)`` no longer lists Basingstoke and Deane.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from contributions.accounts import Role
from graph.db import Database
from graph.schema import data_version
from tests.support.contributions import (
    BASINGSTOKE,
    HART,
    LEGAL_ID,
    LEGAL_INPUT,
    REVIEW,
    SUBMIT,
    Accounts,
    data,
    gql,
    messages,
    module_accounts,
    remove_partnerships,
)
from visualisation import ViewOptions, render_network
from visualisation.data import read_view_data


@pytest.fixture(scope="module")
def people(loaded_db: Database) -> Iterator[Accounts]:
    with module_accounts(loaded_db) as made:
        made.add("contributor", Role.CONTRIBUTOR, HART)
        # A second contributor for the validation tests: each token may submit 10 an hour.
        made.add("checker", Role.CONTRIBUTOR, BASINGSTOKE)
        made.add("editor", Role.EDITOR, BASINGSTOKE)
        made.add("editor2", Role.EDITOR, HART)
        yield made


@pytest.fixture
def cleanup(loaded_db: Database, people: Accounts) -> Iterator[list[str]]:
    """Partnership ids a test creates; removed with their submissions afterwards."""
    ids: list[str] = []
    try:
        yield ids
    finally:
        from tests.support.contributions import DELETE_SUBMISSIONS_BY

        loaded_db.write(DELETE_SUBMISSIONS_BY, {"emails": list(people.emails.values())})
        remove_partnerships(loaded_db, [LEGAL_ID, *ids])


SINGLETONS = """{ singletonsBorderingSharers(year: 2012, service: LEGAL) {
  council { code } sharingNeighbours { code } } }"""
STATS = "{ stats(year: 2012, service: LEGAL) { total activeSharers } }"
VISIBLE = """query ($id: String!) {
  partnership(id: $id) { id name status startYear services
    members { council { code name } role } leadCouncil { code }
    sources { url date } }
  partnerships(filter: {council: "Hart", service: LEGAL}, first: 50) { nodes { id } }
  hart: council(code: "E07000089") { isSharer(year: 2012, service: LEGAL) }
}"""


def _visible(client: TestClient, token: str | None) -> Any:
    """What a reader sees of LEGAL_ID; an unknown id is null with a NOT_FOUND error."""
    body = gql(client, VISIBLE, token, id=LEGAL_ID)
    codes = [e["extensions"]["code"] for e in body.get("errors", [])]
    assert codes in ([], ["NOT_FOUND"]), body
    assert (codes == []) == (body["data"]["partnership"] is not None)
    return body["data"]


HISTORY = """query ($id: String!) { partnership(id: $id) { history {
  at action origin file submissionId
  submittedBy { role council { code } } reviewedBy { role council { code } }
  changes { field before after } } } }"""


def _in_network_view(db: Database) -> bool:
    page = render_network(
        read_view_data(db, 2012, outlines=False), ViewOptions(year=2012, services=("legal",))
    )
    return "Legal Shared Service - Hart and Basingstoke" in page


def _singleton_codes(client: TestClient) -> set[str]:
    rows = data(client, SINGLETONS)["singletonsBorderingSharers"]
    return {row["council"]["code"] for row in rows}


def _submit(client: TestClient, token: str, payload: dict[str, Any]) -> dict[str, Any]:
    result = data(client, SUBMIT, token, input=payload)["submitPartnership"]
    assert result["errors"] == [], result["errors"]
    submission: dict[str, Any] = result["submission"]
    return submission


def test_a_reported_partnership_appears_only_once_an_editor_accepts_it(
    client: TestClient, people: Accounts, cleanup: list[str], loaded_db: Database
) -> None:
    contributor, editor = people.tokens["contributor"], people.tokens["editor"]
    assert BASINGSTOKE in _singleton_codes(client)
    stats_before = data(client, STATS)["stats"]

    submission = _submit(client, contributor, LEGAL_INPUT)
    assert submission["status"] == "PENDING"
    assert submission["kind"] == "NEW"
    assert submission["partnershipId"] == LEGAL_ID
    assert submission["submittedBy"] == {"role": "CONTRIBUTOR", "council": {"code": HART}}

    # Pending: nobody reading the graph sees it, signed in or not.
    for token in (None, contributor, editor):
        seen = _visible(client, token)
        assert seen["partnership"] is None
        assert LEGAL_ID not in {n["id"] for n in seen["partnerships"]["nodes"]}
    assert BASINGSTOKE in _singleton_codes(client)
    assert data(client, STATS)["stats"] == stats_before
    assert not _in_network_view(loaded_db)

    # The editor's queue shows it with its diff against the graph (all new values).
    queue = data(
        client,
        """{ submissions { id status kind diff { field before after } problems { message }
             contacts { name email } fields { field value } } }""",
        editor,
    )["submissions"]
    mine = next(s for s in queue if s["id"] == submission["id"])
    diff = {d["field"]: (d["before"], d["after"]) for d in mine["diff"]}
    assert diff["members"] == (None, f"{BASINGSTOKE} (lead); {HART}")
    assert diff["services"] == (None, "legal")
    assert diff["startYear"] == (None, "2011")
    assert mine["problems"] == []
    assert {"field": "councils", "value": "Hart;Basingstoke & Deane"} in mine["fields"]
    assert mine["contacts"] == [{"name": "Alex Officer", "email": "alex.officer@example.gov.uk"}]

    version = data_version(loaded_db)
    accepted = data(
        client, REVIEW, editor, id=submission["id"], decision="ACCEPT", comment="Confirmed"
    )["reviewSubmission"]
    assert accepted["errors"] == []
    assert accepted["submission"]["status"] == "ACCEPTED"
    assert accepted["submission"]["reviewedBy"] == {"role": "EDITOR"}
    assert accepted["partnership"]["services"] == ["LEGAL"]
    assert data_version(loaded_db) == version + 1

    # Accepted: in queries, stats and the singletons list, for everyone.
    seen = data(client, VISIBLE, id=LEGAL_ID)
    assert seen["partnership"]["name"] == LEGAL_INPUT["name"]
    assert seen["partnership"]["status"] == "OPERATIONAL"
    assert seen["partnership"]["startYear"] == 2011
    assert seen["partnership"]["leadCouncil"] == {"code": BASINGSTOKE}
    assert {m["council"]["code"] for m in seen["partnership"]["members"]} == {HART, BASINGSTOKE}
    assert seen["partnership"]["sources"] == [
        {"url": "https://www.hart.gov.uk/legal-shared-service", "date": "2011"}
    ]
    assert LEGAL_ID in {n["id"] for n in seen["partnerships"]["nodes"]}
    assert seen["hart"]["isSharer"] is True
    stats_after = data(client, STATS)["stats"]
    assert stats_after["total"] == stats_before["total"] + 1
    assert stats_after["activeSharers"] >= stats_before["activeSharers"] + 1
    assert BASINGSTOKE not in _singleton_codes(client)
    assert _in_network_view(loaded_db)

    # History: one entry, by submission, with who and what.
    history = data(client, HISTORY, id=LEGAL_ID)["partnership"]["history"]
    assert len(history) == 1
    entry = history[0]
    assert entry["action"] == "CREATED"
    assert entry["origin"] == "SUBMISSION"
    assert entry["submissionId"] == submission["id"]
    assert entry["file"] is None
    assert entry["submittedBy"] == {"role": "CONTRIBUTOR", "council": {"code": HART}}
    assert entry["reviewedBy"] == {"role": "EDITOR", "council": {"code": BASINGSTOKE}}
    changes = {c["field"]: (c["before"], c["after"]) for c in entry["changes"]}
    assert changes["name"] == (None, LEGAL_INPUT["name"])
    assert changes["status"] == (None, "operational")

    # Applied once: a second review is refused and changes nothing.
    again = gql(client, REVIEW, editor, id=submission["id"], decision="ACCEPT")
    assert "was already accepted by" in messages(again)[0]
    assert data_version(loaded_db) == version + 1
    assert len(data(client, HISTORY, id=LEGAL_ID)["partnership"]["history"]) == 1


def test_two_editors_accepting_at_once_apply_it_exactly_once(
    client: TestClient, people: Accounts, cleanup: list[str], loaded_db: Database
) -> None:
    submission = _submit(client, people.tokens["contributor"], LEGAL_INPUT)
    version = data_version(loaded_db)
    barrier = threading.Barrier(2)
    results: dict[str, dict[str, Any]] = {}

    def accept(editor: str) -> None:
        barrier.wait()
        results[editor] = gql(
            client, REVIEW, people.tokens[editor], id=submission["id"], decision="ACCEPT"
        )

    threads = [threading.Thread(target=accept, args=(e,)) for e in ("editor", "editor2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    won = [e for e, body in results.items() if "errors" not in body]
    lost = [e for e, body in results.items() if "errors" in body]
    assert len(won) == 1, results
    assert len(lost) == 1, results
    assert "was already accepted by" in messages(results[lost[0]])[0]
    history = data(client, HISTORY, id=LEGAL_ID)["partnership"]["history"]
    assert len(history) == 1
    assert data_version(loaded_db) == version + 1
    members = data(client, VISIBLE, id=LEGAL_ID)["partnership"]["members"]
    assert len(members) == 2


def test_a_rejection_records_why_and_changes_nothing(
    client: TestClient, people: Accounts, cleanup: list[str], loaded_db: Database
) -> None:
    submission = _submit(client, people.tokens["contributor"], LEGAL_INPUT)
    version = data_version(loaded_db)
    no_reason = gql(client, REVIEW, people.tokens["editor"], id=submission["id"], decision="REJECT")
    assert "a rejection needs a comment" in messages(no_reason)[0]
    rejected = data(
        client,
        REVIEW,
        people.tokens["editor"],
        id=submission["id"],
        decision="REJECT",
        comment="No source confirms Hart's part",
    )["reviewSubmission"]
    assert rejected["submission"]["status"] == "REJECTED"
    assert rejected["submission"]["comment"] == "No source confirms Hart's part"
    assert rejected["partnership"] is None
    assert _visible(client, None)["partnership"] is None
    assert data_version(loaded_db) == version
    queue = data(client, "{ submissions(status: REJECTED) { id } }", people.tokens["editor"])
    assert submission["id"] in {s["id"] for s in queue["submissions"]}
    late = gql(client, REVIEW, people.tokens["editor2"], id=submission["id"], decision="ACCEPT")
    assert "was already rejected by" in messages(late)[0]


def test_submissions_are_validated_by_the_loaders_rules(
    client: TestClient, people: Accounts
) -> None:
    bad = {
        **LEGAL_INPUT,
        "councils": ["Hart", "Wrothing"],
        "services": ["Legl"],
        "status": "lve",
        "startYear": 2015,
        "endYear": 2012,
        "sources": [{"url": "ftp://example.org/x"}],
    }
    result = data(client, SUBMIT, people.tokens["checker"], input=bad)["submitPartnership"]
    assert result["submission"] is None
    by_field = {e["field"]: e for e in result["errors"]}
    assert by_field["councils"]["problem"] == "unknown council"
    assert "Worthing (E07000229" in by_field["councils"]["expected"]
    assert by_field["services"]["problem"] == "unknown service area"
    assert "legal" in by_field["services"]["expected"]
    assert by_field["status"]["problem"] == "unknown status"
    assert "closest: operational" in by_field["status"]["expected"]
    assert by_field["endYear"]["problem"].startswith("years out of order")
    assert by_field["sources"]["problem"] == "not a web address"
    # The same sentence a file load gives, naming the input field instead of a column.
    assert by_field["councils"]["message"].startswith(
        "submission, column 'councils': unknown council ('Wrothing'); closest real councils:"
    )


def test_a_new_partnership_needs_a_source_and_a_new_id(
    client: TestClient, people: Accounts
) -> None:
    token = people.tokens["checker"]
    result = data(client, SUBMIT, token, input={**LEGAL_INPUT, "sources": []})
    assert [e["problem"] for e in result["submitPartnership"]["errors"]] == ["no source given"]
    existing = {
        **LEGAL_INPUT,
        "name": "South London Legal Partnership",
        "councils": ["Merton", "Sutton"],
        "leadCouncil": None,
    }
    result = data(client, SUBMIT, token, input=existing)["submitPartnership"]
    assert "already exists" in result["errors"][0]["problem"]
    assert 'partnershipId: "south-london-legal-partnership"' in result["errors"][0]["expected"]


def test_input_sizes_are_bounded(client: TestClient, people: Accounts) -> None:
    token = people.tokens["checker"]
    long_name = gql(client, SUBMIT, token, input={**LEGAL_INPUT, "name": "x" * 201})
    assert "name: at most 200 characters" in messages(long_name)[0]
    many = gql(client, SUBMIT, token, input={**LEGAL_INPUT, "councils": ["Hart"] * 61})
    assert "councils: at most 60 items" in messages(many)[0]
    bad_contact = gql(
        client,
        SUBMIT,
        token,
        input={**LEGAL_INPUT, "contacts": [{"name": "A", "email": "not-an-email"}]},
    )
    assert "is not an email address" in messages(bad_contact)[0]
    sneaky = gql(
        client, SUBMIT, token, input={**LEGAL_INPUT, "sources": [{"url": "javascript:alert(1)"}]}
    )
    errors = sneaky["data"]["submitPartnership"]["errors"]
    assert errors[0]["problem"] == "not a web address"
