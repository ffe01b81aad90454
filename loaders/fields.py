"""One partnership row's cells as values: where the row comes from (:class:`PartnershipContext`),
its errors with file, row and column filled in (:class:`RowErrors`), and the readers of
lists, years, money and ids that every field of ``loaders.partnerships`` uses."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from graph.rules import current_year
from loaders.errors import DataError
from loaders.matching import CouncilIndex
from loaders.vocabulary import service_area_lookup

__all__ = [
    "PartnershipContext",
    "RowErrors",
    "parse_money",
    "parse_year",
    "slug",
    "split_list",
]


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


class RowErrors:
    """Collects the errors of one record, filling in file, row and column."""

    def __init__(self, ctx: PartnershipContext, row: int) -> None:
        self.ctx, self.row, self.items = ctx, row, list[DataError]()

    def add(self, field_name: str | None, text: str, problem: str, expected: str = "") -> None:
        column = self.ctx.column(field_name) if field_name else None
        self.items.append(
            DataError(self.ctx.file, self.row, column, field_name, text, problem, expected)
        )


_LIST_SEPARATOR = re.compile(r"[;\n]")


def split_list(text: str) -> list[str]:
    """Lists are ";"-separated in the bundled format; spreadsheets also use new lines."""
    parts = _LIST_SEPARATOR.split(text) if ";" in text or "\n" in text else [text]
    return [p.strip() for p in parts if p.strip()]


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


def parse_year(errors: RowErrors, name: str, text: str, ctx: PartnershipContext) -> int | None:
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


def parse_money(errors: RowErrors, name: str, text: str) -> int | None:
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


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]
