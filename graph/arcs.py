"""TopoJSON arcs as flat numpy arrays: decoded, stitched into rings, and the rings' shoelace
areas and centroids, every arc and ring at once.

:func:`decode_arcs` turns the delta-encoded, quantised arcs into two flat coordinate arrays.
A set of rings is two things: where each point is in the arcs' flat coordinate arrays
(``positions``, the rings one after another) and how many points each ring has
(``lengths``). :func:`ring_positions` finds them from the rings' arc indexes the way
TopoJSON stitches a ring (``~i`` is arc ``i`` reversed; consecutive arcs share their joining
point, kept once), without building a Python tuple per point; :func:`ring_areas_centroids`
then measures every ring in a few array operations.

The sums are the shoelace formula's, added in the ring's order from ``0.0`` (``np.bincount``
adds its weights one after another, in order), so each ring's area and centroid is exactly,
bit for bit, what adding its terms one by one in plain Python gives.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["decode_arcs", "ring_areas_centroids", "ring_positions"]


def decode_arcs(
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


def ring_positions(
    rings: Sequence[Sequence[int]], bounds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Where each ring's points are in the arcs' flat arrays, and each ring's length.

    Parameters
    ----------
    rings : each ring as its arc indexes; ``~i`` (negative) means arc ``i`` reversed. Every
        ring has at least one arc.
    bounds : shape ``(arcs, 2)``: arc ``i``'s points are ``[bounds[i, 0], bounds[i, 1])``.

    Returns
    -------
    ``(positions, lengths)``: the rings' points one ring after another, and the number of
    points of each ring (a closed ring repeats its first point at the end).

    >>> bounds = np.array([[0, 3], [3, 5]])  # arc 0: points 0 1 2; arc 1: points 3 4
    >>> positions, lengths = ring_positions([[0, ~1]], bounds)
    >>> positions.tolist(), lengths.tolist()
    ([0, 1, 2, 3], [4])
    """
    per_ring = np.fromiter((len(ring) for ring in rings), dtype=np.int64, count=len(rings))
    refs = np.fromiter(itertools.chain.from_iterable(rings), dtype=np.int64)
    reverse = refs < 0
    arcs = np.where(reverse, ~refs, refs)
    starts, ends = bounds[arcs, 0], bounds[arcs, 1]
    first = np.zeros(len(refs), dtype=bool)  # a ring's first arc keeps its first point
    first[np.cumsum(per_ring) - per_ring] = True
    step = np.where(reverse, -1, 1)
    count = (ends - starts) - np.where(first, 0, 1)
    begin = np.where(reverse, ends - 1, starts) + np.where(first, 0, step)
    within = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    positions = np.repeat(begin, count) + np.repeat(step, count) * within
    lengths = np.zeros(len(rings), dtype=np.int64)
    np.add.at(lengths, np.repeat(np.arange(len(rings)), per_ring), count)
    return positions, lengths


def ring_areas_centroids(
    xs: np.ndarray, ys: np.ndarray, lengths: np.ndarray
) -> list[tuple[float, float, float]]:
    """Shoelace signed area (positive when counter-clockwise) and centroid of each ring.

    Parameters
    ----------
    xs, ys : the rings' points, one ring after another.
    lengths : the number of points of each ring.

    Returns
    -------
    ``(area, cx, cy)`` per ring; a ring of no area gives ``(0.0, x, y)`` of its first point.

    >>> square = np.array([0.0, 2.0, 2.0, 0.0, 0.0]), np.array([0.0, 0.0, 2.0, 2.0, 0.0])
    >>> ring_areas_centroids(*square, np.array([5]))
    [(4.0, 1.0, 1.0)]
    """
    count = len(lengths)
    ring = np.repeat(np.arange(count), lengths)
    pair = ring[:-1] == ring[1:]  # point k and k + 1 of the same ring
    which = ring[:-1][pair]
    x0, y0, x1, y1 = xs[:-1][pair], ys[:-1][pair], xs[1:][pair], ys[1:][pair]
    cross = x0 * y1 - x1 * y0
    area2 = np.bincount(which, weights=cross, minlength=count).tolist()
    sx = np.bincount(which, weights=(x0 + x1) * cross, minlength=count).tolist()
    sy = np.bincount(which, weights=(y0 + y1) * cross, minlength=count).tolist()
    firsts = (np.cumsum(lengths) - lengths).tolist()
    result: list[tuple[float, float, float]] = []
    for index, twice in enumerate(area2):
        if twice == 0.0:
            start = firsts[index]
            result.append((0.0, float(xs[start]), float(ys[start])))
        else:
            result.append((twice / 2.0, sx[index] / (3.0 * twice), sy[index] / (3.0 * twice)))
    return result
