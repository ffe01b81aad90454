"""Benchmark: the GraphQL API against a bare Cypher endpoint (E) and the snapshot floor (D).

Every query of ``bench/baselines.py`` (and of ``bench/queries_analyst.py`` when present) is
sent over HTTP, from outside, to three servers in their own processes on the benchmarks' own
Neo4j (``bench/servers.py``):

- GraphQL: ``api.app:create_app``, as ``councilgraph serve`` runs it;
- E, bare: a Starlette endpoint running the best single Cypher statement for the same answer
  through the same driver and returning the same JSON (checked equal before timing);
- D, snapshot: the same answer computed from the in-memory snapshot of the data version.

Rounds are interleaved (each round sends every query to the three servers, in shuffled order),
after warm-up rounds; the table gives medians, ``x bare`` = GraphQL / E, and GraphQL's own
p90/p50. PROFILE gives the database hits of the statements the API sends for each query
(warm: the one DataVersion read; cold: what fills the snapshot for the query) and of E's.

Run: ``.venv/bin/python bench/bench_api.py`` (or ``make bench``). Writes
``bench/results/api.json`` and ``bench/results/api.md``.
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: `tests` is not installed
    sys.path.insert(0, str(ROOT))

from bench.baselines import QUERIES, bare_answer  # noqa: E402
from bench.profiling import api_statements, db_hits  # noqa: E402
from bench.servers import bench_database, bench_settings, serve  # noqa: E402

# p90 of 60 samples is the 6th slowest, moved by any one hiccup of the shared machine; 200
# rounds (under a minute) give a steadier p90 for the same medians.
ROUNDS = 200
WARM_ROUNDS = 5
TARGETS = ("graphql", "bare", "snapshot", "uncached")


def _queries() -> dict[str, str]:
    """The baselines' queries, then engineer A's analyst queries when present (GraphQL only:
    E and D answer the baselines' queries)."""
    queries = dict(QUERIES)
    try:
        from bench.queries_analyst import (  # type: ignore[import-not-found,unused-ignore]
            ANALYST_QUERIES,
        )
    except ImportError:
        return queries
    queries.update(ANALYST_QUERIES)
    return queries


def _targets(name: str) -> tuple[str, ...]:
    return TARGETS if name in QUERIES else ("graphql", "uncached")


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def main() -> None:
    load_before = os.getloadavg()[0]
    settings = bench_settings()
    db = bench_database(settings)
    queries = _queries()
    names = list(queries)
    times: dict[tuple[str, str], list[float]] = {(n, t): [] for n in names for t in _targets(n)}
    off = {"COUNCILGRAPH_RESPONSE_CACHE": "off"}
    with (
        serve("api.app:create_app", settings) as api,
        serve("api.app:create_app", settings, env=off) as uncached,
        serve("bench.baselines:create_app", settings) as baselines,
    ):

        def send(target: str, index: int) -> Any:
            name = names[index]
            if target in ("graphql", "uncached"):
                server = api if target == "graphql" else uncached
                response = server.client.post("/graphql", json={"query": queries[name]})
            else:
                response = baselines.client.get(f"/{target}/{index}")
            response.raise_for_status()
            return response

        for index, name in enumerate(names):
            targets = _targets(name)
            answers = [send(t, index).json() for t in targets]
            assert "errors" not in answers[0], answers[0]
            for target, answer in zip(targets[1:], answers[1:], strict=True):
                assert answer == answers[0], f"{target} differs from GraphQL on {name}"
        rng = random.Random(14)
        for round_ in range(WARM_ROUNDS + ROUNDS):
            for index, name in enumerate(names):
                order = list(_targets(name))
                rng.shuffle(order)
                for target in order:
                    elapsed = send(target, index).elapsed.total_seconds()
                    if round_ >= WARM_ROUNDS:
                        times[(name, target)].append(elapsed * 1000)
        rss = {
            "graphql": api.peak_rss_mb(),
            "uncached": uncached.peak_rss_mb(),
            "baselines": baselines.peak_rss_mb(),
        }
    results = [_result(db, settings, name, queries[name], times) for name in names]
    db.driver.close()
    _write(results, rss, (load_before, os.getloadavg()[0]))


def _result(
    db: Any, settings: Any, name: str, query: str, times: dict[tuple[str, str], list[float]]
) -> dict[str, Any]:
    median: dict[str, float | None] = dict.fromkeys(TARGETS)
    spread: dict[str, float | None] = dict.fromkeys(TARGETS)
    for target in _targets(name):
        median[target] = statistics.median(times[(name, target)])
        p90 = statistics.quantiles(times[(name, target)], n=10)[-1]
        spread[target] = _ratio(p90, median[target])
    warm, cold = api_statements(settings, query)
    return {
        "query": name,
        **{f"{t}_ms": None if m is None else round(m, 2) for t, m in median.items()},
        "x_bare": _ratio(median["graphql"], median["bare"]),
        "p90_p50": spread["graphql"],
        "bare_p90_p50": spread["bare"],
        "snapshot_p90_p50": spread["snapshot"],
        "uncached_x_bare": _ratio(median["uncached"], median["bare"]),
        "uncached_p90_p50": spread["uncached"],
        "api_statements_warm": len(warm),
        "api_db_hits_warm": sum(db_hits(db, s, p) for s, p in warm),
        "api_db_hits_cold": sum(db_hits(db, s, p) for s, p in cold),
        "bare_db_hits": _bare_hits(db, name) if name in QUERIES else None,
    }


def _bare_hits(db: Any, name: str) -> int:
    from bench.profiling import recorded

    with recorded() as statements:
        bare_answer(db, name)
    return sum(db_hits(db, s, p) for s, p in statements)


def _write(results: list[dict[str, Any]], rss: dict[str, float], load: tuple[float, float]) -> None:
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    meta = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "rounds": ROUNDS,
        "warm_rounds": WARM_ROUNDS,
        "peak_rss_mb": rss,
        "load_average_1min": {"before": round(load[0], 2), "after": round(load[1], 2)},
        "cpus": os.cpu_count(),
    }
    (out / "api.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    results = [{k: "-" if v is None else v for k, v in r.items()} for r in results]
    lines = [
        "# GraphQL vs a bare Cypher endpoint (E) and the snapshot floor (D), over HTTP",
        "",
        f"{meta['when']}, Python {meta['python']}, {ROUNDS} interleaved rounds after "
        f"{WARM_ROUNDS} warm-up rounds, medians. `x bare` is GraphQL / E; p90/p50 is GraphQL's.",
        f"Peak RSS: API server {rss['graphql']} MB (response cache off: {rss['uncached']} MB), "
        f"baselines server {rss['baselines']} MB.",
        "Every E and D answer was checked equal to GraphQL's before timing. GraphQL is",
        "`councilgraph serve` as shipped: a repeated anonymous query is answered from the",
        "response cache of its data version (api/responses.py; one DataVersion read).",
        f"Machine load: 1-minute load average {load[0]:.2f} before, {load[1]:.2f} after, on "
        f"{os.cpu_count()} cores shared with other engineers' tests and benchmarks.",
        "",
        "| query | GraphQL ms | bare ms | x bare | snapshot ms | p90/p50 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['query']} | {r['graphql_ms']} | {r['bare_ms']} | {r['x_bare']} | "
        f"{r['snapshot_ms']} | {r['p90_p50']} |"
        for r in results
    ]
    lines += [
        "",
        "E's own p90/p50 in the same rounds (the machine's noise): "
        + ", ".join(str(r["bare_p90_p50"]) for r in results if r["bare_p90_p50"])
        + "; D's (as small a request as a remembered answer: one DataVersion read, then "
        "Python): "
        + ", ".join(str(r["snapshot_p90_p50"]) for r in results if r["snapshot_p90_p50"])
        + ". Queries without E and D (the analyst's, bench/queries_analyst.py) show -.",
        "",
        "The same API with the response cache off (COUNCILGRAPH_RESPONSE_CACHE=off): every",
        "answer computed by graphql-core from the snapshot, as for a query seen the first time.",
        "",
        "| query | uncached GraphQL ms | x bare | p90/p50 |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {r['query']} | {r['uncached_ms']} | {r['uncached_x_bare']} | {r['uncached_p90_p50']} |"
        for r in results
    ]
    lines += [
        "",
        "Database hits (PROFILE): the API's statements warm (per request) and cold (filling the",
        "snapshot for this query on a new data version), and E's statement(s) per request.",
        "",
        "| query | API statements warm | API db hits warm | API db hits cold | E db hits |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['query']} | {r['api_statements_warm']} | {r['api_db_hits_warm']} | "
        f"{r['api_db_hits_cold']} | {r['bare_db_hits']} |"
        for r in results
    ]
    (out / "api.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
