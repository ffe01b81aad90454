"""The national map's dots kept apart: near pairs from a grid, pushes, a final placement.

Used by :func:`visualisation.layout.separate_dots`: a relaxation pushes overlapping pairs
apart (:func:`_push_apart`) on pairs found with a grid (:func:`_near_pairs`); what it leaves
overlapping when its rounds run out (a crowd that must spread over many times its own area)
is placed by :func:`_settle`, so no two dots overlap at the end.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

__all__ = ["SHALLOW", "_near_pairs", "_push_apart", "_settle"]

SHALLOW = 0.25
"""An overlap shallower than this share of two dots' radii is a near miss (see ``_Grid.slide``)."""


def _near_pairs(pos: np.ndarray, reach: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs ``i < j`` whose centres are nearer than ``reach[i] + reach[j]``, sorted.

    A grid of square cells: each dot is entered in every cell its box (its centre plus or
    minus its reach) covers, so a pair can only be near if their boxes share a cell; each
    pair is measured once, in the cell holding the lower corner of where their boxes meet.
    Cells are as wide as a typical box, so a big dot covers many cells and small dots few:
    the candidates grow with the near pairs even when the radii differ a hundredfold.
    Pairs come back sorted by ``(i, j)``, exactly as an all-pairs upper triangle gives them.
    """
    n = len(pos)
    if n < 2 or float(reach.max()) <= 0.0:  # nothing reaches anything
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    cell = 2.0 * float(np.median(reach)) or 2.0 * float(reach.max())
    low = np.floor((pos - reach[:, np.newaxis]) / cell).astype(np.int64)
    high = np.floor((pos + reach[:, np.newaxis]) / cell).astype(np.int64)
    origin = low.min(axis=0)
    low -= origin
    high -= origin
    height = int(high[:, 1].max()) + 1
    span = high - low + 1
    covered = span[:, 0] * span[:, 1]
    dot = np.repeat(np.arange(n), covered)
    within = np.arange(int(covered.sum())) - np.repeat(np.cumsum(covered) - covered, covered)
    key = (low[dot, 0] + within // span[dot, 1]) * height + low[dot, 1] + within % span[dot, 1]
    order = np.lexsort((dot, key))  # by cell, then by dot: i < j within a cell
    key, dot = key[order], dot[order]
    group_end = np.searchsorted(key, key, side="right")
    partners = group_end - np.arange(len(key)) - 1
    total = int(partners.sum())
    if total == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    starts = np.cumsum(partners) - partners
    after = np.repeat(np.arange(1, len(key) + 1) - starts, partners)
    at = after + np.arange(total)  # the entries after each one in its cell
    i, j, where = np.repeat(dot, partners), dot[at], np.repeat(key, partners)
    corner = np.maximum(low[i, 0], low[j, 0]) * height + np.maximum(low[i, 1], low[j, 1])
    keep = corner == where
    i, j = i[keep], j[keep]
    near = np.sqrt(((pos[i] - pos[j]) ** 2).sum(axis=-1)) < reach[i] + reach[j]
    i, j = i[near], j[near]
    ranked = np.lexsort((j, i))
    return i[ranked].astype(np.intp), j[ranked].astype(np.intp)


def _settle(pos: np.ndarray, radius: np.ndarray) -> None:
    """Place the dots the relaxation left overlapping, in place, so that none overlaps.

    The dots that overlap nothing stay put. Each crowd (dots joined by overlaps) is placed
    from its centre outwards (by distance to the crowd's mean, then by index): a dot stays
    where it is if that is free, else it slides straight away from the placed dots it just
    touches, or outward from the crowd's centre when it is deep among them, jumping each time
    just past the placed dots it would overlap, to the first free spot. A grid of cells (as
    :func:`_near_pairs`) finds the placed dots a spot could touch. Deterministic; nothing
    moves when nothing overlaps.
    """
    first, second = _near_pairs(pos, radius)
    if first.size == 0:
        return
    crowded = np.zeros(len(pos), dtype=bool)
    crowded[first] = crowded[second] = True
    crowd = nx.Graph()
    crowd.add_edges_from(zip(first.tolist(), second.tolist(), strict=True))
    centre = pos.copy()  # a dot that overlaps nothing is its own centre (and stays put)
    for members in nx.connected_components(crowd):
        index = np.sort(np.fromiter(members, dtype=np.intp))
        centre[index] = pos[index].mean(axis=0)
    outward = pos - centre
    away = np.sqrt((outward**2).sum(axis=-1))
    still = away < 1e-9  # at its crowd's centre: a fixed angle per index, as coincident pairs
    angle = np.arange(len(pos), dtype=np.float64)[still] * 2.399963
    outward[still] = np.stack([np.cos(angle), np.sin(angle)], axis=-1)
    outward /= np.where(still, 1.0, away)[:, np.newaxis]
    grid = _Grid(2.0 * float(np.median(radius)) or 1.0)
    xy, rs = pos.tolist(), radius.tolist()
    for i in np.flatnonzero(~crowded).tolist():
        grid.add(i, xy[i][0], xy[i][1], rs[i])
    order = np.lexsort((np.arange(len(pos)), away))  # from the centre out, then by index
    for i in order[crowded[order]].tolist():
        xy[i] = grid.slide(xy[i], outward[i].tolist(), rs[i], xy, rs)
        grid.add(i, xy[i][0], xy[i][1], rs[i])
    pos[:] = xy


class _Grid:
    """Placed dots by the square cells their boxes cover, for :func:`_settle`."""

    def __init__(self, cell: float) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list[int]] = {}

    def _span(self, x: float, y: float, r: float) -> tuple[range, range]:
        c = self.cell
        return (
            range(math.floor((x - r) / c), math.floor((x + r) / c) + 1),
            range(math.floor((y - r) / c), math.floor((y + r) / c) + 1),
        )

    def add(self, i: int, x: float, y: float, r: float) -> None:
        xs, ys = self._span(x, y, r)
        for cx in xs:
            for cy in ys:
                self.cells.setdefault((cx, cy), []).append(i)

    def hits(
        self, x: float, y: float, r: float, xy: list[list[float]], rs: list[float]
    ) -> list[int]:
        """The placed dots a dot of radius ``r`` at ``(x, y)`` would overlap."""
        xs, ys = self._span(x, y, r)
        found = []
        for cx in xs:
            for cy in ys:
                for j in self.cells.get((cx, cy), ()):
                    (qx, qy), reach = xy[j], r + rs[j]
                    if (x - qx) ** 2 + (y - qy) ** 2 < reach * reach:
                        found.append(j)
        return found

    def slide(
        self,
        start: list[float],
        ray: list[float],
        r: float,
        xy: list[list[float]],
        rs: list[float],
    ) -> list[float]:
        """The first spot that overlaps no placed dot along ``start + t * u`` (t >= 0).

        When every overlap at ``start`` is shallow (less than ``SHALLOW`` of the two radii),
        ``u`` points away from the placed dots it overlaps (their mean), so a dot that just
        touches one moves straight off it, by the overlap; otherwise (or when that mean is the
        start itself) ``u`` is ``ray``, out from the crowd's centre.
        """
        (x0, y0), (ux, uy) = start, ray
        hit = self.hits(x0, y0, r, xy, rs)
        if not hit:
            return start
        away_x = x0 - sum(xy[j][0] for j in hit) / len(hit)
        away_y = y0 - sum(xy[j][1] for j in hit) / len(hit)
        length = math.hypot(away_x, away_y)
        shallow = all(
            math.dist(start, xy[j]) > (1.0 - SHALLOW) * (r + rs[j]) for j in hit
        )  # a near miss: straight off what it touches; deep in a crowd: out from its centre
        if shallow and length > 1e-9:
            ux, uy = away_x / length, away_y / length
        t = 0.0
        while hit:
            exit_t = t + 1e-3
            for j in hit:  # where the ray leaves the circle of radius reach (+ air) round j
                wx, wy = x0 - xy[j][0], y0 - xy[j][1]
                b = wx * ux + wy * uy
                c = wx * wx + wy * wy - (r + rs[j] + 1e-3) ** 2
                exit_t = max(exit_t, -b + math.sqrt(max(b * b - c, 0.0)))
            t = exit_t
            hit = self.hits(x0 + t * ux, y0 + t * uy, r, xy, rs)
        return [x0 + t * ux, y0 + t * uy]


def _push_apart(pos: np.ndarray, radius: np.ndarray, first: np.ndarray, second: np.ndarray) -> int:
    """One round of pushes on the overlapping pairs among ``first[k], second[k]``, in place;
    how many overlapped (0, and nothing moved, when none did)."""
    delta = pos[first] - pos[second]
    distance = np.sqrt((delta**2).sum(axis=-1))
    reach = radius[first] + radius[second]
    overlap = reach - distance
    touching = overlap > 0.0
    count = int(np.count_nonzero(touching))
    if not count:
        return 0
    first, second = first[touching], second[touching]
    delta, distance, reach = delta[touching], distance[touching], reach[touching]
    push = (overlap[touching] + 1e-3) * 0.55
    # Coincident circles part along a fixed angle per pair (deterministic).
    same = distance < 1e-6
    if same.any():
        angle = (first[same] - second[same]).astype(np.float64) * 2.399963
        delta[same] = np.stack([np.cos(angle), np.sin(angle)], axis=-1)
        distance[same] = 1.0
    unit = delta / distance[:, np.newaxis]
    # The smaller circle moves more: each takes the other's share of the reach. One bincount
    # per axis sums each circle's pushes in a fixed order (deterministic).
    shares = np.concatenate(
        [
            unit * (push * radius[second] / reach)[:, np.newaxis],
            -unit * (push * radius[first] / reach)[:, np.newaxis],
        ]
    )
    movers = np.concatenate([first, second])
    pos[:, 0] += np.bincount(movers, shares[:, 0], minlength=len(pos))
    pos[:, 1] += np.bincount(movers, shares[:, 1], minlength=len(pos))
    return count
