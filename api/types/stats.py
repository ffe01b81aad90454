"""Headline figures for a year, beside the LGA's own published totals."""

from __future__ import annotations

import strawberry

from api.types.common import Office, PartnershipStatus, Service, TierMix
from api.types.inputs import Region
from graph import repository as repo

#: Why the String-keyed breakdowns are deprecated (they stay, so old queries still answer).
TYPED = "Use the typed breakdown beside it (keys as enums)."


@strawberry.type(description="A count for one value of a breakdown.")
class Count:
    key: str = strawberry.field(description="The value (e.g. a service code or region).")
    count: int = strawberry.field(description="How many partnerships have it.")


@strawberry.type(description="Partnerships per service layer.")
class ServiceCount:
    service: Service = strawberry.field(description="The service layer.")
    count: int = strawberry.field(description="How many partnerships cover it.")


@strawberry.type(description="Partnerships per status.")
class StatusCount:
    status: PartnershipStatus = strawberry.field(description="The status.")
    count: int = strawberry.field(description="How many partnerships have it.")


@strawberry.type(description="Partnerships per tier mix.")
class TierMixCount:
    tier_mix: TierMix = strawberry.field(description="The tier mix.")
    count: int = strawberry.field(description="How many partnerships have it.")


@strawberry.type(description="Partnerships per office.")
class OfficeCount:
    office: Office = strawberry.field(description="Back, front or mixed office.")
    count: int = strawberry.field(description="How many partnerships are of it.")


@strawberry.type(description="Partnerships per region of their members.")
class RegionCount:
    region: Region = strawberry.field(description="The region.")
    count: int = strawberry.field(description="How many partnerships have a member in it.")


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
        deprecation_reason=TYPED,
        description="Per service layer (a partnership counts once in each of its layers).",
    )
    by_status: list[Count] = strawberry.field(
        deprecation_reason=TYPED, description="Per status (operational/ended)."
    )
    by_tier_mix: list[Count] = strawberry.field(
        deprecation_reason=TYPED, description="Per tier mix of the year's members."
    )
    by_office: list[Count] = strawberry.field(
        deprecation_reason=TYPED,
        description="Per back/front/mixed office; partnerships with no known service left out.",
    )
    by_region: list[Count] = strawberry.field(
        deprecation_reason=TYPED,
        description="Per region (a partnership counts once in each region of its members).",
    )
    councils: int = strawberry.field(description="Councils existing in the year.")

    @strawberry.field(description="Per service layer (once in each of a partnership's layers).")
    def services(self) -> list[ServiceCount]:
        return [ServiceCount(service=Service(c.key), count=c.count) for c in self.by_service]

    @strawberry.field(description="Per status (operational/ended).")
    def statuses(self) -> list[StatusCount]:
        return [StatusCount(status=PartnershipStatus(c.key), count=c.count) for c in self.by_status]

    @strawberry.field(description="Per tier mix of the year's members.")
    def tier_mixes(self) -> list[TierMixCount]:
        return [TierMixCount(tier_mix=TierMix(c.key), count=c.count) for c in self.by_tier_mix]

    @strawberry.field(description="Per back/front/mixed office (no known service: left out).")
    def offices(self) -> list[OfficeCount]:
        return [OfficeCount(office=Office(c.key), count=c.count) for c in self.by_office]

    @strawberry.field(description="Per region (once in each region of its members).")
    def regions(self) -> list[RegionCount]:
        return [RegionCount(region=Region(c.key), count=c.count) for c in self.by_region]

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
