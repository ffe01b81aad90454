"""Benchmark: throughput of `councilgraph serve --workers 1|2` beside the bare endpoint E.

The query mix is bench/baselines.py's (the README's examples that E can answer with one
statement: singletons bordering sharers, stats, a council's partners, nested councils, a large
page, a path), sent in turn by 1, 8 and 32 concurrent clients (coroutines, one keep-alive
connection each) for a fixed time, over HTTP on Unix sockets (bench/servers.py). E runs with
the same number of worker processes. Reported: requests/s and p50/p99 latency, and the API's
as ratios to E's measured in the same run (throughput: higher is better; latency: lower).

Run: ``.venv/bin/python bench/bench_throughput.py``. Writes ``bench/results/throughput.json``
and ``bench/results/throughput.md``.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: `tests` is not installed
    sys.path.insert(0, str(ROOT))

from bench.baselines import QUERIES  # noqa: E402
from bench.servers import Server, bench_database, bench_settings, serve  # noqa: E402

DURATION_S = 8.0
CLIENTS = (1, 8, 32)
WORKERS = (1, 2)
NAMES = list(QUERIES)


async def _client(server: Server, kind: str, start: int, until: float) -> list[float]:
    """One client: the mix in turn from ``start``, until ``until``; its latencies (ms)."""
    latencies = []
    transport = httpx.AsyncHTTPTransport(uds=server.socket)
    headers = {"Accept-Encoding": "identity"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://bench", timeout=60, headers=headers
    ) as client:
        i = start
        while time.monotonic() < until:
            index = i % len(NAMES)
            began = time.perf_counter()
            if kind == "api":
                response = await client.post("/graphql", json={"query": QUERIES[NAMES[index]]})
            else:
                response = await client.get(f"/bare/{index}")
            response.raise_for_status()
            latencies.append((time.perf_counter() - began) * 1000)
            i += 1
    return latencies


async def _load(server: Server, kind: str, clients: int) -> dict[str, float]:
    began = time.monotonic()
    until = began + DURATION_S
    runs = await asyncio.gather(*(_client(server, kind, n, until) for n in range(clients)))
    elapsed = time.monotonic() - began
    latencies = sorted(x for run in runs for x in run)
    return {
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2),
        "requests": len(latencies),
    }


def main() -> None:
    settings = bench_settings()
    bench_database(settings).driver.close()
    results: list[dict[str, Any]] = []
    rss: dict[str, float] = {}
    for workers in WORKERS:
        with (
            serve(None, settings, workers=workers) as api,
            serve("bench.baselines:create_app", settings, workers=workers) as bare,
        ):
            for _ in range(3):  # warm: snapshots, year views and remembered answers, every worker
                asyncio.run(_load_briefly(api, "api"))
                asyncio.run(_load_briefly(bare, "bare"))
            for clients in CLIENTS:
                e = asyncio.run(_load(bare, "bare", clients))
                a = asyncio.run(_load(api, "api", clients))
                results.append(_row(workers, clients, a, e))
                print(results[-1], flush=True)
            rss[f"api, {workers} worker(s)"] = api.peak_rss_mb()
            rss[f"E, {workers} worker(s)"] = bare.peak_rss_mb()
    _write(results, rss)


async def _load_briefly(server: Server, kind: str) -> None:
    until = time.monotonic() + 1.0
    await asyncio.gather(*(_client(server, kind, n, until) for n in range(8)))


def _row(workers: int, clients: int, a: dict[str, float], e: dict[str, float]) -> dict[str, Any]:
    return {
        "workers": workers,
        "clients": clients,
        "api": a,
        "bare": e,
        "x_requests_per_s": round(a["requests_per_s"] / e["requests_per_s"], 2),
        "x_p50": round(a["p50_ms"] / e["p50_ms"], 2),
        "x_p99": round(a["p99_ms"] / e["p99_ms"], 2),
    }


def _write(results: list[dict[str, Any]], rss: dict[str, float]) -> None:
    out = ROOT / "bench" / "results"
    meta = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "duration_s": DURATION_S,
        "peak_rss_mb": rss,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }
    (out / "throughput.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=2) + "\n"
    )
    lines = [
        "# Throughput: `councilgraph serve` vs the bare endpoint E, same workers, same mix",
        "",
        f"{meta['when']}, Python {meta['python']}, {DURATION_S:g} s per cell, the mix of",
        "bench/baselines.py in turn per client. `x E` is API / E (requests/s: higher is better;",
        "p50/p99: lower is better). Clients and servers share the machine's cores.",
        f"Machine load at the end: 1-minute load average {meta['load_average_1min']} on "
        f"{meta['cpus']} cores, shared with other engineers' tests and benchmarks.",
        "Peak RSS (MB): " + ", ".join(f"{k} {v}" for k, v in rss.items()) + ".",
        "",
        "| workers | clients | API req/s | E req/s | x E req/s | API p50 ms | x E p50 | "
        "API p99 ms | x E p99 |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['workers']} | {r['clients']} | {r['api']['requests_per_s']} | "
        f"{r['bare']['requests_per_s']} | {r['x_requests_per_s']} | {r['api']['p50_ms']} | "
        f"{r['x_p50']} | {r['api']['p99_ms']} | {r['x_p99']} |"
        for r in results
    ]
    (out / "throughput.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
