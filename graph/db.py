"""The one way the project talks to Neo4j: the official driver, through managed transactions.

Reads run in read transactions and writes in write transactions, so the same code works
unchanged against a single server (``bolt://``/``neo4j://``), a cluster or Aura
(``neo4j+s://``): the driver routes reads to readers and writes to the leader, and retries
transaction functions on transient errors (so they must be idempotent).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import Driver, GraphDatabase, ManagedTransaction
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable, SessionExpired
from neo4j.graph import Node, Path, Relationship

from graph.errors import CouncilGraphError
from graph.settings import Settings

T = TypeVar("T")

#: Server-side limit for one transaction, unless a caller asks for less.
DEFAULT_TIMEOUT_S = 60.0


class GraphUnavailable(CouncilGraphError):
    """Neo4j cannot be reached or refused us; the message is one line naming URI and cause.

    The message is for logs and the command line. A remote client gets :attr:`public`,
    which says nothing about where the database is or why it failed.
    """

    public = "The graph database is unavailable right now; try again shortly."


class StatementTimeout(GraphUnavailable):
    """Neo4j stopped a statement that ran longer than its timeout."""

    public = "The graph database took too long to answer; ask for less, or try again later."


#: What Neo4j 5 answers when it stops a transaction at its timeout (ours or its own).
TIMEOUT_CODES = frozenset(
    {
        "Neo.ClientError.Transaction.TransactionTimedOut",
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    }
)


def _unavailable(uri: str, error: Exception) -> GraphUnavailable:
    if isinstance(error, AuthError):
        return GraphUnavailable(
            f"Neo4j at {uri} refused the credentials (check NEO4J_USERNAME and NEO4J_PASSWORD)"
        )
    cause = str(error).splitlines()[0] if str(error) else type(error).__name__
    return GraphUnavailable(f"Cannot reach Neo4j at {uri}: {cause}")


# The round trips of one piece of work (e.g. a request), wherever it runs: the value is copied
# into the tasks and worker threads the work starts, and they all count into the same list.
_ROUND_TRIPS_HERE: ContextVar[list[int] | None] = ContextVar("round_trips_here", default=None)


@contextmanager
def counting_round_trips() -> Iterator[list[int]]:
    """Count the round trips made inside the ``with`` block, including those of the tasks
    and worker threads it starts (any Database): ``counted[0]`` after it."""
    counted = [0]
    token = _ROUND_TRIPS_HERE.set(counted)
    try:
        yield counted
    finally:
        _ROUND_TRIPS_HERE.reset(token)


class Tx:
    """A managed transaction that returns plain dicts and counts round trips."""

    def __init__(self, tx: ManagedTransaction | _AutoCommit, database: Database) -> None:
        self._tx = tx
        self._database = database

    def values(
        self, query: LiteralString, parameters: Mapping[str, Any] | None = None
    ) -> list[list[Any]]:
        """Run one statement whose columns hold no node, relationship or path (lists, maps and
        scalars only) and return each record's values as they come: no per-value check, which
        for one record holding a whole list of rows costs more than decoding it (the
        snapshot's reads, ``graph.bulk``)."""
        self._database._count_round_trip()
        return [record.values() for record in self._tx.run(query, dict(parameters or {}))]

    def run(
        self, query: LiteralString, parameters: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run one parameterised statement and return its records as dicts."""
        self._database._count_round_trip()
        result = self._tx.run(query, dict(parameters or {}))
        keys = result.keys()
        rows = []
        for record in result:
            values = record.values()
            # record.data() only changes nodes, relationships and paths; rows of plain values
            # (most of ours) are copied as they come, ~3x cheaper (bench/results/memberships.md).
            plain = all(_plain(value) for value in values)
            rows.append(dict(zip(keys, values, strict=True)) if plain else record.data())
        return rows


class _AutoCommit:
    """A read session seen as a transaction by :class:`Tx`: each statement auto-commits, with
    Neo4j's statement timeout."""

    def __init__(self, session: neo4j.Session, timeout: float | None) -> None:
        self._session = session
        self._timeout = timeout

    def run(self, query: LiteralString, parameters: dict[str, Any]) -> neo4j.Result:
        return self._session.run(neo4j.Query(query, timeout=self._timeout), parameters)


def _plain(value: object) -> bool:
    """True when ``value`` holds no node, relationship or path (which record.data() converts)."""
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    if isinstance(value, dict):
        return all(_plain(item) for item in value.values())
    return not isinstance(value, (Node, Relationship, Path))


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
    statement_timeout_s:
        Neo4j stops any transaction of ours after this long, unless a call asks for another.
    fail_fast_s:
        After Neo4j could not be reached, calls in the next ``fail_fast_s`` seconds fail at
        once with the same error instead of each waiting out the driver's retries; the first
        call after that tries again, so recovery needs nothing. 0 (the default) turns it off.
    """

    def __init__(
        self,
        driver: Driver,
        name: str = "neo4j",
        uri: str = "",
        *,
        statement_timeout_s: float = DEFAULT_TIMEOUT_S,
        fail_fast_s: float = 0.0,
    ) -> None:
        self.driver = driver
        self.name = name
        self.uri = uri
        self.statement_timeout_s = statement_timeout_s
        self.fail_fast_s = fail_fast_s
        self._round_trips = 0
        self._lock = threading.Lock()
        self._unreachable: tuple[float, str] | None = None  # (until, why), while failing fast

    @property
    def round_trips(self) -> int:
        """Statements sent to Neo4j so far (for tests and benchmarks)."""
        return self._round_trips

    def _count_round_trip(self) -> None:
        with self._lock:
            self._round_trips += 1
        here = _ROUND_TRIPS_HERE.get()
        if here is not None:
            here[0] += 1

    @contextmanager
    def _translated_errors(self, timeout: float | None = None) -> Iterator[None]:
        unreachable = self._unreachable
        if unreachable is not None and time.monotonic() < unreachable[0]:
            raise GraphUnavailable(unreachable[1])
        try:
            yield
        except (ServiceUnavailable, SessionExpired, AuthError) as error:
            failure = _unavailable(self.uri, error)
            if self.fail_fast_s > 0:
                self._unreachable = (time.monotonic() + self.fail_fast_s, str(failure))
            raise failure from error
        except Neo4jError as error:
            if error.code in TIMEOUT_CODES:
                limit = f" after {timeout:g} s" if timeout is not None else ""
                raise StatementTimeout(
                    f"Neo4j at {self.uri} stopped a statement{limit} (its timeout)"
                ) from error
            raise
        except DriverError as error:
            raise _unavailable(self.uri, error) from error

    def read_transaction(self, work: Callable[[Tx], T], *, timeout: float | None = None) -> T:
        """Run ``work`` in a read transaction (routed to a reader in a cluster).

        ``timeout`` (default: the statement timeout) is enforced by Neo4j; a transaction that
        runs longer raises :class:`StatementTimeout`.
        """
        limit = self.statement_timeout_s if timeout is None else timeout

        @neo4j.unit_of_work(timeout=limit)
        def unit(tx: ManagedTransaction) -> T:
            return work(Tx(tx, self))

        with self._translated_errors(limit), self.driver.session(database=self.name) as session:
            return session.execute_read(unit)

    def read_in_one_trip(
        self, query: LiteralString, parameters: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """One small read statement as an auto-commit read: one network round trip where a
        managed read transaction takes two (BEGIN, RUN and PULL; then COMMIT). It sees the
        same committed data (a fresh read session, routed to a reader), but the driver does not
        retry it, so a failure falls back to :meth:`read`, which does."""
        limit = self.statement_timeout_s
        try:
            with (
                self._translated_errors(limit),
                self.driver.session(
                    database=self.name, default_access_mode=neo4j.READ_ACCESS
                ) as session,
            ):
                return Tx(_AutoCommit(session, limit), self).run(query, parameters)
        except StatementTimeout:
            raise  # tried again it would only wait as long again on a struggling server
        except (GraphUnavailable, Neo4jError):
            return self.read(query, parameters)

    def write_transaction(self, work: Callable[[Tx], T], *, timeout: float | None = None) -> T:
        """Run ``work`` in one write transaction; the driver may retry it, so keep it idempotent."""
        limit = self.statement_timeout_s if timeout is None else timeout

        @neo4j.unit_of_work(timeout=limit)
        def unit(tx: ManagedTransaction) -> T:
            return work(Tx(tx, self))

        with self._translated_errors(limit), self.driver.session(database=self.name) as session:
            return session.execute_write(unit)

    def read(
        self,
        query: LiteralString,
        parameters: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> list[dict[str, Any]]:
        """Run one read statement in its own read transaction."""
        return self.read_transaction(lambda tx: tx.run(query, parameters), timeout=timeout)

    def read_values(
        self,
        query: LiteralString,
        parameters: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> list[list[Any]]:
        """:meth:`Tx.values` of one read statement in its own read transaction."""
        return self.read_transaction(lambda tx: tx.values(query, parameters), timeout=timeout)

    def write(
        self,
        query: LiteralString,
        parameters: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
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


def connect(
    settings: Settings,
    *,
    verify: bool = True,
    statement_timeout_s: float = DEFAULT_TIMEOUT_S,
    retry_s: float = 15,
    connect_timeout_s: float = 30,
    fail_fast_s: float = 0.0,
) -> Database:
    """Create the process's driver and wrap it; with ``verify``, fail fast with one clear line.

    The defaults suit the command line, which would rather wait out a restarting server.
    The API passes much shorter ones (``api/limits.py``): while Neo4j is down, a request
    should fail within a couple of seconds, not wait for the driver's retries.

    Parameters
    ----------
    statement_timeout_s:
        Neo4j's limit on each transaction, unless a call asks for another.
    retry_s:
        How long the driver keeps retrying a transaction that failed on a transient error or
        a lost connection (the first retry comes about 1 s after the failure).
    connect_timeout_s:
        How long opening one connection may take.
    fail_fast_s:
        See :class:`Database`.
    """
    try:
        driver = GraphDatabase.driver(
            settings.uri,
            auth=(settings.username, settings.password.value),
            connection_timeout=connect_timeout_s,
            # Waiting for a free connection from the pool may include opening one.
            connection_acquisition_timeout=max(10, connect_timeout_s + 1),
            max_transaction_retry_time=retry_s,
            # Schema-less queries on an empty database warn about unknown labels; not news.
            notifications_min_severity="OFF",
        )
    except (ValueError, DriverError) as error:
        raise GraphUnavailable(f"Invalid NEO4J_URI {settings.uri!r}: {error}") from error
    database = Database(
        driver,
        settings.database,
        settings.uri,
        statement_timeout_s=statement_timeout_s,
        fail_fast_s=fail_fast_s,
    )
    if verify:
        try:
            database.ping()
        except GraphUnavailable:
            driver.close()
            raise
    return database
