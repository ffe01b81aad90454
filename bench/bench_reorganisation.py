"""Benchmark of a successor council's lineage (graph/reorganisation.py) on the bundled data.

Needs the benchmarks' Neo4j (``bench/servers.py``: $COUNCILGRAPH_BENCH_BOLT_PORT, default the
tests' port + 1; started and loaded if needed). For Somerset Council (2023: fourteen years
before the change, 2009-2022) it times, each the median of several runs in this process:

* baseline: one year's effective memberships read (``repository.effective_memberships``);
* per-year reads: the way lineage read before, one memberships read per year considered, on
  a snapshot with nothing remembered (since issue 14's year views, ``Snapshot.memberships``
  computes a year from the snapshot in Python, with no read: bench/results/memberships.md);
* cold: ``lineage`` on a snapshot with nothing remembered (one statement for every year);
* cached: ``lineage`` again on the same snapshot (remembered per data version).

Each is reported as a ratio to the baseline measured in the same run, so the figures compare
across machines. There are no pass/fail thresholds.

Run: ``.venv/bin/python bench/bench_reorganisation.py``. Writes
``bench/results/reorganisation.json`` and ``bench/results/reorganisation.md``.
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: `tests` is not installed
    sys.path.insert(0, str(ROOT))

from bench.servers import bench_database, bench_settings  # noqa: E402
from graph import repository as repo  # noqa: E402
from graph import rules  # noqa: E402
from graph.db import Database  # noqa: E402
from graph.reorganisation import lineage  # noqa: E402
from graph.snapshot import Snapshot, Snapshots  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
COUNCIL = "E06000066"  # Somerset Council, vested 2023-04-01
REPEAT = 5


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls of ``work``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fresh(snapshot: Snapshot) -> Snapshot:
    """The same data version's facts with nothing remembered (a cold snapshot)."""
    return Snapshot(
        snapshot.db,
        snapshot.version,
        councils=snapshot.councils,
        links=snapshot.links,
        partnerships=snapshot.partnerships,
        lga_editions=snapshot.lga_editions,
    )


def measure(db: Database) -> dict[str, object]:
    """Time the four measures on ``db`` (loaded) and return the result record."""
    base = Snapshots(db).current()
    found = lineage(base, COUNCIL)
    assert found is not None
    first, last = found.years_considered
    years = range(first, last + 1)

    def per_year() -> None:
        cold = fresh(base)
        for year in years:
            cold.memberships(year)

    baseline = median_seconds(lambda: repo.effective_memberships(db, last), REPEAT)
    per_year_s = median_seconds(per_year, REPEAT)
    cold_s = median_seconds(lambda: lineage(fresh(base), COUNCIL), REPEAT)
    cached = fresh(base)
    lineage(cached, COUNCIL)
    cached_s = median_seconds(lambda: lineage(cached, COUNCIL), 1000)
    seconds = {
        "baseline_one_year_memberships": baseline,
        "per_year_reads": per_year_s,
        "lineage_cold": cold_s,
        "lineage_cached": cached_s,
    }
    return {
        "data": "bundled (data/)",
        "when_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "council": f"{found.council.name} ({COUNCIL})",
        "years_considered": [first, last],
        "current_year": rules.current_year(),
        "predecessors": len(found.predecessors),
        "partnerships": len(found.partnerships),
        "seconds": seconds,
        "ratio_to_baseline": {k: v / baseline for k, v in seconds.items()},
        "per_year_over_cold": per_year_s / cold_s,
    }


def markdown(result: dict[str, object]) -> str:
    """The results as a short markdown report."""
    seconds = result["seconds"]
    ratios = result["ratio_to_baseline"]
    assert isinstance(seconds, dict)
    assert isinstance(ratios, dict)
    labels = {
        "baseline_one_year_memberships": "baseline: one year's effective memberships",
        "per_year_reads": "before: one memberships read per year considered",
        "lineage_cold": "lineage, cold (one statement for every year)",
        "lineage_cached": "lineage, cached (same data version)",
    }
    years = result["years_considered"]
    assert isinstance(years, list)
    first, last = years
    lines = [
        "# Reorganisation benchmark: a successor council's lineage (bundled data)",
        "",
        f"Council: {result['council']}, years {first}-{last}; {result['predecessors']} "
        f"predecessors, {result['partnerships']} partnerships among them. Run "
        f"{result['when_utc']} (Python {result['python']}, {result['machine']}).",
        "Medians; ratios to the baseline measured in the same run (no thresholds).",
        "",
        "| measure | seconds | ratio to baseline |",
        "|---|---:|---:|",
    ]
    for key, label in labels.items():
        lines.append(f"| {label} | {seconds[key]:.6f} | {ratios[key]:.4f} |")
    lines += [
        "",
        f"Per-year reads over one cold lineage: {result['per_year_over_cold']:.1f}x.",
        "",
        "Run: `.venv/bin/python bench/bench_reorganisation.py` (the benchmarks' Neo4j, "
        "bench/servers.py).",
        "",
    ]
    return "\n".join(lines)


def main() -> dict[str, object]:
    db = bench_database(bench_settings())
    try:
        result = measure(db)
    finally:
        db.driver.close()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "reorganisation.json").write_text(
        json.dumps(result, indent=2) + "\n", encoding="utf-8"
    )
    (RESULTS / "reorganisation.md").write_text(markdown(result), encoding="utf-8")
    return result


if __name__ == "__main__":
    print(markdown(main()))
