"""separate_dots: the grid of near pairs finds exactly the pairs an all-pairs scan finds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from visualisation.layout import _near_pairs, separate_dots


def _all_pairs(pos: np.ndarray, radius: np.ndarray, margin: float) -> list[tuple[int, int]]:
    """The n x n scan the grid replaced, written out pair by pair."""
    found = []
    for i in range(len(pos)):
        for j in range(i + 1, len(pos)):
            gap = math.dist(pos[i], pos[j])
            if gap < radius[i] + radius[j] + margin:
                found.append((i, j))
    return found


def test_near_pairs_hand_worked() -> None:
    # Radii 1, 1, 1, 0.5 and margin 2: the reach is 4 for two radius-1 dots, 3.5 with the small one.
    pos = np.array([[0.0, 0.0], [3.9, 0.0], [-4.0, 0.0], [0.0, -3.4]])
    radius = np.array([1.0, 1.0, 1.0, 0.5])
    first, second = _near_pairs(pos, radius, 2.0)
    # 0-1: 3.9 < 4; 0-2: 4.0 is not < 4; 0-3: 3.4 < 3.5; 1-2: 7.9; 1-3: 5.2; 2-3: 5.3.
    assert list(zip(first.tolist(), second.tolist(), strict=True)) == [(0, 1), (0, 3)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_near_pairs_match_all_pairs_scan(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # Clustered, spread and coincident dots, on both sides of the origin.
    pos = np.concatenate(
        [
            rng.normal(0.0, 3.0, (60, 2)),
            rng.uniform(-200.0, 150.0, (60, 2)),
            np.repeat([[7.5, -7.5]], 5, axis=0),
        ]
    )
    radius = rng.uniform(0.5, 3.0, len(pos))
    margin = 2.0 * float(radius.max())
    first, second = _near_pairs(pos, radius, margin)
    got = list(zip(first.tolist(), second.tolist(), strict=True))
    assert got == _all_pairs(pos, radius, margin)  # same pairs, same (i, j) order


def test_separate_dots_two_circles_by_hand() -> None:
    # Equal circles of radius 2, 1 apart: they must end >= 4 apart, symmetric about x = 0.5.
    pos = separate_dots({"a": (0.0, 0.0), "b": (1.0, 0.0)}, {"a": 2.0, "b": 2.0})
    assert math.dist(pos["a"], pos["b"]) >= 4.0
    assert pos["a"][0] + pos["b"][0] == pytest.approx(1.0)
    assert pos["a"][1] == pytest.approx(0.0)
    assert pos["b"][1] == pytest.approx(0.0)


def test_separate_dots_leaves_no_overlap_in_a_crowd() -> None:
    # 6 x 6 dots of radius 1 on a grid of step 1.5, and 6 coincident ones: all must part.
    centres = {f"g{i}-{j}": (i * 1.5, j * 1.5) for i in range(6) for j in range(6)}
    centres.update({f"c{k}": (40.0, 40.0) for k in range(6)})
    radii = dict.fromkeys(centres, 1.0)
    pos = separate_dots(centres, radii, iterations=600)
    points = np.array(list(pos.values()))
    gaps = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=-1))
    upper = np.triu_indices(len(points), k=1)
    assert gaps[upper].min() >= 2.0 - 1e-9
    # Far-apart dots do not move at all.
    lone = separate_dots({"x": (0.0, 0.0), "y": (100.0, 0.0)}, {"x": 1.0, "y": 1.0})
    assert lone == {"x": (0.0, 0.0), "y": (100.0, 0.0)}
