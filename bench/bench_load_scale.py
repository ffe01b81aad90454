"""Benchmark: the SYNTHETIC national partnerships through the staged loader, against its ceiling.

The SYNTHETIC set (bench/synthetic.py): its councils and borders written first (straight,
UNWIND batches: no loadable council format outside the bundled registry), then ``--copies``
copies (default 100) of every bundled partnership written as bundled-format CSV files of
5,000 rows in a temporary folder (never ``data/``).

Measured in the same run, alternating, each round from the same state (the SYNTHETIC
partnerships removed after each):

* **loader**: ``load_staged`` on that folder in a fresh process (what ``councilgraph load
  --staged FOLDER`` runs): every file read and validated like a user's file, staged in its
  own transaction, published in one; timed around the call; its peak RSS (``ru_maxrss``) and
  whether its progress reached the total;
* **ceiling**: the same rows, batched the same (one transaction per file), written by one
  ``UNWIND`` per kind: partnerships with their memberships, services and sources (``CREATE``,
  sources ``MERGE``d as they are shared), then their audit entries. The rows are read and
  validated from the same files beforehand, untimed: only the writes count.

Reported as seconds and ``ceiling / loader`` (issue 14's goal: at least 0.7). Writes
``bench/results/load_scale.json`` and ``load_scale.md``; removes the SYNTHETIC data afterwards.
Run: ``.venv/bin/python bench/bench_load_scale.py [--copies N] [--rounds N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, LiteralString

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: `tests` is not installed
    sys.path.insert(0, str(ROOT))

from bench import synthetic  # noqa: E402
from bench.servers import bench_database, bench_settings  # noqa: E402
from graph.audit import CREATE_AUDIT_ENTRIES, audit_rows  # noqa: E402
from graph.db import Database, Tx  # noqa: E402
from loaders import queries  # noqa: E402
from loaders.known import council_index_from_db, service_areas_from_db  # noqa: E402
from loaders.partnerships import read_table  # noqa: E402
from loaders.prepared import validated  # noqa: E402
from loaders.writer import partnership_change, partnership_row  # noqa: E402

RESULTS = ROOT / "bench" / "results"

# The loader's own link-writing (the same rows, the same links), without its MERGE and deletes.
CEILING_PARTNERSHIPS: LiteralString = (
    """
UNWIND $rows AS row
CREATE (p:Partnership)
SET p = row.props
WITH p, row
"""
    + queries.PARTNERSHIP_LINKS
)

LOADER = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from bench.servers import bench_settings
from graph.db import connect
from loaders.staged import load_staged
db = connect(bench_settings())
db.read("RETURN 1 AS ok")
steps = []
started = time.perf_counter()
report = load_staged(db, [Path(sys.argv[2])], progress=lambda *step: steps.append(step))
seconds = time.perf_counter() - started
print(json.dumps({
    "s": seconds,
    "round_trips": report.round_trips,
    "errors": len(report.errors),
    "created": report.counts["partnerships"].created,
    "memberships": report.counts["memberships"].created,
    "progress_reached_total": bool(steps) and steps[-1][0] == steps[-1][1],
    "progress_steps": len(steps),
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
db.driver.close()
"""


def ceiling(db: Database, files: list[Path]) -> float:
    """Seconds of the ceiling's write transactions, one per file (rows built untimed)."""
    vocabulary = (council_index_from_db(db), service_areas_from_db(db))
    total = 0.0
    for path in files:
        records = validated(read_table(path, path.name), path.name, lambda: vocabulary).records
        rows = [partnership_row(r) for r in records]
        audit = audit_rows(
            [partnership_change(r, None) for r in records], origin="file", file=str(path.resolve())
        )

        def work(tx: Tx, rows: list[dict[str, Any]] = rows, audit: list[Any] = audit) -> None:
            tx.run(CEILING_PARTNERSHIPS, {"rows": rows})
            tx.run(CREATE_AUDIT_ENTRIES, {"rows": audit})

        started = time.perf_counter()
        db.write_transaction(work, timeout=600)
        total += time.perf_counter() - started
    return total


def loader(folder: Path) -> dict[str, Any]:
    """``load_staged`` on ``folder`` in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", LOADER, str(ROOT), str(folder)],
        env=dict(os.environ),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=synthetic.COPIES)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    db = bench_database(bench_settings())
    load_before = os.getloadavg()[0]
    synthetic.remove_synthetic(db)  # a run stopped halfway leaves none behind
    try:
        started = time.perf_counter()
        councils = synthetic.add_councils(db)
        councils_s = time.perf_counter() - started
        with tempfile.TemporaryDirectory(prefix="councilgraph-synthetic-") as folder:
            files = synthetic.write_partnership_files(Path(folder), args.copies)
            ceilings, loads = [], []
            for _ in range(args.rounds):
                ceilings.append(ceiling(db, files))
                print(f"ceiling {ceilings[-1]:.1f} s", flush=True)
                synthetic.remove_synthetic(db, councils=False)
                loads.append(loader(Path(folder)))
                print(f"loader {loads[-1]}", flush=True)
                synthetic.remove_synthetic(db, councils=False)
    finally:
        synthetic.remove_synthetic(db)
        db.driver.close()
    write_results(args, councils, councils_s, len(files), ceilings, loads, load_before)
    return 0


def write_results(
    args: argparse.Namespace,
    councils: dict[str, int],
    councils_s: float,
    files: int,
    ceilings: list[float],
    loads: list[dict[str, Any]],
    load_before: float,
) -> None:
    ceiling_s = statistics.median(ceilings)
    loader_s = statistics.median(run["s"] for run in loads)
    last = loads[-1]
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "copies": args.copies,
        "rounds": args.rounds,
        "files": files,
        "partnerships": last["created"],
        "memberships": last["memberships"],
        "synthetic_councils": councils,
        "synthetic_councils_s": round(councils_s, 1),
        "ceiling_s": [round(c, 2) for c in ceilings],
        "loader": loads,
        "ceiling_over_loader": round(ceiling_s / loader_s, 2),
        "ceiling_over_loader_per_round": [
            round(c / run["s"], 2) for c, run in zip(ceilings, loads, strict=True)
        ],
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "load_scale.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        f"# The SYNTHETIC national partnerships through the staged loader ({args.copies}x)",
        "",
        f"{results['when']}, Python {results['python']}; median of {args.rounds} round(s), "
        "loader and ceiling alternating. The machine: 2 cores shared with other engineers' "
        f"jobs, load average {load_before:.1f} at the start and "
        f"{results['load_average'][1]:.1f} at the end.",
        "",
        f"{last['created']:,} SYNTHETIC partnerships ({last['memberships']:,} memberships) in "
        f"{files} bundled-format files of up to 5,000 rows; before them, "
        f"{councils['councils']:,} SYNTHETIC councils and {councils['borders']:,} borders "
        f"written straight in {councils_s:.0f} s (not part of either figure).",
        "",
        "| measure | seconds | ceiling / measure | round trips | peak RSS MB |",
        "|---|---:|---:|---:|---:|",
        f"| ceiling: one UNWIND per kind, one transaction per file | {ceiling_s:.1f} | 1.00 | "
        f"{2 * files} | - |",
        f"| staged loader (`councilgraph load --staged`), fresh process | {loader_s:.1f} | "
        f"{ceiling_s / loader_s:.2f} | {last['round_trips']} | {last['peak_rss_mb']:.0f} |",
        "",
        "Each round (ceiling, then loader, from the same state): "
        + "; ".join(
            f"{c:.1f} s / {run['s']:.1f} s = {c / run['s']:.2f}"
            for c, run in zip(ceilings, loads, strict=True)
        )
        + ". Peak RSS of the loading process per round: "
        + ", ".join(f"{run['peak_rss_mb']:.0f} MB" for run in loads)
        + ".",
        "",
        f"Progress reached its total: {last['progress_reached_total']} "
        f"({last['progress_steps']} steps: each file, then the publish). Data errors: "
        f"{last['errors']}.",
        "",
    ]
    (RESULTS / "load_scale.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
