"""Helpers for the contribution tests: accounts, GraphQL calls, and cleaning up after ourselves.

The test database is shared by the whole suite, so every test that writes removes exactly what
it made (accounts, submissions, partnerships, audit entries, contacts) and bumps the data
version, so that caches keyed on it never serve the removed data.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.testclient import TestClient

from contributions import accounts
from graph.db import Database, Tx
from graph.schema import bump_data_version

HART, BASINGSTOKE = "E07000089", "E07000084"

DELETE_SUBMISSIONS_BY = "MATCH (s:Submission) WHERE s.submittedBy IN $emails DETACH DELETE s"
DELETE_PARTNERSHIPS = "UNWIND $ids AS id MATCH (p:Partnership {id: id}) DETACH DELETE p"
DELETE_AUDIT_EXCEPT = """
UNWIND $ids AS id
MATCH (a:AuditEntry {partnershipId: id}) WHERE NOT a.id IN $keep
DELETE a
"""
DELETE_CONTACTS_OF = """
MATCH (c:Contact) WHERE any(id IN $ids WHERE c.key STARTS WITH id + '|')
DETACH DELETE c
"""
DELETE_ORPHAN_SOURCES = "MATCH (s:Source) WHERE NOT EXISTS { (s)<-[:SOURCED_FROM]-() } DELETE s"
AUDIT_IDS = "UNWIND $ids AS id MATCH (a:AuditEntry {partnershipId: id}) RETURN a.id AS id"


def gql(
    client: TestClient, query: str, token: str | None = None, **variables: Any
) -> dict[str, Any]:
    """The whole response body (data and errors) of one GraphQL request."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def data(client: TestClient, query: str, token: str | None = None, **variables: Any) -> Any:
    """The data of a request that must succeed without errors."""
    body = gql(client, query, token, **variables)
    assert "errors" not in body, body["errors"]
    return body["data"]


def messages(body: dict[str, Any]) -> list[str]:
    return [e["message"] for e in body.get("errors", [])]


@dataclass
class Accounts:
    """Accounts made for one test module, with their tokens."""

    db: Database
    tag: str = field(default_factory=lambda: secrets.token_hex(4))
    tokens: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, role: accounts.Role, council: str = HART, **kwargs: Any) -> str:
        email = f"{name}-{self.tag}@example.gov.uk"
        _, token = accounts.add_user(self.db, email, role, council, **kwargs)
        self.tokens[name], self.emails[name] = token, email
        return token

    def remove_all(self) -> None:
        def work(tx: Tx) -> None:
            tx.run(DELETE_SUBMISSIONS_BY, {"emails": list(self.emails.values())})
            for email in self.emails.values():
                accounts.delete_user(tx, email)

        self.db.write_transaction(work)


def remove_partnerships(db: Database, ids: Sequence[str], keep_audit: Sequence[str] = ()) -> None:
    """Delete partnerships (or, with ``keep_audit``, only the newer audit entries) we made."""

    def work(tx: Tx) -> None:
        tx.run(DELETE_CONTACTS_OF, {"ids": list(ids)})
        tx.run(DELETE_AUDIT_EXCEPT, {"ids": list(ids), "keep": list(keep_audit)})
        if not keep_audit:
            tx.run(DELETE_PARTNERSHIPS, {"ids": list(ids)})
        tx.run(DELETE_ORPHAN_SOURCES)
        bump_data_version(tx)  # never backwards: caches must forget what we removed

    db.write_transaction(work)


def audit_ids(db: Database, ids: Sequence[str]) -> list[str]:
    return [row["id"] for row in db.read(AUDIT_IDS, {"ids": list(ids)})]


@contextmanager
def module_accounts(db: Database) -> Iterator[Accounts]:
    made = Accounts(db)
    try:
        yield made
    finally:
        made.remove_all()


SUBMIT = """
mutation ($input: PartnershipInput!) {
  submitPartnership(input: $input) {
    submission { id status kind partnershipId submittedBy { role council { code } } }
    errors { field text problem expected message }
  }
}"""

REVIEW = """
mutation ($id: String!, $decision: Decision!, $comment: String) {
  reviewSubmission(id: $id, decision: $decision, comment: $comment) {
    submission { id status reviewedBy { role } comment }
    partnership { id name services members { council { code } role } }
    errors { message }
  }
}"""

LEGAL_INPUT: dict[str, Any] = {
    "name": "Legal Shared Service - Hart and Basingstoke & Deane",
    "councils": ["Hart", "Basingstoke & Deane"],
    "leadCouncil": "Basingstoke and Deane",
    "services": ["Legal"],
    "status": "operational",
    "startYear": 2011,
    "notes": "Reported missing by a reader of the original map.",
    "sources": [{"url": "https://www.hart.gov.uk/legal-shared-service", "date": "2011"}],
    "contacts": [
        {
            "name": "Alex Officer",
            "role": "Head of Legal Services",
            "email": "alex.officer@example.gov.uk",
            "phone": "01256 000000",
        }
    ],
}
LEGAL_ID = "legal-shared-service-hart-and-basingstoke-deane"
