"""Shared fixtures: a real Neo4j for the tests (never a mock, never the user's instance)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from graph.db import Database, connect
from graph.schema import ensure_schema
from graph.settings import Settings
from tests import neo4j_instance

WIPE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"


@pytest.fixture(scope="session")
def neo4j_settings() -> Settings:
    """Settings for the tests' own Neo4j, started if it is not running."""
    return neo4j_instance.start()


@pytest.fixture(scope="session")
def db(neo4j_settings: Settings) -> Iterator[Database]:
    """The test database, emptied once at the start of the session, with the schema in place."""
    database = connect(neo4j_settings)
    # Only ever the tests' own instance (its own port and folder), never a user's data.
    with database.driver.session(database=database.name) as session:
        session.run(WIPE).consume()
    ensure_schema(database)
    yield database
    database.driver.close()


@pytest.fixture(scope="session")
def loaded_db(db: Database) -> Database:
    """The test database with all the bundled data loaded (read-only for tests)."""
    from loaders import load_bundled

    load_bundled(db)
    return db


@pytest.fixture(scope="module")
def client(loaded_db: Database, neo4j_settings: Settings) -> Iterator[TestClient]:
    """The real app (``api.app.create_app``) against the loaded test database, in process."""
    from api.app import create_app

    with TestClient(create_app(neo4j_settings)) as test_client:
        yield test_client
