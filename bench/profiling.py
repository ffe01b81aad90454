"""Which statements a request sends, and what they cost Neo4j (PROFILE database hits)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, LiteralString

from graph.db import Database, Tx
from graph.settings import Settings

__all__ = ["api_statements", "db_hits", "recorded"]

Statement = tuple[LiteralString, dict[str, Any]]


@contextmanager
def recorded() -> Iterator[list[Statement]]:
    """Every statement run through ``graph.db.Tx`` in this process meanwhile, with parameters."""
    statements: list[Statement] = []
    original = Tx.run

    def run(
        tx: Tx, query: LiteralString, parameters: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        statements.append((query, dict(parameters or {})))
        return original(tx, query, parameters)

    Tx.run = run  # type: ignore[method-assign,assignment]
    try:
        yield statements
    finally:
        Tx.run = original  # type: ignore[method-assign]


def api_statements(settings: Settings, query: str) -> tuple[list[Statement], list[Statement]]:
    """The statements the API sends for ``query``: warm (a second request), and cold (the
    first request of a new app, which builds the data version's snapshot)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from starlette.testclient import TestClient

    from api.app import create_app

    with TestClient(create_app(settings)) as client:
        with recorded() as cold:
            client.post("/graphql", json={"query": query})
        with recorded() as warm:
            client.post("/graphql", json={"query": query})
    return warm, cold


def db_hits(db: Database, statement: LiteralString, parameters: Mapping[str, Any]) -> int:
    """Database hits of one statement, from PROFILE (its plan's operators summed)."""
    with db.driver.session(database=db.name, default_access_mode="READ") as session:
        result = session.run("PROFILE " + statement, dict(parameters))
        list(result)  # Neo4j gives the profile of a result only once it has been streamed
        summary = result.consume()
    return _hits(summary.profile or {})


def _hits(plan: Mapping[str, Any]) -> int:
    own = int(plan.get("dbHits", 0))
    return own + sum(_hits(child) for child in plan.get("children", []))
