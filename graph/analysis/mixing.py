"""Who shares with whom: homophily by attribute and sharing across borders.

The assortativity coefficient is computed here rather than with
:func:`networkx.attribute_assortativity_coefficient`, which needs NumPy (not a
dependency of this project); it is the same quantity, Newman's r.
"""

# Graphs are named G (and copies H), as in networkx; see STYLE.md.
# ruff: noqa: N803

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable

import networkx as nx

__all__ = ["attribute_assortativity", "bordering_pairs"]


def attribute_assortativity(G: nx.Graph, attribute: str) -> float | None:
    r"""Return Newman's assortativity coefficient for a categorical attribute.

    .. math::

       r = \frac{\sum_i e_{ii} - \sum_i a_i^2}{1 - \sum_i a_i^2}

    where :math:`e_{ij}` is the fraction of tie ends joining a node of class i
    to one of class j and :math:`a_i = \sum_j e_{ij}`. r is 1 when councils
    share only with their own class (e.g. districts with districts), 0 when
    classes mix as at random, and negative when they prefer other classes.
    Each tie counts once whatever its weight; ties where either end lacks the
    attribute (None or absent) are left out.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph.
    attribute : str
        Node attribute holding the class (e.g. ``"tier"``, ``"region"``).

    Returns
    -------
    float or None
        r, or ``None`` when undefined: no ties with known classes, or all
        known ends in one class.

    References
    ----------
    .. [1] Newman, M. E. J. (2003). Mixing patterns in networks. Physical
       Review E, 67(2), 026126. :doi:`10.1103/PhysRevE.67.026126`

    Examples
    --------
    Two triangles of districts and of upper-tier councils joined by one tie:
    e_ll = e_uu = 6/14, e_lu = e_ul = 1/14, a_l = a_u = 1/2, so
    r = (12/14 - 1/2) / (1 - 1/2) = 5/7.

    >>> G = nx.barbell_graph(3, 0)
    >>> nx.set_node_attributes(G, {n: "lower" if n < 3 else "upper" for n in G}, "tier")
    >>> round(attribute_assortativity(G, "tier"), 4)
    0.7143
    """
    ends: Counter[tuple[Hashable, Hashable]] = Counter()
    for u, v in G.edges():
        if u == v:
            continue
        a = G.nodes[u].get(attribute)
        b = G.nodes[v].get(attribute)
        if a is None or b is None:
            continue
        ends[a, b] += 1
        ends[b, a] += 1
    total = sum(ends.values())
    if total == 0:
        return None
    row: Counter[Hashable] = Counter()
    for (a, _), n in ends.items():
        row[a] += n
    diagonal = sum(n for (a, b), n in ends.items() if a == b) / total
    expected = sum((n / total) ** 2 for n in row.values())
    if expected >= 1.0:
        return None
    return (diagonal - expected) / (1.0 - expected)


def bordering_pairs(G: nx.Graph, borders: Iterable[tuple[str, str]]) -> tuple[int, int]:
    """Return how many sharing pairs border each other, and how many pairs share.

    A sharing pair is an edge of the one-mode council graph: two councils
    that share at least one partnership, counted once however many they
    share. The share of sharing between neighbours is the first number over
    the second.

    Parameters
    ----------
    G : networkx.Graph
        One-mode council graph.
    borders : iterable of (str, str)
        Pairs of councils that border, in either order (``BORDERS``).

    Returns
    -------
    (int, int)
        Bordering sharing pairs, all sharing pairs (edges, self-loops left out).

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("a", "c")])
    >>> bordering_pairs(G, [("b", "a"), ("c", "d")])
    (1, 3)
    """
    border_set = {frozenset(pair) for pair in borders}
    pairs = [(u, v) for u, v in G.edges() if u != v]
    bordering = sum(1 for u, v in pairs if frozenset((u, v)) in border_set)
    return bordering, len(pairs)
