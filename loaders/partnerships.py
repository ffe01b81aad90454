"""Partnership records and their validation: one record at a time (:func:`validate_partnership`,
the single validation for files and for contributions through the API) and whole files
(:func:`validate_file_rows`).

Two layouts are understood:

* the bundled format (``data/partnerships/partnerships_cited.csv``): ``id, name, councils,
  council_gss_codes, service_areas, status, start_year, end_year, lead_council,
  annual_savings_gbp, savings_note, source_urls, source_dates, notes, member_years``, lists
  separated by ";";
* spreadsheets like the ones the LGA published: one row per arrangement with columns such as
  "Partnership", "Description", "Councils involved", "Service"/"Category", "Status",
  "Savings to date", "Projected savings", "Region", "Lead authority", "Contact".

Reading files is :mod:`loaders.tables`, mapping their headings :mod:`loaders.headings`; the
words (heading synonyms, statuses, service labels) are :mod:`loaders.vocabulary`. All three
are re-exported here.
A row's context, errors and plain values (years, money, lists) are :mod:`loaders.fields`;
the cells that name councils and sources are :mod:`loaders.references`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from graph.rules import evidence_years
from loaders.errors import DataError
from loaders.fields import PartnershipContext, RowErrors, parse_money, parse_year, slug, split_list
from loaders.headings import best_heading, map_headers
from loaders.matching import CouncilIndex, Match
from loaders.references import (
    SourceRef,
    report_match,
    validate_member_years,
    validate_members,
    validate_sources,
)
from loaders.tables import Table, neutralise_cell, read_table, restore_cell
from loaders.vocabulary import (
    FIELDS,
    HEADER_ALIASES,
    IGNORED_FIELDS,
    STATUS_SYNONYMS,
    STATUSES,
    match_service,
    phrase_key,
    service_area_lookup,
)

__all__ = [
    "FIELDS",
    "HEADER_ALIASES",
    "IGNORED_FIELDS",
    "STATUSES",
    "FileValidation",
    "Membership",
    "PartnershipContext",
    "PartnershipRecord",
    "SourceRef",
    "Table",
    "best_heading",
    "map_headers",
    "match_service",
    "neutralise_cell",
    "read_table",
    "restore_cell",
    "service_area_lookup",
    "validate_file_rows",
    "validate_partnership",
]


@dataclass(frozen=True, slots=True)
class Membership:
    """A council's place in a partnership; its own years where they differ from the
    partnership's (``member_years``; either end may be open)."""

    council_code: str
    role: str  # "lead" or "partner"
    from_year: int | None = None
    to_year: int | None = None


@dataclass(frozen=True, slots=True)
class PartnershipRecord:
    """One valid partnership, ready to be written (its fields are alike to
    ``graph.models.Partnership``, the one read back, on purpose: duplicates tool)."""

    id: str
    name: str
    status: str
    start_year: int | None
    end_year: int | None
    annual_savings_gbp: int | None
    savings_note: str | None
    notes: str | None
    members: tuple[Membership, ...]
    service_areas: tuple[str, ...]
    sources: tuple[SourceRef, ...]
    row: int = 0
    #: (first, last) year of the dated sources, worked out once (a staged load asks for the
    #: node's properties several times a record: to write, to compare, for the audit).
    evidence: tuple[int | None, int | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "evidence", evidence_years(s.date for s in self.sources))

    def node_properties(self) -> dict[str, object]:
        """Properties of the ``Partnership`` node (docs/graph-model.md).

        ``firstEvidenceYear`` and ``lastEvidenceYear`` are the earliest and latest years of the
        dated sources: the rules of time (``graph.rules``) place an undated partnership by them.
        """
        first, last = self.evidence
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "startYear": self.start_year,
            "endYear": self.end_year,
            "firstEvidenceYear": first,
            "lastEvidenceYear": last,
            "annualSavingsGbp": self.annual_savings_gbp,
            "savingsNote": self.savings_note,
            "notes": self.notes,
        }


def validate_partnership(
    raw: Mapping[str, str], row: int, ctx: PartnershipContext
) -> tuple[PartnershipRecord | None, list[DataError]]:
    """Validate one partnership record, collecting every problem it has.

    Parameters
    ----------
    raw : field -> text, fields named as in :data:`FIELDS` (missing fields count as blank).
    row : the spreadsheet row number (used in errors; 0 for a submission).
    ctx : councils, service areas, file name and column headings.

    Returns
    -------
    ``(record, [])`` when valid, ``(None, errors)`` otherwise.
    """
    errors = RowErrors(ctx, row)

    def text(name: str) -> str:
        return (raw.get(name) or "").strip()

    name = text("name")
    if not name:
        errors.add("name", "", "missing partnership name", "every row needs a name")
    partnership_id = text("id") or slug(name)
    if not partnership_id:
        errors.add("id", text("id"), "missing id", "give an id or a name to derive it from")
    status = _status(errors, text("status"))
    start_year, end_year = _years(errors, text("start_year"), text("end_year"), ctx)
    era = start_year if start_year is not None else end_year
    members = validate_members(errors, raw, ctx, era)
    lead_code = _lead(errors, text("lead_council"), members, ctx, era)
    service_areas = _service_areas(errors, text("service_areas"), ctx)
    annual = parse_money(errors, "annual_savings_gbp", text("annual_savings_gbp"))
    savings_note = _savings_note(errors, text, annual, ctx)
    sources = validate_sources(errors, text("source_urls"), text("source_dates"))
    own_years = validate_member_years(errors, text("member_years"), members, ctx, era)

    if errors.items:
        return None, errors.items
    assert status is not None
    return (
        PartnershipRecord(
            id=partnership_id,
            name=name,
            status=status,
            start_year=start_year,
            end_year=end_year,
            annual_savings_gbp=annual,
            savings_note=savings_note,
            notes=text("notes") or None,
            members=tuple(
                Membership(code, "lead" if code == lead_code else "partner", *own_years[code])
                if code in own_years
                else Membership(code, "lead" if code == lead_code else "partner")
                for code in members
            ),
            service_areas=tuple(service_areas),
            sources=sources,
            row=row,
        ),
        [],
    )


def _status(errors: RowErrors, status_text: str) -> str | None:
    status = STATUS_SYNONYMS.get(phrase_key(status_text))
    if status is None:
        close = difflib.get_close_matches(phrase_key(status_text), list(STATUS_SYNONYMS), n=1)
        hint = f"; closest: {STATUS_SYNONYMS[close[0]]}" if close else ""
        errors.add(
            "status",
            status_text,
            "unknown status" if status_text else "missing status",
            "expected one of " + ", ".join(STATUSES) + hint,
        )
    return status


def _years(
    errors: RowErrors, start_text: str, end_text: str, ctx: PartnershipContext
) -> tuple[int | None, int | None]:
    start_year = parse_year(errors, "start_year", start_text, ctx)
    end_year = parse_year(errors, "end_year", end_text, ctx)
    if start_year is not None and end_year is not None and end_year < start_year:
        errors.add(
            "end_year",
            f"{start_year} > {end_year}",
            "years out of order: the end year is before the start year",
            "expected end_year >= start_year",
        )
    return start_year, end_year


def _lead(
    errors: RowErrors,
    lead_text: str,
    members: Mapping[str, str],
    ctx: PartnershipContext,
    era: int | None,
) -> str | None:
    if not lead_text:
        return None
    lead = ctx.councils.match(lead_text, era)
    if lead.problem == "ambiguous":
        # "Dorset" with no year could be the county or the unitary, but only one of them
        # can be the lead of a partnership that lists the other as no member.
        among_members = [c for c in lead.candidates if c.code in members]
        if len(among_members) == 1:
            lead = Match(among_members[0])
    if lead.council is None:
        report_match(errors, "lead_council", lead_text, lead)
    elif lead.council.code not in members:
        errors.add(
            "lead_council",
            lead_text,
            "the lead council is not one of the partnership's councils",
            "expected one of: " + "; ".join(members.values()),
        )
    else:
        return lead.council.code
    return None


def _service_areas(errors: RowErrors, text: str, ctx: PartnershipContext) -> list[str]:
    lookup = ctx.lookup()
    service_areas: list[str] = []
    # One label per item: items are separated by ";" or new lines, never by commas, because
    # labels contain commas ("Finance, audit and counter-fraud").
    for item in split_list(text):
        code, candidates = match_service(item, lookup)
        if code is None and candidates:
            errors.add(
                "service_areas",
                item,
                "ambiguous service area: the label fits several layers",
                "it could be: "
                + "; ".join(f"{c} ({ctx.service_areas.get(c, c)})" for c in candidates)
                + " (write the code, or separate several services with ';')",
            )
        elif code is None:
            close = difflib.get_close_matches(phrase_key(item), list(lookup), n=3, cutoff=0.5)
            options = sorted({lookup[c] for c in close})
            several = " (several services? separate them with ';')" if "," in item else ""
            errors.add(
                "service_areas",
                item,
                "unknown service area" + several,
                ("closest: " + ", ".join(options) + "; " if options else "")
                + "valid codes: "
                + ", ".join(ctx.service_areas),
            )
        elif code not in service_areas:
            service_areas.append(code)
    return service_areas


def _savings_note(
    errors: RowErrors,
    text: Callable[[str], str],
    annual: int | None,
    ctx: PartnershipContext,
) -> str | None:
    to_date = parse_money(errors, "savings_to_date_gbp", text("savings_to_date_gbp"))
    savings_note = text("savings_note") or None
    annual_column = ctx.column("annual_savings_gbp")
    if annual is not None and annual_column != "annual_savings_gbp":
        # Spreadsheets label savings loosely ("Projected savings"): say which column it was.
        extra = f"Figure from the column {annual_column!r}"
        savings_note = f"{savings_note}; {extra}" if savings_note else extra
    if to_date is not None:
        # LGA sheets report cumulative savings; they are not an annual figure, so they are
        # kept in the note beside the figure rather than stored as annualSavingsGbp.
        extra = f"Savings to date reported: £{to_date:,}"
        savings_note = f"{savings_note}; {extra}" if savings_note else extra
    return savings_note


@dataclass(frozen=True, slots=True)
class FileValidation:
    """Valid records and all errors and warnings of one partnership file."""

    records: tuple[PartnershipRecord, ...]
    errors: tuple[DataError, ...]
    warnings: tuple[str, ...]
    rows: int
    columns: tuple[tuple[str, str], ...] = ()  # (heading, field) as mapped, in file order


def validate_file_rows(
    table: Table,
    display_name: str,
    councils: CouncilIndex,
    service_areas: Mapping[str, str],
    overrides: Mapping[str, str] | None = None,
) -> FileValidation:
    """Map headings (``overrides``: field -> heading, which win over the synonyms), validate
    every row, and check ids are unique across the file."""
    mapping, errors, warnings = map_headers(table.headers, display_name, overrides)
    columns = tuple((table.headers[index], name) for index, name in sorted(mapping.items()))
    if errors:
        return FileValidation((), tuple(errors), tuple(warnings), len(table.rows), columns)
    ctx = PartnershipContext(
        councils=councils,
        service_areas=service_areas,
        file=display_name,
        columns={name: table.headers[index] for index, name in mapping.items()},
        service_lookup=service_area_lookup(service_areas),
    )
    records: list[PartnershipRecord] = []
    all_errors: list[DataError] = []
    first_row_of_id: dict[str, int] = {}
    for number, cells in table.rows:
        raw = {name: cells[index] for index, name in mapping.items()}
        record, row_errors = validate_partnership(raw, number, ctx)
        all_errors.extend(row_errors)
        # Checked on the raw id so a duplicate is reported even when the first row is invalid.
        row_id = raw.get("id", "").strip() or slug(raw.get("name", ""))
        if row_id and row_id in first_row_of_id:
            all_errors.append(
                DataError(
                    display_name,
                    number,
                    ctx.column("id" if "id" in raw else "name"),
                    "id",
                    row_id,
                    f"duplicate id: row {first_row_of_id[row_id]} has it too",
                    "every partnership needs its own id",
                )
            )
            continue
        if row_id:
            first_row_of_id[row_id] = number
        if record is not None:
            records.append(record)
    return FileValidation(
        tuple(records), tuple(all_errors), tuple(warnings), len(table.rows), columns
    )
