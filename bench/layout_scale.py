"""The national map's dot separation at scale, in process: ``separate_dots`` against round 2's.

The dots are the map view's at 100x: the bundled councils at their centroids, sized by 100
times their 2012 partnerships, and the SYNTHETIC parish bodies on bench_scale's grid (about
1.4 x 2.8 km apart), sized by a few partnerships each; sized and placed as
``visualisation.graphs.map_graph`` does. The baseline is round 2's algorithm (200 rounds of
pushes on the pairs near enough to touch, no final placement), kept here verbatim so both run
in the same process on the same input, interleaved, medians of ``ROUNDS``. Also: how far the
bundled map's own dots (1x) move from round 2's positions.

Run: ``.venv/bin/python bench/layout_scale.py [--map-view]`` (the benchmarks' Neo4j, as
bench_scale); ``--map-view`` also times only bench_scale's map view over HTTP, on the bundled
data and at 100x (SYNTHETIC data written, then removed).
Writes ``bench/results/layout_scale.json`` and ``bench/results/layout_scale.md``.
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import sys
import time
from collections import Counter
from collections.abc import Hashable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: `tests` is not installed
    sys.path.insert(0, str(ROOT))

from graph import repository  # noqa: E402
from graph.db import Database  # noqa: E402
from graph.geo import to_bng  # noqa: E402
from visualisation import layout  # noqa: E402
from visualisation.data import read_view_data  # noqa: E402
from visualisation.dots import _near_pairs, _push_apart  # noqa: E402
from visualisation.graphs import MAP_SCALE, map_graph  # noqa: E402
from visualisation.layout import Position, _separated  # noqa: E402
from visualisation.options import ViewOptions  # noqa: E402
from visualisation.selection import select  # noqa: E402

SIZES = (2_000, 4_000, 10_430)
ROUNDS = 3
OUT = ROOT / "bench" / "results"


def _radius(partnerships: int) -> float:
    """A council's dot radius on the map (``map_graph``: 0.55 x the node size, plus air)."""
    return round((7.0 + 4.0 * math.sqrt(partnerships)) * 0.55, 1) + 0.6


def map_dots(db: Database, n: int | None, scale: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """``n`` dots as the 2012 map at ``scale`` x places them: (centres, radii), canvas units.

    The bundled councils first, then bench_scale's SYNTHETIC parish grid up to ``n`` dots
    (``None``: the bundled councils only).
    """
    counts = Counter(m.code for m in repository.effective_memberships(db, 2012))
    centres, radii = [], []
    for council in repository.all_councils(db):
        if council.latitude is None or council.longitude is None or council.valid_to:
            continue
        east, north = to_bng(council.longitude, council.latitude)
        centres.append((east / MAP_SCALE, -north / MAP_SCALE))
        radii.append(_radius(scale * counts.get(council.code, 0)))
    if n is None:
        return np.array(centres), np.array(radii)
    for i in range(n - len(centres)):  # bench_scale's SYNTHETIC parish grid
        east, north = to_bng(-3.0 + (i % 100) / 50, 51.0 + (i // 100) / 40)
        centres.append((east / MAP_SCALE, -north / MAP_SCALE))
        radii.append(_radius(i * 7 % 5))
    return np.array(centres[:n]), np.array(radii[:n])


def overlapping(pos: np.ndarray, radius: np.ndarray) -> int:
    """How many pairs of dots overlap."""
    return int(_near_pairs(pos, radius)[0].size)


def _circles(home: np.ndarray, radius: np.ndarray) -> tuple[tuple[int, Position, float], ...]:
    return tuple(
        (i, (float(x), float(y)), float(r))
        for i, ((x, y), r) in enumerate(zip(home, radius, strict=True))
    )


def _moved(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """The largest and the median distance between two placements of the same dots."""
    gap = np.sqrt(((a - b) ** 2).sum(axis=-1))
    return round(float(gap.max()), 3), round(float(np.median(gap)), 3)


def measure_layout(db: Database) -> list[dict[str, Any]]:
    """Each size: round 2's and this round's time (medians, interleaved), overlaps left, moves."""
    rows = []
    for n in SIZES:
        home, radius = map_dots(db, n)
        circles = _circles(home, radius)
        times: dict[str, list[float]] = {"round2_s": [], "new_s": []}
        for _ in range(ROUNDS):
            began = time.perf_counter()
            old = np.array(round2_separated(circles, 200))
            times["round2_s"].append(time.perf_counter() - began)
            began = time.perf_counter()
            new = np.array(_separated.__wrapped__(circles, 200))
            times["new_s"].append(time.perf_counter() - began)
        row: dict[str, Any] = {"dots": n, "start_overlapping": overlapping(home, radius)}
        row.update({k: round(statistics.median(v), 2) for k, v in times.items()})
        row["round2_overlapping"] = overlapping(old, radius)
        row["new_overlapping"] = overlapping(new, radius)
        row["moved_from_round2_max"], row["moved_from_round2_median"] = _moved(old, new)
        print("layout", row, flush=True)
        rows.append(row)
    return rows


def bundled_moves(db: Database) -> dict[str, Any]:
    """The bundled 2012 map view's own dots (``map_graph``): how far they move from round 2's.

    The view is built twice from the same selection, once with round 2's separation in place
    of this round's; its dots' positions (rounded to 0.1 as the page has them) are compared.
    """
    options = ViewOptions(year=2012)
    selection = select(read_view_data(db, 2012, options), options)
    new_graph, _ = map_graph(selection, to_bng)
    current = layout._separated
    setattr(layout, "_separated", round2_separated)  # noqa: B010 - the baseline, this once
    try:
        old_graph, _ = map_graph(selection, to_bng)
    finally:
        setattr(layout, "_separated", current)  # noqa: B010
    dots = [node for node in new_graph if not str(node).startswith("p:")]  # not the hubs
    drawn = np.array([new_graph.nodes[node]["size"] for node in dots])  # as the page draws them
    old, new = (
        np.array([(g.nodes[d]["x"], g.nodes[d]["y"]) for d in dots]) for g in (old_graph, new_graph)
    )
    most, median = _moved(old, new)
    return {
        "dots": len(dots),
        "round2_overlapping": overlapping(old, drawn + 0.6),
        "new_overlapping": overlapping(new, drawn + 0.6),
        "round2_overlapping_drawn": overlapping(old, drawn),
        "new_overlapping_drawn": overlapping(new, drawn),
        "moved_max": most,
        "moved_median": median,
        "moved_dots": int(np.count_nonzero(np.sqrt(((old - new) ** 2).sum(axis=-1)) > 0)),
    }


# -- round 2 (verbatim, as the baseline) ---------------------------------------------------
def round2_separated(
    circles: tuple[tuple[Hashable, Position, float], ...], iterations: int
) -> tuple[Position, ...]:
    """Round 2's ``_separated``: pushes on the pairs near enough to touch, no final placement."""
    home = np.array([centre for _, centre, _ in circles], dtype=np.float64)
    radius = np.array([r for _, _, r in circles], dtype=np.float64)
    pos = home.copy()
    first = second = np.empty(0, dtype=np.intp)
    for step in range(iterations):
        if step % 10 == 0:
            first, second = _near_pairs(pos, 2.0 * radius)
        if not _push_apart(pos, radius, first, second):
            # No listed pair overlaps: check every pair once more before stopping.
            first, second = _near_pairs(pos, 2.0 * radius)
            if not _push_apart(pos, radius, first, second):
                break
        if step < iterations // 2:  # the pull home stops, so the pushes can finish the job
            pos += (home - pos) * 0.02
    return tuple((float(x), float(y)) for x, y in pos)


def map_view(db: Database, settings: Any) -> dict[str, Any]:
    """Only bench_scale's map view over HTTP: first request and warm median, bundled and 100x."""
    from bench import bench_scale as scale  # it imports this module: imported when run
    from bench import synthetic
    from bench.servers import serve

    kind, what = scale.TIMED["national map view 2012"]
    timings: dict[str, Any] = {}
    synthetic.remove_synthetic(db)  # a run stopped halfway leaves none behind
    with serve("api.app:create_app", settings, env=scale.SERVER_ENV, timeout=900) as server:
        for data in ("bundled", "scaled"):
            if data == "scaled":
                timings["added"] = scale.add_synthetic(db)
            timings[f"{data}_warm_up_wait_s"] = round(scale.wait_until_idle(server), 1)
            first = scale._request(server, kind, what)
            warm = statistics.median(scale._request(server, kind, what) for _ in range(scale.WARM))
            timings[data] = {"first_ms": round(first, 1), "warm_ms": round(warm, 1)}
            print("map view", data, timings[data], flush=True)
        synthetic.remove_synthetic(db)
    return timings


def main() -> None:
    from bench.servers import bench_database, bench_settings  # the benchmarks' Neo4j

    settings = bench_settings()
    db = bench_database(settings)
    try:
        bundled = bundled_moves(db)
        print("bundled", bundled, flush=True)
        rows = measure_layout(db)
        view = map_view(db, settings) if "--map-view" in sys.argv else None
    finally:
        db.driver.close()
    meta = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
        "rounds": ROUNDS,
    }
    results = {"meta": meta, "bundled": bundled, "layout": rows, "map_view": view}
    (OUT / "layout_scale.json").write_text(json.dumps(results, indent=2) + "\n")
    render(results)


def render(results: dict[str, Any]) -> None:
    """Write layout_scale.md from the results."""
    meta, b = results["meta"], results["bundled"]
    load = ", ".join(f"{x:.1f}" for x in meta["load_average"])
    lines = [
        "# The national map's dot separation at scale, in process (bench/layout_scale.py)",
        "",
        f"{meta['when']}, Python {meta['python']}, load average at the end {load} (2 cores "
        "shared with other engineers' runs). Round 2 (200 rounds of pushes, as main had it) "
        "and this round (the same pushes, stopping when they stall, then a final placement of "
        f"the dots still overlapping), same process, same input, interleaved, medians of "
        f"{meta['rounds']}. Dots: the bundled councils sized by 100x their 2012 partnerships, "
        "then bench_scale's SYNTHETIC parish grid.",
        "",
        "| dots | round 2 s | this round s | round 2 / this | overlapping pairs: at start, "
        "after round 2, after this | moved from round 2: max, median |",
        "|---:|---:|---:|---:|---|---|",
    ]
    for row in results["layout"]:
        lines.append(
            f"| {row['dots']} | {row['round2_s']} | {row['new_s']} | "
            f"{row['round2_s'] / row['new_s']:.1f} | {row['start_overlapping']}, "
            f"{row['round2_overlapping']}, {row['new_overlapping']} | "
            f"{row['moved_from_round2_max']}, {row['moved_from_round2_median']} |"
        )
    lines += [
        "",
        f"The bundled 2012 map view's own {b['dots']} dots (``map_graph``, positions as the "
        f"page has them, rounded to 0.1): overlapping pairs counting the 0.6 units of air "
        f"round each dot after round 2 {b['round2_overlapping']}, after this "
        f"{b['new_overlapping']}; as drawn (no air) {b['round2_overlapping_drawn']} and "
        f"{b['new_overlapping_drawn']}; {b['moved_dots']} dots moved from round 2's "
        f"positions, at most {b['moved_max']} canvas units (median {b['moved_median']}).",
    ]
    view = results["map_view"]
    if view:
        lines += [
            "",
            "The map view over HTTP (``--map-view``: bench_scale's server, response cache off, "
            "the data version warmed first): /views/map?year=2012, first request "
            f"{view['bundled']['first_ms']} ms bundled, {view['scaled']['first_ms']} ms at "
            f"100x (SYNTHETIC: {view['added']}); warm median of 5: "
            f"{view['bundled']['warm_ms']} ms and {view['scaled']['warm_ms']} ms.",
        ]
    (OUT / "layout_scale.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
