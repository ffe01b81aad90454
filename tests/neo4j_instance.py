"""The tests' own Neo4j instance: separate port and folder, so tests never touch a user's data.

Port: $COUNCILGRAPH_TEST_BOLT_PORT (default 7688); folder: .neo4j/test-PORT. It is left
running after the tests for quick reruns; ``python -m tests.neo4j_instance stop`` stops it.
"""

from __future__ import annotations

import os
import secrets
import sys

from graph.settings import Secret, Settings
from ops import server
from tests.support.paths import ROOT


def test_port() -> int:
    return int(os.environ.get("COUNCILGRAPH_TEST_BOLT_PORT", "7688"))


def config(port: int | None = None) -> server.ServerConfig:
    port = port or test_port()
    return server.ServerConfig(
        home=ROOT / ".neo4j" / f"test-{port}", port=port, heap_mb=1024, pagecache_mb=256
    )


def password(cfg: server.ServerConfig) -> str:
    """A password generated once per test instance and kept in its (git-ignored) folder."""
    path = cfg.home / "password"
    if not path.is_file():
        cfg.home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(18))
        path.chmod(0o600)
    return path.read_text().strip()


def settings(cfg: server.ServerConfig) -> Settings:
    return Settings(uri=f"neo4j://127.0.0.1:{cfg.port}", password=Secret(password(cfg)))


def start(cfg: server.ServerConfig | None = None) -> Settings:
    cfg = cfg or config()
    server.start(cfg, password(cfg))
    return settings(cfg)


if __name__ == "__main__":
    action = sys.argv[1] if len(sys.argv) > 1 else "start"
    if action == "stop":
        server.stop(config())
    else:
        start()
