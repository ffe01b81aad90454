"""Projection of membership rows onto the two-mode and one-mode graphs."""

# Graphs are named G, as in networkx (STYLE.md).
# ruff: noqa: N806

from __future__ import annotations

import random

import networkx as nx
import pytest

from graph.analysis.projection import (
    AnalysisInputError,
    CouncilAttrs,
    Membership,
    council_graph,
    select_memberships,
    two_mode_graph,
)


def attrs(code: str, tier: str = "lower") -> CouncilAttrs:
    kind = "district" if tier == "lower" else "county"
    return CouncilAttrs(code, f"Council {code}", kind, tier, "South East", 1000, 100.0, 51.0, 0.0)


COUNCILS = {c: attrs(c) for c in "ABCDE"}

# p1: A, B, C share legal and hr; p2: B, C share legal; p3: C, D with services
# unknown; E shares nothing.
ROWS = [
    Membership("p1", "A", ("hr", "legal"), 2011),
    Membership("p1", "B", ("hr", "legal"), 2011),
    Membership("p1", "C", ("hr", "legal"), 2011),
    Membership("p2", "B", ("legal",), 2015),
    Membership("p2", "C", ("legal",), 2015),
    Membership("p3", "C", (), None),
    Membership("p3", "D", (), None),
]


def test_one_mode_counts_partnerships_and_distinct_services() -> None:
    G = council_graph(ROWS, COUNCILS)
    assert sorted(G.nodes) == ["A", "B", "C", "D"]
    # B and C share p1 and p2: 2 partnerships, services {hr, legal}: 2.
    bc = G["B"]["C"]
    assert (bc["partnerships"], bc["services"], bc["weight"]) == (2, 2, 2)
    assert bc["partnership_ids"] == ("p1", "p2")
    assert bc["service_codes"] == ("hr", "legal")
    # A-B only through p1, which covers two services.
    assert (G["A"]["B"]["partnerships"], G["A"]["B"]["services"]) == (1, 2)
    # A partnership with unknown services is still a tie, with no services.
    assert (G["C"]["D"]["partnerships"], G["C"]["D"]["services"]) == (1, 0)
    assert G.nodes["A"]["tier"] == "lower"
    assert G.nodes["A"]["population"] == 1000


def test_weight_can_be_multiplexity() -> None:
    G = council_graph(ROWS, COUNCILS, weight="services")
    assert G["A"]["B"]["weight"] == 2
    assert G["C"]["D"]["weight"] == 0


def test_service_filter_keeps_only_partnerships_covering_it() -> None:
    G = council_graph(ROWS, COUNCILS, service="legal")
    assert sorted(G.nodes) == ["A", "B", "C"]
    assert not G.has_node("D")
    # p3 (unknown services) belongs to no service in particular.
    assert select_memberships(ROWS, service="hr") == tuple(ROWS[:3])
    assert len(select_memberships(ROWS)) == len(ROWS)


def test_isolates_on_request() -> None:
    G = council_graph(ROWS, COUNCILS, include_isolates=True)
    assert "E" in G
    assert G.degree("E") == 0


def test_two_mode_graph() -> None:
    B = two_mode_graph(ROWS, COUNCILS)
    councils = {n for n, d in B.nodes(data=True) if d["bipartite"] == 0}
    partnerships = {n for n, d in B.nodes(data=True) if d["bipartite"] == 1}
    assert councils == set("ABCD")
    assert partnerships == {"p1", "p2", "p3"}
    assert B.number_of_edges() == len(ROWS)
    assert B.nodes["p1"]["services"] == ("hr", "legal")
    assert B.nodes["p2"]["start_year"] == 2015
    assert B.nodes["p3"]["start_year"] is None
    assert nx.is_bipartite(B)


def test_one_mode_is_the_projection_of_two_mode() -> None:
    B = two_mode_graph(ROWS, COUNCILS)
    projected = nx.bipartite.weighted_projected_graph(B, sorted("ABCD"))
    G = council_graph(ROWS, COUNCILS)
    assert {(u, v, d["weight"]) for u, v, d in projected.edges(data=True)} == {
        (u, v, d["partnerships"]) for u, v, d in G.edges(data=True)
    }


def test_row_order_and_duplicates_do_not_matter() -> None:
    shuffled = ROWS * 2
    random.Random(3).shuffle(shuffled)
    G1, G2 = council_graph(ROWS, COUNCILS), council_graph(shuffled, COUNCILS)
    assert list(G1.nodes(data=True)) == list(G2.nodes(data=True))
    assert list(G1.edges(data=True)) == list(G2.edges(data=True))
    assert list(two_mode_graph(shuffled, COUNCILS).edges) == list(
        two_mode_graph(ROWS, COUNCILS).edges
    )


def test_missing_council_attributes_name_the_row() -> None:
    rows = [*ROWS, Membership("p9", "Z", ("legal",))]
    with pytest.raises(AnalysisInputError, match="partnership 'p9' names council 'Z'"):
        council_graph(rows, COUNCILS)


def test_partnership_id_equal_to_a_council_code_is_refused() -> None:
    rows = [Membership("A", "A", ()), Membership("A", "B", ())]
    with pytest.raises(AnalysisInputError, match="also a council code"):
        two_mode_graph(rows, COUNCILS)
