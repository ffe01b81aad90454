"""Who may do what: anonymous, contributor and editor tokens each get exactly their rights.

One test per mutation and per protected field, for each kind of caller; contacts are checked
at the top level, nested deep inside a query, and in the views. Refused tokens (malformed,
unknown, wrong secret, expired, revoked) get HTTP 401 and a sentence saying why.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from contributions import accounts
from contributions.accounts import Role
from graph.db import Database
from tests.support.contributions import (
    BASINGSTOKE,
    HART,
    REVIEW,
    SUBMIT,
    Accounts,
    data,
    gql,
    messages,
    module_accounts,
    remove_partnerships,
)
from visualisation import ViewOptions, render_council
from visualisation.data import read_view_data

ACCESS_ID = "contributions-access-test-hart-rushmoor-legal"
CONTACT = {
    "name": "Robin Private",
    "role": "Legal manager",
    "email": "robin.private@example.gov.uk",
    "phone": "01252 123456",
}
CALLERS = ("anonymous", "contributor", "editor")


@pytest.fixture(scope="module")
def people(loaded_db: Database) -> Iterator[Accounts]:
    with module_accounts(loaded_db) as made:
        made.add("contributor", Role.CONTRIBUTOR, HART)
        made.add("editor", Role.EDITOR, BASINGSTOKE)
        made.add("ratelimited", Role.CONTRIBUTOR, HART)
        past = datetime.now(UTC) - timedelta(days=3)
        made.add("expired", Role.CONTRIBUTOR, HART, expires_days=1, now=past)
        made.add("revoked", Role.EDITOR, HART)
        accounts.revoke_user(loaded_db, made.emails["revoked"])
        yield made


@pytest.fixture(scope="module")
def with_contact(client: TestClient, people: Accounts, loaded_db: Database) -> Iterator[str]:
    """An accepted (in development, so no rule changes) partnership that has a contact."""
    proposal = {
        "name": "Contributions access test Hart Rushmoor legal",
        "councils": [HART, "Rushmoor"],
        "services": ["legal"],
        "status": "in development",
        "sources": [{"url": "https://example.org/access-test"}],
        "contacts": [CONTACT],
    }
    try:
        sub = data(client, SUBMIT, people.tokens["contributor"], input=proposal)
        submission = sub["submitPartnership"]["submission"]
        assert submission is not None, sub
        assert submission["partnershipId"] == ACCESS_ID
        data(client, REVIEW, people.tokens["editor"], id=submission["id"], decision="ACCEPT")
        yield ACCESS_ID
    finally:
        remove_partnerships(loaded_db, [ACCESS_ID])


def _token(people: Accounts, caller: str) -> str | None:
    return None if caller == "anonymous" else people.tokens[caller]


def _leaks(body: dict[str, Any]) -> bool:
    text = json.dumps(body.get("data"))
    return any(value in text for value in CONTACT.values())


# -- mutations ---------------------------------------------------------------------------

NOT_A_COUNCIL = {
    "name": "Rights test",
    "councils": ["Hart", "Nowhere Borough"],
    "status": "operational",
    "sources": [{"url": "https://example.org/rights"}],
}


@pytest.mark.parametrize("caller", CALLERS)
def test_submit_partnership_rights(client: TestClient, people: Accounts, caller: str) -> None:
    body = gql(client, SUBMIT, _token(people, caller), input=NOT_A_COUNCIL)
    if caller == "anonymous":
        assert messages(body) == [
            "submitPartnership is only for signed-in users: sign in with a contributor token "
            "(Authorization: Bearer ...)"
        ]
        assert body["data"] is None
    else:  # allowed: validated (and refused for its unknown council), nothing stored
        errors = body["data"]["submitPartnership"]["errors"]
        assert [e["problem"] for e in errors] == ["unknown council"]


@pytest.mark.parametrize("caller", CALLERS)
def test_review_submission_rights(client: TestClient, people: Accounts, caller: str) -> None:
    body = gql(client, REVIEW, _token(people, caller), id="no-such-id", decision="ACCEPT")
    expected = {
        "anonymous": "reviewSubmission is only for signed-in users",
        "contributor": "reviewSubmission: this needs an editor account (you are signed in as "
        "a contributor)",
        "editor": "no submission has the id 'no-such-id'",  # allowed: got as far as looking
    }[caller]
    assert expected in messages(body)[0]


# -- protected fields ----------------------------------------------------------------------


@pytest.mark.parametrize("caller", CALLERS)
def test_submission_queue_rights(client: TestClient, people: Accounts, caller: str) -> None:
    body = gql(client, "{ submissions { id contacts { email } } }", _token(people, caller))
    if caller == "editor":
        assert "errors" not in body
        assert isinstance(body["data"]["submissions"], list)
    else:
        assert "submissions" in messages(body)[0]
        assert body["data"] is None


@pytest.mark.parametrize("caller", CALLERS)
def test_own_submissions_rights(
    client: TestClient, people: Accounts, with_contact: str, caller: str
) -> None:
    body = gql(client, "{ mySubmissions { partnershipId status } }", _token(people, caller))
    if caller == "anonymous":
        assert "mySubmissions is only for signed-in users" in messages(body)[0]
    else:  # each sees only their own: the contributor proposed it, the editor nothing
        mine = body["data"]["mySubmissions"]
        expected = [{"partnershipId": with_contact, "status": "ACCEPTED"}]
        assert mine == (expected if caller == "contributor" else [])


CONTACTS_AT_TOP = """query ($id: String!) { partnership(id: $id) { id
  contacts { name role email phone } } }"""
CONTACTS_DEEP = """{ council(code: "E07000089") { partnerships { id contacts { email }
  members { council { partnerships { id contacts { name email phone } } } } } } }"""
CONTACTS_IN_LIST = """{ partnerships(filter: {council: "Rushmoor"}, first: 100) {
  nodes { id contacts { email } } } }"""


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("query", [CONTACTS_AT_TOP, CONTACTS_DEEP, CONTACTS_IN_LIST])
def test_contacts_only_for_signed_in_users(
    client: TestClient, people: Accounts, with_contact: str, caller: str, query: str
) -> None:
    body = gql(client, query, _token(people, caller), id=with_contact)
    found: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("id") == with_contact and "contacts" in node:
                found.append(node["contacts"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body["data"])
    assert found, "the query reached the partnership with a contact"
    if caller == "anonymous":
        assert all(contacts is None for contacts in found)
        assert not _leaks(body)
        assert messages(body)
        assert all(m.startswith("contacts is only for signed-in users") for m in messages(body))
    else:
        assert "errors" not in body
        assert all(any(c["email"] == CONTACT["email"] for c in cs) for cs in found)


@pytest.mark.parametrize("caller", CALLERS)
def test_people_emails_in_history_only_for_signed_in_users(
    client: TestClient, people: Accounts, with_contact: str, caller: str
) -> None:
    body = gql(
        client,
        """query ($id: String!) { partnership(id: $id) { history {
             submittedBy { role email } reviewedBy { role email } } } }""",
        _token(people, caller),
        id=with_contact,
    )
    entry = body["data"]["partnership"]["history"][0]
    if caller == "anonymous":
        assert entry["submittedBy"] == {"role": "CONTRIBUTOR", "email": None}
        assert entry["reviewedBy"] == {"role": "EDITOR", "email": None}
        assert "example.gov.uk" not in json.dumps(body["data"])
    else:
        assert entry["submittedBy"]["email"] == people.emails["contributor"]
        assert entry["reviewedBy"]["email"] == people.emails["editor"]


@pytest.mark.parametrize("caller", CALLERS)
def test_who_ran_a_load_only_for_signed_in_users(
    client: TestClient, people: Accounts, caller: str
) -> None:
    body = gql(
        client,
        '{ partnership(id: "south-london-legal-partnership") { history { origin loadedBy } } }',
        _token(people, caller),
    )
    first = body["data"]["partnership"]["history"][0]
    assert first["origin"] == "FILE"
    if caller == "anonymous":
        assert first["loadedBy"] is None
        assert messages(body)[0].startswith("loadedBy is only for signed-in users")
    else:
        assert first["loadedBy"]


def test_views_never_show_contacts(loaded_db: Database, with_contact: str) -> None:
    """Views read the public repository models, which have no contacts at all."""
    view_data = read_view_data(loaded_db, 2026, outlines=False)
    page = render_council(view_data, ViewOptions(year=2026, status="in_development"), HART)
    assert "Contributions access test" in page
    assert not any(value in page for value in CONTACT.values())


@pytest.mark.parametrize("caller", CALLERS)
def test_the_apps_view_pages_never_show_contacts(
    client: TestClient, people: Accounts, with_contact: str, caller: str
) -> None:
    token = _token(people, caller)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for path in (f"/views/council/{HART}", "/views/network"):
        page = client.get(path, params={"status": "in_development"}, headers=headers)
        assert page.status_code == 200, page.text[:300]
        assert not any(value in page.text for value in CONTACT.values())
        if path.startswith("/views/council"):
            assert "Contributions access test" in page.text  # the partnership is drawn


def test_me_says_who_is_signed_in(client: TestClient, people: Accounts) -> None:
    query = "{ me { role email council { code } } }"
    assert data(client, query)["me"] is None
    me = data(client, query, people.tokens["editor"])["me"]
    assert me == {
        "role": "EDITOR",
        "email": people.emails["editor"],
        "council": {"code": BASINGSTOKE},
    }


def test_history_and_contacts_are_batched(
    client: TestClient, people: Accounts, with_contact: str
) -> None:
    """No N+1: a page of 50 partnerships costs the round trips of a page of 2."""
    app_db: Database = client.app.state.council_graph.db  # type: ignore[attr-defined]
    query = """query ($n: Int) { partnerships(first: $n) { nodes { id
      history { at submittedBy { council { name } } } contacts { email } } } }"""

    def trips(page: int) -> int:
        data(client, query, people.tokens["editor"], n=page)  # warm the shared caches
        before = app_db.round_trips
        data(client, query, people.tokens["editor"], n=page)
        return app_db.round_trips - before

    assert trips(2) == trips(50)


# -- refused tokens -----------------------------------------------------------------------


def _refusal(client: TestClient, header: str) -> tuple[int, str]:
    response = client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Authorization": header}
    )
    if response.status_code != 200:  # a refusal is a GraphQL error with a code, not plain text
        (error,) = response.json()["errors"]
        assert error["extensions"] == {"code": "UNAUTHENTICATED"}, error
        assert "data" not in response.json()
        return response.status_code, error["message"]
    return response.status_code, response.text


def test_refused_tokens_get_401_and_say_why(client: TestClient, people: Accounts) -> None:
    good = people.tokens["contributor"]
    wrong_secret = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    unknown_id = "cg_" + "Z" * 16 + good[-44:]
    cases = {
        "Bearer nonsense": "is not a Council Graph token",
        f"Bearer {wrong_secret}": "the bearer token is not valid",
        f"Bearer {unknown_id}": "the bearer token is not valid",
        f"Bearer {people.tokens['expired']}": "the bearer token expired on",
        f"Bearer {people.tokens['revoked']}": "the bearer token was revoked on",
        f"Basic {good}": "Authorization must be 'Bearer <token>'",
    }
    for header, reason in cases.items():
        status, text = _refusal(client, header)
        assert status == 401, (header, text)
        assert reason in text, (header, text)
        assert "ask an admin" in text or "anonymously" in text
    assert _refusal(client, f"Bearer {good}")[0] == 200


def test_submissions_are_rate_limited_per_token(client: TestClient, people: Accounts) -> None:
    token = people.tokens["ratelimited"]
    for _ in range(10):  # invalid proposals count too: validation is the expensive part
        body = gql(client, SUBMIT, token, input=NOT_A_COUNCIL)
        assert "errors" not in body
    refused = gql(client, SUBMIT, token, input=NOT_A_COUNCIL)
    assert "too many submissions from this token: at most 10 an hour" in messages(refused)[0]
    extensions = refused["errors"][0]["extensions"]
    assert extensions["code"] == "RATE_LIMITED"
    assert 1 <= extensions["retryAfterSeconds"] <= 3600 / 10  # one more every 6 minutes
    # Another token is not affected.
    other = gql(client, SUBMIT, people.tokens["contributor"], input=NOT_A_COUNCIL)
    assert "errors" not in other
