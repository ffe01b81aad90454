"""The GraphQL schema: queries over councils and partnerships, with limits on every request."""

from __future__ import annotations

from collections import Counter, deque
from typing import Annotated

import strawberry

from api.errors import SafeErrors, UserError
from api.guards import QueryLimits
from api.limits import Limits
from api.mutations import ContributionQuery, Mutation
from api.network import NetworkQuery
from api.types import (
    SAVINGS_CAVEAT,
    AfterArg,
    Council,
    CouncilConnection,
    CouncilEdge,
    CouncilKind,
    Count,
    FirstArg,
    Info,
    LgaReference,
    Office,
    Partnership,
    PartnershipConnection,
    PartnershipEdge,
    PartnershipStatus,
    Savings,
    Service,
    ServiceArg,
    SharingStatus,
    SingletonNeighbourhood,
    Stats,
    Tier,
    TierMix,
    YearArg,
    office_of,
    paginate,
)
from api.types.reorganisation import ReorganisationMutation, ReorganisationQuery
from graph import repository as repo
from graph import rules
from graph.names import normalise

MAX_LIST = 500  # cap on lists that are not paginated (singletons and the like)


@strawberry.input(description="Narrow a council list; all conditions must hold.")
class CouncilFilter:
    kind: list[CouncilKind] | None = strawberry.field(
        default=None, description="Any of these kinds."
    )
    tier: Tier | None = strawberry.field(default=None, description="Only this tier.")
    region: str | None = strawberry.field(default=None, description="English region, any case.")
    year: int | None = strawberry.field(
        default=None,
        description="Only councils existing in this year (and the year for `sharing`).",
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


@strawberry.input(description="Narrow a partnership list; all conditions must hold.")
class PartnershipFilter:
    service: Service | None = strawberry.field(default=None, description="Covers this layer.")
    status: list[PartnershipStatus] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    council: str | None = strawberry.field(
        default=None, description="Has this member (GSS code or name; with `activeIn`, effective)."
    )
    region: str | None = strawberry.field(default=None, description="Has a member in this region.")
    tier_mix: TierMix | None = strawberry.field(
        default=None, description="Tier mix of the members (in `activeIn` when given)."
    )
    office: Office | None = strawberry.field(default=None, description="Back/front/mixed office.")
    active_in: int | None = strawberry.field(
        default=None, description="Only partnerships active in this year (data README rule)."
    )


async def _resolve_council(info: Info, code: str | None, name: str | None) -> repo.Council | None:
    if (code is None) == (name is None):
        raise UserError("give exactly one of `code` or `name`")
    if code is not None:
        return await info.context.loaders.council.load(code.strip().upper())
    assert name is not None
    key = normalise(name)
    matches = await info.context.run(lambda: repo.councils_by_alias_key(info.context.db, key))
    return repo.pick_council(matches)


def _year(year: int | None) -> int:
    return rules.resolve_year(year)


@strawberry.type(description="Questions about English councils and the services they share.")
class Query(NetworkQuery, ContributionQuery, ReorganisationQuery):
    @strawberry.field(
        description="One council by GSS code (current or former) or by name (any alias, any "
        "case, '&' or 'and'); null when none matches."
    )
    async def council(
        self,
        info: Info,
        code: Annotated[
            str | None, strawberry.argument(description="GSS code, e.g. E07000084.")
        ] = None,
        name: Annotated[
            str | None, strawberry.argument(description="Any form of the name.")
        ] = None,
    ) -> Council | None:
        found = await _resolve_council(info, code, name)
        return Council.from_model(found) if found else None

    @strawberry.field(description="Councils, filtered and paginated, ordered by name.")
    async def councils(
        self,
        info: Info,
        filter: Annotated[
            CouncilFilter | None, strawberry.argument(description="Conditions to match.")
        ] = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> CouncilConnection:
        page = paginate(await _filtered_councils(info, filter or CouncilFilter()), first, after)
        return CouncilConnection(
            edges=[CouncilEdge(node=Council.from_model(c), cursor=at) for c, at in page.items],
            page_info=page.info,
            total_count=page.total,
        )

    @strawberry.field(description="Partnerships, filtered and paginated, ordered by name.")
    async def partnerships(
        self,
        info: Info,
        filter: Annotated[
            PartnershipFilter | None, strawberry.argument(description="Conditions to match.")
        ] = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> PartnershipConnection:
        chosen = await _filtered_partnerships(info, filter or PartnershipFilter())
        page = paginate(chosen, first, after)
        return PartnershipConnection(
            edges=[
                PartnershipEdge(node=Partnership.from_model(p), cursor=at) for p, at in page.items
            ],
            page_info=page.info,
            total_count=page.total,
        )

    @strawberry.field(description="One partnership by id; null when unknown.")
    async def partnership(
        self,
        info: Info,
        id: Annotated[str, strawberry.argument(description="Partnership id.")],
    ) -> Partnership | None:
        found = await info.context.loaders.partnership.load(id)
        return Partnership.from_model(found) if found else None

    @strawberry.field(
        description="Councils existing in `year` that are in no partnership active that year "
        "(in `service`, when given), ordered by name."
    )
    async def singletons(
        self, info: Info, year: YearArg = None, service: ServiceArg = None
    ) -> list[Council]:
        singles = await _singletons(info, _year(year), service)
        return [Council.from_model(c) for c in singles[:MAX_LIST]]

    @strawberry.field(
        description="Each singleton that borders at least one active sharer, with those "
        "sharing neighbours: who is near and could be called. Ordered by council name."
    )
    async def singletons_bordering_sharers(
        self, info: Info, year: YearArg = None, service: ServiceArg = None
    ) -> list[SingletonNeighbourhood]:
        year = _year(year)
        singles = await _singletons(info, year, service)
        view = await info.context.year_view(year, service.value if service else None)
        links = await info.context.loaders.links.load_many([c.code for c in singles])
        sharing = {
            council.code: sorted(code for code in link.borders if code in view.sharers)
            for council, link in zip(singles, links, strict=True)
            if link is not None
        }
        # One batch for every neighbour of every singleton, not one per singleton.
        wanted = sorted({code for codes in sharing.values() for code in codes})
        found = {c.code: c for c in await info.context.loaders.council.load_many(wanted) if c}
        result = [
            SingletonNeighbourhood(
                council=Council.from_model(council),
                sharing_neighbours=sorted(
                    (
                        Council.from_model(found[code])
                        for code in sharing[council.code]
                        if code in found
                    ),
                    key=lambda c: c.model.name,
                ),
            )
            for council in singles
            if sharing.get(council.code)
        ]
        return result[:MAX_LIST]

    @strawberry.field(description="Headline figures over the partnerships active in `year`.")
    async def stats(self, info: Info, year: YearArg = None, service: ServiceArg = None) -> Stats:
        return await _stats(info, _year(year), service)

    @strawberry.field(
        description="The shortest chain of partnerships active in `year` linking two councils "
        "(who can introduce me?): the councils along it, both ends included; null if none."
    )
    async def path(
        self,
        info: Info,
        from_code: Annotated[str, strawberry.argument(description="GSS code of the start.")],
        to_code: Annotated[str, strawberry.argument(description="GSS code of the end.")],
        year: YearArg = None,
    ) -> list[Council] | None:
        start, end = await info.context.loaders.council.load_many([from_code, to_code])
        for given, found in ((from_code, start), (to_code, end)):
            if found is None:
                raise UserError(f"no council has the GSS code {given!r}")
        assert start is not None
        assert end is not None
        view = await info.context.year_view(year)
        chain = shortest_chain(view.memberships, start.code, end.code)
        if chain is None:
            return None
        councils = await info.context.loaders.council.load_many(chain)
        return [Council.from_model(c) for c in councils if c is not None]


def shortest_chain(
    memberships: tuple[repo.Membership, ...], start: str, end: str
) -> list[str] | None:
    """Breadth-first search over councils linked by shared partnerships."""
    by_partnership: dict[str, list[str]] = {}
    by_council: dict[str, list[str]] = {}
    for m in memberships:
        by_partnership.setdefault(m.partnership_id, []).append(m.code)
        by_council.setdefault(m.code, []).append(m.partnership_id)
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        code = queue.popleft()
        if code == end:
            chain = [code]
            while (before := previous[chain[-1]]) is not None:
                chain.append(before)
            return chain[::-1]
        for pid in by_council.get(code, []):
            for other in by_partnership[pid]:
                if other not in previous:
                    previous[other] = code
                    queue.append(other)
    return None


async def _all_councils(info: Info) -> tuple[repo.Council, ...]:
    return await info.context.all_councils()


async def _singletons(info: Info, year: int, service: Service | None) -> list[repo.Council]:
    view = await info.context.year_view(year, service.value if service else None)
    councils = await _all_councils(info)
    return [c for c in councils if c.exists_in(year) and c.code not in view.sharers]


async def _filtered_councils(info: Info, f: CouncilFilter) -> list[repo.Council]:
    councils = await _all_councils(info)
    kinds = {k.value for k in f.kind} if f.kind else None
    key = normalise(f.name_contains) if f.name_contains else None
    sharers: frozenset[str] | None = None
    # A service on its own asks for the councils sharing it: a service has no other meaning
    # for a council.
    sharing = f.sharing or (SharingStatus.SHARER if f.service is not None else None)
    if sharing is not None:
        view = await info.context.year_view(f.year, f.service.value if f.service else None)
        sharers = view.sharers
        sharing_year = view.year
    chosen = []
    for c in councils:
        if kinds is not None and c.kind not in kinds:
            continue
        if f.tier is not None and c.tier != f.tier.value:
            continue
        if f.region is not None and (c.region or "").lower() != f.region.strip().lower():
            continue
        if f.year is not None and not c.exists_in(f.year):
            continue
        if key is not None and key not in normalise(c.name):
            continue
        if sharers is not None:
            if not c.exists_in(sharing_year):
                continue
            if (c.code in sharers) != (sharing is SharingStatus.SHARER):
                continue
        chosen.append(c)
    return chosen


async def _filtered_partnerships(info: Info, f: PartnershipFilter) -> list[repo.Partnership]:
    everything = await info.context.all_partnerships()
    if f.active_in is not None:
        view = await info.context.year_view(f.active_in)
        members = view.members_by_partnership()
        ids = sorted(members)
    else:
        ids = sorted(everything)
    partnerships = [everything[pid] for pid in ids if pid in everything]
    member_codes = {
        p.id: (
            [m.code for m in members[p.id]]
            if f.active_in is not None
            else [m.code for m in p.members]
        )
        for p in partnerships
    }
    councils: dict[str, repo.Council] = {}
    if f.council or f.region or f.tier_mix:
        wanted = sorted({code for codes in member_codes.values() for code in codes})
        found = await info.context.loaders.council.load_many(wanted)
        councils = {c.code: c for c in found if c is not None}
    council_code = None
    if f.council:
        council_code = repo.find_council(await _all_councils(info), f.council, f.active_in).code
    statuses = {s.value for s in f.status} if f.status else None
    chosen = []
    for p in sorted(partnerships, key=lambda p: (p.name.lower(), p.id)):
        codes = member_codes[p.id]
        if f.service is not None and f.service.value not in p.services:
            continue
        if statuses is not None and p.status not in statuses:
            continue
        if council_code is not None and council_code not in codes:
            continue
        if f.region is not None and not any(
            (councils[c].region or "").lower() == f.region.strip().lower()
            for c in codes
            if c in councils
        ):
            continue
        if (
            f.tier_mix is not None
            and rules.tier_mix(councils[c].tier for c in codes if c in councils) != f.tier_mix.value
        ):
            continue
        if f.office is not None and office_of(p.services) != f.office:
            continue
        chosen.append(p)
    return chosen


async def _stats(info: Info, year: int, service: Service | None) -> Stats:
    view = await info.context.year_view(year, service.value if service else None)
    members = view.members_by_partnership()
    everything = await info.context.all_partnerships()
    partnerships = [everything[pid] for pid in sorted(members) if pid in everything]
    councils = await _all_councils(info)
    by_code = {c.code: c for c in councils}
    existing = [c for c in councils if c.exists_in(year)]
    by_service: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    by_mix: Counter[str] = Counter()
    by_office: Counter[str] = Counter()
    by_region: Counter[str] = Counter()
    savings_total, with_figure = 0, 0
    for p in partnerships:
        codes = [m.code for m in members[p.id]]
        by_service.update(p.services)
        by_status[p.status] += 1
        mix = rules.tier_mix(by_code[c].tier for c in codes if c in by_code)
        if mix:
            by_mix[mix] += 1
        office = office_of(p.services)
        if office is not None:
            by_office[office.value] += 1
        by_region.update({r for c in codes if c in by_code and (r := by_code[c].region)})
        if p.annual_savings_gbp is not None:
            savings_total += p.annual_savings_gbp
            with_figure += 1

    def counts(counter: Counter[str]) -> list[Count]:
        return [
            Count(key=k, count=n)
            for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        ]

    sharers = view.sharers
    fresh = repo.freshness(view.memberships, year)
    edition = repo.nearest_lga_edition(await info.context.lga_editions(), year)
    return Stats(
        year=year,
        service=service,
        total=len(partnerships),
        by_service=counts(by_service),
        by_status=counts(by_status),
        by_tier_mix=counts(by_mix),
        by_office=counts(by_office),
        by_region=counts(by_region),
        councils=len(existing),
        active_sharers=sum(1 for c in existing if c.code in sharers),
        singletons=sum(1 for c in existing if c.code not in sharers),
        savings=Savings(
            reported_total_gbp=savings_total,
            partnerships_with_figure=with_figure,
            caveat=SAVINGS_CAVEAT,
        ),
        active_on_old_evidence=fresh.on_old_evidence,
        undated=fresh.undated,
        lga_reference=LgaReference.from_model(edition) if edition else None,
        coverage_note=repo.coverage_note(year, len(partnerships), edition),
    )


@strawberry.type(
    name="Mutation",
    description="Contributions: propose partnerships or changes, and review them; load "
    "reorganisation proposals.",
)
class AllMutations(Mutation, ReorganisationMutation):
    """Every mutation: api/mutations.py and api/types/reorganisation.py."""


def build_schema(limits: Limits | None = None) -> strawberry.Schema:
    """The schema with its safety limits (``api/limits.py``; default: ``Limits()``) and masked
    errors."""
    limits = limits or Limits()
    return strawberry.Schema(
        query=Query,
        mutation=AllMutations,
        # Factories, so each request gets fresh extension instances.
        extensions=[lambda: QueryLimits(limits=limits), SafeErrors],
    )
