"""One year's network, projected and measured in one go (the unit that is cached)."""

# Graphs are named G (and copies H), as in networkx; see STYLE.md.
# ruff: noqa: N806

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from graph.analysis.groups import DEFAULT_SEED, communities
from graph.analysis.measures import (
    CouncilMetrics,
    NetworkSummary,
    council_metrics,
    network_summary,
)
from graph.analysis.projection import (
    CouncilAttrs,
    EdgeWeight,
    Membership,
    council_graph,
    select_memberships,
    two_mode_graph,
)

__all__ = ["NetworkAnalysis", "analyse_network"]


@dataclass(frozen=True, eq=False)
class NetworkAnalysis:
    """Projections and measures of one (year, service) selection.

    Treat the graphs as read-only: the same object is shared by every caller
    of a cache. Instances compare by identity (graphs have no value equality).

    Attributes
    ----------
    service : str or None
        Service-area filter applied.
    memberships : tuple of Membership
        The selected rows (input of :func:`graph.analysis.peers.find_peers`).
    councils : mapping of str to CouncilAttrs
        The council attributes supplied.
    two_mode : networkx.Graph
        Councils and partnerships (``bipartite`` 0 and 1).
    council_graph : networkx.Graph
        One-mode council graph.
    communities : tuple of frozenset of str
        Louvain communities; community n is ``communities[n - 1]``.
    metrics : mapping of str to CouncilMetrics
        Per council, in code order.
    summary : NetworkSummary
        Network-wide figures.
    """

    service: str | None
    memberships: tuple[Membership, ...]
    councils: Mapping[str, CouncilAttrs]
    two_mode: nx.Graph
    council_graph: nx.Graph
    communities: tuple[frozenset[str], ...]
    metrics: Mapping[str, CouncilMetrics]
    summary: NetworkSummary


def analyse_network(
    memberships: Iterable[Membership],
    councils: Mapping[str, CouncilAttrs],
    borders: Iterable[tuple[str, str]] = (),
    *,
    service: str | None = None,
    weight: EdgeWeight = "partnerships",
    include_isolates: bool = False,
    seed: int | None = DEFAULT_SEED,
    resolution: float = 1.0,
) -> NetworkAnalysis:
    """Project one year's memberships and compute every measure.

    Parameters
    ----------
    memberships : iterable of Membership
        Effective memberships of active partnerships in the year.
    councils : mapping of str to CouncilAttrs
        Attributes of every council that exists in the year (at least every
        member; all of them when `include_isolates` or for the peer finder).
    borders : iterable of (str, str), optional
        Pairs of councils that border.
    service : str or None, optional (default=None)
        Keep only partnerships covering this service area.
    weight : {"partnerships", "services"}, optional (default="partnerships")
        Tie strength used by the measures.
    include_isolates : bool, optional (default=False)
        Include councils that share nothing as isolated nodes.
    seed : int or None, optional (default=DEFAULT_SEED)
        Louvain seed.
    resolution : float, optional (default=1.0)
        Louvain resolution.

    Returns
    -------
    NetworkAnalysis

    Examples
    --------
    >>> from graph.analysis.projection import CouncilAttrs, Membership
    >>> councils = {
    ...     c: CouncilAttrs(c, c, "district", "lower", "SE", 1, 1.0, 51.0, 0.0) for c in "ABC"
    ... }
    >>> rows = [Membership("p1", c, ("legal",)) for c in "ABC"]
    >>> result = analyse_network(rows, councils)
    >>> result.summary.ties, result.summary.transitivity, result.metrics["A"].community
    (3, 1.0, 1)
    """
    rows = select_memberships(memberships, service=service)
    G = council_graph(rows, councils, weight=weight, include_isolates=include_isolates)
    partition = communities(G, seed=seed, resolution=resolution)
    borders = tuple(borders)
    return NetworkAnalysis(
        service=service,
        memberships=rows,
        councils=councils,
        two_mode=two_mode_graph(rows, councils),
        council_graph=G,
        communities=partition,
        metrics=council_metrics(G, partition=partition),
        summary=network_summary(G, borders, partition=partition),
    )
