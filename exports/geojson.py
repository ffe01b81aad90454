"""GeoJSON for GIS: one Feature per council existing in the year, with its outline in WGS 84.

A council's outline is the union of its territory's 2013 districts (``Council.territory``,
docs/loading.md: a county is its districts, a new unitary the districts it replaced), written as
a ``MultiPolygon`` with one polygon per district and its holes (South Cambridgeshire has a hole
where Cambridge is). Counties and their districts are both councils, so their features overlap.
Districts are simplified on the British National Grid (Douglas-Peucker, :data:`TOLERANCE_M`)
and the kept points are the source's own WGS 84 coordinates, so nothing is re-projected.
Polygons of a county's districts share edges: tools that need one dissolved shape per council
can dissolve them (QGIS "Dissolve", shapely's ``unary_union``). The bundled boundaries are
quantised TopoJSON (a grid of about 60 m), so some rings touch or cross themselves, as in the
source; QGIS "Fix geometries" or shapely's ``make_valid`` repairs them (docs/exports.md). Rings
follow RFC 7946: exterior counter-clockwise, holes clockwise.

Properties: ``code``, ``name``, ``kind``, ``tier``, ``region``, ``partnerships`` (the
selection's partnerships it is a member of in the year), ``partnerships_<service>`` for each
service layer, and ``singleton`` (a member of none). With ``lines``, each selected partnership
is added as a ``MultiLineString`` from its hub (the lead's centroid, else the members' mean)
to each member's centroid.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any

from exports.selection import ExportOptions, ExportSource
from graph import rules, taxonomy
from graph.geo import lad2013_districts, lad2013_polygons_bng, simplify_ring
from visualisation.model import Partnership
from visualisation.selection import Selection

__all__ = ["TOLERANCE_M", "district_polygons_wgs84", "geojson_export"]

TOLERANCE_M = 100.0
"""Simplification of the outlines: about 2 MB for England, sharp at county scale."""
_DIGITS = 5  # about a metre
_MIN_AREA = 1e-9  # square degrees (about 7 m²): rings simplified to a sliver are dropped


def _signed_area(ring: Sequence[Sequence[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)) / 2


@cache
def district_polygons_wgs84(
    tolerance_m: float = TOLERANCE_M,
) -> Mapping[str, tuple[list[list[list[float]]], ...]]:
    """Each 2013 district's polygons as GeoJSON coordinates (exterior then holes), simplified
    on the British National Grid. Cached: the geography never changes."""
    projected = lad2013_polygons_bng()
    original = lad2013_districts()
    result: dict[str, tuple[list[list[list[float]]], ...]] = {}
    for code, polygons in projected.items():
        shapes: list[list[list[list[float]]]] = []
        for polygon_bng, polygon_wgs in zip(polygons, original[code].polygons, strict=True):
            rings: list[list[list[float]]] = []
            for index, (ring_bng, ring_wgs) in enumerate(
                zip(polygon_bng, polygon_wgs, strict=True)
            ):
                back = dict(zip(ring_bng, ring_wgs, strict=True))
                kept = simplify_ring(ring_bng, tolerance_m)
                coordinates = [
                    [round(back[p][0], _DIGITS), round(back[p][1], _DIGITS)] for p in kept
                ]
                area = _signed_area(coordinates)
                if len(coordinates) < 4 or abs(area) < _MIN_AREA:
                    if index == 0:
                        break  # an exterior too small to draw: drop the polygon
                    continue
                if (area > 0) != (index == 0):  # exterior counter-clockwise, holes clockwise
                    coordinates.reverse()
                rings.append(coordinates)
            if rings:
                shapes.append(rings)
        result[code] = tuple(shapes)
    return result


def _council_outlines(
    source: ExportSource, codes: Sequence[str]
) -> dict[str, list[list[list[list[float]]]]]:
    districts = district_polygons_wgs84()
    wanted = set(codes)
    return {
        c.code: [polygon for d in c.territory if d in districts for polygon in districts[d]]
        for c in source.councils()
        if c.code in wanted
    }


def _feature(geometry: dict[str, Any] | None, properties: dict[str, Any]) -> bytes:
    return json.dumps(
        {"type": "Feature", "geometry": geometry, "properties": properties},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


def _partnership_feature(selection: Selection, partnership: Partnership) -> bytes | None:
    """A partnership as lines from its lead (or its members' centre) to each located member;
    None with fewer than two located members."""
    points = {
        m: (selection.councils[m].lon, selection.councils[m].lat)
        for m in selection.members(partnership)
        if m in selection.councils
    }
    located = {m: (x, y) for m, (x, y) in points.items() if x is not None and y is not None}
    if len(located) < 2:
        return None
    if partnership.lead in located:
        hub = located[partnership.lead]
    else:
        hub = (
            sum(x for x, _ in located.values()) / len(located),
            sum(y for _, y in located.values()) / len(located),
        )
    lines = [
        [
            [round(hub[0], _DIGITS), round(hub[1], _DIGITS)],
            [round(x, _DIGITS), round(y, _DIGITS)],
        ]
        for m, (x, y) in sorted(located.items())
        if m != partnership.lead
    ]
    properties = {
        "feature": "partnership",
        "id": partnership.id,
        "name": partnership.name,
        "status": partnership.status,
        "services": ";".join(partnership.services),
        "members": ";".join(sorted(located)),
        "lead": partnership.lead,
        "start_year": partnership.start_year,
        "end_year": partnership.end_year,
    }
    return _feature({"type": "MultiLineString", "coordinates": lines}, properties)


def geojson_export(source: ExportSource, options: ExportOptions) -> Iterator[bytes]:
    """A ``FeatureCollection`` of the councils of the selection's year (this year when the
    options give none: a map is of one year), streamed feature by feature."""
    year = options.year if options.year is not None else rules.current_year()
    selection = source.selection(options, year)
    codes = list(selection.councils)
    outlines = _council_outlines(source, codes)
    per_service: dict[str, dict[str, int]] = {code: {} for code in codes}
    for partnership in selection.partnerships:
        for member in selection.members(partnership):
            if member in per_service:
                for service in partnership.services:
                    counts = per_service[member]
                    counts[service] = counts.get(service, 0) + 1
    header = {
        "type": "FeatureCollection",
        "name": f"councilgraph-{year}",
        "selection": {**options.describe(), "year": year},
    }
    opening = json.dumps(header, ensure_ascii=False)[:-1] + ', "features": [\n'
    yield opening.encode("utf-8")
    first = True
    for code in codes:
        council = selection.councils[code]
        polygons = outlines.get(code)
        properties: dict[str, Any] = {
            "feature": "council",
            "code": code,
            "name": council.name,
            "kind": council.kind,
            "tier": council.tier,
            "region": council.region,
            "partnerships": selection.counts.get(code, 0),
            **{
                f"partnerships_{service}": per_service[code].get(service, 0)
                for service in taxonomy.codes()
            },
            "singleton": selection.counts.get(code, 0) == 0,
        }
        geometry = {"type": "MultiPolygon", "coordinates": polygons} if polygons else None
        yield (b"" if first else b",\n") + _feature(geometry, properties)
        first = False
    if options.lines:
        for partnership in selection.partnerships:
            feature = _partnership_feature(selection, partnership)
            if feature is not None:
                yield (b"" if first else b",\n") + feature
                first = False
    yield b"\n]}\n"
