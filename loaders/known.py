"""What the graph already knows that a user's file is checked against: its councils (as a
matching index) and its service areas. Also used by contributions, so a submission is matched
with exactly the rules a file load uses."""

from __future__ import annotations

from datetime import date
from typing import Any

from graph.db import Database
from loaders import queries
from loaders.matching import CouncilIndex, CouncilRef

__all__ = ["council_index_from_db", "service_areas_from_db"]


def _date_of(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(value.iso_format())


def council_index_from_db(db: Database) -> CouncilIndex:
    """The matching index over the councils in the graph (one read).

    Used to load a user's file, and by the API to match a contributor's council names with
    exactly the rules a file load uses.
    """
    councils = []
    for row in db.read(queries.READ_COUNCIL_REFS):
        valid_from = _date_of(row["validFrom"])
        assert valid_from is not None
        councils.append(
            CouncilRef(
                code=row["code"],
                name=row["name"],
                alias_keys=tuple(row["aliasKeys"] or ()),
                former_codes=tuple(row["formerCodes"] or ()),
                valid_from=valid_from,
                valid_to=_date_of(row["validTo"]),
                replaced_by=tuple(row["replacedBy"]),
                aliases=tuple(row["aliases"] or ()),
            )
        )
    return CouncilIndex(councils)


def service_areas_from_db(db: Database) -> dict[str, str]:
    """Service area code -> label, as stored in the graph (one read)."""
    return {row["code"]: row["label"] for row in db.read(queries.READ_SERVICE_AREA_LABELS)}
