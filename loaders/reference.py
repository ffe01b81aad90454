"""The LGA's own published totals (``partnerships/lga_headline_figures.csv``): reference data.

They are what councils reported to the LGA's Shared Services Map, edition by edition. They are
shown beside this data's figures for the nearest year, never merged into them, so they load as
``LgaEdition`` nodes, not partnerships (docs/graph-model.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from loaders.errors import DataError
from loaders.sources import read_csv_rows

__all__ = ["LgaEditionRecord", "read_lga_editions"]

_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_NUMBER = re.compile(r"(?<![\d.])(\d[\d,]*)(?![\d.])")


@dataclass(frozen=True, slots=True)
class LgaEditionRecord:
    """One edition of the LGA's totals, with its text kept as published."""

    edition: str
    year: int
    seq: int
    arrangements: str
    arrangements_count: int | None
    councils_sharing: str
    savings_gbp_m: str
    savings_basis: str
    breakdown: str
    sources: tuple[str, ...]

    def node_properties(self) -> dict[str, object]:
        """Properties of the ``LgaEdition`` node."""
        return {
            "edition": self.edition,
            "year": self.year,
            "seq": self.seq,
            "arrangements": self.arrangements or None,
            "arrangementsCount": self.arrangements_count,
            "councilsSharing": self.councils_sharing or None,
            "savingsGbpM": self.savings_gbp_m or None,
            "savingsBasis": self.savings_basis or None,
            "breakdown": self.breakdown or None,
            "sources": list(self.sources),
        }


def _count(text: str) -> int | None:
    """The published count: "143" -> 143; "hundreds (132 operational)" -> 132."""
    found = _NUMBER.search(text)
    return int(found.group(1).replace(",", "")) if found else None


def read_lga_editions(path: Path, display: str) -> tuple[list[LgaEditionRecord], list[DataError]]:
    """Every edition in file order (which is date order); a row whose edition names no year
    is an error naming its row."""
    records, errors = [], []
    for index, row in enumerate(read_csv_rows(path), start=2):
        edition = (row.get("edition_or_date") or "").strip()
        year = _YEAR.search(edition)
        if year is None:
            errors.append(
                DataError(
                    display,
                    index,
                    "edition_or_date",
                    "edition_or_date",
                    edition,
                    "no year in the edition",
                    "expected a four-digit year, e.g. 2013-01-29 or 'c.early 2011'",
                )
            )
            continue
        arrangements = (row.get("arrangements") or "").strip()
        records.append(
            LgaEditionRecord(
                edition=edition,
                year=int(year.group(1)),
                seq=index,
                arrangements=arrangements,
                arrangements_count=_count(arrangements),
                councils_sharing=(row.get("councils_sharing") or "").strip(),
                savings_gbp_m=(row.get("savings_gbp_m") or "").strip(),
                savings_basis=(row.get("savings_basis") or "").strip(),
                breakdown=(row.get("other_reported_breakdown") or "").strip(),
                sources=tuple(
                    u.strip() for u in (row.get("source_url") or "").split(" ; ") if u.strip()
                ),
            )
        )
    return records, errors
