"""The two loads: all bundled data, and a user's partnership file.

Both validate everything first and collect every error; by default a file with any error
writes nothing. The writes of one load run in one write transaction, so an interrupted
load leaves the graph as it was, and a rerun completes it. The ``DataVersion`` is bumped in
that same transaction when anything changed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from neo4j.exceptions import Neo4jError

from graph.audit import LoadAudit, PartnershipChange
from graph.db import Database, Tx
from graph.schema import bump_data_version, ensure_schema
from loaders import queries
from loaders.errors import DataError, LoadRefused, LoadUsageError
from loaders.known import council_index_from_db, service_areas_from_db
from loaders.limits import FileLimits
from loaders.matching import CouncilIndex
from loaders.partnerships import read_table
from loaders.prepared import PreparedBundled, prepare_bundled, validated
from loaders.proposals import write_proposals
from loaders.sources import BundledSources, sha256_of
from loaders.writer import (
    Counts,
    ReferenceState,
    record_loaded_files,
    write_partnerships,
    write_reference,
)

__all__ = [
    "BUNDLED_STEPS",
    "FILE_STEPS",
    "LoadReport",
    "ProgressHook",
    "council_index_from_db",
    "load_bundled",
    "load_partnership_file",
    "service_areas_from_db",
]

#: Called with a description as each step of a load starts (the CLI draws a progress bar).
ProgressHook = Callable[[str], None]

BUNDLED_STEPS = (
    "Reading councils and boundaries",
    "Validating partnerships",
    "Writing to Neo4j",
)
FILE_STEPS = ("Reading the file", "Validating rows", "Writing to Neo4j")


def _no_progress(description: str) -> None:
    """The default progress hook: silent."""


T = TypeVar("T")

#: Neo4j's codes for "this transaction needs more memory than it may have", each with the
#: server setting that decides (the message usually names it too).
MEMORY_LIMIT_SETTINGS = {
    "Neo.TransientError.General.MemoryPoolOutOfMemoryError": "dbms.memory.transaction.total.max",
    "Neo.ClientError.General.TransactionOutOfMemoryError": "db.memory.transaction.max",
    "Neo.TransientError.General.OutOfMemoryError": "server.memory.heap.max_size",
}
_SETTING_NAMED = re.compile(r"([a-z_]+(?:\.[a-z_]+)+) threshold reached")


def _refused(error: Neo4jError, file: str) -> LoadRefused:
    """One line for the user: what Neo4j said, that nothing was written, and what to change."""
    code = error.code or "no code"
    text = (error.message or str(error) or "").strip()
    said = text.splitlines()[0] if text else code
    if code in MEMORY_LIMIT_SETTINGS:
        named = _SETTING_NAMED.search(said)
        setting = named.group(1) if named else MEMORY_LIMIT_SETTINGS[code]
        return LoadRefused(
            f"{file}: Neo4j refused the load: it needs more transaction memory than "
            f"{setting} allows (Neo4j: {said}); nothing was written. A load is one "
            f"transaction: split the file into smaller ones, or raise {setting} (and the "
            "heap) on the Neo4j server"
        )
    return LoadRefused(f"{file}: Neo4j refused the load ({code}: {said}); nothing was written")


def _stop_when_out_of_memory(work: Callable[[Tx], T], file: str) -> Callable[[Tx], T]:
    """``work``, raising at once when Neo4j runs out of transaction memory.

    The driver retries transient errors, and a memory pool error is one, but the same load
    runs out again on every attempt (for 15 s of retries): an error that is not the
    driver's ends the transaction function without a retry, and the transaction rolls back.
    """

    def guarded(tx: Tx) -> T:
        try:
            return work(tx)
        except Neo4jError as error:
            if error.code in MEMORY_LIMIT_SETTINGS:
                raise _refused(error, file) from error
            raise

    return guarded


@contextmanager
def _neo4j_refusals(file: str) -> Iterator[None]:
    """Neo4j's refusals of the load (after the driver's retries) as one-line LoadRefused."""
    try:
        yield
    except Neo4jError as error:
        raise _refused(error, file) from error


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a load did (or, for a dry run, would do)."""

    files: tuple[str, ...]
    counts: Mapping[str, Counts]
    errors: tuple[DataError, ...] = ()
    warnings: tuple[str, ...] = ()
    dry_run: bool = False
    skip_invalid: bool = False
    written: bool = False
    rows: int = 0
    skipped_rows: tuple[int, ...] = ()
    data_version: int | None = None
    round_trips: int = 0
    seconds: float = 0.0
    extra: Mapping[str, Any] = field(default_factory=dict)
    staged: bool = False  # loaders/staged.py: all files or none, no --skip-invalid

    @property
    def changed(self) -> bool:
        """True when the load changed (or would change) anything."""
        return any(c.changed for c in self.counts.values())

    @property
    def exit_code(self) -> int:
        """0 when there were no data errors, 1 otherwise (even with --skip-invalid)."""
        return 1 if self.errors else 0

    def total(self) -> Counts:
        """All kinds added up."""
        total = Counts()
        for counts in self.counts.values():
            total += counts
        return total

    def summary_lines(self) -> list[str]:
        """A human summary: one line per kind, then the outcome."""
        lines = []
        for kind, c in self.counts.items():
            parts = [f"{c.created} created", f"{c.updated} updated", f"{c.unchanged} unchanged"]
            if c.deleted:
                parts.append(f"{c.deleted} deleted")
            lines.append(f"{kind.replace('_', ' ')}: " + ", ".join(parts))
        total = self.total()
        outcome = f"{total.created} created, {total.updated} updated"
        if total.deleted:
            outcome += f", {total.deleted} deleted"
        if self.dry_run and self.errors and not self.skip_invalid:
            lines.append(
                "dry run: nothing written; with these errors a load would write nothing "
                f"(the counts are for the valid rows, as --skip-invalid would write: {outcome})"
            )
        elif self.dry_run:
            lines.append(f"dry run: nothing written; a load would make {outcome}")
        elif self.written:
            lines.append(f"written: {outcome}; data version {self.data_version}")
        elif self.errors and not self.written:
            whole_file = any(e.row is None or e.row == 1 for e in self.errors)
            skippable = not (whole_file or self.skip_invalid or self.staged)
            hint = " (or use --skip-invalid)" if skippable else ""
            lines.append(f"nothing written: fix the errors above{hint}")
        else:
            lines.append(f"no changes: {outcome}")
        if self.skipped_rows:
            rows = ", ".join(str(r) for r in self.skipped_rows)
            lines.append(f"skipped invalid rows: {rows}")
        lines.append(
            f"{len(self.errors)} errors; {self.round_trips} round trips; {self.seconds:.1f} s"
        )
        return lines


_NOT_COUNTED: dict[str, object] = {
    "rows": None,
    "created": None,
    "updated": None,
    "unchanged": None,
    "errors": 0,
}


def _file_counts(
    rows: int, counts: Mapping[str, Counts], errors: Sequence[DataError]
) -> dict[str, object]:
    """What a partnership file's ``LoadedFile`` records: its rows, what it did, its errors."""
    done = counts["partnerships"]
    return {
        "rows": rows,
        "created": done.created,
        "updated": done.updated,
        "unchanged": done.unchanged,
        "errors": len(errors),
    }


def _graph_vocabulary(
    db: Database, display: str, progress: ProgressHook
) -> tuple[CouncilIndex, dict[str, str]]:
    """The councils and service areas in the graph, to validate a user's file against."""
    with _neo4j_refusals(display):
        index = council_index_from_db(db)
        areas = service_areas_from_db(db)
    if len(index) == 0:
        raise LoadUsageError(
            "the graph has no councils yet: run `councilgraph load` (bundled data) first"
        )
    progress(FILE_STEPS[1])
    return index, areas


def load_bundled(
    db: Database,
    *,
    dry_run: bool = False,
    sources: BundledSources | None = None,
    progress: ProgressHook = _no_progress,
    limits: FileLimits | None = None,
) -> LoadReport:
    """Load every bundled file (councils, borders, service areas, partnerships) into ``db``.

    Works on an empty or an already loaded database; a reload reports 0 created, 0 updated.
    Any data error in the bundled partnerships means nothing is written. The files are read
    and validated once per content (``loaders.prepared``); the graph's current state is read
    by one statement and the changes written by a few (docs/performance.md, Loading).

    Raises
    ------
    LoadRefused : Neo4j refused the load's transaction (memory, time); nothing was written.
    """
    started, trips_before = time.perf_counter(), db.round_trips
    prepared = prepare_bundled(
        sources or BundledSources(), limits, lambda step: progress(BUNDLED_STEPS[step])
    )
    progress(BUNDLED_STEPS[2])
    errors = list(prepared.errors)
    apply = not dry_run and not errors
    audit = LoadAudit(prepared.partnership_file)  # accepted edits win; every change audited

    def work(tx: Tx) -> tuple[dict[str, Counts], int | None]:
        return _write_bundled(tx, prepared, audit, apply)

    guarded = _stop_when_out_of_memory(work, prepared.partnership_file)
    with _neo4j_refusals(prepared.partnership_file):
        if not dry_run:
            ensure_schema(db)
        run = db.write_transaction if apply else db.read_transaction
        counts, version = run(guarded, timeout=120)
    councils = prepared.councils
    return LoadReport(
        files=prepared.files,
        counts=counts,
        errors=tuple(errors),
        warnings=(*prepared.validation.warnings, *audit.warnings()),
        dry_run=dry_run,
        written=apply and any(c.changed for c in counts.values()),
        rows=prepared.validation.rows,
        data_version=None if dry_run else version,
        round_trips=db.round_trips - trips_before,
        seconds=time.perf_counter() - started,
        extra={"councils_in_scope": len(councils.councils), "borders": len(councils.borders)},
    )


@dataclass
class _KnownEdits:
    """The load's audit hook, told the accepted edits by the load's one read of the state."""

    audit: LoadAudit
    accepted: Mapping[str, tuple[str, Any]]

    def protected(self, tx: Tx, ids: Sequence[str]) -> set[str]:
        self.audit.kept = {i: self.accepted[i] for i in ids if i in self.accepted}
        return set(self.audit.kept)

    def changed(self, tx: Tx, changes: Sequence[PartnershipChange]) -> None:
        self.audit.changed(tx, changes)


def _write_bundled(
    tx: Tx, prepared: PreparedBundled, audit: LoadAudit, apply: bool
) -> tuple[dict[str, Counts], int | None]:
    """The bundled load's transaction: one read of the state, the writes, the provenance;
    returns the counts and the data version (bumped when anything changed)."""
    state = tx.run(queries.READ_LOAD_STATE, {"ids": prepared.ids})[0]
    accepted = {r["id"]: (r["submissionId"], r["reviewedAt"]) for r in state["accepted"]}
    reference = write_reference(
        tx,
        ReferenceState.from_row(state),
        (prepared.areas, prepared.councils, prepared.editions),
        apply=apply,
    )
    counts = {k: reference[k] for k in _BEFORE_PARTNERSHIPS}
    counts |= write_partnerships(
        tx,
        prepared.validation.records,
        apply=apply,
        hook=_KnownEdits(audit, accepted),
        stored=state["partnerships"],
    )
    counts["lga_editions"] = reference["lga_editions"]
    counts["proposals"] = write_proposals(
        tx, prepared.proposals, apply=apply, replace_origin="bundled", stored=state["proposals"]
    )
    version = state["version"]
    if apply and any(c.changed for c in counts.values()):
        version = bump_data_version(tx)
    rows, name = prepared.validation.rows, prepared.partnership_file
    file_rows = [
        {"path": f, "sha256": prepared.hashes[f], "kind": "bundled"}
        | (_file_counts(rows, counts, prepared.errors) if f == name else _NOT_COUNTED)
        for f in prepared.files
    ]
    record_loaded_files(tx, file_rows, apply=apply)
    return counts, None if version is None else int(version)


#: The counts' order in the report (as the kinds are written).
_BEFORE_PARTNERSHIPS = ("service_areas", "councils", "within", "succeeded_by", "borders")


def load_partnership_file(
    db: Database,
    path: Path | str,
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: ProgressHook = _no_progress,
    limits: FileLimits | None = None,
    columns: Mapping[str, str] | None = None,
) -> LoadReport:
    """Validate and load a user's partnership file (CSV or XLSX, bundled or LGA layout).

    Headings are matched to fields by meaning (``loaders.partnerships.HEADER_ALIASES``);
    ``columns`` (field -> heading, ``--column FIELD=HEADER``) overrides them. The mapping used
    is in the report (``extra["columns"]``: (heading, field) pairs).

    Councils are matched against those already in the graph, so the bundled data must be
    loaded first. With errors, nothing is written unless ``skip_invalid`` (then the valid
    rows are written and the invalid ones reported). A file over ``limits`` (size, cell
    length; default :class:`FileLimits`) is reported as a data error, before it is read.

    Raises
    ------
    LoadUsageError : the file does not exist or cannot be read, or the graph has no councils.
    LoadRefused : Neo4j refused the load's transaction (memory, time); nothing was written.
    """
    started, trips_before = time.perf_counter(), db.round_trips
    path = Path(path)
    if not path.is_file():
        raise LoadUsageError(f"{path}: no such file")
    display = path.name if path.is_absolute() else str(path)
    progress(FILE_STEPS[0])
    table, errors = read_table(path, display, limits)
    validation = validated(
        (table, errors), display, lambda: _graph_vocabulary(db, display, progress), columns
    )
    records, warnings, rows = validation.records, validation.warnings, validation.rows
    mapped, errors = validation.columns, list(validation.errors)
    progress(FILE_STEPS[2])
    error_rows = sorted({e.row for e in errors if e.row is not None})
    whole_file_error = any(e.row is None or e.row == 1 for e in errors)
    apply = not dry_run and (not errors or (skip_invalid and not whole_file_error))
    audit = LoadAudit(str(path.resolve()))  # accepted edits win; every change audited
    file_row: dict[str, object] = {"path": str(path.resolve()), "kind": "partnerships"}

    def work(tx: Tx) -> tuple[dict[str, Counts], int | None]:
        counts = write_partnerships(tx, records, apply=apply, hook=audit)
        version = None
        if apply and any(c.changed for c in counts.values()):
            version = bump_data_version(tx)
        record_loaded_files(tx, [file_row | _file_counts(rows, counts, errors)], apply=apply)
        return counts, version

    if records and (apply or dry_run):
        file_row["sha256"] = sha256_of(path)  # read only for a file that may be written
        with _neo4j_refusals(display):
            run = db.write_transaction if apply else db.read_transaction
            counts, version = run(_stop_when_out_of_memory(work, display))
    else:
        counts, version = {"partnerships": Counts(), "memberships": Counts()}, None
    return LoadReport(
        files=(display,),
        counts=counts,
        errors=tuple(errors),
        warnings=(*warnings, *audit.warnings()),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        written=apply and any(c.changed for c in counts.values()),
        rows=rows,
        skipped_rows=tuple(error_rows) if apply and errors else (),
        data_version=version,
        round_trips=db.round_trips - trips_before,
        seconds=time.perf_counter() - started,
        extra={"columns": mapped},
    )
