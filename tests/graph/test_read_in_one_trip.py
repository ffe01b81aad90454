"""``Database.read_in_one_trip``: the same rows as a managed read, counted the same way."""

from __future__ import annotations

import pytest
from neo4j.exceptions import CypherSyntaxError

from graph.db import Database, StatementTimeout, connect
from graph.schema import DATA_VERSION, bump_data_version, data_version
from graph.settings import Settings

#: Runs for many seconds: Neo4j stops it at the statement timeout.
SLOW = "UNWIND range(1, 100000000000) AS x RETURN count(*) AS n"


def test_it_reads_what_a_read_transaction_reads(db: Database) -> None:
    before = db.round_trips
    assert db.read_in_one_trip(DATA_VERSION) == db.read(DATA_VERSION)
    assert db.round_trips - before == 2  # one statement each


def test_the_data_version_read_in_one_trip_follows_a_bump(db: Database) -> None:
    version = data_version(db, one_trip=True)
    assert version == data_version(db)
    db.write_transaction(bump_data_version)
    assert data_version(db, one_trip=True) == version + 1


def test_a_refused_statement_is_tried_once_more_as_a_read_transaction(db: Database) -> None:
    before = db.round_trips
    with pytest.raises(CypherSyntaxError):
        db.read_in_one_trip("RETURN nonsense(")
    assert db.round_trips - before == 2  # the auto-commit read, then the managed read


def test_a_timed_out_read_is_not_tried_again(neo4j_settings: Settings) -> None:
    """A statement that ran out of time would only run out again (and load a struggling
    server twice as long): the timeout reaches the caller after one try."""
    db = connect(neo4j_settings, statement_timeout_s=0.5)
    try:
        before = db.round_trips
        with pytest.raises(StatementTimeout):
            db.read_in_one_trip(SLOW)
        assert db.round_trips - before == 1
    finally:
        db.driver.close()
