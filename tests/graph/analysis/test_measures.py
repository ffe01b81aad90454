"""Measures of the council graph against answers worked out by hand.

Canonical graphs used throughout (all ties weight 1 unless stated):

* path:    A - B - C
* star:    S at the centre, leaves L1, L2, L3
* barbell: triangles A-B-C and D-E-F joined by the bridge C-D
"""

# Graphs are named G, as in networkx (STYLE.md).
# ruff: noqa: N806

from __future__ import annotations

import random
from fractions import Fraction

import networkx as nx
import pytest

from graph.analysis.brokerage import constraint, effective_size
from graph.analysis.groups import canonical_graph, communities, components, group_labels
from graph.analysis.measures import betweenness, council_metrics, network_summary, rank_councils
from graph.analysis.mixing import attribute_assortativity, bordering_pairs


def path() -> nx.Graph:
    G = nx.Graph()
    G.add_edges_from([("A", "B"), ("B", "C")], weight=1)
    return G


def star() -> nx.Graph:
    G = nx.Graph()
    G.add_edges_from([("S", "L1"), ("S", "L2"), ("S", "L3")], weight=1)
    return G


def barbell() -> nx.Graph:
    G = nx.Graph()
    edges = [("A", "B"), ("A", "C"), ("B", "C"), ("C", "D"), ("D", "E"), ("D", "F"), ("E", "F")]
    G.add_edges_from(edges, weight=1)
    tiers = {"A": "lower", "B": "lower", "C": "lower", "D": "upper", "E": "upper", "F": "upper"}
    regions = {"A": "North", "B": "North", "C": "North", "D": "North", "E": "South", "F": "South"}
    nx.set_node_attributes(G, tiers, "tier")
    nx.set_node_attributes(G, regions, "region")
    return G


def close(value: float | None, expected: Fraction | float) -> bool:
    return value is not None and value == pytest.approx(float(expected), abs=1e-12)


# --- path A - B - C ---------------------------------------------------------


def test_path_of_three() -> None:
    m = council_metrics(path())
    # Degree: A and C have one partner, B two.
    assert [m[c].degree for c in "ABC"] == [1, 2, 1]
    # Betweenness: the only pair not involving B is (A, C), whose one shortest
    # path runs through B; normalised by (n-1)(n-2)/2 = 1 pair.
    assert [m[c].betweenness for c in "ABC"] == [0.0, 1.0, 0.0]
    # Constraint: A's single tie has p = 1, so c(A) = 1^2 = 1.
    # B: p_BA = p_BC = 1/2 and A, C are not tied: c(B) = 1/4 + 1/4 = 1/2.
    assert [m[c].constraint for c in "ABC"] == [1.0, 0.5, 1.0]
    # Effective size: B's two partners are not tied to each other, so 2; A has 1.
    assert [m[c].effective_size for c in "ABC"] == [1.0, 2.0, 1.0]
    assert {m[c].component for c in "ABC"} == {1}


def test_weighted_path_strength_and_constraint() -> None:
    G = nx.Graph()
    G.add_edge("A", "B", weight=2)
    G.add_edge("B", "C", weight=1)
    m = council_metrics(G)
    # Weighted degree (strength) = sum of tie weights.
    assert [m[c].weighted_degree for c in "ABC"] == [2.0, 3.0, 1.0]
    # p_BA = 2/3, p_BC = 1/3: c(B) = 4/9 + 1/9 = 5/9.
    assert close(m["B"].constraint, Fraction(5, 9))
    # No tie between A and C, so nothing is redundant: e(B) = 2.
    assert m["B"].effective_size == 2.0


# --- star ---------------------------------------------------------------------


def test_star() -> None:
    m = council_metrics(star())
    assert m["S"].degree == 3
    # The 3 leaf pairs all pass through S; normalised by (4-1)(4-2)/2 = 3.
    assert m["S"].betweenness == 1.0
    assert {m[leaf].betweenness for leaf in ("L1", "L2", "L3")} == {0.0}
    # c(S) = 3 * (1/3)^2 = 1/3; each leaf depends wholly on S: c = 1.
    assert close(m["S"].constraint, Fraction(1, 3))
    assert m["L1"].constraint == 1.0
    assert m["S"].effective_size == 3.0
    s = network_summary(star())
    # 3 ties of 4*3/2 = 6 possible pairs; no triangle.
    assert s.density == 0.5
    assert s.transitivity == 0.0


# --- barbell ------------------------------------------------------------------


def test_barbell_betweenness() -> None:
    b = betweenness(barbell())
    # Every one of the 2 x 3 = 6 pairs between {A, B} and {D, E, F} passes
    # through C; normalised by (6-1)(6-2)/2 = 10 pairs: 0.6. Same for D.
    assert b["C"] == pytest.approx(0.6)
    assert b["D"] == pytest.approx(0.6)
    assert {b[c] for c in "ABEF"} == {0.0}


def test_barbell_constraint() -> None:
    c = constraint(barbell())
    # A: p_AB = p_AC = 1/2; p_BC = 1/2 (B's ties: A, C); p_CB = 1/3 (C's: A, B, D).
    #   l(A,B) = (p_AB + p_AC p_CB)^2 = (1/2 + 1/6)^2 = 4/9
    #   l(A,C) = (p_AC + p_AB p_BC)^2 = (1/2 + 1/4)^2 = 9/16
    #   c(A) = 4/9 + 9/16 = 145/144
    assert close(c["A"], Fraction(145, 144))
    # C: p = 1/3 to each of A, B, D; p_BA = p_AB = 1/2; D shares no partner with C.
    #   l(C,A) = (1/3 + 1/3 * 1/2)^2 = 1/4 = l(C,B);  l(C,D) = (1/3)^2 = 1/9
    #   c(C) = 1/2 + 1/9 = 11/18
    assert close(c["C"], Fraction(11, 18))
    assert close(c["D"], Fraction(11, 18))
    assert close(c["F"], Fraction(145, 144))


def test_barbell_effective_size() -> None:
    e = effective_size(barbell())
    # C's partners A, B, D share 1 tie (A-B): Borgatti's n - 2t/n = 3 - 2/3 = 7/3.
    assert close(e["C"], Fraction(7, 3))
    # A's partners B, C are tied: 2 - 2*1/2 = 1.
    assert close(e["A"], 1)


def test_barbell_groups_and_summary() -> None:
    G = barbell()
    # Louvain splits at the bridge; equal sizes are numbered by smallest code.
    assert communities(G) == (frozenset("ABC"), frozenset("DEF"))
    assert group_labels(communities(G)) == {"A": 1, "B": 1, "C": 1, "D": 2, "E": 2, "F": 2}
    s = network_summary(G, [("A", "B"), ("C", "D"), ("E", "X")])
    assert (s.councils, s.ties, s.components, s.largest_component) == (6, 7, 1, 6)
    # 7 ties of 15 pairs.
    assert close(s.density, Fraction(7, 15))
    # Triangles 2; connected triples = sum C(degree, 2) = 1+1+3+3+1+1 = 10;
    # transitivity = 3 * 2 / 10.
    assert close(s.transitivity, Fraction(6, 10))
    # Modularity of the two triangles: m = 7, each has 3 internal ties and
    # degree sum 7: 2 * (3/7 - (7/14)^2) = 5/14.
    assert close(s.modularity, Fraction(5, 14))
    assert s.communities == 2
    # Tier: e_ll = e_uu = 6/14, e_lu = e_ul = 1/14, a = 1/2 each:
    # r = (12/14 - 1/2) / (1 - 1/2) = 5/7.
    assert close(s.tier_assortativity, Fraction(5, 7))
    # Region (A-D North, E-F South): ties NN 4, SS 1, NS 2, so of 14 ends
    # e_NN = 8/14, e_SS = 2/14, e_NS = e_SN = 2/14; a_N = 10/14, a_S = 4/14;
    # r = (10/14 - 116/196) / (1 - 116/196) = 24/80 = 3/10.
    assert close(s.region_assortativity, Fraction(3, 10))
    # Of the 7 sharing pairs, A-B and C-D border (E-X is not a tie).
    assert s.bordering_ties == 2
    assert s.bordering_share == pytest.approx(2 / 7)


# --- weights, isolates, undefined values ---------------------------------------


def test_betweenness_uses_inverse_weight_as_length() -> None:
    G = nx.Graph()
    G.add_edge("a", "b", weight=1)
    G.add_edge("a", "c", weight=4)
    G.add_edge("c", "b", weight=4)
    # Lengths: a-b 1, a-c 1/4, c-b 1/4, so a-c-b (1/2) beats a-b: c is on the
    # only shortest path of the only pair without c.
    assert betweenness(G)["c"] == 1.0
    # Counting hops, a-b is direct and nobody is between.
    assert betweenness(G, weight=None)["c"] == 0.0


def test_weighted_effective_size_by_hand() -> None:
    G = nx.Graph()
    G.add_edge("A", "B", weight=2)
    G.add_edge("B", "C", weight=1)
    G.add_edge("A", "C", weight=1)
    # A: p_AB = 2/3, p_AC = 1/3. Each alter's ties over its own strongest:
    # m_BC = 1/2 (B's strongest is A, 2), m_CB = 1 (C's ties are all 1).
    # e(A) = (1 - p_AC m_BC) + (1 - p_AB m_CB) = 5/6 + 1/3 = 7/6.
    assert close(effective_size(G)["A"], Fraction(7, 6))
    # C: p = 1/2 each; m_AB = 1, m_BA = 1: e(C) = 1/2 + 1/2 = 1.
    assert close(effective_size(G)["C"], 1)
    # Constraint of C: l(C,A) = (1/2 + p_CB p_BA)^2 = (1/2 + 1/2 * 2/3)^2 = 25/36,
    # and l(C,B) the same, so c(C) = 50/36 = 25/18.
    assert close(constraint(G)["C"], Fraction(25, 18))


def test_zero_weight_ties_are_not_paths() -> None:
    G = nx.Graph()
    G.add_edge("a", "b", weight=0)
    G.add_edge("a", "c", weight=1)
    G.add_edge("c", "b", weight=1)
    assert betweenness(G)["c"] == 1.0


def test_isolates_and_components() -> None:
    G = nx.Graph([("A", "B"), ("C", "D"), ("D", "E")])
    G.add_node("F")
    # Largest first, then smallest code: {C,D,E}, {A,B}, {F}.
    assert components(G) == (frozenset("CDE"), frozenset("AB"), frozenset("F"))
    m = council_metrics(G)
    assert [m[c].component for c in "ABCDEF"] == [2, 2, 1, 1, 1, 3]
    # Brokerage is undefined without ties.
    assert m["F"].constraint is None
    assert m["F"].effective_size is None
    assert m["F"].degree == 0
    s = network_summary(G)
    assert (s.components, s.largest_component) == (3, 3)
    # No tier attribute anywhere: undefined, not zero.
    assert s.tier_assortativity is None
    assert s.bordering_share == 0.0


def test_empty_graph_summary() -> None:
    s = network_summary(nx.Graph())
    assert (s.councils, s.ties, s.components, s.largest_component) == (0, 0, 0, 0)
    assert s.bordering_share is None
    assert s.modularity == 0.0


def test_assortativity_leaves_out_unknown_classes() -> None:
    G = nx.Graph([("a", "b"), ("c", "d"), ("a", "x")])
    nx.set_node_attributes(G, {"a": "N", "b": "N", "c": "S", "d": "S", "x": None}, "region")
    # Perfectly assortative once the tie to x (unknown region) is left out.
    assert attribute_assortativity(G, "region") == 1.0
    # One class only: r is undefined.
    nx.set_node_attributes(G, "N", "region")
    assert attribute_assortativity(G, "region") is None


def test_bordering_pairs_ignores_order_of_pairs() -> None:
    G = nx.Graph([("a", "b"), ("b", "c")])
    assert bordering_pairs(G, [("b", "a"), ("c", "b")]) == (2, 2)


# --- agreement with networkx ---------------------------------------------------


@pytest.mark.parametrize("weighted", [False, True])
def test_brokerage_agrees_with_networkx(weighted: bool) -> None:
    rng = random.Random(7)
    G = nx.relabel_nodes(nx.karate_club_graph(), lambda n: f"n{n:02d}")
    for u, v in G.edges():
        G[u][v]["weight"] = rng.randint(1, 5) if weighted else 1
    G.add_node("isolate")
    weight = "weight" if weighted else None
    ours_c = constraint(G, weight=weight)
    ours_e = effective_size(G, weight=weight)
    # nodes= forces networkx's per-node code: its SciPy path (taken when SciPy
    # is installed and nodes is None) misnormalises weighted effective size
    # (networkx PR #8906); see test_weighted_effective_size_by_hand.
    theirs_c = nx.constraint(G, nodes=list(G), weight=weight)
    theirs_e = nx.effective_size(G, nodes=list(G), weight=weight)
    for n in G:
        if n == "isolate":
            assert ours_c[n] is None
            assert ours_e[n] is None
            continue
        assert ours_c[n] == pytest.approx(theirs_c[n])
        assert ours_e[n] == pytest.approx(theirs_e[n])


def test_canonical_graph_is_independent_of_insertion_order() -> None:
    edges = [("c", "a", 2), ("b", "a", 1), ("d", "c", 3)]
    G1 = nx.Graph()
    G1.add_weighted_edges_from(edges)
    G2 = nx.Graph()
    G2.add_weighted_edges_from(reversed(edges))
    H1, H2 = canonical_graph(G1), canonical_graph(G2)
    assert list(H1.nodes) == list(H2.nodes) == ["a", "b", "c", "d"]
    assert list(H1.edges(data=True)) == list(H2.edges(data=True))


@pytest.mark.parametrize("normalized", [True, False])
def test_weighted_betweenness_agrees_with_networkx(normalized: bool) -> None:
    rng = random.Random(3)
    G = nx.relabel_nodes(nx.les_miserables_graph(), lambda n: n.replace(" ", "_"))
    H = nx.Graph()
    H.add_nodes_from(sorted(G))
    for u, v in sorted((min(e), max(e)) for e in G.edges()):
        strength = rng.choice([1, 1, 2, 3, 4])
        G[u][v]["weight"] = strength
        H.add_edge(u, v, length=1.0 / strength)
    ours = betweenness(G, normalized=normalized)
    theirs = nx.betweenness_centrality(H, weight="length", normalized=normalized)
    assert ours == pytest.approx(theirs)


def test_rank_councils_puts_undefined_last_and_breaks_ties_by_code() -> None:
    G = star()
    G.add_node("Z")
    metrics = council_metrics(G)
    by_constraint = rank_councils(iter(metrics.values()), by="constraint")
    # Leaves have constraint 1, S 1/3, Z none (no ties).
    assert [m.code for m in by_constraint] == ["L1", "L2", "L3", "S", "Z"]
    ascending = rank_councils(metrics.values(), by="degree", descending=False)
    assert [m.code for m in ascending] == ["Z", "L1", "L2", "L3", "S"]
