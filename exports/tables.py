"""Spreadsheet and JSON exports: CSV, XLSX and JSON, in the bundled partnership columns.

One row per partnership, in the columns of ``data/partnerships/partnerships_cited.csv``
(:data:`PARTNERSHIP_COLUMNS`), so a file exported here loads back through
``councilgraph load --partnerships`` with "0 created, 0 updated" on the same graph: the years
are the *stated* ones (never the derived), members' own years are ``GSS:FROM-TO``, lists are
separated by ";", and sources with a date come first (the loader pairs URLs and dates by
position). Every text cell a spreadsheet could run as a formula is neutralised
(``loaders.partnerships.neutralise_cell``), and the loader undoes it.

Each writer is a generator of bytes: rows are read in batches and written as they come, so
an export's memory is bounded by a batch (XLSX: openpyxl's write-only mode, which keeps rows
in a temporary file until the workbook is finished).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from contributions import Contact
from exports.selection import BATCH_SIZE, ExportOptions, ExportSource
from graph import repository
from loaders.partnerships import neutralise_cell
from loaders.vocabulary import BUNDLED_COLUMNS

__all__ = [
    "COUNCIL_COLUMNS",
    "PARTNERSHIP_COLUMNS",
    "ContactReader",
    "council_rows",
    "csv_councils",
    "csv_partnerships",
    "json_export",
    "partnership_row",
    "xlsx_export",
]

PARTNERSHIP_COLUMNS = BUNDLED_COLUMNS
"""The bundled partnership file's columns (docs/loading.md)."""
CONTACTS_COLUMN = "contacts"
"""Added only for signed-in editors (the loader recognises it and never loads it)."""
COUNCIL_COLUMNS = (
    "code",
    "name",
    "official_name",
    "kind",
    "tier",
    "region",
    "population",
    "area_ha",
    "latitude",
    "longitude",
    "valid_from",
    "valid_to",
    "former_codes",
    "partnerships",
    "singleton",
)
"""The councils file/sheet. ``partnerships`` and ``singleton`` are for the selection's year
(blank in an all-years export)."""

ContactReader = Callable[[Sequence[str]], Mapping[str, Sequence[Contact]]]
"""Reads the contacts of some partnerships (``contributions.contacts_for``); None in an
export made without an editor's token, which then has no contacts column at all."""

Cell = str | int | float | None


def _years(start: int | None, end: int | None) -> str:
    return f"{'' if start is None else start}-{'' if end is None else end}"


def partnership_row(p: repository.Partnership, names: Mapping[str, str]) -> dict[str, Cell]:
    """One partnership in the bundled columns (values as stated, ready to load back)."""
    sources = sorted(p.sources, key=lambda s: s.date is None)  # dated first: paired by position
    lead = p.lead_code
    return {
        "id": p.id,
        "name": p.name,
        "councils": "; ".join(names.get(m.code, m.code) for m in p.members),
        "council_gss_codes": "; ".join(m.code for m in p.members),
        "service_areas": "; ".join(p.services),
        "status": p.status,
        "start_year": p.start_year,
        "end_year": p.end_year,
        "lead_council": names.get(lead, lead) if lead is not None else None,
        "annual_savings_gbp": p.annual_savings_gbp,
        "savings_note": p.savings_note,
        "source_urls": "; ".join(f"{s.url} ({s.note})" if s.note else s.url for s in sources),
        "source_dates": "; ".join(s.date for s in sources if s.date is not None),
        "notes": p.notes,
        "member_years": "; ".join(
            f"{m.code}:{_years(m.from_year, m.to_year)}"
            for m in p.members
            if m.from_year is not None or m.to_year is not None
        ),
    }


def _contact_text(contacts: Iterable[Contact]) -> str:
    return "; ".join(
        " ".join(
            part
            for part in (
                c.name,
                f"({c.role})" if c.role else "",
                f"<{c.email}>" if c.email else "",
                c.phone or "",
            )
            if part
        )
        for c in contacts
    )


def _rows(
    source: ExportSource, options: ExportOptions, contacts: ContactReader | None
) -> Iterator[dict[str, Cell]]:
    names = {c.code: c.name for c in source.councils()}
    ids = source.partnership_ids(options)
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start : start + BATCH_SIZE]
        facts = repository.partnerships_by_ids(source.db, chunk)
        found = contacts(chunk) if contacts is not None else {}
        for pid in chunk:
            if pid not in facts:
                continue
            row = partnership_row(facts[pid], names)
            if contacts is not None:
                row[CONTACTS_COLUMN] = _contact_text(found.get(pid, ()))
            yield row


def _text(value: Cell) -> Cell:
    return neutralise_cell(value) if isinstance(value, str) else value


def _columns(contacts: ContactReader | None) -> tuple[str, ...]:
    return PARTNERSHIP_COLUMNS + ((CONTACTS_COLUMN,) if contacts is not None else ())


def _csv_stream(columns: Sequence[str], rows: Iterable[Mapping[str, Cell]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    # A byte order mark, so that Excel opens the file as UTF-8 (the loader expects UTF-8).
    buffer.write("\ufeff")
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        writer.writerow(["" if row.get(c) is None else _text(row.get(c)) for c in columns])
        if count % 200 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_partnerships(
    source: ExportSource, options: ExportOptions, *, contacts: ContactReader | None = None
) -> Iterator[bytes]:
    """The selected partnerships as CSV (UTF-8), one row each, in the bundled columns."""
    return _csv_stream(_columns(contacts), _rows(source, options, contacts))


def council_rows(source: ExportSource, options: ExportOptions) -> Iterator[dict[str, Cell]]:
    """The councils of the selection: in a year, those the views show (with their number of
    selected partnerships and the singleton flag); for all years, every council (in the
    region, when one is chosen)."""
    counts: Mapping[str, int] | None = None
    codes: set[str] | None = None
    if options.year is not None:
        selection = source.selection(options)
        counts = selection.counts
        codes = set(selection.councils)
    for c in source.councils():
        if codes is not None and c.code not in codes:
            continue
        if codes is None and options.region is not None and c.region != options.region:
            continue
        yield {
            "code": c.code,
            "name": c.name,
            "official_name": c.official_name,
            "kind": c.kind,
            "tier": c.tier,
            "region": c.region,
            "population": c.population,
            "area_ha": c.area_ha,
            "latitude": c.latitude,
            "longitude": c.longitude,
            "valid_from": c.valid_from.isoformat(),
            "valid_to": c.valid_to.isoformat() if c.valid_to is not None else None,
            "former_codes": "; ".join(c.former_codes),
            "partnerships": counts.get(c.code, 0) if counts is not None else None,
            "singleton": (
                ("yes" if counts.get(c.code, 0) == 0 else "no") if counts is not None else None
            ),
        }


def csv_councils(source: ExportSource, options: ExportOptions) -> Iterator[bytes]:
    """The selection's councils as CSV (:data:`COUNCIL_COLUMNS`)."""
    return _csv_stream(COUNCIL_COLUMNS, council_rows(source, options))


def _xlsx_cell(value: Cell) -> Cell:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        return str(ILLEGAL_CHARACTERS_RE.sub("", neutralise_cell(value)))
    return value


def xlsx_export(
    source: ExportSource,
    options: ExportOptions,
    *,
    contacts: ContactReader | None = None,
    chunk_size: int = 64 * 1024,
) -> Iterator[bytes]:
    """A workbook with a ``partnerships`` sheet (first, so that it is the one a load reads)
    and a ``councils`` sheet."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("partnerships")
    columns = _columns(contacts)
    sheet.append(list(columns))
    for row in _rows(source, options, contacts):
        sheet.append([_xlsx_cell(row.get(c)) for c in columns])
    councils = workbook.create_sheet("councils")
    councils.append(list(COUNCIL_COLUMNS))
    for council in council_rows(source, options):
        councils.append([_xlsx_cell(council.get(c)) for c in COUNCIL_COLUMNS])
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(chunk_size):
            yield chunk


def _json_partnership(
    p: repository.Partnership, names: Mapping[str, str], members_in_year: Sequence[str] | None
) -> dict[str, Any]:
    span = p.span()
    item: dict[str, Any] = {
        "id": p.id,
        "name": p.name,
        "status": p.status,
        "services": list(p.services),
        "start_year": p.start_year,
        "end_year": p.end_year,
        "years": {"start": span.start, "end": span.end, "start_basis": span.start_basis.value},
        "last_evidence_year": p.last_evidence_year,
        "lead": p.lead_code,
        "members": [
            {
                "code": m.code,
                "name": names.get(m.code, m.code),
                "role": m.role,
                "from_year": m.from_year,
                "to_year": m.to_year,
            }
            for m in p.members
        ],
        "annual_savings_gbp": p.annual_savings_gbp,
        "savings_note": p.savings_note,
        "notes": p.notes,
        "sources": [{"url": s.url, "date": s.date, "note": s.note} for s in p.sources],
    }
    if members_in_year is not None:
        item["members_in_year"] = list(members_in_year)
    return item


def json_export(
    source: ExportSource, options: ExportOptions, *, contacts: ContactReader | None = None
) -> Iterator[bytes]:
    """``{"selection": ..., "partnerships": [...], "councils": [...]}``, written as it is read.

    Each partnership has its listed facts (stated years, members with their own years and
    roles, sources) and its years by the rules of time; in a year, also its effective members
    that year (``members_in_year``, after succession) as the views count them.
    """
    names = {c.code: c.name for c in source.councils()}
    effective: Mapping[str, Sequence[str]] = {}
    if options.year is not None:
        effective = {p.id: p.members for p in source.selection(options).partnerships}
    yield b'{"selection": ' + json.dumps(options.describe()).encode() + b', "partnerships": ['
    ids = source.partnership_ids(options)
    first = True
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start : start + BATCH_SIZE]
        facts = repository.partnerships_by_ids(source.db, chunk)
        found = contacts(chunk) if contacts is not None else {}
        parts = []
        for pid in chunk:
            if pid not in facts:
                continue
            item = _json_partnership(
                facts[pid], names, effective.get(pid) if options.year is not None else None
            )
            if contacts is not None:
                item["contacts"] = [c.as_dict() for c in found.get(pid, ())]
            parts.append(("" if first else ", ") + json.dumps(item, ensure_ascii=False))
            first = False
        yield "".join(parts).encode("utf-8")
    yield b'], "councils": ['
    yield ", ".join(
        json.dumps(row, ensure_ascii=False) for row in council_rows(source, options)
    ).encode("utf-8")
    yield b"]}\n"
