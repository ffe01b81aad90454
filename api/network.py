"""GraphQL for the network analysis: peers to contact, measures, communities."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, TypeVar

import strawberry

from api.errors import UserError
from api.types import (
    AfterArg,
    Council,
    CouncilMetrics,
    FirstArg,
    Info,
    PageInfo,
    Partnership,
    Service,
    ServiceArg,
    YearArg,
    paginate,
)
from graph import analysis, rules
from graph import repository as repo
from graph.analysis import NetworkAnalysis

MAX_PEERS = 50


def _year(year: int | None) -> int:
    return rules.resolve_year(year)


@strawberry.enum(description="A council measure to sort by.")
class Metric(Enum):
    DEGREE = "degree"
    WEIGHTED_DEGREE = "weighted_degree"
    BETWEENNESS = "betweenness"
    CONSTRAINT = "constraint"
    EFFECTIVE_SIZE = "effective_size"
    COMMUNITY = "community"
    COMPONENT = "component"


@strawberry.type(description="An edge of a metrics list.")
class CouncilMetricsEdge:
    node: CouncilMetrics = strawberry.field(description="A council's measures.")
    cursor: str = strawberry.field(description="Opaque position, for `after`.")


@strawberry.type(description="A page of council measures.")
class CouncilMetricsConnection:
    edges: list[CouncilMetricsEdge] = strawberry.field(description="This page.")
    page_info: PageInfo = strawberry.field(description="Whether more follow.")
    total_count: int = strawberry.field(description="Councils in the network.")


@strawberry.type(description="One year's sharing network (councils linked by partnerships).")
class Network:
    year: int = strawberry.field(description="The year.")
    service: Service | None = strawberry.field(description="The service layer, if one was given.")
    councils: int = strawberry.field(description="Councils in the network (active sharers).")
    ties: int = strawberry.field(description="Pairs of councils sharing a partnership.")
    density: float = strawberry.field(description="Ties over possible pairs.")
    components: int = strawberry.field(description="Connected components.")
    largest_component: int = strawberry.field(description="Councils in the largest one.")
    transitivity: float = strawberry.field(description="Share of closed triples.")
    communities: int = strawberry.field(description="Louvain communities (fixed seed).")
    modularity: float = strawberry.field(description="Modularity of that partition.")
    tier_assortativity: float | None = strawberry.field(
        description="Homophily by tier (Newman's r); null when undefined."
    )
    region_assortativity: float | None = strawberry.field(
        description="Homophily by region (Newman's r); null when undefined."
    )
    bordering_ties: int = strawberry.field(description="Ties between bordering councils.")
    bordering_share: float | None = strawberry.field(
        description="Share of ties between bordering councils (proximity)."
    )
    analysis: strawberry.Private[NetworkAnalysis]

    @strawberry.field(description="Per-council measures, sorted, paginated.")
    def metrics(
        self,
        order_by: Annotated[
            Metric, strawberry.argument(description="The measure to sort by.")
        ] = Metric.BETWEENNESS,
        descending: Annotated[
            bool, strawberry.argument(description="Largest first (default).")
        ] = True,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> CouncilMetricsConnection:
        ranked = analysis.rank_councils(
            self.analysis.metrics.values(), by=order_by.value, descending=descending
        )
        page = paginate(ranked, first, after)
        return CouncilMetricsConnection(
            edges=[
                CouncilMetricsEdge(node=CouncilMetrics.from_model(m), cursor=at)
                for m, at in page.items
            ],
            page_info=page.info,
            total_count=page.total,
        )

    @classmethod
    def from_analysis(cls, year: int, service: Service | None, a: NetworkAnalysis) -> Network:
        s = a.summary
        return cls(
            year=year,
            service=service,
            councils=s.councils,
            ties=s.ties,
            density=s.density,
            components=s.components,
            largest_component=s.largest_component,
            transitivity=s.transitivity,
            communities=s.communities,
            modularity=s.modularity,
            tier_assortativity=s.tier_assortativity,
            region_assortativity=s.region_assortativity,
            bordering_ties=s.bordering_ties,
            bordering_share=s.bordering_share,
            analysis=a,
        )


@strawberry.type(description="A cluster of councils that share more with each other.")
class Community:
    number: int = strawberry.field(description="1 is the largest.")
    size: int = strawberry.field(description="Councils in it.")
    codes: strawberry.Private[tuple[str, ...]]

    @strawberry.field(description="Its councils, ordered by name.")
    async def councils(self, info: Info) -> list[Council]:
        found = await info.context.loaders.council.load_many(list(self.codes))
        return sorted(
            (Council.from_model(c) for c in found if c is not None), key=lambda c: c.model.name
        )


@strawberry.type(description="A council worth calling: it shares what you asked about.")
class Peer:
    score: float = strawberry.field(description="Similarity in (0, 1]; higher is closer.")
    distance_km: float = strawberry.field(description="Distance between centroids, km.")
    reason: str = strawberry.field(
        description="Why, in one line: the facts behind the score (kinds, region, populations, "
        "km apart, a shared border: each also a field) and each partnership it rests on, with "
        "its members that year and how its years are known."
    )
    services: list[str] = strawberry.field(
        description="Services of the relevant partnerships (taxonomy codes).",
        deprecation_reason="Use `serviceLayers` (the Service enum, as everywhere else).",
    )
    since: int | None = strawberry.field(description="Earliest start year among them.")
    already_partner: bool = strawberry.field(
        description="Whether the asking council is already in one of those partnerships."
    )
    borders_asker: bool = strawberry.field(
        description="Whether it borders the asking council (said in `reason` too)."
    )
    code: strawberry.Private[str]
    partnership_ids: strawberry.Private[tuple[str, ...]]
    partner_codes: strawberry.Private[tuple[str, ...]]

    @strawberry.field(description="Services of the relevant partnerships.")
    def service_layers(self) -> list[Service]:
        return [Service(code) for code in self.services]

    @classmethod
    def from_model(cls, p: analysis.Peer) -> Peer:
        return cls(
            score=p.score,
            distance_km=p.distance_km,
            reason=p.reason,
            services=list(p.services),
            since=p.since,
            already_partner=p.already_partner,
            borders_asker=p.borders_asker,
            code=p.code,
            partnership_ids=p.partnerships,
            partner_codes=p.partners,
        )

    @strawberry.field(description="The council to learn from.")
    async def council(self, info: Info) -> Council:
        found = await info.context.loaders.council.load(self.code)
        if found is None:  # the analysis only names councils from the graph
            raise UserError(f"council {self.code} disappeared; retry the query")
        return Council.from_model(found)

    @strawberry.field(description="Its partnerships that make it relevant.")
    async def partnerships(self, info: Info) -> list[Partnership]:
        found = await info.context.loaders.partnership.load_many(list(self.partnership_ids))
        return [Partnership.from_model(p) for p in found if p is not None]

    @strawberry.field(description="Its partners in those partnerships.")
    async def partners(self, info: Info) -> list[Council]:
        found = await info.context.loaders.council.load_many(list(self.partner_codes))
        return [Council.from_model(c) for c in found if c is not None]


@strawberry.type(description="A statistical nearest neighbour (like the CIPFA model).")
class Neighbour:
    score: float = strawberry.field(description="Similarity in (0, 1].")
    distance_km: float = strawberry.field(description="Distance between centroids, km.")
    reason: str = strawberry.field(description="Why, in one line.")
    code: strawberry.Private[str]

    @strawberry.field(description="The council.")
    async def council(self, info: Info) -> Council | None:
        found = await info.context.loaders.council.load(self.code)
        return Council.from_model(found) if found else None


@strawberry.type(description="Peers for a council, and whether it already shares.")
class PeerSearch:
    already_shares: bool = strawberry.field(
        description="Whether the asking council already shares the service (or anything)."
    )
    peers: list[Peer] = strawberry.field(description="Councils to learn from, best first.")
    nearest_neighbours: list[Neighbour] = strawberry.field(
        description="Its statistical nearest neighbours, sharing or not."
    )


@strawberry.type(
    description="A council in partnership with both councils: it could introduce them."
)
class Introducer:
    code: strawberry.Private[str]
    with_start: strawberry.Private[tuple[str, ...]]
    with_end: strawberry.Private[tuple[str, ...]]

    @strawberry.field(description="The council.")
    async def council(self, info: Info) -> Council | None:
        found = await info.context.loaders.council.load(self.code)
        return Council.from_model(found) if found else None

    @strawberry.field(description="Its partnerships with the first council (`from`).")
    async def with_from(self, info: Info) -> list[Partnership]:
        found = await info.context.loaders.partnership.load_many(list(self.with_start))
        return [Partnership.from_model(p) for p in found if p is not None]

    @strawberry.field(description="Its partnerships with the second council (`to`).")
    async def with_to(self, info: Info) -> list[Partnership]:
        found = await info.context.loaders.partnership.load_many(list(self.with_end))
        return [Partnership.from_model(p) for p in found if p is not None]


@strawberry.type(description="One council of a chain, and the partnership that links it in.")
class ChainStep:
    code: strawberry.Private[str]
    via_id: strawberry.Private[str | None]

    @strawberry.field(description="The council.")
    async def council(self, info: Info) -> Council | None:
        found = await info.context.loaders.council.load(self.code)
        return Council.from_model(found) if found else None

    @strawberry.field(
        description="The partnership linking it to the council before it; null for the first."
    )
    async def via(self, info: Info) -> Partnership | None:
        found = await info.context.loaders.partnership.load(self.via_id) if self.via_id else None
        return Partnership.from_model(found) if found else None


@strawberry.type(description="Who could introduce one council to another, and through what.")
class Introductions:
    year: int = strawberry.field(description="The year whose partnerships count.")
    shared_partners: list[Introducer] = strawberry.field(
        description="Councils in partnership with both, with the partnerships concerned."
    )
    chain: list[ChainStep] = strawberry.field(
        description="The shortest chain of partnerships from one to the other, both ends "
        "included, each step naming its partnership; empty when none links them."
    )
    note: str = strawberry.field(description="The answer in one sentence.")


T = TypeVar("T")

#: Peers returned when neither `first` nor `limit` is given.
DEFAULT_PEERS = 10

CouncilArg = Annotated[
    str | None,
    strawberry.argument(description="The asking council: its GSS code or any form of its name."),
]
CodeArg = Annotated[
    str | None,
    strawberry.argument(description="The asking council.", deprecation_reason="Use `council`."),
]
PeersArg = Annotated[
    int | None,
    strawberry.argument(description=f"How many (1 to {MAX_PEERS}; default {DEFAULT_PEERS})."),
]
LimitArg = Annotated[
    int | None, strawberry.argument(description="How many.", deprecation_reason="Use `first`.")
]


def one_of(new: tuple[str, T | None], old: tuple[str, T | None], default: T | None = None) -> T:
    """The value of an argument given under its name or its deprecated one (not both)."""
    (new_name, new_value), (old_name, old_value) = new, old
    if new_value is not None and old_value is not None:
        raise UserError(f"give `{new_name}` or `{old_name}` (deprecated), not both")
    value = new_value if new_value is not None else old_value
    if value is None:
        if default is None:
            raise UserError(f"give `{new_name}`")
        return default
    return value


async def _peer_search(
    info: Info, code: str, service: Service | None, year: int | None, limit: int
) -> PeerSearch:
    if not 1 <= limit <= MAX_PEERS:
        raise UserError(f"first must be between 1 and {MAX_PEERS} (got {limit})")
    y = _year(year)
    councils = await info.context.all_councils()
    asker = repo.find_council(councils, code, y)
    if not asker.exists_in(y):
        raise UserError(f"{asker.name} did not exist in {y}; ask about a year it existed")
    snapshot = await info.context.snapshot()
    svc = service.value if service else None
    search = await info.context.run(lambda: snapshot.peers(asker.code, y, svc, limit=limit))
    neighbours = await info.context.run(lambda: snapshot.neighbours(asker.code, y, k=limit))
    return PeerSearch(
        already_shares=search.asker_shares,
        peers=[Peer.from_model(p) for p in search.peers],
        nearest_neighbours=[
            Neighbour(score=n.score, distance_km=n.distance_km, reason=n.reason, code=n.code)
            for n in neighbours
        ],
    )


@strawberry.type
class NetworkQuery:
    @strawberry.field(
        description="Councils the given council could learn from: active sharers of `service` "
        "(any service when omitted) in `year`, most similar and nearest first."
    )
    async def peers(
        self, info: Info, council: CouncilArg = None, service: ServiceArg = None,
        year: YearArg = None, first: PeersArg = None, code: CodeArg = None,
        limit: LimitArg = None,
    ) -> list[Peer] | None:  # fmt: skip
        asker = one_of(("council", council), ("code", code))
        size = one_of(("first", first), ("limit", limit), DEFAULT_PEERS)
        return (await _peer_search(info, asker, service, year, size)).peers

    @strawberry.field(
        description="Peers plus whether the council already shares, and its statistical "
        "nearest neighbours regardless of sharing."
    )
    async def peer_search(
        self, info: Info, council: CouncilArg = None, service: ServiceArg = None,
        year: YearArg = None, first: PeersArg = None, code: CodeArg = None,
        limit: LimitArg = None,
    ) -> PeerSearch | None:  # fmt: skip
        asker = one_of(("council", council), ("code", code))
        size = one_of(("first", first), ("limit", limit), DEFAULT_PEERS)
        return await _peer_search(info, asker, service, year, size)

    @strawberry.field(
        description="Who could introduce one council to another: councils in partnership with "
        "both in `year`, or else the shortest chain of partnerships, each step named."
    )
    async def introductions(
        self,
        info: Info,
        from_: Annotated[
            str,
            strawberry.argument(name="from", description="GSS code or any form of the name."),
        ],
        to: Annotated[str, strawberry.argument(description="GSS code or any form of the name.")],
        year: YearArg = None,
    ) -> Introductions | None:
        y = _year(year)
        councils = await info.context.all_councils()
        start = repo.find_council(councils, from_, y)
        end = repo.find_council(councils, to, y)
        snapshot = await info.context.snapshot()
        rows = await info.context.run(lambda: snapshot.analysis_rows(y))
        found = analysis.introductions(rows, start.code, end.code)
        if found.shared:
            note = (
                f"{len(found.shared)} council(s) partner with both {start.name} and "
                f"{end.name} in {y}: ask one of them for an introduction."
            )
        elif found.chain:
            note = (
                f"No council partners with both in {y}; a chain of {len(found.chain) - 1} "
                "partnership(s) links them."
            )
        else:
            note = f"No chain of partnerships links {start.name} and {end.name} in {y}."
        return Introductions(
            year=y,
            shared_partners=[
                Introducer(code=i.code, with_start=i.with_start, with_end=i.with_end)
                for i in found.shared
            ],
            chain=[ChainStep(code=s.code, via_id=s.via) for s in found.chain],
            note=note,
        )

    @strawberry.field(description="Network-wide figures and per-council measures for a year.")
    async def network(
        self, info: Info, year: YearArg = None, service: ServiceArg = None
    ) -> Network:
        y = _year(year)
        analysed = await info.context.network_analysis(y, service.value if service else None)
        return Network.from_analysis(y, service, analysed)

    @strawberry.field(description="Louvain communities of the year's network (fixed seed).")
    async def communities(
        self, info: Info, year: YearArg = None, service: ServiceArg = None
    ) -> list[Community]:
        a = await info.context.network_analysis(_year(year), service.value if service else None)
        return [
            Community(number=i, size=len(group), codes=tuple(sorted(group)))
            for i, group in enumerate(a.communities, start=1)
        ]
