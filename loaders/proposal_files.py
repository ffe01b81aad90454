"""A user's proposed geography as a file (CSV or XLSX), read and validated whole.

One row per proposed unit (several rows may add to one unit): ``proposal`` (the proposal's
name), ``new council`` (the unit's name) and ``members`` (council codes or names separated by
";", matched by the loaders' rules, as in a partnership file); optional ``status``
(decided, rejected, submitted), ``area`` and ``sources``. Any error refuses the whole file,
each with its row, column and reason: an unknown or ambiguous council (with the closest
councils), a council in two units of one proposal, a unit of one council, a blank name, a
name taken by a bundled proposal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from graph import rules
from graph.db import Database, Tx
from graph.schema import bump_data_version
from loaders.errors import DataError
from loaders.limits import FileLimits
from loaders.matching import CouncilIndex
from loaders.proposals import (
    READ_PROPOSAL_KEYS,
    STATUSES,
    Owner,
    ProposalLoad,
    ProposalRecord,
    UnitRecord,
    check_owners,
    split_list,
    write_proposals,
)
from loaders.tables import Table, read_table
from loaders.writer import Counts

__all__ = [
    "HEADINGS",
    "REQUIRED",
    "load_proposal_file",
    "load_proposal_table",
    "read_proposal_file",
    "validate_proposal_table",
]

#: Headings a user's file may use for each field (case, spaces and "_" do not matter).
HEADINGS: Mapping[str, tuple[str, ...]] = {
    "proposal": ("proposal", "proposal name", "proposal id"),
    "unit": ("new council", "new council name", "unit", "unit name", "new unitary"),
    "members": ("members", "member councils", "member council codes", "councils",
                "member names", "member gss codes", "member codes"),
    "status": ("status",),
    "area": ("area",),
    "sources": ("sources", "source", "source urls"),
}  # fmt: skip
REQUIRED = ("proposal", "unit", "members")


def _key(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").split())


@dataclass
class _Unit:
    row: int
    members: list[str] = field(default_factory=list)
    refused: bool = False  # a member was refused: its size says nothing yet


@dataclass
class _Proposal:
    status: str
    area: str
    sources: str
    units: dict[str, _Unit] = field(default_factory=dict)


class _Reader:
    """Validates a table's rows, collecting every error."""

    def __init__(self, name: str, table: Table, columns: Mapping[str, int], index: CouncilIndex):
        self.name, self.table, self.columns, self.index = name, table, columns, index
        self.headings = {f: table.headers[i] for f, i in columns.items()}
        self.errors: list[DataError] = []
        self.proposals: dict[str, _Proposal] = {}
        self.placed: dict[tuple[str, str], tuple[str, int]] = {}
        self.year = rules.current_year()

    def fail(self, row: int, name: str, text: str, problem: str, expected: str = "") -> None:
        heading = self.headings.get(name)
        self.errors.append(DataError(self.name, row, heading, name, text, problem, expected))

    def cell(self, cells: Sequence[str], name: str) -> str:
        position = self.columns.get(name)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    def row(self, number: int, cells: Sequence[str], taken: set[str]) -> None:
        proposal_name, unit_name = self.cell(cells, "proposal"), self.cell(cells, "unit")
        if not proposal_name:
            self.fail(
                number, "proposal", "", "the proposal's name is blank", "name it on every row"
            )
            return
        if proposal_name in taken:
            self.fail(number, "proposal", proposal_name, "a bundled proposal has this name",
                      "give your proposal a name of its own")  # fmt: skip
            return
        if not unit_name:
            self.fail(number, "unit", "", "the new council's name is blank", "name it")
            return
        status = self.cell(cells, "status").lower()
        if status and status not in STATUSES:
            self.fail(number, "status", status, "not a status", "one of " + ", ".join(STATUSES))
        proposal = self.proposals.setdefault(
            proposal_name,
            _Proposal(status or "submitted", self.cell(cells, "area"), self.cell(cells, "sources")),
        )
        unit = proposal.units.setdefault(unit_name, _Unit(number))
        members = split_list(self.cell(cells, "members"))
        if not members:
            self.fail(number, "members", "", "no member councils",
                      "list the councils by code or name, separated by ';'")  # fmt: skip
        for text in members:
            self.member(number, proposal_name, unit_name, unit, text)

    def member(self, number: int, proposal: str, unit_name: str, unit: _Unit, text: str) -> None:
        match = self.index.match(text, self.year)
        if match.council is None:
            near = match.candidates or match.suggestions
            hint = "closest: " + "; ".join(c.label() for c in near) if near else ""
            problem = "ambiguous council" if match.problem == "ambiguous" else "unknown council"
            self.fail(number, "members", text, problem, hint or "a council's GSS code or name")
            unit.refused = True
            return
        code = match.council.code
        before = self.placed.setdefault((proposal, code), (unit_name, number))
        if before[0] != unit_name:
            self.fail(number, "members", text,
                      f"the council is already in {before[0]!r} (row {before[1]})",
                      "a council belongs to one unit of a proposal")  # fmt: skip
            unit.refused = True
        elif code not in unit.members:
            unit.members.append(code)

    def units_of_one(self) -> None:
        for proposal in self.proposals.values():
            for unit_name, unit in proposal.units.items():
                if len(unit.members) == 1 and not unit.refused:
                    self.fail(unit.row, "members", unit_name, "a unit of one council",
                              "a proposed council joins two or more councils; one that stays "
                              "as it is need not be listed")  # fmt: skip

    def records(self) -> tuple[ProposalRecord, ...]:
        return tuple(
            ProposalRecord(
                name=name,
                title=name,
                origin="file",
                units=tuple(UnitRecord(u, tuple(unit.members)) for u, unit in p.units.items()),
                area=p.area,
                status=p.status,
                source_urls=tuple(split_list(p.sources)),
                notes=f"loaded from {self.name}",
                seq=1000 + position,
            )
            for position, (name, p) in enumerate(self.proposals.items())
        )


def _columns(headers: Sequence[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for position, heading in enumerate(headers):
        for name, variants in HEADINGS.items():
            if _key(heading) in {_key(v) for v in variants}:
                columns.setdefault(name, position)
    return columns


def validate_proposal_table(
    table: Table, name: str, index: CouncilIndex, *, bundled_names: Iterable[str] = ()
) -> tuple[tuple[ProposalRecord, ...], list[DataError]]:
    """The proposals of a table (a file's, or the API's input as one), or every error."""
    columns = _columns(table.headers)
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        wanted = "; ".join(f"{f!r} (e.g. {HEADINGS[f][0]!r})" for f in missing)
        problem = "missing columns: " + ", ".join(missing)
        expected = f"the heading row needs the columns {wanted}"
        return (), [DataError(name, 1, None, None, ", ".join(table.headers), problem, expected)]
    reader = _Reader(name, table, columns, index)
    taken = set(bundled_names)
    for number, cells in table.rows:
        reader.row(number, cells, taken)
    reader.units_of_one()
    return ((), reader.errors) if reader.errors else (reader.records(), [])


def read_proposal_file(
    path: Path,
    index: CouncilIndex,
    *,
    bundled_names: Iterable[str] = (),
    display: str | None = None,
    limits: FileLimits | None = None,
) -> tuple[tuple[ProposalRecord, ...], list[DataError]]:
    """A user's proposals, or (nothing and) every error in the file: row, column, reason."""
    name = display or path.name
    table, errors = read_table(path, name, limits)
    if table is None:
        return (), errors
    return validate_proposal_table(table, name, index, bundled_names=bundled_names)


def _bundled_names(db: Database) -> list[str]:
    return [r["name"] for r in db.read(READ_PROPOSAL_KEYS) if r["origin"] == "bundled"]


def _write(
    db: Database, records: tuple[ProposalRecord, ...], allowed: Owner | None = None
) -> ProposalLoad:
    def work(tx: Tx) -> tuple[Counts, int | None]:
        check_owners(tx, [r.name for r in records], allowed)
        counts = write_proposals(tx, records, apply=True)
        return counts, bump_data_version(tx) if counts.changed else None

    counts, version = db.write_transaction(work)
    return ProposalLoad(tuple(r.name for r in records), counts, (), version)


def load_proposal_file(
    db: Database, path: Path, index: CouncilIndex, *, display: str | None = None
) -> ProposalLoad:
    """Validate a user's file whole, then write its proposals in one transaction (nothing
    when any row is wrong)."""
    records, errors = read_proposal_file(
        path, index, bundled_names=_bundled_names(db), display=display
    )
    return ProposalLoad((), Counts(), tuple(errors)) if errors else _write(db, records)


def load_proposal_table(
    db: Database,
    table: Table,
    name: str,
    index: CouncilIndex,
    *,
    loaded_by: str = "",
    allowed: Owner | None = None,
) -> ProposalLoad:
    """As :func:`load_proposal_file`, for a table built from the API's input: the proposals
    record ``loaded_by`` (the account), and ``allowed`` is asked before one stored under the
    same name is replaced (in the same transaction; it raises to refuse)."""
    records, errors = validate_proposal_table(table, name, index, bundled_names=_bundled_names(db))
    if errors:
        return ProposalLoad((), Counts(), tuple(errors))
    return _write(db, tuple(replace(r, loaded_by=loaded_by) for r in records), allowed)
