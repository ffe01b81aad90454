"""Benchmark: the main GraphQL queries against the same Cypher run directly with the driver.

For each query the Cypher statements that the API sends are recorded (with their
parameters) on a warm run, then replayed directly with the driver. The ratio
``graphql / direct`` is what the API layer (parsing, validation, DataLoaders, resolvers,
serialisation) costs on top of Neo4j. Both sides are measured in the same run, so the ratios
compare across machines; there are no pass/fail thresholds.

Runs against the tests' own Neo4j (port $COUNCILGRAPH_TEST_BOLT_PORT, default 7688; started
and loaded if needed), never the instance NEO4J_URI points at.

Run: ``.venv/bin/python bench/bench_api.py`` (or ``make bench``). Writes
``bench/results/api.json`` and ``bench/results/api.md``.
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, LiteralString

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: `tests` is not installed
    sys.path.insert(0, str(ROOT))

from starlette.testclient import TestClient  # noqa: E402

from api.app import create_app  # noqa: E402
from graph.db import Database, Tx, connect  # noqa: E402
from loaders import load_bundled  # noqa: E402
from tests import neo4j_instance  # noqa: E402

REPEATS = 15
QUERIES = {
    "council with partners by service": """{ council(name: "Basingstoke & Deane") {
        code name county { name } partners(year: 2024, service: LEGAL) { name } } }""",
    "singletons bordering legal sharers 2012": """{ singletonsBorderingSharers(year: 2012,
        service: LEGAL) { council { name } sharingNeighbours { name } } }""",
    "stats 2012": """{ stats(year: 2012) { total byTierMix { key count }
        byService { key count } councils activeSharers singletons } }""",
    "nested councils > partnerships > members (50)": """{ councils(first: 50,
        filter: {year: 2012}) { nodes { name partnerships { name members { role
        council { name } } } } } }""",
    "path": '{ path(fromCode: "E07000084", toCode: "E09000024", year: 2015) { name } }',
}


class Recorder:
    """Wraps Tx.run to record every statement the API sends."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, dict[str, Any]]] = []
        self.active = False
        self._original: Callable[..., list[dict[str, Any]]] = Tx.run

    def install(self) -> None:
        recorder = self

        def run(
            tx: Tx, query: LiteralString, parameters: Mapping[str, Any] | None = None
        ) -> list[dict[str, Any]]:
            if recorder.active:
                recorder.statements.append((query, dict(parameters or {})))
            return recorder._original(tx, query, parameters)

        Tx.run = run  # type: ignore[method-assign,assignment]


def median_s(work: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    settings = neo4j_instance.start()
    db: Database = connect(settings)
    if not db.read("MATCH (p:Partnership) RETURN count(p) AS n")[0]["n"]:
        load_bundled(db)
    recorder = Recorder()
    recorder.install()
    results = []
    with TestClient(create_app(settings)) as client:

        def post(query: str) -> None:
            body = client.post("/graphql", json={"query": query}).json()
            assert "errors" not in body, body["errors"]

        for name, query in QUERIES.items():
            post(query)  # warm: caches filled, as in steady use
            recorder.statements.clear()
            recorder.active = True
            post(query)
            recorder.active = False
            statements = list(recorder.statements)

            def direct(statements: list[tuple[str, dict[str, Any]]] = statements) -> None:
                for text, params in statements:
                    db.driver.execute_query(text, params, database_=db.name, routing_="r")

            graphql_s = median_s(lambda query=query: post(query))  # type: ignore[misc]
            direct_s = median_s(direct)
            results.append(
                {
                    "query": name,
                    "round_trips": len(statements),
                    "graphql_ms": round(graphql_s * 1000, 2),
                    "direct_cypher_ms": round(direct_s * 1000, 2),
                    "ratio": round(graphql_s / direct_s, 2) if direct_s else None,
                }
            )
    db.driver.close()
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    meta = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "repeats": REPEATS,
    }
    (out / "api.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    lines = [
        "# GraphQL vs direct Cypher (warm caches, medians)",
        "",
        f"{meta['when']}, Python {meta['python']}, {REPEATS} repeats. The ratio is the API's cost",
        "over the same statements sent straight to Neo4j with the driver.",
        "",
        "| query | round trips | GraphQL ms | direct Cypher ms | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['query']} | {r['round_trips']} | {r['graphql_ms']} | "
        f"{r['direct_cypher_ms']} | {r['ratio']} |"
        for r in results
    ]
    (out / "api.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
