"""Soak: eight clients of the README query mix plus a steady trickle of hostile requests.

`councilgraph serve` runs in a subprocess against the tests' own Neo4j (port
$COUNCILGRAPH_TEST_BOLT_PORT, default 7688; started and loaded if needed), never the
instance NEO4J_URI points at. First each README query is timed alone; then eight client
threads send the README's GraphQL examples round-robin for ``--warm-up`` seconds (default
60; the baseline, and the caches' warm-up); then, for ``--seconds`` (default 600), the same
clients run while one more thread sends a hostile request every ``--hostile-every`` seconds
(the issue's: fragment fan-out, the 68 MB nested query with and without aliases, a 10 MB
comment, a 2 MB variable, deep introspection, ...). /health is asked twice a second and the
server's resident memory (RSS), threads and open sockets sampled every 5 s throughout.

Reported: errors in the normal mix (expected: none), each hostile request's answer against
the one expected, the normal mix's latency during the soak as a ratio to the warm-up (what
the hostile trickle costs it; no thresholds), /health's slowest answer, and RSS over time
with its slope once warm (from ``--memory-warm-up`` seconds into the soak, default 120: the
soak's heaviest requests draw more worker threads and Neo4j connections than the baseline).
``MALLOC_*`` variables are passed on to the server, to compare glibc allocator settings.

Run: ``.venv/bin/python bench/bench_soak.py [--seconds 600] [--warm-up 60] [--clients 8]``
(also in ``make bench``). Writes ``bench/results/soak.json`` and ``bench/results/soak.md``;
exits 1 if the normal mix had errors or a hostile request was not answered as expected.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: `tests` is not installed
    sys.path.insert(0, str(ROOT))

from graph.db import connect  # noqa: E402
from graph.settings import Settings  # noqa: E402
from loaders import load_bundled  # noqa: E402
from tests import neo4j_instance  # noqa: E402

RESULTS = ROOT / "bench" / "results"
README_QUERIES = re.findall(
    r"```graphql\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S
)
NESTED = (
    "councils(first: 100) { edges { node { borders { borders { borders { partnerships { "
    "members { council { code } } } } } } } } }"
)


@dataclass(frozen=True)
class Hostile:
    """A hostile request and how it must be answered."""

    name: str
    send: Callable[[httpx.Client, str], httpx.Response]
    expected: str  # an error code, an HTTP status as "HTTP 413", or "answered"


def _graphql(body: dict[str, Any]) -> Callable[[httpx.Client, str], httpx.Response]:
    return lambda client, url: client.post(f"{url}/graphql", json=body)


def _raw(content: bytes) -> Callable[[httpx.Client, str], httpx.Response]:
    headers = {"content-type": "application/json"}
    return lambda client, url: client.post(f"{url}/graphql", content=content, headers=headers)


FAN_OUT = (
    "query{...F0} "
    + " ".join(f"fragment F{i} on Query{{__typename ...F{i + 1} ...F{i + 1}}}" for i in range(30))
    + " fragment F30 on Query{__typename}"
)
HOSTILE = [
    Hostile("31 chained fragments, each spread twice", _graphql({"query": FAN_OUT}), "COST_LIMIT"),
    Hostile("nested borders x3 > partnerships > members", _graphql({"query": f"{{{NESTED}}}"}),
            "COST_LIMIT"),
    Hostile("the same with 30 aliases",
            _graphql({"query": "{" + " ".join(f"a{i}: {NESTED}" for i in range(30)) + "}"}),
            "COST_LIMIT"),
    Hostile("10 MB comment", _graphql({"query": "#" + "x" * 10_000_000 + "\n{ __typename }"}),
            "HTTP 413"),
    Hostile("2 MB string variable",
            _graphql({"query": "query ($s: String) { council(name: $s) { code } }",
                      "variables": {"s": "x" * 2_000_000}}), "HTTP 413"),
    Hostile("20 kB string variable",
            _graphql({"query": "query ($s: String) { council(name: $s) { code } }",
                      "variables": {"s": "x" * 20_000}}), "STRING_LIMIT"),
    Hostile("30-level introspection",
            _graphql({"query": "{ __schema { types { " + "fields { type { " * 14 + "name"
                      + " } }" * 14 + " } } }"}), "INTROSPECTION_DEPTH_LIMIT"),
    Hostile("700 same-named fields (quadratic validation)",
            _graphql({"query": "{" + "councils { totalCount } " * 700 + "}"}),
            "Validation aborted."),
    Hostile("JSON nested 20,000 deep",
            _raw(b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 20_000 + b"]" * 20_000
                 + b"}}"), "HTTP 400"),
    Hostile("worst allowed: 30 aliases x a page of 100 councils",
            _graphql({"query": "{" + " ".join(
                f"a{i}: councils(first: 100) {{ nodes {{ code name officialName kind tier "
                "region population validFrom } }" for i in range(30)) + "}"}), "answered"),
]  # fmt: skip


def outcome(response: httpx.Response) -> str:
    """How a request was answered, in the terms of ``Hostile.expected``."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    body = response.json()
    if not body.get("errors"):
        return "answered"
    first = body["errors"][0]
    return str((first.get("extensions") or {}).get("code") or first["message"])


@dataclass
class Record:
    """What the threads saw; appended to from several threads (list.append is atomic)."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    hostile: list[dict[str, Any]] = field(default_factory=list)
    health: list[float] = field(default_factory=list)
    #: (seconds since the clients started, RSS MB, threads, open sockets)
    memory: list[tuple[float, float, int, int]] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def start_server(settings: Settings, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        "NEO4J_URI": settings.uri,
        "NEO4J_USERNAME": settings.username,
        "NEO4J_PASSWORD": settings.password.value,
        "PATH": "/usr/bin:/bin",
    }
    # glibc's allocator settings, to compare how memory behaves under them.
    env |= {k: v for k, v in os.environ.items() if k.startswith("MALLOC_")}
    with (workdir / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "serve", "--port", str(port)],
            cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the server did not start; see {workdir / 'serve.log'}")


def process_state(pid: int) -> tuple[float, int, int]:
    """Resident memory (MB), threads and open sockets of ``pid`` (Linux /proc)."""
    status = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    sockets = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            sockets += os.readlink(fd).startswith("socket:")
    return int(status["VmRSS"].split()[0]) / 1024, int(status["Threads"]), sockets


def query_name(index: int) -> str:
    first_field = re.search(r"\{\s*(\w+)", README_QUERIES[index])
    return f"README {index + 1}: {first_field.group(1) if first_field else '?'}"


def ask(client: httpx.Client, url: str, query: str) -> tuple[float, str | None]:
    """Seconds taken, and what went wrong (None: a clean answer)."""
    started = time.perf_counter()
    try:
        response = client.post(f"{url}/graphql", json={"query": query})
    except httpx.HTTPError as error:
        return time.perf_counter() - started, f"{type(error).__name__}: {error}"
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        return elapsed, f"HTTP {response.status_code}"
    errors = response.json().get("errors")
    return elapsed, json.dumps(errors)[:300] if errors else None


def baseline(url: str, repeats: int = 7) -> dict[str, float]:
    """Median seconds per README query, one at a time, caches warm."""
    medians = {}
    with httpx.Client(timeout=60) as client:
        for index, query in enumerate(README_QUERIES):
            ask(client, url, query)
            times = []
            for _ in range(repeats):
                elapsed, problem = ask(client, url, query)
                if problem:
                    raise SystemExit(f"{query_name(index)} fails before the soak: {problem}")
                times.append(elapsed)
            medians[query_name(index)] = statistics.median(times)
    return medians


def run_clients(
    url: str, pid: int, seconds: float, clients: int, hostile_every: float | None, t0: float
) -> Record:
    """``clients`` threads of the README mix for ``seconds``, /health and RSS sampled; with
    ``hostile_every``, a hostile request that often. RSS times count from ``t0``."""
    record = Record(latencies={query_name(i): [] for i in range(len(README_QUERIES))})
    deadline = time.monotonic() + seconds

    def client_loop(offset: int) -> None:
        order = itertools.islice(itertools.cycle(range(len(README_QUERIES))), offset, None)
        with httpx.Client(timeout=120) as client:
            for index in order:
                if time.monotonic() >= deadline:
                    return
                elapsed, problem = ask(client, url, README_QUERIES[index])
                record.latencies[query_name(index)].append(elapsed)
                if problem:
                    record.errors.append(f"{query_name(index)}: {problem}")

    def hostile_loop() -> None:
        with httpx.Client(timeout=120) as client:
            for request in itertools.cycle(HOSTILE):
                if time.monotonic() >= deadline:
                    return
                sent = time.perf_counter()
                try:
                    got = outcome(request.send(client, url))
                except httpx.HTTPError as error:
                    got = type(error).__name__
                record.hostile.append(
                    {"name": request.name, "expected": request.expected, "got": got,
                     "seconds": time.perf_counter() - sent}
                )  # fmt: skip
                time.sleep(hostile_every or 0)

    def health_loop() -> None:
        with httpx.Client(timeout=60) as client:
            while time.monotonic() < deadline:
                sent = time.perf_counter()
                ok = client.get(f"{url}/health").status_code == 200
                record.health.append(time.perf_counter() - sent if ok else float("inf"))
                time.sleep(0.5)

    def memory_loop() -> None:
        while time.monotonic() < deadline:
            record.memory.append((time.monotonic() - t0, *process_state(pid)))
            time.sleep(5)
        record.memory.append((time.monotonic() - t0, *process_state(pid)))

    loops = [health_loop, memory_loop] + ([hostile_loop] if hostile_every is not None else [])
    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    threads += [threading.Thread(target=loop) for loop in loops]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return record


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def slope_mb_per_min(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of RSS over time."""
    if len(points) < 2:
        return float("nan")
    xs = [t / 60 for t, _ in points]
    ys = [mb for _, mb in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def report(
    args: argparse.Namespace, alone: dict[str, float], quiet: Record, soaked: Record
) -> dict[str, Any]:
    queries = []
    for name, base in alone.items():
        calm, busy = quiet.latencies[name], soaked.latencies[name]
        queries.append(
            {
                "query": name,
                "requests": len(busy),
                "alone_ms": round(base * 1000, 1),
                "clients_p50_ms": round(percentile(calm, 0.5) * 1000, 1),
                "soak_p50_ms": round(percentile(busy, 0.5) * 1000, 1),
                "soak_p95_ms": round(percentile(busy, 0.95) * 1000, 1),
                "hostile_ratio": round(percentile(busy, 0.5) / percentile(calm, 0.5), 2),
            }
        )
    hostile = []
    for request in HOSTILE:
        sent = [h for h in soaked.hostile if h["name"] == request.name]
        hostile.append(
            {
                "request": request.name,
                "expected": request.expected,
                "sent": len(sent),
                "as_expected": sum(h["got"] == request.expected for h in sent),
                "other": sorted({h["got"] for h in sent if h["got"] != request.expected}),
                "max_ms": round(max((h["seconds"] for h in sent), default=0) * 1000, 1),
            }
        )
    health = quiet.health + soaked.health
    samples = quiet.memory + soaked.memory
    # Memory is warm once the soak's own mix (with its heaviest requests) has run a while.
    warm_from = args.warm_up + args.memory_warm_up
    warm = [(t, mb) for t, mb, _, _ in samples if t >= warm_from]
    second_half = [(t, mb) for t, mb in warm if t >= (warm_from + warm[-1][0]) / 2]
    return {
        "meta": {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "warm_up_s": args.warm_up,
            "seconds": args.seconds,
            "memory_warm_up_s": args.memory_warm_up,
            "clients": args.clients,
            "hostile_every_s": args.hostile_every,
        },
        "normal_requests": sum(len(v) for v in soaked.latencies.values()),
        "normal_errors": len(soaked.errors) + len(quiet.errors),
        "first_errors": (quiet.errors + soaked.errors)[:5],
        "queries": queries,
        "hostile": hostile,
        "health": {
            "probes": len(health),
            "p50_ms": round(percentile(health, 0.5) * 1000, 1),
            "max_ms": round(max(health, default=0) * 1000, 1),
        },
        "memory": {
            "start_mb": round(samples[0][1], 1),
            "warm_mb": round(warm[0][1], 1),
            "end_mb": round(warm[-1][1], 1),
            "max_warm_mb": round(max(mb for _, mb in warm), 1),
            "slope_warm_mb_per_min": round(slope_mb_per_min(warm), 2),
            "slope_second_half_mb_per_min": round(slope_mb_per_min(second_half), 2),
            "max_threads": max(threads for _, _, threads, _ in samples),
            "max_sockets": max(sockets for _, _, _, sockets in samples),
            "samples": [
                (round(t), round(mb, 1), threads, sockets) for t, mb, threads, sockets in samples
            ],
        },
    }


def markdown(result: dict[str, Any]) -> str:
    meta, memory, health = result["meta"], result["memory"], result["health"]
    lines = [
        "# Soak: the README query mix under a trickle of hostile requests",
        "",
        f"{meta['when']}, Python {meta['python']}, {meta['cpus']} CPUs (shared with other "
        f"work). `councilgraph serve` (one process, default limits) against the tests' Neo4j "
        f"with the bundled data. Baseline: {meta['clients']} clients of the README mix for "
        f"{meta['warm_up_s']:g} s, no hostile requests. Soak: the same clients for "
        f"{meta['seconds']:g} s plus one hostile request every {meta['hostile_every_s']:g} s. "
        "/health is asked twice a second throughout.",
        "",
        f"**Normal mix during the soak: {result['normal_requests']} requests; errors in the "
        f"whole run: {result['normal_errors']}.**",
        "",
        "Latency per README query: alone (one at a time, median of 7), with the clients but no "
        "hostile requests (baseline p50), and during the soak; the ratio is soak p50 over "
        "baseline p50, i.e. what the hostile trickle costs the normal mix.",
        "",
        "| query | soak requests | alone ms | baseline p50 ms | soak p50 ms | soak p95 ms | "
        "ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {q['query']} | {q['requests']} | {q['alone_ms']} | {q['clients_p50_ms']} | "
        f"{q['soak_p50_ms']} | {q['soak_p95_ms']} | {q['hostile_ratio']} |"
        for q in result["queries"]
    ]
    lines += [
        "",
        "Hostile requests, in turn:",
        "",
        "| request | expected | sent | as expected | slowest ms |",
        "|---|---|---:|---:|---:|",
    ]
    lines += [
        f"| {h['request']} | {h['expected']} | {h['sent']} | {h['as_expected']}"
        f"{' (other: ' + ', '.join(h['other']) + ')' if h['other'] else ''} | {h['max_ms']} |"
        for h in result["hostile"]
    ]
    lines += [
        "",
        f"/health: {health['probes']} probes, median {health['p50_ms']} ms, slowest "
        f"{health['max_ms']} ms.",
        "",
        f"Memory (RSS of the server process): {memory['start_mb']} MB at the start, "
        f"{memory['warm_mb']} MB once warm ({meta['memory_warm_up_s']:g} s into the soak), "
        f"{memory['end_mb']} MB at the end, {memory['max_warm_mb']} MB at most once warm. "
        f"Least-squares slope once warm: {memory['slope_warm_mb_per_min']} MB/min; over the "
        f"second half of that: {memory['slope_second_half_mb_per_min']} MB/min. At most "
        f"{memory['max_threads']} threads and {memory['max_sockets']} open sockets.",
        "",
        "Threads and sockets are listed beside RSS because steps in RSS come with new peaks in "
        "them: worker threads (at most 40, anyio's default) and pooled Neo4j connections (at "
        "most about one per thread, each keeping buffers as large as the largest answer it "
        "has read). The heaviest allowed request (30 aliases) briefly uses them all.",
        "",
        "| s | RSS MB | threads | sockets |",
        "|---:|---:|---:|---:|",
    ]
    step = max(1, len(memory["samples"]) // 40)
    samples = memory["samples"][::step]
    if samples[-1] != memory["samples"][-1]:
        samples.append(memory["samples"][-1])
    lines += [f"| {t} | {mb} | {threads} | {sockets} |" for t, mb, threads, sockets in samples]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600, help="the soak (default 600)")
    parser.add_argument("--warm-up", type=float, default=60, help="the baseline (default 60)")
    parser.add_argument(
        "--memory-warm-up", type=float, default=120, help="into the soak (default 120)"
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--hostile-every", type=float, default=3.0, metavar="SECONDS")
    args = parser.parse_args()

    settings = neo4j_instance.start()
    db = connect(settings)
    if not db.read("MATCH (p:Partnership) RETURN count(p) AS n")[0]["n"]:
        load_bundled(db)
    db.driver.close()
    with tempfile.TemporaryDirectory() as workdir:
        process, url = start_server(settings, Path(workdir))
        try:
            alone = baseline(url)
            t0 = time.monotonic()
            quiet = run_clients(url, process.pid, args.warm_up, args.clients, None, t0)
            soaked = run_clients(
                url, process.pid, args.seconds, args.clients, args.hostile_every, t0
            )
        finally:
            process.terminate()
            process.wait(timeout=30)
    result = report(args, alone, quiet, soaked)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "soak.json").write_text(json.dumps(result, indent=2) + "\n")
    text = markdown(result)
    (RESULTS / "soak.md").write_text(text)
    print(text)
    refused_badly = any(h["as_expected"] != h["sent"] for h in result["hostile"])
    return 1 if result["normal_errors"] or refused_badly else 0


if __name__ == "__main__":
    sys.exit(main())
