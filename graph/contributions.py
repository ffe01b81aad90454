"""Contributions: submissions of new or changed partnerships, their review, and contacts.

A contributor's submission is validated by exactly the code that validates a row of a
partnership file (``loaders.validate_partnership``), so both follow the same rules and give
the same errors. An accepted submission is applied by the loaders' own writer
(``loaders.writer.write_partnerships``) in one write transaction that also claims the
submission, writes its audit entry and bumps the data version: it is applied exactly once,
however many editors accept it at the same moment.

Contacts (officers' and members' names, emails and phones) are personal data: they are kept
in ``Contact`` nodes, apart from the partnership's public values and from the audit trail, and
are deleted on request (:func:`delete_contacts`).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from typing import Any, LiteralString

from graph import taxonomy
from graph.accounts import Role, User
from graph.audit import FieldDiff, SubmissionAudit, diff_snapshots, snapshot
from graph.db import Database, Tx
from graph.schema import bump_data_version
from loaders import queries as load_queries
from loaders.errors import DataError
from loaders.load import council_index_from_db, service_areas_from_db
from loaders.partnerships import PartnershipContext, PartnershipRecord, validate_partnership
from loaders.writer import write_partnerships

__all__ = [
    "INPUT_FIELDS",
    "Contact",
    "ContributionError",
    "Decision",
    "Erasure",
    "NotPermitted",
    "Preview",
    "RateLimiter",
    "ReviewConflict",
    "ReviewOutcome",
    "Submission",
    "SubmissionInput",
    "SubmissionInvalid",
    "check_bounds",
    "contacts_for",
    "delete_contacts",
    "list_submissions",
    "review_submission",
    "submission_by_id",
    "submission_diffs",
    "submissions_by",
    "submit_partnership",
]

#: Input fields a submission may set, as named in the GraphQL input -> the loaders' field.
INPUT_FIELDS: Mapping[str, str] = {
    "name": "name",
    "councils": "councils",
    "services": "service_areas",
    "status": "status",
    "startYear": "start_year",
    "endYear": "end_year",
    "leadCouncil": "lead_council",
    "annualSavingsGbp": "annual_savings_gbp",
    "savingsNote": "savings_note",
    "notes": "notes",
    "sources": "source_urls",
    "sourceDates": "source_dates",
}
#: Errors name the GraphQL input field the contributor filled in, not the file column.
_COLUMNS = {
    loader: given
    for given, loader in INPUT_FIELDS.items()
    # A renamed savings column makes the validator add "Figure from the column ..." to the
    # note, which is right for spreadsheets and wrong here: keep the field's own name.
    if loader != "annual_savings_gbp"
} | {"council_gss_codes": "councils", "id": "partnershipId"}

# -- bounds (abuse) --------------------------------------------------------------------
MAX_TEXT = {"name": 200, "notes": 4000, "savingsNote": 1000, "status": 40, "comment": 2000}
MAX_ITEM = 300  # one council name, service or source URL (URLs up to 300 characters)
MAX_ITEMS = {"councils": 60, "services": len(taxonomy.codes()), "sources": 20, "contacts": 20}
MAX_CONTACT_TEXT = 200
_EMAIL = re.compile(r"[^@\s;]{1,64}@[^@\s;]{1,189}\.[^@\s;]{1,60}")
_PHONE = re.compile(r"\+?[0-9 ()\-]{6,30}")
_URL = re.compile(r"https?://[^\s;]+", re.IGNORECASE)


class ContributionError(Exception):
    """A contribution request that cannot be done as asked; the message says why."""


class NotPermitted(ContributionError):
    """The account may not do this to this submission or partnership (least privilege)."""


class ReviewConflict(ContributionError):
    """The submission was already reviewed (or does not exist)."""


class SubmissionInvalid(ContributionError):
    """The submission no longer validates against the current graph (at review time)."""

    def __init__(self, errors: Sequence[DataError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = tuple(errors)


class Decision(Enum):
    ACCEPT = "accepted"
    REJECT = "rejected"


@dataclass(frozen=True)
class Contact:
    """An officer or member to call about a partnership (personal data)."""

    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "role": self.role, "email": self.email, "phone": self.phone}


@dataclass(frozen=True)
class SubmissionInput:
    """What a contributor sent: fields as text (as a file row would hold them), keyed by the
    GraphQL input names of :data:`INPUT_FIELDS`; lists joined by ``;``.

    ``partnership_id`` names the partnership to change; None proposes a new one.
    """

    fields: Mapping[str, str]
    partnership_id: str | None = None
    contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True)
class Submission:
    """A proposed new partnership or change, and what became of it."""

    id: str
    status: str  # pending, accepted, rejected
    kind: str  # new, change
    partnership_id: str
    fields: Mapping[str, str]
    contacts: tuple[Contact, ...]
    submitted_by: str
    submitter_role: str
    submitter_council: str
    submitted_at: datetime
    reviewed_by: str | None = None
    reviewer_role: str | None = None
    reviewer_council: str | None = None
    reviewed_at: datetime | None = None
    comment: str | None = None

    @classmethod
    def from_row(cls, props: Mapping[str, Any]) -> Submission:
        reviewed = props.get("reviewedAt")
        return cls(
            id=props["id"],
            status=props["status"],
            kind=props["kind"],
            partnership_id=props["partnershipId"],
            fields=json.loads(props["fields"]),
            contacts=tuple(Contact(**c) for c in json.loads(props.get("contacts") or "[]")),
            submitted_by=props["submittedBy"],
            submitter_role=props["submitterRole"],
            submitter_council=props["submitterCouncil"],
            submitted_at=props["submittedAt"].to_native(),
            reviewed_by=props.get("reviewedBy"),
            reviewer_role=props.get("reviewerRole"),
            reviewer_council=props.get("reviewerCouncil"),
            reviewed_at=reviewed.to_native() if reviewed is not None else None,
            comment=props.get("comment"),
        )


# -- statements ------------------------------------------------------------------------

PARTNERSHIP_NAME: LiteralString = "MATCH (p:Partnership {id: $id}) RETURN p.name AS name"

CREATE_SUBMISSION: LiteralString = """
CREATE (s:Submission)
SET s = $props, s.submittedAt = datetime()
RETURN properties(s) AS submission
"""

SUBMISSIONS: LiteralString = """
MATCH (s:Submission)
WHERE $status IS NULL OR s.status = $status
RETURN properties(s) AS submission
ORDER BY s.submittedAt, s.id
LIMIT $limit
"""

SUBMISSIONS_BY: LiteralString = """
MATCH (s:Submission {submittedBy: $email})
RETURN properties(s) AS submission
ORDER BY s.submittedAt DESC, s.id
LIMIT $limit
"""

SUBMISSION_BY_ID: LiteralString = """
MATCH (s:Submission {id: $id})
RETURN properties(s) AS submission
"""

# Taking the node's write lock first makes concurrent reviews of one submission queue up;
# the claim below then reads the status the previous reviewer committed (read committed).
LOCK_SUBMISSION: LiteralString = """
MATCH (s:Submission {id: $id})
SET s.lastReviewAttemptAt = datetime()
RETURN s.id AS id, s.submittedBy AS submittedBy
"""

CLAIM_SUBMISSION: LiteralString = """
MATCH (s:Submission {id: $id})
WHERE s.status = 'pending'
SET s.status = $status, s.reviewedBy = $email, s.reviewerRole = $role,
    s.reviewerCouncil = $council, s.reviewedAt = datetime(), s.comment = $comment
RETURN properties(s) AS submission
"""

MERGE_CONTACTS: LiteralString = """
UNWIND $rows AS row
MATCH (p:Partnership {id: row.partnershipId})
MERGE (c:Contact {key: row.key})
SET c += row.props
MERGE (c)-[:CONTACT_FOR]->(p)
"""

CONTACTS_FOR: LiteralString = """
UNWIND $ids AS id
MATCH (c:Contact)-[:CONTACT_FOR]->(:Partnership {id: id})
RETURN id, properties(c) AS contact
ORDER BY c.name, c.key
"""

DELETE_CONTACTS_BY_EMAIL: LiteralString = """
MATCH (c:Contact {email: $email})
DETACH DELETE c
RETURN count(*) AS deleted
"""

# Contacts are kept in a submission as JSON text, where an address may be escaped
# ("\u00e9"), so no text match in Cypher finds exactly one address: every submission with
# contacts is read and compared in Python. Erasure is a rare command; the queue is small.
SUBMISSIONS_WITH_CONTACTS: LiteralString = """
MATCH (s:Submission) WHERE s.contacts IS NOT NULL AND s.contacts <> '[]'
RETURN s.id AS id, s.contacts AS contacts
"""

SET_SUBMISSION_CONTACTS: LiteralString = """
UNWIND $rows AS row
MATCH (s:Submission {id: row.id})
SET s.contacts = row.contacts
"""


# -- validation ------------------------------------------------------------------------


def check_bounds(given: SubmissionInput, comment: str | None = None) -> list[str]:
    """Problems with the input's size or form, before any validation (abuse limits)."""
    problems = []
    for name, limit in MAX_TEXT.items():
        text = comment if name == "comment" else given.fields.get(name)
        if text is not None and len(text) > limit:
            problems.append(f"{name}: at most {limit} characters (got {len(text)})")
    for name in ("councils", "services", "sources"):
        items = [i for i in re.split(r"[;\n]", given.fields.get(name) or "") if i.strip()]
        if len(items) > MAX_ITEMS[name]:
            problems.append(f"{name}: at most {MAX_ITEMS[name]} items (got {len(items)})")
        problems += [
            f"{name}: an item has more than {MAX_ITEM} characters"
            for item in items
            if len(item) > MAX_ITEM
        ][:1]
    if len(given.contacts) > MAX_ITEMS["contacts"]:
        problems.append(f"contacts: at most {MAX_ITEMS['contacts']} (got {len(given.contacts)})")
    for index, contact in enumerate(given.contacts):
        where = f"contacts[{index}]"
        for key, value in contact.as_dict().items():
            if value is not None and len(value) > MAX_CONTACT_TEXT:
                problems.append(f"{where}.{key}: at most {MAX_CONTACT_TEXT} characters")
        if not contact.name.strip():
            problems.append(f"{where}.name: a contact needs a name")
        if contact.email is None and contact.phone is None:
            problems.append(f"{where}: give an email or a phone number")
        if contact.email is not None and not _EMAIL.fullmatch(contact.email.strip()):
            problems.append(f"{where}.email: {contact.email!r} is not an email address")
        if contact.phone is not None and not _PHONE.fullmatch(contact.phone.strip()):
            problems.append(f"{where}.phone: {contact.phone!r} is not a phone number")
    return problems


def _context(db: Database) -> PartnershipContext:
    return PartnershipContext(
        councils=council_index_from_db(db),
        service_areas=service_areas_from_db(db),
        columns=_COLUMNS,
    )


def _current_raw(row: Mapping[str, Any]) -> dict[str, str]:
    """A partnership as the loaders read it, turned back into the text of a file row."""
    props = row["props"]
    # Dated sources first: the validator pairs dates with URLs by position.
    sources = sorted(row["sources"], key=lambda s: s[1] is None)

    def text(value: Any) -> str:
        return "" if value is None else str(value)

    return {
        "id": props["id"],
        "name": text(props.get("name")),
        "councils": ";".join(m[0] for m in row["members"]),
        "lead_council": next((m[0] for m in row["members"] if m[1] == "lead"), ""),
        "member_years": ";".join(
            f"{m[0]}:{m[2] or ''}-{m[3] or ''}" for m in row["members"] if m[2] or m[3]
        ),
        "service_areas": ";".join(row["areas"]),
        "status": text(props.get("status")),
        "start_year": text(props.get("startYear")),
        "end_year": text(props.get("endYear")),
        "annual_savings_gbp": text(props.get("annualSavingsGbp")),
        "savings_note": text(props.get("savingsNote")),
        "notes": text(props.get("notes")),
        "source_urls": ";".join(url + (f" ({note})" if note else "") for url, _, note in sources),
        "source_dates": ";".join(d for _, d, _ in sources if d is not None),
    }


def _source_pairs(urls: str, dates: str) -> list[tuple[str, str | None]]:
    url_items = [u.strip() for u in re.split(r"[;\n]", urls) if u.strip()]
    date_items = [d.strip() for d in re.split(r"[;\n]", dates) if d.strip()]
    return [(u, date_items[i] if i < len(date_items) else None) for i, u in enumerate(url_items)]


def _merged_raw(given: Mapping[str, str], current: Mapping[str, str] | None) -> dict[str, str]:
    """The file row a submission amounts to: given fields over the current values.

    Lists given replace the current ones, except sources, which are added: a change needs
    its own evidence and the old evidence still stands.
    """
    raw = dict(current or {})
    for name, loader_field in INPUT_FIELDS.items():
        if name in given and name not in {"sources", "sourceDates"}:
            raw[loader_field] = given[name]
    pairs = _source_pairs(given.get("sources", ""), given.get("sourceDates", ""))
    if current:
        pairs += _source_pairs(current["source_urls"], current["source_dates"])
    # The validator pairs dates with URLs by position, so dated sources go first.
    pairs = sorted(dict(pairs).items(), key=lambda pair: pair[1] is None)
    raw["source_urls"] = ";".join(url for url, _ in pairs)
    raw["source_dates"] = ";".join(d for _, d in pairs if d is not None)
    if "councils" in given and "leadCouncil" not in given and current:
        raw["lead_council"] = ""  # the old lead may have left; name it again if it stays
    return raw


def _validate(
    raw: Mapping[str, str], ctx: PartnershipContext
) -> tuple[PartnershipRecord | None, list[DataError]]:
    record, errors = validate_partnership(raw, 0, ctx)
    # A submission has no rows: drop the row number from the loaders' errors.
    return record, [replace(e, row=None) for e in errors]


def _read_current(tx_or_db: Tx | Database, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    rows = (
        tx_or_db.run(load_queries.READ_PARTNERSHIPS, {"ids": list(ids)})
        if isinstance(tx_or_db, Tx)
        else tx_or_db.read(load_queries.READ_PARTNERSHIPS, {"ids": list(ids)})
    )
    return {row["id"]: row for row in rows}


def _record_snapshot(record: PartnershipRecord) -> dict[str, Any]:
    return snapshot(
        record.node_properties(),
        [(m.council_code, m.role, m.from_year, m.to_year) for m in record.members],
        record.service_areas,
        [(s.url, s.date, s.note) for s in record.sources],
    )


# -- submit ----------------------------------------------------------------------------


def _check_council_may_submit(user: User, members: Sequence[str]) -> None:
    """Contributors speak for their own council: they may propose a partnership their council
    is in, and change one their council is in now. Editors and admins may submit anywhere.

    Raises
    ------
    NotPermitted : a contributor whose council is not among ``members`` (GSS codes).
    """
    if user.can(Role.EDITOR) or user.council in members:
        return
    raise NotPermitted(
        f"your council ({user.council}) is not a member of this partnership: contributors "
        "may propose partnerships their council is in, and changes to partnerships their "
        "council is in now; ask an editor to submit it"
    )


def submit_partnership(
    db: Database, user: User, given: SubmissionInput
) -> tuple[Submission | None, list[DataError]]:
    """Validate a contributor's submission and queue it for review.

    Returns ``(submission, [])``, or ``(None, errors)`` with the loaders' errors (and a few of
    its own: a new partnership whose id exists, a change to an unknown partnership, no
    source URL given).

    Raises
    ------
    ContributionError : the user may not submit, or the input breaks the size limits.
    NotPermitted : a contributor whose council is not in the partnership (for a change: not
        in it now; for a new one: not among its councils).
    """
    if not user.can(Role.CONTRIBUTOR):
        raise ContributionError("submitting needs a contributor account")
    problems = check_bounds(given)
    if problems:
        raise ContributionError("; ".join(problems))
    errors: list[DataError] = []
    sources = [s for s in re.split(r"[;\n]", given.fields.get("sources") or "") if s.strip()]
    if not sources:
        errors.append(
            DataError(
                "submission",
                None,
                "sources",
                "source_urls",
                "",
                "no source given",
                "give at least one http:// or https:// URL that reports the partnership "
                "or the change",
            )
        )
    current = None
    if given.partnership_id is not None:
        found = _read_current(db, [given.partnership_id])
        if given.partnership_id not in found:
            errors.append(
                DataError(
                    "submission",
                    None,
                    "partnershipId",
                    "id",
                    given.partnership_id,
                    "no partnership has this id",
                    "give the id of an existing partnership, or leave it out to propose a new one",
                )
            )
        else:
            _check_council_may_submit(user, [m[0] for m in found[given.partnership_id]["members"]])
            current = _current_raw(found[given.partnership_id])
    raw = _merged_raw(given.fields, current)
    record, validation_errors = _validate(raw, _context(db))
    errors += validation_errors
    if record is not None and given.partnership_id is None:
        rows = db.read(PARTNERSHIP_NAME, {"id": record.id})
        if rows:
            errors.append(
                DataError(
                    "submission",
                    None,
                    "name",
                    "name",
                    given.fields.get("name", ""),
                    f"a partnership with the id {record.id!r} already exists ({rows[0]['name']})",
                    f'to change it, give partnershipId: "{record.id}"; for a new '
                    "partnership, choose a different name",
                )
            )
    if errors or record is None:
        return None, errors
    if current is None:
        _check_council_may_submit(user, [m.council_code for m in record.members])
    props = {
        "id": secrets.token_hex(8),
        "status": "pending",
        "kind": "new" if current is None else "change",
        "partnershipId": record.id,
        "fields": json.dumps(dict(given.fields), sort_keys=True),
        "contacts": json.dumps([c.as_dict() for c in given.contacts]),
        "submittedBy": user.email,
        "submitterRole": user.role.value,
        "submitterCouncil": user.council,
    }
    rows = db.write(CREATE_SUBMISSION, {"props": props})
    return Submission.from_row(rows[0]["submission"]), []


# -- queue and diffs -------------------------------------------------------------------


def list_submissions(db: Database, status: str | None = None, limit: int = 200) -> list[Submission]:
    """Submissions, oldest first, optionally of one status."""
    rows = db.read(SUBMISSIONS, {"status": status, "limit": limit})
    return [Submission.from_row(row["submission"]) for row in rows]


def submissions_by(db: Database, email: str, limit: int = 200) -> list[Submission]:
    """One person's submissions, newest first."""
    rows = db.read(SUBMISSIONS_BY, {"email": email, "limit": limit})
    return [Submission.from_row(row["submission"]) for row in rows]


def submission_by_id(db: Database, submission_id: str) -> Submission | None:
    rows = db.read(SUBMISSION_BY_ID, {"id": submission_id})
    return Submission.from_row(rows[0]["submission"]) if rows else None


def _stale(submission: Submission, exists: bool) -> list[DataError]:
    """The graph changed under the submission: its new id was taken, or its target went."""
    if submission.kind == "new" and exists:
        problem = "a partnership with this id was created since the submission"
        expected = "reject this submission, or ask for it as a change to that partnership"
    elif submission.kind == "change" and not exists:
        problem, expected = "the partnership no longer exists", "reject this submission"
    else:
        return []
    column, name = ("name", "id") if submission.kind == "new" else ("partnershipId", "id")
    return [
        DataError("submission", None, column, name, submission.partnership_id, problem, expected)
    ]


@dataclass(frozen=True)
class Preview:
    """What accepting a submission now would change, or why it could not be accepted now."""

    diff: tuple[FieldDiff, ...]
    errors: tuple[DataError, ...]


def submission_diffs(db: Database, submissions: Sequence[Submission]) -> dict[str, Preview]:
    """Each submission's diff against the current graph (three reads for any number)."""
    if not submissions:
        return {}
    ctx = _context(db)
    current = _read_current(db, sorted({s.partnership_id for s in submissions}))
    previews = {}
    for sub in submissions:
        stale = _stale(sub, sub.partnership_id in current)
        row = current.get(sub.partnership_id) if sub.kind == "change" else None
        raw = _merged_raw(sub.fields, _current_raw(row) if row else None)
        record, errors = _validate(raw, ctx)
        if stale:
            record, errors = None, stale + errors
        before = (
            snapshot(row["props"], row["members"], row["areas"], row["sources"]) if row else None
        )
        after = _record_snapshot(record) if record is not None else None
        diff = diff_snapshots(before, after) if after is not None else []
        previews[sub.id] = Preview(tuple(diff), tuple(errors))
    return previews


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
