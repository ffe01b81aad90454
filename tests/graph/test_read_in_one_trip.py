"""``Database.read_in_one_trip``: the same rows as a managed read, counted the same way."""

from __future__ import annotations

import pytest
from neo4j.exceptions import CypherSyntaxError

from graph.db import Database
from graph.schema import DATA_VERSION, bump_data_version, data_version


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
