"""Each council's ceremonial county (Lieutenancies Act 1997, Schedule 1, as amended).

The register names the county council a district lies within, and nothing for unitaries,
metropolitan boroughs or London boroughs. ``data/councils/ceremonial_counties.csv`` is this
project's own file (not a copy of the shared data) giving the ceremonial county of every
council of the register that has no county council above it; a district takes its county
council's. One council lies in two: Stockton-on-Tees, north of the Tees in Durham, south of it
in North Yorkshire (``also_partly_in``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path

from loaders.errors import DataError, LoadUsageError
from loaders.sources import read_csv_rows

__all__ = ["COLUMNS", "CeremonialCountyError", "read_ceremonial_counties"]

#: The file's columns, in order.
COLUMNS = ("code", "name", "ceremonial_county", "also_partly_in", "provision", "source")


class CeremonialCountyError(LoadUsageError):
    """The ceremonial counties file is wrong: the load cannot start, nothing is written."""

    def __init__(self, errors: list[DataError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(str(e) for e in errors))


def read_ceremonial_counties(
    path: Path, display: str, needing: Mapping[str, str]
) -> dict[str, tuple[str, ...]]:
    """Each council's ceremonial counties (the one it lies in, or mostly in, first).

    Parameters
    ----------
    path : the file.
    display : its name in messages.
    needing : code -> name of every council the file must cover (those without a county
        council in the register).

    Raises
    ------
    CeremonialCountyError : a missing column, an unknown, repeated or missing council, or a
        blank county; every problem is listed with its row and column.
    """
    rows = read_csv_rows(path)
    errors: list[DataError] = []
    missing_columns = [c for c in COLUMNS if rows and c not in rows[0]]
    if missing_columns or not rows:
        raise CeremonialCountyError(
            [
                DataError(
                    display,
                    1,
                    None,
                    None,
                    ", ".join(missing_columns),
                    "missing columns" if rows else "no rows",
                    "expected the columns " + ", ".join(COLUMNS),
                )
            ]
        )
    found: dict[str, tuple[str, ...]] = {}
    for number, row in enumerate(rows, start=2):
        code = row["code"].strip()
        county = row["ceremonial_county"].strip()
        at = (display, number)
        if code not in needing:
            close = difflib.get_close_matches(code, list(needing), n=3, cutoff=0.7)
            errors.append(
                _cell(
                    at,
                    "code",
                    code,
                    "not a council of the register without a county council",
                    "a district takes its county council's ceremonial county"
                    + (f"; closest codes: {', '.join(close)}" if close else ""),
                )
            )
        elif code in found:
            errors.append(_cell(at, "code", code, "this council is listed twice", "one row"))
        if not county:
            errors.append(
                _cell(at, "ceremonial_county", county, "blank", "a county of Schedule 1, e.g. Kent")
            )
            continue
        also = tuple(c.strip() for c in row["also_partly_in"].split(";") if c.strip())
        found[code] = (county, *also)
    for code in sorted(set(needing) - set(found)):
        errors.append(
            DataError(
                display,
                None,
                "code",
                "code",
                code,
                f"{needing[code]} has no ceremonial county",
                "add a row for it (code, name, ceremonial_county, ..., source)",
            )
        )
    if errors:
        raise CeremonialCountyError(errors)
    return found


def _cell(at: tuple[str, int], column: str, text: str, problem: str, expected: str) -> DataError:
    return DataError(at[0], at[1], column, column, text, problem, expected)
