"""Boundaries of the 2013 English districts and unitaries, projected for drawing and measuring.

The bundled TopoJSON (``data/geography/lad2013_england.topo.json``, object ``lad``) holds
the 326 English districts and unitaries of 2013 in WGS-84 longitude/latitude. Everything
here projects to the British National Grid (EPSG:27700, metres, x east / y north) because
areas, centroids and simplification tolerances only make sense on a flat plane in metres.

Counties have no polygon of their own: a county is the union of its districts, so its
centroid is the area-weighted centroid of its districts (:func:`territory_centroid_bng`).

Typical use::

    from graph.geo import lad2013_outlines_bng, to_bng, to_wgs84

    outlines = lad2013_outlines_bng()          # {"E07000084": [[(x, y), ...], ...], ...}
    x, y = to_bng(-1.087, 51.266)              # Basingstoke, metres
    lon, lat = to_wgs84(x, y)

All loaders are cached per file path; the first call decodes the file: its arcs all at once
(numpy), projected to BNG in one call.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from pyproj import Transformer
from pyproj.enums import TransformDirection

from graph.arcs import decode_arcs, ring_areas_centroids, ring_positions

__all__ = [
    "BNG_PIPELINE",
    "DEFAULT_TOPOJSON",
    "District",
    "Point",
    "Polygon",
    "Ring",
    "lad2013_centroids_wgs84",
    "lad2013_codes",
    "lad2013_districts",
    "lad2013_outlines_bng",
    "lad2013_polygons_bng",
    "polygon_area_centroid",
    "simplify_ring",
    "territory_centroid_bng",
    "territory_centroids_bng",
    "to_bng",
    "to_wgs84",
]

Point = tuple[float, float]
"""An (x, y) pair: (easting, northing) in metres, or (longitude, latitude) in degrees."""
Ring = list[Point]
"""A closed ring; the first point is repeated at the end."""
Polygon = list[Ring]
"""The exterior ring first, then any holes (TopoJSON/GeoJSON order)."""

DEFAULT_TOPOJSON = (
    Path(__file__).resolve().parent.parent / "data" / "geography" / "lad2013_england.topo.json"
)
TOPOJSON_OBJECT = "lad"
K = TypeVar("K")


#: WGS-84 (longitude, latitude) to British National Grid: the operation that
#: ``Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)`` applies to England when
#: the OSTN15 grid is not installed (pyproj's wheels ship none; PROJ's network is off), EPSG's
#: "Inverse of OSGB36 to WGS 84 (6) + British National Grid" (a Helmert shift, 2 m, then the
#: Transverse Mercator projection), written out: it is built without reading the PROJ
#: database (0.3 ms, against 24 ms: issue 14) and gives the same numbers on every machine,
#: whatever grids it has, offline. tests/graph/test_geo.py checks it is EPSG's operation.
BNG_PIPELINE = (
    "+proj=pipeline"
    " +step +proj=unitconvert +xy_in=deg +xy_out=rad"
    " +step +proj=push +v_3"
    " +step +proj=cart +ellps=WGS84"
    " +step +inv +proj=helmert +x=446.448 +y=-125.157 +z=542.06 +rx=0.15 +ry=0.247 +rz=0.842"
    " +s=-20.489 +convention=position_vector"
    " +step +inv +proj=cart +ellps=airy"
    " +step +proj=pop +v_3"
    " +step +proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000"
    " +ellps=airy"
)


@cache
def _to_bng_transformer() -> Transformer:
    # Built on first use, not at import. One for both directions: to_wgs84 runs it backwards.
    return Transformer.from_pipeline(BNG_PIPELINE)


def to_bng(lon: float, lat: float) -> tuple[float, float]:
    """Project WGS-84 (longitude, latitude) degrees to British National Grid (x, y) metres."""
    x, y = _to_bng_transformer().transform(lon, lat)
    return float(x), float(y)


def to_wgs84(x: float, y: float) -> tuple[float, float]:
    """Project British National Grid (easting, northing) metres to WGS-84 (longitude, latitude)."""
    lon, lat = _to_bng_transformer().transform(x, y, direction=TransformDirection.INVERSE)
    return float(lon), float(lat)


@dataclass(frozen=True, slots=True)
class District:
    """One 2013 district or unitary from the TopoJSON.

    Attributes
    ----------
    code : LAD13CD, the GSS code as of 2013 (e.g. ``"E07000084"``).
    name : LAD13NM (e.g. ``"Basingstoke and Deane"``).
    polygons : the district's polygons in WGS-84 (lon, lat), exterior ring first.
    """

    code: str
    name: str
    polygons: tuple[Polygon, ...]


@dataclass(frozen=True, slots=True)
class _Topology:
    """The TopoJSON's geometries and its arcs decoded: every arc's positions in two flat
    arrays (``xs``, ``ys``), arc ``i`` being ``[bounds[i][0], bounds[i][1])`` (also as an
    array of shape (arcs, 2), ``bounds_array``)."""

    geometries: list[dict[str, Any]]
    xs: np.ndarray
    ys: np.ndarray
    bounds: list[tuple[int, int]]
    bounds_array: np.ndarray


@cache
def _topology_from(path: Path) -> _Topology:
    topology = json.loads(path.read_text(encoding="utf-8"))
    xs, ys, bounds = decode_arcs(topology)
    geometries = topology["objects"][TOPOJSON_OBJECT]["geometries"]
    return _Topology(geometries, xs, ys, bounds, np.array(bounds, dtype=np.int64).reshape(-1, 2))


def _district_codes(path: Path) -> list[str]:
    """The LAD13 codes of the districts with polygons, in the file's order."""
    return [
        g["properties"]["LAD13CD"]
        for g in _topology_from(path).geometries
        if _polygon_rings(g) is not None
    ]


def lad2013_codes(path: Path | None = None) -> frozenset[str]:
    """The LAD13 codes of the 2013 districts and unitaries (their rings are not stitched)."""
    return frozenset(_district_codes((path or DEFAULT_TOPOJSON).resolve()))


def _arcs(xs: np.ndarray, ys: np.ndarray, bounds: Sequence[tuple[int, int]]) -> list[list[Point]]:
    """Each arc as a list of (x, y) points (Python floats)."""
    points = list(zip(xs.tolist(), ys.tolist(), strict=True))
    return [points[start:end] for start, end in bounds]


def _ring(arc_indexes: Sequence[int], arcs: Sequence[list[Point]]) -> Ring:
    """Stitch a ring from arc indexes; ``~i`` (negative) means arc ``i`` reversed."""
    ring: Ring = []
    for index in arc_indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        # Consecutive arcs share their joining point; keep it once.
        ring.extend(arc if not ring else arc[1:])
    return ring


def _stitched(
    geometries: Sequence[Mapping[str, Any]], arcs: Sequence[list[Point]]
) -> dict[str, tuple[str, tuple[Polygon, ...]]]:
    """Each district's name and polygons (rings stitched from ``arcs``), by LAD13 code."""
    stitched: dict[str, tuple[str, tuple[Polygon, ...]]] = {}
    for geometry in geometries:
        props = geometry["properties"]
        raw_polygons = _polygon_rings(geometry)
        if raw_polygons is None:  # pragma: no cover - the bundled file has only polygons
            continue
        polygons = tuple([_ring(ring, arcs) for ring in polygon] for polygon in raw_polygons)
        stitched[props["LAD13CD"]] = (props["LAD13NM"], polygons)
    return stitched


@cache
def _districts_from(path: Path) -> dict[str, District]:
    topology = _topology_from(path)
    arcs = _arcs(topology.xs, topology.ys, topology.bounds)
    return {
        code: District(code=code, name=name, polygons=polygons)
        for code, (name, polygons) in _stitched(topology.geometries, arcs).items()
    }


def lad2013_districts(path: Path | None = None) -> dict[str, District]:
    """The 326 English districts and unitaries of 2013, keyed by LAD13 code, in WGS-84.

    Parameters
    ----------
    path : the TopoJSON file; defaults to the bundled ``data/geography/lad2013_england.topo.json``.
    """
    return _districts_from((path or DEFAULT_TOPOJSON).resolve())


@cache
def _polygons_bng_from(path: Path) -> dict[str, tuple[Polygon, ...]]:
    # Every arc's points projected in one call (projecting is point by point, so the rings
    # stitched from projected arcs are the projected rings).
    topology = _topology_from(path)
    xs, ys = _to_bng_transformer().transform(topology.xs, topology.ys)
    arcs = _arcs(np.asarray(xs), np.asarray(ys), topology.bounds)
    return {code: polygons for code, (_, polygons) in _stitched(topology.geometries, arcs).items()}


def lad2013_polygons_bng(path: Path | None = None) -> dict[str, tuple[Polygon, ...]]:
    """Full-resolution polygons of each 2013 district/unitary in British National Grid metres."""
    return _polygons_bng_from((path or DEFAULT_TOPOJSON).resolve())


Measured = tuple[int, int, float, float, float]
"""A ring measured: its place in its polygon (0: exterior), its points, area, centroid x, y."""


def _polygon_rings(geometry: Mapping[str, Any]) -> list[list[list[int]]] | None:
    """A geometry's polygons, each its rings' arc indexes (None: not a polygon geometry)."""
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["arcs"])
    return None  # pragma: no cover - the bundled file has only these two


def _measured(
    xs: np.ndarray, ys: np.ndarray, lengths: np.ndarray, places: list[int]
) -> list[Measured]:
    """Rings (one after another in ``xs``, ``ys``) measured, with their places in a polygon."""
    measures = ring_areas_centroids(xs, ys, lengths)
    return [(p, n, *m) for p, n, m in zip(places, lengths.tolist(), measures, strict=True)]


@lru_cache(maxsize=8)
def _measured_rings(path: Path, codes: frozenset[str]) -> dict[str, tuple[Measured, ...]]:
    """Each district's rings measured in BNG; only these districts' points are projected
    (each point projects on its own, so they are the points ``lad2013_polygons_bng`` has)."""
    topology = _topology_from(path)
    owners: list[str] = []
    places: list[int] = []
    rings: list[list[int]] = []
    for geometry in topology.geometries:
        code, polygons = geometry["properties"]["LAD13CD"], _polygon_rings(geometry)
        if code in codes and polygons is not None:
            for polygon in polygons:
                owners += [code] * len(polygon)
                places += range(len(polygon))
                rings += polygon
    unknown = codes - set(_district_codes(path))
    if unknown:
        raise KeyError(min(unknown))
    positions, lengths = ring_positions(rings, topology.bounds_array)
    used = np.zeros(len(topology.xs), dtype=bool)
    used[positions] = True
    needed = np.flatnonzero(used)
    xs, ys = np.empty_like(topology.xs), np.empty_like(topology.ys)
    if len(needed):
        projected = _to_bng_transformer().transform(topology.xs[needed], topology.ys[needed])
        xs[needed], ys[needed] = projected
    measured = _measured(xs[positions], ys[positions], lengths, places)
    by_code: dict[str, list[Measured]] = {code: [] for code in codes}
    for owner, ring in zip(owners, measured, strict=True):
        by_code[owner].append(ring)
    return {code: tuple(found) for code, found in by_code.items()}


def _weighted_centroid(rings: Iterable[Measured]) -> tuple[float, Point]:
    """Area and area-weighted centroid of measured rings: an exterior ring adds its area and a
    hole subtracts its own, whatever the winding order of the source (TopoJSON producers
    disagree on it); a ring of fewer than four points is none."""
    total = sx = sy = 0.0
    for place, points, area, cx, cy in rings:
        if points < 4:
            continue
        weight = abs(area) if place == 0 else -abs(area)
        total += weight
        sx += weight * cx
        sy += weight * cy
    if total <= 0.0:
        raise ValueError("polygons have no area")
    return total, (sx / total, sy / total)


def polygon_area_centroid(polygons: Iterable[Polygon]) -> tuple[float, Point]:
    """Area and area-weighted centroid of polygons on a projected plane.

    The exterior ring of each polygon adds its area and holes subtract theirs, whatever the
    winding order of the source (TopoJSON producers disagree on it).

    Returns
    -------
    (area, (x, y)) in the plane's units (square metres and metres for BNG).
    """
    rings = [(place, ring) for polygon in polygons for place, ring in enumerate(polygon)]
    rings = [(place, ring) for place, ring in rings if len(ring) >= 4]
    xs, ys, lengths = _flat([ring for _, ring in rings])
    return _weighted_centroid(_measured(xs, ys, lengths, [place for place, _ in rings]))


def _flat(rings: Sequence[Sequence[Point]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rings of (x, y) points as the points' xs and ys, one ring after another, and lengths."""
    points = [point for ring in rings for point in ring]
    xs = np.fromiter((x for x, _ in points), dtype=np.float64, count=len(points))
    ys = np.fromiter((y for _, y in points), dtype=np.float64, count=len(points))
    return xs, ys, np.fromiter(map(len, rings), dtype=np.int64, count=len(rings))


def territory_centroids_bng(
    territories: Mapping[K, Iterable[str]], path: Path | None = None
) -> dict[K, tuple[float, Point]]:
    """Total area (m²) and area-weighted centroid (BNG metres) of each of several sets of
    2013 districts, all measured at once (numpy; only their districts' points projected).

    Used for counties and for councils created after 2013, whose territory is a union of
    2013 districts (see data/README.md). Each is what :func:`polygon_area_centroid` gives
    for the districts' ``lad2013_polygons_bng`` polygons in the order given, bit for bit.

    Raises
    ------
    KeyError : a code is not a 2013 district or unitary.
    """
    chosen = {key: list(codes) for key, codes in territories.items()}
    wanted = frozenset(code for codes in chosen.values() for code in codes)
    rings = _measured_rings((path or DEFAULT_TOPOJSON).resolve(), wanted)
    return {
        key: _weighted_centroid(ring for code in codes for ring in rings[code])
        for key, codes in chosen.items()
    }


def territory_centroid_bng(codes: Iterable[str], path: Path | None = None) -> tuple[float, Point]:
    """Total area (m²) and area-weighted centroid (BNG metres) of a set of 2013 districts
    (:func:`territory_centroids_bng` for one).

    Raises
    ------
    KeyError : a code is not a 2013 district or unitary.
    """
    return territory_centroids_bng({"": codes}, path)[""]


def lad2013_centroids_wgs84(path: Path | None = None) -> dict[str, tuple[float, float]]:
    """Area-weighted centroid of each 2013 district as WGS-84 (longitude, latitude)."""
    codes = _district_codes((path or DEFAULT_TOPOJSON).resolve())
    measured = territory_centroids_bng({code: [code] for code in codes}, path)
    return {code: to_wgs84(x, y) for code, (_, (x, y)) in measured.items()}


def _perpendicular_distance(point: Point, start: Point, end: Point) -> float:
    (x, y), (x0, y0), (x1, y1) = point, start, end
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy)
    if length == 0.0:
        return math.hypot(x - x0, y - y0)
    return abs(dy * x - dx * y + x1 * y0 - y1 * x0) / length


def simplify_ring(ring: Sequence[Point], tolerance: float) -> Ring:
    """Douglas-Peucker simplification of a closed ring, keeping it closed.

    Iterative (not recursive) so long coastlines cannot hit Python's recursion limit.
    Returns the ring unchanged when it is too short to simplify.
    """
    if len(ring) <= 4:
        return list(ring)
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    # A closed ring's first and last points coincide, so split it at the point farthest
    # from the start first; otherwise the baseline would have zero length.
    far = max(
        range(1, len(ring) - 1),
        key=lambda i: math.hypot(ring[i][0] - ring[0][0], ring[i][1] - ring[0][1]),
    )
    keep[far] = True
    stack = [(0, far), (far, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        best_index, best_distance = -1, -1.0
        for i in range(first + 1, last):
            distance = _perpendicular_distance(ring[i], ring[first], ring[last])
            if distance > best_distance:
                best_index, best_distance = i, distance
        if best_index > 0 and best_distance > tolerance:
            keep[best_index] = True
            stack.append((first, best_index))
            stack.append((best_index, last))
    return [p for p, kept in zip(ring, keep, strict=True) if kept]


@cache
def _outlines_from(path: Path, tolerance_m: float, min_area_m2: float) -> dict[str, list[Ring]]:
    outlines: dict[str, list[Ring]] = {}
    for code, polygons in _polygons_bng_from(path).items():
        rings: list[Ring] = []
        exteriors = [polygon[0] for polygon in polygons]
        areas = [area for area, _, _ in ring_areas_centroids(*_flat(exteriors))]
        for exterior, area in zip(exteriors, areas, strict=True):
            # Tiny islands add nothing visible at national scale but many points.
            if abs(area) < min_area_m2 and len(polygons) > 1:
                continue
            simplified = simplify_ring(exterior, tolerance_m)
            if len(simplified) >= 4:
                rings.append([(round(x, 1), round(y, 1)) for x, y in simplified])
        outlines[code] = rings
    return outlines


def lad2013_outlines_bng(
    *,
    tolerance_m: float = 250.0,
    min_area_m2: float = 1_000_000.0,
    path: Path | None = None,
) -> dict[str, list[list[tuple[float, float]]]]:
    """Simplified outline of each 2013 district/unitary for drawing, in BNG metres.

    Parameters
    ----------
    tolerance_m : Douglas-Peucker tolerance in metres (250 m keeps shapes recognisable on a
        national map while cutting the points by roughly half).
    min_area_m2 : islands smaller than this are dropped (a district's only polygon never is).
    path : the TopoJSON file; defaults to the bundled one.

    Returns
    -------
    ``{lad13_code: [ring, ...]}`` where each ring is a closed list of ``(easting, northing)``
    exterior points (holes are left out: they are drawn by the district inside them).
    y grows northwards; negate it for canvas coordinates.

    The result is cached; treat it as read-only.
    """
    return _outlines_from((path or DEFAULT_TOPOJSON).resolve(), tolerance_m, min_area_m2)
