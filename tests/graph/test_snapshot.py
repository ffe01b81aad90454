"""The snapshot reads every partnership in one statement, the same as reading them by id."""

from __future__ import annotations

import csv

from graph import repository
from graph.db import Database
from graph.schema import data_version
from graph.snapshot import Snapshot
from tests.support.paths import ROOT


def test_snapshot_reads_every_partnership_once_by_name(loaded_db: Database) -> None:
    path = ROOT / "data" / "partnerships" / "partnerships_cited.csv"
    with path.open(encoding="utf-8") as handle:
        names = {row["id"]: row["name"] for row in csv.DictReader(handle)}
    before = loaded_db.round_trips
    snapshot = Snapshot.read(loaded_db, data_version(loaded_db))
    assert loaded_db.round_trips - before == 5  # the version read above, then four statements
    # Every partnership of the CSV, ordered by (name, id) ...
    assert set(snapshot.partnerships) == set(names)
    assert list(snapshot.partnerships) == sorted(names, key=lambda i: (names[i], i))
    # ... and each as the by-id read gives it (members, services, sources in their order).
    by_id = repository.partnerships_by_ids(loaded_db, sorted(names))
    assert dict(snapshot.partnerships) == by_id
