"""`councilgraph serve --workers 2`: two processes, each with its own caches and limiters,
behave as one server: a change to the data is seen by both on their next request, and a
limit holds in all, not per worker (docs/performance.md)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.db import Database, Tx
from graph.schema import bump_data_version
from graph.settings import Settings

NAME = '{ council(code: "E07000084") { name } }'
RENAME = "MATCH (c:Council {code: $code}) SET c.name = $name"
SIGN_IN_LIMIT = 4  # a minute, per client address, in all
WORKERS = 2


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


@pytest.fixture(scope="module")
def server(loaded_db: Database, neo4j_settings: Settings) -> Iterator[str]:
    """The Unix socket of `councilgraph serve --workers 2` on the test database."""
    with tempfile.TemporaryDirectory(prefix="councilgraph-workers-") as folder:
        socket = str(Path(folder) / "api.sock")
        env = {
            **os.environ,
            "NEO4J_URI": neo4j_settings.uri,
            "NEO4J_USERNAME": neo4j_settings.username,
            "NEO4J_PASSWORD": neo4j_settings.password.value,
            "NEO4J_DATABASE": neo4j_settings.database,
            "COUNCILGRAPH_FAILED_SIGN_INS_PER_MINUTE": str(SIGN_IN_LIMIT),
        }
        command = Path(sys.executable).parent / "councilgraph"
        process = subprocess.Popen(
            [str(command), "serve", "--workers", str(WORKERS), "--uds", socket], env=env
        )
        try:
            deadline = time.monotonic() + 60
            while len(_children(process.pid)) < WORKERS or not _healthy(socket):
                assert process.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
            yield socket
        finally:
            process.terminate()
            process.wait(timeout=30)


def _healthy(socket: str) -> bool:
    try:
        return _send(socket, "GET", "/health").status_code == 200
    except httpx.TransportError:
        return False


def _send(socket: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request on a new connection, so the kernel may hand it to either worker."""
    transport = httpx.HTTPTransport(uds=socket)
    with httpx.Client(transport=transport, base_url="http://api", timeout=30) as client:
        return client.request(method, path, **kwargs)


def _names(socket: str, n: int = 16) -> set[str]:
    def one(_: int) -> str:
        body = _send(socket, "POST", "/graphql", json={"query": NAME}).json()
        name: str = body["data"]["council"]["name"]
        return name

    with ThreadPoolExecutor(max_workers=8) as pool:
        return set(pool.map(one, range(n)))


def test_both_workers_see_a_change_on_their_next_request(server: str, loaded_db: Database) -> None:
    (original,) = _names(server)
    _names(server)  # both workers have the answer remembered now

    def rename(name: str) -> Any:
        def work(tx: Tx) -> None:
            tx.run(RENAME, {"code": "E07000084", "name": name})
            bump_data_version(tx)

        return work

    loaded_db.write_transaction(rename("Basingstoke Renamed By Another Process"))
    try:
        assert _names(server) == {"Basingstoke Renamed By Another Process"}
    finally:
        loaded_db.write_transaction(rename(original))
    assert _names(server) == {original}


def test_refused_tokens_are_limited_in_all_not_per_worker(server: str) -> None:
    def attempt(_: int) -> int:
        headers = {"Authorization": "Bearer not-a-token"}
        return _send(server, "POST", "/graphql", json={"query": NAME}, headers=headers).status_code

    began = time.monotonic()
    # One at a time (each on a new connection, so either worker may take it): attempts that
    # arrive together are all checked before any is counted (api/auth.py checks, then spends).
    statuses = [attempt(n) for n in range(3 * SIGN_IN_LIMIT)]
    minutes = (time.monotonic() - began) / 60
    refused = statuses.count(401)
    # Each worker allows its share (limit // workers, refilled at that rate a minute);
    # however the kernel spreads the connections, no more than the limit (and what the
    # whole server refills meanwhile) get through to the token check.
    assert SIGN_IN_LIMIT // WORKERS <= refused <= SIGN_IN_LIMIT + int(SIGN_IN_LIMIT * minutes)
    assert statuses.count(429) == len(statuses) - refused
    assert statuses.count(429) > 0
