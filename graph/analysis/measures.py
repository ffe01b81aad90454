"""Per-council and network-wide measures of the one-mode council graph.

Every function takes the graph built by
:func:`graph.analysis.projection.council_graph` (or any undirected graph with
string nodes) and returns frozen dataclasses; nothing here reads or writes.

Weights. The ``weight`` edge attribute is a tie *strength* (number of shared
partnerships, or of distinct shared services). Degree-like and brokerage
measures use it as a strength. Betweenness needs a *length*, so a tie's length
is ``1 / weight`` (two councils sharing three partnerships are closer than two
sharing one), the usual conversion for collaboration networks [1]_ [2]_.
"""

# Graphs are named G (and copies H), as in networkx; see STYLE.md.
# ruff: noqa: N803, N806

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from heapq import heappop, heappush
from itertools import count
from typing import Literal

import networkx as nx

from graph.analysis.brokerage import constraint, effective_size
from graph.analysis.groups import (
    DEFAULT_SEED,
    canonical_graph,
    communities,
    components,
    group_labels,
)
from graph.analysis.mixing import attribute_assortativity, bordering_pairs

__all__ = [
    "CouncilMetrics",
    "NetworkSummary",
    "betweenness",
    "council_metrics",
    "network_summary",
    "rank_councils",
]

MetricName = Literal[
    "degree",
    "weighted_degree",
    "betweenness",
    "constraint",
    "effective_size",
    "community",
    "component",
]


@dataclass(frozen=True, slots=True)
class CouncilMetrics:
    """Network position of one council in one year's council graph.

    Attributes
    ----------
    code : str
        GSS code.
    degree : int
        Number of distinct partner councils.
    weighted_degree : float
        Sum of tie weights (by default, partnerships shared summed over
        partners).
    betweenness : float
        Normalised betweenness on tie lengths ``1 / weight``.
    constraint : float or None
        Burt's constraint; None for a council without ties.
    effective_size : float or None
        Burt's effective size; None for a council without ties.
    community : int
        1-based Louvain community number (1 is the largest).
    component : int
        1-based connected-component number (1 is the largest).
    """

    code: str
    degree: int
    weighted_degree: float
    betweenness: float
    constraint: float | None
    effective_size: float | None
    community: int
    component: int


@dataclass(frozen=True, slots=True)
class NetworkSummary:
    """Network-wide figures for one year's council graph.

    Attributes
    ----------
    councils : int
        Nodes (councils in the graph).
    ties : int
        Edges: pairs of councils sharing at least one partnership.
    density : float
        Ties over possible pairs.
    components : int
        Connected components (an isolated council is one).
    largest_component : int
        Councils in the largest component.
    transitivity : float
        Share of connected triples that are closed (global clustering).
    communities : int
        Louvain communities.
    modularity : float
        Modularity of that partition (0.0 for a graph without ties).
    tier_assortativity : float or None
        Newman's r by ``tier``; None when undefined.
    region_assortativity : float or None
        Newman's r by ``region``; None when undefined.
    bordering_ties : int
        Ties between councils that border.
    bordering_share : float or None
        ``bordering_ties / ties``: the share of sharing *pairs* (not of
        partnerships) that are neighbours; None without ties.
    """

    councils: int
    ties: int
    density: float
    components: int
    largest_component: int
    transitivity: float
    communities: int
    modularity: float
    tier_assortativity: float | None
    region_assortativity: float | None
    bordering_ties: int
    bordering_share: float | None


def betweenness(
    G: nx.Graph, *, weight: str | None = "weight", normalized: bool = True
) -> dict[str, float]:
    """Return betweenness centrality with tie length ``1 / weight``.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph with sortable nodes.
    weight : str or None, optional (default="weight")
        Edge attribute holding tie strength. A tie of strength w has length
        1/w; ties of strength 0 or less are not paths. ``None`` counts hops.
    normalized : bool, optional (default=True)
        Divide by the number of pairs of other nodes, ``(n-1)(n-2)/2``.

    Returns
    -------
    dict
        Node to betweenness.

    References
    ----------
    .. [1] Brandes, U. (2001). A faster algorithm for betweenness centrality.
       Journal of Mathematical Sociology, 25(2), 163-177.
       :doi:`10.1080/0022250X.2001.9990249`
    .. [2] Newman, M. E. J. (2001). Scientific collaboration networks. II.
       Shortest paths, weighted networks, and centrality. Physical Review E,
       64(1), 016132. :doi:`10.1103/PhysRevE.64.016132`
    .. [3] Opsahl, T., Agneessens, F., & Skvoretz, J. (2010). Node centrality
       in weighted networks. Social Networks, 32(3), 245-251.
       :doi:`10.1016/j.socnet.2010.03.006`

    Examples
    --------
    A tie of strength 4 has length 1/4, so a-c-b (1/2) is shorter than the
    direct a-b (1) and c lies on the only shortest a-b path:

    >>> G = nx.Graph()
    >>> G.add_weighted_edges_from([("a", "b", 1), ("a", "c", 4), ("c", "b", 4)])
    >>> betweenness(G)["c"], betweenness(G, weight=None)["c"]
    (1.0, 0.0)
    """
    H = canonical_graph(G, weight=None)
    if weight is None:
        return dict(nx.betweenness_centrality(H, normalized=normalized))
    lengths: dict[str, list[tuple[str, float]]] = {v: [] for v in H}
    for u, v in H.edges():
        strength = G[u][v].get(weight, 1)
        if strength > 0:
            lengths[u].append((v, 1.0 / strength))
            lengths[v].append((u, 1.0 / strength))
    result = _brandes(lengths)
    n = len(lengths)
    # Each unordered pair was counted from both ends: halve, or divide by
    # 2 * (n-1)(n-2)/2 pairs when normalising (networkx's _rescale).
    if not normalized:
        return {v: b * 0.5 for v, b in result.items()}
    if n <= 2:
        return result
    scale = 1.0 / ((n - 1) * (n - 2))
    return {v: b * scale for v, b in result.items()}


def _brandes(lengths: dict[str, list[tuple[str, float]]]) -> dict[str, float]:
    """Brandes's accumulation over Dijkstra from every source.

    The same steps, tie rule and order as networkx's weighted
    ``betweenness_centrality`` (so the same floating-point answer), on plain
    adjacency lists of precomputed lengths, which is about three times faster
    than looking each length up through a graph view.
    """
    result = dict.fromkeys(lengths, 0.0)
    for s in lengths:
        order: list[str] = []
        preds: dict[str, list[str]] = {v: [] for v in lengths}
        sigma = dict.fromkeys(lengths, 0.0)
        settled: dict[str, float] = {}
        seen = {s: 0.0}
        sigma[s] = 1.0
        tiebreak = count()
        queue: list[tuple[float, int, str, str]] = [(0.0, next(tiebreak), s, s)]
        while queue:
            dist, _, pred, v = heappop(queue)
            if v in settled:
                continue
            sigma[v] += sigma[pred]
            order.append(v)
            settled[v] = dist
            for w, length in lengths[v]:
                vw_dist = dist + length
                if w not in settled and (w not in seen or vw_dist < seen[w]):
                    seen[w] = vw_dist
                    heappush(queue, (vw_dist, next(tiebreak), v, w))
                    sigma[w] = 0.0
                    preds[w] = [v]
                elif vw_dist == seen[w]:
                    sigma[w] += sigma[v]
                    preds[w].append(v)
        delta = dict.fromkeys(order, 0.0)
        while order:
            w = order.pop()
            coeff = (1.0 + delta[w]) / sigma[w]
            for v in preds[w]:
                delta[v] += sigma[v] * coeff
            if w != s:
                result[w] += delta[w]
    return result


def council_metrics(
    G: nx.Graph,
    *,
    weight: str | None = "weight",
    seed: int | None = DEFAULT_SEED,
    resolution: float = 1.0,
    partition: Sequence[Iterable[str]] | None = None,
) -> dict[str, CouncilMetrics]:
    """Return the metrics of every council in `G`.

    Parameters
    ----------
    G : networkx.Graph
        One-mode council graph.
    weight : str or None, optional (default="weight")
        Edge attribute holding tie strength; ``None`` counts every tie as 1.
    seed : int or None, optional (default=DEFAULT_SEED)
        Louvain seed (ignored when `partition` is given).
    resolution : float, optional (default=1.0)
        Louvain resolution (ignored when `partition` is given).
    partition : sequence of iterables, optional
        Communities already computed by
        :func:`graph.analysis.groups.communities`, in numbering order.

    Returns
    -------
    dict
        GSS code to :class:`CouncilMetrics`, in sorted code order.

    Examples
    --------
    >>> G = nx.path_graph(["a", "b", "c"])
    >>> m = council_metrics(G)
    >>> m["b"].degree, m["b"].betweenness, m["b"].constraint, m["a"].component
    (2, 1.0, 0.5, 1)
    """
    if partition is None:
        partition = communities(G, weight=weight, seed=seed, resolution=resolution)
    community_of = group_labels(partition)
    component_of = group_labels(components(G))
    between = betweenness(G, weight=weight)
    constrained = constraint(G, weight=weight)
    effective = effective_size(G, weight=weight)
    strength = dict(G.degree(weight=weight))
    return {
        code: CouncilMetrics(
            code=code,
            degree=sum(1 for u in G[code] if u != code),
            weighted_degree=float(strength[code]),
            betweenness=between[code],
            constraint=constrained[code],
            effective_size=effective[code],
            community=community_of[code],
            component=component_of[code],
        )
        for code in sorted(G)
    }


def network_summary(
    G: nx.Graph,
    borders: Iterable[tuple[str, str]] = (),
    *,
    weight: str | None = "weight",
    seed: int | None = DEFAULT_SEED,
    resolution: float = 1.0,
    partition: Sequence[Iterable[str]] | None = None,
) -> NetworkSummary:
    """Return the network-wide figures of a council graph.

    Parameters
    ----------
    G : networkx.Graph
        One-mode council graph; nodes need ``tier`` and ``region`` attributes
        for the assortativity figures (None where unknown).
    borders : iterable of (str, str), optional
        Pairs of councils that border, in either order.
    weight : str or None, optional (default="weight")
        Edge attribute holding tie strength, for Louvain and modularity.
    seed : int or None, optional (default=DEFAULT_SEED)
        Louvain seed (ignored when `partition` is given).
    resolution : float, optional (default=1.0)
        Louvain resolution (ignored when `partition` is given).
    partition : sequence of iterables, optional
        Communities already computed, as for :func:`council_metrics`.

    Returns
    -------
    NetworkSummary

    Examples
    --------
    >>> G = nx.path_graph(["a", "b", "c"])
    >>> s = network_summary(G, [("a", "b")])
    >>> s.ties, round(s.density, 4), s.components, s.bordering_share
    (2, 0.6667, 1, 0.5)
    """
    if partition is None:
        partition = communities(G, weight=weight, seed=seed, resolution=resolution)
    groups = [set(c) for c in partition]
    comps = components(G)
    bordering, ties = bordering_pairs(G, borders)
    modularity = (
        nx.community.modularity(G, groups, weight=weight or "weight")
        if G.number_of_edges()
        else 0.0
    )
    return NetworkSummary(
        councils=G.number_of_nodes(),
        ties=ties,
        density=nx.density(G),
        components=len(comps),
        largest_component=len(comps[0]) if comps else 0,
        transitivity=nx.transitivity(G),
        communities=len(groups),
        modularity=modularity,
        tier_assortativity=attribute_assortativity(G, "tier"),
        region_assortativity=attribute_assortativity(G, "region"),
        bordering_ties=bordering,
        bordering_share=bordering / ties if ties else None,
    )


def rank_councils(
    metrics: Iterable[CouncilMetrics], *, by: MetricName = "betweenness", descending: bool = True
) -> list[CouncilMetrics]:
    """Return council metrics sorted by one measure, for paginated listings.

    Parameters
    ----------
    metrics : iterable of CouncilMetrics
        E.g. ``council_metrics(G).values()``.
    by : str, optional (default="betweenness")
        Field of :class:`CouncilMetrics` to sort on.
    descending : bool, optional (default=True)
        Largest first. Undefined values (None) always come last; ties are
        broken by GSS code, so pages are stable.

    Returns
    -------
    list of CouncilMetrics

    Examples
    --------
    >>> G = nx.path_graph(["a", "b", "c"])
    >>> G.add_node("d")
    >>> [m.code for m in rank_councils(council_metrics(G).values(), by="constraint")]
    ['a', 'c', 'b', 'd']
    """
    rows = list(metrics)
    known = [m for m in rows if getattr(m, by) is not None]
    unknown = sorted((m for m in rows if getattr(m, by) is None), key=lambda m: m.code)
    sign = -1.0 if descending else 1.0
    known.sort(key=lambda m: (sign * float(getattr(m, by)), m.code))
    return [*known, *unknown]
