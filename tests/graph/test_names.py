"""graph.names: the normal form of council names, and alias generation."""

from __future__ import annotations

import pytest

from graph.names import council_aliases, normalise


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("Basingstoke and Deane", "basingstoke and deane"),
        ("Basingstoke & Deane Borough Council", "basingstoke and deane"),
        ("BASINGSTOKE AND DEANE B.C.", "basingstoke and deane"),
        ("The Royal Borough of Kingston-upon-Thames", "kingston upon thames"),
        ("Kingston upon Thames LB", "kingston upon thames"),
        ("London Borough of Barking & Dagenham", "barking and dagenham"),
        ("Hackney LBC", "hackney"),
        ("Bristol, City of", "bristol"),
        ("Kingston upon Hull, City of", "kingston upon hull"),
        ("Herefordshire, County of", "herefordshire"),
        ("County Durham", "durham"),
        ("Durham County Council", "durham"),
        ("City of Westminster", "westminster"),
        ("Westminster City Council", "westminster"),
        ("St. Albans City and District Council", "st albans"),
        ("Saint Albans", "st albans"),
        ("King's Lynn & West Norfolk BC", "kings lynn and west norfolk"),
        ("Bolsover DC", "bolsover"),
        ("City of Bradford MDC", "bradford"),
        ("Council of the Isles of Scilly", "isles of scilly"),
        ("City of London", "city of london"),
        ("City of London Corporation", "city of london"),
    ],
)
def test_normalise_ignores_case_punctuation_prefixes_and_suffixes(written: str, key: str) -> None:
    assert normalise(written) == key


def test_normalise_keeps_names_that_are_only_a_type_word() -> None:
    # Stripping must never leave nothing.
    assert normalise("Council") == "council"
    assert normalise("Borough") == "borough"


def test_district_aliases_have_the_common_forms() -> None:
    aliases = council_aliases(
        "Hart", "district", official_name="Hart District Council", others=["hart"]
    )
    assert {"Hart", "Hart District Council", "Hart DC", "Hart BC", "Hart Council"} <= set(aliases)
    assert "Hart City Council" not in aliases  # only cities get city forms
    assert {normalise(a) for a in aliases} == {"hart"}


def test_london_borough_and_ampersand_forms() -> None:
    aliases = council_aliases("Barking and Dagenham", "london_borough")
    assert "London Borough of Barking and Dagenham" in aliases
    assert "LB Barking & Dagenham" in aliases
    assert {normalise(a) for a in aliases} == {"barking and dagenham"}


def test_county_aliases_drop_the_county_word_for_the_short_form() -> None:
    aliases = council_aliases("Dorset County", "county", official_name="Dorset County Council")
    assert {"Dorset", "Dorset County Council", "Dorset CC"} <= set(aliases)


def test_new_unitary_nice_name_ending_in_council_is_not_doubled() -> None:
    aliases = council_aliases("Dorset Council", "unitary")
    assert "Dorset Council Council" not in aliases
    assert "Dorset Council" in aliases
