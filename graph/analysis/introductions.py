"""Introductions: who could introduce one council to another, through the partnerships of a year.

An officer who wants to call a council it has never worked with can ask a council that works
with both, or follow a chain of partnerships between them. Both answers name the partnership
behind every link, so the introduction can be asked for in its terms.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass

from graph.analysis.projection import Membership

__all__ = ["Introducer", "Introductions", "Step", "introductions"]


@dataclass(frozen=True, slots=True)
class Introducer:
    """A council in partnership with both ends: through ``with_start`` and ``with_end``."""

    code: str
    with_start: tuple[str, ...]
    with_end: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Step:
    """One council of a chain, reached from the one before it ``via`` a partnership (None for
    the first)."""

    code: str
    via: str | None


@dataclass(frozen=True, slots=True)
class Introductions:
    """Shared partners of two councils, and the shortest chain of partnerships between them
    (empty when none links them)."""

    start: str
    end: str
    shared: tuple[Introducer, ...]
    chain: tuple[Step, ...]


def introductions(memberships: Iterable[Membership], start: str, end: str) -> Introductions:
    """Councils in partnership with both `start` and `end`, and the shortest chain.

    Parameters
    ----------
    memberships : iterable of Membership
        Effective memberships of the partnerships active in one year.
    start, end : str
        GSS codes of the two councils.

    Returns
    -------
    Introductions
        ``shared`` ordered by code, each with the partnerships (ids, sorted) linking it to
        either end; ``chain`` from `start` to `end` inclusive, fewest partnerships first,
        ties broken by code and partnership id, or empty when no chain exists.

    Examples
    --------
    >>> rows = [Membership("p1", "A", ()), Membership("p1", "B", ()),
    ...         Membership("p2", "B", ()), Membership("p2", "C", ())]
    >>> found = introductions(rows, "A", "C")
    >>> [(i.code, i.with_start, i.with_end) for i in found.shared]
    [('B', ('p1',), ('p2',))]
    >>> [(s.code, s.via) for s in found.chain]
    [('A', None), ('B', 'p1'), ('C', 'p2')]
    """
    members: dict[str, set[str]] = defaultdict(set)
    partnerships_of: dict[str, set[str]] = defaultdict(set)
    for m in memberships:
        members[m.partnership_id].add(m.council_code)
        partnerships_of[m.council_code].add(m.partnership_id)

    def links(a: str, b: str) -> tuple[str, ...]:
        return tuple(sorted(partnerships_of[a] & partnerships_of[b]))

    partners_of_start = {c for p in partnerships_of[start] for c in members[p]}
    partners_of_end = {c for p in partnerships_of[end] for c in members[p]}
    shared = tuple(
        Introducer(code, links(code, start), links(code, end))
        for code in sorted(partners_of_start & partners_of_end - {start, end})
    )
    return Introductions(start, end, shared, _chain(members, partnerships_of, start, end))


def _chain(
    members: dict[str, set[str]], partnerships_of: dict[str, set[str]], start: str, end: str
) -> tuple[Step, ...]:
    """Breadth-first over councils linked by partnerships, in code and id order."""
    if start not in partnerships_of or end not in partnerships_of:
        return ()
    previous: dict[str, tuple[str | None, str | None]] = {start: (None, None)}
    queue = deque([start])
    while queue:
        code = queue.popleft()
        if code == end:
            steps = []
            current: str | None = code
            while current is not None:
                before, via = previous[current]
                steps.append(Step(current, via))
                current = before
            return tuple(reversed(steps))
        for pid in sorted(partnerships_of[code]):
            for other in sorted(members[pid]):
                if other not in previous:
                    previous[other] = (code, pid)
                    queue.append(other)
    return ()
