"""The app starts without Neo4j, says so, and recovers by itself when Neo4j comes up."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from graph.settings import Secret, Settings
from ops import server


@pytest.mark.slow
def test_app_recovers_when_neo4j_comes_back(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    password = "recovery-password"
    settings = Settings(uri=f"neo4j://127.0.0.1:{port}", password=Secret(password))
    config = server.ServerConfig(home=tmp_path / "n", port=port, heap_mb=512, pagecache_mb=64)
    query = {"query": "{ stats(year: 2012) { total councils } }"}
    with TestClient(create_app(settings)) as client:
        assert client.get("/ready").status_code == 503
        down = client.post("/graphql", json=query).json()
        assert down["errors"][0]["extensions"]["code"] == "GRAPH_UNAVAILABLE"

        server.start(config, password, echo=lambda _: None)
        try:
            assert client.get("/ready").json() == {"status": "ready"}
            body = client.post("/graphql", json=query).json()
            assert body == {"data": {"stats": {"total": 0, "councils": 0}}}
            # The schema (constraints) was created on the first request after recovery.
            state = client.app.state.council_graph  # type: ignore[attr-defined]
            assert state.schema_ready
        finally:
            server.stop(config, echo=lambda _: None)
