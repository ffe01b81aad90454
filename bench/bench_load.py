"""Benchmark of loading the bundled data into Neo4j: time and round trips.

Runs against the benchmarks' own Neo4j (bench/servers.py: $COUNCILGRAPH_BENCH_BOLT_PORT,
default the tests' port + 1, started if needed), never the instance NEO4J_URI points at and
never the tests': the cold load empties that database first. It leaves the database holding
exactly the bundled data, as the other benchmarks expect.

Measured in this run, each the median of several repetitions:

* baseline ``RETURN 1``: one trivial round trip;
* baseline ``UNWIND``: one write transaction that UNWINDs as many rows as the load writes
  (councils + borders + partnerships + memberships ...) into a scratch label, then deletes them;
* cold load: ``load_bundled`` into an empty database;
* reload: ``load_bundled`` again (no changes; what ``councilgraph load`` costs when up to date);
* dry run: ``load_bundled(dry_run=True)``.

Reported as seconds, round trips, and ratios to both baselines, so figures compare across
machines. There are no pass/fail thresholds.

Run: ``.venv/bin/python bench/bench_load.py`` (or ``make bench``). Writes
``bench/results/load.json`` and ``bench/results/load.md``.
"""

from __future__ import annotations

import json
import platform
import resource
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import LiteralString

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: `tests` is not installed
    sys.path.insert(0, str(ROOT))

from bench.servers import bench_settings  # noqa: E402
from graph.db import Database, connect  # noqa: E402
from graph.schema import ensure_schema  # noqa: E402
from loaders import load_bundled  # noqa: E402

RESULTS = ROOT / "bench" / "results"
REPEAT = 3

WIPE: LiteralString = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
SCRATCH_UNWIND: LiteralString = """
UNWIND $rows AS row
CREATE (s:BenchScratch {code: row.code, name: row.name, n: row.n})
"""
SCRATCH_DELETE: LiteralString = "MATCH (s:BenchScratch) DELETE s"


def median(values: list[float]) -> float:
    """The median, so one slow outlier (JIT warm-up, GC) does not set the figure."""
    return statistics.median(values)


def wipe(db: Database) -> None:
    # Auto-commit is required for CALL ... IN TRANSACTIONS; only ever the tests' instance.
    with db.driver.session(database=db.name) as session:
        session.run(WIPE).consume()
    ensure_schema(db)


def main() -> int:
    settings = bench_settings()
    db = connect(settings)
    try:
        trivial = []
        for _ in range(20):
            started = time.perf_counter()
            db.read("RETURN 1 AS ok")
            trivial.append(time.perf_counter() - started)

        wipe(db)
        cold_times, cold_trips = [], []
        report = None
        for _ in range(REPEAT):
            wipe(db)
            before = db.round_trips
            started = time.perf_counter()
            report = load_bundled(db)
            cold_times.append(time.perf_counter() - started)
            cold_trips.append(db.round_trips - before)
        assert report is not None
        rows_written = sum(c.created for c in report.counts.values())

        scratch_rows = [
            {"code": f"X{i:08d}", "name": f"row {i}", "n": i} for i in range(rows_written)
        ]
        unwind = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            db.write_transaction(lambda tx: tx.run(SCRATCH_UNWIND, {"rows": scratch_rows}))
            unwind.append(time.perf_counter() - started)
            db.write(SCRATCH_DELETE)

        reload_times, reload_trips, dry_times = [], [], []
        for _ in range(REPEAT):
            before = db.round_trips
            started = time.perf_counter()
            again = load_bundled(db)
            reload_times.append(time.perf_counter() - started)
            reload_trips.append(db.round_trips - before)
            assert not again.changed, "reload changed data"
            started = time.perf_counter()
            load_bundled(db, dry_run=True)
            dry_times.append(time.perf_counter() - started)
    finally:
        db.driver.close()

    base_trip, base_unwind = median(trivial), median(unwind)
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "rows_written_by_cold_load": rows_written,
        "baseline_round_trip_s": round(base_trip, 5),
        "baseline_unwind_same_rows_s": round(base_unwind, 4),
        "cold_load_s": round(median(cold_times), 3),
        "cold_load_round_trips": int(median([float(t) for t in cold_trips])),
        "reload_s": round(median(reload_times), 3),
        "reload_round_trips": int(median([float(t) for t in reload_trips])),
        "dry_run_s": round(median(dry_times), 3),
        "cold_load_vs_round_trip": round(median(cold_times) / base_trip, 1),
        "cold_load_vs_unwind": round(median(cold_times) / base_unwind, 1),
        "reload_vs_unwind": round(median(reload_times) / base_unwind, 1),
        "counts": {k: vars_of(c) for k, c in report.counts.items()},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "# Bundled load benchmark",
        "",
        f"{results['when']}, Python {results['python']} on {results['machine']}; "
        f"median of {REPEAT} runs. No thresholds: compare the ratios. Peak RSS of the "
        f"loading process: {results['peak_rss_mb']} MB.",
        "",
        "| measure | seconds | round trips | / RETURN 1 | / UNWIND of same rows |",
        "|---|---|---|---|---|",
        f"| baseline RETURN 1 | {base_trip:.5f} | 1 | 1 | - |",
        f"| baseline UNWIND {rows_written} rows | {base_unwind:.3f} | 1 | "
        f"{base_unwind / base_trip:.0f} | 1 |",
        f"| cold load | {median(cold_times):.2f} | {results['cold_load_round_trips']} | "
        f"{median(cold_times) / base_trip:.0f} | {median(cold_times) / base_unwind:.1f} |",
        f"| reload (no change) | {median(reload_times):.2f} | {results['reload_round_trips']} | "
        f"{median(reload_times) / base_trip:.0f} | {median(reload_times) / base_unwind:.1f} |",
        f"| dry run | {median(dry_times):.2f} | - | {median(dry_times) / base_trip:.0f} | "
        f"{median(dry_times) / base_unwind:.1f} |",
        "",
    ]
    (RESULTS / "load.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


def vars_of(counts: object) -> dict[str, int]:
    return {k: int(getattr(counts, k)) for k in ("created", "updated", "unchanged", "deleted")}


if __name__ == "__main__":
    sys.exit(main())
