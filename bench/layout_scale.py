"""The national map's dot separation at scale, in process: ``separate_dots`` against round 1's.

The dots are the map view's at 100x: the bundled councils at their centroids, sized by 100
times their 2012 partnerships, and the SYNTHETIC parish bodies on bench_scale's grid (about
1.4 x 2.8 km apart), sized by a few partnerships each; sized and placed as
``visualisation.graphs.map_graph`` does. The baseline is round 1's algorithm (a margin of twice
the largest radius for every pair, pairs refreshed every 10 rounds from a grid of cells as wide
as the largest reach), kept here verbatim so both run in the same process on the same input.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Hashable
from typing import Any

import numpy as np

from graph import repository
from graph.db import Database
from graph.geo import to_bng
from visualisation.graphs import MAP_SCALE
from visualisation.layout import Position, _near_pairs, _separated

SIZES = (2_000, 4_000, 10_430)
ROUND1_UP_TO = 4_000  # round 1 at 10,430 did not finish in 900 s (docs/performance.md)


def _radius(partnerships: int) -> float:
    """A council's dot radius on the map (``map_graph``: 0.55 x the node size, plus air)."""
    return round((7.0 + 4.0 * math.sqrt(partnerships)) * 0.55, 1) + 0.6


def map_dots(db: Database, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` dots as the 2012 map at 100x places them: (centres, radii), in canvas units."""
    counts = Counter(m.code for m in repository.effective_memberships(db, 2012))
    centres, radii = [], []
    for council in repository.all_councils(db):
        if council.latitude is None or council.longitude is None or council.valid_to:
            continue
        east, north = to_bng(council.longitude, council.latitude)
        centres.append((east / MAP_SCALE, -north / MAP_SCALE))
        radii.append(_radius(100 * counts.get(council.code, 0)))
    for i in range(n - len(centres)):  # bench_scale's SYNTHETIC parish grid
        east, north = to_bng(-3.0 + (i % 100) / 50, 51.0 + (i // 100) / 40)
        centres.append((east / MAP_SCALE, -north / MAP_SCALE))
        radii.append(_radius(i * 7 % 5))
    return np.array(centres[:n]), np.array(radii[:n])


def overlapping(pos: np.ndarray, radius: np.ndarray) -> int:
    """How many pairs of dots overlap."""
    return int(_near_pairs(pos, radius)[0].size)


def measure_layout(db: Database) -> list[dict[str, Any]]:
    """Each size: round 1's and this round's time, rounds' outcome (overlapping pairs left)."""
    rows = []
    for n in SIZES:
        home, radius = map_dots(db, n)
        circles = tuple(
            (i, (float(x), float(y)), float(r))
            for i, ((x, y), r) in enumerate(zip(home, radius, strict=True))
        )
        row: dict[str, Any] = {"dots": n}
        if n <= ROUND1_UP_TO:
            began = time.perf_counter()
            old = np.array(round1_separated(circles, 200))
            row["round1_s"] = round(time.perf_counter() - began, 2)
            row["round1_overlapping"] = overlapping(old, radius)
        began = time.perf_counter()
        new = np.array(_separated.__wrapped__(circles, 200))
        row["new_s"] = round(time.perf_counter() - began, 2)
        row["new_overlapping"] = overlapping(new, radius)
        row["start_overlapping"] = overlapping(home, radius)
        print("layout", row, flush=True)
        rows.append(row)
    return rows


# -- round 1 (verbatim, as the baseline) ---------------------------------------------------
def round1_separated(
    circles: tuple[tuple[Hashable, Position, float], ...], iterations: int
) -> tuple[Position, ...]:
    """:func:`separate_dots` on (node, centre, radius) triples, cached (pages re-render often).

    Only pairs near enough to touch are worked on; the list of such pairs is refreshed
    every few rounds from a grid (:func:`_near_pairs`), so the cost grows with the
    number of dots and their near neighbours, not with the square of the number of dots.
    """
    home = np.array([centre for _, centre, _ in circles], dtype=np.float64)
    radius = np.array([r for _, _, r in circles], dtype=np.float64)
    pos = home.copy()
    margin = 2.0 * float(radius.max())
    first = second = np.empty(0, dtype=np.intp)
    for step in range(iterations):
        if step % 10 == 0:  # refresh the pairs that could touch within the next rounds
            first, second = _round1_near_pairs(pos, radius, margin)
        if first.size == 0:
            break
        delta = pos[first] - pos[second]
        distance = np.sqrt((delta**2).sum(axis=-1))
        reach = radius[first] + radius[second]
        overlap = reach - distance
        if overlap.max() <= 0.0:
            break
        # Coincident circles part along a fixed angle per pair (deterministic).
        same = distance < 1e-6
        angle = (first - second).astype(np.float64) * 2.399963
        delta[same] = np.stack([np.cos(angle), np.sin(angle)], axis=-1)[same]
        distance = np.where(same, 1.0, distance)
        unit = delta / distance[:, np.newaxis]
        push = np.where(overlap > 0, overlap + 1e-3, 0.0) * 0.55
        # The smaller circle moves more: each takes the other's share of the reach.
        # One bincount per axis sums each circle's pushes in the order np.add.at would.
        shares = np.concatenate(
            [
                unit * (push * radius[second] / reach)[:, np.newaxis],
                -unit * (push * radius[first] / reach)[:, np.newaxis],
            ]
        )
        movers = np.concatenate([first, second])
        pos[:, 0] += np.bincount(movers, shares[:, 0], minlength=len(pos))
        pos[:, 1] += np.bincount(movers, shares[:, 1], minlength=len(pos))
        if step < iterations // 2:  # the pull home stops, so the pushes can finish the job
            pos += (home - pos) * 0.02
    return tuple((float(x), float(y)) for x, y in pos)


def _round1_near_pairs(
    pos: np.ndarray, radius: np.ndarray, margin: float
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs ``i < j`` whose centres are nearer than ``r_i + r_j + margin``.

    A spatial hash: cells as wide as the largest such reach, so a pair can only be near
    if its dots lie in the same or adjacent cells; only those candidates are measured.
    Pairs come back sorted by ``(i, j)``, exactly as an all-pairs upper triangle would
    give them, so the relaxation sums in the same order as a full n x n scan.
    """
    n = len(pos)
    cell = max(2.0 * float(radius.max()) + margin, 1e-9)
    grid = np.floor(pos / cell).astype(np.int64)
    grid -= grid.min(axis=0)
    width = int(grid[:, 1].max()) + 3  # a column of padding each side: no wrap-around
    key = (grid[:, 0] + 1) * width + (grid[:, 1] + 1)
    order = np.argsort(key, kind="stable")
    sorted_keys = key[order]
    index = np.arange(n)
    firsts: list[np.ndarray] = []
    seconds: list[np.ndarray] = []
    for offset in (-width - 1, -width, -width + 1, -1, 0, 1, width - 1, width, width + 1):
        low = np.searchsorted(sorted_keys, key + offset, side="left")
        counts = np.searchsorted(sorted_keys, key + offset, side="right") - low
        total = int(counts.sum())
        if total == 0:
            continue
        starts = np.cumsum(counts) - counts
        i = np.repeat(index, counts)
        j = order[np.repeat(low, counts) + np.arange(total) - np.repeat(starts, counts)]
        keep = i < j
        i, j = i[keep], j[keep]
        gaps = np.sqrt(((pos[i] - pos[j]) ** 2).sum(axis=-1))
        near = gaps < radius[i] + radius[j] + margin
        firsts.append(i[near])
        seconds.append(j[near])
    if not firsts:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    first, second = np.concatenate(firsts), np.concatenate(seconds)
    ranked = np.lexsort((second, first))
    return first[ranked].astype(np.intp), second[ranked].astype(np.intp)
