"""Groups of councils: connected components and Louvain communities.

Both are returned as tuples of frozensets numbered by position (1-based labels
via :func:`group_labels`), ordered by size, largest first, then by the
smallest council code, so that the numbering is the same on every run.
"""

# Graphs are named G (and copies H), as in networkx; see STYLE.md.
# ruff: noqa: N803, N806

from __future__ import annotations

from collections.abc import Iterable, Sequence

import networkx as nx

__all__ = ["DEFAULT_SEED", "canonical_graph", "communities", "components", "group_labels"]

#: Seed for Louvain. networkx defaults to ``seed=None`` (a new partition on
#: every call); this project wants the same communities on every run, so the
#: analysis defaults to a fixed seed instead.
DEFAULT_SEED = 2011


def canonical_graph(G: nx.Graph, *, weight: str | None = "weight") -> nx.Graph:
    """Return a copy of `G` with nodes and edges inserted in sorted order.

    Seeded algorithms such as Louvain visit nodes in insertion order, so two
    graphs with equal nodes and edges built in different orders can give
    different partitions; the canonical copy removes that dependence.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph with sortable (e.g. string) nodes.
    weight : str or None, optional (default="weight")
        Edge attribute to carry over (missing values become 1); ``None``
        carries none.

    Returns
    -------
    networkx.Graph
        A new graph without node attributes.

    Examples
    --------
    >>> G = nx.Graph([("b", "c"), ("a", "b")])
    >>> list(canonical_graph(G).edges)
    [('a', 'b'), ('b', 'c')]
    """
    H = nx.Graph()
    H.add_nodes_from(sorted(G))
    edges = sorted((u, v) if u <= v else (v, u) for u, v in G.edges())
    if weight is None:
        H.add_edges_from(edges)
    else:
        H.add_edges_from((u, v, {weight: G[u][v].get(weight, 1)}) for u, v in edges)
    return H


def _ordered(groups: Iterable[Iterable[str]]) -> tuple[frozenset[str], ...]:
    frozen = [frozenset(g) for g in groups]
    return tuple(sorted(frozen, key=lambda g: (-len(g), min(g))))


def components(G: nx.Graph) -> tuple[frozenset[str], ...]:
    """Return the connected components, largest first.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph with sortable nodes.

    Returns
    -------
    tuple of frozenset
        Components ordered by size (descending), then smallest node.

    Examples
    --------
    >>> G = nx.Graph([("d", "e"), ("a", "b"), ("b", "c")])
    >>> G.add_node("f")
    >>> [sorted(c) for c in components(G)]
    [['a', 'b', 'c'], ['d', 'e'], ['f']]
    """
    return _ordered(nx.connected_components(G))


def communities(
    G: nx.Graph,
    *,
    weight: str | None = "weight",
    resolution: float = 1.0,
    seed: int | None = DEFAULT_SEED,
) -> tuple[frozenset[str], ...]:
    """Return Louvain communities, largest first, reproducibly.

    Louvain is run on :func:`canonical_graph` of `G` with a fixed seed, so the
    same graph gives the same partition however it was built. Councils without
    ties are communities of their own.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph with sortable nodes.
    weight : str or None, optional (default="weight")
        Edge attribute holding tie strength; ``None`` counts every tie as 1.
    resolution : float, optional (default=1.0)
        Louvain resolution; below 1 favours larger communities.
    seed : int or None, optional (default=DEFAULT_SEED)
        Random seed; ``None`` gives a fresh (irreproducible) partition.

    Returns
    -------
    tuple of frozenset
        Communities ordered by size (descending), then smallest node.

    References
    ----------
    .. [1] Blondel, V. D., Guillaume, J.-L., Lambiotte, R., & Lefebvre, E.
       (2008). Fast unfolding of communities in large networks. Journal of
       Statistical Mechanics, P10008. :doi:`10.1088/1742-5468/2008/10/P10008`

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("c", "d")])
    >>> G.add_edges_from([("d", "e"), ("e", "f"), ("d", "f")])
    >>> [sorted(c) for c in communities(G, seed=42)]
    [['a', 'b', 'c'], ['d', 'e', 'f']]
    """
    H = canonical_graph(G, weight=weight)
    # The canonical copy has no weight attribute when weight is None, so
    # every tie counts 1 through louvain's default.
    found = nx.community.louvain_communities(
        H, weight=weight or "weight", resolution=resolution, seed=seed
    )
    return _ordered(found)


def group_labels(groups: Sequence[Iterable[str]]) -> dict[str, int]:
    """Return each node's 1-based group number.

    Parameters
    ----------
    groups : sequence of iterables
        Disjoint groups, in numbering order.

    Returns
    -------
    dict
        Node to the 1-based position of its group.

    Examples
    --------
    >>> group_labels([{"a", "b"}, {"c"}])["c"]
    2
    """
    return {node: i for i, group in enumerate(groups, start=1) for node in group}
