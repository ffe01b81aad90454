"""The staged load: many partnership files, national scale, bounded memory, all or nothing.

An ordinary load is one write transaction, so everything it writes is held in that
transaction's memory until it commits: fine for the bundled data, not for a national data set
(tens of thousands of partnerships, hundreds of thousands of memberships). The staged load
(docs/performance.md, Loading) keeps the promise "a reader sees all of the load or none of it"
with bounded transactions instead:

1. **Clean.** Staged nodes left by a load that crashed or was refused are deleted first, in
   bounded transactions (:data:`CLEAN_BATCH` nodes each).
2. **Stage.** Each file is read and validated exactly as ``councilgraph load --partnerships``
   reads one (``read_table``, ``validate_file_rows``, the same rules and limits), against the
   councils and service areas in the graph; its stored partnerships and accepted edits are
   read (one read, outside the write: staged writes change nothing it reads), and in its own
   short write transaction its changed partnerships are written whole as new
   ``StagedPartnership`` nodes with their memberships, services and sources, and their audit
   entries as ``StagedAuditEntry`` nodes (``loaders.writer.write_partnerships(staged=True)``:
   the same comparison, counts and accepted-edit rule as an ordinary load). No reader matches
   these labels. The files go through as a pipeline (:func:`_stage_all`): while Neo4j writes
   one file, the next is compared with the graph and the one after it read and validated (two
   threads beside the caller's). Memory is bounded by three files (the Python process) and one
   file's writes (Neo4j), not by the data set; only the ids seen so far are kept, to refuse an
   id given twice. Python's garbage collector runs every few files (``loaders/staged_memory.py``).
3. **Publish**, in one short transaction: staged partnerships that replace stored ones are
   copied onto them (links replaced), the others change label to ``Partnership``, staged
   audit entries become ``AuditEntry``, the data version is bumped and the files recorded.

Any data error in any file means nothing is published: the staged nodes are deleted and the
errors reported (all of them for the files read until then: a file with errors stops the load).
A crash before the publish leaves only staged nodes, which the next staged load removes; a
crash during the publish rolls it back. One staged load at a time: a lock in the graph
(``loaders/staged_lock.py``), renewed with each file's writes and at the publish. The publish
takes the data version's lock first, then leaves alone any partnership whose edit was
accepted since its file was compared with the graph (as every load leaves edited ones), with
a warning; audit entries are dated when they become visible.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from contextvars import copy_context
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, LiteralString

from graph.audit import LoadAudit, PartnershipChange, audit_rows
from graph.db import Database, Tx
from graph.schema import bump_data_version, ensure_schema
from loaders import queries
from loaders.errors import DataError, LoadUsageError
from loaders.known import council_index_from_db, service_areas_from_db
from loaders.limits import FileLimits
from loaders.load import LoadReport, _neo4j_refusals, _stop_when_out_of_memory
from loaders.matching import CouncilIndex
from loaders.partnerships import FileValidation, PartnershipRecord, read_table
from loaders.prepared import validated
from loaders.sources import sha256_of
from loaders.staged_lock import StagedLock
from loaders.staged_memory import collected_every_few_files
from loaders.writer import (
    Counts,
    partnership_row,
    record_loaded_files,
    write_partnerships,
)

__all__ = ["CLEAN_BATCH", "StagedProgress", "clean_staged", "load_staged", "staged_files"]

#: Staged nodes deleted per transaction when cleaning up.
CLEAN_BATCH = 5000
#: Files a staged load reads.
SUFFIXES = (".csv", ".xlsx")

#: Told (files done, files in all, partnerships staged so far) after each file and the publish.
StagedProgress = Callable[[int, int, int], None]


def _no_progress(done: int, total: int, staged: int) -> None:
    """The default progress hook: silent."""


def staged_files(paths: Iterable[Path]) -> list[Path]:
    """The partnership files named: each file as given, each folder's CSV and XLSX files in
    name order.

    Raises
    ------
    LoadUsageError : a path that does not exist, or no file at all.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES)
        elif path.is_file():
            found.append(path)
        else:
            raise LoadUsageError(f"{path}: no such file or folder")
    if not found:
        raise LoadUsageError("no partnership files to load (expected .csv or .xlsx files)")
    return found


def clean_staged(db: Database) -> int:
    """Delete every staged node (a crashed load's), :data:`CLEAN_BATCH` per transaction."""
    deleted = 0
    while True:
        rows = db.write(queries.DELETE_STAGED, {"limit": CLEAN_BATCH})
        deleted += int(rows[0]["deleted"])
        if int(rows[0]["deleted"]) < CLEAN_BATCH:
            break
    if deleted:
        db.write(queries.DELETE_ORPHAN_SOURCES)  # sources only staged partnerships cited
    return deleted


@dataclass
class _StagedAudit:
    """The staged load's audit hook: accepted edits win (as in every load); the entries of
    what it changed are staged with the partnerships."""

    audit: LoadAudit
    accepted: dict[str, tuple[str, Any]] = field(default_factory=dict)  # by the file's read

    def protected(self, tx: Tx, ids: Sequence[str]) -> set[str]:
        self.audit.kept = {i: self.accepted[i] for i in ids if i in self.accepted}
        return set(self.audit.kept)

    def changed(self, tx: Tx, changes: Sequence[PartnershipChange]) -> None:
        rows = audit_rows(
            changes, origin="file", file=self.audit.file, loaded_by=self.audit.loaded_by
        )
        tx.run(queries.STAGE_AUDIT_ENTRIES, {"rows": rows})


@dataclass(frozen=True, slots=True)
class _File:
    """One file read and validated, with its records' rows made beforehand."""

    validation: FileValidation
    rows: dict[str, dict[str, Any]]  # id -> partnership_row


@dataclass
class _Run:
    """What a staged load has done so far."""

    counts: dict[str, Counts] = field(
        default_factory=lambda: {"partnerships": Counts(), "memberships": Counts()}
    )
    errors: list[DataError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: list[dict[str, object]] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)  # id -> the file that gave it
    rows: int = 0

    def add(self, counts: dict[str, Counts]) -> None:
        for kind, value in counts.items():
            self.counts[kind] = self.counts[kind] + value


def _duplicates(records: Sequence[PartnershipRecord], name: str, run: _Run) -> list[DataError]:
    """Ids an earlier file already gave (each file checks its own rows)."""
    errors = []
    for record in records:
        if record.id in run.seen:
            errors.append(
                DataError(
                    name,
                    None,
                    "id",
                    "id",
                    record.id,
                    f"duplicate id: {run.seen[record.id]} has it too",
                    "every partnership needs its own id across the files of a staged load",
                )
            )
        run.seen.setdefault(record.id, name)
    return errors


def _read(
    path: Path,
    vocabulary: tuple[CouncilIndex, dict[str, str]],
    limits: FileLimits | None,
) -> _File:
    """One file read and validated exactly as ``--partnerships FILE`` reads one, with its
    records' rows made ready."""
    validation = validated(read_table(path, path.name, limits), path.name, lambda: vocabulary)
    return _File(validation, {r.id: partnership_row(r) for r in validation.records})


class _Recorder(Tx):
    """A transaction that records the statements sent to it (none of them reads), to be run
    later, in the same order, in one real transaction (:func:`_write_staged`)."""

    def __init__(self) -> None:  # no driver transaction behind it
        self.statements: list[tuple[LiteralString, dict[str, Any]]] = []

    def run(
        self, query: LiteralString, parameters: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        self.statements.append((query, dict(parameters or {})))
        return []


@dataclass(frozen=True, slots=True)
class _Staging:
    """One file's staged writes, worked out: the statements of its transaction."""

    name: str
    statements: list[tuple[LiteralString, dict[str, Any]]]
    staged: int  # partnerships written as staged nodes


def _prepare(db: Database, path: Path, read: _File, run: _Run) -> _Staging | None:
    """Work out one validated file's staged writes (None when it has errors, gives an id an
    earlier file gave, or changes nothing), adding its counts to ``run``.

    Its stored partnerships and accepted edits are read first (one read), outside the write:
    staged writes change nothing a reader (this one included) sees, so the next file's read
    and comparison run while Neo4j writes this one."""
    name, validation = path.name, read.validation
    errors = [*validation.errors, *_duplicates(validation.records, name, run)]
    run.rows += validation.rows
    run.errors += errors
    run.warnings += validation.warnings
    if errors or not validation.records:
        return None
    hook = _StagedAudit(LoadAudit(str(path.resolve())))
    ids = [r.id for r in validation.records]
    with _neo4j_refusals(name):
        state = db.read(queries.READ_PARTNERSHIP_STATE, {"ids": ids})[0]
    hook.accepted = {r["id"]: (r["submissionId"], r["reviewedAt"]) for r in state["accepted"]}
    recorder = _Recorder()
    counts = write_partnerships(
        recorder,
        validation.records,
        apply=True,
        hook=hook,
        staged=True,
        rows=read.rows,
        stored=state["partnerships"],
    )
    run.add(counts)
    run.warnings += hook.audit.warnings()
    done = counts["partnerships"]
    run.files.append(
        {
            "path": str(path.resolve()),
            "sha256": sha256_of(path),
            "kind": "partnerships",
            "rows": validation.rows,
            "created": done.created,
            "updated": done.updated,
            "unchanged": done.unchanged,
            "errors": 0,
        }
    )
    return _Staging(name, recorder.statements, done.created + done.updated)


def _write_staged(db: Database, staging: _Staging, lock: StagedLock) -> None:
    """Run one file's staged writes in its own transaction, the lock renewed in it."""

    def work(tx: Tx) -> None:
        lock.renew(tx)
        for query, parameters in staging.statements:
            tx.run(query, parameters)

    if staging.statements:
        try:
            with _neo4j_refusals(staging.name):
                db.write_transaction(_stop_when_out_of_memory(work, staging.name))
        finally:  # the driver keeps each statement's parameters in a reference cycle
            for _, parameters in staging.statements:
                for value in parameters.values():
                    if isinstance(value, list):
                        value.clear()  # so its rows are freed now, not at a collection


def _stage_all(
    db: Database,
    files: Sequence[Path],
    read: Callable[[Path], _File],
    progress: StagedProgress,
    lock: StagedLock,
) -> tuple[_Run, int]:
    """Stage every file, three at a time in flight: the next one read and validated (a
    thread), this one compared with the graph (here), the previous one written (a thread).
    Stops at the first file with errors, once the writes already sent have ended."""
    with collected_every_few_files() as collect:
        return _staged_files(db, files, read, progress, lock, collect)


def _staged_files(
    db: Database,
    files: Sequence[Path],
    read: Callable[[Path], _File],
    progress: StagedProgress,
    lock: StagedLock,
    collect: Callable[[], object],
) -> tuple[_Run, int]:
    """:func:`_stage_all`; ``collect`` is called once each file's write has ended."""
    run, staged, total = _Run(), 0, len(files) + 1
    with ThreadPoolExecutor(max_workers=1) as reader, ThreadPoolExecutor(max_workers=1) as writer:
        pending = reader.submit(read, files[0])
        writing: Future[None] | None = None
        for number, path in enumerate(files, start=1):
            done = pending.result()
            if number < len(files):
                pending = reader.submit(read, files[number])
            staging = _prepare(db, path, done, run)
            if writing is not None:
                writing.result()
                collect()
                progress(number - 1, total, staged)
            if run.errors:
                return run, staged
            if staging is not None:
                # The round trips it makes count where this load's do (graph.db).
                writing = writer.submit(copy_context().run, _write_staged, db, staging, lock)
                staged += staging.staged
            else:
                writing = None
                progress(number, total, staged)
        if writing is not None:
            writing.result()
            collect()
            progress(len(files), total, staged)
    return run, staged


def _publish(tx: Tx, run: _Run, lock: StagedLock) -> tuple[int | None, list[str]]:
    """Make the staged partnerships visible: (the new data version, None for no change; the
    ids left alone because an edit was accepted since their file was staged)."""
    lock.renew(tx)
    version, edited, counts = None, [], run.counts["partnerships"]
    if counts.changed:
        # Bumped first: the version node's lock queues any acceptance behind this publish,
        # and one accepted before it is seen by the next statement.
        version = bump_data_version(tx)
        edited = list(tx.run(queries.DROP_EDITED_SINCE_STAGED)[0]["ids"])
        replaced = 0
        if counts.updated:
            replaced = int(tx.run(queries.PUBLISH_REPLACED)[0]["replaced"])
        tx.run(queries.PUBLISH_NEW)
        tx.run(queries.PUBLISH_AUDIT_ENTRIES)
        if replaced or edited:
            tx.run(queries.DELETE_ORPHAN_SOURCES)
    record_loaded_files(tx, run.files, apply=True)
    return version, edited


def load_staged(
    db: Database,
    paths: Iterable[Path],
    *,
    progress: StagedProgress = _no_progress,
    limits: FileLimits | None = None,
) -> LoadReport:
    """Load partnership files (or folders of them) as one staged, all-or-nothing load.

    Raises
    ------
    LoadUsageError : no such file or folder, or the graph has no councils yet.
    LoadRefused : Neo4j refused a transaction (memory, time); nothing was published.
    """
    started, trips_before = time.perf_counter(), db.round_trips
    files = staged_files(paths)
    ensure_schema(db)
    lock = StagedLock()
    lock.take(db)
    try:
        report = _load_locked(db, files, lock, progress, limits)
    finally:
        with suppress(Exception):  # a lock left behind goes stale: the next load takes it
            lock.release(db)
    return replace(
        report,
        round_trips=db.round_trips - trips_before,
        seconds=time.perf_counter() - started,
    )


def _load_locked(
    db: Database,
    files: list[Path],
    lock: StagedLock,
    progress: StagedProgress,
    limits: FileLimits | None,
) -> LoadReport:
    """:func:`load_staged` with the lock held."""
    clean_staged(db)
    with _neo4j_refusals(str(files[0])):
        vocabulary = (council_index_from_db(db), service_areas_from_db(db))
    if len(vocabulary[0]) == 0:
        raise LoadUsageError(
            "the graph has no councils yet: run `councilgraph load` (bundled data) first"
        )
    try:
        run, staged = _stage_all(
            db, files, lambda path: _read(path, vocabulary, limits), progress, lock
        )
        version = None
        if run.errors:
            if lock.holds(db):  # else what is staged is the run that took the lock over's
                clean_staged(db)
            run.counts = {kind: Counts() for kind in run.counts}  # nothing was written
        else:
            with _neo4j_refusals(str(files[-1])):
                version, edited = db.write_transaction(lambda tx: _publish(tx, run, lock))
            run.warnings += [
                f"partnership {pid}: an edit was accepted while the load ran; left as edited"
                for pid in edited
            ]
    except BaseException:
        with suppress(Exception):  # the first error is the one to report
            if lock.holds(db):  # the next staged load cleans whatever this cannot
                clean_staged(db)
        raise
    progress(len(files) + 1, len(files) + 1, staged)
    return LoadReport(
        files=tuple(p.name for p in files),
        counts=run.counts,
        errors=tuple(run.errors),
        warnings=tuple(run.warnings),
        written=version is not None,
        rows=run.rows,
        data_version=version,
        staged=True,
        extra={"staged": staged, "files": len(files)},
    )
