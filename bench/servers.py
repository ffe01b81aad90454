"""What the HTTP benchmarks share: their own Neo4j, and servers in separate processes.

The benchmarks' Neo4j listens on $COUNCILGRAPH_BENCH_BOLT_PORT (default: the tests' port + 1,
so a bench never wipes or slows the test database), folder .neo4j/test-PORT, loaded with the
bundled data if empty. Servers (``councilgraph serve`` and the baselines of
``bench/baselines.py``) run under uvicorn on Unix sockets in a temporary folder, so they take
no TCP port, and are measured from outside over HTTP.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from graph.db import Database, connect
from graph.settings import Settings
from loaders import load_bundled
from tests import neo4j_instance

ROOT = Path(__file__).resolve().parents[1]

__all__ = ["Server", "bench_database", "bench_settings", "serve"]


def bench_settings() -> Settings:
    """The benchmarks' Neo4j, started if needed."""
    default = neo4j_instance.test_port() + 1
    port = int(os.environ.get("COUNCILGRAPH_BENCH_BOLT_PORT", str(default)))
    return neo4j_instance.start(neo4j_instance.config(port))


def bench_database(settings: Settings) -> Database:
    """A driver on the benchmarks' Neo4j, with the bundled data loaded (once)."""
    db = connect(settings)
    if not db.read("MATCH (p:Partnership) RETURN count(p) AS n")[0]["n"]:
        load_bundled(db)
    return db


@dataclass
class Server:
    """A running server: its process and an HTTP client on its socket."""

    process: subprocess.Popen[bytes]
    client: httpx.Client
    socket: str

    def peak_rss_mb(self) -> float:
        """The process tree's peak resident memory (VmHWM; workers included), in MB."""
        pids = [self.process.pid, *_children(self.process.pid)]
        total = 0
        for pid in pids:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        return round(total / 1024, 1)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split()
        for child in children:
            found += [int(child), *_children(int(child))]
    return found


@contextmanager
def serve(
    app: str | None,
    settings: Settings,
    *,
    workers: int = 1,
    extra: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
) -> Iterator[Server]:
    """Run ``app`` (an ASGI factory, "module:function") under uvicorn in its own process,
    with ``env`` added to its environment; ``app=None`` runs ``councilgraph serve``."""
    with tempfile.TemporaryDirectory(prefix="councilgraph-bench-") as folder:
        socket = str(Path(folder) / "http.sock")
        env = {
            **os.environ,
            "NEO4J_URI": settings.uri,
            "NEO4J_USERNAME": settings.username,
            "NEO4J_PASSWORD": settings.password.value,
            "NEO4J_DATABASE": settings.database,
            "PYTHONPATH": str(ROOT),
            **(env or {}),
        }
        command = (
            [str(Path(sys.executable).parent / "councilgraph"), "serve", "--uds", socket]
            if app is None
            else [sys.executable, "-m", "uvicorn", app, "--factory", "--uds", socket,
                  "--log-level", "warning"]
        )  # fmt: skip
        command += ["--workers", str(workers), *extra]
        log = (Path(folder) / "server.log").open("wb")  # access lines would swamp the output
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        # Uncompressed answers from every server: the same JSON bytes are compared (the app's
        # gzip would otherwise compress the large pages that the bare endpoint sends raw).
        client = httpx.Client(
            transport=httpx.HTTPTransport(uds=socket),
            base_url="http://bench",
            timeout=timeout,
            headers={"Accept-Encoding": "identity"},
        )
        try:
            try:
                _wait_for(client, process, workers)
            except RuntimeError:
                sys.stderr.write((Path(folder) / "server.log").read_text()[-4000:])
                raise
            yield Server(process, client, socket)
        finally:
            client.close()
            process.terminate()
            process.wait(timeout=30)
            log.close()


def _wait_for(client: httpx.Client, process: subprocess.Popen[bytes], workers: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if workers > 1 and len(_children(process.pid)) < workers:
            time.sleep(0.2)
            continue
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            client.get("/health")
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start within 60 s")
