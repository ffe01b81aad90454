"""Seeded node positions for the network views, computed once per graph.

A force-directed layout of the whole national graph in one piece is slow
(O(n²) per iteration) and wastes the page on the gaps between unconnected
groups. So each connected component gets its own seeded networkx spring layout,
started from its councils' rough geography (so the south-east stays in the
south-east and reruns agree), and the components are packed in rows, largest
first, with isolated councils in a grid underneath.

Results are cached by the graph's structure: a page re-rendered with another
service filter reuses the positions of its year's full graph, so nodes stay put.
"""

# ruff: noqa: N803, N806 - networkx convention: the graph is G (and its matrix A)

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from functools import lru_cache
from typing import TypeVar

import networkx as nx
import numpy as np

from visualisation.dots import _near_pairs, _push_apart, _settle

__all__ = ["DEFAULT_SEED", "component_layout", "separate_dots"]

DEFAULT_SEED = 20130401
"""Seed of every layout (a fixed date; any constant keeps pages identical across runs)."""

# networkx's spring_layout switches to a sparse, per-node Python loop (and
# needs SciPy) from 500 nodes; bigger components use the same
# Fruchterman-Reingold update vectorised with numpy instead.
_DENSE_LIMIT = 500

# Spring-layout work budget: n² × iterations per component. 4e6 keeps a
# 280-node component at the full 50 iterations and a 1,000-node one under ~1 s.
_WORK_BUDGET = 4_000_000
_MIN_ITERATIONS = 10
_MAX_ITERATIONS = 50
_REFRESH = 10  # rounds between finding the near pairs afresh
# The relaxation stops when, at a refresh, the pairs overlapping by more than _DEEP of their
# two radii are more than _STALL of the last refresh's (it has stalled: a crowd that must
# spread over many times its area); the dots still overlapping are then placed. Shallow
# overlaps are left out: the pull home holds near neighbours slightly overlapped until the
# pull stops, and the pushes then part them within a few rounds.
_DEEP = 0.25
_STALL = 0.9
_UNIT = 42.0  # canvas units per sqrt(node) of a component's box
_GAP = 60.0  # canvas units between packed components

Position = tuple[float, float]
K = TypeVar("K", bound=Hashable)


def _iterations(n: int) -> int:
    floor = _MIN_ITERATIONS if n <= 1500 else 4  # huge two-mode graphs: coarser, not slower
    return max(floor, min(_MAX_ITERATIONS, _WORK_BUDGET // max(1, n * n)))


def _spring(
    nodes: Sequence[Hashable],
    edges: Sequence[tuple[Hashable, Hashable, float]],
    hints: Mapping[Hashable, Position],
    seed: int,
) -> dict[Hashable, Position]:
    """Spring layout of one component in a box of side ~ 2 * _UNIT * sqrt(n)."""
    n = len(nodes)
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    if n == 2:
        half = _UNIT * 0.6
        first, second = sorted(nodes, key=lambda node: hints.get(node, (0.0, 0.0)))
        return {first: (-half, 0.0), second: (half, 0.0)}
    G = nx.Graph()
    G.add_nodes_from(nodes)
    G.add_weighted_edges_from(edges)
    initial = None
    if all(node in hints for node in nodes):
        xs = [hints[node][0] for node in nodes]
        ys = [hints[node][1] for node in nodes]
        span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
        initial = {
            node: ((hints[node][0] - min(xs)) / span, (hints[node][1] - min(ys)) / span)
            for node in nodes
        }
    if n < _DENSE_LIMIT:
        raw = nx.spring_layout(
            G, pos=initial, iterations=_iterations(n), seed=seed, weight="weight", method="force"
        )
    else:
        raw = _fruchterman_reingold(G, initial, iterations=_iterations(n), seed=seed)
    size = _UNIT * math.sqrt(n)
    return {node: (float(x) * size, float(y) * size) for node, (x, y) in raw.items()}


def _fruchterman_reingold(
    G: nx.Graph,
    initial: Mapping[Hashable, Position] | None,
    *,
    iterations: int,
    seed: int,
) -> dict[Hashable, Position]:
    """Fruchterman-Reingold as in networkx's dense ``_fruchterman_reingold``, in float32.

    Returns positions rescaled to [-1, 1] like ``nx.spring_layout``.
    """
    nodes = list(G.nodes)
    n = len(nodes)
    A = nx.to_numpy_array(G, nodelist=nodes, weight="weight", dtype=np.float32)
    if initial is not None:
        pos = np.array([initial[node] for node in nodes], dtype=np.float32)
    else:
        pos = np.random.default_rng(seed).random((n, 2), dtype=np.float32)
    k = np.float32(math.sqrt(1.0 / n))
    temperature = max(float(np.ptp(pos[:, 0])), float(np.ptp(pos[:, 1]))) * 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        delta = pos[:, np.newaxis, :] - pos[np.newaxis, :, :]
        distance = np.sqrt((delta**2).sum(axis=-1))
        np.clip(distance, 0.01, None, out=distance)
        force = k * k / distance**2 - A * distance / k
        displacement = np.einsum("ijk,ij->ik", delta, force)
        length = np.sqrt((displacement**2).sum(axis=-1))
        np.clip(length, 0.01, None, out=length)
        pos += displacement * (np.float32(temperature) / length)[:, np.newaxis]
        temperature -= cooling
    pos -= pos.mean(axis=0)
    pos /= max(float(np.abs(pos).max()), 1e-9)
    return {node: (float(x), float(y)) for node, (x, y) in zip(nodes, pos, strict=True)}


def _bounds(pos: Mapping[Hashable, Position]) -> tuple[float, float, float, float]:
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    return min(xs), min(ys), max(xs), max(ys)


@lru_cache(maxsize=64)
def _cached_layout(
    nodes: tuple[Hashable, ...],
    edges: tuple[tuple[Hashable, Hashable, float], ...],
    hints: tuple[tuple[Hashable, Position], ...],
    seed: int,
) -> dict[Hashable, Position]:
    G = nx.Graph()
    G.add_nodes_from(nodes)
    G.add_weighted_edges_from(edges)
    hint_map = dict(hints)
    groups = sorted(
        (sorted(component, key=str) for component in nx.connected_components(G)),
        key=lambda component: (-len(component), str(component[0])),
    )
    connected = [group for group in groups if len(group) > 1]
    isolated = [group[0] for group in groups if len(group) == 1]

    # Shelf packing: rows about as wide as the largest component's box, twice.
    placed: dict[Hashable, Position] = {}
    row_width = 0.0
    for group in connected:
        box = _UNIT * math.sqrt(len(group)) * 2.0
        row_width = max(row_width, box * 2.0)
    row_width = max(row_width, 800.0)
    cursor_x = cursor_y = row_height = 0.0
    for group in connected:
        members = set(group)
        sub_edges = [(u, v, w) for u, v, w in edges if u in members and v in members]
        local = _spring(group, sub_edges, hint_map, seed)
        x0, y0, x1, y1 = _bounds(local)
        width, height = x1 - x0, y1 - y0
        if cursor_x > 0 and cursor_x + width > row_width:
            cursor_x, cursor_y, row_height = 0.0, cursor_y + row_height + _GAP, 0.0
        for node, (x, y) in local.items():
            placed[node] = (cursor_x + x - x0, cursor_y + y - y0)
        cursor_x += width + _GAP
        row_height = max(row_height, height)

    # Isolated nodes: a grid under the components, in the order given (by name).
    if isolated:
        top = (cursor_y + row_height + _GAP * 1.5) if placed else 0.0
        step = _UNIT * 0.9
        per_row = max(1, int(row_width // step))
        order = {node: index for index, node in enumerate(nodes)}
        for index, node in enumerate(sorted(isolated, key=order.__getitem__)):
            placed[node] = ((index % per_row) * step, top + (index // per_row) * step)

    # Centre on the origin so vis-network's fit() frames it symmetrically.
    x0, y0, x1, y1 = _bounds(placed)
    cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    return {node: (round(x - cx, 1), round(y - cy, 1)) for node, (x, y) in placed.items()}


def component_layout(
    nodes: Sequence[Hashable],
    edges: Sequence[tuple[Hashable, Hashable, float]],
    *,
    hints: Mapping[Hashable, Position] | None = None,
    seed: int = DEFAULT_SEED,
) -> dict[Hashable, Position]:
    """Seeded positions for a graph, in vis-network canvas units (y down).

    Parameters
    ----------
    nodes : node ids, in the order isolated nodes should be gridded (e.g. by name).
    edges : ``(u, v, weight)``; heavier edges pull harder.
    hints : optional rough positions (e.g. projected centroids, y down) used to
        start each component's spring layout, so layouts echo geography.
    seed : random seed; the same inputs and seed give the same positions.

    Returns
    -------
    dict
        ``{node: (x, y)}`` for every node, centred on the origin. Cached: treat as read-only.

    Examples
    --------
    >>> pos = component_layout(["a", "b", "c"], [("a", "b", 1.0)], seed=1)
    >>> sorted(pos) == ["a", "b", "c"]
    True
    """
    canonical_edges = tuple(
        sorted(
            ((u, v, float(w)) if str(u) <= str(v) else (v, u, float(w)) for u, v, w in edges),
            key=lambda edge: (str(edge[0]), str(edge[1])),
        )
    )
    canonical_hints = tuple(
        sorted(((node, pos) for node, pos in (hints or {}).items()), key=lambda h: str(h[0]))
    )
    return _cached_layout(tuple(nodes), canonical_edges, canonical_hints, seed)


def separate_dots(
    centres: Mapping[K, Position],
    radii: Mapping[K, float],
    *,
    iterations: int = 200,
) -> dict[K, Position]:
    """Move circles apart until none overlaps, each staying as near its centre as it can.

    Pairwise relaxation: every overlapping pair is pushed apart along the line between
    them, the bigger circle moving less; a weak pull brings each circle back towards its
    own centre. When the pushes stall (a crowd that must spread over many times its own
    area, like bench_scale's SYNTHETIC grid of parish bodies) or the rounds run out, the dots
    still overlapping are placed one by one, each slid outward from its crowd's centre to the
    first free spot (:func:`visualisation.dots._settle`). Deterministic (coincident circles
    part along a fixed angle per index).

    Parameters
    ----------
    centres : true positions (e.g. projected centroids), in canvas units.
    radii : each circle's radius in the same units.
    iterations : at most this many relaxation rounds (fewer once nothing overlaps or
        the pushes stall).

    Returns
    -------
    dict
        ``{node: (x, y)}``; no two circles overlap (the views' councils converge within
        the rounds, so nothing is left to place; then positions are the relaxation's).

    Examples
    --------
    >>> pos = separate_dots({"a": (0.0, 0.0), "b": (1.0, 0.0)}, {"a": 2.0, "b": 2.0})
    >>> round(pos["b"][0] - pos["a"][0], 1) >= 4.0
    True
    """
    nodes = list(centres)
    if len(nodes) < 2:
        return {node: centres[node] for node in nodes}
    key = tuple((node, centres[node], float(radii[node])) for node in nodes)
    return dict(zip(nodes, _separated(key, iterations), strict=True))


@lru_cache(maxsize=64)
def _separated(
    circles: tuple[tuple[Hashable, Position, float], ...], iterations: int
) -> tuple[Position, ...]:
    """:func:`separate_dots` on (node, centre, radius) triples, cached (pages re-render often).

    Only pairs near enough to touch are worked on: those nearer than twice their two radii
    (each pair's margin is its own two radii, not the largest dot's: a national map's
    councils are ten times the size of parish bodies), found afresh every few rounds with a
    grid (:func:`_near_pairs`), so the cost grows with the dots and their near neighbours,
    not with the square of the number of dots. A dot may come to touch one left off the list
    between two refreshes; so before stopping, every pair is checked once more from scratch,
    and it stops when none overlaps. It also stops when, at a refresh, the deep overlaps
    (:func:`_deep_overlaps`) are more than ``_STALL`` of the last refresh's; :func:`_settle`
    then places the dots still overlapping (it checks every pair afresh, and changes nothing
    when none overlaps).
    So the relaxation's cost is a few rounds over the near pairs, the placement's one slide
    per dot left over.
    """
    home = np.array([centre for _, centre, _ in circles], dtype=np.float64)
    radius = np.array([r for _, _, r in circles], dtype=np.float64)
    pos = home.copy()
    first = second = np.empty(0, dtype=np.intp)
    before = len(pos) ** 2  # deeply overlapping pairs at the last refresh
    for step in range(iterations):
        if step % _REFRESH == 0:
            first, second = _near_pairs(pos, 2.0 * radius)
        if step % _REFRESH == 0 and step:
            deep = _deep_overlaps(pos, radius, first, second)
            if deep > _STALL * before:  # the pushes have stalled: place the rest
                break
            before = deep
        if not _push_apart(pos, radius, first, second):
            # No listed pair overlaps: check every pair once more before stopping.
            first, second = _near_pairs(pos, 2.0 * radius)
            if not _push_apart(pos, radius, first, second):
                break
        if step < iterations // 2:  # the pull home stops, so the pushes can finish the job
            pos += (home - pos) * 0.02
    _settle(pos, radius)
    return tuple((float(x), float(y)) for x, y in pos)


def _deep_overlaps(
    pos: np.ndarray, radius: np.ndarray, first: np.ndarray, second: np.ndarray
) -> int:
    """How many pairs ``first[k], second[k]`` overlap by more than ``_DEEP`` of their reach."""
    reach = radius[first] + radius[second]
    distance = np.sqrt(((pos[first] - pos[second]) ** 2).sum(axis=-1))
    return int(np.count_nonzero(reach - distance > _DEEP * reach))
