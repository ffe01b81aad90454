"""Benchmark of loading the bundled data into Neo4j: time and round trips against its ceiling.

Runs against the benchmarks' own Neo4j (bench/servers.py: $COUNCILGRAPH_BENCH_BOLT_PORT,
default the tests' port + 1, started if needed), never the instance NEO4J_URI points at and
never the tests': the cold loads empty that database first. It leaves the database holding
exactly the bundled data, as the other benchmarks expect.

The ceiling (issue 14, "one UNWIND of the same rows"): after a load, every node it wrote (with
its labels and properties) and every relationship (with its type and properties) is read
back, and written again into the emptied database by **one statement in one transaction**:
``UNWIND`` the nodes, ``CREATE`` each under its labels (dynamic labels, Neo4j 5.26), collect
them, ``UNWIND`` the relationships and ``CREATE`` each between two collected nodes by their
position: no reads of the current state, no MERGE, no index lookups. The same nodes, the same
properties, the same relationships; nothing a load could write with fewer statements or less
work. (The old baseline, as many scratch nodes of three small properties, is kept as a second
column: it flattered nothing but the server's raw CREATE speed.)

Measured in interleaved rounds, each figure the median:

* ``RETURN 1``: one trivial round trip;
* ceiling: the one-statement write above, into an emptied database;
* scratch UNWIND: as many ``BenchScratch`` nodes as the load writes nodes and relationships;
* cold load, in process: ``load_bundled`` into an emptied database (files already prepared
  in this process: ``loaders.prepared``);
* reload (no change) and dry run;
* cold load in a **fresh process**, first with an empty file cache (every file read, decoded
  and validated) and then with the on-disk cache that run left; timed inside the process
  around ``load_bundled`` after one ``RETURN 1`` (imports and the connection excluded), and
  the part of it before the first write (preparing the files: ``loaders.prepared``, told by
  the load's progress hook).

Run: ``.venv/bin/python bench/bench_load.py`` (or ``make bench``). Writes
``bench/results/load.json`` and ``bench/results/load.md``. No pass/fail thresholds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, LiteralString

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: `tests` is not installed
    sys.path.insert(0, str(ROOT))

from bench.servers import bench_settings  # noqa: E402
from graph.db import Database, connect  # noqa: E402
from graph.schema import ensure_schema  # noqa: E402
from loaders import load_bundled  # noqa: E402

RESULTS = ROOT / "bench" / "results"
ROUNDS = 7
FRESH = 5

WIPE: LiteralString = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
SCRATCH_UNWIND: LiteralString = """
UNWIND $rows AS row
CREATE (s:BenchScratch {code: row.code, name: row.name, n: row.n})
"""
SCRATCH_DELETE: LiteralString = "MATCH (s:BenchScratch) DELETE s"

# What the load wrote, read back (the DataVersion node exists before any load: ensure_schema).
WRITTEN_NODES: LiteralString = """
MATCH (n) WHERE NOT n:DataVersion
RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props
"""
WRITTEN_RELATIONSHIPS: LiteralString = """
MATCH (a)-[r]->(b)
RETURN elementId(a) AS a, elementId(b) AS b, type(r) AS type, properties(r) AS props
"""
CEILING: LiteralString = """
UNWIND $nodes AS node
CREATE (n:$(node.labels))
SET n = node.props
WITH collect(n) AS created
UNWIND $relationships AS rel
WITH created[rel.a] AS a, created[rel.b] AS b, rel
CREATE (a)-[r:$(rel.type)]->(b)
SET r = rel.props
"""

FRESH_LOAD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from bench.servers import bench_settings
from graph.db import connect
from loaders import load_bundled
from loaders.load import BUNDLED_STEPS
db = connect(bench_settings())
db.read("RETURN 1 AS ok")
prepared = []
def writing(step):
    if step == BUNDLED_STEPS[2]:  # the files are prepared: the database's turn
        prepared.append(time.perf_counter() - started)
started = time.perf_counter()
report = load_bundled(db, progress=writing)
seconds = time.perf_counter() - started
print(json.dumps({"s": seconds, "prepare": prepared[0], "trips": report.round_trips}))
db.driver.close()
"""


def wipe(db: Database) -> None:
    # Auto-commit is required for CALL ... IN TRANSACTIONS; only ever the bench's instance.
    with db.driver.session(database=db.name) as session:
        session.run(WIPE).consume()
    ensure_schema(db)


def written(db: Database) -> dict[str, list[dict[str, Any]]]:
    """The ceiling's parameters: every node and relationship the load wrote, nodes by position."""
    nodes = db.read(WRITTEN_NODES)
    position = {node["id"]: i for i, node in enumerate(nodes)}
    return {
        "nodes": [{"labels": n["labels"], "props": n["props"]} for n in nodes],
        "relationships": [
            {"a": position[r["a"]], "b": position[r["b"]], "type": r["type"], "props": r["props"]}
            for r in db.read(WRITTEN_RELATIONSHIPS)
        ],
    }


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def fresh_process(cache: Path, checkout: Path = ROOT) -> dict[str, float]:
    """A cold load in a new Python process running ``checkout``'s code, with the load cache in
    ``cache``."""
    env = {**os.environ, "COUNCILGRAPH_LOAD_CACHE": str(cache)}
    out = subprocess.run(
        [sys.executable, "-c", FRESH_LOAD, str(checkout)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def measure(db: Database, against: Path | None = None) -> dict[str, Any]:
    """Every measure, in interleaved rounds; lists of seconds (and round trips). ``against``:
    another checkout whose fresh-process loads are measured too, interleaved with these."""
    wipe(db)
    load_bundled(db)
    params = written(db)
    size = len(params["nodes"]) + len(params["relationships"])
    scratch = [{"code": f"X{i:08d}", "name": f"row {i}", "n": i} for i in range(size)]
    runs: dict[str, list[float]] = {
        k: [] for k in ("trip", "ceiling", "scratch", "cold", "reload", "dry", "trips")
    }
    for _ in range(ROUNDS):
        runs["trip"].append(timed(lambda: db.read("RETURN 1 AS ok")))
        wipe(db)
        runs["ceiling"].append(
            timed(lambda: db.write_transaction(lambda tx: tx.run(CEILING, params)))
        )
        runs["scratch"].append(
            timed(
                lambda: db.write_transaction(lambda tx: tx.run(SCRATCH_UNWIND, {"rows": scratch}))
            )
        )
        wipe(db)
        before = db.round_trips
        runs["cold"].append(timed(lambda: load_bundled(db)))
        runs["trips"].append(db.round_trips - before)
        runs["reload"].append(timed(lambda: load_bundled(db)))
        runs["dry"].append(timed(lambda: load_bundled(db, dry_run=True)))
    checkouts = {"": ROOT} | ({"against ": against} if against else {})
    fresh: dict[str, list[dict[str, float]]] = {
        f"{name}{kind}": [] for name in checkouts for kind in ("empty", "disk")
    }
    for _ in range(FRESH):
        for name, checkout in checkouts.items():
            with tempfile.TemporaryDirectory() as cache:
                wipe(db)
                fresh[f"{name}empty"].append(fresh_process(Path(cache), checkout))
                wipe(db)
                fresh[f"{name}disk"].append(fresh_process(Path(cache), checkout))
    reload = load_bundled(db)
    assert not reload.changed, "reload changed data"
    return {
        "runs": runs,
        "fresh": fresh,
        "nodes": len(params["nodes"]),
        "relationships": len(params["relationships"]),
        "reload_trips": reload.round_trips,
        "dry_trips": load_bundled(db, dry_run=True).round_trips,
    }


def _described(checkout: Path) -> str:
    """A checkout as the results name it: its commit when it is a git checkout."""
    commit = subprocess.run(
        ["git", "-C", str(checkout), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"{checkout} ({commit[:72]})" if commit else str(checkout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument(
        "--against",
        type=Path,
        help="another checkout (e.g. main before a change): its fresh-process loads are "
        "measured too, interleaved with this one's, and reported beside them",
    )
    against = parser.parse_args(argv).against
    db = connect(bench_settings())
    try:
        load_before = os.getloadavg()
        measured = measure(db, against.resolve() if against else None)
        load_after = os.getloadavg()
    finally:
        db.driver.close()
    measured["against"] = _described(against.resolve()) if against else None
    write_results(measured, load_before, load_after)
    return 0


def _fresh_rows(
    fresh: dict[str, list[dict[str, float]]], name: str = "", label: str = ""
) -> list[tuple[str, float, int]]:
    """The fresh-process rows of one checkout (``name``: the key prefix in ``fresh``)."""

    def median(kind: str, measure: str) -> float:
        return statistics.median(f[measure] for f in fresh[f"{name}{kind}"])

    return [
        (
            f"cold load, fresh process, empty file cache{label}",
            median("empty", "s"),
            int(median("empty", "trips")),
        ),
        ("- of which preparing the files (no round trip)", median("empty", "prepare"), 0),
        (
            f"cold load, fresh process, file cache on disk{label}",
            median("disk", "s"),
            int(median("disk", "trips")),
        ),
        ("- of which reading the prepared files from disk", median("disk", "prepare"), 0),
    ]


def write_results(
    measured: dict[str, Any], load_before: tuple[float, ...], load_after: tuple[float, ...]
) -> None:
    runs, fresh, against = measured["runs"], measured["fresh"], measured.get("against")
    med = {k: statistics.median(v) for k, v in runs.items()}
    ceiling, scratch, trip = med["ceiling"], med["scratch"], med["trip"]
    rows = [
        ("baseline RETURN 1", trip, 1),
        ("ceiling: one statement writing the load's own rows", ceiling, 1),
        (f"scratch UNWIND of {measured['nodes'] + measured['relationships']} rows", scratch, 1),
        ("cold load, in process (files prepared)", med["cold"], int(med["trips"])),
        *_fresh_rows(fresh),
        ("reload (no change)", med["reload"], measured["reload_trips"]),
        ("dry run", med["dry"], measured["dry_trips"]),
    ]
    if against:
        rows += _fresh_rows(fresh, "against ", ", the other checkout")
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
        "rounds": ROUNDS,
        "fresh_processes": FRESH,
        "nodes_written": measured["nodes"],
        "relationships_written": measured["relationships"],
        "seconds": {name: round(s, 4) for name, s, _ in rows},
        "round_trips": {name: t for name, _, t in rows},
        "vs_ceiling": {name: round(s / ceiling, 2) for name, s, _ in rows},
        "runs": {k: [round(x, 4) for x in v] for k, v in runs.items()},
        "fresh_runs": {
            k: [{m: round(x, 4) for m, x in f.items()} for f in v] for k, v in fresh.items()
        },
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "against": against,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "# Bundled load benchmark",
        "",
        f"{results['when']}, Python {results['python']} on {results['machine']}; medians of "
        f"{ROUNDS} interleaved rounds ({FRESH} fresh processes). The machine: 2 cores shared "
        f"with other engineers' test runs, load average {load_before[0]:.1f} before and "
        f"{load_after[0]:.1f} after. No thresholds: compare the ratios. Peak RSS of the "
        f"loading process: {results['peak_rss_mb']} MB.",
        "",
        f"The load writes {measured['nodes']} nodes and {measured['relationships']} "
        "relationships. The ceiling writes exactly those (same labels, properties and "
        "relationships) with one statement in one transaction (bench/bench_load.py).",
        "",
        *(
            [
                f"The last rows: the other checkout, {against}, loading in fresh processes "
                "interleaved with this one's, against the same ceiling (`--against`).",
                "",
            ]
            if against
            else []
        ),
        "| measure | seconds | round trips | / RETURN 1 | / ceiling | / scratch UNWIND |",
        "|---|---|---|---|---|---|",
        *(
            f"| {name} | {s:.3f} | {t} | {s / trip:.0f} | {s / ceiling:.2f} | {s / scratch:.2f} |"
            for name, s, t in rows
        ),
        "",
    ]
    (RESULTS / "load.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
