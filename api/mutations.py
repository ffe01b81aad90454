"""Contributions through GraphQL: submit, review, the queue, history and contacts.

Rights (docs/contributions.md): anonymous readers see everything except contacts and people's
emails; contributors submit; editors also review and see the queue. Every check is made here,
in the resolver, with :func:`api.auth.require`, so each field states its own rule.
"""

from __future__ import annotations

import datetime
import math
from enum import Enum
from typing import Annotated, Any

import strawberry

import contributions as contrib
from api.auth import require
from api.errors import Forbidden, RateLimited, UserError
from api.types import (
    Contact,
    Diff,
    Info,
    Partnership,
    Person,
    SubmittedField,
    request_contributions,
)
from contributions.accounts import Role
from graph import audit
from graph import repository as repo
from loaders.errors import DataError

__all__ = ["ContributionQuery", "Mutation", "Submission"]


# -- enums -----------------------------------------------------------------------------


@strawberry.enum(description="An editor's decision on a submission.")
class Decision(Enum):
    ACCEPT = "accepted"
    REJECT = "rejected"


@strawberry.enum(description="Where a submission is in review.")
class SubmissionStatus(Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@strawberry.enum(description="NEW proposes a partnership; CHANGE corrects an existing one.")
class SubmissionKind(Enum):
    NEW = "new"
    CHANGE = "change"


@strawberry.type(description="A problem with a submission, as the loaders report it for a file.")
class InputError:
    field: str | None = strawberry.field(description="The input field, e.g. 'councils'.")
    text: str = strawberry.field(description="What was given.")
    problem: str = strawberry.field(description="What is wrong.")
    expected: str = strawberry.field(description="What would be valid (closest values too).")
    message: str = strawberry.field(description="All of it in one sentence.")

    @classmethod
    def from_model(cls, error: DataError) -> InputError:
        return cls(
            field=error.column,
            text=error.text,
            problem=error.problem,
            expected=error.expected,
            message=str(error),
        )


@strawberry.type(description="A proposed new partnership or change, and what became of it.")
class Submission:
    model: strawberry.Private[contrib.Submission]
    preview: strawberry.Private[contrib.Preview | None] = None

    @strawberry.field(description="Identifier, for reviewSubmission.")
    def id(self) -> str:
        return self.model.id

    @strawberry.field(description="PENDING, ACCEPTED or REJECTED.")
    def status(self) -> SubmissionStatus:
        return SubmissionStatus(self.model.status)

    @strawberry.field(description="NEW or CHANGE.")
    def kind(self) -> SubmissionKind:
        return SubmissionKind(self.model.kind)

    @strawberry.field(description="The partnership created or changed (its id once accepted).")
    def partnership_id(self) -> str:
        return self.model.partnership_id

    @strawberry.field(description="When it was submitted (UTC).")
    def submitted_at(self) -> datetime.datetime:
        return self.model.submitted_at

    @strawberry.field(description="Who submitted it.")
    def submitted_by(self) -> Person:
        m = self.model
        return Person(model=audit.Actor(m.submitted_by, m.submitter_role, m.submitter_council))

    @strawberry.field(description="The editor who reviewed it; null while pending.")
    def reviewed_by(self) -> Person | None:
        m = self.model
        if m.reviewed_by is None:
            return None
        return Person(
            model=audit.Actor(m.reviewed_by, m.reviewer_role or "", m.reviewer_council or "")
        )

    @strawberry.field(description="When it was reviewed (UTC); null while pending.")
    def reviewed_at(self) -> datetime.datetime | None:
        return self.model.reviewed_at

    @strawberry.field(description="The editor's comment (why, for a rejection).")
    def comment(self) -> str | None:
        return self.model.comment

    @strawberry.field(description="The fields as submitted (input names), lists joined by ';'.")
    def fields(self) -> list[SubmittedField]:
        return [SubmittedField(field=k, value=v) for k, v in sorted(self.model.fields.items())]

    @strawberry.field(description="Contacts proposed with it (seen by its submitter and editors).")
    def contacts(self) -> list[Contact]:
        return [Contact.from_model(c) for c in self.model.contacts]

    @strawberry.field(
        description="What accepting it now would change, against the current graph "
        "(empty when it no longer validates; see `problems`)."
    )
    async def diff(self, info: Info) -> list[Diff]:
        preview = await self._preview(info)
        return [Diff.from_model(d) for d in preview.diff]

    @strawberry.field(description="Why it could not be accepted now (the loaders' errors).")
    async def problems(self, info: Info) -> list[InputError]:
        preview = await self._preview(info)
        return [InputError.from_model(e) for e in preview.errors]

    async def _preview(self, info: Info) -> contrib.Preview:
        if self.preview is None:
            found = await info.context.run(
                lambda: contrib.submission_diffs(info.context.db, [self.model])
            )
            self.preview = found[self.model.id]
        return self.preview


def _submissions(
    models: list[contrib.Submission], previews: dict[str, contrib.Preview]
) -> list[Submission]:
    return [Submission(model=m, preview=previews.get(m.id)) for m in models]


@strawberry.type(description="The result of submitPartnership: the submission, or its errors.")
class SubmissionPayload:
    submission: Submission | None = strawberry.field(
        description="The queued submission; null when there are errors."
    )
    errors: list[InputError] = strawberry.field(
        description="Every problem found, as a file load would report them; empty when queued."
    )


@strawberry.type(description="The result of reviewSubmission.")
class ReviewPayload:
    submission: Submission | None = strawberry.field(description="The reviewed submission.")
    partnership: Partnership | None = strawberry.field(
        description="The partnership as it is after an acceptance."
    )
    errors: list[InputError] = strawberry.field(
        description="Why it could not be accepted now (it stays pending); empty on success."
    )


# -- inputs ----------------------------------------------------------------------------


@strawberry.input(description="A source reporting the partnership or the change.")
class SourceInput:
    url: str = strawberry.field(description="An http:// or https:// address.")
    date: str | None = strawberry.field(
        default=None, description="Its date as given, e.g. '2013-10-01' or 'c.2018'."
    )


@strawberry.input(description="An officer or member to call (personal data; never public).")
class ContactInput:
    name: str = strawberry.field(description="Their name.")
    role: str | None = strawberry.field(default=None, description="Their job or office.")
    email: str | None = strawberry.field(default=None, description="Email address.")
    phone: str | None = strawberry.field(default=None, description="Telephone number.")


@strawberry.input(
    description="A new partnership, or a change to one (give `partnershipId`). For a change, "
    "fields left out keep their current values, lists given replace the current ones, and "
    "sources are added. Validated exactly as a row of a partnership file."
)
class PartnershipInput:
    partnership_id: str | None = strawberry.field(
        default=None, description="The partnership to change; leave out to propose a new one."
    )
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Its name.")
    councils: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Member councils by GSS code or any form of the name (two or more).",
    )
    lead_council: str | None = strawberry.field(
        default=strawberry.UNSET, description="The lead council (code or name), a member."
    )
    services: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Service layers: taxonomy codes (e.g. legal), labels or common names.",
    )
    status: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="operational, in_development, ended or abandoned (or 'live' ...).",
    )
    start_year: int | None = strawberry.field(
        default=strawberry.UNSET, description="First year of operation."
    )
    end_year: int | None = strawberry.field(
        default=strawberry.UNSET, description="Last year, for ended partnerships."
    )
    annual_savings_gbp: int | None = strawberry.field(
        default=strawberry.UNSET, description="Annual saving in GBP as reported."
    )
    savings_note: str | None = strawberry.field(
        default=strawberry.UNSET, description="What the savings figure means (target? whose?)."
    )
    notes: str | None = strawberry.field(default=strawberry.UNSET, description="Free text.")
    sources: list[SourceInput] = strawberry.field(
        description="At least one source reporting the partnership or the change."
    )
    contacts: list[ContactInput] | None = strawberry.field(
        default=None, description="People to call; shown only to signed-in users."
    )

    def to_model(self) -> contrib.SubmissionInput:
        """The input as file-row text, keyed by input field name (see INPUT_FIELDS)."""
        given: dict[str, Any] = {
            "name": self.name,
            "councils": self.councils,
            "leadCouncil": self.lead_council,
            "services": self.services,
            "status": self.status,
            "startYear": self.start_year,
            "endYear": self.end_year,
            "annualSavingsGbp": self.annual_savings_gbp,
            "savingsNote": self.savings_note,
            "notes": self.notes,
        }
        fields: dict[str, str] = {}
        for name, value in given.items():
            if value is strawberry.UNSET:
                continue
            if isinstance(value, list):
                for item in value:
                    if ";" in item or "\n" in item:
                        raise UserError(f"{name}: give one item per list entry ({item!r})")
                fields[name] = ";".join(value)
            else:
                fields[name] = "" if value is None else str(value)
        # Dated sources first: the validator pairs dates with URLs by position.
        sources = sorted(self.sources, key=lambda s: s.date is None)
        for source in sources:
            if ";" in source.url or ";" in (source.date or ""):
                raise UserError(f"sources: a URL or date may not contain ';' ({source.url!r})")
        fields["sources"] = ";".join(s.url.strip() for s in sources)
        fields["sourceDates"] = ";".join(s.date.strip() for s in sources if s.date)
        contacts = tuple(
            contrib.Contact(c.name, c.role, c.email, c.phone) for c in self.contacts or ()
        )
        return contrib.SubmissionInput(fields, self.partnership_id, contacts)


# -- query and mutation ----------------------------------------------------------------


@strawberry.type(description="Contribution queries (merged into Query).")
class ContributionQuery:
    @strawberry.field(description="The review queue, oldest first (editors only).")
    async def submissions(
        self,
        info: Info,
        status: Annotated[
            SubmissionStatus | None,
            strawberry.argument(description="Only this status (default PENDING); null: all."),
        ] = SubmissionStatus.PENDING,
    ) -> list[Submission]:
        require(info.context.user, Role.EDITOR, "submissions")
        db = info.context.db

        def fetch() -> tuple[list[contrib.Submission], dict[str, contrib.Preview]]:
            found = contrib.list_submissions(db, status.value if status else None)
            return found, contrib.submission_diffs(db, found)

        found, previews = await info.context.run(fetch)
        return _submissions(found, previews)

    @strawberry.field(description="Your own submissions, newest first (signed-in users).")
    async def my_submissions(self, info: Info) -> list[Submission]:
        user = require(info.context.user, Role.CONTRIBUTOR, "mySubmissions")
        found = await info.context.run(lambda: contrib.submissions_by(info.context.db, user.email))
        return [Submission(model=m) for m in found]

    @strawberry.field(description="The signed-in account; null for anonymous readers.")
    def me(self, info: Info) -> Person | None:
        user = info.context.user
        if user is None:
            return None
        return Person(model=audit.Actor(user.email, user.role.value, user.council))


@strawberry.type(description="Contributions: propose partnerships or changes, and review them.")
class Mutation:
    @strawberry.mutation(
        description="Propose a new partnership or a change (contributors). Validated as a "
        "file row; queued for an editor. Rate-limited per token."
    )
    async def submit_partnership(
        self,
        info: Info,
        input: Annotated[PartnershipInput, strawberry.argument(description="The proposal.")],
    ) -> SubmissionPayload:
        user = require(info.context.user, Role.CONTRIBUTOR, "submitPartnership")
        wait = request_contributions(info).limiter.take(user.token_id)
        if wait > 0:
            raise RateLimited(
                "too many submissions from this token: at most "
                f"{request_contributions(info).limiter.capacity} an hour; try again in "
                f"{max(1, round(wait / 60))} minutes",
                retry_after_seconds=math.ceil(wait),
            )
        given = input.to_model()
        try:
            submission, errors = await info.context.run(
                lambda: contrib.submit_partnership(info.context.db, user, given)
            )
        except contrib.NotPermitted as error:
            raise Forbidden(str(error)) from error
        except contrib.ContributionError as error:
            raise UserError(str(error)) from error
        return SubmissionPayload(
            submission=Submission(model=submission) if submission else None,
            errors=[InputError.from_model(e) for e in errors],
        )

    @strawberry.mutation(
        description="Accept (apply, once, in one transaction) or reject a pending submission "
        "(editors). A rejection needs a comment."
    )
    async def review_submission(
        self,
        info: Info,
        id: Annotated[str, strawberry.argument(description="The submission's id.")],
        decision: Annotated[Decision, strawberry.argument(description="ACCEPT or REJECT.")],
        comment: Annotated[
            str | None, strawberry.argument(description="Why (required to reject).")
        ] = None,
    ) -> ReviewPayload:
        editor = require(info.context.user, Role.EDITOR, "reviewSubmission")
        try:
            outcome = await info.context.run(
                lambda: contrib.review_submission(
                    info.context.db, id, editor, contrib.Decision(decision.value), comment
                )
            )
        except contrib.SubmissionInvalid as invalid:
            return ReviewPayload(
                submission=None,
                partnership=None,
                errors=[InputError.from_model(e) for e in invalid.errors],
            )
        except contrib.NotPermitted as error:
            raise Forbidden(str(error)) from error
        except contrib.ContributionError as error:
            raise UserError(str(error)) from error
        partnership = None
        if decision is Decision.ACCEPT:
            # Read after the write, not from the request's snapshot (an older data version).
            pid = outcome.submission.partnership_id
            fresh = await info.context.run(lambda: repo.partnerships_by_ids(info.context.db, [pid]))
            partnership = Partnership.from_model(fresh[pid]) if pid in fresh else None
        return ReviewPayload(
            submission=Submission(model=outcome.submission), partnership=partnership, errors=[]
        )


# -- fields on Partnership (called from api/types.py) ------------------------------------
