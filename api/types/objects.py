"""The GraphQL object types of the graph: councils, partnerships and what hangs off them.

They construct each other (a council's partnerships, a partnership's members, the council of a
member), so they live in one module. Pages of them are in ``connections``, a partnership's
history and contacts in ``history`` and a council's network measures in ``metrics``; those
point back at a council through the schema (``common.council_of``), not by importing this.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Annotated

import strawberry

from api.auth import require
from api.types.common import (
    CouncilKind,
    Info,
    MemberRole,
    Node,
    Office,
    PartnershipStatus,
    Service,
    ServiceArg,
    Tier,
    TierMix,
    YearArg,
    YearBasis,
    office_of,
)
from api.types.history import AuditEntry, Contact, request_contributions
from api.types.metrics import CouncilMetrics
from contributions.accounts import Role
from graph import repository as repo
from graph import rules


@strawberry.type(description="An English principal council, current or abolished since 2009.")
class Council(Node):
    model: strawberry.Private[repo.Council]

    @classmethod
    def from_model(cls, model: repo.Council) -> Council:
        return cls(model=model)

    @strawberry.field(description="Its global id: the GSS code, as `code`.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.model.code)

    @strawberry.field(description="GSS code (current code for recoded councils), e.g. E07000084.")
    def code(self) -> str:
        return self.model.code

    @strawberry.field(description="Short name, e.g. 'Basingstoke and Deane'.")
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="Official name, e.g. 'Basingstoke and Deane Borough Council'.")
    def official_name(self) -> str:
        return self.model.official_name

    @strawberry.field(description="Every known form of the name, as accepted by `council(name:)`.")
    def aliases(self) -> list[str]:
        return list(self.model.aliases)

    @strawberry.field(description="Kind of council.")
    def kind(self) -> CouncilKind:
        return CouncilKind(self.model.kind)

    @strawberry.field(description="LOWER for districts, UPPER for the rest.")
    def tier(self) -> Tier:
        return Tier(self.model.tier)

    @strawberry.field(description="English region, e.g. 'South East'.")
    def region(self) -> str | None:
        return self.model.region

    @strawberry.field(
        description="Its public front door: GOV.UK's page for the council (a link from the "
        "register's slug, never fetched); null for an abolished council or one without a slug."
    )
    def gov_uk_url(self) -> str | None:
        return self.model.gov_uk_url

    @strawberry.field(description="Population (mid-2020 estimate); null when unknown, never 0.")
    def population(self) -> int | None:
        return self.model.population

    @strawberry.field(description="Area in hectares, where known.")
    def area_hectares(self) -> float | None:
        return self.model.area_ha

    @strawberry.field(description="Latitude of the council's centroid (WGS-84).")
    def latitude(self) -> float | None:
        return self.model.latitude

    @strawberry.field(description="Longitude of the council's centroid (WGS-84).")
    def longitude(self) -> float | None:
        return self.model.longitude

    @strawberry.field(description="The day the council came into being.")
    def valid_from(self) -> datetime.date:
        return self.model.valid_from

    @strawberry.field(description="The day it was abolished; null if it still exists.")
    def valid_to(self) -> datetime.date | None:
        return self.model.valid_to

    @strawberry.field(description="Former GSS codes that now resolve to this council.")
    def former_codes(self) -> list[str]:
        return list(self.model.former_codes)

    @strawberry.field(description="Whether the council exists in the given year.")
    def exists_in(
        self, year: Annotated[int, strawberry.argument(description="Calendar year.")]
    ) -> bool:
        return self.model.exists_in(year)

    @strawberry.field(description="The county a district lies within; null for other kinds.")
    async def county(self, info: Info) -> Council | None:
        links = await info.context.loaders.links.load(self.model.code)
        if links is None or links.county is None:
            return None
        county = await info.context.loaders.council.load(links.county)
        return Council.from_model(county) if county else None

    @strawberry.field(description="The districts within a county (empty for other kinds).")
    async def districts(self, info: Info) -> list[Council]:
        links = await info.context.loaders.links.load(self.model.code)
        return await _councils(info, links.districts if links else ())

    @strawberry.field(
        description="Councils whose territory touches this one's without containing it "
        "(a county borders what its districts border). With `year`, only councils existing then."
    )
    async def borders(
        self,
        info: Info,
        year: Annotated[
            int | None, strawberry.argument(description="Only neighbours existing in this year.")
        ] = None,
    ) -> list[Council]:
        links = await info.context.loaders.links.load(self.model.code)
        neighbours = await _councils(info, links.borders if links else ())
        if year is not None:
            neighbours = [c for c in neighbours if c.model.exists_in(year)]
        return sorted(neighbours, key=lambda c: c.model.name)

    @strawberry.field(description="The council(s) that replaced this one on reorganisation.")
    async def succeeded_by(self, info: Info) -> list[Council]:
        links = await info.context.loaders.links.load(self.model.code)
        return await _councils(info, links.succeeded_by if links else ())

    @strawberry.field(
        description="Partnerships of this council. With `year`: those active in that year in "
        "which it is an effective member (a successor stands in for an abolished member); "
        "without: every partnership it is listed in, any status."
    )
    async def partnerships(
        self,
        info: Info,
        year: Annotated[
            int | None, strawberry.argument(description="Only partnerships active this year.")
        ] = None,
        service: ServiceArg = None,
        status: Annotated[
            PartnershipStatus | None, strawberry.argument(description="Only this status.")
        ] = None,
    ) -> list[Partnership]:
        ids: Sequence[str]
        if year is not None:
            view = await info.context.year_view(year)
            ids = view.partnerships_by_council().get(self.model.code, ())
        else:
            ids = await info.context.loaders.listed_partnerships.load(self.model.code) or []
        found = await _partnerships(info, ids)
        return [
            p
            for p in found
            if (service is None or service.value in p.model.services)
            and (status is None or p.model.status == status.value)
        ]

    @strawberry.field(
        description="The distinct councils this one shares with in partnerships active in "
        "`year` (optionally in one service), ordered by name."
    )
    async def partners(
        self, info: Info, year: YearArg = None, service: ServiceArg = None
    ) -> list[Council]:
        view = await info.context.year_view(year, service.value if service else None)
        mine = set(view.partnerships_by_council().get(self.model.code, []))
        codes = sorted(
            {m.code for m in view.memberships if m.partnership_id in mine} - {self.model.code}
        )
        partners = await _councils(info, codes)
        return sorted(partners, key=lambda c: c.model.name)

    @strawberry.field(
        description="Its position in the year's sharing network; null if it shares nothing."
    )
    async def metrics(
        self, info: Info, year: YearArg = None, service: ServiceArg = None
    ) -> CouncilMetrics | None:
        y = rules.resolve_year(year)
        analysed = await info.context.network_analysis(y, service.value if service else None)
        found = analysed.metrics.get(self.model.code)
        return CouncilMetrics.from_model(found) if found else None

    @strawberry.field(
        description="How many partnerships active in `year` (in `service`, when given) it is an "
        "effective member of: the ranking `councils(orderBy: PARTNERSHIP_COUNT)` uses."
    )
    async def partnership_count(
        self, info: Info, year: YearArg = None, service: ServiceArg = None
    ) -> int:
        view = await info.context.year_view(year, service.value if service else None)
        return len(view.partnerships_by_council().get(self.model.code, ()))

    @strawberry.field(description="Whether it is a member of a partnership active in `year`.")
    async def is_sharer(self, info: Info, year: YearArg = None, service: ServiceArg = None) -> bool:
        view = await info.context.year_view(year, service.value if service else None)
        return self.model.code in view.sharers


async def _councils(info: Info, codes: tuple[str, ...] | list[str]) -> list[Council]:
    found = await info.context.loaders.council.load_many(list(codes))
    return [Council.from_model(c) for c in found if c is not None]


async def _partnerships(info: Info, ids: Sequence[str]) -> list[Partnership]:
    found = await info.context.loaders.partnership.load_many(list(ids))
    return [Partnership.from_model(p) for p in found if p is not None]


# -- partnership -----------------------------------------------------------------------


@strawberry.type(description="A council's membership of a partnership, with its years.")
class Membership:
    council: Council = strawberry.field(description="The member council.")
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


def _membership(
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


@strawberry.type(description="A shared-service arrangement between councils, with its sources.")
class Partnership(Node):
    model: strawberry.Private[repo.Partnership]

    @classmethod
    def from_model(cls, model: repo.Partnership) -> Partnership:
        return cls(model=model)

    @strawberry.field(
        description="Stable identifier, e.g. 'south-london-legal-partnership' (its global id)."
    )
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.model.id)

    @strawberry.field(description="Name of the arrangement.")
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="Status as of the latest source for it (not as of today).")
    def status(self) -> PartnershipStatus:
        return PartnershipStatus(self.model.status)

    @strawberry.field(description="Service layers covered; empty when the source did not say.")
    def services(self) -> list[Service]:
        return [Service(s) for s in self.model.services]

    @strawberry.field(description="BACK, FRONT or MIXED office; null when no service is known.")
    def office(self) -> Office | None:
        return office_of(self.model.services)

    @strawberry.field(
        description="Tier mix of the members: in `year` (after succession) when given, "
        "else of the members as listed."
    )
    async def tier_mix(
        self,
        info: Info,
        year: Annotated[
            int | None, strawberry.argument(description="Members as in this year.")
        ] = None,
    ) -> TierMix | None:
        members = await self.members(info, year)
        mix = rules.tier_mix(m.council.model.tier for m in members)
        return TierMix(mix) if mix else None

    @strawberry.field(
        description="First year it counts as running: the stated start year, else the year of "
        "its earliest dated source (see `startYearBasis`); null when no source is dated (it is "
        "then counted in the current year only)."
    )
    def start_year(self) -> int | None:
        span = self.model.span()
        return None if span.start_basis is rules.YearBasis.UNKNOWN else span.start

    @strawberry.field(description="How `startYear` is known: STATED, FIRST_EVIDENCE or UNKNOWN.")
    def start_year_basis(self) -> YearBasis:
        return YearBasis(self.model.span().start_basis.value)

    @strawberry.field(
        description="Last year it counts as running: the stated end year, else for an ended "
        "partnership the year of its latest dated source; null while open."
    )
    def end_year(self) -> int | None:
        return self.model.span().end

    @strawberry.field(description="The year of its latest dated source; null when none is dated.")
    def last_evidence_year(self) -> int | None:
        return self.model.last_evidence_year

    @strawberry.field(
        description="For an operational partnership, the year of its latest source when that is "
        "more than 5 years before `year` (default: this year): shown as 'not confirmed since'."
    )
    def not_confirmed_since(self, year: YearArg = None) -> int | None:
        return self.model.not_confirmed_since(rules.resolve_year(year))

    @strawberry.field(
        description="Its years in words with their basis, e.g. 'since 2014 (first evidence); "
        "not confirmed since 2015' (as of `year`, default this year)."
    )
    def years(self, year: YearArg = None) -> str:
        return self.model.years_phrase(rules.resolve_year(year))

    @strawberry.field(
        description="Annual saving in GBP as reported by councils: often a target, sometimes "
        "for one partner only. Always read it with `savingsNote`; do not sum it silently."
    )
    def annual_savings_gbp(self) -> int | None:
        return self.model.annual_savings_gbp

    @strawberry.field(description="What the savings figure means, as reported.")
    def savings_note(self) -> str | None:
        return self.model.savings_note

    @strawberry.field(description="Free-text notes from the sources.")
    def notes(self) -> str | None:
        return self.model.notes

    @strawberry.field(description="The lead council, where one is named.")
    async def lead_council(self, info: Info) -> Council | None:
        code = self.model.lead_code
        found = await info.context.loaders.council.load(code) if code else None
        return Council.from_model(found) if found else None

    @strawberry.field(
        description="Members as listed; with `year`, the effective members in that year "
        "(successors standing in for abolished councils; empty if not active then)."
    )
    async def members(
        self,
        info: Info,
        year: Annotated[
            int | None, strawberry.argument(description="Effective members in this year.")
        ] = None,
    ) -> list[Membership]:
        rows: list[tuple[str, str, tuple[int | None, int | None]]]
        if year is None:
            rows = [(m.code, m.role, (m.from_year, m.to_year)) for m in self.model.members]
        else:
            view = await info.context.year_view(year)
            rows = [
                (m.code, m.role, (m.member_from, m.member_to))
                for m in view.members_by_partnership().get(self.model.id, [])
            ]
        councils = await info.context.loaders.council.load_many([row[0] for row in rows])
        return [
            _membership(Council.from_model(c), role, own, self.model)
            for (_, role, own), c in zip(rows, councils, strict=True)
            if c is not None
        ]

    @strawberry.field(description="Where the facts come from.")
    def sources(self) -> list[SourceRef]:
        return [SourceRef(url=s.url, date=s.date) for s in self.model.sources]

    @strawberry.field(description="Whether the partnership is active in `year` (data README rule).")
    async def active_in(
        self, info: Info, year: Annotated[int, strawberry.argument(description="Calendar year.")]
    ) -> bool:
        view = await info.context.year_view(year)
        return self.model.id in view.members_by_partnership()

    @strawberry.field(description="Every applied change (loads and accepted edits), oldest first.")
    async def history(self, info: Info) -> list[AuditEntry]:
        entries = await request_contributions(info).history.load(self.model.id)
        return [AuditEntry(model=e) for e in entries]

    @strawberry.field(
        description="Officers and members to call (personal data): signed-in users only; "
        "null with an error for anonymous readers."
    )
    async def contacts(self, info: Info) -> list[Contact] | None:
        require(info.context.user, Role.CONTRIBUTOR, "contacts")
        found = await request_contributions(info).contacts.load(self.model.id)
        return [Contact.from_model(c) for c in found]
