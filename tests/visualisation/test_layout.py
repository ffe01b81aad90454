"""separate_dots: the grid finds exactly the near pairs a pair-by-pair scan finds, no two dots
overlap when it stops (the final placement finishes what the pushes leave, worked by hand and on
a dense grid checked pair by pair), and the same input always gives the same positions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from visualisation.dots import _near_pairs, _settle
from visualisation.layout import _separated, separate_dots


def _all_pairs(pos: np.ndarray, reach: np.ndarray) -> list[tuple[int, int]]:
    """Every pair nearer than its two reaches, written out pair by pair."""
    found = []
    for i in range(len(pos)):
        for j in range(i + 1, len(pos)):
            if math.dist(pos[i], pos[j]) < reach[i] + reach[j]:
                found.append((i, j))
    return found


def _overlaps(pos: dict[str, tuple[float, float]], radii: dict[str, float]) -> list[str]:
    """Pairs of circles that overlap, checked pair by pair."""
    names = sorted(pos)
    return [
        f"{a}-{b}"
        for k, a in enumerate(names)
        for b in names[k + 1 :]
        if math.dist(pos[a], pos[b]) < radii[a] + radii[b] - 1e-9
    ]


def test_near_pairs_hand_worked() -> None:
    # Reaches 2, 2, 2, 1.5: near below 4 for two of the first three, below 3.5 with the last.
    pos = np.array([[0.0, 0.0], [3.9, 0.0], [-4.0, 0.0], [0.0, -3.4]])
    reach = np.array([2.0, 2.0, 2.0, 1.5])
    first, second = _near_pairs(pos, reach)
    # 0-1: 3.9 < 4; 0-2: 4.0 is not < 4; 0-3: 3.4 < 3.5; 1-2: 7.9; 1-3: 5.2; 2-3: 5.3.
    assert list(zip(first.tolist(), second.tolist(), strict=True)) == [(0, 1), (0, 3)]


def test_near_pairs_big_and_small_hand_worked() -> None:
    # One dot of reach 100 over small ones of reach 1: it is near those within 101 of it;
    # the small ones are near each other only within 2.
    pos = np.array([[0.0, 0.0], [100.5, 0.0], [101.5, 0.0], [0.0, -60.0], [0.0, -61.9]])
    reach = np.array([100.0, 1.0, 1.0, 1.0, 1.0])
    first, second = _near_pairs(pos, reach)
    # 0-1: 100.5 < 101; 0-2: 101.5 is not; 0-3: 60; 0-4: 61.9; 1-2: 1.0 < 2; 3-4: 1.9 < 2.
    got = list(zip(first.tolist(), second.tolist(), strict=True))
    assert got == [(0, 1), (0, 3), (0, 4), (1, 2), (3, 4)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_near_pairs_match_all_pairs_scan(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # Clustered, spread and coincident dots on both sides of the origin, radii a
    # hundredfold apart (as the national map's councils and parish bodies are).
    pos = np.concatenate(
        [
            rng.normal(0.0, 3.0, (60, 2)),
            rng.uniform(-200.0, 150.0, (60, 2)),
            np.repeat([[7.5, -7.5]], 5, axis=0),
        ]
    )
    reach = np.concatenate([rng.uniform(0.5, 3.0, 120), [60.0, 0.3, 1.0, 25.0, 2.0]])
    first, second = _near_pairs(pos, reach)
    got = list(zip(first.tolist(), second.tolist(), strict=True))
    assert got == _all_pairs(pos, reach)  # same pairs, same (i, j) order


def test_separate_dots_two_circles_by_hand() -> None:
    # Equal circles of radius 2, 1 apart: they must end >= 4 apart, symmetric about x = 0.5.
    pos = separate_dots({"a": (0.0, 0.0), "b": (1.0, 0.0)}, {"a": 2.0, "b": 2.0})
    assert math.dist(pos["a"], pos["b"]) >= 4.0
    assert pos["a"][0] + pos["b"][0] == pytest.approx(1.0)
    assert pos["a"][1] == pytest.approx(0.0)
    assert pos["b"][1] == pytest.approx(0.0)


def test_separate_dots_leaves_no_overlap_in_a_crowd() -> None:
    # 6 x 6 dots of radius 1 on a grid of step 1.5, six coincident ones, and a big dot of
    # radius 12 landing on a row of small ones: when it stops, no pair overlaps.
    centres = {f"g{i}-{j}": (i * 1.5, j * 1.5) for i in range(6) for j in range(6)}
    centres.update({f"c{k}": (40.0, 40.0) for k in range(6)})
    centres.update({f"r{k}": (80.0 + 2.5 * k, 0.0) for k in range(8)})
    centres["big"] = (88.0, 0.0)
    radii = dict.fromkeys(centres, 1.0)
    radii["big"] = 12.0
    pos = separate_dots(centres, radii, iterations=600)
    assert _overlaps(pos, radii) == []
    # Far-apart dots do not move at all.
    lone = separate_dots({"x": (0.0, 0.0), "y": (100.0, 0.0)}, {"x": 1.0, "y": 1.0})
    assert lone == {"x": (0.0, 0.0), "y": (100.0, 0.0)}


def test_separate_dots_same_input_same_positions() -> None:
    rng = np.random.default_rng(5)
    centres = {f"d{k}": (float(x), float(y)) for k, (x, y) in enumerate(rng.normal(0, 8, (80, 2)))}
    radii = {name: float(r) for name, r in zip(centres, rng.uniform(1.0, 4.0, 80), strict=True)}
    first = separate_dots(centres, radii)
    _separated.cache_clear()  # computed afresh, not the cached answer
    again = separate_dots(dict(centres), dict(radii))
    assert again == first
    assert first != centres  # they did have to move


def test_near_pairs_with_dots_of_no_size() -> None:
    pos = np.array([[0.0, 0.0], [0.0, 0.0], [5.0, 0.0]])
    first, _ = _near_pairs(pos, np.zeros(3))
    assert first.size == 0  # touching needs a distance below 0
    # Mostly points, one dot of reach 6: it reaches the others, the points nothing.
    first, second = _near_pairs(pos, np.array([0.0, 0.0, 6.0]))
    assert list(zip(first.tolist(), second.tolist(), strict=True)) == [(0, 2), (1, 2)]


def test_settle_two_dots_by_hand() -> None:
    # No pushes (0 rounds): a (0, 0) and b (0.5, 0), radius 1, overlap. Their crowd's centre is
    # (0.25, 0); both are 0.25 from it, so a (lower index) is placed first and stays; b slides
    # along +x until it is 2 (+ 0.001 of air) from a: (2.001, 0).
    pos = separate_dots({"a": (0.0, 0.0), "b": (0.5, 0.0)}, {"a": 1.0, "b": 1.0}, iterations=0)
    assert pos["a"] == (0.0, 0.0)
    assert pos["b"][0] == pytest.approx(2.001)
    assert pos["b"][1] == pytest.approx(0.0)


def test_settle_three_in_a_row_by_hand() -> None:
    # a (0, 0), b (1, 0), c (2, 0), radius 1; a lone d far away and a dot e touching nothing.
    # The crowd a-b-c has centre (1, 0): b (at it) is placed first and stays; a slides along
    # -x and c along +x, each to 2.001 from b: (-1.001, 0) and (3.001, 0). d and e stay put.
    pos = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [50.0, 50.0], [1.0, 3.0]])
    _settle(pos, np.array([1.0, 1.0, 1.0, 1.0, 0.5]))
    assert pos.ravel().tolist() == pytest.approx([-1.001, 0, 1, 0, 3.001, 0, 50, 50, 1, 3])


def test_settle_jumps_past_a_dot_that_stays() -> None:
    # A big dot B (radius 3) at (5, 0) overlaps nothing, so it stays. A crowd of two small dots
    # (radius 1) at (0, 0) and (1, 0): centre (0.5, 0); s0 (index 0) is placed first, stays;
    # s1 slides along +x: past s0 to x = 2.001, where it overlaps B (5 - 2.001 < 4), so on past
    # B to x = 5 + 4.001 = 9.001, which is free.
    pos = np.array([[5.0, 0.0], [0.0, 0.0], [1.0, 0.0]])
    _settle(pos, np.array([3.0, 1.0, 1.0]))
    assert pos.ravel().tolist() == pytest.approx([5.0, 0.0, 0.0, 0.0, 9.001, 0.0])


def test_settle_moves_a_near_miss_straight_off() -> None:
    # a (0, 0), b (1.9, 0), c (0, 1.9), radius 1: b and c each overlap a by 0.1 (shallow: less
    # than a quarter of the reach 2), not each other (2.69 apart). The crowd's centre is
    # (0.633, 0.633): a is nearest, placed first, stays. b moves straight off a (along +x, not
    # out from the centre) to 2.001 from it: (2.001, 0); c likewise to (0, 2.001).
    pos = np.array([[0.0, 0.0], [1.9, 0.0], [0.0, 1.9]])
    _settle(pos, np.array([1.0, 1.0, 1.0]))
    assert pos.ravel().tolist() == pytest.approx([0.0, 0.0, 2.001, 0.0, 0.0, 2.001])


def test_separate_dots_dense_grid_ends_without_overlap() -> None:
    # 30 x 30 dots on a grid of step 0.5 with radii 1 to 2.5 (each overlaps dozens of others:
    # they must spread over ~25 times their area, which the pushes alone do not finish), and a
    # few big dots among them; checked pair by pair at the end.
    centres = {f"g{i:02d}-{j:02d}": (i * 0.5, j * 0.5) for i in range(30) for j in range(30)}
    radii = {name: 1.0 + (k % 4) * 0.5 for k, name in enumerate(centres)}
    for k in range(4):
        centres[f"big{k}"] = (3.0 + 3.0 * k, 7.0)
        radii[f"big{k}"] = 6.0
    pos = separate_dots(centres, radii)
    assert _overlaps(pos, radii) == []
    _separated.cache_clear()
    assert separate_dots(centres, radii) == pos  # same input, same positions


def test_settle_changes_nothing_without_overlap() -> None:
    pos = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 2.5]])
    _settle(pos, np.array([1.0, 1.0, 1.0]))  # 0-1 touch (2.0 is not below 2.0): no overlap
    assert pos.tolist() == [[0.0, 0.0], [2.0, 0.0], [0.0, 2.5]]


def test_the_map_does_not_lay_out_the_network() -> None:
    # The map places every dot at its centroid (and hubs at their members' centre): the
    # year's spring layout is the network view's, and the map no longer computes it.
    from graph.geo import to_bng
    from tests.support.examples import example_view_data
    from visualisation.graphs import map_graph, network_graph
    from visualisation.layout import _cached_layout
    from visualisation.options import ViewOptions
    from visualisation.selection import select

    selection = select(example_view_data(), ViewOptions())
    _cached_layout.cache_clear()
    graph, _ = map_graph(selection, to_bng)
    assert _cached_layout.cache_info().misses == 0
    assert len(graph) > 0
    assert all("x" in graph.nodes[node] and "y" in graph.nodes[node] for node in graph)
    network_graph(selection)
    assert _cached_layout.cache_info().misses == 1  # the network view does lay it out
