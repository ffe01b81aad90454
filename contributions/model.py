"""What contributions are made of: submissions, decisions, contacts, errors and abuse bounds."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from graph import taxonomy
from graph.errors import CouncilGraphError
from loaders.errors import DataError

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


class ContributionError(CouncilGraphError):
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
