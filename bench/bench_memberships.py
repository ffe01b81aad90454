"""Benchmark of one year's effective-membership read (``repository.EFFECTIVE_MEMBERSHIPS``).

Issue 14 measured this statement at 0.43 s for one year. This script measures, in one run on
the benchmarks' own Neo4j (bench/servers.py: $COUNCILGRAPH_BENCH_BOLT_PORT, default the
tests' port + 1, loaded with the bundled data if empty):

* baseline ``RETURN 1``: one trivial round trip;
* baseline ``MATCH (c:Council)-[m:MEMBER_OF]->(p:Partnership) RETURN count(*)``;
* the statement as shipped, warm (plan cached), median over every year 2009-now;
* the same just after ``db.clearQueryCaches()`` (planning included), median of a few;
* the shipped statement wrapped as ``CALL () {...} RETURN count(*)``: Neo4j's own work, with
  no rows sent or decoded, to split server time from driver time;
* a candidate that walks succession with a quantified path pattern, pruning at each step
  (only councils that do not exist in the year are walked past), instead of expanding every
  ``SUCCEEDED_BY*0..8`` path and filtering after. The script checks that it returns exactly
  the same rows for every year 2009-now, with and without a service.

Database hits come from PROFILE (bench/profiling.py). Reported as seconds, hits, and ratios to
the baselines; no thresholds.

Then what the snapshot does instead (``graph.memberships``, issue 14): the same rows computed in
Python from the snapshot's partnerships, against the statement through
``repository.effective_memberships``, per (year, service), interleaved (the order alternates
each round), medians of ROUNDS, each case checked equal: on the bundled data for every year
and service layer, then at 100x with bench_scale.py's SYNTHETIC data (added, measured on a
sample of cases, removed), with the one-off snapshot read at each scale beside them.

Run: ``.venv/bin/python bench/bench_memberships.py``; writes ``bench/results/memberships.md``.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, LiteralString

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: `tests` is not installed
    sys.path.insert(0, str(ROOT))

from neo4j import ManagedTransaction  # noqa: E402

from bench import synthetic  # noqa: E402
from bench.bench_scale import add_synthetic  # noqa: E402  (the SYNTHETIC 100x data)
from bench.profiling import db_hits  # noqa: E402
from bench.servers import bench_database, bench_settings  # noqa: E402
from graph import repository as repo  # noqa: E402
from graph import rules, taxonomy  # noqa: E402
from graph.db import Database  # noqa: E402
from graph.memberships import MembershipIndex  # noqa: E402
from graph.schema import data_version  # noqa: E402
from graph.snapshot import Snapshot  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TRIVIAL: LiteralString = "RETURN 1 AS ok"
PLAIN: LiteralString = "MATCH (c:Council)-[m:MEMBER_OF]->(p:Partnership) RETURN count(*) AS n"
WALK: LiteralString = (
    "MATCH path = (listed)-[:SUCCEEDED_BY*0..8]->(c:Council)\nWHERE " + repo.STANDS_IN_YEAR
)
# The same rule (graph/rules.py stand_ins): walk past councils that do not exist in the year,
# stop at the first that does.
PRUNED_WALK: LiteralString = """MATCH (listed)((a:Council)-[:SUCCEEDED_BY]->(:Council)
  WHERE NOT (a.validFrom <= yearEnd AND (a.validTo IS NULL OR a.validTo > yearStart))){0,8}
  (c:Council)
WHERE c.validFrom <= yearEnd AND (c.validTo IS NULL OR c.validTo > yearStart)"""
SERVER_ONLY: LiteralString = (
    "CALL () {\n" + repo.EFFECTIVE_MEMBERSHIPS + "\n}\nRETURN count(*) AS n"
)
CANDIDATE: LiteralString = repo.EFFECTIVE_MEMBERSHIPS.replace(WALK, PRUNED_WALK)
YEARS = range(2009, rules.current_year() + 1)


def parameters(year: int, service: str | None = None) -> dict[str, Any]:
    return {
        "year": year,
        "service": service,
        "currentYear": rules.current_year(),
        "activeStatuses": list(rules.ACTIVE_STATUSES),
    }


def seconds(run: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


Read = Callable[[LiteralString, dict[str, Any]], list[dict[str, Any]]]


def data_read(db: Database) -> Read:
    """How graph.db.Tx.run returned rows before issue 14's fix: ``record.data()`` on each."""

    def read(statement: LiteralString, params: dict[str, Any]) -> list[dict[str, Any]]:
        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return [record.data() for record in tx.run(statement, params)]

        with db.driver.session(database=db.name) as session:
            return session.execute_read(work)

    return read


def warm(read: Read, statement: LiteralString) -> float:
    """The median over every year of each year's median of three runs."""
    read(statement, parameters(2015))
    return statistics.median(
        seconds(lambda year=year: read(statement, parameters(year)), 3)  # type: ignore[misc]
        for year in YEARS
    )


def cold(db: Database, statement: LiteralString) -> float:
    def run() -> None:
        with db.driver.session(database=db.name) as session:
            session.run("CALL db.clearQueryCaches()").consume()
        started = time.perf_counter()
        db.read(statement, parameters(2015))
        times.append(time.perf_counter() - started)

    times: list[float] = []
    for _ in range(3):
        run()
    return statistics.median(times)


def identical(
    first: Read, first_statement: LiteralString, second: Read, second_statement: LiteralString
) -> bool:
    """Whether both give the same rows, in order, every year, with and without a service."""
    return all(
        first(first_statement, parameters(y, s)) == second(second_statement, parameters(y, s))
        for y in YEARS
        for s in (None, "LEGAL")
    )


ROUNDS = 3
#: The cases timed at 100x (each Cypher read takes seconds there): years early, middle and now,
#: all partnerships and one layer.
SCALED_CASES: tuple[tuple[int, str | None], ...] = tuple(
    (y, s) for y in (2012, 2019, rules.current_year()) for s in (None, "legal")
)


Case = tuple[int, str | None]


PYTHON_WAYS = ("python, cold index", "python, as served", "python, cold, collector paused")


def python_vs_cypher(db: Database, cases: Sequence[Case]) -> dict[str, Any]:
    """Per case, the median of ROUNDS of each way, interleaved (the order turns each round);
    the rows checked equal. The Python ways, each on a fresh index:

    * cold index: a year on its own, sharing no row with another year's (the worst case);
    * as served: after this year's memberships were computed (what the warm-up does), so the
      rows both years share are built already;
    * cold, collector paused: the first, with the cyclic garbage collector off, to show how
      much of it is the collector walking the process's heap.
    """
    began = time.perf_counter()
    snapshot = Snapshot.read(db, data_version(db))
    read_s = time.perf_counter() - began
    facts = (snapshot.partnerships.values(), snapshot.councils_by_code, snapshot.links)
    ways = ("cypher", *PYTHON_WAYS)
    times: dict[Case, dict[str, list[float]]] = {c: {w: [] for w in ways} for c in cases}
    index_s: list[float] = []
    equal = True
    for n in range(ROUNDS):
        for case in cases:
            got: dict[str, tuple[repo.Membership, ...]] = {}
            for way in ways[n % len(ways) :] + ways[: n % len(ways)]:
                index = None
                if way != "cypher":
                    began = time.perf_counter()
                    index = MembershipIndex(*facts)
                    index_s.append(time.perf_counter() - began)
                    if way == "python, as served":
                        index.year(rules.current_year())
                paused = way.endswith("collector paused")
                if paused:
                    gc.disable()
                try:
                    started = time.perf_counter()
                    if index is None:
                        got[way] = tuple(repo.effective_memberships(db, *case))
                    else:
                        got[way] = index.year(*case)
                    times[case][way].append(time.perf_counter() - started)
                finally:
                    gc.enable()
            equal = equal and all(got[w] == got["cypher"] for w in PYTHON_WAYS)
    per_case = {
        case: {way: statistics.median(t) * 1000 for way, t in ways_t.items()}
        for case, ways_t in times.items()
    }
    return {"read_ms": read_s * 1000, "cases": per_case, "equal": equal,
            "index_ms": statistics.median(index_s) * 1000,
            "partnerships": len(snapshot.partnerships)}  # fmt: skip


def comparison_lines(label: str, found: dict[str, Any]) -> list[str]:
    cases = found["cases"].values()
    cypher = statistics.median(c["cypher"] for c in cases)
    python = [statistics.median(c[way] for c in cases) for way in PYTHON_WAYS]
    cold = [c["cypher"] / c["python, cold index"] for c in cases]
    served = [c["cypher"] / c["python, as served"] for c in cases]
    return [
        f"| {label} | {found['partnerships']} | {len(cases)} | {cypher:.1f} | "
        + " | ".join(f"{ms:.2f}" for ms in python)
        + f" | {statistics.median(cold):.0f} ({min(cold):.0f}) "
        f"| {statistics.median(served):.0f} ({min(served):.0f}) "
        f"| {found['index_ms']:.1f} | {found['read_ms']:.0f} | {found['equal']} |"
    ]


def case_lines(found: dict[str, Any]) -> list[str]:
    return [
        f"| {year} | {service or 'all'} | {t['cypher']:.1f} | "
        + " | ".join(f"{t[way]:.1f}" for way in PYTHON_WAYS)
        + f" | {t['cypher'] / t['python, cold index']:.0f} "
        f"| {t['cypher'] / t['python, as served']:.0f} |"
        for (year, service), t in found["cases"].items()
    ]


def statement_lines(db: Database) -> list[str]:
    """The statement's variants (the table of issue 14's first round), bundled data."""
    trivial = seconds(lambda: db.read(TRIVIAL), 20)
    plain = seconds(lambda: db.read(PLAIN), 10)
    plain_hits = db_hits(db, PLAIN, {})
    before = data_read(db)
    shipped = repo.EFFECTIVE_MEMBERSHIPS
    rows: list[tuple[str, Read, LiteralString]] = [
        ("before: rows via record.data()", before, shipped),
        ("after: rows via graph.db (plain values copied)", db.read, shipped),
        ("server only (CALL {...} RETURN count(*))", db.read, SERVER_ONLY),
        ("candidate walk (quantified path, pruned), graph.db", db.read, CANDIDATE),
    ]
    same_rows = identical(before, shipped, db.read, shipped)
    same = identical(db.read, shipped, db.read, CANDIDATE)
    lines = [
        "## The statement itself (bundled data)",
        "",
        f"Baselines: `RETURN 1` {trivial * 1000:.1f} ms; plain MEMBER_OF count "
        f"{plain * 1000:.1f} ms, {plain_hits} db hits.",
        f"graph.db rows identical to record.data() rows, every year: {same_rows}. "
        f"Candidate walk returns identical rows for every year {YEARS[0]}-{YEARS[-1]}, "
        f"with and without a service: {same}.",
        "",
        "| statement, how rows are read | warm ms | x RETURN 1 | x plain "
        "| cold ms (replanned) | db hits (2015) | x plain hits |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, read, statement in rows:
        w, c = warm(read, statement), cold(db, statement)
        hits = db_hits(db, statement, parameters(2015))
        lines.append(
            f"| {name} | {w * 1000:.1f} | {w / trivial:.0f} | {w / plain:.1f} | "
            f"{c * 1000:.1f} | {hits} | {hits / plain_hits:.1f} |"
        )
    return lines


def main() -> int:
    assert WALK in repo.EFFECTIVE_MEMBERSHIPS, "the succession walk changed; update this bench"
    db = bench_database(bench_settings())
    synthetic.remove_synthetic(db)  # a run stopped halfway leaves none behind
    every = [(y, s) for y in range(rules.FIRST_YEAR, rules.current_year() + 1)
             for s in (None, *taxonomy.codes())]  # fmt: skip
    try:
        bundled = python_vs_cypher(db, every)
        bundled_sample = python_vs_cypher(db, SCALED_CASES)
        statements = statement_lines(db)
        try:
            add_synthetic(db)
            scaled = python_vs_cypher(db, SCALED_CASES)
        finally:
            synthetic.remove_synthetic(db)
    finally:
        db.driver.close()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"# Effective memberships, one year ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"Load average at the end {load} (2 cores shared with other engineers' runs).",
        "",
        "## Python over the snapshot (graph.memberships) against the statement",
        "",
        "Per (year, service): `EFFECTIVE_MEMBERSHIPS` through `repository.effective_memberships`",
        "(Cypher) and the snapshot's Python (`graph.memberships.MembershipIndex.year`, what year",
        f"views use), interleaved (the order turns each round), medians of {ROUNDS} rounds. Python",
        "on a fresh index each time: *cold* shares no row with another year's (the worst case);",
        "*as served* comes after this year's memberships were computed on it, as the warm-up does;",
        "*paused* is cold with the cyclic garbage collector off. Equal: every case gave the",
        "same rows every way. Building the index (once per data version and current year, in",
        "the warm-up) and the snapshot read (once per data version, before either) are beside",
        "them. Ratios: median over the cases (the smallest in brackets).",
        "",
        "| data | partnerships | cases | Cypher ms | Python cold ms | Python as served ms "
        "| Python cold, paused ms | Cypher / cold | Cypher / as served | index ms "
        "| snapshot read ms | equal |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---|",
        *comparison_lines(
            f"bundled, every year {rules.FIRST_YEAR}-{rules.current_year()} x every layer "
            "and none", bundled),
        *comparison_lines("bundled, the 100x sample", bundled_sample),
        *comparison_lines("100x SYNTHETIC, the sample", scaled),
        "",
        "The sample, at 100x (ms):",
        "",
        "| year | service | Cypher | Python cold | Python as served | Python cold, paused "
        "| Cypher / cold | Cypher / as served |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
        *case_lines(scaled),
        "",
        *statements,
    ]  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "memberships.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
