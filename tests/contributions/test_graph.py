"""Contributions below the API, on the real test Neo4j: tokens, the merge rule with loads,
the audit of loads, exactly-once review under contention, erasure of contacts, the CLI."""

from __future__ import annotations

import argparse
import hashlib
import threading
from collections.abc import Iterator

import pytest

import contributions as contrib
from cli.main import build_parser
from contributions import accounts
from contributions.accounts import Role
from graph import audit
from graph.db import Database
from graph.schema import data_version
from loaders import load_bundled
from tests.support.contributions import (
    DELETE_SUBMISSIONS_BY,
    HART,
    Accounts,
    audit_ids,
    module_accounts,
    remove_partnerships,
)

BUNDLED_FILE = "data/partnerships/partnerships_cited.csv"
HART_RUSHMOOR = "hart-rushmoor-joint-working"  # bundled, in development: no rule changes
NEW_ID = "contributions-graph-test-partnership"


@pytest.fixture(scope="module")
def people(loaded_db: Database) -> Iterator[Accounts]:
    with module_accounts(loaded_db) as made:
        made.add("contributor", Role.CONTRIBUTOR, HART)
        made.add("editor", Role.EDITOR, HART)
        yield made


def _user(db: Database, people: Accounts, name: str) -> accounts.User:
    user = accounts.user_by_email(db, people.emails[name])
    assert user is not None
    return user


def _new_proposal(**fields: str) -> contrib.SubmissionInput:
    base = {
        "name": "Contributions graph test partnership",
        "councils": "Hart;Rushmoor",
        "services": "legal",
        "status": "in development",
        "sources": "https://example.org/graph-test",
    }
    return contrib.SubmissionInput({**base, **fields})


# -- tokens --------------------------------------------------------------------------------


def test_tokens_are_stored_only_as_salted_scrypt_hashes(
    loaded_db: Database, people: Accounts
) -> None:
    token = people.tokens["contributor"]
    _, token_id, secret = token.split("_", 2)
    stored = loaded_db.read(
        "MATCH (u:User {email: $email}) RETURN properties(u) AS u",
        {"email": people.emails["contributor"]},
    )[0]["u"]
    assert all(secret not in str(value) for value in stored.values())
    assert stored["tokenId"] == token_id
    salt = bytes.fromhex(stored["tokenSalt"])
    assert len(salt) == 16
    assert bytes.fromhex(stored["tokenHash"]) == accounts.hash_secret(secret, salt)
    assert stored["tokenHash"] != hashlib.sha256(secret.encode()).hexdigest()
    other = loaded_db.read(
        "MATCH (u:User {email: $email}) RETURN u.tokenSalt AS salt",
        {"email": people.emails["editor"]},
    )[0]["salt"]
    assert other != stored["tokenSalt"]


def test_accounts_are_refused_with_reasons(loaded_db: Database, people: Accounts) -> None:
    with pytest.raises(accounts.AccountError, match="no council has the GSS code 'E99999999'"):
        accounts.add_user(loaded_db, "x@example.gov.uk", Role.EDITOR, "E99999999")
    with pytest.raises(accounts.AccountError, match="is not an email address"):
        accounts.add_user(loaded_db, "not an email", Role.EDITOR, HART)
    with pytest.raises(accounts.AccountError, match="already has an active token"):
        accounts.add_user(loaded_db, people.emails["editor"], Role.EDITOR, HART)


def test_revoking_and_reissuing_a_token(loaded_db: Database) -> None:
    with module_accounts(loaded_db) as made:
        old = made.add("reissued", Role.CONTRIBUTOR)
        assert accounts.authenticate(loaded_db, old).email == made.emails["reissued"]
        accounts.revoke_user(loaded_db, made.emails["reissued"])
        with pytest.raises(accounts.AuthenticationError, match="revoked"):
            accounts.authenticate(loaded_db, old)
        _, new = accounts.add_user(loaded_db, made.emails["reissued"], Role.EDITOR, HART)
        assert accounts.authenticate(loaded_db, new).role is Role.EDITOR
        with pytest.raises(accounts.AuthenticationError, match="not valid"):
            accounts.authenticate(loaded_db, old)


# -- audit of loads and the merge rule ---------------------------------------------------------


def test_loads_leave_an_audit_entry_per_partnership(loaded_db: Database) -> None:
    history = audit.audit_history(loaded_db, ["south-london-legal-partnership"])
    first = history["south-london-legal-partnership"][0]
    assert first.origin == "file"
    assert first.action == "created"
    assert first.file == BUNDLED_FILE
    assert first.before is None
    assert first.loaded_by  # the account that ran it
    assert first.after["name"].startswith("South London Legal Partnership")
    assert {f.field for f in first.changes} >= {"name", "members", "services", "sources"}


def test_accepted_edits_survive_a_bundled_reload(loaded_db: Database, people: Accounts) -> None:
    kept_audit = audit_ids(loaded_db, [HART_RUSHMOOR])
    contributor, editor = (
        _user(loaded_db, people, "contributor"),
        _user(loaded_db, people, "editor"),
    )
    try:
        change = contrib.SubmissionInput(
            {
                "status": "abandoned",
                "notes": "The councils decided not to share a chief executive.",
                "sources": "https://example.org/hart-rushmoor-decision",
                "sourceDates": "2023-02-01",
            },
            partnership_id=HART_RUSHMOOR,
        )
        submission, errors = contrib.submit_partnership(loaded_db, contributor, change)
        assert errors == []
        assert submission is not None
        assert submission.kind == "change"
        preview = contrib.submission_diffs(loaded_db, [submission])[submission.id]
        assert {d.field for d in preview.diff} == {"status", "notes", "sources"}
        contrib.review_submission(loaded_db, submission.id, editor, contrib.Decision.ACCEPT, "ok")

        entries = audit.audit_history(loaded_db, [HART_RUSHMOOR])[HART_RUSHMOOR]
        last = entries[-1]
        assert (last.origin, last.action, last.submission_id) == (
            "submission",
            "updated",
            submission.id,
        )
        changes = {d.field: (d.before, d.after) for d in last.changes}
        assert changes["status"] == ("in_development", "abandoned")
        assert "members" not in changes  # values not given are kept
        assert "https://example.org/hart-rushmoor-decision [2023-02-01]" in (
            changes["sources"][1] or ""
        )

        report = load_bundled(loaded_db)
        assert any(
            f"partnership {HART_RUSHMOOR!r} not loaded: it has an edit accepted from "
            f"submission {submission.id}" in w
            for w in report.warnings
        )
        assert not report.changed
        status = loaded_db.read(
            "MATCH (p:Partnership {id: $id}) RETURN p.status AS s", {"id": HART_RUSHMOOR}
        )
        assert status == [{"s": "abandoned"}]
        after_reload = audit.audit_history(loaded_db, [HART_RUSHMOOR])[HART_RUSHMOOR]
        assert len(after_reload) == len(entries)  # nothing silently overwritten
    finally:
        loaded_db.write(DELETE_SUBMISSIONS_BY, {"emails": list(people.emails.values())})
        load_bundled(loaded_db)  # without the accepted edit, the bundled row applies again
        remove_partnerships(loaded_db, [HART_RUSHMOOR], keep_audit=kept_audit)
    restored = loaded_db.read(
        "MATCH (p:Partnership {id: $id}) RETURN p.status AS s", {"id": HART_RUSHMOOR}
    )
    assert restored == [{"s": "in_development"}]
    assert audit_ids(loaded_db, [HART_RUSHMOOR]) == kept_audit


# -- review ------------------------------------------------------------------------------


def test_reviews_apply_exactly_once_under_contention(loaded_db: Database, people: Accounts) -> None:
    contributor, editor = (
        _user(loaded_db, people, "contributor"),
        _user(loaded_db, people, "editor"),
    )
    try:
        submission, errors = contrib.submit_partnership(loaded_db, contributor, _new_proposal())
        assert submission is not None, errors
        version = data_version(loaded_db)
        barrier = threading.Barrier(8)
        outcomes: list[object] = []
        lock = threading.Lock()

        def accept() -> None:
            barrier.wait()
            try:
                result: object = contrib.review_submission(
                    loaded_db, submission.id, editor, contrib.Decision.ACCEPT, None
                )
            except contrib.ReviewConflict as conflict:
                result = conflict
            with lock:
                outcomes.append(result)

        threads = [threading.Thread(target=accept) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        applied = [o for o in outcomes if isinstance(o, contrib.ReviewOutcome)]
        refused = [o for o in outcomes if isinstance(o, contrib.ReviewConflict)]
        assert len(applied) == 1
        assert len(refused) == 7
        assert all("was already accepted by" in str(r) for r in refused)
        assert len(audit.audit_history(loaded_db, [NEW_ID])[NEW_ID]) == 1
        assert data_version(loaded_db) == version + 1
    finally:
        loaded_db.write(DELETE_SUBMISSIONS_BY, {"emails": list(people.emails.values())})
        remove_partnerships(loaded_db, [NEW_ID])


def test_a_submission_that_no_longer_validates_stays_pending(
    loaded_db: Database, people: Accounts
) -> None:
    contributor, editor = (
        _user(loaded_db, people, "contributor"),
        _user(loaded_db, people, "editor"),
    )
    try:
        first, _ = contrib.submit_partnership(loaded_db, contributor, _new_proposal())
        second, _ = contrib.submit_partnership(loaded_db, contributor, _new_proposal())
        assert first is not None
        assert second is not None
        contrib.review_submission(loaded_db, first.id, editor, contrib.Decision.ACCEPT, None)
        version = data_version(loaded_db)
        preview = contrib.submission_diffs(loaded_db, [second])[second.id]
        assert preview.diff == ()
        assert [e.problem for e in preview.errors] == [
            "a partnership with this id was created since the submission"
        ]
        with pytest.raises(contrib.SubmissionInvalid, match="was created since the submission"):
            contrib.review_submission(loaded_db, second.id, editor, contrib.Decision.ACCEPT, None)
        still = contrib.submission_by_id(loaded_db, second.id)
        assert still is not None
        assert still.status == "pending"  # the claim was rolled back with the rest
        assert data_version(loaded_db) == version
    finally:
        loaded_db.write(DELETE_SUBMISSIONS_BY, {"emails": list(people.emails.values())})
        remove_partnerships(loaded_db, [NEW_ID])


def test_only_editors_review_and_contributors_submit(loaded_db: Database, people: Accounts) -> None:
    contributor = _user(loaded_db, people, "contributor")
    with pytest.raises(contrib.ContributionError, match="needs an editor account"):
        contrib.review_submission(loaded_db, "x", contributor, contrib.Decision.ACCEPT, None)


# -- contacts ----------------------------------------------------------------------------------


def test_contacts_delete_erases_a_person_everywhere(
    loaded_db: Database, people: Accounts, capsys: pytest.CaptureFixture[str]
) -> None:
    contributor, editor = (
        _user(loaded_db, people, "contributor"),
        _user(loaded_db, people, "editor"),
    )
    person = contrib.Contact("Sam Erased", "Officer", "Sam.Erased@example.gov.uk", None)
    keep = contrib.Contact("Kim Kept", "Officer", None, "01252 000000")
    try:
        proposal = _new_proposal()
        accepted, _ = contrib.submit_partnership(
            loaded_db, contributor, contrib.SubmissionInput(proposal.fields, None, (person, keep))
        )
        assert accepted is not None
        contrib.review_submission(loaded_db, accepted.id, editor, contrib.Decision.ACCEPT, None)
        pending, _ = contrib.submit_partnership(
            loaded_db,
            contributor,
            contrib.SubmissionInput(
                {"notes": "more", "sources": "https://example.org/more"}, NEW_ID, (person,)
            ),
        )
        assert pending is not None
        assert [c.name for c in contrib.contacts_for(loaded_db, [NEW_ID])[NEW_ID]] == [
            "Kim Kept",
            "Sam Erased",
        ]

        args = build_parser().parse_args(["contacts", "delete", "sam.erased@example.gov.uk"])
        from cli.accounts import run_contacts_delete

        assert run_contacts_delete(args, loaded_db) == 0
        assert capsys.readouterr().out == (
            "sam.erased@example.gov.uk: deleted 1 contact record(s); removed 2 submitted "
            "contact(s) with this address from 2 submission(s)\n"
        )
        assert [c.name for c in contrib.contacts_for(loaded_db, [NEW_ID])[NEW_ID]] == ["Kim Kept"]
        scrubbed = contrib.submission_by_id(loaded_db, pending.id)
        assert scrubbed is not None
        assert scrubbed.contacts == ()
        leftovers = loaded_db.read(
            "MATCH (n) WHERE any(k IN keys(n) WHERE n[k] IS :: STRING "
            "AND toLower(n[k]) CONTAINS 'sam.erased') RETURN count(n) AS n"
        )
        assert leftovers == [{"n": 0}]
        assert run_contacts_delete(args, loaded_db) == 1  # nothing left to delete
    finally:
        loaded_db.write(DELETE_SUBMISSIONS_BY, {"emails": list(people.emails.values())})
        remove_partnerships(loaded_db, [NEW_ID])


# -- the CLI -----------------------------------------------------------------------------------


def test_users_add_prints_the_token_once_and_revoke_refuses_it(
    loaded_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.accounts import run_users_add, run_users_revoke

    email = "cli-user-test@example.gov.uk"
    parse = build_parser().parse_args
    try:
        args = parse(
            ["users", "add", email, "--role", "editor", "--council", HART, "--expires-days", "7"]
        )
        assert run_users_add(args, loaded_db) == 0
        out, err = capsys.readouterr()
        token = out.strip()
        assert out.count("\n") == 1  # the token alone on stdout
        assert "shown only now" in err
        user = accounts.authenticate(loaded_db, token)
        assert (user.role, user.council) == (Role.EDITOR, HART)
        assert user.expires_at is not None
        assert run_users_add(args, loaded_db) == 1
        assert "already has an active token" in capsys.readouterr().err
        assert run_users_revoke(parse(["users", "revoke", email]), loaded_db) == 0
        with pytest.raises(accounts.AuthenticationError, match="revoked"):
            accounts.authenticate(loaded_db, token)
        assert run_users_revoke(parse(["users", "revoke", "nobody@example.gov.uk"]), loaded_db) == 1
    finally:
        loaded_db.write_transaction(lambda tx: accounts.delete_user(tx, email))


def test_cli_knows_the_commands() -> None:
    parser = build_parser()
    args = parser.parse_args(["users", "add", "a@b.gov.uk", "--role", "admin", "--council", HART])
    assert isinstance(args, argparse.Namespace)
    assert args.expires_days == 365
    with pytest.raises(SystemExit):
        parser.parse_args(["users", "add", "a@b.gov.uk", "--role", "root", "--council", HART])


# -- rate limit (pure) -------------------------------------------------------------------------


def test_rate_limiter_is_a_token_bucket_per_key() -> None:
    limiter = contrib.RateLimiter(capacity=2, per_seconds=60)
    assert limiter.take("a", now=0) == 0
    assert limiter.take("a", now=0) == 0
    assert limiter.take("a", now=0) == pytest.approx(30)
    assert limiter.take("b", now=0) == 0  # keys are independent
    assert limiter.take("a", now=31) == 0  # refilled by one after 30 s
    small = contrib.RateLimiter(capacity=1, per_seconds=60, max_keys=2)
    for key in "xyz":
        small.take(key, now=0)
    assert small.take("x", now=0) == 0  # forgotten (bounded memory), so full again
