"""Adapters from the repository's models to the analysis's rows (no Neo4j)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from graph.analysis.inputs import border_pairs, council_attrs, memberships_from_rows
from graph.analysis.projection import AnalysisInputError, Membership


@dataclass(frozen=True)
class Member:
    partnership_id: str
    code: str
    role: str = "partner"


@dataclass(frozen=True)
class Partnership:
    services: tuple[str, ...]
    start_year: int | None


@dataclass(frozen=True)
class Council:
    code: str
    name: str
    kind: str
    tier: str
    region: str | None
    population: int | None
    area_ha: float | None
    latitude: float | None
    longitude: float | None
    valid_from: date
    valid_to: date | None = None

    def exists_in(self, year: int) -> bool:
        return self.valid_from <= date(year, 12, 31) and (
            self.valid_to is None or self.valid_to > date(year, 1, 1)
        )


@dataclass(frozen=True)
class Links:
    borders: tuple[str, ...]


def test_memberships_take_services_and_start_year_from_the_partnership() -> None:
    rows = memberships_from_rows(
        [Member("p1", "A"), Member("p1", "B", "lead")],
        {"p1": Partnership(("hr", "legal"), 2011)},
    )
    assert rows == (
        Membership("p1", "A", ("hr", "legal"), 2011),
        Membership("p1", "B", ("hr", "legal"), 2011),
    )


def test_missing_partnership_is_named() -> None:
    with pytest.raises(AnalysisInputError, match="partnership 'p2'"):
        memberships_from_rows([Member("p2", "A")], {})


def test_only_councils_existing_in_the_year() -> None:
    old = Council(
        "E1",
        "Old",
        "district",
        "lower",
        "SE",
        1,
        1.0,
        51.0,
        0.0,
        date(1974, 4, 1),
        date(2019, 4, 1),
    )
    new = Council("E2", "New", "unitary", "upper", "SE", None, None, 51.1, 0.1, date(2019, 4, 1))
    assert set(council_attrs([old, new], year=2018)) == {"E1"}
    # In the reorganisation year both exist.
    assert set(council_attrs([old, new], year=2019)) == {"E1", "E2"}
    attrs = council_attrs([new], year=2020)["E2"]
    assert (attrs.lat, attrs.lon, attrs.population) == (51.1, 0.1, None)


def test_council_without_centroid_is_reported() -> None:
    lost = Council("E3", "Lost", "district", "lower", None, 1, 1.0, None, None, date(2000, 1, 1))
    with pytest.raises(AnalysisInputError, match="'E3' \\(Lost\\) has no centroid"):
        council_attrs([lost], year=2012)


def test_border_pairs_once_each() -> None:
    links = {"B": Links(("A", "C")), "A": Links(("B",)), "C": Links(("B",))}
    assert border_pairs(links) == (("A", "B"), ("B", "C"))
