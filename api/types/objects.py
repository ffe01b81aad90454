"""The GraphQL object types of the graph: councils, partnerships and what hangs off them.

They construct each other (a council's partnerships, a partnership's members, the council of a
member), so they live in one module. Pages of them are in ``connections``, a partnership's
history and contacts in ``history`` and a council's network measures in ``metrics``; those
point back at a council through the schema (``common.council_of``), not by importing this.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated

import strawberry

from api.auth import require
from api.context import YearView
from api.types.common import (
    CouncilKind,
    Info,
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
    with_snapshot,
    with_year_view,
)
from api.types.council_lists import CouncilLists
from api.types.history import AuditEntry, Contact, request_contributions
from api.types.membership import Membership, SourceRef, membership_of
from api.types.metrics import CouncilMetrics
from contributions.accounts import Role
from graph import repository as repo
from graph import rules
from graph.snapshot import Snapshot

# Membership and SourceRef live in api.types.membership; named here too, as they always were.
__all__ = ["Council", "Membership", "Partnership", "SourceRef", "council_object"]


@strawberry.type(description="An English principal council, current or abolished since 2009.")
class Council(Node, CouncilLists):
    """Its plain fields are attributes, set once by :meth:`from_model`: graphql-core reads them
    with strawberry's default resolver (no ``Info``, no arguments to convert), and a page's
    objects are built once per data version (:func:`council_object`)."""

    model: strawberry.Private[repo.Council]
    id: strawberry.ID = strawberry.field(description="Its global id: the GSS code, as `code`.")
    code: str = strawberry.field(
        description="GSS code (current code for recoded councils), e.g. E07000084."
    )
    name: str = strawberry.field(description="Short name, e.g. 'Basingstoke and Deane'.")
    official_name: str = strawberry.field(
        description="Official name, e.g. 'Basingstoke and Deane Borough Council'."
    )
    aliases: list[str] = strawberry.field(
        description="Every known form of the name, as accepted by `council(council:)`."
    )
    kind: CouncilKind = strawberry.field(description="Kind of council.")
    tier: Tier = strawberry.field(description="LOWER for districts, UPPER for the rest.")
    region: str | None = strawberry.field(description="English region, e.g. 'South East'.")
    ceremonial_county: str | None = strawberry.field(
        description="Its ceremonial county (Lieutenancies Act 1997, Schedule 1, as amended), "
        "e.g. 'Kent' for Medway, 'Greater London' for Camden; for a council in two (Stockton-on-"
        "Tees), the one most of it lies in. Null only in a graph loaded before it was known."
    )
    ceremonial_counties: list[str] = strawberry.field(
        description="Every ceremonial county part of it lies in, `ceremonialCounty` first "
        "(two only for Stockton-on-Tees: Durham north of the Tees, North Yorkshire south)."
    )
    gov_uk_url: str | None = strawberry.field(
        description="Its public front door: GOV.UK's page for the council (a link from the "
        "register's slug, never fetched); null for an abolished council or one without a slug."
    )
    population: int | None = strawberry.field(
        description="Population (mid-2020 estimate); null when unknown, never 0."
    )
    area_hectares: float | None = strawberry.field(description="Area in hectares, where known.")
    latitude: float | None = strawberry.field(
        description="Latitude of the council's centroid (WGS-84)."
    )
    longitude: float | None = strawberry.field(
        description="Longitude of the council's centroid (WGS-84)."
    )
    valid_from: datetime.date = strawberry.field(description="The day the council came into being.")
    valid_to: datetime.date | None = strawberry.field(
        description="The day it was abolished; null if it still exists."
    )
    former_codes: list[str] = strawberry.field(
        description="Former GSS codes that now resolve to this council."
    )

    @classmethod
    def from_model(cls, model: repo.Council) -> Council:
        counties = list(model.ceremonial_counties)
        return cls(
            model=model, id=strawberry.ID(model.code), code=model.code, name=model.name,
            official_name=model.official_name, aliases=list(model.aliases),
            kind=CouncilKind(model.kind), tier=Tier(model.tier), region=model.region,
            ceremonial_county=counties[0] if counties else None, ceremonial_counties=counties,
            gov_uk_url=model.gov_uk_url, population=model.population,
            area_hectares=model.area_ha, latitude=model.latitude, longitude=model.longitude,
            valid_from=model.valid_from, valid_to=model.valid_to,
            former_codes=list(model.former_codes),
        )  # fmt: skip

    @strawberry.field(description="Whether the council exists in the given year.")
    def exists_in(
        self, year: Annotated[int, strawberry.argument(description="Calendar year.")]
    ) -> bool:
        return self.model.exists_in(year)

    @strawberry.field(description="The county a district lies within; null for other kinds.")
    def county(self, info: Info) -> Council | None:
        def answer(snapshot: Snapshot) -> Council | None:
            county = _links(snapshot, self.model.code).county
            return next(iter(_councils(snapshot, [county] if county else [])), None)

        return with_snapshot(info, answer)

    @strawberry.field(description="The districts within a county (empty for other kinds).")
    def districts(self, info: Info) -> list[Council]:
        return with_snapshot(info, lambda s: _councils(s, _links(s, self.model.code).districts))

    @strawberry.field(
        description="Councils whose territory touches this one's without containing it "
        "(a county borders what its districts border). With `year`, only councils existing then."
    )
    def borders(
        self,
        info: Info,
        year: Annotated[
            int | None, strawberry.argument(description="Only neighbours existing in this year.")
        ] = None,
    ) -> list[Council]:
        def answer(snapshot: Snapshot) -> list[Council]:
            neighbours = _councils(snapshot, _links(snapshot, self.model.code).borders)
            if year is not None:
                neighbours = [c for c in neighbours if c.model.exists_in(year)]
            return sorted(neighbours, key=lambda c: c.model.name)

        return with_snapshot(info, answer)

    @strawberry.field(description="The council(s) that replaced this one on reorganisation.")
    def succeeded_by(self, info: Info) -> list[Council]:
        return with_snapshot(info, lambda s: _councils(s, _links(s, self.model.code).succeeded_by))

    @strawberry.field(
        description="Partnerships of this council. With `year`: those active in that year in "
        "which it is an effective member (a successor stands in for an abolished member); "
        "without: every partnership it is listed in, any status.",
        deprecation_reason="Use `partnershipConnection` (paginated, ordered).",
    )
    def partnerships(
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
        def chosen(snapshot: Snapshot, ids: Sequence[str]) -> list[Partnership]:
            return [
                p
                for p in _partnerships(snapshot, ids)
                if (service is None or service.value in p.model.services)
                and (status is None or p.model.status == status.value)
            ]

        code = self.model.code
        if year is not None:
            return with_year_view(
                info, year, None, lambda s, v: chosen(s, v.partnerships_by_council().get(code, ()))
            )
        return with_snapshot(info, lambda s: chosen(s, s.listed.get(code) or ()))

    @strawberry.field(
        description="The distinct councils this one shares with in partnerships active in "
        "`year` (optionally in one service), ordered by name.",
        deprecation_reason="Use `partnerConnection` (paginated, ordered).",
    )
    def partners(
        self, info: Info, year: YearArg = None, service: ServiceArg = None
    ) -> list[Council]:
        def answer(snapshot: Snapshot, view: YearView) -> list[Council]:
            mine = set(view.partnerships_by_council().get(self.model.code, []))
            codes = sorted(
                {m.code for m in view.memberships if m.partnership_id in mine} - {self.model.code}
            )
            return sorted(_councils(snapshot, codes), key=lambda c: c.model.name)

        return with_year_view(info, year, service.value if service else None, answer)

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
    def partnership_count(
        self, info: Info, year: YearArg = None, service: ServiceArg = None
    ) -> int:
        return with_year_view(
            info, year, service.value if service else None,
            lambda s, v: len(v.partnerships_by_council().get(self.model.code, ())),
        )  # fmt: skip

    @strawberry.field(description="Whether it is a member of a partnership active in `year`.")
    def is_sharer(self, info: Info, year: YearArg = None, service: ServiceArg = None) -> bool:
        return with_year_view(
            info, year, service.value if service else None,
            lambda s, v: self.model.code in v.sharers,
        )  # fmt: skip


@dataclass
class _Built:
    """The objects of one data version's councils and partnerships, built on first use and
    shared by its requests (read-only once built; remembered in the snapshot)."""

    councils: dict[str, Council] = field(default_factory=dict)
    partnerships: dict[str, Partnership] = field(default_factory=dict)
    listed_members: dict[str, list[Membership]] = field(default_factory=dict)


def _built(snapshot: Snapshot) -> _Built:
    return snapshot.remember(("api.objects",), _Built)


def council_object(snapshot: Snapshot, model: repo.Council) -> Council:
    """``Council.from_model(model)``, built once per data version."""
    councils = _built(snapshot).councils
    found = councils.get(model.code)
    return found or councils.setdefault(model.code, Council.from_model(model))


def _councils(snapshot: Snapshot, codes: Sequence[str]) -> list[Council]:
    """The councils of ``codes`` (current or former codes), in order, unknown ones left out."""
    by_code = snapshot.councils_by_code
    return [council_object(snapshot, c) for code in codes if (c := by_code.get(code)) is not None]


def _partnerships(snapshot: Snapshot, ids: Sequence[str]) -> list[Partnership]:
    built = _built(snapshot).partnerships
    found = []
    for pid in ids:
        partnership = built.get(pid)
        if partnership is None and (model := snapshot.partnerships.get(pid)) is not None:
            partnership = built.setdefault(pid, Partnership.from_model(model))
        if partnership is not None:
            found.append(partnership)
    return found


_NO_LINKS = repo.CouncilLinks(borders=(), county=None, districts=(), succeeded_by=())


def _links(snapshot: Snapshot, code: str) -> repo.CouncilLinks:
    return snapshot.links.get(code) or _NO_LINKS


# -- partnership -----------------------------------------------------------------------


@strawberry.type(description="A shared-service arrangement between councils, with its sources.")
class Partnership(Node):
    """Plain fields as attributes, set once by :meth:`from_model` (see :class:`Council`)."""

    model: strawberry.Private[repo.Partnership]
    id: strawberry.ID = strawberry.field(
        description="Stable identifier, e.g. 'south-london-legal-partnership' (its global id)."
    )
    name: str = strawberry.field(description="Name of the arrangement.")
    status: PartnershipStatus = strawberry.field(
        description="Status as of the latest source for it (not as of today)."
    )
    services: list[Service] = strawberry.field(
        description="Service layers covered; empty when the source did not say."
    )
    office: Office | None = strawberry.field(
        description="BACK, FRONT or MIXED office; null when no service is known."
    )
    start_year: int | None = strawberry.field(
        description="First year it counts as running: the stated start year, else the year of "
        "its earliest dated source (see `startYearBasis`); null when no source is dated (it is "
        "then counted in the current year only)."
    )
    start_year_basis: YearBasis = strawberry.field(
        description="How `startYear` is known: STATED, FIRST_EVIDENCE or UNKNOWN."
    )
    end_year: int | None = strawberry.field(
        description="Last year it counts as running: the stated end year, else for an ended "
        "partnership the year of its latest dated source; null while open."
    )
    last_evidence_year: int | None = strawberry.field(
        description="The year of its latest dated source; null when none is dated."
    )
    annual_savings_gbp: int | None = strawberry.field(
        description="Annual saving in GBP as reported by councils: often a target, sometimes "
        "for one partner only. Always read it with `savingsNote`; do not sum it silently."
    )
    savings_note: str | None = strawberry.field(
        description="What the savings figure means, as reported."
    )
    notes: str | None = strawberry.field(description="Free-text notes from the sources.")
    sources: list[SourceRef] = strawberry.field(description="Where the facts come from.")

    @classmethod
    def from_model(cls, model: repo.Partnership) -> Partnership:
        span = model.span()
        known = span.start_basis is not rules.YearBasis.UNKNOWN
        return cls(
            model=model, id=strawberry.ID(model.id), name=model.name,
            status=PartnershipStatus(model.status),
            services=[Service(s) for s in model.services], office=office_of(model.services),
            start_year=span.start if known else None,
            start_year_basis=YearBasis(span.start_basis.value), end_year=span.end,
            last_evidence_year=model.last_evidence_year,
            annual_savings_gbp=model.annual_savings_gbp, savings_note=model.savings_note,
            notes=model.notes, sources=[SourceRef(url=s.url, date=s.date) for s in model.sources],
        )  # fmt: skip

    @strawberry.field(
        description="Tier mix of the members: in `year` (after succession) when given, "
        "else of the members as listed."
    )
    def tier_mix(
        self,
        info: Info,
        year: Annotated[
            int | None, strawberry.argument(description="Members as in this year.")
        ] = None,
    ) -> TierMix | None:
        def mix(members: list[Membership]) -> TierMix | None:
            found = rules.tier_mix(m.council.model.tier for m in members)
            return TierMix(found) if found else None

        if year is None:
            return with_snapshot(info, lambda s: mix(self._listed_members(s)))
        return with_year_view(info, year, None, lambda s, v: mix(self._members_in(s, v)))

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

    @strawberry.field(description="The lead council, where one is named.")
    def lead_council(self, info: Info) -> Council | None:
        code = self.model.lead_code
        if not code:
            return None
        return with_snapshot(info, lambda s: next(iter(_councils(s, [code])), None))

    @strawberry.field(
        description="Members as listed; with `year`, the effective members in that year "
        "(successors standing in for abolished councils; empty if not active then)."
    )
    def members(
        self,
        info: Info,
        year: Annotated[
            int | None, strawberry.argument(description="Effective members in this year.")
        ] = None,
    ) -> list[Membership]:
        if year is None:
            return with_snapshot(info, self._listed_members)
        return with_year_view(info, year, None, self._members_in)

    def _listed_members(self, snapshot: Snapshot) -> list[Membership]:
        """Its members as listed, built once per data version for the snapshot's own
        partnership (one a mutation read afresh may differ from the version's)."""
        shared = snapshot.partnerships.get(self.model.id) is self.model
        built = _built(snapshot).listed_members if shared else {}
        found = built.get(self.model.id)
        if found is None:
            rows = [(m.code, m.role, (m.from_year, m.to_year)) for m in self.model.members]
            found = built.setdefault(self.model.id, self._memberships(snapshot, rows))
        return found

    def _members_in(self, snapshot: Snapshot, view: YearView) -> list[Membership]:
        """Its effective members in the view's year, built once per view."""
        found: list[Membership] | None = view.built.get(self.model.id)
        if found is None:
            rows = [
                (m.code, m.role, (m.member_from, m.member_to))
                for m in view.members_by_partnership().get(self.model.id, [])
            ]
            found = view.built.setdefault(self.model.id, self._memberships(snapshot, rows))
        return found

    def _memberships(
        self, snapshot: Snapshot, rows: list[tuple[str, str, tuple[int | None, int | None]]]
    ) -> list[Membership]:
        by_code = snapshot.councils_by_code
        return [
            membership_of(council_object(snapshot, c), role, own, self.model)
            for code, role, own in rows
            if (c := by_code.get(code)) is not None
        ]

    @strawberry.field(description="Whether the partnership is active in `year` (data README rule).")
    def active_in(
        self, info: Info, year: Annotated[int, strawberry.argument(description="Calendar year.")]
    ) -> bool:
        return with_year_view(
            info, year, None, lambda s, v: self.model.id in v.members_by_partnership()
        )

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
