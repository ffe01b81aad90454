"""Settings, read once at start-up from the environment and an optional ``.env`` file.

Names follow Neo4j's own conventions (NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD,
NEO4J_DATABASE) so the same code runs against the local server, a cluster or Aura.
Values in the process environment win over the ``.env`` file.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import CouncilGraphError

DEFAULT_URI = "neo4j://127.0.0.1:7687"
DEFAULT_ENV_FILE = Path(".env")


class SettingsError(CouncilGraphError, ValueError):
    """A setting is missing or invalid; the message names it and what would be valid."""


def read_env_file(path: Path) -> dict[str, str]:
    """Parse a ``KEY=VALUE`` file (blank lines and ``#`` comments ignored)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


@dataclass(frozen=True)
class Secret:
    """A string that never shows itself in ``repr`` or logs."""

    value: str = field(repr=False)

    def __str__(self) -> str:
        return "**********"


@dataclass(frozen=True)
class Settings:
    """Connection settings for Neo4j."""

    uri: str = DEFAULT_URI
    username: str = "neo4j"
    password: Secret = Secret("")
    database: str = "neo4j"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: Path = DEFAULT_ENV_FILE
    ) -> Settings:
        """Settings from ``environ`` (default: ``os.environ``) over ``env_file``."""
        merged = {**read_env_file(env_file), **(os.environ if environ is None else environ)}
        return cls(
            uri=merged.get("NEO4J_URI") or DEFAULT_URI,
            username=merged.get("NEO4J_USERNAME") or "neo4j",
            password=Secret(merged.get("NEO4J_PASSWORD", "")),
            database=merged.get("NEO4J_DATABASE") or "neo4j",
        )


def ensure_password(env_file: Path = DEFAULT_ENV_FILE) -> str:
    """Return NEO4J_PASSWORD from the environment or ``env_file``; generate it once if absent.

    The generated password is appended to ``env_file`` (git-ignored, mode 0600) so the
    local server, the CLI and the API all agree on it across restarts.
    """
    existing = os.environ.get("NEO4J_PASSWORD") or read_env_file(env_file).get("NEO4J_PASSWORD")
    if existing:
        if len(existing) < 8:
            raise SettingsError("NEO4J_PASSWORD must be at least 8 characters (Neo4j's minimum)")
        return existing
    password = secrets.token_urlsafe(24)
    prefix = ""
    if env_file.is_file() and not env_file.read_text(encoding="utf-8").endswith("\n"):
        prefix = "\n"
    with env_file.open("a", encoding="utf-8") as handle:
        handle.write(f"{prefix}NEO4J_PASSWORD={password}\n")
    env_file.chmod(0o600)
    return password
