"""Filters, orderings and groupings of the councils and partnerships of a request's snapshot.

The snapshot (``graph/snapshot.py``) holds every council and partnership of the data version,
read from Neo4j once per version, and the effective memberships of each year asked about
(computed from those, ``graph/memberships.py``); the filters here run over those, so a request
costs no more round trips however it filters, sorts or groups (one, to learn the data version).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from api.errors import UserError
from api.types.common import Info, office_of
from api.types.inputs import (
    CouncilOrder,
    CouncilOrderField,
    MemberCondition,
    MemberSetFilter,
    OrderDirection,
    PartnershipFilter,
    PartnershipOrder,
    PartnershipOrderField,
)
from graph import repository as repo
from graph import rules
from graph.names import normalise
from graph.snapshot import Snapshot

__all__ = [
    "Facts",
    "PartnershipRow",
    "council_partnership_rows",
    "council_position",
    "partnership_position",
    "read_facts",
    "select_partnerships",
    "start_year_of",
    "tier_mix_of",
]

#: Nested AND/OR/NOT filters deeper than this are refused (each level is walked per row).
MAX_FILTER_DEPTH = 5


@dataclass(frozen=True)
class PartnershipRow:
    """A partnership with its members as the filter sees them (effective in the filter's
    year, else as listed, by current code)."""

    partnership: repo.Partnership
    members: tuple[str, ...]


Test = Callable[[PartnershipRow], bool]


@dataclass
class Facts:
    """What the filters read, from the request's snapshot (fetched once per filter)."""

    info: Info
    snapshot: Snapshot
    active: dict[int, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def by_code(self) -> Mapping[str, repo.Council]:
        return self.snapshot.councils_by_code

    @property
    def links(self) -> Mapping[str, repo.CouncilLinks]:
        return self.snapshot.links

    def county(self, text: str, year: int | None = None) -> str:
        """The ceremonial county ``text`` names (``graph.repository.find_ceremonial_county``),
        remembered for the data version."""
        return self.snapshot.remember(
            ("find_ceremonial_county", text.strip(), year),
            lambda: repo.find_ceremonial_county(self.snapshot.councils, text, year),
        )

    async def members_in(self, year: int) -> Mapping[str, tuple[str, ...]]:
        """Each partnership active in ``year`` and its effective members' codes."""
        if year not in self.active:
            view = await self.info.context.year_view(year)
            self.active[year] = self.snapshot.remember(
                ("member_codes", year),
                lambda: {
                    pid: tuple(m.code for m in members)
                    for pid, members in view.members_by_partnership().items()
                },
            )
        return self.active[year]

    def rows(self, year: int | None) -> tuple[PartnershipRow, ...]:
        """Every partnership with its members: effective in ``year``, else as listed (by
        current code); remembered for the data version."""
        everything = self.snapshot.partnerships
        if year is None:
            return self.snapshot.remember(
                ("partnership_rows", None),
                lambda: tuple(
                    PartnershipRow(
                        p, tuple(dict.fromkeys(_current(self, m.code) or m.code for m in p.members))
                    )
                    for p in everything.values()
                ),
            )
        active = self.active[year]
        # A year's memberships are computed from the snapshot's own partnerships
        # (graph/memberships.py), so each they name is here; the check keeps it so.
        return self.snapshot.remember(
            ("partnership_rows", year),
            lambda: tuple(
                PartnershipRow(everything[pid], codes)
                for pid, codes in active.items()
                if pid in everything
            ),
        )

    def name_key(self, p: repo.Partnership) -> str:
        """The partnership's name as `nameContains` compares it (normalised once a version)."""
        keys = self.snapshot.remember(
            ("partnership_name_keys",),
            lambda: {pid: normalise(q.name) for pid, q in self.snapshot.partnerships.items()},
        )
        return keys.get(p.id) or normalise(p.name)

    def council(self, text: str, year: int | None = None) -> repo.Council:
        """The council ``text`` names (``graph.repository.find_council``, which compares every
        alias: remembered for the data version, as filters name the same few councils)."""
        return self.snapshot.remember(
            ("find_council", text.strip(), year),
            lambda: repo.find_council(self.snapshot.councils, text, year),
        )


async def read_facts(info: Info) -> Facts:
    return Facts(info, await info.context.snapshot())


def _year_of(f: PartnershipFilter) -> int | None:
    year = f.year if f.year is not None else f.active_in
    return rules.resolve_year(year) if year is not None else None


def _member_test(facts: Facts, condition: MemberCondition) -> Callable[[str], bool]:
    codes = None
    if condition.code_in is not None:
        codes = {
            found.code
            for code in condition.code_in
            if (found := facts.by_code.get(code.strip().upper())) is not None
        }
    regions = {r.value for r in condition.region} if condition.region else None
    kinds = {k.value for k in condition.kind} if condition.kind else None
    county = facts.county(condition.county) if condition.county else None

    def test(code: str) -> bool:
        c = facts.by_code.get(code)
        if c is None:
            return False
        return (
            (codes is None or c.code in codes)
            and (regions is None or c.region in regions)
            and (kinds is None or c.kind in kinds)
            and (condition.tier is None or c.tier == condition.tier.value)
            and (county is None or county in c.ceremonial_counties)
        )

    return test


def _set_test(facts: Facts, f: MemberSetFilter) -> Test:
    some = _member_test(facts, f.some) if f.some else None
    every = _member_test(facts, f.all) if f.all else None
    none = _member_test(facts, f.none) if f.none else None

    def test(row: PartnershipRow) -> bool:
        return (
            (some is None or any(some(c) for c in row.members))
            and (every is None or all(every(c) for c in row.members))
            and (none is None or not any(none(c) for c in row.members))
        )

    return test


async def _test(facts: Facts, f: PartnershipFilter, depth: int = 0) -> Test:
    """One predicate for ``f`` and everything nested in it."""
    if depth > MAX_FILTER_DEPTH:
        raise UserError(f"filter: AND/OR/NOT nest at most {MAX_FILTER_DEPTH} deep")
    year = _year_of(f)
    active = await facts.members_in(year) if year is not None else None
    tests: list[Test] = []
    if active is not None:
        tests.append(lambda r: r.partnership.id in active)
    services = {s.value for s in f.services or ()} | ({f.service.value} if f.service else set())
    if services:
        tests.append(lambda r: bool(services & set(r.partnership.services)))
    if f.status:
        statuses = {s.value for s in f.status}
        tests.append(lambda r: r.partnership.status in statuses)
    if f.council:
        member = facts.council(f.council, year).code
        tests.append(lambda r: member in r.members)
    if f.lead_council:
        lead = facts.council(f.lead_council, year).code
        tests.append(lambda r: _current(facts, r.partnership.lead_code) == lead)
    if f.region is not None:
        region = f.region.value
        tests.append(lambda r: any(_region(facts, c) == region for c in r.members))
    if f.tier_mix is not None:
        mix = f.tier_mix.value
        tests.append(lambda r: tier_mix_of(facts, r) == mix)
    if f.office is not None:
        office = f.office
        tests.append(lambda r: office_of(r.partnership.services) == office)
    if f.name_contains:
        part = normalise(f.name_contains)
        tests.append(lambda r: part in facts.name_key(r.partnership))
    tests.extend(_range_tests(f))
    if f.members is not None:
        tests.append(_set_test(facts, f.members))
    for nested in f.and_ or ():
        tests.append(await _test(facts, nested, depth + 1))
    if f.or_:
        alternatives = [await _test(facts, nested, depth + 1) for nested in f.or_]
        tests.append(lambda r: any(t(r) for t in alternatives))
    if f.not_ is not None:
        negated = await _test(facts, f.not_, depth + 1)
        tests.append(lambda r: not negated(r))
    return lambda r: all(t(r) for t in tests)


def _range_tests(f: PartnershipFilter) -> list[Test]:
    tests: list[Test] = []
    if f.start_year is not None:
        span = f.start_year
        tests.append(lambda r: span.holds(start_year_of(r.partnership)))
    if f.end_year is not None:
        end = f.end_year
        tests.append(lambda r: end.holds(r.partnership.span().end))
    if f.savings is not None:
        savings = f.savings
        tests.append(lambda r: savings.holds(r.partnership.annual_savings_gbp))
    if f.member_count is not None:
        count = f.member_count
        tests.append(lambda r: count.holds(len(r.members)))
    return tests


def _current(facts: Facts, code: str | None) -> str | None:
    found = facts.by_code.get(code) if code else None
    return found.code if found else code


def _region(facts: Facts, code: str) -> str | None:
    found = facts.by_code.get(code)
    return found.region if found else None


def tier_mix_of(facts: Facts, row: PartnershipRow) -> str | None:
    return rules.tier_mix(facts.by_code[c].tier for c in row.members if c in facts.by_code)


def start_year_of(p: repo.Partnership) -> int | None:
    span = p.span()
    return None if span.start_basis is rules.YearBasis.UNKNOWN else span.start


async def select_partnerships(info: Info, f: PartnershipFilter) -> list[PartnershipRow]:
    """The partnerships ``f`` asks for, with their members (effective in its year, if any)."""
    facts = await read_facts(info)
    year = _year_of(f)
    if year is not None:
        await facts.members_in(year)
    rows = facts.rows(year)
    test = await _test(facts, f)
    return [row for row in rows if test(row)]


async def council_partnership_rows(info: Info, code: str, year: int | None) -> list[PartnershipRow]:
    """The partnerships of council ``code`` as ``Council.partnerships`` gives them: with
    ``year``, those active then with it an effective member (members as then); without, every
    partnership it is listed in (members as listed)."""
    facts = await read_facts(info)
    ids: Sequence[str]
    key = None if year is None else rules.resolve_year(year)
    if key is None:
        ids = await info.context.loaders.listed_partnerships.load(code) or []
    else:
        await facts.members_in(key)
        ids = (await info.context.year_view(key)).partnerships_by_council().get(code, ())
    by_id = facts.snapshot.remember(
        ("partnership_rows_by_id", key),
        lambda: {row.partnership.id: row for row in facts.rows(key)},
    )
    return [by_id[pid] for pid in dict.fromkeys(ids) if pid in by_id]


# -- orderings ---------------------------------------------------------------------------

_PARTNERSHIP_VALUES: dict[PartnershipOrderField, Callable[[PartnershipRow], Any]] = {
    PartnershipOrderField.NAME: lambda r: r.partnership.name.lower(),
    PartnershipOrderField.START_YEAR: lambda r: start_year_of(r.partnership),
    PartnershipOrderField.END_YEAR: lambda r: r.partnership.span().end,
    PartnershipOrderField.SAVINGS: lambda r: r.partnership.annual_savings_gbp,
    PartnershipOrderField.MEMBER_COUNT: lambda r: len(r.members),
}


def partnership_position(
    order: Sequence[PartnershipOrder] | None,
) -> tuple[Callable[[PartnershipRow], list[Any]], list[bool], str]:
    """How to sort by ``order`` (default: by name): each row's sort values with its id last,
    the direction of each, and the kind of cursor this ordering makes."""
    order = list(order or [PartnershipOrder(field=PartnershipOrderField.NAME)])
    getters = [_PARTNERSHIP_VALUES[o.field] for o in order]

    def position(row: PartnershipRow) -> list[Any]:
        return [*(get(row) for get in getters), row.partnership.id]

    kind = "p:" + ",".join(f"{o.field.value}:{o.direction.value}" for o in order)
    return position, [o.direction is OrderDirection.DESC for o in order], kind


async def council_position(
    info: Info, order: Sequence[CouncilOrder] | None
) -> tuple[Callable[[repo.Council], list[Any]], list[bool], str]:
    """As :func:`partnership_position`, for councils (ties by code)."""
    order = list(order or [CouncilOrder(field=CouncilOrderField.NAME)])
    getters: list[Callable[[repo.Council], Any]] = []
    for o in order:
        getters.append(await _council_value(info, o))

    def position(council: repo.Council) -> list[Any]:
        return [*(get(council) for get in getters), council.code]

    kind = "c:" + ",".join(f"{o.field.value}:{o.direction.value}:{o.year or ''}" for o in order)
    return position, [o.direction is OrderDirection.DESC for o in order], kind


async def _council_value(info: Info, o: CouncilOrder) -> Callable[[repo.Council], Any]:
    if o.field is CouncilOrderField.NAME:
        return lambda c: c.name.lower()
    if o.field is CouncilOrderField.POPULATION:
        return lambda c: c.population
    view = await info.context.year_view(o.year)
    by_council = view.partnerships_by_council()
    if o.field is CouncilOrderField.PARTNERSHIP_COUNT:
        return lambda c: len(by_council.get(c.code, ()))
    partners = partner_counts(view.memberships)
    return lambda c: partners.get(c.code, 0)


def partner_counts(memberships: Sequence[repo.Membership]) -> dict[str, int]:
    """Distinct partner councils of each council, over the given memberships."""
    members: dict[str, set[str]] = {}
    for m in memberships:
        members.setdefault(m.partnership_id, set()).add(m.code)
    partners: dict[str, set[str]] = {}
    for codes in members.values():
        for code in codes:
            partners.setdefault(code, set()).update(codes - {code})
    return {code: len(others) for code, others in partners.items()}
