"""The one way the project talks to Neo4j: the official driver, through managed transactions.

Reads run in read transactions and writes in write transactions, so the same code works
unchanged against a single server (``bolt://``/``neo4j://``), a cluster or Aura
(``neo4j+s://``): the driver routes reads to readers and writes to the leader, and retries
transaction functions on transient errors (so they must be idempotent).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import Driver, GraphDatabase, ManagedTransaction
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable, SessionExpired

from graph.settings import Settings

T = TypeVar("T")

#: Server-side limit for one transaction, unless a caller asks for less.
DEFAULT_TIMEOUT_S = 60.0


class GraphUnavailable(Exception):
    """Neo4j cannot be reached or refused us; the message is one line naming URI and cause."""


def _unavailable(uri: str, error: Exception) -> GraphUnavailable:
    if isinstance(error, AuthError):
        return GraphUnavailable(
            f"Neo4j at {uri} refused the credentials (check NEO4J_USERNAME and NEO4J_PASSWORD)"
        )
    cause = str(error).splitlines()[0] if str(error) else type(error).__name__
    return GraphUnavailable(f"Cannot reach Neo4j at {uri}: {cause}")


class Tx:
    """A managed transaction that returns plain dicts and counts round trips."""

    def __init__(self, tx: ManagedTransaction, database: Database) -> None:
        self._tx = tx
        self._database = database

    def run(
        self, query: LiteralString, parameters: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run one parameterised statement and return its records as dicts."""
        self._database._count_round_trip()
        result = self._tx.run(query, dict(parameters or {}))
        return [record.data() for record in result]


class Database:
    """A Neo4j database reached through one shared driver.

    Parameters
    ----------
    driver:
        The process's driver (one per process; closed by whoever created it).
    name:
        The database name (NEO4J_DATABASE), ``neo4j`` by default.
    uri:
        Only used in error messages.
    """

    def __init__(self, driver: Driver, name: str = "neo4j", uri: str = "") -> None:
        self.driver = driver
        self.name = name
        self.uri = uri
        self._round_trips = 0
        self._lock = threading.Lock()

    @property
    def round_trips(self) -> int:
        """Statements sent to Neo4j so far (for tests and benchmarks)."""
        return self._round_trips

    def _count_round_trip(self) -> None:
        with self._lock:
            self._round_trips += 1

    @contextmanager
    def _translated_errors(self) -> Iterator[None]:
        try:
            yield
        except (ServiceUnavailable, SessionExpired, AuthError) as error:
            raise _unavailable(self.uri, error) from error
        except DriverError as error:
            if isinstance(error, Neo4jError):
                raise
            raise _unavailable(self.uri, error) from error

    def read_transaction(self, work: Callable[[Tx], T], *, timeout: float = DEFAULT_TIMEOUT_S) -> T:
        """Run ``work`` in a read transaction (routed to a reader in a cluster)."""

        @neo4j.unit_of_work(timeout=timeout)
        def unit(tx: ManagedTransaction) -> T:
            return work(Tx(tx, self))

        with self._translated_errors(), self.driver.session(database=self.name) as session:
            return session.execute_read(unit)

    def write_transaction(
        self, work: Callable[[Tx], T], *, timeout: float = DEFAULT_TIMEOUT_S
    ) -> T:
        """Run ``work`` in one write transaction; the driver may retry it, so keep it idempotent."""

        @neo4j.unit_of_work(timeout=timeout)
        def unit(tx: ManagedTransaction) -> T:
            return work(Tx(tx, self))

        with self._translated_errors(), self.driver.session(database=self.name) as session:
            return session.execute_write(unit)

    def read(
        self,
        query: LiteralString,
        parameters: Mapping[str, Any] | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> list[dict[str, Any]]:
        """Run one read statement in its own read transaction."""
        return self.read_transaction(lambda tx: tx.run(query, parameters), timeout=timeout)

    def write(
        self,
        query: LiteralString,
        parameters: Mapping[str, Any] | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> list[dict[str, Any]]:
        """Run one write statement in its own write transaction."""
        return self.write_transaction(lambda tx: tx.run(query, parameters), timeout=timeout)

    def ping(self) -> None:
        """Check that Neo4j answers and accepts our credentials; raise GraphUnavailable if not."""
        with self._translated_errors():
            self.driver.verify_connectivity()
            self.read("RETURN 1 AS ok", timeout=5)

    def server_version(self) -> str:
        """The Neo4j version and edition, e.g. ``5.26.31 community``."""
        rows = self.read(
            "CALL dbms.components() YIELD name, versions, edition "
            "WHERE name = 'Neo4j Kernel' RETURN versions[0] AS version, edition"
        )
        return f"{rows[0]['version']} {rows[0]['edition']}" if rows else "unknown"


def connect(settings: Settings, *, verify: bool = True) -> Database:
    """Create the process's driver and wrap it; with ``verify``, fail fast with one clear line."""
    try:
        driver = GraphDatabase.driver(
            settings.uri,
            auth=(settings.username, settings.password.value),
            connection_acquisition_timeout=10,
            max_transaction_retry_time=15,
            # Schema-less queries on an empty database warn about unknown labels; not news.
            notifications_min_severity="OFF",
        )
    except (ValueError, DriverError) as error:
        raise GraphUnavailable(f"Invalid NEO4J_URI {settings.uri!r}: {error}") from error
    database = Database(driver, settings.database, settings.uri)
    if verify:
        try:
            database.ping()
        except GraphUnavailable:
            driver.close()
            raise
    return database
