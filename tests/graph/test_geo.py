"""graph.geo: TopoJSON decoding, projection, centroids and outlines of the 2013 districts."""

from __future__ import annotations

import math

import pytest

from graph import geo


def test_the_2013_file_has_326_english_districts_and_unitaries() -> None:
    districts = geo.lad2013_districts()
    assert len(districts) == 326
    assert all(code.startswith("E0") for code in districts)
    assert districts["E07000084"].name == "Basingstoke and Deane"


def test_projection_round_trips_and_matches_known_grid_reference() -> None:
    # Greenwich Observatory is at about TQ 3887 7731 (538870 E, 177310 N).
    x, y = geo.to_bng(-0.0015, 51.4778)
    assert x == pytest.approx(538_870, abs=150)
    assert y == pytest.approx(177_310, abs=150)
    lon, lat = geo.to_wgs84(x, y)
    assert (lon, lat) == pytest.approx((-0.0015, 51.4778), abs=1e-7)


def test_shoelace_area_and_centroid_of_a_square_with_a_hole() -> None:
    outer = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]
    hole = [(0.0, 0.0), (0.0, 5.0), (5.0, 5.0), (5.0, 0.0), (0.0, 0.0)]  # clockwise
    area, (cx, cy) = geo.polygon_area_centroid([[outer, hole]])
    assert area == pytest.approx(75.0)
    # 100 at (5, 5) minus 25 at (2.5, 2.5): (500 - 62.5) / 75
    assert (cx, cy) == pytest.approx((5.8333333, 5.8333333))


def test_district_area_is_close_to_the_official_figure() -> None:
    area_m2, _ = geo.territory_centroid_bng(["E07000084"])  # Basingstoke and Deane, ~634 km²
    assert area_m2 / 1e6 == pytest.approx(634, rel=0.03)


def test_outlines_are_simplified_closed_rings_in_metres() -> None:
    outlines = geo.lad2013_outlines_bng()
    assert set(outlines) == set(geo.lad2013_districts())
    full = sum(len(r) for ps in geo.lad2013_polygons_bng().values() for p in ps for r in p)
    simplified = sum(len(r) for rings in outlines.values() for r in rings)
    assert simplified < full / 3
    for rings in outlines.values():
        assert rings
        for ring in rings:
            assert ring[0] == ring[-1]
            assert all(0 < x < 700_000 and 0 < y < 1_300_000 for x, y in ring)


def test_centroid_of_a_district_lies_in_it_roughly() -> None:
    lon, lat = geo.lad2013_centroids_wgs84()["E07000084"]  # Basingstoke and Deane
    assert math.dist((lon, lat), (-1.20, 51.27)) < 0.1
