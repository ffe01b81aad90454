"""What sharing tells about mergers past: lineage of successor councils and base rates.

Pure functions over one :class:`graph.snapshot.Snapshot` (the councils, their succession
links, the partnerships and each year's effective memberships, all read once per data
version). The rules of time (a partnership's years and their basis, existence, succession)
come from :mod:`graph.rules`; nothing here restates them.

* **Lineage**: a council created by a reorganisation (a ``replaced-by`` target in the
  register) and its predecessors: the councils that name it in ``replaced-by``, directly, and
  earlier ones through them. A predecessor replaced by several councils (a county split
  between two unitaries) is listed with its *share*: the 2013 districts of its territory that
  lie in this successor (the data README's territory rule: never the county's whole area).
  The partnerships among the predecessors are those with two or more effective members among
  them in some year before the change.
* **Base rates**: of the pairs of bordering councils, those that shared a chief executive or
  management team (the ``management`` layer) in some year, and the share of them that later
  merged (have a common successor), beside the same share for the bordering pairs that never
  did. Association in a small sample, not cause.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, LiteralString

from graph import rules
from graph.models import Council, Partnership

if TYPE_CHECKING:
    from graph.snapshot import Snapshot

__all__ = [
    "CAVEAT",
    "MANAGEMENT",
    "BaseRate",
    "Lineage",
    "Predecessor",
    "PredecessorPartnership",
    "Reorganisation",
    "ReorganisationEvidence",
    "lineage",
    "reorganisation_evidence",
    "reorganisations",
    "successors_of",
]

# The effective memberships among ``$codes`` (a successor's predecessors, which hold every
# council that stands in for one of them) in each of ``$years``, in one statement: the rules of
# EFFECTIVE_MEMBERSHIPS (graph/repository.py, graph/rules.py) with the year a variable. A
# partnership counts in a year when two or more of ``$codes`` are effective members (then it
# has two or more members, so it is active). Listed members are sought by code first.
PREDECESSOR_MEMBERSHIPS: LiteralString = (
    """
MATCH (listed:Council)
USING INDEX listed:Council(code)
WHERE listed.code IN $codes
MATCH (listed)-[m:MEMBER_OF]->(p:Partnership)
WHERE p.status IN $activeStatuses
WITH listed, m, p, """
    + rules.PARTNERSHIP_START
    + """ AS fromYear, """
    + rules.PARTNERSHIP_END
    + """ AS toYear
UNWIND $years AS year
WITH listed, m, p, year, date({year: year, month: 12, day: 31}) AS yearEnd,
     date({year: year, month: 1, day: 1}) AS yearStart
WHERE """
    + rules.SPAN_COVERS.replace("$year", "year")
    + """
  AND """
    + rules.MEMBER_IN_YEAR.replace("$year", "year")
    + """
MATCH path = (listed)-[:SUCCEEDED_BY*0..8]->(c:Council)
WHERE """
    + rules.STANDS_IN_YEAR
    + """
WITH year, p, c
WHERE c.code IN $codes
WITH year, p.id AS partnershipId, collect(DISTINCT c.code) AS members
WHERE size(members) >= 2
RETURN partnershipId, year, members
ORDER BY partnershipId, year
"""
)

MANAGEMENT = "management"
"""The service layer of shared chief executives and management teams (data/taxonomy)."""

CAVEAT = (
    "Association in a small sample, not cause: few councils have merged since 2009, the "
    "partnership data names only what public sources describe, and councils that share a "
    "management team may have merged for the reasons that made them share."
)


@dataclass(frozen=True)
class Predecessor:
    """A council a successor replaced. ``via`` names the council it passed through (an
    earlier predecessor, e.g. Taunton Deane via Somerset West and Taunton); ``share`` the 2013
    districts of its territory that lie in the successor, when it was split between several
    successors (else empty), out of ``territory_size``."""

    council: Council
    via: str | None
    successors: tuple[str, ...]
    share: tuple[str, ...] = ()
    territory_size: int = 0

    @property
    def split(self) -> bool:
        return len(self.successors) > 1


@dataclass(frozen=True)
class PredecessorPartnership:
    """A partnership with two or more predecessors among its effective members before the
    change: who, in which years (``first_year``..``last_year``, active by the rules), and the
    partnership's own years as an officer reads them (with their basis)."""

    partnership: Partnership
    members: tuple[str, ...]
    first_year: int
    last_year: int
    years: str
    start_basis: str

    @property
    def management(self) -> bool:
        return MANAGEMENT in self.partnership.services


@dataclass(frozen=True)
class Lineage:
    """A successor council, the date it came into being, its predecessors and the
    partnerships among them in ``years_considered`` (the years before the change)."""

    council: Council
    vesting: date
    predecessors: tuple[Predecessor, ...]
    partnerships: tuple[PredecessorPartnership, ...]
    years_considered: tuple[int, int]

    @property
    def shared_management(self) -> bool:
        """Whether a shared chief executive or management team was among the partnerships."""
        return any(p.management for p in self.partnerships)


@dataclass(frozen=True)
class Reorganisation:
    """Councils that came into being on one date, and the councils they replaced."""

    vesting: date
    successors: tuple[Council, ...]
    replaced: tuple[Council, ...]


@dataclass(frozen=True)
class BaseRate:
    """Of ``pairs`` bordering pairs, ``merged`` later merged (a common successor)."""

    pairs: int
    merged: int
    merged_pairs: tuple[tuple[str, str], ...] = ()

    @property
    def share(self) -> float | None:
        return self.merged / self.pairs if self.pairs else None


@dataclass(frozen=True)
class ReorganisationEvidence:
    """Base rates of merging for bordering pairs that shared a management team and those that
    did not, over ``first_year``..``last_year``."""

    shared_management: BaseRate
    no_shared_management: BaseRate
    first_year: int
    last_year: int
    caveat: str = CAVEAT


def successors_of(snapshot: Snapshot) -> dict[str, tuple[str, ...]]:
    """Each successor council's direct predecessors (the councils naming it in replaced-by)."""
    found: dict[str, list[str]] = {}
    for code, links in snapshot.links.items():
        for successor in links.succeeded_by:
            found.setdefault(successor, []).append(code)
    return {code: tuple(sorted(codes)) for code, codes in found.items()}


def _council(snapshot: Snapshot, code: str) -> Council:
    return snapshot.councils_by_code[code]


def _predecessors(snapshot: Snapshot, code: str) -> tuple[Predecessor, ...]:
    direct = successors_of(snapshot)
    own = set(_council(snapshot, code).territory)
    found: list[Predecessor] = []
    frontier: list[tuple[str, str | None]] = [(p, None) for p in direct.get(code, ())]
    seen: set[str] = set()
    while frontier:
        current, via = frontier.pop(0)
        if current in seen:
            continue
        seen.add(current)
        council = _council(snapshot, current)
        successors = snapshot.links[current].succeeded_by
        territory = set(council.territory)
        share = tuple(sorted(territory & own)) if len(successors) > 1 else ()
        found.append(Predecessor(council, via, tuple(successors), share, len(territory)))
        frontier.extend((p, via or current) for p in direct.get(current, ()))
    return tuple(sorted(found, key=lambda p: (p.via is not None, p.council.name)))


def predecessor_memberships(
    snapshot: Snapshot, codes: set[str], years: range
) -> dict[str, tuple[set[str], list[int]]]:
    """Each partnership with two or more of ``codes`` among its effective members in some of
    ``years``: those members (over the years) and the years (one read,
    :data:`PREDECESSOR_MEMBERSHIPS`)."""
    parameters = {
        "codes": sorted(codes),
        "years": list(years),
        "currentYear": rules.current_year(),
        "activeStatuses": list(rules.ACTIVE_STATUSES),
    }
    seen: dict[str, tuple[set[str], list[int]]] = {}
    for row in snapshot.db.read(PREDECESSOR_MEMBERSHIPS, parameters):
        entry = seen.setdefault(row["partnershipId"], (set(), []))
        entry[0].update(row["members"])
        entry[1].append(row["year"])
    return seen


def _partnerships_among(
    snapshot: Snapshot, codes: set[str], years: range
) -> tuple[PredecessorPartnership, ...]:
    seen = predecessor_memberships(snapshot, codes, years)
    found = []
    for pid, (among, active) in seen.items():
        partnership = snapshot.partnerships[pid]
        found.append(
            PredecessorPartnership(
                partnership,
                tuple(sorted(among)),
                min(active),
                max(active),
                partnership.years_phrase(max(active)),
                partnership.span().start_basis.value,
            )
        )
    return tuple(sorted(found, key=lambda p: (not p.management, p.first_year, p.partnership.name)))


def lineage(snapshot: Snapshot, code: str) -> Lineage | None:
    """The lineage of the council ``code`` (current or former code), or None when no council
    was replaced by it; computed once per data version (and current year)."""
    council = snapshot.councils_by_code.get(code)
    if council is None or council.code not in successors_of(snapshot):
        return None
    return snapshot.remember(
        ("lineage", rules.current_year(), council.code), lambda: _lineage(snapshot, council)
    )


def _lineage(snapshot: Snapshot, council: Council) -> Lineage:
    predecessors = _predecessors(snapshot, council.code)
    last = council.valid_from.year - 1
    years = range(rules.FIRST_YEAR, last + 1)
    partnerships = _partnerships_among(snapshot, {p.council.code for p in predecessors}, years)
    return Lineage(
        council, council.valid_from, predecessors, partnerships, (rules.FIRST_YEAR, last)
    )


def reorganisations(
    snapshot: Snapshot, first_year: int | None = None, last_year: int | None = None
) -> tuple[Reorganisation, ...]:
    """The reorganisations in the register whose new councils came into being from
    ``first_year`` to ``last_year`` (inclusive; open when None), earliest first."""
    by_date: dict[date, list[str]] = {}
    for successor in successors_of(snapshot):
        start = _council(snapshot, successor).valid_from
        if (first_year is None or start.year >= first_year) and (
            last_year is None or start.year <= last_year
        ):
            by_date.setdefault(start, []).append(successor)
    direct = successors_of(snapshot)
    found = []
    for vesting, codes in sorted(by_date.items()):
        replaced = sorted({p for c in codes for p in direct[c]})
        found.append(
            Reorganisation(
                vesting,
                tuple(sorted((_council(snapshot, c) for c in codes), key=lambda c: c.name)),
                tuple(sorted((_council(snapshot, c) for c in replaced), key=lambda c: c.name)),
            )
        )
    return tuple(found)


def _descendants(code: str, links: Mapping[str, Iterable[str]]) -> set[str]:
    found: set[str] = set()
    frontier = list(links.get(code, ()))
    while frontier:
        current = frontier.pop()
        if current not in found:
            found.add(current)
            frontier.extend(links.get(current, ()))
    return found


def _coexisting(a: Council, b: Council, first: int, last: int) -> bool:
    return any(a.exists_in(y) and b.exists_in(y) for y in range(first, last + 1))


def reorganisation_evidence(
    snapshot: Snapshot, last_year: int | None = None
) -> ReorganisationEvidence:
    """Base rates: the share of bordering pairs that later merged, for the pairs that shared a
    management team in some year from :data:`graph.rules.FIRST_YEAR` to ``last_year`` (the
    current year by default) and for the bordering pairs that did not.

    A pair counts when both councils existed together in some year considered; it merged when
    the two have a common successor in the register (``replaced-by``, followed repeatedly).
    Sharing is by the rules of time: both effective members of a partnership in the
    ``management`` layer that is active in the year.
    """
    last = rules.current_year() if last_year is None else last_year
    first = rules.FIRST_YEAR
    sharing: set[tuple[str, str]] = set()
    for year in range(first, last + 1):
        members: dict[str, set[str]] = {}
        for m in snapshot.memberships(year, MANAGEMENT):
            members.setdefault(m.partnership_id, set()).add(m.code)
        for codes in members.values():
            sharing.update((a, b) for a in codes for b in codes if a < b)
    later = {code: links.succeeded_by for code, links in snapshot.links.items()}
    shared_pairs: list[tuple[str, str]] = []
    other_pairs: list[tuple[str, str]] = []
    for a, b in snapshot.borders:
        ca, cb = _council(snapshot, a), _council(snapshot, b)
        if _coexisting(ca, cb, first, last):
            (shared_pairs if (a, b) in sharing else other_pairs).append((a, b))

    def rate(pairs: list[tuple[str, str]]) -> BaseRate:
        merged = tuple(p for p in pairs if _descendants(p[0], later) & _descendants(p[1], later))
        return BaseRate(len(pairs), len(merged), merged)

    return ReorganisationEvidence(rate(shared_pairs), rate(other_pairs), first, last)
