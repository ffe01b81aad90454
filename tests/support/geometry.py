"""The plain-Python shoelace formula graph.geo used before issue 14, one term at a time: the
reference the numpy version (graph/arcs.py) is held to, bit for bit."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

Point = tuple[float, float]


def shoelace(ring: Sequence[Point]) -> tuple[float, float, float]:
    """Signed area (positive counter-clockwise) and centroid of a ring; a ring of no area
    gives its first point."""
    area2 = cx = cy = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        cross = x0 * y1 - x1 * y0
        area2 += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area2 == 0.0:
        return 0.0, ring[0][0], ring[0][1]
    return area2 / 2.0, cx / (3.0 * area2), cy / (3.0 * area2)


def polygon_area_centroid(polygons: Iterable[Sequence[Sequence[Point]]]) -> tuple[float, Point]:
    """Area and area-weighted centroid of polygons: exteriors add, holes subtract, rings of
    fewer than four points skipped, ring by ring in order."""
    total = sx = sy = 0.0
    for polygon in polygons:
        for index, ring in enumerate(polygon):
            if len(ring) < 4:
                continue
            area, rx, ry = shoelace(ring)
            weight = abs(area) if index == 0 else -abs(area)
            total += weight
            sx += weight * rx
            sy += weight * ry
    return total, (sx / total, sy / total)
