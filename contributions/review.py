"""Reviewing a submission (exactly once), the contacts it brings, and the submission rate limit."""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from contributions.accounts import Role, User
from contributions.model import (
    _EMAIL,
    MAX_TEXT,
    Contact,
    ContributionError,
    Decision,
    NotPermitted,
    ReviewConflict,
    Submission,
    SubmissionInvalid,
)
from contributions.queries import (
    CLAIM_SUBMISSION,
    CONTACTS_FOR,
    DELETE_CONTACTS_BY_EMAIL,
    LOCK_SUBMISSION,
    MERGE_CONTACTS,
    SET_SUBMISSION_CONTACTS,
    SUBMISSION_BY_ID,
    SUBMISSIONS_WITH_CONTACTS,
)
from contributions.submissions import (
    _context,
    _current_raw,
    _merged_raw,
    _read_current,
    _stale,
    _validate,
)
from graph.audit import SubmissionAudit
from graph.db import Database, Tx
from graph.schema import bump_data_version
from loaders.writer import write_partnerships

# -- review ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewOutcome:
    submission: Submission
    data_version: int | None  # the new version when an acceptance changed data


def review_submission(
    db: Database, submission_id: str, editor: User, decision: Decision, comment: str | None
) -> ReviewOutcome:
    """Accept (apply) or reject a pending submission, once.

    ACCEPT claims the submission, applies it with the loaders' writer, writes the audit entry,
    adds its contacts and bumps the data version, all in one write transaction. A concurrent
    review of the same submission waits for this one and then finds it no longer pending.

    Raises
    ------
    ContributionError : the user is not an editor, or a rejection gives no reason.
    NotPermitted : the editor submitted it (nobody reviews their own submission).
    ReviewConflict : no such submission, or it was already reviewed.
    SubmissionInvalid : it no longer validates against the graph (nothing is changed).
    """
    if not editor.can(Role.EDITOR):
        raise ContributionError("reviewing submissions needs an editor account")
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > MAX_TEXT["comment"]:
        raise ContributionError(f"comment: at most {MAX_TEXT['comment']} characters")
    if decision is Decision.REJECT and comment is None:
        raise ContributionError("a rejection needs a comment saying why")
    # Reference data for validation, read once outside the write (it does not change here).
    ctx = _context(db) if decision is Decision.ACCEPT else None

    def work(tx: Tx) -> ReviewOutcome:
        locked = tx.run(LOCK_SUBMISSION, {"id": submission_id})
        if not locked:
            raise ReviewConflict(f"no submission has the id {submission_id!r}")
        if locked[0]["submittedBy"] == editor.email:  # raising rolls the lock's SET back
            raise NotPermitted(
                f"submission {submission_id} is your own: nobody reviews their own "
                "submission; another editor must accept or reject it"
            )
        claimed = tx.run(
            CLAIM_SUBMISSION,
            {
                "id": submission_id,
                "status": decision.value,
                "email": editor.email,
                "role": editor.role.value,
                "council": editor.council,
                "comment": comment,
            },
        )
        if not claimed:
            done = Submission.from_row(
                tx.run(SUBMISSION_BY_ID, {"id": submission_id})[0]["submission"]
            )
            raise ReviewConflict(
                f"submission {submission_id} was already {done.status} by {done.reviewed_by} "
                f"at {done.reviewed_at:%Y-%m-%d %H:%M:%S} UTC"
                if done.reviewed_at
                else f"submission {submission_id} is {done.status}, not pending"
            )
        props = claimed[0]["submission"]
        submission = Submission.from_row(props)
        if decision is Decision.REJECT:
            return ReviewOutcome(submission, None)
        assert ctx is not None
        current = _read_current(tx, [submission.partnership_id]).get(submission.partnership_id)
        stale = _stale(submission, current is not None)
        if stale:
            raise SubmissionInvalid(stale)
        raw = _merged_raw(submission.fields, _current_raw(current) if current else None)
        record, errors = _validate(raw, ctx)
        if record is None:
            raise SubmissionInvalid(errors)
        # Bumped first: the version node's lock also queues this behind any other acceptance.
        version = bump_data_version(tx)
        write_partnerships(tx, [record], apply=True, hook=SubmissionAudit(props))
        _write_contacts(tx, record.id, submission.contacts)
        return ReviewOutcome(submission, version)

    return db.write_transaction(work)


# -- contacts --------------------------------------------------------------------------


def _contact_key(partnership_id: str, contact: Contact) -> str:
    return f"{partnership_id}|{(contact.email or contact.name).strip().lower()}"


def _write_contacts(tx: Tx, partnership_id: str, contacts: Sequence[Contact]) -> None:
    if not contacts:
        return
    rows = [
        {
            "partnershipId": partnership_id,
            "key": _contact_key(partnership_id, c),
            "props": {
                "name": c.name.strip(),
                "role": c.role,
                "email": c.email.strip().lower() if c.email else None,
                "phone": c.phone,
            },
        }
        for c in contacts
    ]
    tx.run(MERGE_CONTACTS, {"rows": rows})


def contacts_for(db: Database, ids: Sequence[str]) -> dict[str, list[Contact]]:
    """The contacts of each partnership (one round trip). Personal data: signed-in only."""
    found: dict[str, list[Contact]] = {}
    for row in db.read(CONTACTS_FOR, {"ids": list(ids)}):
        c = row["contact"]
        found.setdefault(row["id"], []).append(
            Contact(c["name"], c.get("role"), c.get("email"), c.get("phone"))
        )
    return found


@dataclass(frozen=True)
class Erasure:
    """What erasing one email address changed."""

    email: str
    contacts_deleted: int  # Contact nodes (on accepted partnerships)
    submissions_changed: int  # submissions, pending or reviewed, that carried the address
    submitted_contacts_removed: int  # contact entries removed from those submissions

    @property
    def changed(self) -> bool:
        return bool(self.contacts_deleted or self.submissions_changed)


def delete_contacts(db: Database, email: str) -> Erasure:
    """Erase a person's contact details everywhere: contacts, and pending or past submissions.

    Only contacts whose email is exactly ``email`` (ignoring case and surrounding spaces) are
    touched, in one transaction.

    Raises
    ------
    ContributionError : ``email`` is not an email address (so it could only match by accident).
    """
    email = email.strip().lower()
    if not _EMAIL.fullmatch(email):
        raise ContributionError(
            f"{email!r} is not an email address (expected name@council.gov.uk); "
            "contacts are erased by their exact address"
        )

    def work(tx: Tx) -> Erasure:
        deleted = int(tx.run(DELETE_CONTACTS_BY_EMAIL, {"email": email})[0]["deleted"])
        scrubbed, removed = [], 0
        for row in tx.run(SUBMISSIONS_WITH_CONTACTS):
            contacts = json.loads(row["contacts"] or "[]")
            kept = [c for c in contacts if (c.get("email") or "").strip().lower() != email]
            if len(kept) < len(contacts):
                removed += len(contacts) - len(kept)
                scrubbed.append({"id": row["id"], "contacts": json.dumps(kept)})
        if scrubbed:
            tx.run(SET_SUBMISSION_CONTACTS, {"rows": scrubbed})
        if deleted:
            bump_data_version(tx)
        return Erasure(email, deleted, len(scrubbed), removed)

    return db.write_transaction(work)


# -- rate limit ------------------------------------------------------------------------


@dataclass
class RateLimiter:
    """A token bucket per key (a bearer token's id, a client's address): ``capacity`` at once,
    refilled evenly over ``per_seconds``.

    In-process: each API worker process keeps its own buckets, so with N workers a key can
    spend up to N times the capacity (divide it, as ``api.auth.AccessControl`` does for
    failed sign-ins). Bounded (least recently used keys are forgotten).
    """

    capacity: int = 10
    per_seconds: float = 3600.0
    max_keys: int = 10_000
    _buckets: OrderedDict[str, tuple[float, float]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, key: str, *, now: float | None = None) -> float:
        """Seconds until ``key`` has a unit to spend (0.0: now), spending nothing."""
        now = time.monotonic() if now is None else now
        rate = self.capacity / self.per_seconds
        with self._lock:
            level, then = self._buckets.get(key, (float(self.capacity), now))
        level = min(float(self.capacity), level + (now - then) * rate)
        return 0.0 if level >= 1.0 else (1.0 - level) / rate

    def take(self, key: str, *, now: float | None = None) -> float:
        """Spend one unit; 0.0 when allowed, else the seconds until one is available."""
        now = time.monotonic() if now is None else now
        rate = self.capacity / self.per_seconds
        with self._lock:
            level, then = self._buckets.pop(key, (float(self.capacity), now))
            level = min(float(self.capacity), level + (now - then) * rate)
            wait = 0.0
            if level >= 1.0:
                level -= 1.0
            else:
                wait = (1.0 - level) / rate
            self._buckets[key] = (level, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return wait
