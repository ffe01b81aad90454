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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from neo4j.exceptions import Neo4jError

from graph import taxonomy
from graph.audit import LoadAudit
from graph.db import Database, Tx
from graph.schema import bump_data_version, data_version, ensure_schema
from loaders.councils import build_council_data
from loaders.errors import DataError, LoadRefused, LoadUsageError
from loaders.known import council_index_from_db, service_areas_from_db
from loaders.limits import FileLimits
from loaders.matching import CouncilIndex
from loaders.partnerships import (
    FileValidation,
    Table,
    read_table,
    validate_file_rows,
)
from loaders.proposals import read_bundled_proposals, write_proposals
from loaders.reference import read_lga_editions
from loaders.sources import DATA_DIR, BundledSources, sha256_of
from loaders.writer import (
    Counts,
    ServiceAreaRecord,
    record_loaded_files,
    write_councils,
    write_lga_editions,
    write_partnerships,
    write_service_areas,
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
            hint = "" if whole_file or self.skip_invalid else " (or use --skip-invalid)"
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


def _display(path: Path) -> str:
    """The file's path relative to the data folder or cwd when possible, for messages."""
    for base in (DATA_DIR.parent, Path.cwd()):
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)


def _service_areas() -> list[ServiceAreaRecord]:
    return [
        ServiceAreaRecord(layer.code, layer.label, layer.office, layer.description)
        for layer in taxonomy.layers()
    ]


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


def _validated(
    read: tuple[Table | None, list[DataError]],
    display: str,
    vocabulary: Callable[[], tuple[CouncilIndex, Mapping[str, str]]],
    columns: Mapping[str, str] | None = None,
) -> FileValidation:
    """A file as read (``read_table``) and validated, its reading errors first; councils and
    service areas (``vocabulary``) are only asked for when the file could be read."""
    table, errors = read
    if table is None:
        return FileValidation((), tuple(errors), (), 0)
    index, areas = vocabulary()
    validation = validate_file_rows(table, display, index, areas, columns)
    return replace(validation, errors=(*errors, *validation.errors))


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
    Any data error in the bundled partnerships means nothing is written.

    Raises
    ------
    LoadRefused : Neo4j refused the load's transaction (memory, time); nothing was written.
    """
    started, trips_before = time.perf_counter(), db.round_trips
    sources = sources or BundledSources()
    progress(BUNDLED_STEPS[0])
    councils = build_council_data(sources)
    areas = _service_areas()
    progress(BUNDLED_STEPS[1])
    index = CouncilIndex(c.ref() for c in councils.councils)
    partnership_file = _display(sources.partnerships)
    validation = _validated(
        read_table(sources.partnerships, partnership_file, limits),
        partnership_file,
        lambda: (index, {a.code: a.label for a in areas}),
    )
    records, warnings, rows = validation.records, validation.warnings, validation.rows
    errors = list(validation.errors)
    editions, edition_errors = read_lga_editions(sources.lga_figures, _display(sources.lga_figures))
    errors = [*errors, *edition_errors]
    proposals, proposal_errors = read_bundled_proposals(index)  # docs/reorganisation.md
    errors = [*errors, *proposal_errors]
    progress(BUNDLED_STEPS[2])
    apply = not dry_run and not errors
    files = [_display(p) for p in sources.files()]
    hashes = {name: sha256_of(path) for name, path in zip(files, sources.files(), strict=True)}
    audit = LoadAudit(partnership_file)  # accepted edits win; every change audited

    def work(tx: Tx) -> tuple[dict[str, Counts], int | None]:
        counts = {"service_areas": write_service_areas(tx, areas, apply=apply)}
        counts |= write_councils(tx, councils, apply=apply)
        counts |= write_partnerships(tx, records, apply=apply, hook=audit)
        counts["lga_editions"] = write_lga_editions(tx, editions, apply=apply)
        counts["proposals"] = write_proposals(tx, proposals, apply=apply, replace_origin="bundled")
        version = None
        if apply and any(c.changed for c in counts.values()):
            version = bump_data_version(tx)
        file_rows = [
            {"path": name, "sha256": hashes[name], "kind": "bundled"}
            | (_file_counts(rows, counts, errors) if name == partnership_file else _NOT_COUNTED)
            for name in files
        ]
        record_loaded_files(tx, file_rows, apply=apply)
        return counts, version

    guarded = _stop_when_out_of_memory(work, partnership_file)
    with _neo4j_refusals(partnership_file):
        if not dry_run:
            ensure_schema(db)
        run = db.write_transaction if apply else db.read_transaction
        counts, version = run(guarded, timeout=120)
        current_version = data_version(db) if version is None and not dry_run else version
    return LoadReport(
        files=tuple(files),
        counts=counts,
        errors=tuple(errors),
        warnings=(*warnings, *audit.warnings()),
        dry_run=dry_run,
        written=apply and any(c.changed for c in counts.values()),
        rows=rows,
        data_version=current_version,
        round_trips=db.round_trips - trips_before,
        seconds=time.perf_counter() - started,
        extra={"councils_in_scope": len(councils.councils), "borders": len(councils.borders)},
    )


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
    validation = _validated(
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
