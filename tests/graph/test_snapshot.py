"""The snapshot reads every partnership as flat rows, the same as reading them by id; the
warm-up builds a new data version's snapshot ahead of requests."""

from __future__ import annotations

import csv
import logging
import threading
import time
from collections.abc import Callable

import pytest

from graph import repository, rules
from graph.db import Database, connect
from graph.schema import bump_data_version, data_version
from graph.settings import Secret, Settings, SettingsError
from graph.snapshot import WARM_EVERY_ENV, Snapshot, Snapshots, warm_every_s
from tests.support.paths import ROOT


def test_snapshot_reads_every_partnership_once_by_name(loaded_db: Database) -> None:
    path = ROOT / "data" / "partnerships" / "partnerships_cited.csv"
    with path.open(encoding="utf-8") as handle:
        names = {row["id"]: row["name"] for row in csv.DictReader(handle)}
    before = loaded_db.round_trips
    snapshot = Snapshot.read(loaded_db, data_version(loaded_db))
    # The version read above, the councils, their links, four flat reads of the partnerships
    # (one transaction) and the LGA editions.
    assert loaded_db.round_trips - before == 8
    # Every partnership of the CSV, ordered by (name, id) ...
    assert set(snapshot.partnerships) == set(names)
    assert list(snapshot.partnerships) == sorted(names, key=lambda i: (names[i], i))
    # ... and each as the by-id read gives it (members, services, sources in their order).
    by_id = repository.partnerships_by_ids(loaded_db, sorted(names))
    assert dict(snapshot.partnerships) == by_id


def test_warm_up_builds_a_new_version_once_and_a_request_then_reads_no_partnerships(
    loaded_db: Database,
) -> None:
    snapshots = Snapshots(loaded_db)
    first = snapshots.warm()
    assert snapshots.warmings == 1
    # Nothing moved: the next warm-up is one small read (the version) and builds nothing.
    before = loaded_db.round_trips
    assert snapshots.warm() is first
    assert (loaded_db.round_trips - before, snapshots.warmings) == (1, 1)

    loaded_db.write_transaction(bump_data_version)  # what a load or an accepted submission does
    warmed = snapshots.warm()
    assert snapshots.warmings == 2
    assert warmed.version == data_version(loaded_db) == first.version + 1
    assert dict(warmed.partnerships) == dict(first.partnerships)  # same data, read afresh

    # A request of the new version now finds everything read: the version, and nothing else.
    before = loaded_db.round_trips
    snapshot = snapshots.current()
    memberships = snapshot.memberships(rules.current_year())
    assert snapshot is warmed
    assert loaded_db.round_trips - before == 1
    assert memberships == tuple(repository.effective_memberships(loaded_db, rules.current_year()))


def test_the_watcher_warms_a_new_version_by_itself(loaded_db: Database) -> None:
    snapshots = Snapshots(loaded_db)
    stop = snapshots.watch(0.05)
    try:
        _wait_for(lambda: snapshots.warmings == 1)
        loaded_db.write_transaction(bump_data_version)
        _wait_for(lambda: snapshots.warmings == 2)
    finally:
        stop()
    # Stopped means gone: nothing reads after the app closes its driver.
    assert not any(t.name == "snapshot-warmer" for t in threading.enumerate())
    version = data_version(loaded_db)
    before = loaded_db.round_trips
    assert snapshots.current().version == version
    assert loaded_db.round_trips - before == 1  # built by the watcher, not by this call


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 60.0  # a bound for a stuck watcher, not a timing
    while not condition():
        assert time.monotonic() < deadline, "the watcher did not warm the new version"
        time.sleep(0.02)


@pytest.mark.parametrize(
    ("value", "seconds"), [("", 0.0), ("off", 0.0), ("0", 0.0), ("5", 5.0), (" 2.5 ", 2.5)]
)
def test_warm_interval_setting(value: str, seconds: float) -> None:
    assert warm_every_s({WARM_EVERY_ENV: value}) == seconds
    assert warm_every_s({}) == 0.0  # off unless set


@pytest.mark.parametrize("value", ["often", "-1", "7200"])
def test_warm_interval_setting_refuses_nonsense(value: str) -> None:
    with pytest.raises(SettingsError, match=f"{WARM_EVERY_ENV}=.*'off'"):
        warm_every_s({WARM_EVERY_ENV: value})


@pytest.mark.parametrize(
    ("year", "service"), [(2012, None), (2019, "legal"), (rules.current_year(), None)]
)
def test_memberships_read_as_one_list_are_the_statements_rows(
    loaded_db: Database, year: int, service: str | None
) -> None:
    parameters = {
        "year": year,
        "service": service,
        "currentYear": rules.current_year(),
        "activeStatuses": list(rules.ACTIVE_STATUSES),
    }
    # EFFECTIVE_MEMBERSHIPS's rows, a record each, in its order.
    rows = loaded_db.read(repository.EFFECTIVE_MEMBERSHIPS, parameters)
    got = repository.effective_memberships(loaded_db, year, service)
    assert rows  # the year has sharers
    assert [(m.partnership_id, m.code, m.role, m.services) for m in got] == [
        (r["partnershipId"], r["code"], r["role"], tuple(r["services"])) for r in rows
    ]
    assert [(m.start_year, m.start_basis, m.status, m.partnership_name) for m in got] == [
        (r["startYear"], r["startBasis"], r["status"], r["name"]) for r in rows
    ]


def test_a_failed_warm_up_logs_the_one_line_cause(caplog: pytest.LogCaptureFixture) -> None:
    # Nothing listens on port 9: every warm-up fails until stopped, each logged in one line.
    settings = Settings(uri="bolt://127.0.0.1:9", password=Secret("whatever1"))
    db = connect(settings, verify=False, retry_s=0, connect_timeout_s=1)
    snapshots = Snapshots(db)
    try:
        with caplog.at_level(logging.WARNING, logger="graph.snapshot"):
            stop = snapshots.watch(0.05)
            _wait_for(lambda: any("warming" in r.getMessage() for r in caplog.records))
            stop()
    finally:
        db.driver.close()
    line = next(r.getMessage() for r in caplog.records if "warming" in r.getMessage())
    assert line.startswith("warming the snapshot: ")
    assert "127.0.0.1:9" in line  # the cause as GraphUnavailable words it, not its repr
    assert "GraphUnavailable(" not in line
    assert "\n" not in line
    assert snapshots.warmings == 0
