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

import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Transformer

__all__ = [
    "DEFAULT_TOPOJSON",
    "District",
    "Point",
    "Polygon",
    "Ring",
    "lad2013_centroids_wgs84",
    "lad2013_districts",
    "lad2013_outlines_bng",
    "lad2013_polygons_bng",
    "polygon_area_centroid",
    "simplify_ring",
    "territory_centroid_bng",
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


@cache
def _to_bng_transformer() -> Transformer:
    # Built on first use, not at import (building one reads the PROJ database);
    # always_xy because pyproj would otherwise expect (lat, lon) for EPSG:4326.
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


@cache
def _to_wgs84_transformer() -> Transformer:
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def to_bng(lon: float, lat: float) -> tuple[float, float]:
    """Project WGS-84 (longitude, latitude) degrees to British National Grid (x, y) metres."""
    x, y = _to_bng_transformer().transform(lon, lat)
    return float(x), float(y)


def to_wgs84(x: float, y: float) -> tuple[float, float]:
    """Project British National Grid (easting, northing) metres to WGS-84 (longitude, latitude)."""
    lon, lat = _to_wgs84_transformer().transform(x, y)
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
    arrays (``xs``, ``ys``), arc ``i`` being ``[bounds[i][0], bounds[i][1])``."""

    geometries: list[dict[str, Any]]
    xs: np.ndarray
    ys: np.ndarray
    bounds: list[tuple[int, int]]


def _decode_arcs(
    topology: Mapping[str, Any],
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """Decode the delta-encoded, quantised TopoJSON arcs into absolute (lon, lat) positions,
    all arcs at once (numpy): each arc's running sum of its deltas, scaled and translated."""
    raw = topology["arcs"]
    lengths = np.fromiter((len(arc) for arc in raw), dtype=np.int64, count=len(raw))
    ends = np.cumsum(lengths)
    bounds = list(zip((ends - lengths).tolist(), ends.tolist(), strict=True))
    transform = topology.get("transform")
    kind = np.float64 if transform is None else np.int64
    values = np.fromiter(itertools.chain.from_iterable(itertools.chain(*raw)), dtype=kind)
    if len(values) != 2 * int(ends[-1] if len(raw) else 0):  # some positions carry more
        values = np.array([p[:2] for arc in raw for p in arc], dtype=kind)
    flat = values.reshape(-1, 2)
    if transform is None:
        return flat[:, 0].copy(), flat[:, 1].copy(), bounds
    running = np.cumsum(flat, axis=0)  # exact: integers
    before = np.zeros((len(raw), 2), dtype=np.int64)  # each arc's start: the sum before it
    starts = ends - lengths
    later = starts > 0
    before[later] = running[starts[later] - 1]
    quantised = running - np.repeat(before, lengths, axis=0)
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    return quantised[:, 0] * sx + tx, quantised[:, 1] * sy + ty, bounds


@cache
def _topology_from(path: Path) -> _Topology:
    topology = json.loads(path.read_text(encoding="utf-8"))
    xs, ys, bounds = _decode_arcs(topology)
    return _Topology(topology["objects"][TOPOJSON_OBJECT]["geometries"], xs, ys, bounds)


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
        if geometry["type"] == "Polygon":
            raw_polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            raw_polygons = geometry["arcs"]
        else:  # pragma: no cover - the bundled file has only these two
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


def _signed_area_and_centroid(ring: Sequence[Point]) -> tuple[float, float, float]:
    """Shoelace formula: signed area (positive when counter-clockwise) and centroid of a ring."""
    area2 = cx = cy = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        cross = x0 * y1 - x1 * y0
        area2 += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area2 == 0.0:
        return 0.0, ring[0][0], ring[0][1]
    return area2 / 2.0, cx / (3.0 * area2), cy / (3.0 * area2)


def polygon_area_centroid(polygons: Iterable[Polygon]) -> tuple[float, Point]:
    """Area and area-weighted centroid of polygons on a projected plane.

    The exterior ring of each polygon adds its area and holes subtract theirs, whatever the
    winding order of the source (TopoJSON producers disagree on it).

    Returns
    -------
    (area, (x, y)) in the plane's units (square metres and metres for BNG).
    """
    total = sx = sy = 0.0
    for polygon in polygons:
        for index, ring in enumerate(polygon):
            if len(ring) < 4:
                continue
            area, cx, cy = _signed_area_and_centroid(ring)
            weight = abs(area) if index == 0 else -abs(area)
            total += weight
            sx += weight * cx
            sy += weight * cy
    if total <= 0.0:
        raise ValueError("polygons have no area")
    return total, (sx / total, sy / total)


def territory_centroid_bng(codes: Iterable[str], path: Path | None = None) -> tuple[float, Point]:
    """Total area (m²) and area-weighted centroid (BNG metres) of a set of 2013 districts.

    Used for counties and for councils created after 2013, whose territory is a union of
    2013 districts (see data/README.md).

    Raises
    ------
    KeyError : a code is not a 2013 district or unitary.
    """
    polygons = lad2013_polygons_bng(path)
    return polygon_area_centroid(p for code in codes for p in polygons[code])


def lad2013_centroids_wgs84(path: Path | None = None) -> dict[str, tuple[float, float]]:
    """Area-weighted centroid of each 2013 district as WGS-84 (longitude, latitude)."""
    centroids: dict[str, tuple[float, float]] = {}
    for code, polygons in lad2013_polygons_bng(path).items():
        _, (x, y) = polygon_area_centroid(polygons)
        centroids[code] = to_wgs84(x, y)
    return centroids


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
        for polygon in polygons:
            exterior = polygon[0]
            area, _, _ = _signed_area_and_centroid(exterior)
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
