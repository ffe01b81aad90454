"""GraphQL for reorganisation (docs/reorganisation.md): lineage of successor councils, past
reorganisations, base rates of merging, and proposals checked against a year's partnerships.

Everything is computed from the request's snapshot (``graph.reorganisation``,
``graph.reorganisation_proposals``); years say how they are known.
"""

from __future__ import annotations

import datetime
from enum import Enum
from typing import Annotated

import strawberry

from api.types.common import Info, Service, YearArg, YearBasis
from api.types.objects import Council, Partnership, SourceRef
from graph import reorganisation as reo
from graph import reorganisation_proposals as rp
from graph import rules
from graph.models import find_council
from graph.snapshot import Snapshot

__all__ = ["Proposal", "ReorganisationQuery", "named_check"]

VESTING_BASIS = "stated: the council register's start date (data/councils)"


def _councils(snapshot: Snapshot, codes: tuple[str, ...] | list[str]) -> list[Council]:
    return [Council.from_model(snapshot.councils_by_code[c]) for c in codes]


@strawberry.type(description="A council a successor replaced.")
class Predecessor:
    council: Council = strawberry.field(description="The council replaced.")
    via: Council | None = strawberry.field(
        description="The council it passed through (an earlier reorganisation), if any."
    )
    successors: list[Council] = strawberry.field(
        description="Every council that replaced it (two or more: it was split)."
    )
    split: bool = strawberry.field(description="Whether it was split between successors.")
    share: list[str] = strawberry.field(
        description="When split: the 2013 districts of its territory in this successor (the "
        "data README's territory rule); empty otherwise."
    )
    territory_size: int = strawberry.field(description="2013 districts in its whole territory.")

    @classmethod
    def build(cls, model: reo.Predecessor, snapshot: Snapshot) -> Predecessor:
        via = snapshot.councils_by_code.get(model.via) if model.via else None
        return cls(
            council=Council.from_model(model.council),
            via=Council.from_model(via) if via else None,
            successors=_councils(snapshot, model.successors),
            split=model.split,
            share=list(model.share),
            territory_size=model.territory_size,
        )


@strawberry.type(description="A partnership among predecessors before the change.")
class PredecessorPartnership:
    partnership: Partnership = strawberry.field(description="The partnership.")
    members: list[Council] = strawberry.field(
        description="The predecessors among its effective members."
    )
    first_year: int = strawberry.field(description="First year active among them (the rules).")
    last_year: int = strawberry.field(description="Last year before the change active among them.")
    years: str = strawberry.field(description="Its own years with their basis, as read.")
    start_basis: YearBasis = strawberry.field(description="How its start year is known.")
    management: bool = strawberry.field(
        description="A shared chief executive or management team (the `management` layer)."
    )

    @classmethod
    def build(cls, model: reo.PredecessorPartnership, snapshot: Snapshot) -> PredecessorPartnership:
        return cls(
            partnership=Partnership.from_model(model.partnership),
            members=_councils(snapshot, model.members),
            first_year=model.first_year,
            last_year=model.last_year,
            years=model.years,
            start_basis=YearBasis(model.start_basis),
            management=model.management,
        )


@strawberry.type(description="A council created by a reorganisation and what came before it.")
class Lineage:
    council: Council = strawberry.field(description="The successor council.")
    vesting: datetime.date = strawberry.field(description="The day it came into being.")
    vesting_basis: str = strawberry.field(description="How that date is known.")
    predecessors: list[Predecessor] = strawberry.field(description="Councils it replaced.")
    partnerships: list[PredecessorPartnership] = strawberry.field(
        description="Partnerships among the predecessors before the change (management first)."
    )
    shared_management: bool = strawberry.field(
        description="Whether a shared chief executive or management team was among them."
    )
    first_year_considered: int = strawberry.field(description="First year looked at.")
    last_year_considered: int = strawberry.field(description="The year before the change.")

    @classmethod
    def build(cls, model: reo.Lineage, snapshot: Snapshot) -> Lineage:
        return cls(
            council=Council.from_model(model.council),
            vesting=model.vesting,
            vesting_basis=VESTING_BASIS,
            predecessors=[Predecessor.build(p, snapshot) for p in model.predecessors],
            partnerships=[PredecessorPartnership.build(p, snapshot) for p in model.partnerships],
            shared_management=model.shared_management,
            first_year_considered=model.years_considered[0],
            last_year_considered=model.years_considered[1],
        )


@strawberry.type(description="Councils created on one day and the councils they replaced.")
class Reorganisation:
    vesting: datetime.date = strawberry.field(description="The day the new councils began.")
    vesting_basis: str = strawberry.field(description="How that date is known.")
    successors: list[Council] = strawberry.field(description="The new councils.")
    replaced: list[Council] = strawberry.field(description="The councils they replaced.")


@strawberry.type(description="Two bordering councils.")
class CouncilPair:
    first: Council = strawberry.field(description="One of them (the lower code).")
    second: Council = strawberry.field(description="The other.")


@strawberry.type(description="Of some bordering pairs, how many later merged.")
class BaseRate:
    pairs: int = strawberry.field(description="Bordering pairs that existed together.")
    merged: int = strawberry.field(description="Of them, pairs with a common successor.")
    share: float | None = strawberry.field(description="merged / pairs; null with no pairs.")
    merged_pairs: list[CouncilPair] = strawberry.field(description="The pairs that merged.")

    @classmethod
    def build(cls, model: reo.BaseRate, snapshot: Snapshot) -> BaseRate:
        pairs = [
            CouncilPair(first=a, second=b)
            for a, b in (_councils(snapshot, list(p)) for p in model.merged_pairs)
        ]
        return cls(pairs=model.pairs, merged=model.merged, share=model.share, merged_pairs=pairs)


@strawberry.type(description="Did councils that shared management go on to merge? Base rates.")
class ReorganisationEvidence:
    shared_management: BaseRate = strawberry.field(
        description="Bordering pairs that shared a chief executive or management team."
    )
    no_shared_management: BaseRate = strawberry.field(description="Bordering pairs that did not.")
    first_year: int = strawberry.field(description="First year considered.")
    last_year: int = strawberry.field(description="Last year considered.")
    years_basis: str = strawberry.field(description="How sharing in a year is known.")
    caveat: str = strawberry.field(description="Read the figures with this.")


@strawberry.enum(description="Where a partnership falls in a proposal.")
class Placement(Enum):
    INSIDE = "inside"
    CROSSING = "crossing"
    OUTSIDE = "outside"


@strawberry.type(description="A partnership placed against a proposal's units.")
class PartnershipPlacement:
    partnership: Partnership = strawberry.field(description="The partnership.")
    placement: Placement = strawberry.field(
        description="INSIDE one unit (folds in), CROSSING units (needs a new agreement), or "
        "OUTSIDE (members beyond the area)."
    )
    units: list[str] = strawberry.field(description="Units its members lie in.")
    members: list[Council] = strawberry.field(description="Its effective members that year.")
    spanning: list[Council] = strawberry.field(
        description="Members that span several units (a county, a split district)."
    )
    outside: list[Council] = strawberry.field(description="Members outside the area.")
    years: str = strawberry.field(description="Its years with their basis, as read.")

    @classmethod
    def build(cls, model: rp.PartnershipPlacement, snapshot: Snapshot) -> PartnershipPlacement:
        return cls(
            partnership=Partnership.from_model(model.partnership),
            placement=Placement(model.placement.value),
            units=list(model.units),
            members=_councils(snapshot, model.members),
            spanning=_councils(snapshot, model.spanning),
            outside=_councils(snapshot, model.outside),
            years=model.years,
        )


@strawberry.type(description="A proposed new council, checked in a year.")
class ProposedUnit:
    name: str = strawberry.field(description="Its proposed name.")
    councils: list[Council] = strawberry.field(description="Whole member councils.")
    split_councils: list[Council] = strawberry.field(description="Members split with others.")
    population: int | None = strawberry.field(description="Census 2021, whole members.")
    population_note: str = strawberry.field(description="What the population counts.")
    area_km2: float | None = strawberry.field(description="Whole members' area; null if unknown.")
    shared_across: list[Service] = strawberry.field(
        description="Layers one partnership shares across all its members."
    )
    shared_partly: list[Service] = strawberry.field(description="Layers some members share.")
    not_shared: list[Service] = strawberry.field(description="Layers none of them share.")
    inside: list[Partnership] = strawberry.field(description="Partnerships that fold into it.")

    @classmethod
    def build(cls, model: rp.UnitCheck, snapshot: Snapshot) -> ProposedUnit:
        unit = model.unit
        return cls(
            name=unit.name,
            councils=_councils(snapshot, unit.members),
            split_councils=_councils(snapshot, unit.partial),
            population=unit.population,
            population_note=unit.population_note,
            area_km2=model.area_ha / 100 if model.area_ha is not None else None,
            shared_across=[Service(c) for c in model.layers_across],
            shared_partly=[Service(c) for c in model.layers_partly],
            not_shared=[Service(c) for c in model.layers_none],
            inside=[Partnership.from_model(snapshot.partnerships[p]) for p in model.inside],
        )


@strawberry.type(description="A reorganisation proposal (never a council) and its check.")
class Proposal:
    name: str = strawberry.field(description="Its key, e.g. 'surrey-two-unitaries'.")
    title: str = strawberry.field(description="Its title as its sources give it.")
    area: str = strawberry.field(description="The area it covers, as named.")
    status: str = strawberry.field(description="decided, rejected or submitted (latest source).")
    origin: str = strawberry.field(description="bundled, file (a user's) or register (replay).")
    proposer: str = strawberry.field(description="Who proposed it.")
    decision_date: str | None = strawberry.field(description="When it was decided, if it was.")
    vesting_date: str | None = strawberry.field(description="When the new councils would begin.")
    notes: str = strawberry.field(description="Notes from the sources (incompleteness too).")
    sources: list[SourceRef] = strawberry.field(description="Where it is described.")
    year: int = strawberry.field(description="The year the partnerships are checked in.")
    units: list[ProposedUnit] = strawberry.field(description="The proposed new councils.")
    inside: list[PartnershipPlacement] = strawberry.field(description="Fold into one unit.")
    crossing: list[PartnershipPlacement] = strawberry.field(description="Need a new agreement.")
    outside: list[PartnershipPlacement] = strawberry.field(description="Reach beyond the area.")
    unplaced: list[Council] = strawberry.field(
        description="Councils of the area's counties no unit includes (an incomplete proposal), "
        "by unplacedRule: unitary councils the proposal never names are not counted."
    )
    area_counties: list[Council] = strawberry.field(
        description="The county councils whose districts make the area `unplaced` is found in."
    )
    unplaced_rule: str = strawberry.field(description="How `unplaced` is found, and its limit.")

    @classmethod
    def build(cls, check: rp.ProposalCheck, snapshot: Snapshot) -> Proposal:
        p = check.proposal

        def placed(where: rp.Placement) -> list[PartnershipPlacement]:
            return [PartnershipPlacement.build(x, snapshot) for x in check.placed(where)]

        return cls(
            name=p.name,
            title=p.title,
            area=p.area,
            status=p.status,
            origin=p.origin,
            proposer=p.proposer,
            decision_date=p.decision_date,
            vesting_date=p.vesting_date,
            notes=p.notes,
            sources=[SourceRef(url=s.url, date=s.date) for s in p.sources],
            year=check.year,
            units=[ProposedUnit.build(u, snapshot) for u in check.units],
            inside=placed(rp.Placement.INSIDE),
            crossing=placed(rp.Placement.CROSSING),
            outside=placed(rp.Placement.OUTSIDE),
            unplaced=_councils(snapshot, check.unplaced),
            area_counties=_councils(snapshot, check.counties),
            unplaced_rule=rp.UNPLACED_RULE,
        )


def _check(snapshot: Snapshot, proposal: rp.Proposal, year: int | None) -> rp.ProposalCheck:
    when = rp.default_year(proposal) if year is None else rules.check_year(year)
    return rp.check_proposal(snapshot, proposal, when)


def named_check(snapshot: Snapshot, name: str, year: int | None) -> rp.ProposalCheck | None:
    found = rp.find_proposal(snapshot, name)
    return _check(snapshot, found, year) if found is not None else None


@strawberry.type
class ReorganisationQuery:
    @strawberry.field(
        description="A successor council's predecessors and their partnerships before the "
        "change; null for a council no reorganisation created."
    )
    async def lineage(
        self,
        info: Info,
        council: Annotated[str, strawberry.argument(description="GSS code or name.")],
    ) -> Lineage | None:
        snapshot = await info.context.snapshot()
        found = find_council(snapshot.councils, council)
        model = await info.context.run(lambda: reo.lineage(snapshot, found.code))
        return Lineage.build(model, snapshot) if model else None

    @strawberry.field(description="Reorganisations in the register, earliest first.")
    async def reorganisations(
        self,
        info: Info,
        from_: Annotated[
            int | None, strawberry.argument(name="from", description="First vesting year.")
        ] = None,
        to: Annotated[int | None, strawberry.argument(description="Last vesting year.")] = None,
    ) -> list[Reorganisation]:
        snapshot = await info.context.snapshot()
        return [
            Reorganisation(
                vesting=r.vesting,
                vesting_basis=VESTING_BASIS,
                successors=[Council.from_model(c) for c in r.successors],
                replaced=[Council.from_model(c) for c in r.replaced],
            )
            for r in reo.reorganisations(snapshot, from_, to)
        ]

    @strawberry.field(
        description="Base rates: did bordering councils that shared management merge?"
    )
    async def reorganisation_evidence(self, info: Info) -> ReorganisationEvidence:
        snapshot = await info.context.snapshot()
        model = await info.context.run(lambda: reo.reorganisation_evidence(snapshot))
        return ReorganisationEvidence(
            shared_management=BaseRate.build(model.shared_management, snapshot),
            no_shared_management=BaseRate.build(model.no_shared_management, snapshot),
            first_year=model.first_year,
            last_year=model.last_year,
            years_basis="effective members of an active partnership in the `management` layer in "
            "the year, by the rules of time (docs/time.md)",
            caveat=model.caveat,
        )

    @strawberry.field(description="Every proposal (the Surrey decision first), each checked.")
    async def proposals(self, info: Info, year: YearArg = None) -> list[Proposal]:
        snapshot = await info.context.snapshot()
        checks = await info.context.run(
            lambda: [_check(snapshot, p, year) for p in rp.proposals(snapshot)]
        )
        return [Proposal.build(c, snapshot) for c in checks]

    @strawberry.field(description="One proposal by name or title, checked; null when unknown.")
    async def proposal(
        self,
        info: Info,
        name: Annotated[str, strawberry.argument(description="Its name or title.")],
        year: YearArg = None,
    ) -> Proposal | None:
        snapshot = await info.context.snapshot()
        check = await info.context.run(lambda: named_check(snapshot, name, year))
        return Proposal.build(check, snapshot) if check else None
