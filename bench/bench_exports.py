"""Benchmark of exports: time and peak Python memory, as ratios against the plain writers.

Runs against the TESTS' OWN Neo4j instance (port $COUNCILGRAPH_TEST_BOLT_PORT, started if
needed), with the bundled data loaded (it loads it when missing). Don't run it while the test
suite runs on the same port: it adds SYNTHETIC partnerships for a while.

Measured in this run:

* **national GeoJSON** (every council of this year with its outline):
  ``exports.geojson.geojson_export`` against the baseline of ``json.dumps`` of the same
  FeatureCollection already built in memory, then written to a file;
* **100x synthetic CSV**: 100 SYNTHETIC copies of every bundled partnership (ids
  ``synthetic-N-...``, written with UNWIND in batches and deleted at the end) exported as CSV
  (all years) by ``exports.tables.csv_partnerships`` (read in batches from Neo4j, formula
  cells neutralised), against two baselines: the ``csv`` module writing the same rows, already
  in memory, to a file; and an export that does not stream (one read of every partnership,
  then the ``csv`` module).

Time is the median of several runs; peak memory is ``tracemalloc``'s peak of Python
allocations during one run (a separate run, because tracing slows Python down). Peak memory is
also given per megabyte written: an export that streams keeps it well below 1. No thresholds.

Run: ``.venv/bin/python bench/bench_exports.py`` (or ``make bench``). Writes
``bench/results/exports.json`` and ``bench/results/exports.md``.
"""

from __future__ import annotations

import csv
import json
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, LiteralString

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: `tests` is not installed
    sys.path.insert(0, str(ROOT))

from exports import FORMATS, ExportOptions, ExportSource, write_export  # noqa: E402
from exports.tables import PARTNERSHIP_COLUMNS, partnership_row  # noqa: E402
from graph import repository  # noqa: E402
from graph.db import Database, Tx, connect  # noqa: E402
from graph.rules import current_year  # noqa: E402
from graph.schema import bump_data_version, ensure_schema  # noqa: E402
from loaders import load_bundled  # noqa: E402
from tests import neo4j_instance  # noqa: E402

RESULTS = ROOT / "bench" / "results"
REPEAT = 3
COPIES = 100
BATCH = 5000

ADD_SYNTHETIC: LiteralString = """
UNWIND $rows AS row
CREATE (p:Partnership)
SET p = row.props
WITH p, row
CALL (p, row) {
  UNWIND row.members AS member
  MATCH (c:Council {code: member.code})
  CREATE (c)-[:MEMBER_OF {role: member.role}]->(p)
}
CALL (p, row) {
  UNWIND row.services AS code
  MATCH (s:ServiceArea {code: code})
  CREATE (p)-[:COVERS]->(s)
}
"""
DELETE_SYNTHETIC: LiteralString = """
MATCH (p:Partnership) WHERE p.id STARTS WITH 'synthetic-'
CALL (p) { DETACH DELETE p } IN TRANSACTIONS OF 5000 ROWS
"""


def _add_rows(tx: Tx, *, batch: list[dict[str, Any]]) -> None:
    tx.run(ADD_SYNTHETIC, {"rows": batch})


def _timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def _peak(run: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _write(chunks: Iterable[bytes], path: Path) -> int:
    size = 0
    with path.open("wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
            size += len(chunk)
    return size


def _add_synthetic(db: Database) -> int:
    facts = repository.partnerships_by_ids(db, repository.all_partnership_ids(db))
    rows = [
        {
            "props": {
                "id": f"synthetic-{copy}-{p.id}",
                "name": f"{p.name} (SYNTHETIC copy {copy})",
                "status": p.status,
                "startYear": p.start_year,
                "endYear": p.end_year,
                "annualSavingsGbp": p.annual_savings_gbp,
                "savingsNote": p.savings_note,
                "notes": p.notes,
            },
            "members": [{"code": m.code, "role": m.role} for m in p.members],
            "services": list(p.services),
        }
        for copy in range(1, COPIES + 1)
        for p in facts.values()
    ]
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        db.write_transaction(partial(_add_rows, batch=batch))
    db.write_transaction(lambda tx: bump_data_version(tx))
    return len(rows)


def _remove_synthetic(db: Database) -> None:
    with db.driver.session(database=db.name) as session:
        session.run(DELETE_SYNTHETIC).consume()

    def bump(tx: Tx) -> None:
        bump_data_version(tx)

    db.write_transaction(bump)


def _measure(
    export: Callable[[Path], int],
    baseline: Callable[[Path], int],
    folder: Path,
    repeat: int = REPEAT,
) -> dict[str, Any]:
    size = export(folder / "export")
    base_size = baseline(folder / "baseline")
    export_s = statistics.median(_timed(lambda: export(folder / "export")) for _ in range(repeat))
    base_s = statistics.median(_timed(lambda: baseline(folder / "baseline")) for _ in range(repeat))
    export_peak = _peak(lambda: export(folder / "export"))
    base_peak = _peak(lambda: baseline(folder / "baseline"))
    return {
        "bytes": size,
        "baseline_bytes": base_size,
        "export_s": round(export_s, 3),
        "baseline_s": round(base_s, 3),
        "time_vs_baseline": round(export_s / base_s, 1),
        "export_peak_mib": round(export_peak / 2**20, 1),
        "baseline_peak_mib": round(base_peak / 2**20, 1),
        "export_peak_per_mb_written": round(export_peak / max(size, 1), 3),
        "peak_vs_baseline": round(export_peak / max(base_peak, 1), 2),
    }


def main() -> int:
    settings = neo4j_instance.start()
    db = connect(settings)
    ensure_schema(db)
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    try:
        if not repository.all_partnership_ids(db):
            load_bundled(db)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            year = current_year()
            options = ExportOptions(year=year)

            def geojson(path: Path) -> int:
                return _write(write_export(FORMATS["geojson"], ExportSource(db), options), path)

            built = json.loads(
                b"".join(write_export(FORMATS["geojson"], ExportSource(db), options))
            )

            def geojson_baseline(path: Path) -> int:
                text = json.dumps(built, ensure_ascii=False, separators=(",", ":"))
                path.write_text(text, encoding="utf-8")
                return len(text.encode("utf-8"))

            results["geojson"] = {
                "year": year,
                "features": len(built["features"]),
                **_measure(geojson, geojson_baseline, folder),
            }

            added = _add_synthetic(db)
            try:
                everything = ExportOptions()
                names = {c.code: c.name for c in repository.all_councils(db)}
                ids = repository.all_partnership_ids(db)
                rows = [
                    partnership_row(p, names)
                    for p in repository.partnerships_by_ids(db, ids).values()
                ]

                def csv_export(path: Path) -> int:
                    return _write(write_export(FORMATS["csv"], ExportSource(db), everything), path)

                def csv_baseline(path: Path) -> int:
                    with path.open("w", encoding="utf-8", newline="") as handle:
                        writer = csv.writer(handle)
                        writer.writerow(PARTNERSHIP_COLUMNS)
                        for row in rows:
                            writer.writerow(
                                ["" if row[c] is None else row[c] for c in PARTNERSHIP_COLUMNS]
                            )
                    return path.stat().st_size

                def read_then_csv(path: Path) -> int:
                    # What an export that does not stream would do: read everything, then
                    # write. (Read in batches of 5,000 all the same: one statement for all
                    # 62,500 partnerships runs past the 10 s statement timeout.)
                    every = repository.all_partnership_ids(db)
                    table = [
                        partnership_row(p, names)
                        for start in range(0, len(every), BATCH)
                        for p in repository.partnerships_by_ids(
                            db, every[start : start + BATCH]
                        ).values()
                    ]
                    with path.open("w", encoding="utf-8", newline="") as handle:
                        writer = csv.writer(handle)
                        writer.writerow(PARTNERSHIP_COLUMNS)
                        for row in table:
                            writer.writerow(
                                ["" if row[c] is None else row[c] for c in PARTNERSHIP_COLUMNS]
                            )
                    return path.stat().st_size

                results["csv_100x"] = {
                    "synthetic_partnerships": added,
                    "rows": len(rows),
                    **_measure(csv_export, csv_baseline, folder, repeat=2),
                }
                whole = _measure(csv_export, read_then_csv, folder, repeat=1)
                results["csv_100x"]["read_all_then_csv_s"] = whole["baseline_s"]
                results["csv_100x"]["read_all_then_csv_peak_mib"] = whole["baseline_peak_mib"]
                results["csv_100x"]["time_vs_read_all_then_csv"] = whole["time_vs_baseline"]
                results["csv_100x"]["peak_vs_read_all_then_csv"] = whole["peak_vs_baseline"]
            finally:
                _remove_synthetic(db)
    finally:
        db.driver.close()

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "exports.json").write_text(json.dumps(results, indent=2) + "\n")
    g, c = results["geojson"], results["csv_100x"]
    lines = [
        "# Exports benchmark",
        "",
        f"{results['when']}, Python {results['python']} on {results['machine']}; time the "
        f"median of {REPEAT} runs (GeoJSON; 2 and 1 for the long CSV ones), peak memory "
        "tracemalloc's (Python allocations) in one run. No thresholds: compare the ratios.",
        "",
        "| export | MB written | seconds | baseline s | time / baseline | peak MiB | "
        "baseline peak MiB | peak per MB written |",
        "|---|---|---|---|---|---|---|---|",
        f"| national GeoJSON {g['year']} ({g['features']} councils) vs json.dumps of the "
        f"same collection | {g['bytes'] / 1e6:.1f} | {g['export_s']} | {g['baseline_s']} | "
        f"{g['time_vs_baseline']} | {g['export_peak_mib']} | {g['baseline_peak_mib']} | "
        f"{g['export_peak_per_mb_written']} |",
        f"| CSV of {c['rows']} partnerships (100x SYNTHETIC) vs csv module, rows in memory | "
        f"{c['bytes'] / 1e6:.1f} | {c['export_s']} | {c['baseline_s']} | "
        f"{c['time_vs_baseline']} | {c['export_peak_mib']} | {c['baseline_peak_mib']} | "
        f"{c['export_peak_per_mb_written']} |",
        f"| the same CSV vs one read of every partnership, then the csv module | "
        f"{c['bytes'] / 1e6:.1f} | {c['export_s']} | {c['read_all_then_csv_s']} | "
        f"{c['time_vs_read_all_then_csv']} | {c['export_peak_mib']} | "
        f"{c['read_all_then_csv_peak_mib']} | {c['export_peak_per_mb_written']} |",
        "",
        "The first two baselines start from data already in memory (the rows, the "
        "collection); the exports read Neo4j in batches of 500 partnerships as they write, so "
        "their time includes the reads and their peak memory does not grow with the file. The "
        "third reads everything first, as an export that does not stream would.",
        "",
    ]
    (RESULTS / "exports.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
