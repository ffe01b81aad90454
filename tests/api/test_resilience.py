"""One bad request never starves the others; the server stops on SIGTERM; Neo4j dying
mid-serve gives quick, clean errors and recovery needs nothing.

The first two tests drive `councilgraph serve` in a subprocess, over real HTTP; the last
starts and kills its own Neo4j, like tests/api/test_recovery.py.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.limits import Limits
from graph.db import Database, GraphUnavailable
from graph.settings import Secret, Settings
from ops import server

LIMITS = Limits()
NESTED = """{ councils(first: 100) { edges { node { borders { borders { borders {
              partnerships { members { council { code } } } } } } } } } }"""
FAN_OUT = (
    "query{...F0} "
    + " ".join(f"fragment F{i} on Query{{__typename ...F{i + 1} ...F{i + 1}}}" for i in range(30))
    + " fragment F30 on Query{__typename}"
)
NORMAL = "{ stats(year: 2012) { total byTierMix { key count } councils } }"
#: Close to the cost budget, and every value real: the worst request that is answered.
WORST_ALLOWED = (
    "{"
    + " ".join(
        f"a{i}: councils(first: 100) {{ nodes {{ code name officialName kind tier region "
        "population validFrom } }"
        for i in range(LIMITS.max_aliases)
    )
    + "}"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def serve(settings: Settings, cwd: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    """`councilgraph serve` on a free port against ``settings``; returns it and its URL.

    Its output goes to ``cwd/serve.log`` (a pipe nobody reads could fill and stall it).
    """
    port = free_port()
    env = {
        "NEO4J_URI": settings.uri,
        "NEO4J_USERNAME": settings.username,
        "NEO4J_PASSWORD": settings.password.value,
        "PATH": "/usr/bin:/bin",
    }
    with (cwd / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "serve", "--port", str(port), *extra],
            cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, (cwd / "serve.log").read_text()
        try:
            if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError("the server did not become ready within 60 s")


@pytest.fixture(scope="module")
def served(
    loaded_db: Database, neo4j_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    process, url = serve(neo4j_settings, tmp_path_factory.mktemp("serve"))
    yield url
    process.terminate()
    process.wait(timeout=30)


class HealthWatch:
    """Asks /health every 20 ms in a thread and keeps the slowest answer."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.slowest = 0.0
        self.answers = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self._stop.is_set():
                started = time.perf_counter()
                assert client.get(f"{self.url}/health").json() == {"status": "ok"}
                self.slowest = max(self.slowest, time.perf_counter() - started)
                self.answers += 1
                time.sleep(0.02)

    def __enter__(self) -> HealthWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=15)


def post(client: httpx.Client, url: str, query: str) -> dict[str, Any]:
    body: dict[str, Any] = client.post(f"{url}/graphql", json={"query": query}).json()
    return body


def median_latency(url: str, runs: int = 15) -> float:
    times = []
    with httpx.Client(timeout=30) as client:
        for _ in range(runs):
            started = time.perf_counter()
            assert "errors" not in post(client, url, NORMAL)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def in_a_loop(work: Callable[[httpx.Client], None], seconds: float) -> threading.Thread:
    def run() -> None:
        deadline = time.monotonic() + seconds
        with httpx.Client(timeout=60) as client:
            while time.monotonic() < deadline:
                work(client)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_hostile_requests_are_refused_while_normal_ones_keep_their_latency(served: str) -> None:
    median_latency(served, runs=3)  # warm the caches
    before = median_latency(served)
    refused: list[str] = []

    def hostile(client: httpx.Client) -> None:
        for query in (
            NESTED,
            FAN_OUT,
            "{" + " ".join(f"a{i}: {NESTED[1:-1]}" for i in range(30)) + "}",
        ):
            refused.append(post(client, served, query)["errors"][0]["extensions"]["code"])
        oversize = client.post(f"{served}/graphql", json={"query": "#" * 10_000_000 + "{a}"})
        refused.append(oversize.json()["errors"][0]["extensions"]["code"])

    with HealthWatch(served) as health:
        attackers = [in_a_loop(hostile, seconds=6) for _ in range(2)]
        time.sleep(0.5)
        during = median_latency(served)
        for attacker in attackers:
            attacker.join()
    assert len(refused) > 20
    assert set(refused) == {"COST_LIMIT", "BODY_TOO_LARGE"}
    assert health.slowest < 1
    # Refusals cost milliseconds: normal queries answer about as fast as before.
    assert during < 3 * before + 0.1, (before, during)


def test_health_answers_while_the_worst_allowed_request_runs(served: str) -> None:
    timings: list[float] = []

    def worst(client: httpx.Client) -> None:
        started = time.perf_counter()
        body = post(client, served, WORST_ALLOWED)
        timings.append(time.perf_counter() - started)
        assert "errors" not in body
        assert len(body["data"]["a0"]["nodes"]) == 100

    with HealthWatch(served) as health:
        for worker in [in_a_loop(worst, seconds=5) for _ in range(2)]:
            worker.join()
    assert timings
    assert max(timings) < LIMITS.request_timeout_s
    assert health.answers > 20
    assert health.slowest < 1


def test_sigterm_stops_the_server_with_a_request_in_flight(
    neo4j_settings: Settings, tmp_path: Path
) -> None:
    process, url = serve(neo4j_settings, tmp_path, "--graceful-timeout", "2")
    port = int(url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as stalled:
        # A request whose body never finishes arriving: it stays in flight.
        stalled.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"query": '
        )
        time.sleep(0.5)
        started = time.perf_counter()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        finally:
            process.kill()
        stopped_after = time.perf_counter() - started
    output = (tmp_path / "serve.log").read_text()
    assert "timeout graceful shutdown exceeded" in output  # the request was in flight
    assert 2 <= stopped_after < 2 + 3, output


@pytest.mark.slow
def test_neo4j_dying_mid_serve_gives_quick_clean_errors_and_recovers(tmp_path: Path) -> None:
    port = free_port()
    password = "resilience-password"
    settings = Settings(uri=f"neo4j://127.0.0.1:{port}", password=Secret(password))
    config = server.ServerConfig(home=tmp_path / "n", port=port, heap_mb=512, pagecache_mb=64)
    quiet: Callable[[str], None] = lambda _: None  # noqa: E731
    query = {"query": "{ stats(year: 2012) { total councils } }"}
    server.start(config, password, echo=quiet)
    try:
        with TestClient(create_app(settings, limits=LIMITS)) as client:
            assert client.post("/graphql", json=query).json() == {
                "data": {"stats": {"total": 0, "councils": 0}}
            }
            pid = server.running_pid(config)
            assert pid is not None
            os.kill(pid, signal.SIGKILL)  # dies, as a crash would
            server.stop(config, echo=quiet)  # only tidies up the pid file
            for _ in range(3):
                for method, path in [
                    ("POST", "/graphql"),
                    ("GET", "/ready"),
                    ("GET", "/views/network?year=2012"),
                ]:
                    started = time.perf_counter()
                    response = client.request(
                        method, path, json=query if method == "POST" else None
                    )
                    assert time.perf_counter() - started < 2, path
                    for detail in (str(port), "127.0.0.1", "neo4j://", "Traceback", ".py"):
                        assert detail not in response.text, (path, response.text)
                    if method == "POST":
                        error = response.json()["errors"][0]
                        assert error["extensions"]["code"] == "GRAPH_UNAVAILABLE"
                    else:
                        assert response.status_code == 503
                        assert GraphUnavailable.public in response.text
                time.sleep(LIMITS.db_fail_fast_s / 2)  # in and out of the fail-fast window

            server.start(config, password, echo=quiet)
            deadline = time.monotonic() + 10
            while client.get("/ready").status_code != 200:
                assert time.monotonic() < deadline, "no recovery within 10 s"
                time.sleep(0.2)
            assert client.post("/graphql", json=query).json() == {
                "data": {"stats": {"total": 0, "councils": 0}}
            }
    finally:
        server.stop(config, echo=quiet)
