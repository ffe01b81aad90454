"""Reorganisation proposals: what they are, how they are read, and how today's partnerships
fall across their proposed units.

A proposal is data about the future, never a council (data/README.upstream.md): it is stored
as ``(:Proposal)-[:HAS_UNIT]->(:ProposedUnit)-[:WOULD_INCLUDE {partial}]->(:Council)``, and no
statement that counts councils reads those labels. A unit covers its member councils'
territories (sets of 2013 districts, the data README's territory rule); a member split between
units (``partial``) covers part of several.

Checking a proposal for a year places each partnership active that year (its effective
members, by :mod:`graph.rules` through the snapshot) that has a member in the proposal's area:

* ``outside``: a member lies (wholly or partly) outside the area — the agreement reaches
  beyond the proposal and its new councils inherit a membership;
* ``inside``: every member lies within one unit — it folds into that new council;
* ``crossing``: the members lie in two or more units, or one of them spans several (a county
  council, or a district split between units) — it needs a new agreement between units.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, LiteralString

from graph import rules, taxonomy
from graph.db import Database
from graph.models import Council, Partnership, Source

if TYPE_CHECKING:
    from graph.snapshot import Snapshot

__all__ = [
    "PROPOSALS",
    "UNPLACED_RULE",
    "PartnershipPlacement",
    "Placement",
    "Proposal",
    "ProposalCheck",
    "ProposedUnit",
    "UnitCheck",
    "check_proposal",
    "default_year",
    "find_proposal",
    "proposals",
    "read_proposals",
]

PROPOSALS: LiteralString = """
MATCH (p:Proposal)
RETURN properties(p) AS proposal,
       COLLECT { MATCH (p)-[:HAS_UNIT]->(u:ProposedUnit)
                 RETURN {unit: properties(u),
                         members: COLLECT { MATCH (u)-[w:WOULD_INCLUDE]->(c:Council)
                                            RETURN [c.code, w.partial] ORDER BY c.code }}
                 ORDER BY u.seq } AS units
ORDER BY p.seq, p.name
"""


@dataclass(frozen=True)
class ProposedUnit:
    """A proposed new council: its whole members and the members it shares with other units
    (split), by code; its 2021 census population (whole members only) and a note on it."""

    name: str
    members: tuple[str, ...]
    partial: tuple[str, ...] = ()
    population: int | None = None
    population_note: str = ""


@dataclass(frozen=True)
class Proposal:
    """A proposed geography for an area, with its status as of its latest source."""

    name: str
    title: str
    area: str
    status: str
    origin: str  # "bundled", "file" or "register"
    units: tuple[ProposedUnit, ...]
    proposer: str = ""
    decision_date: str | None = None
    vesting_date: str | None = None
    notes: str = ""
    sources: tuple[Source, ...] = ()

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Proposal:
        props = row["proposal"]
        units = []
        for entry in row["units"]:
            unit = entry["unit"]
            units.append(
                ProposedUnit(
                    unit["name"],
                    tuple(code for code, partial in entry["members"] if not partial),
                    tuple(code for code, partial in entry["members"] if partial),
                    unit.get("population"),
                    unit.get("populationNote") or "",
                )
            )
        urls, dates = props.get("sourceUrls") or [], props.get("sourceDates") or []
        return cls(
            name=props["name"],
            title=props.get("title") or props["name"],
            area=props.get("area") or "",
            status=props.get("status") or "submitted",
            origin=props.get("origin") or "file",
            units=tuple(units),
            proposer=props.get("proposer") or "",
            decision_date=props.get("decisionDate"),
            vesting_date=props.get("vestingDate"),
            notes=props.get("notes") or "",
            sources=tuple(
                Source(url, dates[i] if i < len(dates) else None) for i, url in enumerate(urls)
            ),
        )


class Placement(StrEnum):
    """Where a partnership falls in a proposal (see the module docstring)."""

    INSIDE = "inside"
    CROSSING = "crossing"
    OUTSIDE = "outside"


@dataclass(frozen=True)
class PartnershipPlacement:
    """One active partnership and where it falls: the units its members lie in, its members
    that span several units (a county, a split district) and those outside the area."""

    partnership: Partnership
    placement: Placement
    members: tuple[str, ...]
    units: tuple[str, ...]
    spanning: tuple[str, ...]
    outside: tuple[str, ...]
    years: str


@dataclass(frozen=True)
class UnitCheck:
    """A unit in a year: its councils, area, and the service layers shared across all of its
    members by one partnership, shared by some of them, and not shared at all."""

    unit: ProposedUnit
    councils: tuple[Council, ...]
    area_ha: float | None
    layers_across: tuple[str, ...]
    layers_partly: tuple[str, ...]
    layers_none: tuple[str, ...]
    inside: tuple[str, ...]


UNPLACED_RULE = (
    "The area is today's districts of the counties the units reach: the county of each "
    "district a unit names, and any county council a unit names. Unplaced: those districts "
    "no unit includes. A unitary council the proposal never names is not counted (nothing "
    "here places a unitary in a county); a proposal of unitaries only has no unplaced "
    "councils, and a replay of the register none either."
)
"""How ``unplaced`` is found (docs/reorganisation.md, Incomplete proposals)."""


@dataclass(frozen=True)
class ProposalCheck:
    """A proposal checked against the partnerships active in ``year``; ``unplaced``: councils
    of the area's counties (``counties``) that no unit includes (an incomplete proposal), by
    :data:`UNPLACED_RULE`."""

    proposal: Proposal
    year: int
    units: tuple[UnitCheck, ...]
    partnerships: tuple[PartnershipPlacement, ...]
    unplaced: tuple[str, ...]
    counties: tuple[str, ...] = ()

    def placed(self, placement: Placement) -> tuple[PartnershipPlacement, ...]:
        return tuple(p for p in self.partnerships if p.placement is placement)


def read_proposals(db: Database) -> tuple[Proposal, ...]:
    """Every stored proposal with its units (one read)."""
    return tuple(Proposal.from_row(row) for row in db.read(PROPOSALS))


def proposals(snapshot: Snapshot) -> tuple[Proposal, ...]:
    """The proposals at the snapshot's data version (read once per version)."""
    return snapshot.remember(("proposals",), lambda: read_proposals(snapshot.db))


def find_proposal(snapshot: Snapshot, name: str) -> Proposal | None:
    """The proposal named ``name`` (its key or its title, any case)."""
    wanted = name.strip().casefold()
    return next(
        (p for p in proposals(snapshot) if wanted in (p.name.casefold(), p.title.casefold())),
        None,
    )


def default_year(proposal: Proposal) -> int:
    """The year a proposal is checked in unless one is asked for: the year before the change
    for a reorganisation replayed from the register (what the check would have said then),
    else the current year."""
    if proposal.origin == "register" and proposal.vesting_date:
        return int(proposal.vesting_date[:4]) - 1
    return rules.current_year()


def _territory(snapshot: Snapshot, codes: Iterable[str]) -> set[str]:
    return {t for code in codes for t in snapshot.councils_by_code[code].territory}


class _Map:
    """Where each council's territory lies among a proposal's units."""

    def __init__(self, snapshot: Snapshot, proposal: Proposal) -> None:
        self.snapshot = snapshot
        self.whole = {u.name: _territory(snapshot, u.members) for u in proposal.units}
        self.touched = {
            u.name: self.whole[u.name] | _territory(snapshot, u.partial) for u in proposal.units
        }
        self.area = set().union(*self.touched.values()) if self.touched else set()

    def locate(self, code: str) -> tuple[str, tuple[str, ...]]:
        """("unit"|"spanning"|"outside"|"away", unit names)."""
        territory = set(self.snapshot.councils_by_code[code].territory)
        if not territory & self.area:
            return "away", ()
        units = tuple(n for n, t in self.touched.items() if territory & t)
        if not territory <= self.area:
            return "outside", units
        home = [n for n, t in self.whole.items() if territory <= t]
        return ("unit", (home[0],)) if len(home) == 1 else ("spanning", units)


def _place(
    partnership: Partnership, members: Sequence[str], where: _Map, year: int
) -> PartnershipPlacement | None:
    located = {code: where.locate(code) for code in members}
    if all(kind == "away" for kind, _ in located.values()):
        return None
    outside = tuple(c for c, (kind, _) in located.items() if kind in {"outside", "away"})
    spanning = tuple(c for c, (kind, _) in located.items() if kind == "spanning")
    units = tuple(sorted({u for _, names in located.values() for u in names}))
    if outside:
        placement = Placement.OUTSIDE
    elif spanning or len(units) > 1:
        placement = Placement.CROSSING
    else:
        placement = Placement.INSIDE
    return PartnershipPlacement(
        partnership,
        placement,
        tuple(members),
        units,
        spanning,
        outside,
        partnership.years_phrase(year),
    )


def _layers(unit: ProposedUnit, snapshot: Snapshot, year: int) -> tuple[list[str], list[str]]:
    members = set(unit.members)
    across: set[str] = set()
    partly: set[str] = set()
    by_partnership: dict[str, set[str]] = {}
    for m in snapshot.memberships(year):
        if m.code in members:
            by_partnership.setdefault(m.partnership_id, set()).add(m.code)
    for pid, among in by_partnership.items():
        if len(members) < 2 or len(among) < 2:
            continue
        target = across if among == members else partly
        target.update(snapshot.partnerships[pid].services)
    return sorted(across), sorted(partly - across)


def _area(
    snapshot: Snapshot, proposal: Proposal, year: int
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The counties the units reach and the unplaced districts of them (UNPLACED_RULE)."""
    if proposal.origin == "register":  # a replay covers what the register says, no more
        return (), ()
    placed = {c for u in proposal.units for c in (*u.members, *u.partial)}
    links = snapshot.links
    counties = {links[c].county for c in placed if c in links} | {
        c for c in placed if c in links and links[c].districts
    }
    expected = {
        d
        for county in counties
        if county is not None
        for d in links[county].districts
        if snapshot.councils_by_code[d].exists_in(year)
    }
    named = sorted(c for c in counties if c is not None)
    return tuple(named), tuple(sorted(expected - placed))


def check_proposal(snapshot: Snapshot, proposal: Proposal, year: int) -> ProposalCheck:
    """Place every partnership active in ``year`` that touches the proposal's area, and
    describe each unit (see the module docstring for the three placements)."""
    where = _Map(snapshot, proposal)
    members: dict[str, list[str]] = {}
    for m in snapshot.memberships(year):
        members.setdefault(m.partnership_id, []).append(m.code)
    placed = [
        found
        for pid, codes in sorted(members.items())
        if (found := _place(snapshot.partnerships[pid], codes, where, year)) is not None
    ]
    placed.sort(key=lambda p: (p.placement.value, p.partnership.name))
    layer_codes = [layer.code for layer in taxonomy.layers()]
    units = []
    for unit in proposal.units:
        councils = tuple(snapshot.councils_by_code[c] for c in unit.members)
        areas = [c.area_ha for c in councils]
        across, partly = _layers(unit, snapshot, year)
        units.append(
            UnitCheck(
                unit,
                councils,
                None if not areas or None in areas else sum(a for a in areas if a is not None),
                tuple(across),
                tuple(partly),
                tuple(c for c in layer_codes if c not in across and c not in partly),
                tuple(
                    p.partnership.id
                    for p in placed
                    if p.placement is Placement.INSIDE and p.units == (unit.name,)
                ),
            )
        )
    counties, unplaced = _area(snapshot, proposal, year)
    return ProposalCheck(proposal, year, tuple(units), tuple(placed), unplaced, counties)
