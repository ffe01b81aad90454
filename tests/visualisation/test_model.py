"""visualisation.model: a partnership's activity in a year by graph.rules, hand-worked."""

from __future__ import annotations

import pytest

from graph import rules
from visualisation.model import Partnership


def _partnership(**fields: object) -> Partnership:
    return Partnership(id="p", name="P", members=("A", "B"), **fields)  # type: ignore[arg-type]


THIS_YEAR = rules.current_year()


@pytest.mark.parametrize(
    ("fields", "year", "active"),
    [
        ({"status": "operational", "start_year": 2012}, 2011, False),
        ({"status": "operational", "start_year": 2012}, 2012, True),
        ({"status": "operational", "start_year": 2012}, 2020, True),
        ({"status": "ended", "start_year": 2012, "end_year": 2014}, 2014, True),
        ({"status": "ended", "start_year": 2012, "end_year": 2014}, 2015, False),
        # Undated: placed in the current year only (data README), never "every year".
        ({"status": "operational"}, THIS_YEAR, True),
        ({"status": "operational"}, THIS_YEAR - 1, False),
        ({"status": "in_development", "start_year": 2012}, 2015, False),
    ],
)
def test_is_active_follows_the_rules_of_time(
    fields: dict[str, object], year: int, active: bool
) -> None:
    assert _partnership(**fields).is_active(year) is active


def test_one_member_is_not_a_partnership_in_any_year() -> None:
    lone = Partnership(id="p", name="P", status="operational", members=("A", "A"), start_year=2012)
    assert not lone.is_active(2015)
