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
the baselines; no thresholds. Run: ``.venv/bin/python bench/bench_memberships.py``; writes
``bench/results/memberships.md``.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, LiteralString

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: `tests` is not installed
    sys.path.insert(0, str(ROOT))

from neo4j import ManagedTransaction  # noqa: E402

from bench.profiling import db_hits  # noqa: E402
from bench.servers import bench_database, bench_settings  # noqa: E402
from graph import repository as repo  # noqa: E402
from graph import rules  # noqa: E402
from graph.db import Database  # noqa: E402

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


def main() -> int:
    assert WALK in repo.EFFECTIVE_MEMBERSHIPS, "the succession walk changed; update this bench"
    db = bench_database(bench_settings())
    try:
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
            f"# Effective memberships, one year ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
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
    finally:
        db.driver.close()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "memberships.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
