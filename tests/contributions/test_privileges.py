"""Least privilege, per role, through the real app and the real test Neo4j.

- contributors submit only partnerships their own council is in (editors and admins anywhere);
- nobody reviews (accepts or rejects) their own submission;
- refused bearer tokens are throttled per client address, before any scrypt check;
- ``councilgraph contacts delete`` erases one exact address and says exactly what changed;
- anonymous readers see the name of a loaded file in ``history { file }``, not its path.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

import contributions as contrib
from api.app import create_app
from api.auth import FAILED_SIGN_INS_PER_MINUTE_ENV, WORKERS_ENV, AccessControl
from cli.accounts import run_contacts_delete
from cli.main import build_parser
from contributions import accounts
from contributions.accounts import Role
from graph.db import Database
from graph.settings import Settings, SettingsError
from loaders import load_partnership_file
from tests.support.contributions import (
    BASINGSTOKE,
    DELETE_SUBMISSIONS_BY,
    HART,
    REVIEW,
    SUBMIT,
    Accounts,
    data,
    gql,
    module_accounts,
    remove_partnerships,
)

WOKING = "E07000217"
NOT_HARTS = {  # a new partnership without Hart
    "name": "Privileges test Woking and Guildford legal",
    "councils": ["Woking", "Guildford"],
    "services": ["legal"],
    "status": "in development",
    "sources": [{"url": "https://example.org/privileges-test"}],
}
NOT_HARTS_ID = "privileges-test-woking-and-guildford-legal"
HARTS = {
    **NOT_HARTS,
    "name": "Privileges test Hart and Rushmoor legal",
    "councils": ["Hart", "Rushmoor"],
}
HARTS_ID = "privileges-test-hart-and-rushmoor-legal"
HART_RUSHMOOR = "hart-rushmoor-joint-working"  # bundled: Hart and Rushmoor
NPLAW = "nplaw"  # bundled: Norfolk councils only
COUNT_SUBMISSIONS_BY = "MATCH (s:Submission {submittedBy: $email}) RETURN count(s) AS n"


@pytest.fixture(scope="module")
def people(loaded_db: Database) -> Iterator[Accounts]:
    with module_accounts(loaded_db) as made:
        made.add("contributor", Role.CONTRIBUTOR, HART)
        made.add("editor", Role.EDITOR, BASINGSTOKE)
        made.add("other_editor", Role.EDITOR, HART)
        made.add("admin", Role.ADMIN, WOKING)
        yield made


@pytest.fixture
def cleanup(loaded_db: Database, people: Accounts) -> Iterator[None]:
    yield
    loaded_db.write(DELETE_SUBMISSIONS_BY, {"emails": list(people.emails.values())})
    remove_partnerships(loaded_db, [NOT_HARTS_ID, HARTS_ID])


def _submitted(client: TestClient, token: str, proposal: dict[str, Any]) -> dict[str, Any]:
    """The submitPartnership response body (data and errors)."""
    return gql(client, SUBMIT, token, input=proposal)


def _forbidden(body: dict[str, Any]) -> str:
    """The message of a FORBIDDEN error, the only error of the response."""
    assert body["data"] is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN", error
    message: str = error["message"]
    return message


def _queued(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body
    payload = body["data"]["submitPartnership"]
    assert payload["errors"] == [], payload
    submission: dict[str, Any] = payload["submission"]
    assert submission["status"] == "PENDING"
    return submission


# -- contributors speak for their own council ------------------------------------------------


@pytest.mark.parametrize("caller", ["contributor", "editor", "admin"])
def test_only_editors_and_admins_propose_a_partnership_without_their_council(
    client: TestClient, people: Accounts, loaded_db: Database, cleanup: None, caller: str
) -> None:
    """Hart's contributor may not propose Woking and Guildford's partnership; an editor (of
    Basingstoke) and an admin (of Woking, not that it matters) may."""
    body = _submitted(client, people.tokens[caller], NOT_HARTS)
    if caller == "contributor":
        assert _forbidden(body) == (
            f"your council ({HART}) is not a member of this partnership: contributors may "
            "propose partnerships their council is in, and changes to partnerships their "
            "council is in now; ask an editor to submit it"
        )
        count = loaded_db.read(COUNT_SUBMISSIONS_BY, {"email": people.emails[caller]})
        assert count == [{"n": 0}]  # nothing stored
    else:
        assert _queued(body)["partnershipId"] == NOT_HARTS_ID


def test_a_contributor_proposes_a_partnership_with_their_council(
    client: TestClient, people: Accounts, cleanup: None
) -> None:
    submission = _queued(_submitted(client, people.tokens["contributor"], HARTS))
    assert submission["submittedBy"] == {"role": "CONTRIBUTOR", "council": {"code": HART}}


@pytest.mark.parametrize("caller", ["contributor", "editor", "admin"])
def test_only_editors_and_admins_change_a_partnership_without_their_council(
    client: TestClient, people: Accounts, cleanup: None, caller: str
) -> None:
    change = {
        "partnershipId": NPLAW,
        "notes": "privileges test",
        "sources": [{"url": "https://example.org/privileges-change"}],
    }
    body = _submitted(client, people.tokens[caller], change)
    if caller == "contributor":
        assert _forbidden(body).startswith(f"your council ({HART}) is not a member")
    else:
        assert _queued(body)["kind"] == "CHANGE"


def test_a_contributor_changes_a_partnership_their_council_is_in_now(
    client: TestClient, people: Accounts, cleanup: None
) -> None:
    """The rule reads the current members: Hart may report that Hart has left."""
    change = {
        "partnershipId": HART_RUSHMOOR,
        "councils": ["Rushmoor", "Surrey Heath"],
        "sources": [{"url": "https://example.org/privileges-hart-left"}],
    }
    submission = _queued(_submitted(client, people.tokens["contributor"], change))
    assert (submission["kind"], submission["partnershipId"]) == ("CHANGE", HART_RUSHMOOR)


def test_the_council_rule_holds_below_the_api(loaded_db: Database, people: Accounts) -> None:
    contributor = accounts.user_by_email(loaded_db, people.emails["contributor"])
    assert contributor is not None
    proposal = contrib.SubmissionInput(
        {
            "name": "Privileges graph test",
            "councils": "Woking;Guildford",
            "status": "ended",
            "sources": "https://example.org/privileges-graph",
        }
    )
    with pytest.raises(contrib.NotPermitted, match="is not a member of this partnership"):
        contrib.submit_partnership(loaded_db, contributor, proposal)


# -- nobody reviews their own submission -----------------------------------------------------


@pytest.mark.parametrize("reviewer", ["editor", "admin"])
@pytest.mark.parametrize("decision", ["ACCEPT", "REJECT"])
def test_nobody_reviews_their_own_submission(
    client: TestClient,
    people: Accounts,
    loaded_db: Database,
    cleanup: None,
    reviewer: str,
    decision: str,
) -> None:
    token = people.tokens[reviewer]
    submission = _queued(_submitted(client, token, HARTS))
    body = gql(client, REVIEW, token, id=submission["id"], decision=decision, comment="mine")
    assert _forbidden(body) == (
        f"submission {submission['id']} is your own: nobody reviews their own submission; "
        "another editor must accept or reject it"
    )
    still = contrib.submission_by_id(loaded_db, submission["id"])
    assert still is not None
    assert (still.status, still.reviewed_by) == ("pending", None)
    # Another editor may.
    reviewed = data(
        client,
        REVIEW,
        people.tokens["other_editor"],
        id=submission["id"],
        decision=decision,
        comment="checked",
    )["reviewSubmission"]
    assert reviewed["errors"] == []
    assert (
        reviewed["submission"]["status"] == {"ACCEPT": "ACCEPTED", "REJECT": "REJECTED"}[decision]
    )


# -- failed sign-ins ---------------------------------------------------------------------------

ME = "{ me { email } }"


def _post(client: TestClient, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/graphql", json={"query": ME}, headers=headers)


@pytest.fixture
def scrypt_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every scrypt check made from now on (the real one still runs)."""
    made: list[str] = []
    real: Callable[[str, bytes], bytes] = accounts.hash_secret

    def counted(secret: str, salt: bytes) -> bytes:
        made.append(secret[:4])
        return real(secret, salt)

    monkeypatch.setattr(accounts, "hash_secret", counted)
    return made


def test_refused_tokens_are_throttled_per_client_before_any_scrypt_check(
    loaded_db: Database,
    neo4j_settings: Settings,
    people: Accounts,
    scrypt_checks: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(FAILED_SIGN_INS_PER_MINUTE_ENV, "3")
    monkeypatch.delenv(WORKERS_ENV, raising=False)
    good = people.tokens["contributor"]
    bad = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    app = create_app(neo4j_settings)
    with (
        TestClient(app, client=("203.0.113.7", 50000)) as attacker,
        TestClient(app, client=("198.51.100.20", 50000)) as colleague,
    ):
        for _ in range(3):
            assert _post(attacker, bad).status_code == 401
        assert len(scrypt_checks) == 3

        for token in (bad, good):  # even a good token waits: telling them apart costs scrypt
            refused = _post(attacker, token)
            assert refused.status_code == 429
            (error,) = refused.json()["errors"]
            assert error["message"].startswith(
                "Too many refused bearer tokens from 203.0.113.7: at most 3 a minute; try again in "
            )
            assert 1 <= int(refused.headers["Retry-After"]) <= 20  # one more every 20 s
            assert error["extensions"] == {
                "code": "RATE_LIMITED",
                "retryAfterSeconds": int(refused.headers["Retry-After"]),
            }
        assert len(scrypt_checks) == 3  # no scrypt check for the refused requests

        assert _post(attacker, None).json() == {"data": {"me": None}}  # anonymous still reads
        signed_in = _post(colleague, good)  # another client is not affected
        assert signed_in.status_code == 200
        assert signed_in.json() == {"data": {"me": {"email": people.emails["contributor"]}}}
        assert len(scrypt_checks) == 4


def test_each_worker_allows_its_share_of_failed_sign_ins(loaded_db: Database) -> None:
    assert AccessControl(loaded_db, environ={}).sign_in_failures.capacity == 10
    shared = AccessControl(loaded_db, environ={WORKERS_ENV: "4"})
    assert shared.sign_in_failures.capacity == 2  # 4 workers x 2 <= 10
    many = AccessControl(loaded_db, failed_sign_ins_per_minute=3, workers=8, environ={})
    assert many.sign_in_failures.capacity == 1  # never none
    with pytest.raises(SettingsError, match="COUNCILGRAPH_FAILED_SIGN_INS_PER_MINUTE must be"):
        AccessControl(loaded_db, environ={FAILED_SIGN_INS_PER_MINUTE_ENV: "0"})


def test_rate_limiter_wait_spends_nothing() -> None:
    limiter = contrib.RateLimiter(capacity=2, per_seconds=60)
    assert limiter.wait("a", now=0) == 0
    limiter.take("a", now=0)
    limiter.take("a", now=0)
    assert limiter.wait("a", now=0) == pytest.approx(30)
    assert limiter.wait("a", now=0) == pytest.approx(30)  # asking twice did not spend
    assert limiter.wait("a", now=30) == 0


# -- contacts delete -------------------------------------------------------------------------

PERSON = contrib.Contact("Sam Exact", "Officer", "Sam.Exact@example.gov.uk", None)
NAMESAKE = contrib.Contact("Am Exact", "Officer", "am.exact@example.gov.uk", None)
KEPT = contrib.Contact("Kim Kept", "Officer", None, "01252 000000")
GRAPH_ID = "privileges-contacts-test"


@pytest.fixture
def contacts(loaded_db: Database, people: Accounts) -> Iterator[str]:
    """An accepted partnership with three contacts, and a pending change naming two of them."""
    contributor = accounts.user_by_email(loaded_db, people.emails["contributor"])
    editor = accounts.user_by_email(loaded_db, people.emails["editor"])
    assert contributor is not None
    assert editor is not None
    fields = {
        "name": "Privileges contacts test",
        "councils": "Hart;Rushmoor",
        "status": "in development",
        "sources": "https://example.org/privileges-contacts",
    }
    try:
        new, _ = contrib.submit_partnership(
            loaded_db, contributor, contrib.SubmissionInput(fields, None, (PERSON, NAMESAKE, KEPT))
        )
        assert new is not None
        contrib.review_submission(loaded_db, new.id, editor, contrib.Decision.ACCEPT, None)
        change = {"notes": "more", "sources": "https://example.org/privileges-more"}
        pending, _ = contrib.submit_partnership(
            loaded_db, contributor, contrib.SubmissionInput(change, GRAPH_ID, (PERSON, NAMESAKE))
        )
        assert pending is not None
        yield pending.id
    finally:
        loaded_db.write(DELETE_SUBMISSIONS_BY, {"emails": list(people.emails.values())})
        remove_partnerships(loaded_db, [GRAPH_ID])


def _erase(db: Database, email: str) -> int:
    return run_contacts_delete(build_parser().parse_args(["contacts", "delete", email]), db)


def _contact_emails(db: Database, pending_id: str) -> tuple[list[str | None], list[str | None]]:
    pending = contrib.submission_by_id(db, pending_id)
    assert pending is not None
    on_partnership = contrib.contacts_for(db, [GRAPH_ID])[GRAPH_ID]
    return [c.email for c in on_partnership], [c.email for c in pending.contacts]


@pytest.mark.parametrize("pattern", [".", "example.gov.uk", "@", "exact@example"])
def test_contacts_delete_refuses_what_is_not_an_email_address(
    loaded_db: Database, contacts: str, capsys: pytest.CaptureFixture[str], pattern: str
) -> None:
    """It used to match any substring: '.' reported 24 submissions cleared and changed none."""
    before = _contact_emails(loaded_db, contacts)
    assert _erase(loaded_db, pattern) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"councilgraph contacts delete: {pattern!r} is not an email address (expected "
        "name@council.gov.uk); contacts are erased by their exact address; nothing changed\n"
    )
    assert _contact_emails(loaded_db, contacts) == before


def test_contacts_delete_matches_the_whole_address_only(
    loaded_db: Database, contacts: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _contact_emails(loaded_db, contacts)
    # Part of Sam's address, and a well-formed address of nobody: nothing matches.
    for email in ("xam.exact@example.gov.uk", "exact@example.gov.uk"):
        assert _erase(loaded_db, email) == 1
        assert capsys.readouterr() == (
            "",
            f"councilgraph contacts delete: no contact or submission has the email {email}; "
            "nothing changed\n",
        )
    assert _contact_emails(loaded_db, contacts) == before

    # Sam's address (any case): Sam goes everywhere, Am (whose address ends Sam's) stays.
    assert _erase(loaded_db, " SAM.exact@Example.gov.uk ") == 0
    assert capsys.readouterr().out == (
        "sam.exact@example.gov.uk: deleted 1 contact record(s); removed 2 submitted "
        "contact(s) with this address from 2 submission(s)\n"
    )
    assert before == (
        ["am.exact@example.gov.uk", None, "sam.exact@example.gov.uk"],  # Am, Kim, Sam
        ["Sam.Exact@example.gov.uk", "am.exact@example.gov.uk"],  # as submitted
    )
    assert _contact_emails(loaded_db, contacts) == (
        ["am.exact@example.gov.uk", None],
        ["am.exact@example.gov.uk"],
    )
    assert _erase(loaded_db, "sam.exact@example.gov.uk") == 1  # nothing left to erase


# -- history { file } --------------------------------------------------------------------------

HISTORY_FILE = """query ($id: String!) { partnership(id: $id) { history { origin file } } }"""
LOADED_ID = "privileges-history-file-test"


@pytest.fixture
def loaded_from_a_path(loaded_db: Database, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "council-officers-private-folder" / "privileges_history.csv"
    path.parent.mkdir()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "councils", "status"])
        writer.writerow([LOADED_ID, "Privileges history file test", "Hart;Rushmoor", "ended"])
    try:
        assert load_partnership_file(loaded_db, path).counts["partnerships"].created == 1
        yield path
    finally:
        remove_partnerships(loaded_db, [LOADED_ID])
        loaded_db.write("MATCH (f:LoadedFile {path: $path}) DELETE f", {"path": str(path)})


@pytest.mark.parametrize("caller", ["anonymous", "contributor"])
def test_anonymous_readers_see_a_loaded_files_name_not_its_path(
    client: TestClient, people: Accounts, loaded_from_a_path: Path, caller: str
) -> None:
    token = None if caller == "anonymous" else people.tokens[caller]
    user_file = data(client, HISTORY_FILE, token, id=LOADED_ID)["partnership"]["history"]
    bundled = data(client, HISTORY_FILE, token, id="south-london-legal-partnership")
    bundled_file = bundled["partnership"]["history"][0]["file"]
    if caller == "anonymous":
        assert user_file == [{"origin": "FILE", "file": "privileges_history.csv"}]
        assert bundled_file == "partnerships_cited.csv"
    else:
        assert user_file == [{"origin": "FILE", "file": str(loaded_from_a_path.resolve())}]
        assert bundled_file == "data/partnerships/partnerships_cited.csv"
