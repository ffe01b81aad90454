"""Partnership files: reading (CSV or XLSX), header mapping, and validation of each record.

Two layouts are understood:

* the bundled format (``data/partnerships/partnerships_cited.csv``): ``id, name, councils,
  council_gss_codes, service_areas, status, start_year, end_year, lead_council,
  annual_savings_gbp, savings_note, source_urls, source_dates, notes, member_years``, lists
  separated by ";";
* spreadsheets like the ones the LGA published: one row per arrangement with columns such as
  "Partnership", "Description", "Councils involved", "Service"/"Category", "Status",
  "Savings to date", "Projected savings", "Region", "Lead authority", "Contact".

Headings are matched case- and punctuation-insensitively (:data:`HEADER_ALIASES`). Unknown
columns are reported as warnings. :func:`validate_partnership` checks one record and is the
single validation used for files and (later) for contributions through the API.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import threading
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from graph import taxonomy
from graph.rules import current_year, evidence_years, parse_member_years
from loaders.errors import DataError, LoadUsageError
from loaders.limits import XLSX_EXPANSION, FileLimits
from loaders.matching import CouncilIndex, CouncilRef, Match

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

STATUSES = ("operational", "in_development", "ended", "abandoned")
#: Canonical fields a partnership row can carry.
FIELDS = (
    "id",
    "name",
    "councils",
    "council_gss_codes",
    "service_areas",
    "status",
    "start_year",
    "end_year",
    "lead_council",
    "annual_savings_gbp",
    "savings_to_date_gbp",
    "savings_note",
    "source_urls",
    "source_dates",
    "notes",
    "member_years",
)
#: Columns recognised but deliberately not loaded, with the reason given to the user.
IGNORED_FIELDS = {
    "region": "not loaded: a council's region comes from the council data",
    "contact": "not loaded: contact details are personal data",
}


def _header_key(text: str) -> str:
    """Case and punctuation never matter: "Councils involved" == "councils_involved"."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


_VARIANTS: dict[str, tuple[str, ...]] = {
    "id": ("id", "partnership id", "ref", "reference", "ref no"),
    "name": (
        "name",
        "partnership",
        "partnership name",
        "partnership title",
        "partnership description",
        "title",
        "arrangement",
        "arrangement name",
        "shared service",
        "shared service name",
        "scheme",
        "scheme name",
    ),
    "councils": (
        "councils",
        "councils involved",
        "council names",
        "authorities",
        "authorities involved",
        "local authorities",
        "partners",
        "partner councils",
        "members",
        "member councils",
        "member authorities",
        "participating councils",
        "participating authorities",
        "councils in partnership",
        "authorities in partnership",
    ),
    "council_gss_codes": ("council gss codes", "gss codes", "council codes", "codes"),
    "service_areas": (
        "service areas",
        "service area",
        "service",
        "services",
        "category",
        "categories",
        "service category",
        "service categories",
        "service type",
        "type of service",
        "service layer",
        "service layers",
        "function",
        "functions",
    ),
    "status": ("status", "stage", "current status", "state", "progress"),
    "start_year": (
        "start year",
        "start",
        "year started",
        "started",
        "since",
        "start date",
        "date started",
        "year established",
        "established",
        "go live",
        "go live date",
        "date of go live",
    ),
    "end_year": ("end year", "end", "year ended", "ended", "end date", "date ended", "ceased"),
    "lead_council": ("lead council", "lead authority", "lead", "host authority", "host council"),
    "annual_savings_gbp": (
        "annual savings gbp",
        "annual savings",
        "savings",
        "projected savings",
        "projected annual savings",
        "savings per year",
    ),
    "savings_to_date_gbp": ("savings to date", "savings achieved", "savings to date gbp"),
    "savings_note": ("savings note", "savings notes", "savings comment", "savings basis"),
    "source_urls": ("source urls", "sources", "source", "url", "urls", "links", "link"),
    "source_dates": ("source dates", "source date", "date of source"),
    "notes": ("notes", "description", "details", "comments", "summary"),
    "member_years": ("member years", "membership years", "members years", "years of members"),
    "region": ("region", "regions"),
    "contact": (
        "contact",
        "contacts",
        "contact name",
        "contact email",
        "contact details",
        "email",
    ),
}
#: Heading key (see ``_header_key``) -> canonical field.
HEADER_ALIASES: Mapping[str, str] = {
    _header_key(variant): name for name, variants in _VARIANTS.items() for variant in variants
}

_STATUS_SYNONYMS = {
    "operational": "operational",
    "live": "operational",
    "active": "operational",
    "in operation": "operational",
    "in place": "operational",
    "operating": "operational",
    "running": "operational",
    "established": "operational",
    "implemented": "operational",
    "live and operating": "operational",
    "in development": "in_development",
    "developing": "in_development",
    "under development": "in_development",
    "planned": "in_development",
    "proposed": "in_development",
    "being developed": "in_development",
    "in progress": "in_development",
    "under discussion": "in_development",
    "under consideration": "in_development",
    "exploring": "in_development",
    "scoping": "in_development",
    "ended": "ended",
    "ceased": "ended",
    "closed": "ended",
    "discontinued": "ended",
    "dissolved": "ended",
    "no longer operating": "ended",
    "abandoned": "abandoned",
    "cancelled": "abandoned",
    "withdrawn": "abandoned",
    "not progressed": "abandoned",
    "not pursued": "abandoned",
}


def _phrase(text: str) -> str:
    """Lower-case words only, "&" as "and": "Revs & Bens" -> "revs and bens"."""
    text = text.lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def service_area_lookup(areas: Mapping[str, str]) -> dict[str, str]:
    """Phrase -> service area code: each area's code and label (``areas``: code -> label) and
    the words spreadsheets use for it (``graph.taxonomy``, data/taxonomy/service_synonyms.csv)."""
    lookup = {_phrase(code): code for code in areas}
    lookup |= {_phrase(label): code for code, label in areas.items()}
    lookup |= {
        _phrase(word): layer.code
        for layer in taxonomy.layers()
        if layer.code in areas
        for word in layer.synonyms
    }
    return lookup


#: Words that say nothing about which service a label means ("Shared legal services").
_FILLER = frozenset(
    {
        "a", "and", "for", "in", "of", "the", "service", "services", "shared", "joint", "team",
        "teams", "function", "functions", "partnership", "provision",
    }
)  # fmt: skip


def _words(phrase: str) -> frozenset[str]:
    # "counter-fraud" -> counter, fraud; plural "s" dropped so "Revenues" meets "revenue".
    return frozenset(
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
        for w in _phrase(phrase).split()
        if w not in _FILLER
    )


def match_service(text: str, lookup: Mapping[str, str]) -> tuple[str | None, tuple[str, ...]]:
    """The service layer a label means: ``(code, ())``, or ``(None, candidates)``.

    First the label as a whole against the taxonomy's codes, labels and synonyms
    (:func:`service_area_lookup`); then by its words: a layer is a candidate when the label's
    words are all among the words of one of its names, or the words of one of its names are
    all in the label ("Audit & counter-fraud" -> finance_audit_fraud by its label "Finance,
    audit and counter-fraud"; "Legal services team" -> legal). One candidate is the match;
    several are returned for the error to name (never a guess); none is an unknown label.
    """
    code = lookup.get(_phrase(text))
    if code is not None:
        return code, ()
    words = _words(text)
    if not words:
        return None, ()
    candidates = {
        layer
        for phrase, layer in lookup.items()
        if (names := _words(phrase)) and (words <= names or names <= words)
    }
    if len(candidates) == 1:
        return candidates.pop(), ()
    return None, tuple(sorted(candidates))


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
    status = _STATUS_SYNONYMS.get(_phrase(status_text))
    if status is None:
        close = difflib.get_close_matches(_phrase(status_text), list(_STATUS_SYNONYMS), n=1)
        hint = f"; closest: {_STATUS_SYNONYMS[close[0]]}" if close else ""
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
            close = difflib.get_close_matches(_phrase(item), list(lookup), n=3, cutoff=0.5)
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


# --- Reading files --------------------------------------------------------------------------

#: A spreadsheet reads a cell starting with these as a formula (formula injection, CWE-1236);
#: exports prefix such cells with a single quote, and a quote before them is removed on load.
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")


def neutralise_cell(text: str) -> str:
    """A cell a spreadsheet will not run: ``=1+1`` -> ``'=1+1`` (one more quote when it
    already starts with quotes before a formula character, so :func:`restore_cell` always
    gives the text back)."""
    return "'" + text if _FORMULA_START.match(text) else text


def restore_cell(text: str) -> str:
    """Undo :func:`neutralise_cell`: remove one leading quote before ``= + - @``, tab or CR.

    Applied to every cell a load reads, so a note written as ``'-50% on agency costs`` in a
    spreadsheet loads as ``-50% on agency costs``.
    """
    return text[1:] if text.startswith("'") and _FORMULA_START.match(text[1:]) else text


@dataclass(frozen=True, slots=True)
class Table:
    """A file's heading row and data rows as text, with spreadsheet row numbers."""

    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def read_table(
    path: Path, display_name: str, limits: FileLimits | None = None
) -> tuple[Table | None, list[DataError]]:
    """Read a CSV (UTF-8) or XLSX file; any problem is returned as a file-level DataError.

    The file's size is checked before it is read, and every cell's length as it is read
    (``limits``, default :class:`FileLimits`): a cell over the limit is an error of its row.

    Raises
    ------
    LoadUsageError : the file cannot be read at all (permissions, a folder).
    """
    limits = limits or FileLimits()

    def fail(problem: str, expected: str, row: int | None = None) -> tuple[None, list[DataError]]:
        return None, [DataError(display_name, row, None, None, "", problem, expected)]

    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            return fail(
                f"the file has {size:,} bytes, more than the limit of "
                f"{limits.max_file_bytes:,} ({limits.max_file_mb} MB)",
                limits.file_hint(),
            )
        data = path.read_bytes()
    except OSError as error:
        raise LoadUsageError(
            f"{display_name}: the file cannot be read ({error.strerror or error})"
        ) from error
    suffix = path.suffix.lower()
    if not data.strip():
        return fail("the file is empty", "expected a heading row and one row per partnership")
    if data.startswith(_XLS_MAGIC) or suffix == ".xls":
        return fail("old Excel .xls files are not supported", "save it as .xlsx or CSV UTF-8")
    if zipfile.is_zipfile(io.BytesIO(data)):
        if suffix not in {".xlsx", ".xlsm"}:
            return fail(
                f"the file is a zip archive, not CSV ({suffix or 'no extension'})",
                "expected a CSV or XLSX file",
            )
        return _read_xlsx(data, display_name, limits)
    if suffix not in {".csv", ".txt", ".tsv"}:
        return fail(
            f"not a CSV or XLSX file ({suffix or 'no extension'})", "expected .csv or .xlsx"
        )
    if b"\x00" in data[:4096]:
        return fail("the file is binary, not CSV text", "expected a CSV (UTF-8) or XLSX file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        return fail(
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02X} cannot be read)",
            "save it as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8)",
            row,
        )
    return _read_csv_text(text, display_name, limits)


#: The csv module's field size limit is process-wide: readers take turns to raise it.
_CSV_FIELD_LIMIT = threading.Lock()


@contextmanager
def _csv_field_limit(characters: int) -> Iterator[None]:
    """Let the csv module read fields of up to ``characters`` (its default is 131,072).

    Our own cell limit is checked afterwards, so that an oversize cell is reported with its
    row and column instead of the csv module's one-word error and a traceback.
    """
    with _CSV_FIELD_LIMIT:
        before = csv.field_size_limit()
        csv.field_size_limit(max(before, characters))
        try:
            yield
        finally:
            csv.field_size_limit(before)


def _read_csv_text(
    text: str, display_name: str, limits: FileLimits
) -> tuple[Table | None, list[DataError]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        with _csv_field_limit(len(text) + 1):  # no field can be longer than the text
            raw_rows = list(reader)
    except csv.Error as error:
        return None, [
            DataError(
                display_name,
                reader.line_num or None,
                None,
                None,
                "",
                f"the file cannot be read as CSV ({error})",
                "save it again as 'CSV UTF-8' from a spreadsheet",
            )
        ]
    return _table_from_rows(
        [(index + 1, row) for index, row in enumerate(raw_rows)], display_name, limits
    )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


def _unpacked_size(data: bytes) -> int | None:
    """The total size of a zip's members once unpacked, as its directory declares (zipfile
    never reads a member past its declared size); None when the directory is unreadable."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _read_xlsx(
    data: bytes, display_name: str, limits: FileLimits
) -> tuple[Table | None, list[DataError]]:
    from openpyxl import load_workbook

    unpacked = _unpacked_size(data)
    if unpacked is not None and unpacked > XLSX_EXPANSION * limits.max_file_bytes:
        return None, [
            DataError(
                display_name,
                None,
                None,
                None,
                "",
                f"the XLSX file unpacks to {unpacked:,} bytes, more than {XLSX_EXPANSION} "
                f"times the limit of {limits.max_file_mb} MB",
                limits.file_hint(),
            )
        ]
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged workbook
        return None, [
            DataError(
                display_name,
                None,
                None,
                None,
                "",
                f"the XLSX file cannot be read ({error})",
                "save it again from Excel as .xlsx or CSV UTF-8",
            )
        ]
    try:
        # Workbooks often start with a notes sheet: read the first sheet whose first row has
        # two or more recognised headings, else the first sheet with anything in it.
        sheets = []
        for sheet in workbook.worksheets:
            rows = [
                (index, [_cell_text(v) for v in values])
                for index, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
            rows = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
            if rows:
                sheets.append(rows)
        for rows in sheets:
            headings = [_header_key(h.replace("£", "")) for h in rows[0][1]]
            if sum(1 for h in headings if h in HEADER_ALIASES) >= 2:
                return _table_from_rows(rows, display_name, limits)
        if sheets:
            return _table_from_rows(sheets[0], display_name, limits)
    finally:
        workbook.close()
    return None, [
        DataError(display_name, None, None, None, "", "the file is empty", "no sheet has any rows")
    ]


def _oversize_cells(
    number: int,
    cells: Sequence[str],
    headers: Sequence[str],
    display_name: str,
    limits: FileLimits,
) -> list[DataError]:
    """An error for each cell of the row longer than the limit, naming its column."""
    return [
        DataError(
            display_name,
            number,
            (headers[index] if index < len(headers) else None) or None,
            None,
            cell[:40] + "...",
            f"the cell has {len(cell):,} characters, more than the limit of "
            f"{limits.max_cell_chars:,}",
            limits.cell_hint(),
        )
        for index, cell in enumerate(cells)
        if len(cell) > limits.max_cell_chars
    ]


def _table_from_rows(
    rows: Sequence[tuple[int, Sequence[str]]], display_name: str, limits: FileLimits
) -> tuple[Table | None, list[DataError]]:
    non_blank = [
        (n, [restore_cell(c.strip()) for c in cells])
        for n, cells in rows
        if any(c.strip() for c in cells)
    ]
    if not non_blank:
        return None, [
            DataError(
                display_name,
                None,
                None,
                None,
                "",
                "the file is empty",
                "expected a heading row and one row per partnership",
            )
        ]
    header_row, headers = non_blank[0]
    while headers and not headers[-1]:
        headers.pop()
    oversize = _oversize_cells(header_row, headers, (), display_name, limits)
    if oversize:  # headings are repeated in messages, so a huge one stops here
        return None, oversize
    data_rows = non_blank[1:]
    if not data_rows:
        return None, [
            DataError(
                display_name,
                None,
                None,
                None,
                "",
                "the file has headings but no rows",
                "expected one row per partnership under the headings",
            )
        ]
    errors: list[DataError] = []
    table_rows: list[tuple[int, tuple[str, ...]]] = []
    for number, cells in data_rows:
        oversize = _oversize_cells(number, cells, headers, display_name, limits)
        if oversize:
            errors.extend(oversize)
            continue
        extra = [c for c in cells[len(headers) :] if c]
        if extra:
            errors.append(
                DataError(
                    display_name,
                    number,
                    None,
                    None,
                    extra[0],
                    f"the row has {len(headers) + len(extra)} cells but only "
                    f"{len(headers)} headings",
                    "quote cells that contain the separator",
                )
            )
            continue
        padded = list(cells[: len(headers)]) + [""] * max(0, len(headers) - len(cells))
        table_rows.append((number, tuple(padded)))
    return Table(tuple(headers), tuple(table_rows)), errors


#: Required fields: (alternatives that satisfy it, what to say, what to add).
_REQUIRED = (
    (("name", "id"), "no column for the partnership name", "a 'name' (or 'Partnership') column"),
    (
        ("councils", "council_gss_codes"),
        "no column for the member councils",
        "a 'councils' (or 'Councils involved') column",
    ),
    (("status",), "no column for the status", "a 'status' column: " + ", ".join(STATUSES)),
)


def best_heading(field_name: str, headings: Sequence[str]) -> tuple[str, float] | None:
    """The heading most like one of ``field_name``'s synonyms, with its similarity (0-1); a
    heading sharing a whole word with a synonym scores at least 0.6. None without headings."""
    variants = [_header_key(v) for v in _VARIANTS.get(field_name, (field_name,))]
    variant_words = {
        w for v in _VARIANTS.get(field_name, (field_name,)) for w in _phrase(v).split()
    }
    best: tuple[str, float] | None = None
    for heading in headings:
        key = _header_key(heading)
        if not key:
            continue
        score = max(difflib.SequenceMatcher(None, key, v).ratio() for v in variants)
        if set(_phrase(heading).split()) & variant_words:
            score = max(score, 0.6)
        if best is None or score > best[1]:
            best = (heading, score)
    return best


def map_headers(
    headers: Sequence[str],
    display_name: str,
    overrides: Mapping[str, str] | None = None,
) -> tuple[dict[int, str], list[DataError], list[str]]:
    """Map headings to fields, by meaning (:data:`HEADER_ALIASES`, case and punctuation
    insensitive) and by the user's ``overrides`` (field -> heading, ``--column FIELD=HEADER``),
    which win over the synonyms.

    Returns
    -------
    (column index -> field, errors, warnings). Errors: an override naming an unknown field or
    a heading the file does not have, a missing required column (listing the headings found
    and the best candidate for the field), two columns for one field. Warnings: unknown
    columns and recognised-but-ignored ones.
    """
    mapping: dict[int, str] = {}
    errors: list[DataError] = []
    warnings: list[str] = []
    seen: dict[str, str] = {}
    found_list = ", ".join(repr(h) for h in headers if h)
    chosen: dict[int, str] = {}
    for field_name, heading in (overrides or {}).items():
        if field_name not in FIELDS:
            errors.append(
                DataError(
                    display_name, None, None, None, f"{field_name}={heading}",
                    f"--column names an unknown field {field_name!r}",
                    "fields: " + ", ".join(FIELDS),
                )
            )  # fmt: skip
            continue
        matches = [i for i, h in enumerate(headers) if _header_key(h) == _header_key(heading)]
        if not matches:
            errors.append(
                DataError(
                    display_name, 1, None, field_name, heading,
                    f"--column {field_name}={heading}: the file has no column {heading!r}",
                    f"headings found: {found_list}",
                )
            )  # fmt: skip
            continue
        chosen[matches[0]] = field_name
    for index, heading in enumerate(headers):
        if index in chosen:
            name: str | None = chosen[index]
        else:
            key = _header_key(heading.replace("£", ""))
            name = HEADER_ALIASES.get(key) or HEADER_ALIASES.get(key.removesuffix("gbp"))
            if name is not None and name in (overrides or {}):
                warnings.append(
                    f"{display_name}: column {heading!r} not used: --column {name}="
                    f"{overrides[name]!r} chose another column"  # type: ignore[index]
                )
                continue
        if name is None:
            close = difflib.get_close_matches(key, list(HEADER_ALIASES), n=1, cutoff=0.75)
            hint = f" (did you mean {HEADER_ALIASES[close[0]]!r}?)" if close else ""
            warnings.append(f"{display_name}: unknown column {heading!r} ignored{hint}")
            continue
        if name in IGNORED_FIELDS:
            warnings.append(f"{display_name}: column {heading!r} {IGNORED_FIELDS[name]}")
            continue
        if name in seen:
            errors.append(
                DataError(
                    display_name,
                    1,
                    heading,
                    name,
                    heading,
                    f"two columns for {name}: {seen[name]!r} and {heading!r}",
                    f"keep one of them, or choose one with --column {name}=HEADING",
                )
            )
            continue
        seen[name] = heading
        mapping[index] = name
    unused = [h for i, h in enumerate(headers) if i not in mapping and h]
    for alternatives, problem, add in _REQUIRED:
        if set(alternatives) & set(seen):
            continue
        field_name = alternatives[0]
        candidate = best_heading(field_name, unused)
        hint = (
            f"; the best candidate is {candidate[0]!r}: use --column {field_name}={candidate[0]!r}"
            if candidate is not None and candidate[1] >= 0.4
            else ""
        )
        errors.append(
            DataError(
                display_name,
                1,
                None,
                field_name,
                "",
                problem,
                f"headings found: {found_list}{hint}; or add {add}",
            )
        )
    return mapping, errors, warnings


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
