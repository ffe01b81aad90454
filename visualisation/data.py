"""Read one year's :class:`~visualisation.model.ViewData` from the graph.

No Cypher here: every read goes through ``graph.repository`` (typed models,
parameterised statements, the data README's rules implemented once). Most of a
year comes from the data version's snapshot (``graph.snapshot``), read once per
version; a view reads only its filtered partnerships, once per (year, filters).
:class:`ViewDataSource` keeps the result per (data version, current year, year,
filters), so a page view normally costs one round trip (the version).

* councils that exist in the year (the snapshot's councils);
* the partnerships the filters keep, with their effective members in the year
  (``repository.view_partnerships``); partnerships that are not active (in
  development, abandoned, or outside their years) get their listed members
  carried forward along ``SUCCEEDED_BY`` the same way, so the views can still
  draw them when asked;
* the whole year's network, computed from the snapshot
  (``snapshot.memberships``, no read);
* borders and successors (the snapshot's links);
* outlines: each council's territory as 2013 districts (``graph.geo``): its
  own (by current or former code), or for a council created since, the
  territories of the councils it replaced (counties excluded: a county is
  drawn by its districts).

Peers for the council view come from ``graph.analysis.peers.find_peers``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import TypeVar

from graph import repository, rules
from graph.db import Database
from graph.names import GSS_CODE
from graph.snapshot import Snapshot, Snapshots
from visualisation.model import KINDS, Council, Partnership, Peer, Ring, Source, ViewData
from visualisation.options import ViewOptions, status_filter

__all__ = [
    "FIRST_YEAR",
    "OUTLINE_TOLERANCE_M",
    "ViewDataSource",
    "current_year",
    "peers_for",
    "read_view_data",
    "territories",
    "year_network",
]

T = TypeVar("T")

FIRST_YEAR = rules.FIRST_YEAR
"""The first year the year filter offers (``graph.rules.FIRST_YEAR``)."""
OUTLINE_TOLERANCE_M = 500.0
"""Simplification of the map's outlines: ~190 kB of JSON for England, sharp at national scale."""


def current_year() -> int:
    """This calendar year: the views' default year (``graph.rules.current_year``)."""
    return rules.current_year()


def territories(
    councils: Iterable[repository.Council],
    successors: Mapping[str, Sequence[str]],
    outline_codes: Iterable[str],
) -> dict[str, tuple[str, ...]]:
    """Each non-county council's territory as a set of 2013 district codes.

    Parameters
    ----------
    councils : every council (current and abolished).
    successors : council code -> the codes of the councils that replaced it.
    outline_codes : the 2013 district/unitary codes that have an outline.

    Returns
    -------
    dict
        ``{council code: (2013 code, ...)}``; councils with no known territory
        (counties, or councils with no outline and no predecessors) are absent.
    """
    by_code = {c.code: c for c in councils}
    have = set(outline_codes)
    predecessors: dict[str, list[str]] = defaultdict(list)
    for old, news in successors.items():
        for new in news:
            predecessors[new].append(old)

    result: dict[str, tuple[str, ...]] = {}

    def territory(code: str, trail: frozenset[str]) -> tuple[str, ...]:
        if code in result:
            return result[code]
        council = by_code.get(code)
        if council is None or council.kind == "county" or code in trail:
            return ()
        own = sorted(c for c in (code, *council.former_codes) if c in have)
        if own:
            return (own[0],)
        parts: set[str] = set()
        for old in predecessors.get(code, ()):
            parts.update(territory(old, trail | {code}))
        return tuple(sorted(parts))

    for code in sorted(by_code):
        found = territory(code, frozenset())
        if found:
            result[code] = found
    return result


def _outlines(
    existing: Sequence[repository.Council],
    every: Sequence[repository.Council],
    successors: Mapping[str, Sequence[str]],
) -> dict[str, tuple[Ring, ...]]:
    from graph.geo import lad2013_outlines_bng

    shapes = lad2013_outlines_bng(tolerance_m=OUTLINE_TOLERANCE_M)
    owned = territories(every, successors, shapes)
    return {
        c.code: tuple(tuple(ring) for district in owned[c.code] for ring in shapes[district])
        for c in existing
        if c.code in owned
    }


def read_view_data(
    source: Database | Snapshot,
    year: int,
    options: ViewOptions | None = None,
    *,
    outlines: bool = True,
) -> ViewData:
    """What the views may draw for ``year``: with ``options``, only the partnerships their
    status, service and region filters keep, read with those filters in Cypher
    (``repository.view_partnerships``); without, every partnership.

    Parameters
    ----------
    source : the snapshot of the data version (or a database, whose current one is read).
    year : the year to describe.
    options : the view's filters (None: everything, e.g. for an export of any selection).
    outlines : include the map's council outlines (skip them for network-only uses).

    The year's councils, borders and outlines are always whole (a region's view still shows
    partners elsewhere), and ``year_network`` is always the whole year's (the layout places
    nodes from it, so that a filter never moves them: computed once per year and data version,
    kept in the snapshot).
    """
    snapshot = source if isinstance(source, Snapshot) else Snapshots(source).current()
    year_frame = snapshot.remember(
        ("view_year", year, outlines), lambda: _year_frame(snapshot, year, outlines=outlines)
    )
    return replace(year_frame, partnerships=_partnerships(snapshot, year, options))


def _year_frame(snapshot: Snapshot, year: int, *, outlines: bool) -> ViewData:
    """What the views draw of ``year`` whatever the filters: every council, border and outline,
    and the whole year's network (its ``partnerships`` are left to the filtered read)."""
    every = snapshot.councils
    existing = [c for c in every if c.exists_in(year) and c.kind in KINDS]
    successors = {code: link.succeeded_by for code, link in snapshot.links.items()}
    existing_codes = {c.code for c in existing}
    return ViewData(
        year=year,
        councils=tuple(_council(c) for c in existing),
        partnerships=(),
        borders=tuple(
            (a, b)
            for a, b in snapshot.borders
            if a != b and a in existing_codes and b in existing_codes
        ),
        outlines=MappingProxyType(_outlines(existing, every, successors) if outlines else {}),
        years=(FIRST_YEAR, max(current_year(), year)),
        reference=_lga_reference(snapshot.lga_editions, year),
        year_network=year_network(snapshot, year),
    )


def _partnerships(
    snapshot: Snapshot, year: int, options: ViewOptions | None
) -> tuple[Partnership, ...]:
    """The partnerships ``options``' filters keep (all without), read with them in Cypher."""
    statuses, active_only = status_filter(options.status if options else "all")
    members = repository.view_partnerships(
        snapshot.db,
        year,
        services=options.services if options else (),
        statuses=statuses,
        active_only=active_only,
        region=options.region if options else None,
    )
    successors = {code: link.succeeded_by for code, link in snapshot.links.items()}
    lead_of = _lead_finder(year, {c.code: c for c in snapshot.councils}, successors)
    return tuple(
        _partnership(snapshot.partnerships[pid], members[pid], year, lead_of)
        for pid in sorted(members)
        if pid in snapshot.partnerships
    )


def year_network(snapshot: Snapshot, year: int) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every partnership active in ``year`` with its effective members, whatever a view's
    filters: what the network views' layout places nodes by (``snapshot.memberships``,
    computed from the snapshot once per year and data version, no read)."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for membership in snapshot.memberships(year):
        grouped[membership.partnership_id].append(membership.code)
    return tuple((pid, tuple(sorted(grouped[pid]))) for pid in sorted(grouped))


def _council(council: repository.Council) -> Council:
    return Council(
        code=council.code,
        name=council.name,
        kind=council.kind,
        tier=council.tier,
        region=council.region,
        lat=council.latitude,
        lon=council.longitude,
        population=council.population,
        gov_uk_url=council.gov_uk_url,
    )


def _lead_finder(
    year: int,
    councils: Mapping[str, repository.Council],
    successors: Mapping[str, Sequence[str]],
) -> Callable[[str | None, Sequence[str]], str | None]:
    """The lead among a partnership's effective members: its listed lead, or the one council
    that stands in for it (``graph.rules.stand_ins``); None when none or several do."""

    def lead(listed: str | None, members: Sequence[str]) -> str | None:
        if listed is None or listed in members:
            return listed
        carried = rules.stand_ins(
            listed,
            lambda c: c in councils and councils[c].exists_in(year),
            lambda c: successors.get(c, ()),
        ) & set(members)
        return min(carried) if len(carried) == 1 else None

    return lead


def _partnership(
    fact: repository.Partnership,
    members: tuple[str, ...],
    year: int,
    lead_of: Callable[[str | None, Sequence[str]], str | None],
) -> Partnership:
    span = fact.span()
    return Partnership(
        id=fact.id,
        name=fact.name,
        status=fact.status,
        services=fact.services,
        members=members,
        start_year=span.start,
        end_year=span.end,
        start_basis=span.start_basis.value,
        years=fact.years_phrase(year),
        not_confirmed_since=fact.not_confirmed_since(year),
        annual_savings_gbp=fact.annual_savings_gbp,
        savings_note=fact.savings_note,
        sources=tuple(Source(s.url, s.date) for s in fact.sources),
        lead=lead_of(fact.lead_code, members),
        notes=fact.notes,
    )


def _lga_reference(editions: Sequence[repository.LgaEdition], year: int) -> str | None:
    """The LGA's own count nearest ``year``, said so that it is not read as this data's."""
    edition = repository.nearest_lga_edition(editions, year)
    if edition is None:
        return None
    sharing = f", {edition.councils_sharing} councils sharing" if edition.councils_sharing else ""
    return (
        f"The LGA's own count ({edition.edition} edition): {edition.arrangements or 'not stated'} "
        f"arrangements{sharing}, as councils reported them to its map; the count above is of "
        "partnerships named by cited public sources, so the two differ."
    )


def peers_for(
    data: ViewData, code: str, *, service: str | None = None, limit: int = 5
) -> tuple[Peer, ...]:
    """The councils most like ``code`` that share (in ``service``, when given), ranked by
    ``graph.analysis.peers.find_peers``."""
    from graph.analysis.peers import find_peers
    from graph.analysis.projection import CouncilAttrs, Membership

    # Deliberately not graph.analysis.council_attrs (alike in shape, duplicates tool): the
    # views' councils carry no area, and one without a centroid is left out, not refused.
    councils = {
        c.code: CouncilAttrs(
            code=c.code,
            name=c.name,
            kind=c.kind,
            tier=c.tier,
            region=c.region,
            population=c.population,
            area_ha=None,
            lat=c.lat,
            lon=c.lon,
        )
        for c in data.councils
        if c.lat is not None and c.lon is not None
    }
    if code not in councils:
        return ()
    memberships = [
        Membership(
            p.id,
            member,
            p.services,
            p.start_year,
            p.start_basis,
            p.name,
            p.not_confirmed_since,
        )
        for p in data.partnerships
        if p.is_active(data.year)
        for member in p.members
        if member in councils
    ]
    search = find_peers(
        code, memberships, councils, service=service, limit=limit, borders=data.borders
    )
    return tuple(
        Peer(code, peer.code, peer.score, peer.reason, peer.partnerships) for peer in search.peers
    )


class ViewDataSource:
    """The views' data per year, kept in the data version's snapshot (``graph.snapshot``), so
    a page view costs one small read (the version) once the year has been read.

    Create one per process (e.g. in the Starlette lifespan) and share it; it is thread-safe.
    """

    def __init__(self, snapshots: Snapshots) -> None:
        self._snapshots = snapshots
        self._latest: Snapshot | None = None

    def council_code(self, text: str, year: int | None) -> str:
        """The code of the council ``text`` names: a GSS code (current or former) or any form
        of its name (``graph.models.find_council``, which raises ``UnknownCouncil`` with the
        closest councils)."""
        if GSS_CODE.fullmatch(text.strip().upper()):
            return text.strip().upper()  # the view checks it exists in the year
        snapshot = self._latest or self._snapshots.current()
        return repository.find_council(snapshot.councils, text, year).code

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per data version: kept in the snapshot the last ``view_data``
        read (so the answer and the data it was made from are of the same version)."""
        snapshot = self._latest or self._snapshots.current()
        return snapshot.remember(key, compute)

    def view_data(
        self,
        year: int | None = None,
        options: ViewOptions | None = None,
        *,
        peers_of: str | None = None,
        peers_service: str | None = None,
    ) -> ViewData:
        """The year's data (default: this year) that ``options``' filters keep (None: all of
        it), read with the filters in Cypher and kept per filter; with ``peers_of``'s peers
        when given (those sharing ``peers_service`` when given), found among every sharer of
        the year whatever the filters (so from the whole year's data, kept too)."""
        year = current_year() if year is None else year
        snapshot = self._snapshots.current()
        self._latest = snapshot
        data = snapshot.remember(
            ("view_data", year, _filters(options)),
            lambda: read_view_data(snapshot, year, options),
        )
        if peers_of is not None:
            whole = (
                data
                if options is None
                else snapshot.remember(
                    ("view_data", year, None), lambda: read_view_data(snapshot, year)
                )
            )
            data = replace(data, peers=peers_for(whole, peers_of, service=peers_service))
        return data


def _filters(options: ViewOptions | None) -> tuple[tuple[str, ...], str, str | None] | None:
    """What of the options decides the data read (the rest only changes the drawing)."""
    if options is None:
        return None
    return (options.services, options.status, options.region)
