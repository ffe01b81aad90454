"""Submitting a new or changed partnership: bounds, validation (the loaders' own), the queue, and
each submission's diff against the current graph."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from contributions.accounts import Role, User
from contributions.model import (
    _COLUMNS,
    _EMAIL,
    _PHONE,
    INPUT_FIELDS,
    MAX_CONTACT_TEXT,
    MAX_ITEM,
    MAX_ITEMS,
    MAX_TEXT,
    ContributionError,
    NotPermitted,
    Submission,
    SubmissionInput,
)
from contributions.queries import (
    CREATE_SUBMISSION,
    PARTNERSHIP_NAME,
    SUBMISSION_BY_ID,
    SUBMISSIONS,
    SUBMISSIONS_BY,
)
from graph.audit import FieldDiff, diff_snapshots, snapshot
from graph.db import Database, Tx
from loaders import queries as load_queries
from loaders.errors import DataError
from loaders.known import council_index_from_db, service_areas_from_db
from loaders.partnerships import PartnershipContext, PartnershipRecord, validate_partnership

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


def _no_source(given: SubmissionInput) -> list[DataError]:
    """A submission must give at least one source URL."""
    sources = [s for s in re.split(r"[;\n]", given.fields.get("sources") or "") if s.strip()]
    if sources:
        return []
    return [
        DataError(
            "submission",
            None,
            "sources",
            "source_urls",
            "",
            "no source given",
            "give at least one http:// or https:// URL that reports the partnership or the change",
        )
    ]


def _id_taken(db: Database, record: PartnershipRecord, given: SubmissionInput) -> list[DataError]:
    """A new partnership's id (from its name) must not be one that exists."""
    rows = db.read(PARTNERSHIP_NAME, {"id": record.id})
    if not rows:
        return []
    return [
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
    ]


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
    errors = _no_source(given)
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
        errors += _id_taken(db, record, given)
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
