"""Burt's structural-hole measures: constraint and effective size.

networkx offers :func:`networkx.constraint` and :func:`networkx.effective_size`,
but without SciPy they recompute each normalised tie weight from scratch, which
costs O(d**3) per council; a national consortium of 40 members makes that
seconds; with SciPy they take a sparse-matrix path whose weighted effective size
divides by the wrong council's strongest tie (networkx PR #8906, open in 3.6.1).
These functions compute Burt's quantities from tie weights normalised once per
council, for undirected graphs, whatever is installed; tests check them by hand
and against networkx's per-node code.
"""

# Graphs are named G (and copies H), as in networkx; see STYLE.md.
# ruff: noqa: N803

from __future__ import annotations

from collections.abc import Callable

import networkx as nx

__all__ = ["constraint", "effective_size"]

# Each measure documents its parameters in full (numpydoc, as networkx does): the docstrings
# are alike on purpose (duplicates tool).


def _normalised_ties(
    G: nx.Graph, weight: str | None
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """Return (p, m): tie weights over each node's total and over its maximum.

    Self-loops are ignored, as Burt's measures are about ties to others.
    """
    p: dict[str, dict[str, float]] = {}
    m: dict[str, dict[str, float]] = {}
    for v, nbrs in G.adjacency():
        # An undirected tie counts once in each direction, so the mutual weight
        # of networkx's definition is twice the edge weight; the factor cancels.
        ties = {
            u: float(d.get(weight, 1)) if weight is not None else 1.0
            for u, d in nbrs.items()
            if u != v
        }
        total = sum(ties.values())
        largest = max(ties.values(), default=0.0)
        p[v] = {u: w / total for u, w in ties.items()} if total else {}
        m[v] = {u: w / largest for u, w in ties.items()} if largest else {}
    return p, m


def _per_ego(
    p: dict[str, dict[str, float]], measure: Callable[[dict[str, float]], float]
) -> dict[str, float | None]:
    """``measure`` of each node's normalised ties; None for a node without ties."""
    return {v: measure(pv) if pv else None for v, pv in p.items()}


def constraint(G: nx.Graph, *, weight: str | None = "weight") -> dict[str, float | None]:
    r"""Return Burt's constraint on every node of an undirected graph.

    .. math::

       c(v) = \sum_{w \in N(v)} \Bigl(p_{vw} + \sum_{q \in N(v) \cap N(w)}
              p_{vq}\, p_{qw}\Bigr)^2

    where :math:`p_{vw}` is the weight of the tie v-w over the total weight of
    v's ties. Low constraint means a council's partners are not partners of
    each other: it brokers between otherwise separate groups.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph.
    weight : str or None, optional (default="weight")
        Edge attribute holding tie strength; ``None`` counts every tie as 1.

    Returns
    -------
    dict
        Node to constraint; ``None`` for a node without ties, for which the
        measure is not defined (networkx returns ``nan``).

    See Also
    --------
    networkx.constraint

    References
    ----------
    .. [1] Burt, R. S. (2004). Structural holes and good ideas.
       American Journal of Sociology, 110(2), 349-399. :doi:`10.1086/421787`
    .. [2] Everett, M. G., & Borgatti, S. P. (2020). Unpacking Burt's
       constraint measure. Social Networks, 62, 50-57.
       :doi:`10.1016/j.socnet.2020.02.001`

    Examples
    --------
    >>> G = nx.star_graph(3)
    >>> c = constraint(G)
    >>> round(c[0], 4), c[1]
    (0.3333, 1.0)
    """
    p, _ = _normalised_ties(G, weight)

    def ego_constraint(pv: dict[str, float]) -> float:
        total = 0.0
        for w, pvw in pv.items():
            pw = p[w]
            indirect = sum(pvq * p[q].get(w, 0.0) for q, pvq in pv.items() if q in pw)
            total += (pvw + indirect) ** 2
        return total

    return _per_ego(p, ego_constraint)


def effective_size(G: nx.Graph, *, weight: str | None = "weight") -> dict[str, float | None]:
    r"""Return Burt's effective size of every node's ego network.

    .. math::

       e(v) = \sum_{u \in N(v)} \Bigl(1 - \sum_{w \in N(v)} p_{vw}\, m_{uw}\Bigr)

    where :math:`p_{vw}` is the tie v-w over v's total and :math:`m_{uw}` the
    tie u-w over u's strongest tie. It is the number of partners less the
    redundancy among them; with equal weights it equals Borgatti's
    :math:`n - 2t/n` for n partners sharing t ties among themselves.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph.
    weight : str or None, optional (default="weight")
        Edge attribute holding tie strength; ``None`` counts every tie as 1.

    Returns
    -------
    dict
        Node to effective size; ``None`` for a node without ties.

    See Also
    --------
    networkx.effective_size

    References
    ----------
    .. [1] Burt, R. S. (1992). Structural Holes: The Social Structure of
       Competition. Harvard University Press. (no DOI)
    .. [2] Borgatti, S. P. (1997). Structural holes: unpacking Burt's
       redundancy measures. Connections, 20(1), 35-38. (no DOI)

    Examples
    --------
    >>> G = nx.complete_graph(3)
    >>> G.add_edge(2, 3)
    >>> es = effective_size(G)
    >>> round(es[2], 4), es[3]
    (2.3333, 1.0)
    """
    p, m = _normalised_ties(G, weight)

    def ego_size(pv: dict[str, float]) -> float:
        total = 0.0
        for u in pv:
            mu = m[u]
            redundancy = sum(pvw * mu.get(w, 0.0) for w, pvw in pv.items() if w != u)
            total += 1.0 - redundancy
        return total

    return _per_ego(p, ego_size)
