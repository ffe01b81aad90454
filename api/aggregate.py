"""Grouped counts of partnerships (``partnershipAggregate``): counts and reported savings per
start year, end year, service, region, tier mix, status or office, in one year or each year of
a range, over the partnerships a filter selects (``api/select.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

import strawberry

from api.errors import UserError
from api.select import (
    Facts,
    PartnershipRow,
    read_facts,
    select_partnerships,
    start_year_of,
    tier_mix_of,
)
from api.types.common import Info, Office, PartnershipStatus, Service, TierMix, office_of
from api.types.inputs import IntRange, PartnershipFilter, PartnershipGroupBy, Region
from api.types.stats import SAVINGS_CAVEAT, Savings
from graph import rules

__all__ = ["MAX_YEARS", "PartnershipGroup", "partnership_groups"]

#: The most years one aggregate may span (each year is one effective-membership read, once
#: per data version).
MAX_YEARS = 30


@strawberry.type(
    description="One group of partnerships: its key (the field named by `groupBy` is set, "
    "the others are null), how many and their reported savings."
)
class PartnershipGroup:
    year: int | None = strawberry.field(description="The year asked about; null for all years.")
    key: str | None = strawberry.field(
        description="The group's key as text (null: partnerships without one, e.g. undated)."
    )
    start_year: int | None = strawberry.field(default=None, description="START_YEAR groups.")
    end_year: int | None = strawberry.field(default=None, description="END_YEAR groups.")
    service: Service | None = strawberry.field(default=None, description="SERVICE groups.")
    region: Region | None = strawberry.field(default=None, description="REGION groups.")
    tier_mix: TierMix | None = strawberry.field(default=None, description="TIER_MIX groups.")
    status: PartnershipStatus | None = strawberry.field(default=None, description="STATUS groups.")
    office: Office | None = strawberry.field(default=None, description="OFFICE groups.")
    count: int = strawberry.field(default=0, description="Partnerships in the group.")
    savings: Savings = strawberry.field(
        default_factory=lambda: Savings(
            reported_total_gbp=0, partnerships_with_figure=0, caveat=SAVINGS_CAVEAT
        ),
        description="Their reported annual savings (councils' own figures: read the caveat).",
    )


Key = str | int | None


def _keys(group_by: PartnershipGroupBy, facts: Facts) -> Callable[[PartnershipRow], Iterable[Key]]:
    """The groups a row falls in (one, or one per service or member region)."""
    if group_by is PartnershipGroupBy.START_YEAR:
        return lambda r: [start_year_of(r.partnership)]
    if group_by is PartnershipGroupBy.END_YEAR:
        return lambda r: [r.partnership.span().end]
    if group_by is PartnershipGroupBy.SERVICE:
        return lambda r: r.partnership.services
    if group_by is PartnershipGroupBy.REGION:
        return lambda r: sorted(
            {c.region for code in r.members if (c := facts.by_code.get(code)) and c.region}
        )
    if group_by is PartnershipGroupBy.TIER_MIX:
        return lambda r: [tier_mix_of(facts, r)]
    if group_by is PartnershipGroupBy.STATUS:
        return lambda r: [r.partnership.status]
    return lambda r: [office.value if (office := office_of(r.partnership.services)) else None]


def _group(group_by: PartnershipGroupBy, year: int | None, key: Key) -> PartnershipGroup:
    group = PartnershipGroup(year=year, key=None if key is None else str(key))
    if key is None:
        return group
    typed = {
        PartnershipGroupBy.START_YEAR: lambda: replace(group, start_year=int(key)),
        PartnershipGroupBy.END_YEAR: lambda: replace(group, end_year=int(key)),
        PartnershipGroupBy.SERVICE: lambda: replace(group, service=Service(key)),
        PartnershipGroupBy.REGION: lambda: replace(group, region=Region(key)),
        PartnershipGroupBy.TIER_MIX: lambda: replace(group, tier_mix=TierMix(key)),
        PartnershipGroupBy.STATUS: lambda: replace(group, status=PartnershipStatus(key)),
        PartnershipGroupBy.OFFICE: lambda: replace(group, office=Office(key)),
    }
    return typed[group_by]()


def _years(year: int | None, years: IntRange | None) -> list[int | None]:
    if year is not None and years is not None:
        raise UserError("give `year` or `years`, not both")
    if years is None:
        return [rules.resolve_year(year) if year is not None else None]
    if years.gte is None or years.lte is None:
        raise UserError("years: give both ends of the range (gte and lte)")
    first, last = rules.resolve_year(years.gte), rules.resolve_year(years.lte)
    if not 0 <= last - first < MAX_YEARS:
        raise UserError(f"years: from {first} to {last} is not a range of 1 to {MAX_YEARS} years")
    return list(range(first, last + 1))


async def partnership_groups(
    info: Info,
    f: PartnershipFilter,
    group_by: PartnershipGroupBy,
    year: int | None,
    years: IntRange | None,
) -> list[PartnershipGroup]:
    """Groups per year (ascending); in each year, years in order, else largest first."""
    facts = await read_facts(info)
    keys_of = _keys(group_by, facts)
    result: list[PartnershipGroup] = []
    for y in _years(year, years):
        rows = await select_partnerships(info, f if y is None else _in_year(f, y))
        counts: dict[Key, list[int]] = {}
        for row in rows:
            saving = row.partnership.annual_savings_gbp
            for key in dict.fromkeys(keys_of(row)):
                tally = counts.setdefault(key, [0, 0, 0])
                tally[0] += 1
                if saving is not None:
                    tally[1] += saving
                    tally[2] += 1
        ordered = sorted(counts.items(), key=lambda kv: _order(group_by, kv[0], kv[1][0]))
        for key, (count, total, with_figure) in ordered:
            group = _group(group_by, y, key)
            group.count = count
            group.savings = Savings(
                reported_total_gbp=total,
                partnerships_with_figure=with_figure,
                caveat=SAVINGS_CAVEAT,
            )
            result.append(group)
    return result


def _order(group_by: PartnershipGroupBy, key: Key, count: int) -> tuple[object, ...]:
    """Years in order (unknown last); other groups largest first, then by key."""
    if group_by in (PartnershipGroupBy.START_YEAR, PartnershipGroupBy.END_YEAR):
        return (key is None, key if isinstance(key, int) else 0)
    return (-count, key is None, str(key))


def _in_year(f: PartnershipFilter, year: int) -> PartnershipFilter:
    """``f`` with ``year`` as its year (the filter's own AND'ed in when it has one)."""
    own = f.year if f.year is not None else f.active_in
    if own is None or own == year:
        return replace(f, year=year, active_in=None)
    return PartnershipFilter(year=year, and_=[f])
