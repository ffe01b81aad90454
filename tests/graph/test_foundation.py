"""The foundation: settings, the driver wrapper's errors, and the local server's lifecycle."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.db import Database, GraphUnavailable, connect
from graph.settings import Secret, Settings, ensure_password, read_env_file
from ops import server
from tests import neo4j_instance


def test_settings_prefer_environment_over_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("NEO4J_URI=neo4j://example.invalid:7687\nNEO4J_PASSWORD='from-file'\n")
    settings = Settings.from_env({"NEO4J_PASSWORD": "from-environment"}, env_file)
    assert settings.uri == "neo4j://example.invalid:7687"
    assert settings.password.value == "from-environment"
    assert "from-environment" not in repr(settings)
    assert settings.database == "neo4j"


def test_ensure_password_generates_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    env_file = tmp_path / ".env"
    first = ensure_password(env_file)
    assert len(first) >= 8
    assert ensure_password(env_file) == first
    assert read_env_file(env_file) == {"NEO4J_PASSWORD": first}
    assert env_file.stat().st_mode & 0o777 == 0o600


def test_wrong_password_is_one_clear_error(neo4j_settings: Settings) -> None:
    wrong = Settings(uri=neo4j_settings.uri, password=Secret("not-the-password"))
    with pytest.raises(GraphUnavailable) as caught:
        connect(wrong)
    message = str(caught.value)
    assert "\n" not in message
    assert neo4j_settings.uri in message
    assert "credentials" in message


def test_unreachable_uri_is_one_clear_error() -> None:
    with pytest.raises(GraphUnavailable) as caught:
        connect(Settings(uri="neo4j://127.0.0.1:9", password=Secret("whatever1")))
    assert "\n" not in str(caught.value)
    assert "neo4j://127.0.0.1:9" in str(caught.value)


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        capture_output=True, text=True, env={**os.environ, **env}, check=False, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("uri", "password", "expected"),
    [
        ("test-instance", "wrong-password", "credentials"),
        ("neo4j://127.0.0.1:9", "x" * 10, "Cannot reach"),
    ],
)
def test_cli_connection_errors_exit_2_without_traceback(
    neo4j_settings: Settings, uri: str, password: str, expected: str
) -> None:
    target = neo4j_settings.uri if uri == "test-instance" else uri
    home = str(neo4j_instance.config().home)
    result = _cli(
        "neo4j", "status",
        env={"NEO4J_URI": target, "NEO4J_PASSWORD": password, "COUNCILGRAPH_NEO4J_HOME": home},
    )  # fmt: skip
    if uri != "test-instance":
        # Nothing runs from that home on port 9: status says so without connecting.
        assert result.returncode in (2, 3)
        return
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert target in lines[0]
    assert "Traceback" not in result.stderr


def test_database_counts_round_trips(db: Database) -> None:
    before = db.round_trips
    assert db.read("UNWIND range(1, $n) AS i RETURN i", {"n": 3}) == [{"i": 1}, {"i": 2}, {"i": 3}]
    assert db.round_trips == before + 1


def test_rows_match_record_data_for_plain_values_and_nodes(loaded_db: Database) -> None:
    """Tx.run copies rows of plain values as they come and converts graph values as
    record.data() does (a node becomes its properties), the same as before issue 14."""
    statement = """
    MATCH (c:Council)-[m:MEMBER_OF]->(p:Partnership)
    WITH c, m, p ORDER BY c.code, p.id LIMIT 5
    RETURN c.code AS code, [p.id, {role: m.role, years: [m.fromYear, m.toYear]}] AS nested,
           c AS node, {inner: [p]} AS deep
    """
    with loaded_db.driver.session(database=loaded_db.name) as session:
        expected = [record.data() for record in session.run(statement)]
    rows = loaded_db.read(statement)
    assert rows == expected
    assert len(rows) == 5
    properties = loaded_db.read(
        "MATCH (c:Council {code: $code}) RETURN properties(c) AS p", {"code": rows[0]["code"]}
    )
    assert rows[0]["node"] == properties[0]["p"]
    assert isinstance(rows[0]["deep"]["inner"][0], dict)


def test_server_version_is_the_pinned_release(db: Database) -> None:
    assert db.server_version() == f"{server.NEO4J_VERSION} community"


def test_occupied_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        config = server.ServerConfig(home=tmp_path / "n", port=port)
        with pytest.raises(server.ServerError, match="already in use"):
            server.start(config, "password123", echo=lambda _: None)


def test_remote_uri_is_not_managed_locally(tmp_path: Path) -> None:
    with pytest.raises(server.ServerError, match="not on this machine"):
        server.ServerConfig.for_uri("neo4j+s://abc.databases.neo4j.io", tmp_path)


@pytest.mark.slow
def test_local_server_lifecycle_persists_data_across_a_kill(tmp_path: Path) -> None:
    """Start, write, kill -9, start again: the data is back; a stale pid file is harmless."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = server.ServerConfig(home=tmp_path / "scratch", port=port, heap_mb=512, pagecache_mb=64)
    password = "scratch-password"
    settings = Settings(uri=f"neo4j://127.0.0.1:{port}", password=Secret(password))
    messages: list[str] = []
    pid = server.start(config, password, echo=messages.append)
    try:
        assert server.start(config, password, echo=messages.append) == pid  # twice is harmless
        assert any("already running" in m for m in messages)
        database = connect(settings)
        database.write("CREATE (:Marker {value: $value})", {"value": 42})
        database.driver.close()

        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while server.running_pid(config) is not None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert server.running_pid(config) is None  # the stale pid file was cleaned up

        pid = server.start(config, password, echo=messages.append)
        database = connect(settings)
        assert database.read("MATCH (m:Marker) RETURN m.value AS value") == [{"value": 42}]
        database.driver.close()
    finally:
        assert server.stop(config, echo=messages.append)
    assert server.running_pid(config) is None
    assert not server.stop(config, echo=messages.append)
