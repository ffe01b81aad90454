"""graph.names: the normal form of council names, and alias generation."""

from __future__ import annotations

import csv
import re
import unicodedata

import pytest

from graph import names
from graph.names import council_aliases, normalise
from tests.support.paths import ROOT


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


# --- Issue 14: a cheaper normalise gives every key it gave before -----------------------------
_SUFFIXES_BEFORE = tuple(names._SUFFIXES)
_PREFIXES_BEFORE = tuple(names._PREFIXES)


def _fold_as_before(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("'", "").replace("\u2019", "")
    text = text.replace("&", " & ").replace("+", " + ")
    text = re.sub(r"[^a-z0-9&+ ]+", " ", text)
    return " ".join({"saint": "st", "&": "and", "+": "and"}.get(w, w) for w in text.split())


def _normalise_as_before(name: str) -> str:
    """graph.names.normalise as it was before issue 14, statement for statement."""
    head, sep, tail = name.rpartition(",")
    if sep and _fold_as_before(tail) in {"city of", "county of", "city and county of", "the"}:
        name = head
    name = re.sub(r"\b([A-Za-z])\.(?=[A-Za-z]\.)", r"\1", name)
    name = re.sub(r"\b([A-Za-z])\.", r"\1", name)
    key = _fold_as_before(name)
    changed = True
    while changed and key != "city of london":
        changed = False
        for suffix in _SUFFIXES_BEFORE:
            rest = key[: -len(suffix) - 1]
            if key.endswith(" " + suffix) and rest and rest not in {"the", "city of", "county of"}:
                key = rest
                changed = True
                break
        if changed or key == "city of london":
            continue
        for prefix in _PREFIXES_BEFORE:
            if key.startswith(prefix + " ") and len(key) > len(prefix) + 1:
                key = key[len(prefix) + 1 :]
                changed = True
                break
    return key


def _names_in_the_bundled_data() -> set[str]:
    """Every cell of every bundled CSV, and its pieces between ';' and ','."""
    found: set[str] = set()
    for path in (ROOT / "data").rglob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    found |= {cell, *re.split(r"[;,]", cell)}
    return found


def test_normalise_gives_the_keys_it_gave_before_on_every_name_in_the_data() -> None:
    written = _names_in_the_bundled_data()
    assert len(written) > 5000
    variants = {
        form
        for text in written
        for form in (
            text.upper(),
            f"The {text} B.C.",
            f"{text}, City of",
            text.replace("e", "\u00e9").replace("'", "\u2019"),
            text.replace(" ", "-") + " + Co.",
        )
    }
    assert {t: normalise(t) for t in written | variants} == {
        t: _normalise_as_before(t) for t in written | variants
    }
