"""Projections of one year's memberships onto networkx graphs.

The input is the list of *effective* memberships of one year (the caller's
Neo4j read has already applied succession and the active-partnership rule of
``docs/graph-model.md``), one row per (partnership, council), together with the
attributes of the councils. From those rows this module builds

* the two-mode (bipartite) graph of councils and partnerships, and
* the one-mode council graph, in which two councils are joined when they share
  at least one partnership.

Nodes are inserted in sorted order and edges in sorted order, so that graphs
built from the same rows in any order are identical, and seeded algorithms
(Louvain) that iterate over nodes give the same answer on every run.
"""

# Graphs are named G (and copies H), as in networkx; see STYLE.md.
# ruff: noqa: N806

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import networkx as nx

from graph.errors import CouncilGraphError

__all__ = [
    "AnalysisInputError",
    "CouncilAttrs",
    "Membership",
    "council_graph",
    "select_memberships",
    "two_mode_graph",
]

EdgeWeight = Literal["partnerships", "services"]


class AnalysisInputError(CouncilGraphError, ValueError):
    """The rows handed to the analysis do not fit together.

    The message names the partnership and council concerned and what was
    expected, so that whoever prepared the rows can fix them.
    """


@dataclass(frozen=True, slots=True)
class Membership:
    """One council's effective membership of one active partnership in a year.

    Parameters
    ----------
    partnership_id : str
        ``Partnership.id``.
    council_code : str
        GSS code of the effective member (after succession) in that year.
    services : tuple of str
        Service-area codes the partnership covers (``COVERS``); empty when the
        source did not say.
    start_year : int or None, optional
        The partnership's start year by the rules of ``graph.rules`` (stated,
        else first evidence); used only in the peer finder's reasons.
    start_basis : str or None, optional
        How that year is known: ``stated``, ``first_evidence`` or ``unknown``.
    partnership_name : str or None, optional
        The partnership's name, for reasons (its id when None).
    not_confirmed_since : int or None, optional
        The year of its latest source, when that is too old to confirm it in
        the year of the rows (``graph.rules.not_confirmed_since``).
    """

    partnership_id: str
    council_code: str
    services: tuple[str, ...] = ()
    start_year: int | None = None
    start_basis: str | None = None
    partnership_name: str | None = None
    not_confirmed_since: int | None = None


@dataclass(frozen=True, slots=True)
class CouncilAttrs:
    """What the analysis needs to know about a council.

    ``population`` and ``area_ha`` may be unknown (None); ``population`` is
    never 0 in the graph (see ``docs/graph-model.md``).
    """

    code: str
    name: str
    kind: str
    tier: str
    region: str | None
    population: int | None
    area_ha: float | None
    lat: float
    lon: float


def select_memberships(
    memberships: Iterable[Membership], *, service: str | None = None
) -> tuple[Membership, ...]:
    """Return the memberships of partnerships that cover `service`.

    Parameters
    ----------
    memberships : iterable of Membership
        Effective memberships of one year.
    service : str or None, optional (default=None)
        Service-area code. ``None`` keeps every row, including partnerships
        whose service areas are unknown (they still make their members
        active sharers, for no service in particular).

    Returns
    -------
    tuple of Membership
        The selected rows, deduplicated and sorted by partnership then council.

    Examples
    --------
    >>> rows = [Membership("p1", "A", ("legal",)), Membership("p2", "A", ())]
    >>> [m.partnership_id for m in select_memberships(rows, service="legal")]
    ['p1']
    """
    chosen = {m for m in memberships if service is None or service in m.services}
    return tuple(sorted(chosen, key=lambda m: (m.partnership_id, m.council_code)))


def _members_by_partnership(
    memberships: Iterable[Membership], councils: Mapping[str, CouncilAttrs]
) -> dict[str, list[Membership]]:
    by_partnership: dict[str, list[Membership]] = defaultdict(list)
    for m in memberships:
        if m.council_code not in councils:
            raise AnalysisInputError(
                f"membership of partnership {m.partnership_id!r} names council "
                f"{m.council_code!r}, which has no attributes; pass attributes for "
                "every effective member council of the year"
            )
        by_partnership[m.partnership_id].append(m)
    return by_partnership


def _council_node_attrs(c: CouncilAttrs) -> dict[str, object]:
    return {
        "bipartite": 0,
        "name": c.name,
        "kind": c.kind,
        "tier": c.tier,
        "region": c.region,
        "population": c.population,
        "area_ha": c.area_ha,
        "lat": c.lat,
        "lon": c.lon,
    }


# The projections document their shared parameters in full (numpydoc, as networkx does): the
# docstrings are alike on purpose (duplicates tool).
def two_mode_graph(
    memberships: Iterable[Membership],
    councils: Mapping[str, CouncilAttrs],
    *,
    service: str | None = None,
) -> nx.Graph:
    """Return the two-mode graph of councils and the partnerships they share.

    Parameters
    ----------
    memberships : iterable of Membership
        Effective memberships of one year.
    councils : mapping of str to CouncilAttrs
        Attributes of (at least) every council named in `memberships`.
    service : str or None, optional (default=None)
        Keep only partnerships covering this service area.

    Returns
    -------
    G : networkx.Graph
        Council nodes are keyed by GSS code and carry ``bipartite=0`` and the
        fields of :class:`CouncilAttrs`; partnership nodes are keyed by id and
        carry ``bipartite=1``, ``services`` (tuple) and ``start_year``. Each
        membership is an edge.

    Raises
    ------
    AnalysisInputError
        If a row names a council without attributes, or a partnership id equals
        a council code (the two node sets must be disjoint).

    Examples
    --------
    >>> councils = {
    ...     c: CouncilAttrs(c, c, "district", "lower", "South East", 1, 1.0, 51.0, 0.0)
    ...     for c in "AB"
    ... }
    >>> rows = [Membership("p1", "A", ("legal",)), Membership("p1", "B", ("legal",))]
    >>> G = two_mode_graph(rows, councils)
    >>> sorted(G["p1"]), G.nodes["p1"]["bipartite"]
    (['A', 'B'], 1)
    """
    rows = select_memberships(memberships, service=service)
    by_partnership = _members_by_partnership(rows, councils)
    G = nx.Graph()
    for code in sorted({m.council_code for m in rows}):
        G.add_node(code, **_council_node_attrs(councils[code]))
    for pid in sorted(by_partnership):
        if pid in G:
            raise AnalysisInputError(
                f"partnership id {pid!r} is also a council code; ids must differ "
                "from GSS codes for the two-mode graph"
            )
        members = by_partnership[pid]
        services = sorted({s for m in members for s in m.services})
        start_years = [m.start_year for m in members if m.start_year is not None]
        G.add_node(
            pid,
            bipartite=1,
            services=tuple(services),
            start_year=min(start_years) if start_years else None,
        )
        for m in members:
            G.add_edge(m.council_code, pid)
    return G


def _shared_by_pairs(
    by_partnership: Mapping[str, Sequence[Membership]],
) -> tuple[dict[tuple[str, str], set[str]], dict[tuple[str, str], set[str]]]:
    """For each pair of councils (``u < v``), the partnerships and the services they share."""
    pair_partnerships: dict[tuple[str, str], set[str]] = defaultdict(set)
    pair_services: dict[tuple[str, str], set[str]] = defaultdict(set)
    for pid, members in by_partnership.items():
        codes = sorted({m.council_code for m in members})
        services = {s for m in members for s in m.services}
        for u, v in combinations(codes, 2):
            pair_partnerships[u, v].add(pid)
            pair_services[u, v] |= services
    return pair_partnerships, pair_services


def council_graph(
    memberships: Iterable[Membership],
    councils: Mapping[str, CouncilAttrs],
    *,
    service: str | None = None,
    weight: EdgeWeight = "partnerships",
    include_isolates: bool = False,
) -> nx.Graph:
    """Return the one-mode council graph weighted by what pairs share.

    Two councils are adjacent when both are members of a selected partnership.

    Parameters
    ----------
    memberships : iterable of Membership
        Effective memberships of one year.
    councils : mapping of str to CouncilAttrs
        Attributes of (at least) every council named in `memberships`.
    service : str or None, optional (default=None)
        Keep only partnerships covering this service area.
    weight : {"partnerships", "services"}, optional (default="partnerships")
        Which count is copied into the ``weight`` edge attribute, the one the
        measures use by default.
    include_isolates : bool, optional (default=False)
        Also add every council of `councils` that shares nothing, as an
        isolated node. Pass only councils that exist in the year if so.

    Returns
    -------
    G : networkx.Graph
        Nodes carry the fields of :class:`CouncilAttrs`. Edges carry
        ``partnerships`` (number of selected partnerships the pair shares),
        ``services`` (number of distinct service areas across those
        partnerships: the multiplexity of the tie; partnerships with unknown
        services add none), ``partnership_ids`` and ``service_codes`` (sorted
        tuples), and ``weight`` (a copy of the count named by `weight`).

    Raises
    ------
    AnalysisInputError
        If a row names a council without attributes.

    Examples
    --------
    >>> councils = {
    ...     c: CouncilAttrs(c, c, "district", "lower", "South East", 1, 1.0, 51.0, 0.0)
    ...     for c in "ABC"
    ... }
    >>> rows = [
    ...     Membership("p1", "A", ("legal", "hr")),
    ...     Membership("p1", "B", ("legal", "hr")),
    ...     Membership("p2", "B", ("legal",)),
    ...     Membership("p2", "C", ("legal",)),
    ...     Membership("p3", "A", ("waste",)),
    ...     Membership("p3", "B", ("waste",)),
    ... ]
    >>> G = council_graph(rows, councils)
    >>> G["A"]["B"]["partnerships"], G["A"]["B"]["services"], G["B"]["C"]["weight"]
    (2, 3, 1)
    """
    rows = select_memberships(memberships, service=service)
    pair_partnerships, pair_services = _shared_by_pairs(_members_by_partnership(rows, councils))
    G = nx.Graph()
    nodes = set(councils) if include_isolates else {m.council_code for m in rows}
    for code in sorted(nodes):
        attrs = _council_node_attrs(councils[code])
        del attrs["bipartite"]
        G.add_node(code, **attrs)
    for u, v in sorted(pair_partnerships):
        shared, services = pair_partnerships[u, v], pair_services[u, v]
        G.add_edge(
            u,
            v,
            partnerships=len(shared),
            services=len(services),
            partnership_ids=tuple(sorted(shared)),
            service_codes=tuple(sorted(services)),
            weight=len(shared) if weight == "partnerships" else len(services),
        )
    return G
