"""The year's headline figures (``stats``): counts of the partnerships active in a year by
service, status, tier mix, office and region, sharers and singletons, reported savings, and
the LGA's own totals beside them."""

from __future__ import annotations

from collections import Counter

from api.types import (
    SAVINGS_CAVEAT,
    Count,
    Info,
    LgaReference,
    Savings,
    Service,
    Stats,
    office_of,
)
from graph import repository as repo
from graph import rules

__all__ = ["year_figures"]


async def year_figures(info: Info, year: int, service: Service | None) -> Stats:
    """Headline figures over the partnerships active in ``year`` (in ``service``)."""
    view = await info.context.year_view(year, service.value if service else None)
    members = view.members_by_partnership()
    everything = await info.context.all_partnerships()
    partnerships = [everything[pid] for pid in sorted(members) if pid in everything]
    councils = await info.context.all_councils()
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
