"""A partnership's memberships and sources: the small value types beside ``Partnership``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.types.common import MemberRole, YearBasis
from graph import repository as repo
from graph import rules

if TYPE_CHECKING:
    from api.types.objects import Council

__all__ = ["Membership", "SourceRef", "membership_of"]


@strawberry.type(description="A council's membership of a partnership, with its years.")
class Membership:
    council: Annotated[Council, strawberry.lazy("api.types.objects")] = strawberry.field(
        description="The member council."
    )
    role: MemberRole = strawberry.field(description="LEAD or PARTNER.")
    member_from: int | None = strawberry.field(
        description="First year it counts as a member: its own joining year where the sources "
        "give one, else the partnership's start year; null when undated."
    )
    member_to: int | None = strawberry.field(
        description="Last year it counts as a member: its own leaving year where given, else "
        "the partnership's end year; null while open."
    )
    member_from_basis: YearBasis = strawberry.field(
        description="STATED when the sources give its joining year (or the partnership's "
        "stated start applies), else the partnership's start basis."
    )


def membership_of(
    council: Council,
    role: str,
    own: tuple[int | None, int | None],
    partnership: repo.Partnership,
) -> Membership:
    span = partnership.span()
    known = span.start_basis is not rules.YearBasis.UNKNOWN
    own_from, own_to = own
    return Membership(
        council=council,
        role=MemberRole(role),
        member_from=own_from if own_from is not None else (span.start if known else None),
        member_to=own_to if own_to is not None else span.end,
        member_from_basis=(
            YearBasis.STATED if own_from is not None else YearBasis(span.start_basis.value)
        ),
    )


@strawberry.type(description="Where a fact about a partnership comes from.")
class SourceRef:
    url: str = strawberry.field(description="The source's address (news, committee paper ...).")
    date: str | None = strawberry.field(
        description="Its date as given, e.g. '2013-10-01', 'c.2018'."
    )
