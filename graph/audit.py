"""The audit trail: every applied change to a partnership, by a load or an accepted submission.

An ``AuditEntry`` node records when, by whom (the load's file, or the submission with its
contributor and reviewer) and the partnership's values before and after. Entries are written in
the same transaction as the change they describe, so there is never a change without its entry
or an entry without its change.

This module also holds the hook that loads pass to ``loaders.writer.write_partnerships``
(:class:`LoadAudit`): it keeps partnerships with an accepted edit out of a load (the merge rule
in docs/contributions.md) and audits what the load changed. It imports nothing from
``loaders`` so the loaders can import it.
"""

from __future__ import annotations

import getpass
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, LiteralString, Protocol

from graph.db import Database, Tx

__all__ = [
    "SNAPSHOT_FIELDS",
    "Actor",
    "AuditEntry",
    "FieldDiff",
    "LoadAudit",
    "PartnershipChange",
    "PartnershipWriteHook",
    "SubmissionAudit",
    "audit_history",
    "audit_rows",
    "diff_snapshots",
    "record_changes",
    "snapshot",
]

#: The values of a partnership an audit entry keeps, in display order.
SNAPSHOT_FIELDS = (
    "name",
    "status",
    "startYear",
    "endYear",
    "annualSavingsGbp",
    "savingsNote",
    "notes",
    "members",
    "services",
    "sources",
)

Snapshot = dict[str, Any]


def snapshot(
    props: Mapping[str, Any],
    members: Iterable[Sequence[Any]],
    services: Iterable[str],
    sources: Iterable[Sequence[Any]],
) -> Snapshot:
    """A partnership's values as plain JSON-able data, in a canonical order.

    ``members`` are ``(code, role)`` pairs, or ``(code, role, from, to)`` with the member's own
    years, and ``sources`` ``(url, date, note)`` triples, as the loaders read and write them. A
    member's own years show as a third item, e.g. ``["E07000004", "partner", "2015-"]``.
    """
    values: Snapshot = {name: props.get(name) for name in SNAPSHOT_FIELDS[:7]}
    values["members"] = sorted(_member_item(m) for m in members)
    values["services"] = sorted(services)
    values["sources"] = sorted(
        ([str(s[0]), s[1], s[2] if len(s) > 2 else None] for s in sources),
        key=lambda s: (s[0], s[1] or "", s[2] or ""),
    )
    return values


def _member_item(member: Sequence[Any]) -> list[str]:
    item = [str(member[0]), str(member[1])]
    start, end = (member[2], member[3]) if len(member) > 3 else (None, None)
    if start is not None or end is not None:
        item.append(f"{start or ''}-{end or ''}")
    return item


@dataclass(frozen=True)
class FieldDiff:
    """One value of a partnership before and after a change (None: absent)."""

    field: str
    before: str | None
    after: str | None


def _display(name: str, value: Any) -> str | None:
    if value is None or value == []:
        return None
    if name == "members":
        return "; ".join(
            m[0] + "".join(f" ({extra})" for extra in m[1:] if extra != "partner") for m in value
        )
    if name == "sources":
        return "; ".join(
            url + (f" [{date}]" if date else "") + (f" ({note})" if note else "")
            for url, date, note in value
        )
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def diff_snapshots(before: Snapshot | None, after: Snapshot | None) -> list[FieldDiff]:
    """The fields whose values differ, in :data:`SNAPSHOT_FIELDS` order."""
    diffs = []
    for name in SNAPSHOT_FIELDS:
        old = _display(name, (before or {}).get(name))
        new = _display(name, (after or {}).get(name))
        if old != new:
            diffs.append(FieldDiff(name, old, new))
    return diffs


@dataclass(frozen=True)
class PartnershipChange:
    """What one write did to one partnership (``before`` is None when it was created)."""

    id: str
    before: Snapshot | None
    after: Snapshot


@dataclass(frozen=True)
class Actor:
    """Who proposed or approved a change (email is personal data: signed-in readers only)."""

    email: str
    role: str
    council: str


@dataclass(frozen=True)
class AuditEntry:
    """One applied change to one partnership."""

    id: str
    partnership_id: str
    at: datetime
    action: str  # "created" or "updated"
    origin: str  # "file" or "submission"
    file: str | None
    submission_id: str | None
    loaded_by: str | None  # the account that ran a load (personal: signed-in readers only)
    submitted_by: Actor | None
    reviewed_by: Actor | None
    before: Snapshot | None
    after: Snapshot

    @property
    def changes(self) -> list[FieldDiff]:
        return diff_snapshots(self.before, self.after)

    @classmethod
    def from_row(cls, props: Mapping[str, Any]) -> AuditEntry:
        def actor(prefix: str) -> Actor | None:
            email = props.get(f"{prefix}By")
            if email is None:
                return None
            return Actor(
                email, props.get(f"{prefix}Role") or "", props.get(f"{prefix}Council") or ""
            )

        return cls(
            id=props["id"],
            partnership_id=props["partnershipId"],
            at=props["at"].to_native(),
            action=props["action"],
            origin=props["origin"],
            file=props.get("file"),
            submission_id=props.get("submissionId"),
            loaded_by=props.get("loadedBy"),
            submitted_by=actor("submitted"),
            reviewed_by=actor("reviewed"),
            before=json.loads(props["before"]) if props.get("before") else None,
            after=json.loads(props["after"]),
        )


# -- statements ------------------------------------------------------------------------

# ``seq`` orders entries written in one transaction (same ``datetime()``).
CREATE_AUDIT_ENTRIES: LiteralString = """
UNWIND $rows AS row
CREATE (a:AuditEntry)
SET a = row, a.at = datetime()
"""

AUDIT_HISTORY: LiteralString = """
UNWIND $ids AS id
MATCH (a:AuditEntry {partnershipId: id})
RETURN id, properties(a) AS entry
ORDER BY a.at, a.seq
"""

# The merge rule: a partnership with an accepted submission is maintained by submissions.
ACCEPTED_EDITS: LiteralString = """
UNWIND $ids AS id
MATCH (s:Submission {partnershipId: id, status: 'accepted'})
WITH id, s ORDER BY s.reviewedAt DESC
RETURN id, collect(s.id)[0] AS submissionId, collect(s.reviewedAt)[0] AS reviewedAt
"""


def record_changes(
    tx: Tx,
    changes: Sequence[PartnershipChange],
    *,
    origin: str,
    file: str | None = None,
    loaded_by: str | None = None,
    submission: Mapping[str, Any] | None = None,
) -> None:
    """Write one audit entry per change, in the caller's transaction (one statement).

    ``submission`` is the submission's node properties (id, submitter and reviewer).
    """
    rows = audit_rows(changes, origin=origin, file=file, loaded_by=loaded_by, submission=submission)
    for start in range(0, len(rows), 5000):
        tx.run(CREATE_AUDIT_ENTRIES, {"rows": rows[start : start + 5000]})


def audit_rows(
    changes: Sequence[PartnershipChange],
    *,
    origin: str,
    file: str | None = None,
    loaded_by: str | None = None,
    submission: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The properties of one audit entry per change (``at`` is set by the statement)."""
    sub = submission or {}
    return [
        {
            "id": uuid.uuid4().hex,
            "seq": index,
            "partnershipId": change.id,
            "action": "created" if change.before is None else "updated",
            "origin": origin,
            "file": file,
            "loadedBy": loaded_by,
            "submissionId": sub.get("id"),
            "submittedBy": sub.get("submittedBy"),
            "submittedRole": sub.get("submitterRole"),
            "submittedCouncil": sub.get("submitterCouncil"),
            "reviewedBy": sub.get("reviewedBy"),
            "reviewedRole": sub.get("reviewerRole"),
            "reviewedCouncil": sub.get("reviewerCouncil"),
            "before": json.dumps(change.before) if change.before is not None else None,
            "after": json.dumps(change.after),
        }
        for index, change in enumerate(changes)
    ]


def audit_history(db: Database, ids: Sequence[str]) -> dict[str, list[AuditEntry]]:
    """The audit entries of each partnership, oldest first (one round trip)."""
    found: dict[str, list[AuditEntry]] = {}
    for row in db.read(AUDIT_HISTORY, {"ids": list(ids)}):
        found.setdefault(row["id"], []).append(AuditEntry.from_row(row["entry"]))
    return found


class PartnershipWriteHook(Protocol):
    """What ``loaders.writer.write_partnerships`` calls inside the write's transaction."""

    def protected(self, tx: Tx, ids: Sequence[str]) -> set[str]:
        """Ids the write must leave alone."""

    def changed(self, tx: Tx, changes: Sequence[PartnershipChange]) -> None:
        """Called (only when applying) with every partnership the write created or updated."""


def _login_name() -> str:
    """Who ran the load: the operating-system account (``unknown`` when there is none)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "unknown"


@dataclass
class LoadAudit:
    """The hook a load passes to ``write_partnerships``: accepted edits win; changes audited.

    A partnership with an accepted submission is not written by the load (bundled or a user's
    file); :meth:`warnings` says which were kept, for the load's report.
    """

    file: str
    loaded_by: str = field(default_factory=_login_name)
    kept: dict[str, tuple[str, Any]] = field(default_factory=dict)

    def protected(self, tx: Tx, ids: Sequence[str]) -> set[str]:
        # Recomputed on every call: the driver may retry the transaction.
        self.kept = {
            row["id"]: (row["submissionId"], row["reviewedAt"])
            for row in tx.run(ACCEPTED_EDITS, {"ids": list(ids)})
        }
        return set(self.kept)

    def changed(self, tx: Tx, changes: Sequence[PartnershipChange]) -> None:
        record_changes(tx, changes, origin="file", file=self.file, loaded_by=self.loaded_by)

    def warnings(self) -> list[str]:
        """One line per partnership the load left alone."""
        return [
            f"{self.file}: partnership {pid!r} not loaded: it has an edit accepted from "
            f"submission {sid} on {str(when)[:10]}, and loads never undo accepted edits"
            for pid, (sid, when) in sorted(self.kept.items())
        ]


@dataclass
class SubmissionAudit:
    """The hook an accepted submission passes to ``write_partnerships``."""

    submission: Mapping[str, Any]
    changes: list[PartnershipChange] = field(default_factory=list)

    def protected(self, tx: Tx, ids: Sequence[str]) -> set[str]:
        return set()

    def changed(self, tx: Tx, changes: Sequence[PartnershipChange]) -> None:
        self.changes = list(changes)
        record_changes(tx, changes, origin="submission", submission=self.submission)
