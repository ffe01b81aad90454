"""What a view shows once its options are applied to the year's data (:func:`select`).

A pure function of :class:`~visualisation.model.ViewData` and
:class:`~visualisation.options.ViewOptions`. The data the API reads is already filtered the
same way in Cypher (``visualisation.data``); selecting again is then a no-op, and it keeps
hand-built data (tests, notebooks, exports of everything) working the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations

from visualisation.model import Council, Partnership, ViewData
from visualisation.options import ViewOptions, status_filter

__all__ = ["PairLink", "Selection", "select"]


@dataclass(frozen=True, slots=True)
class PairLink:
    """What two councils share in the selection."""

    partnerships: tuple[str, ...]
    services: tuple[str, ...]


@dataclass(frozen=True)
class Selection:
    """What a view shows once the options are applied to the data.

    Attributes
    ----------
    data, options : the inputs.
    partnerships : the partnerships shown, by name.
    councils : the councils shown, by name (in the region and, when a region
        is chosen, their partners elsewhere).
    in_scope : codes of the councils in the chosen region (all when none).
    counts : partnerships shown per council code (0 for singletons).
    """

    data: ViewData
    options: ViewOptions
    partnerships: tuple[Partnership, ...]
    councils: Mapping[str, Council]
    in_scope: frozenset[str]
    counts: Mapping[str, int] = field(default_factory=dict)

    def members(self, partnership: Partnership) -> tuple[str, ...]:
        """The partnership's members that are councils of this year's data, by code."""
        known = self.data_councils
        return tuple(sorted({code for code in partnership.members if code in known}))

    @property
    def data_councils(self) -> Mapping[str, Council]:
        """Every council in the data, by code."""
        return self.data.by_code

    def pairs(self, *, max_members: int | None = None) -> dict[tuple[str, str], PairLink]:
        """Pairs of shown councils that share a shown partnership, with what they share.

        ``max_members``: only partnerships with at most this many members (the others
        are drawn as hubs).
        """
        partnerships: dict[tuple[str, str], list[str]] = defaultdict(list)
        services: dict[tuple[str, str], set[str]] = defaultdict(set)
        for partnership in self.partnerships:
            members = self.members(partnership)
            if max_members is not None and len(members) > max_members:
                continue
            for a, b in combinations(members, 2):
                if a in self.in_scope or b in self.in_scope:
                    partnerships[a, b].append(partnership.id)
                    services[a, b].update(partnership.services)
        return {
            pair: PairLink(tuple(ids), tuple(sorted(services[pair])))
            for pair, ids in partnerships.items()
        }


def _status_allows(partnership: Partnership, status: str, year: int) -> bool:
    statuses, active_only = status_filter(status)
    return partnership.status in statuses and (not active_only or partnership.is_active(year))


def select(data: ViewData, options: ViewOptions) -> Selection:
    """Apply the options' status, service and region filters to the data."""
    by_code = data.by_code
    chosen = set(options.services)
    if options.region is None:
        in_scope = frozenset(by_code)
    else:
        in_scope = frozenset(c.code for c in data.councils if c.region == options.region)

    shown: list[Partnership] = []
    for partnership in data.partnerships:
        members = {code for code in partnership.members if code in by_code}
        if not members or not members & in_scope:
            continue
        if chosen and not chosen.intersection(partnership.services):
            continue
        if not _status_allows(partnership, options.status, data.year):
            continue
        shown.append(partnership)
    shown.sort(key=lambda p: (p.name.casefold(), p.id))

    counts: dict[str, int] = defaultdict(int)
    visible = set(in_scope)
    for partnership in shown:
        for code in {code for code in partnership.members if code in by_code}:
            counts[code] += 1
            visible.add(code)
    councils = {
        c.code: c
        for c in sorted(data.councils, key=lambda c: (c.name.casefold(), c.code))
        if c.code in visible
    }
    return Selection(
        data=data,
        options=options,
        partnerships=tuple(shown),
        councils=councils,
        in_scope=in_scope,
        counts={code: counts.get(code, 0) for code in councils},
    )
