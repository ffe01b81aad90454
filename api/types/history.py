"""What the contribution workflow shows on a partnership: its history of applied changes
(who proposed and who accepted them, what changed) and the people to call."""

from __future__ import annotations

import datetime
import re
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

import contributions as contrib
from api.auth import Contributions, require
from api.types.common import Info, council_of
from contributions.accounts import Role
from graph import audit

if TYPE_CHECKING:
    from api.types.objects import Council


# -- contributions: history and contacts -----------------------------------------------


@strawberry.enum(description="What an applied change did to the partnership.")
class AuditAction(Enum):
    CREATED = "created"
    UPDATED = "updated"


@strawberry.enum(description="How a change was applied: by loading a file, or by a review.")
class ChangeOrigin(Enum):
    FILE = "file"
    SUBMISSION = "submission"


@strawberry.enum(description="An account's role; each can do what the ones before it can.")
class AccountRole(Enum):
    CONTRIBUTOR = "contributor"
    EDITOR = "editor"
    ADMIN = "admin"


# -- output types ----------------------------------------------------------------------


@strawberry.type(description="An officer or member to call about a partnership. Signed-in only.")
class Contact:
    name: str = strawberry.field(description="Their name.")
    role: str | None = strawberry.field(description="Their job or office.")
    email: str | None = strawberry.field(description="Email address.")
    phone: str | None = strawberry.field(description="Telephone number.")

    @classmethod
    def from_model(cls, model: contrib.Contact) -> Contact:
        return cls(name=model.name, role=model.role, email=model.email, phone=model.phone)


@strawberry.type(description="One value of a partnership before and after a change.")
class Diff:
    field: str = strawberry.field(description="The value, e.g. 'members', 'status'.")
    before: str | None = strawberry.field(description="Before the change; null: none.")
    after: str | None = strawberry.field(description="After the change; null: none.")

    @classmethod
    def from_model(cls, model: audit.FieldDiff) -> Diff:
        return cls(field=model.field, before=model.before, after=model.after)


@strawberry.type(description="One field of a submission as the contributor gave it.")
class SubmittedField:
    field: str = strawberry.field(description="The input field, e.g. 'councils'.")
    value: str = strawberry.field(description="As given; lists joined by ';', '' for null.")


@strawberry.type(description="Someone who proposed or reviewed a change.")
class Person:
    model: strawberry.Private[audit.Actor]

    @strawberry.field(description="Their role when they acted.")
    def role(self) -> AccountRole | None:
        return AccountRole(self.model.role) if self.model.role else None

    @strawberry.field(description="The council they work for.")
    async def council(
        self, info: Info
    ) -> Annotated[Council, strawberry.lazy("api.types.objects")] | None:
        found = await info.context.loaders.council.load(self.model.council)
        return council_of(info, found)

    @strawberry.field(
        description="Their email (personal data): signed-in users only; null with an error "
        "for anonymous readers."
    )
    def email(self, info: Info) -> str | None:
        require(info.context.user, Role.CONTRIBUTOR, "email")
        return self.model.email


@strawberry.type(description="One applied change to a partnership: when, how, by whom, what.")
class AuditEntry:
    model: strawberry.Private[audit.AuditEntry]

    @strawberry.field(description="Identifier of the entry.")
    def id(self) -> str:
        return self.model.id

    @strawberry.field(description="When the change was applied (UTC).")
    def at(self) -> datetime.datetime:
        return self.model.at

    @strawberry.field(description="CREATED or UPDATED.")
    def action(self) -> AuditAction:
        return AuditAction(self.model.action)

    @strawberry.field(description="FILE (a load) or SUBMISSION (an accepted review).")
    def origin(self) -> ChangeOrigin:
        return ChangeOrigin(self.model.origin)

    @strawberry.field(
        description="The file a load read, for FILE changes: its name for anonymous readers, "
        "the path as loaded for signed-in users."
    )
    def file(self, info: Info) -> str | None:
        if self.model.file is None or info.context.user is not None:
            return self.model.file
        # A server's folders are nobody else's business; the name says which file it was.
        return re.split(r"[\\/]", self.model.file)[-1]

    @strawberry.field(description="The submission applied, for SUBMISSION changes.")
    def submission_id(self) -> str | None:
        return self.model.submission_id

    @strawberry.field(
        description="The account that ran the load (FILE changes): signed-in users only; "
        "null with an error for anonymous readers."
    )
    def loaded_by(self, info: Info) -> str | None:
        if self.model.loaded_by is None:
            return None
        require(info.context.user, Role.CONTRIBUTOR, "loadedBy")
        return self.model.loaded_by

    @strawberry.field(description="Who proposed it (SUBMISSION changes).")
    def submitted_by(self) -> Person | None:
        actor = self.model.submitted_by
        return Person(model=actor) if actor else None

    @strawberry.field(description="The editor who accepted it (SUBMISSION changes).")
    def reviewed_by(self) -> Person | None:
        actor = self.model.reviewed_by
        return Person(model=actor) if actor else None

    @strawberry.field(description="Every value that changed, before and after.")
    def changes(self) -> list[Diff]:
        return [Diff.from_model(d) for d in self.model.changes]


def request_contributions(info: Info) -> Contributions:
    """The request's history and contacts loaders (made on first use outside get_context)."""
    context = info.context
    if context.contributions is None:  # a context built without get_context (scripts, tests)
        context.contributions = Contributions.for_database(context.db, contrib.RateLimiter())
    return context.contributions
