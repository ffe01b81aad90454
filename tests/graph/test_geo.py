"""graph.geo: TopoJSON decoding, projection, centroids and outlines of the 2013 districts."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import numpy as np
import pytest

from graph import arcs, geo
from tests.support.geometry import polygon_area_centroid
from tests.support.projection import epsg_operation


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


Rings = list[list[tuple[float, float]]]


def _reference_districts(path: Path) -> dict[str, list[Rings]]:
    """The bundled boundaries decoded point by point in plain Python (the decoder geo.py had
    before issue 14's numpy one): each district's polygons, each a list of (lon, lat) rings."""
    topology = json.loads(path.read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for raw_arc in topology["arcs"]:
        qx = qy = 0
        points = []
        for dx, dy, *_ in raw_arc:
            qx += dx
            qy += dy
            points.append((qx * sx + tx, qy * sy + ty))
        arcs.append(points)

    def stitched(indexes: list[int]) -> list[tuple[float, float]]:
        ring: list[tuple[float, float]] = []
        for i in indexes:
            arc = arcs[i] if i >= 0 else arcs[~i][::-1]
            ring.extend(arc if not ring else arc[1:])
        return ring

    districts = {}
    for geometry in topology["objects"]["lad"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        districts[geometry["properties"]["LAD13CD"]] = [
            [stitched(indexes) for indexes in polygon] for polygon in polygons
        ]
    return districts


def test_the_decoded_boundaries_are_those_decoded_point_by_point() -> None:
    expected = _reference_districts(geo.DEFAULT_TOPOJSON)
    assert {code: list(d.polygons) for code, d in geo.lad2013_districts().items()} == expected
    # Projected ring by ring as before (one call a ring): the same BNG rings, so the same
    # centroids.
    to_bng = geo._to_bng_transformer()
    projected = {
        code: [
            [
                list(zip(*to_bng.transform([p[0] for p in r], [p[1] for p in r]), strict=True))
                for r in polygon
            ]
            for polygon in polygons
        ]
        for code, polygons in expected.items()
    }
    bng = geo.lad2013_polygons_bng()
    assert {code: list(polygons) for code, polygons in bng.items()} == projected
    centroids = geo.lad2013_centroids_wgs84()
    for code, polygons in projected.items():
        _, (x, y) = geo.polygon_area_centroid(polygons)
        assert centroids[code] == geo.to_wgs84(x, y)


# --- Issue 14: territories measured at once, against the formula as it was -------------------
def test_territories_measure_bit_for_bit_as_the_formula_did() -> None:
    polygons = geo.lad2013_polygons_bng()
    codes = sorted(polygons)
    rng = random.Random(14)
    territories: dict[str, list[str]] = {code: [code] for code in codes}
    territories |= {f"any{n}": rng.sample(codes, rng.randint(2, 40)) for n in range(40)}
    territories["England"] = codes
    measured = geo.territory_centroids_bng(territories)
    assert measured == {
        name: polygon_area_centroid([p for c in chosen for p in polygons[c]])
        for name, chosen in territories.items()
    }
    one = territories["any0"]
    assert geo.territory_centroid_bng(one) == measured["any0"]
    assert geo.polygon_area_centroid(p for c in one for p in polygons[c]) == measured["any0"]


def test_an_unknown_district_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="E99999999"):
        geo.territory_centroids_bng({"x": ["E07000084", "E99999999"]})
    with pytest.raises(ValueError, match="no area"):
        geo.territory_centroid_bng([])


def test_district_codes_are_the_districts_without_stitching_them() -> None:
    assert geo.lad2013_codes() == set(geo.lad2013_districts())


def test_the_pinned_pipeline_is_epsgs_operation_bit_for_bit() -> None:
    """graph.geo.BNG_PIPELINE is EPSG's "OSGB36 to WGS 84 (6)" (the operation from_crs picks
    without the OSTN15 grid): the same BNG point for every point of the bundled boundaries."""
    topology = json.loads(geo.DEFAULT_TOPOJSON.read_text(encoding="utf-8"))
    xs, ys, _ = arcs.decode_arcs(topology)
    pinned = geo._to_bng_transformer().transform(xs, ys)
    reference = epsg_operation("EPSG:4326", "EPSG:27700").transform(xs, ys)
    assert np.array_equal(pinned[0], reference[0])
    assert np.array_equal(pinned[1], reference[1])


def test_back_to_wgs84_agrees_with_epsgs_reverse_operation_within_1e_12_degrees() -> None:
    """to_wgs84 runs the pinned pipeline backwards (one transformer, not two to build): the
    stated tolerance against EPSG's own operation the other way."""
    back = epsg_operation("EPSG:27700", "EPSG:4326")
    districts = geo.territory_centroids_bng({c: [c] for c in geo.lad2013_codes()})
    for _, (x, y) in districts.values():
        assert geo.to_wgs84(x, y) == pytest.approx(back.transform(x, y), abs=1e-12, rel=0)
