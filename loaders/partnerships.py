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

Reading files and mapping their headings is :mod:`loaders.tables`; the words (heading
synonyms, statuses, service labels) are :mod:`loaders.vocabulary`. Both are re-exported here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from graph.rules import current_year, evidence_years, parse_member_years
from loaders.errors import DataError
from loaders.matching import CouncilIndex, CouncilRef, Match
from loaders.tables import (
    Table,
    best_heading,
    map_headers,
    neutralise_cell,
    read_table,
    restore_cell,
)
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
class SourceRef:
    """A source URL, the date given for it (text as given: "2013-10-01", "c.2018") and a remark."""

    url: str
    date: str | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PartnershipRecord:
    """One valid partnership, ready to be written."""

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

    def node_properties(self) -> dict[str, object]:
        """Properties of the ``Partnership`` node (docs/graph-model.md).

        ``firstEvidenceYear`` and ``lastEvidenceYear`` are the earliest and latest years of the
        dated sources: the rules of time (``graph.rules``) place an undated partnership by them.
        """
        first, last = evidence_years(s.date for s in self.sources)
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


@dataclass(frozen=True, slots=True)
class PartnershipContext:
    """What validating a record needs: councils, service areas, and where the record came from.

    ``columns`` maps each field to the heading used in the file, so errors name the column the
    user sees; for an API submission, use the field names themselves (the default).
    """

    councils: CouncilIndex
    service_areas: Mapping[str, str]  # code -> label
    file: str = "submission"
    columns: Mapping[str, str] = field(default_factory=dict)
    service_lookup: Mapping[str, str] = field(default_factory=dict)
    max_year: int = field(default_factory=lambda: current_year() + 10)

    def column(self, name: str) -> str:
        """The heading for a field, as written in the file."""
        return self.columns.get(name, name)

    def lookup(self) -> Mapping[str, str]:
        """Service-area phrase lookup (built from the taxonomy when not given)."""
        return self.service_lookup or service_area_lookup(self.service_areas)


class _Errors:
    """Collects the errors of one record, filling in file, row and column."""

    def __init__(self, ctx: PartnershipContext, row: int) -> None:
        self.ctx, self.row, self.items = ctx, row, list[DataError]()

    def add(self, field_name: str | None, text: str, problem: str, expected: str = "") -> None:
        column = self.ctx.column(field_name) if field_name else None
        self.items.append(
            DataError(self.ctx.file, self.row, column, field_name, text, problem, expected)
        )


def _split_list(text: str) -> list[str]:
    """Lists are ";"-separated in the bundled format; spreadsheets also use new lines."""
    parts = re.split(r"[;\n]", text) if re.search(r"[;\n]", text) else [text]
    return [p.strip() for p in parts if p.strip()]


def _closest(council_matches: Sequence[CouncilRef]) -> str:
    return "closest real councils: " + "; ".join(c.label() for c in council_matches)


def _match_names(text: str, ctx: PartnershipContext, year: int | None) -> list[tuple[str, Match]]:
    """Split a councils cell into names and match each.

    With no ";" or new line, commas separate names, but some names contain a comma
    ("Bournemouth, Christchurch and Poole"): the longest run of pieces that matches a
    council wins.
    """
    parts = _split_list(text)
    if len(parts) == 1 and "," in parts[0]:
        pieces = [p.strip() for p in parts[0].split(",") if p.strip()]
        whole = ctx.councils.match(parts[0], year)
        if whole.council is None:
            results: list[tuple[str, Match]] = []
            i = 0
            while i < len(pieces):
                for j in range(len(pieces), i, -1):
                    candidate = ", ".join(pieces[i:j])
                    found = ctx.councils.match(candidate, year)
                    if found.council is not None or j == i + 1:
                        results.append((candidate, found))
                        i = j
                        break
            return results
    return [(part, ctx.councils.match(part, year)) for part in parts]


_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|spring|summer|autumn|winter"
)
#: The forms of a year spreadsheets use: "2012", "c.2012", "2012.0" (a number cell),
#: "2012-04-01" (ISO date, or an XLSX date), "2012/13" and "2012-13" (financial years count
#: from their first year), "April 2012", "1st April 2012", "Apr-2012", "01/04/2012" (UK
#: dates), "FY 2012/13", "Q2 2012".
_YEAR_FORMS = re.compile(
    r"(?:c\.?|circa|about|approx\.?|fy|q[1-4])?\s*"
    r"(?:(?:\d{1,2}(?:st|nd|rd|th)?[\s/.-]*)?(?:" + _MONTHS + r")\.?[\s,/.-]*"
    r"|\d{1,2}[/.-]\d{1,2}[/.-])?"
    r"(?P<year>\d{4})(?:\.0|[-/]\d{2}(?:[-/]\d{2})?(?:t[\d:.]+)?|/\d{4})?",
    re.IGNORECASE,
)


def _parse_year(errors: _Errors, name: str, text: str, ctx: PartnershipContext) -> int | None:
    text = text.strip()
    if not text:
        return None
    found = _YEAR_FORMS.fullmatch(text.replace("\u2013", "-"))
    if not found:
        errors.add(
            name,
            text,
            "not a year",
            "expected a year or a date, e.g. 2014, April 2014, 2014/15 or 01/04/2014",
        )
        return None
    year = int(found.group("year"))
    if not 1900 <= year <= ctx.max_year:
        errors.add(name, text, "year out of range", f"expected a year from 1900 to {ctx.max_year}")
        return None
    return year


_MONEY = re.compile(r"(?P<number>-?\d+(?:\.\d+)?)\s*(?P<unit>k|m|bn|million|thousand|mn|mil)?")
_UNITS = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "mil": 1e6, "million": 1e6, "bn": 1e9,
    None: 1.0,
}  # fmt: skip
#: Words around an amount that do not change it: "c. £250k pa", "approx £1.2m per year".
_MONEY_WORDS = re.compile(
    r"^(?:c\.|circa|about|approx\.?|approximately|around|up to|~)\s*"
    r"|\s*(?:p\.?a\.?|per annum|per year|a year|each year|per yr|annually|/yr|/year)$"
)


def _parse_money(errors: _Errors, name: str, text: str) -> int | None:
    cleaned = text.strip().lower().replace(",", "").replace("£", "").replace("gbp", "").strip()
    cleaned = _MONEY_WORDS.sub("", _MONEY_WORDS.sub("", cleaned)).strip()
    if not cleaned:
        return None
    found = _MONEY.fullmatch(cleaned.replace(" ", ""))
    if not found:
        errors.add(
            name,
            text,
            "not an amount of money",
            "expected pounds, e.g. 250000, £250k, £1.2m or 1,200,000 (one figure, not a range)",
        )
        return None
    value = float(found.group("number")) * _UNITS[found.group("unit")]
    if value < 0:
        errors.add(name, text, "negative savings", "expected zero or more pounds")
        return None
    return round(value)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


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
    errors = _Errors(ctx, row)

    def text(name: str) -> str:
        return (raw.get(name) or "").strip()

    name = text("name")
    if not name:
        errors.add("name", "", "missing partnership name", "every row needs a name")
    partnership_id = text("id") or _slug(name)
    if not partnership_id:
        errors.add("id", text("id"), "missing id", "give an id or a name to derive it from")

    status_text = text("status")
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

    start_year = _parse_year(errors, "start_year", text("start_year"), ctx)
    end_year = _parse_year(errors, "end_year", text("end_year"), ctx)
    if start_year is not None and end_year is not None and end_year < start_year:
        errors.add(
            "end_year",
            f"{start_year} > {end_year}",
            "years out of order: the end year is before the start year",
            "expected end_year >= start_year",
        )
    era = start_year if start_year is not None else end_year

    members = _validate_members(errors, raw, ctx, era)

    lead_code: str | None = None
    lead_text = text("lead_council")
    if lead_text:
        lead = ctx.councils.match(lead_text, era)
        if lead.problem == "ambiguous":
            # "Dorset" with no year could be the county or the unitary, but only one of them
            # can be the lead of a partnership that lists the other as no member.
            among_members = [c for c in lead.candidates if c.code in members]
            if len(among_members) == 1:
                lead = Match(among_members[0])
        if lead.council is None:
            _report_match(errors, "lead_council", lead_text, lead)
        elif lead.council.code not in members:
            errors.add(
                "lead_council",
                lead_text,
                "the lead council is not one of the partnership's councils",
                "expected one of: " + "; ".join(members.values()),
            )
        else:
            lead_code = lead.council.code

    lookup = ctx.lookup()
    service_areas: list[str] = []
    # One label per item: items are separated by ";" or new lines, never by commas, because
    # labels contain commas ("Finance, audit and counter-fraud").
    for item in _split_list(text("service_areas")):
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

    annual = _parse_money(errors, "annual_savings_gbp", text("annual_savings_gbp"))
    to_date = _parse_money(errors, "savings_to_date_gbp", text("savings_to_date_gbp"))
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

    sources = _validate_sources(errors, text("source_urls"), text("source_dates"))
    own_years = _validate_member_years(errors, text("member_years"), members, ctx, era)

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


def _report_match(errors: _Errors, field_name: str, text: str, match: Match) -> None:
    if match.problem == "ambiguous":
        errors.add(
            field_name,
            text,
            "ambiguous council name",
            "it could be: "
            + "; ".join(c.label() for c in match.candidates)
            + " (give the GSS code or a start_year)",
        )
    else:
        errors.add(
            field_name,
            text,
            "unknown council",
            _closest(match.suggestions) if match.suggestions else "no similar council found",
        )


def _validate_members(
    errors: _Errors, raw: Mapping[str, str], ctx: PartnershipContext, era: int | None
) -> dict[str, str]:
    """Members as code -> name, in file order; codes win over names when both are given."""
    names_text = (raw.get("councils") or "").strip()
    codes_text = (raw.get("council_gss_codes") or "").strip()
    members: dict[str, str] = {}
    matched_names = _match_names(names_text, ctx, era) if names_text else []
    if codes_text:
        codes = _split_list(codes_text)
        if matched_names and len(codes) != len(matched_names):
            errors.add(
                "council_gss_codes",
                codes_text,
                f"{len(codes)} codes for {len(matched_names)} council names",
                "expected one GSS code per council, in the same order",
            )
        for index, code in enumerate(codes):
            found = ctx.councils.match(code, era)
            if found.council is None:
                _report_match(errors, "council_gss_codes", code, found)
                continue
            if index < len(matched_names):
                label, by_name = matched_names[index]
                if by_name.council is not None and by_name.council.code != found.council.code:
                    errors.add(
                        "councils",
                        label,
                        f"the name and the GSS code {code} are different councils",
                        f"{code} is {found.council.label()}; the name matches "
                        f"{by_name.council.label()}",
                    )
            members.setdefault(found.council.code, found.council.name)
    else:
        for label, found in matched_names:
            if found.council is None:
                _report_match(errors, "councils", label, found)
            else:
                members.setdefault(found.council.code, found.council.name)
    listed = len(_split_list(codes_text)) if codes_text else len(matched_names)
    unresolved = any(e.field in {"councils", "council_gss_codes"} for e in errors.items)
    # A name listed twice, or a former and a current code of one council, count once.
    if listed < 2 or (not unresolved and len(members) < 2):
        errors.add(
            "councils",
            names_text or codes_text,
            f"a partnership needs two or more different councils; this row has {len(members)}",
            "list every member council, separated by ';'",
        )
    return members


def _validate_member_years(
    errors: _Errors,
    text: str,
    members: Mapping[str, str],
    ctx: PartnershipContext,
    era: int | None,
) -> dict[str, tuple[int | None, int | None]]:
    """Member code -> (from, to) for members whose years differ from the partnership's."""
    if not text:
        return {}
    try:
        entries = parse_member_years(text)
    except ValueError as error:
        errors.add("member_years", text, str(error), "e.g. E07000004:2015-;E09000018:2013-2019")
        return {}
    years: dict[str, tuple[int | None, int | None]] = {}
    for entry in entries:
        found = ctx.councils.match(entry.code, era)
        code = found.council.code if found.council is not None else entry.code
        if code not in members:
            errors.add(
                "member_years",
                entry.code,
                "years given for a council that is not a member of this partnership",
                "expected the GSS code of one of: " + "; ".join(members.values()),
            )
            continue
        for value in (entry.from_year, entry.to_year):
            if value is not None and not 1900 <= value <= ctx.max_year:
                errors.add(
                    "member_years",
                    entry.code,
                    f"year {value} out of range",
                    f"expected a year from 1900 to {ctx.max_year}",
                )
        years[code] = (entry.from_year, entry.to_year)
    return years


def _validate_sources(errors: _Errors, urls_text: str, dates_text: str) -> tuple[SourceRef, ...]:
    urls = _split_list(urls_text)
    dates = _split_list(dates_text)
    if len(dates) > len(urls):
        errors.add(
            "source_dates",
            dates_text,
            f"{len(dates)} dates for {len(urls)} source URLs",
            "expected at most one date per URL, in the same order",
        )
    sources: list[SourceRef] = []
    for index, item in enumerate(urls):
        # A URL may be followed by a remark in brackets, kept as the source's note.
        found = re.fullmatch(r"(https?://\S+)(?:\s+\((.*)\))?", item)
        if not found:
            errors.add(
                "source_urls",
                item,
                "not a web address",
                "expected http:// or https:// URLs, each optionally followed by (a remark)",
            )
            continue
        date_text = dates[index] if index < len(dates) else None
        sources.append(SourceRef(found.group(1), date_text, found.group(2)))
    return tuple(dict.fromkeys(sources))


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
        row_id = raw.get("id", "").strip() or _slug(raw.get("name", ""))
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
