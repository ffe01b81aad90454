"""graph.arcs: rings stitched from arcs as positions, and their areas and centroids measured at
once, on hand-worked cases and, bit for bit, against the plain-Python shoelace sums on every
ring of the bundled boundaries."""

from __future__ import annotations

import json

import numpy as np
import pytest

from graph import arcs, geo
from tests.support.geometry import shoelace

# --- Stitching, by hand -----------------------------------------------------------------------
#   arc 0: points 0 1 2     arc 1: points 3 4 5     arc 2: points 6 7
#   ring A = arc 0 then arc 1 reversed: 0 1 2, then 4 3 (5 is 2's twin, kept once: skipped
#   as the reversed arc's first point) -> 0 1 2 4 3;  ring B = arc 2 alone -> 6 7;
#   ring C = arc 1 then arc 0 reversed: 3 4 5, then 1 0 -> 3 4 5 1 0.
BOUNDS = np.array([[0, 3], [3, 6], [6, 8]])


def test_positions_follow_the_arcs_reversed_ones_backwards_joins_once() -> None:
    positions, lengths = arcs.ring_positions([[0, ~1], [2], [1, ~0]], BOUNDS)
    assert positions.tolist() == [0, 1, 2, 4, 3, 6, 7, 3, 4, 5, 1, 0]
    assert lengths.tolist() == [5, 2, 5]


def test_no_rings_is_no_positions() -> None:
    positions, lengths = arcs.ring_positions([], BOUNDS)
    assert positions.tolist() == []
    assert lengths.tolist() == []


def test_areas_and_centroids_of_hand_worked_rings() -> None:
    square = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0), (0.0, 0.0)]  # anticlockwise
    # Clockwise right triangle with legs 3 (x) and 6 (y): area -9, centroid (1, 2).
    triangle = [(0.0, 0.0), (0.0, 6.0), (3.0, 0.0), (0.0, 0.0)]
    line = [(5.0, 5.0), (6.0, 6.0), (5.0, 5.0)]  # no area: its first point
    rings = [square, triangle, line]
    xs = np.array([x for ring in rings for x, _ in ring])
    ys = np.array([y for ring in rings for _, y in ring])
    measured = arcs.ring_areas_centroids(xs, ys, np.array([len(r) for r in rings]))
    assert measured == [(4.0, 1.0, 1.0), (-9.0, 1.0, 2.0), (0.0, 5.0, 5.0)]


def test_arcs_decode_from_deltas_and_the_transform() -> None:
    topology = {
        "arcs": [[[0, 0], [2, 0], [0, 3]], [[1, 1], [-1, 0]]],
        "transform": {"scale": [0.5, 2.0], "translate": [10.0, 20.0]},
    }
    xs, ys, bounds = arcs.decode_arcs(topology)
    assert bounds == [(0, 3), (3, 5)]
    assert xs.tolist() == [10.0, 11.0, 11.0, 10.5, 10.0]
    assert ys.tolist() == [20.0, 20.0, 26.0, 22.0, 22.0]


# --- The bundled boundaries ---------------------------------------------------------------------
def test_every_bundled_ring_is_the_stitched_ring_measured_as_before() -> None:
    """Positions give exactly the rings ``lad2013_polygons_bng`` stitches point by point, and
    each ring's area and centroid are bit for bit the plain-Python formula's."""
    topology = json.loads(geo.DEFAULT_TOPOJSON.read_text(encoding="utf-8"))
    xs, ys, bounds = arcs.decode_arcs(topology)
    projected_x, projected_y = geo._to_bng_transformer().transform(xs, ys)
    rings, expected = [], []
    polygons = geo.lad2013_polygons_bng()
    for geometry in topology["objects"]["lad"]["geometries"]:
        shapes = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings += [ring for polygon in shapes for ring in polygon]
        expected += [
            ring for polygon in polygons[geometry["properties"]["LAD13CD"]] for ring in polygon
        ]
    positions, lengths = arcs.ring_positions(rings, np.array(bounds))
    got_x, got_y = np.asarray(projected_x)[positions], np.asarray(projected_y)[positions]
    assert list(zip(got_x.tolist(), got_y.tolist(), strict=True)) == [
        point for ring in expected for point in ring
    ]
    assert lengths.tolist() == [len(ring) for ring in expected]
    assert arcs.ring_areas_centroids(got_x, got_y, lengths) == [shoelace(r) for r in expected]
    assert len(expected) > len(polygons)  # islands too, not only one ring a district


@pytest.mark.parametrize("count", [1, 2, 7])
def test_a_ring_measures_the_same_alone_or_among_others(count: int) -> None:
    rng = np.random.default_rng(count)
    rings = [rng.uniform(0, 700_000, size=(int(rng.integers(4, 40)), 2)) for _ in range(count)]
    rings = [np.vstack([ring, ring[:1]]) for ring in rings]  # closed
    together = arcs.ring_areas_centroids(
        np.concatenate([r[:, 0] for r in rings]),
        np.concatenate([r[:, 1] for r in rings]),
        np.array([len(r) for r in rings]),
    )
    assert together == [shoelace([(float(x), float(y)) for x, y in r]) for r in rings]
