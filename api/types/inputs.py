"""What a caller can ask for in one request: filters with operators, composable with
AND/OR/NOT, filters over a partnership's set of members, and orderings.

The inputs here are plain data; ``api/select.py`` applies them.
"""

from __future__ import annotations

from enum import Enum

import strawberry

from api.types.common import (
    CouncilKind,
    Office,
    PartnershipStatus,
    Service,
    SharingStatus,
    Tier,
    TierMix,
)


@strawberry.enum(description="England's nine regions (ONS), as councils are placed in them.")
class Region(Enum):
    NORTH_EAST = "North East"
    NORTH_WEST = "North West"
    YORKSHIRE_AND_THE_HUMBER = "Yorkshire and The Humber"
    EAST_MIDLANDS = "East Midlands"
    WEST_MIDLANDS = "West Midlands"
    EAST_OF_ENGLAND = "East of England"
    LONDON = "London"
    SOUTH_EAST = "South East"
    SOUTH_WEST = "South West"


@strawberry.input(description="A range of whole numbers; both ends included, either left open.")
class IntRange:
    gte: int | None = strawberry.field(default=None, description="At least this.")
    lte: int | None = strawberry.field(default=None, description="At most this.")

    def holds(self, value: int | None) -> bool:
        """Whether ``value`` lies in the range (an unknown value lies in no range)."""
        if value is None:
            return False
        return (self.gte is None or value >= self.gte) and (self.lte is None or value <= self.lte)


@strawberry.input(description="Narrow a council list; all conditions given must hold.")
class CouncilFilter:
    codes: list[str] | None = strawberry.field(
        default=None, description="Only these councils (GSS codes, current or former)."
    )
    kind: list[CouncilKind] | None = strawberry.field(
        default=None, description="Any of these kinds."
    )
    tier: Tier | None = strawberry.field(default=None, description="Only this tier.")
    region: Region | None = strawberry.field(default=None, description="Only this region.")
    county: str | None = strawberry.field(
        default=None, description="This county (GSS code or name) and the districts within it."
    )
    year: int | None = strawberry.field(
        default=None,
        description="Only councils existing in this year (and the year for `sharing` and "
        "`partnershipCount`).",
    )
    service: Service | None = strawberry.field(
        default=None,
        description="Sharing status in this service layer; alone, it means SHARER in it.",
    )
    sharing: SharingStatus | None = strawberry.field(
        default=None,
        description="SHARER or SINGLETON in `year` (default: this year) and `service`.",
    )
    name_contains: str | None = strawberry.field(
        default=None, description="Part of the name (case-insensitive; '&' and 'and' alike)."
    )
    partnership_count: IntRange | None = strawberry.field(
        default=None,
        description="Partnerships active in `year` (default: this year) it is a member of.",
    )


@strawberry.input(description="Conditions on one member council; all given must hold.")
class MemberCondition:
    code_in: list[str] | None = strawberry.field(
        default=None, description="Its GSS code (current or former) is one of these."
    )
    region: list[Region] | None = strawberry.field(
        default=None, description="It lies in one of these regions."
    )
    kind: list[CouncilKind] | None = strawberry.field(
        default=None, description="It is one of these kinds."
    )
    tier: Tier | None = strawberry.field(default=None, description="It is of this tier.")
    county: str | None = strawberry.field(
        default=None,
        description="It is this county (GSS code or name) or a district within it.",
    )


@strawberry.input(
    description="Conditions over the set of members (as listed, or effective in the filter's "
    "`year`): some, all or none of them match."
)
class MemberSetFilter:
    some: MemberCondition | None = strawberry.field(
        default=None, description="At least one member matches."
    )
    all: MemberCondition | None = strawberry.field(
        default=None, description="Every member matches."
    )
    none: MemberCondition | None = strawberry.field(default=None, description="No member matches.")


@strawberry.input(description="Narrow a partnership list; all conditions given must hold.")
class PartnershipFilter:
    year: int | None = strawberry.field(
        default=None,
        description="Only partnerships active in this year (data README rule); members and "
        "tier mix are then the effective ones of that year.",
    )
    active_in: int | None = strawberry.field(
        default=None,
        description="Only partnerships active in this year.",
        deprecation_reason="Use `year`.",
    )
    service: Service | None = strawberry.field(default=None, description="Covers this layer.")
    services: list[Service] | None = strawberry.field(
        default=None, description="Covers any of these layers."
    )
    status: list[PartnershipStatus] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    council: str | None = strawberry.field(
        default=None, description="Has this member (GSS code or name)."
    )
    lead_council: str | None = strawberry.field(
        default=None, description="Is led by this council (GSS code or name)."
    )
    region: Region | None = strawberry.field(
        default=None, description="Has a member in this region."
    )
    tier_mix: TierMix | None = strawberry.field(default=None, description="Tier mix of members.")
    office: Office | None = strawberry.field(default=None, description="Back/front/mixed office.")
    name_contains: str | None = strawberry.field(
        default=None, description="Part of the name (case-insensitive; '&' and 'and' alike)."
    )
    start_year: IntRange | None = strawberry.field(
        default=None, description="Start year (as `startYear` gives it) in this range."
    )
    end_year: IntRange | None = strawberry.field(
        default=None, description="End year (as `endYear` gives it) in this range."
    )
    savings: IntRange | None = strawberry.field(
        default=None, description="Reported annual savings in GBP in this range."
    )
    member_count: IntRange | None = strawberry.field(
        default=None, description="Number of members in this range."
    )
    members: MemberSetFilter | None = strawberry.field(
        default=None, description="Conditions over the set of members."
    )
    and_: list[PartnershipFilter] | None = strawberry.field(
        default=None, name="AND", description="Every one of these filters holds too."
    )
    or_: list[PartnershipFilter] | None = strawberry.field(
        default=None, name="OR", description="At least one of these filters holds too."
    )
    not_: PartnershipFilter | None = strawberry.field(
        default=None, name="NOT", description="This filter does not hold."
    )


@strawberry.enum(description="Which way to sort.")
class OrderDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.enum(description="What to sort partnerships by; ties go by id.")
class PartnershipOrderField(Enum):
    NAME = "name"
    START_YEAR = "start_year"
    END_YEAR = "end_year"
    SAVINGS = "savings"
    MEMBER_COUNT = "member_count"


@strawberry.input(description="One sort key of a partnership list (unknown values go last).")
class PartnershipOrder:
    field: PartnershipOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="ASC (default) or DESC."
    )


@strawberry.enum(description="What to sort councils by; ties go by code.")
class CouncilOrderField(Enum):
    NAME = "name"
    POPULATION = "population"
    PARTNERSHIP_COUNT = "partnership_count"
    PARTNER_COUNT = "partner_count"


@strawberry.input(description="One sort key of a council list (unknown values go last).")
class CouncilOrder:
    field: CouncilOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="ASC (default) or DESC."
    )
    year: int | None = strawberry.field(
        default=None,
        description="For PARTNERSHIP_COUNT and PARTNER_COUNT: the year (default: this year).",
    )


@strawberry.enum(description="How to group partnerships in `partnershipAggregate`.")
class PartnershipGroupBy(Enum):
    START_YEAR = "start_year"
    END_YEAR = "end_year"
    SERVICE = "service"
    REGION = "region"
    TIER_MIX = "tier_mix"
    STATUS = "status"
    OFFICE = "office"
