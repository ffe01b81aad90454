"""ViewOptions from query parameters: every value checked, with errors that say what to do."""

from __future__ import annotations

import pytest

from visualisation.options import ViewOptions, ViewOptionsError


def test_defaults_show_active_partnerships_everywhere() -> None:
    options = ViewOptions.from_query({})
    assert options == ViewOptions(
        year=None, services=(), status="active", region=None, two_mode=False, physics=False
    )


def test_parses_every_parameter_from_pairs() -> None:
    options = ViewOptions.from_query(
        [
            ("year", "2012"),
            ("service", "legal"),
            ("service", "ICT,hr-payroll"),
            ("status", "In-Development"),
            ("region", "yorkshire and the humber"),
            ("two_mode", "on"),
            ("physics", "1"),
        ]
    )
    assert options.year == 2012
    assert options.services == ("legal", "ict", "hr_payroll")
    assert options.status == "in_development"
    assert options.region == "Yorkshire and The Humber"
    assert options.two_mode
    assert options.physics


def test_accepts_a_mapping_with_lists_and_empty_form_values() -> None:
    options = ViewOptions.from_query({"service": ["legal", "legal"], "region": "", "year": ""})
    assert options.services == ("legal",)
    assert options.region is None
    assert options.year is None


def test_round_trips_through_to_query() -> None:
    options = ViewOptions(
        year=2019, services=("planning",), status="ended", region="London", two_mode=True
    )
    assert ViewOptions.from_query(options.to_query()) == options


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "twenty"}, "year must be a whole number"),
        ({"year": "1066"}, "is out of range: give a year from 2009 to"),
        ({"service": "legall"}, "Did you mean 'legal'?"),
        ({"status": "operationl"}, "Did you mean 'operational'?"),
        ({"region": "South Wset"}, "Did you mean 'South West'?"),
        ({"physics": "maybe"}, "physics must be true or false"),
        ({"servce": "legal"}, "unknown parameter 'servce'. Did you mean 'service'?"),
        ([("year", "2012"), ("year", "2013")], "'year' was given 2 times"),
    ],
)
def test_bad_values_raise_clear_errors(params: object, message: str) -> None:
    with pytest.raises(ViewOptionsError, match=message.replace("?", r"\?").replace("(", r"\(")):
        ViewOptions.from_query(params)


def test_hand_built_options_are_validated_too() -> None:
    with pytest.raises(ViewOptionsError, match="not one of the 15 service layers"):
        ViewOptions(services=("libraries",))
    with pytest.raises(ViewOptionsError, match="not an English region"):
        ViewOptions(region="Wales")
