"""The staged load (loaders/staged.py): the same graph as an ordinary load, all or nothing as
seen by readers, a crashed load's staged nodes removed, the progress reaching its total.

The files are a few hundred rows made from the bundled partnerships (ids ``fixture-staged-...``,
removed afterwards by ``clean_db``).
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.db import Database, counting_round_trips
from graph.schema import data_version
from loaders import load_partnership_file, queries, staged_memory
from loaders.cli import add_load_arguments, run_load
from loaders.known import council_index_from_db, service_areas_from_db
from loaders.sources import PARTNERSHIPS, read_csv_rows
from loaders.staged import (
    _prepare,
    _read,
    _Run,
    _Staging,
    _write_staged,
    clean_staged,
    load_staged,
)
from loaders.staged_lock import STALE_AFTER_S, StagedLoadBusy, StagedLock

ROWS = 240
PER_FILE = 80

STAGED = "MATCH (n:StagedPartnership|StagedAuditEntry) RETURN count(n) AS n"
VISIBLE = """
MATCH (p:Partnership) WHERE p.id STARTS WITH 'fixture-staged-'
RETURN count(p) AS partnerships, sum(count { (:Council)-[:MEMBER_OF]->(p) }) AS memberships
"""
# A fixture partnership as readers see it: properties, members, services, sources, audit.
SEEN = """
MATCH (p:Partnership) WHERE p.id STARTS WITH 'fixture-staged-'
RETURN p.id AS id, properties(p) AS props,
       COLLECT { MATCH (c:Council)-[m:MEMBER_OF]->(p)
                 RETURN [c.code, m.role, m.fromYear, m.toYear] ORDER BY c.code } AS members,
       COLLECT { MATCH (p)-[:COVERS]->(s:ServiceArea) RETURN s.code ORDER BY s.code } AS areas,
       COLLECT { MATCH (p)-[r:SOURCED_FROM]->(s:Source)
                 RETURN [s.url, r.date, r.note] ORDER BY s.url, r.date, r.note } AS sources,
       COLLECT { MATCH (a:AuditEntry {partnershipId: p.id})
                 RETURN [a.action, a.origin, a.before, a.after] ORDER BY a.at, a.seq } AS audit
ORDER BY id
"""


@pytest.fixture
def clean_db(loaded_db: Database) -> Iterator[Database]:
    yield loaded_db
    loaded_db.write(
        "MATCH (p:Partnership|StagedPartnership) WHERE p.id STARTS WITH 'fixture-staged-' "
        "DETACH DELETE p"
    )
    loaded_db.write(
        "MATCH (a:AuditEntry|StagedAuditEntry) WHERE a.partnershipId STARTS WITH "
        "'fixture-staged-' DELETE a"
    )
    loaded_db.write("MATCH (l:StagedLoad) DELETE l")
    loaded_db.write("MATCH (f:LoadedFile) WHERE f.path CONTAINS 'pytest' DELETE f")
    loaded_db.write("MATCH (s:Source) WHERE NOT EXISTS { (s)<-[:SOURCED_FROM]-() } DELETE s")


def _rows(rename: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The first ROWS bundled partnerships under fixture ids (``rename``: id -> new name)."""
    rows = []
    for row in read_csv_rows(PARTNERSHIPS)[:ROWS]:
        new_id = f"fixture-staged-{row['id']}"
        name = (rename or {}).get(new_id, f"{row['name']} (staged fixture)")
        rows.append(row | {"id": new_id, "name": name})
    return rows


def _write(folder: Path, rows: list[dict[str, str]], per_file: int) -> list[Path]:
    with PARTNERSHIPS.open(encoding="utf-8-sig", newline="") as handle:
        headings = next(csv.reader(handle))
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for start in range(0, len(rows), per_file):
        paths.append(folder / f"part-{start // per_file + 1:02d}.csv")
        with paths[-1].open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=headings)
            writer.writeheader()
            writer.writerows(rows[start : start + per_file])
    return paths


def _seen(db: Database) -> list[dict[str, Any]]:
    rows = db.read(SEEN)
    for row in rows:  # audit snapshots as data (the key order of the JSON text may differ)
        row["audit"] = [
            [a[0], a[1], json.loads(a[2]) if a[2] else None, json.loads(a[3])] for a in row["audit"]
        ]
    return rows


def _remove_fixtures(db: Database) -> None:
    db.write("MATCH (p:Partnership) WHERE p.id STARTS WITH 'fixture-staged-' DETACH DELETE p")
    db.write("MATCH (a:AuditEntry) WHERE a.partnershipId STARTS WITH 'fixture-staged-' DELETE a")


def test_a_staged_load_gives_the_same_graph_as_the_ordinary_load(
    clean_db: Database, tmp_path: Path
) -> None:
    (whole,) = _write(tmp_path / "whole", _rows(), ROWS)
    ordinary = load_partnership_file(clean_db, whole)
    assert ordinary.counts["partnerships"].created == ROWS
    expected = _seen(clean_db)
    _remove_fixtures(clean_db)

    before = data_version(clean_db)
    files = _write(tmp_path / "parts", _rows(), PER_FILE)
    report = load_staged(clean_db, [tmp_path / "parts"])
    assert report.errors == ()
    assert report.counts == ordinary.counts
    assert report.extra == {"staged": ROWS, "files": len(files)}
    assert _seen(clean_db) == expected
    assert data_version(clean_db) == before + 1  # published in one transaction
    assert clean_db.read(STAGED) == [{"n": 0}]

    # Again with one name changed: that partnership is updated in place, the rest unchanged.
    changed = "fixture-staged-" + read_csv_rows(PARTNERSHIPS)[5]["id"]
    _write(tmp_path / "parts", _rows({changed: "A corrected name"}), PER_FILE)
    again = load_staged(clean_db, files)
    assert (again.counts["partnerships"].updated, again.counts["partnerships"].unchanged) == (
        1,
        ROWS - 1,
    )
    after = {r["id"]: r for r in _seen(clean_db)}
    assert after[changed]["props"]["name"] == "A corrected name"
    assert after[changed]["members"] == next(r for r in expected if r["id"] == changed)["members"]
    assert len(after[changed]["audit"]) == 2
    assert data_version(clean_db) == before + 2


def test_a_staged_load_that_fails_half_way_leaves_nothing_visible(
    clean_db: Database, tmp_path: Path
) -> None:
    rows = _rows()
    rows[PER_FILE + 3]["council_gss_codes"] = "E99999999"  # in the second of three files
    _write(tmp_path, rows, PER_FILE)
    before, visible = data_version(clean_db), clean_db.read(VISIBLE)
    report = load_staged(clean_db, [tmp_path])
    assert {(e.file, e.row) for e in report.errors} == {("part-02.csv", 5)}
    assert "council_gss_codes" in {e.field for e in report.errors}
    assert not report.written
    assert clean_db.read(VISIBLE) == visible == [{"partnerships": 0, "memberships": 0}]
    assert clean_db.read(STAGED) == [{"n": 0}]  # the first file's staged nodes are gone
    assert data_version(clean_db) == before


def test_a_crashed_load_is_invisible_and_cleaned_at_the_next_start(
    clean_db: Database, tmp_path: Path
) -> None:
    first, second, _ = _write(tmp_path, _rows(), PER_FILE)
    vocabulary = (council_index_from_db(clean_db), service_areas_from_db(clean_db))
    # The first file staged, then the process dies before publishing, holding the lock.
    crashed = StagedLock()
    crashed.take(clean_db)
    staging = _prepare(clean_db, first, _read(first, vocabulary, None), _Run())
    assert staging is not None
    assert staging.staged == PER_FILE
    _write_staged(clean_db, staging, crashed)
    assert clean_db.read(STAGED)[0]["n"] > PER_FILE  # partnerships and their audit entries
    assert clean_db.read(VISIBLE) == [{"partnerships": 0, "memberships": 0}]

    with pytest.raises(StagedLoadBusy, match="another staged load is running"):
        load_staged(clean_db, [second])  # it may still be running: nothing of it is touched
    assert clean_db.read(STAGED)[0]["n"] > PER_FILE
    clean_db.write(  # as when it has been silent for longer than a live load ever is
        "MATCH (l:StagedLoad) SET l.heartbeat = datetime() - duration({seconds: $s})",
        {"s": STALE_AFTER_S + 1},
    )
    report = load_staged(clean_db, [second])
    assert report.counts["partnerships"].created == PER_FILE
    assert clean_db.read(STAGED) == [{"n": 0}]
    ids = {r["id"] for r in clean_db.read(SEEN)}
    assert ids == {r["id"] for r in _rows()[PER_FILE : 2 * PER_FILE]}


def test_an_interrupted_load_cleans_its_staged_nodes(clean_db: Database, tmp_path: Path) -> None:
    _write(tmp_path, _rows(), PER_FILE)

    def interrupt(done: int, total: int, staged: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        load_staged(clean_db, [tmp_path], progress=interrupt)
    assert clean_db.read(STAGED) == [{"n": 0}]
    assert clean_db.read(VISIBLE) == [{"partnerships": 0, "memberships": 0}]


def test_the_progress_reaches_the_total_and_the_statements_are_per_file(
    clean_db: Database, tmp_path: Path
) -> None:
    files = _write(tmp_path, _rows(), PER_FILE)
    seen: list[tuple[int, int, int]] = []
    before = clean_db.round_trips
    with counting_round_trips() as here:  # the writer thread's trips count here too
        report = load_staged(clean_db, [tmp_path], progress=lambda *step: seen.append(step))
    total = len(files) + 1  # each file, then the publish
    assert [s[:2] for s in seen] == [(n, total) for n in range(1, total)] + [(total, total)]
    assert seen[-1][2] == ROWS
    # Schema, the lock, clean, councils, service areas; per file one read (accepted edits
    # and stored partnerships), then in its transaction the lock renewed, the staged
    # partnerships, their audit entries; the publish: the lock renewed, the version, edits
    # accepted meanwhile, new partnerships' and audit entries' labels, the files (all are
    # new: nothing stored to copy onto); the lock released.
    assert clean_db.round_trips - before == report.round_trips == 6 + 4 * len(files) + 7
    assert here[0] == report.round_trips


def test_councilgraph_load_staged(
    clean_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, _rows()[:PER_FILE], PER_FILE)
    parser = argparse.ArgumentParser()
    add_load_arguments(parser)
    assert run_load(parser.parse_args(["--staged", str(tmp_path)]), clean_db) == 0
    out = capsys.readouterr().out
    assert f"partnerships: {PER_FILE} created, 0 updated, 0 unchanged" in out
    assert run_load(parser.parse_args(["--staged", str(tmp_path), "--dry-run"]), clean_db) == 2


def test_cleaning_with_nothing_staged_deletes_nothing(clean_db: Database) -> None:
    assert clean_staged(clean_db) == 0


def test_a_staged_load_leaves_partnerships_with_accepted_edits_alone(
    clean_db: Database, tmp_path: Path
) -> None:
    kept = _rows()[7]["id"]
    clean_db.write(
        "CREATE (:Submission {id: 'fixture-staged-submission', partnershipId: $id, "
        "status: 'accepted', reviewedAt: datetime('2026-01-02T00:00:00Z')})",
        {"id": kept},
    )
    try:
        _write(tmp_path, _rows()[:PER_FILE], PER_FILE)
        report = load_staged(clean_db, [tmp_path])
        assert report.counts["partnerships"].created == PER_FILE - 1
        assert kept not in {r["id"] for r in clean_db.read(SEEN)}
        assert any(kept in w and "fixture-staged-submission" in w for w in report.warnings)
    finally:
        clean_db.write("MATCH (s:Submission {id: 'fixture-staged-submission'}) DELETE s")


def test_an_edit_accepted_while_the_load_runs_is_not_undone(
    clean_db: Database, tmp_path: Path
) -> None:
    """A submission accepted after its partnership's file was staged, before the publish:
    the publish leaves the partnership as the edit made it (here: not created by the load),
    and says so."""
    edited = _rows()[PER_FILE + 5]["id"]  # in the second file
    files = _write(tmp_path, _rows(), PER_FILE)

    def accept(done: int, total: int, staged: int) -> None:
        if done == len(files):  # every file staged; the publish is next
            clean_db.write(
                "CREATE (:Submission {id: 'fixture-staged-during', partnershipId: $id, "
                "status: 'accepted', reviewedAt: datetime()})",
                {"id": edited},
            )

    try:
        report = load_staged(clean_db, [tmp_path], progress=accept)
        seen = {r["id"] for r in clean_db.read(SEEN)}
        assert seen == {r["id"] for r in _rows()} - {edited}
        assert clean_db.read(STAGED) == [{"n": 0}]
        assert any(edited in w and "accepted while the load ran" in w for w in report.warnings)
        stamps = clean_db.read(
            "MATCH (a:AuditEntry) WHERE a.partnershipId STARTS WITH 'fixture-staged-' "
            "RETURN count(DISTINCT a.at) AS n"
        )
        assert stamps == [{"n": 1}]  # dated when they became visible, all at the publish
    finally:
        clean_db.write("MATCH (s:Submission {id: 'fixture-staged-during'}) DELETE s")


def test_a_second_staged_load_waits_for_the_first(clean_db: Database, tmp_path: Path) -> None:
    """Each staged load cleans what is staged and publishes what is staged: a second one at
    the same time is refused, and a load whose lock was taken over publishes nothing."""
    _write(tmp_path, _rows()[:PER_FILE], PER_FILE)
    running = StagedLock()
    running.take(clean_db)
    with pytest.raises(StagedLoadBusy):
        load_staged(clean_db, [tmp_path])
    assert clean_db.read(VISIBLE) == [{"partnerships": 0, "memberships": 0}]
    assert clean_db.read("MATCH (l:StagedLoad) RETURN l.run AS run") == [{"run": running.run}]
    running.release(clean_db)
    report = load_staged(clean_db, [tmp_path])
    assert report.written
    assert clean_db.read("MATCH (l:StagedLoad) RETURN count(l) AS n") == [{"n": 0}]
    with pytest.raises(StagedLoadBusy, match="took over"):
        clean_db.write_transaction(running.renew)  # the old run's lock is gone


def test_a_load_with_errors_reports_nothing_written_and_no_skip_hint(
    clean_db: Database, tmp_path: Path
) -> None:
    rows = _rows()
    rows[3]["council_gss_codes"] = "E99999999"
    _write(tmp_path, rows, PER_FILE)
    report = load_staged(clean_db, [tmp_path])
    assert not report.written
    assert report.total().created == 0
    assert not any("--skip-invalid" in line for line in report.summary_lines())


def test_a_load_whose_lock_was_taken_over_stops_and_leaves_the_new_runs_work(
    clean_db: Database, tmp_path: Path
) -> None:
    """After a takeover what is staged belongs to the run holding the lock: the old run
    writes nothing more and cleans nothing."""
    _write(tmp_path, _rows(), PER_FILE)

    def taken_over(done: int, total: int, staged: int) -> None:
        if done == 1:  # the first file is staged; another run takes the lock now
            clean_db.write("MATCH (l:StagedLoad) SET l.run = 'another run'")

    with pytest.raises(StagedLoadBusy, match="took over"):
        load_staged(clean_db, [tmp_path], progress=taken_over)
    assert clean_db.read(STAGED)[0]["n"] > PER_FILE  # the first file's, left to the new run
    assert clean_db.read(VISIBLE) == [{"partnerships": 0, "memberships": 0}]
    assert clean_db.read("MATCH (l:StagedLoad) RETURN l.run AS run") == [{"run": "another run"}]


def test_the_collector_runs_every_few_files_and_is_restored(
    clean_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _write(tmp_path, _rows(), PER_FILE)
    monkeypatch.setattr(staged_memory, "COLLECT_EVERY", 2)
    collections: list[int] = []
    paused: list[bool] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and not gc.isenabled():  # while the files are staged
            collections.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        load_staged(clean_db, [tmp_path], progress=lambda *_: paused.append(not gc.isenabled()))
    finally:
        gc.callbacks.remove(seen)
    # While the files are staged: once every two files' writes (the young objects only: the
    # rest was frozen or collected before), never on its own; then running again as before,
    # nothing left frozen.
    assert collections == [1] * (len(files) // 2)
    assert paused == [True] * len(files) + [False]  # the publish's step comes after
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0

    _remove_fixtures(clean_db)
    gc.disable()  # a caller's own pause is left alone: nothing collected, still paused after
    try:
        load_staged(clean_db, [tmp_path])
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert collections == [1] * (len(files) // 2)


def _first_file_staging(db: Database, tmp_path: Path) -> tuple[StagedLock, _Staging]:
    """The lock taken and the first of the test files read, validated and compared, ready
    to be written (``_write_staged``)."""
    first, *_ = _write(tmp_path, _rows(), PER_FILE)
    vocabulary = (council_index_from_db(db), service_areas_from_db(db))
    lock = StagedLock()
    lock.take(db)
    staging = _prepare(db, first, _read(first, vocabulary, None), _Run())
    assert staging is not None
    return lock, staging


def test_a_written_files_rows_are_let_go(clean_db: Database, tmp_path: Path) -> None:
    # The driver keeps each statement's parameters in a reference cycle: emptied once the
    # transaction is over, the rows need no collection to be freed.
    lock, staging = _first_file_staging(clean_db, tmp_path)
    lists = [v for _, p in staging.statements for v in p.values() if isinstance(v, list)]
    assert sum(len(v) for v in lists) == 2 * PER_FILE  # partnerships, audit entries
    _write_staged(clean_db, staging, lock)
    assert lists == [[]] * len(lists)
    assert clean_db.read(STAGED)[0]["n"] == 2 * PER_FILE  # written before being let go
    clean_staged(clean_db)
    lock.release(clean_db)


def _db_hits(plan: Any, details: str) -> int:
    """The db hits of the operators of ``plan`` whose details contain ``details``."""
    here = int(plan.get("dbHits", 0)) if details in str(plan.get("args", {})) else 0
    return here + sum(_db_hits(child, details) for child in plan.get("children", []))


def test_the_publish_reads_no_staged_audit_entry_when_nothing_was_edited(
    clean_db: Database, tmp_path: Path
) -> None:
    lock, staging = _first_file_staging(clean_db, tmp_path)
    _write_staged(clean_db, staging, lock)
    with clean_db.driver.session(database=clean_db.name) as session:
        tx = session.begin_transaction()
        result = tx.run("PROFILE " + queries.DROP_EDITED_SINCE_STAGED)
        assert result.single(strict=True)["ids"] == []
        plan = result.consume().profile
        tx.rollback()
    assert _db_hits(plan, "a:StagedAuditEntry") == 0
    assert _db_hits(plan, "s:StagedPartnership") > PER_FILE  # each staged one was checked
    clean_staged(clean_db)
    lock.release(clean_db)
