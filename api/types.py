"""GraphQL types. Each wraps a model from ``graph.repository`` (``from_model``)."""

from __future__ import annotations

import base64
import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Generic, TypeVar

import strawberry

if TYPE_CHECKING:
    from api.mutations import AuditEntry, Contact
    from api.network import CouncilMetrics

from api.context import Context
from api.errors import UserError
from graph import repository as repo
from graph import rules, taxonomy

Info = strawberry.Info[Context, None]
T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


# -- enums -----------------------------------------------------------------------------


# The service layers come from the taxonomy (graph/taxonomy.py), so a layer added to the CSV is
# a new enum value with no code edit. mypy sees a memberless Enum: code goes by value
# (``Service("legal")``, ``service.value``), never by a hard-coded member name.
if TYPE_CHECKING:

    class Service(Enum):
        """A service layer (taxonomy code)."""

else:
    Service = strawberry.enum(
        Enum("Service", {code.upper(): code for code in taxonomy.codes()}),
        description=f"The {len(taxonomy.codes())} service layers of the original LGA map "
        "(taxonomy codes: data/taxonomy/service_areas.csv).",
    )


@strawberry.enum(description="A partnership's status, as of the latest source for it.")
class PartnershipStatus(Enum):
    OPERATIONAL = "operational"
    IN_DEVELOPMENT = "in_development"
    ENDED = "ended"
    ABANDONED = "abandoned"


@strawberry.enum(description="The kind of principal council.")
class CouncilKind(Enum):
    COUNTY = "county"
    DISTRICT = "district"
    UNITARY = "unitary"
    METROPOLITAN_DISTRICT = "metropolitan_district"
    LONDON_BOROUGH = "london_borough"
    CITY_OF_LONDON = "city_of_london"


@strawberry.enum(description="LOWER: districts; UPPER: counties and single-tier councils.")
class Tier(Enum):
    LOWER = "lower"
    UPPER = "upper"


@strawberry.enum(description="The tiers of a partnership's members (in the year asked about).")
class TierMix(Enum):
    DISTRICT_DISTRICT = "district_district"
    DISTRICT_UPPER = "district_upper"
    UPPER_UPPER = "upper_upper"


@strawberry.enum(description="BACK: all services back office; FRONT: all front; MIXED: both.")
class Office(Enum):
    BACK = "back"
    FRONT = "front"
    MIXED = "mixed"


@strawberry.enum(description="Whether a council is a member of a partnership active that year.")
class SharingStatus(Enum):
    SHARER = "sharer"
    SINGLETON = "singleton"


@strawberry.enum(description="How a start year is known (data README, 'When a partnership runs').")
class YearBasis(Enum):
    STATED = "stated"
    FIRST_EVIDENCE = "first_evidence"
    UNKNOWN = "unknown"


@strawberry.enum(description="A member's role in a partnership.")
class MemberRole(Enum):
    LEAD = "lead"
    PARTNER = "partner"


def office_of(services: tuple[str, ...]) -> Office | None:
    """Back/front/mixed office of a set of services (``graph.taxonomy.office_of``); None when
    the source named no service."""
    office = taxonomy.office_of(services)
    return Office(office) if office else None


# -- pagination ------------------------------------------------------------------------


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The offset after which a page starts; a cursor not made by us is a clear error."""
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not text.startswith("o:"):
            raise ValueError(text)
        return int(text[2:]) + 1
    except (ValueError, UnicodeDecodeError) as error:
        raise UserError(f"after: {cursor!r} is not a cursor from this API") from error


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise UserError(f"first must be between 1 and {MAX_PAGE_SIZE} (got {first})")
    return first


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")


FirstArg = Annotated[
    int | None,
    strawberry.argument(
        description=f"Page size (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE})."
    ),
]
AfterArg = Annotated[
    str | None, strawberry.argument(description="Cursor of the item before the page.")
]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items with their cursors, and where it sits."""

    items: list[tuple[T, str]]
    info: PageInfo
    total: int


def paginate(items: Sequence[T], first: int | None, after: str | None) -> Page[T]:
    """Cut ``items`` to the page that ``first``/``after`` ask for (offset cursors)."""
    size, offset = page_size(first), decode_cursor(after)
    chunk = items[offset : offset + size]
    return Page(
        items=[(item, encode_cursor(offset + i)) for i, item in enumerate(chunk)],
        info=PageInfo(
            has_next_page=offset + size < len(items),
            end_cursor=encode_cursor(offset + len(chunk) - 1) if chunk else None,
        ),
        total=len(items),
    )


# -- council ---------------------------------------------------------------------------

YearArg = Annotated[
    int | None,
    strawberry.argument(description="Calendar year; defaults to the current year."),
]
ServiceArg = Annotated[
    Service | None, strawberry.argument(description="Only this service layer; all when omitted.")
]


@strawberry.type(description="An English principal council, current or abolished since 2009.")
class Council:
    model: strawberry.Private[repo.Council]

    @classmethod
    def from_model(cls, model: repo.Council) -> Council:
        return cls(model=model)

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
        if year is not None:
            view = await info.context.year_view(year)
            ids = view.partnerships_by_council().get(self.model.code, [])
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
    ) -> Annotated[CouncilMetrics, strawberry.lazy("api.network")] | None:
        from api.network import CouncilMetrics, network_analysis

        y = rules.resolve_year(year)
        found = (await network_analysis(info, y, service)).metrics.get(self.model.code)
        return CouncilMetrics.from_model(found) if found else None

    @strawberry.field(description="Whether it is a member of a partnership active in `year`.")
    async def is_sharer(self, info: Info, year: YearArg = None, service: ServiceArg = None) -> bool:
        view = await info.context.year_view(year, service.value if service else None)
        return self.model.code in view.sharers


async def _councils(info: Info, codes: tuple[str, ...] | list[str]) -> list[Council]:
    found = await info.context.loaders.council.load_many(list(codes))
    return [Council.from_model(c) for c in found if c is not None]


async def _partnerships(info: Info, ids: list[str]) -> list[Partnership]:
    found = await info.context.loaders.partnership.load_many(ids)
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
class Partnership:
    model: strawberry.Private[repo.Partnership]

    @classmethod
    def from_model(cls, model: repo.Partnership) -> Partnership:
        return cls(model=model)

    @strawberry.field(description="Stable identifier, e.g. 'south-london-legal-partnership'.")
    def id(self) -> str:
        return self.model.id

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
    async def history(
        self, info: Info
    ) -> list[Annotated[AuditEntry, strawberry.lazy("api.mutations")]]:
        from api.mutations import history_of

        return await history_of(info, self.model.id)

    @strawberry.field(
        description="Officers and members to call (personal data): signed-in users only; "
        "null with an error for anonymous readers."
    )
    async def contacts(
        self, info: Info
    ) -> list[Annotated[Contact, strawberry.lazy("api.mutations")]] | None:
        from api.mutations import contacts_of

        return await contacts_of(info, self.model.id)


# -- connections and results -----------------------------------------------------------


@strawberry.type(description="An edge of a council list.")
class CouncilEdge:
    node: Council = strawberry.field(description="The council.")
    cursor: str = strawberry.field(description="Opaque position, for `after`.")


@strawberry.type(description="A page of councils.")
class CouncilConnection:
    edges: list[CouncilEdge] = strawberry.field(description="The councils on this page.")
    page_info: PageInfo = strawberry.field(description="Whether more follow.")
    total_count: int = strawberry.field(description="Councils matching the filter, all pages.")

    @strawberry.field(description="The councils on this page, without cursors.")
    def nodes(self) -> list[Council]:
        return [edge.node for edge in self.edges]


@strawberry.type(description="An edge of a partnership list.")
class PartnershipEdge:
    node: Partnership = strawberry.field(description="The partnership.")
    cursor: str = strawberry.field(description="Opaque position, for `after`.")


@strawberry.type(description="A page of partnerships.")
class PartnershipConnection:
    edges: list[PartnershipEdge] = strawberry.field(description="The partnerships on this page.")
    page_info: PageInfo = strawberry.field(description="Whether more follow.")
    total_count: int = strawberry.field(description="Partnerships matching the filter, all pages.")

    @strawberry.field(description="The partnerships on this page, without cursors.")
    def nodes(self) -> list[Partnership]:
        return [edge.node for edge in self.edges]


@strawberry.type(description="A singleton and its neighbours that share (the people to call).")
class SingletonNeighbourhood:
    council: Council = strawberry.field(description="A council sharing nothing (in the service).")
    sharing_neighbours: list[Council] = strawberry.field(
        description="Bordering councils that are active sharers, ordered by name."
    )


@strawberry.type(description="A count for one value of a breakdown.")
class Count:
    key: str = strawberry.field(description="The value (e.g. a service code or region).")
    count: int = strawberry.field(description="How many partnerships have it.")


@strawberry.type(description="Reported annual savings. Councils' own figures: read the caveat.")
class Savings:
    reported_total_gbp: int = strawberry.field(
        description="Sum of the reported annual figures: a rough total of unlike numbers."
    )
    partnerships_with_figure: int = strawberry.field(
        description="How many of the partnerships report a figure."
    )
    caveat: str = strawberry.field(description="What the total does and does not mean.")


@strawberry.type(description="Headline figures over the partnerships active in one year.")
class Stats:
    year: int = strawberry.field(description="The year.")
    service: Service | None = strawberry.field(description="The service layer, if one was given.")
    total: int = strawberry.field(description="Partnerships active in the year.")
    by_service: list[Count] = strawberry.field(
        description="Per service layer (a partnership counts once in each of its layers)."
    )
    by_status: list[Count] = strawberry.field(description="Per status (operational/ended).")
    by_tier_mix: list[Count] = strawberry.field(description="Per tier mix of the year's members.")
    by_office: list[Count] = strawberry.field(
        description="Per back/front/mixed office; partnerships with no known service left out."
    )
    by_region: list[Count] = strawberry.field(
        description="Per region (a partnership counts once in each region of its members)."
    )
    councils: int = strawberry.field(description="Councils existing in the year.")
    active_sharers: int = strawberry.field(description="Councils in at least one of them.")
    singletons: int = strawberry.field(description="Existing councils in none of them.")
    savings: Savings = strawberry.field(description="Reported annual savings, with the caveat.")
    active_on_old_evidence: int = strawberry.field(
        description="How many of the year's active partnerships are operational with no dated "
        "source in the 5 years before it ('not confirmed since'), counted all the same."
    )
    undated: int = strawberry.field(
        description="How many of them have no dated source at all (counted in the current year "
        "only)."
    )
    lga_reference: LgaReference | None = strawberry.field(
        description="The LGA's own published totals, nearest edition at or before the year "
        "(else the earliest): a reference beside these figures, never merged into them."
    )
    coverage_note: str = strawberry.field(
        description="In words: how and why this count differs from the LGA's."
    )


@strawberry.type(description="One edition of the LGA Shared Services Map's published totals.")
class LgaReference:
    edition: str = strawberry.field(description="The edition or date, as published.")
    year: int = strawberry.field(description="The year of the edition.")
    arrangements: str | None = strawberry.field(
        description="Arrangements counted, as published (e.g. 'hundreds (132 operational)')."
    )
    arrangements_count: int | None = strawberry.field(
        description="The number in `arrangements`, where it gives one."
    )
    councils_sharing: str | None = strawberry.field(description="Councils sharing, as published.")
    savings_gbp_m: str | None = strawberry.field(
        description="Savings in GBP millions, as published."
    )
    savings_basis: str | None = strawberry.field(
        description="What the savings figure is (projected per year, cumulative ...)."
    )
    breakdown: str | None = strawberry.field(description="Other figures the edition reported.")
    sources: list[str] = strawberry.field(description="Where the figures were published.")

    @classmethod
    def from_model(cls, e: repo.LgaEdition) -> LgaReference:
        return cls(
            edition=e.edition,
            year=e.year,
            arrangements=e.arrangements,
            arrangements_count=e.arrangements_count,
            councils_sharing=e.councils_sharing,
            savings_gbp_m=e.savings_gbp_m,
            savings_basis=e.savings_basis,
            breakdown=e.breakdown,
            sources=list(e.sources),
        )


SAVINGS_CAVEAT = (
    "Savings are as reported by councils: often targets rather than achieved figures, "
    "sometimes for one partner only, for different years. This sum adds unlike numbers; "
    "read each partnership's savingsNote."
)
