"""Partnership files and records: matching, header mapping and every kind of error.

Each error kind has a real file in tests/fixtures/partnerships. These tests check validation
only; tests/loaders/test_neo4j.py checks what loading those files does to the graph.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from loaders import matching
from loaders.councils import build_council_data
from loaders.errors import DataError
from loaders.matching import CouncilIndex
from loaders.partnerships import (
    FileValidation,
    PartnershipContext,
    map_headers,
    read_table,
    validate_file_rows,
    validate_partnership,
)
from loaders.sources import PARTNERSHIPS, SERVICE_AREAS, read_csv_rows
from tests.support import paths

FIXTURES = paths.FIXTURES / "partnerships"


@cache
def _index() -> CouncilIndex:
    return CouncilIndex(c.ref() for c in build_council_data().councils)


@cache
def _areas() -> dict[str, str]:
    return {r["code"]: r["label"] for r in read_csv_rows(SERVICE_AREAS)}


def _validate(path: Path) -> tuple[FileValidation | None, list[DataError]]:
    table, errors = read_table(path, path.name)
    if table is None:
        return None, errors
    return validate_file_rows(table, path.name, _index(), _areas()), errors


def _errors_of(name: str) -> list[DataError]:
    validation, errors = _validate(FIXTURES / name)
    return errors + (list(validation.errors) if validation else [])


# --- Matching -------------------------------------------------------------------------------
def test_dorset_is_the_county_in_2012_and_the_unitary_in_2021() -> None:
    assert _index().match("Dorset", 2012).council.code == "E10000009"  # type: ignore[union-attr]
    assert _index().match("Dorset", 2021).council.code == "E06000059"  # type: ignore[union-attr]


def test_in_a_reorganisation_year_the_old_council_is_chosen() -> None:
    match = _index().match("Dorset", 2019)
    assert match.council is not None
    assert match.council.code == "E10000009"


def test_dorset_with_no_year_is_ambiguous_and_names_both() -> None:
    match = _index().match("Dorset")
    assert match.problem == "ambiguous"
    assert {c.code for c in match.candidates} == {"E10000009", "E06000059"}


def test_an_exact_official_name_is_not_ambiguous() -> None:
    match = _index().match("Dorset Council")
    assert match.council is not None
    assert match.council.code == "E06000059"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("E07000097", "E07000242"),  # East Hertfordshire
        ("E07000101", "E07000243"),  # Stevenage
        ("E07000100", "E07000240"),  # St Albans
        ("E07000104", "E07000241"),  # Welwyn Hatfield
        ("E08000020", "E08000037"),  # Gateshead
        ("E06000048", "E06000057"),  # Northumberland
    ],
)
def test_recoded_districts_resolve_by_old_and_new_code(old: str, new: str) -> None:
    assert _index().match(old).council.code == new  # type: ignore[union-attr]
    assert _index().match(new).council.code == new  # type: ignore[union-attr]


def test_unknown_name_suggests_the_closest_real_councils() -> None:
    match = _index().match("Maidstne")
    assert match.problem == "unknown"
    assert match.suggestions[0].name == "Maidstone"


# --- The bundled file -----------------------------------------------------------------------
def test_every_bundled_partnership_is_valid() -> None:
    rows = read_csv_rows(PARTNERSHIPS)
    validation, errors = _validate(PARTNERSHIPS)
    assert validation is not None
    assert errors == []
    assert validation.errors == ()
    assert [r.id for r in validation.records] == [row["id"] for row in rows]
    assert all(len(r.members) >= 2 for r in validation.records)
    assert sum(1 for r in validation.records if not r.service_areas) == sum(
        1 for row in rows if not row["service_areas"].strip()
    )
    # Former codes (e.g. East Hertfordshire's) resolve to the current record: 364 codes as
    # written name 358 councils, as the data README says.
    assert len({m.council_code for r in validation.records for m in r.members}) == 358
    assert all(r.sources for r in validation.records)
    # member_years: every listed member with its own years keeps them.
    by_id = {r.id: r for r in validation.records}
    hb = {m.council_code: (m.from_year, m.to_year) for m in by_id["hb-public-law"].members}
    assert hb["E07000004"] == (2015, None)  # Aylesbury Vale joined in 2015
    assert sum(1 for row in rows if row["member_years"].strip()) == sum(
        1 for r in validation.records if any(m.from_year or m.to_year for m in r.members)
    )


def test_a_source_with_a_remark_keeps_the_url_and_the_remark() -> None:
    validation, _ = _validate(PARTNERSHIPS)
    assert validation is not None
    (craven,) = [r for r in validation.records if r.id == "craven-selby-ict"]
    assert craven.sources[0].url == "https://archive.org/"
    assert craven.sources[0].note
    assert "UNISON" in craven.sources[0].note


# --- Good files in other layouts ------------------------------------------------------------
def test_lga_style_csv_maps_headings_and_reports_other_columns() -> None:
    validation, errors = _validate(FIXTURES / "lga_style.csv")
    assert validation is not None
    assert not errors
    assert not validation.errors
    (record,) = validation.records
    assert {m.council_code for m in record.members} == {"E06000058", "E06000059"}
    assert record.service_areas == ("revenues_benefits",)
    assert record.annual_savings_gbp == 1_200_000
    assert record.savings_note is not None
    assert "120,000" in record.savings_note
    assert any("Favourite colour" in w for w in validation.warnings)
    assert any("Contact" in w and "personal data" in w for w in validation.warnings)


def test_lga_style_xlsx_skips_a_notes_sheet_and_reads_line_separated_councils() -> None:
    validation, errors = _validate(FIXTURES / "lga_style.xlsx")
    assert validation is not None
    assert not errors
    assert not validation.errors
    waste, audit = validation.records
    assert len(waste.members) == 3
    assert waste.row == 2
    assert [m.role for m in waste.members].count("lead") == 1
    assert audit.status == "in_development"


def test_headings_are_matched_case_and_punctuation_insensitively() -> None:
    mapping, errors, warnings = map_headers(
        ["COUNCILS_INVOLVED", "Lead-Authority", "status", "Partnership"], "x.csv"
    )
    assert not errors
    assert not warnings
    assert sorted(mapping.values()) == ["councils", "lead_council", "name", "status"]


# --- One file per error kind ----------------------------------------------------------------
def _single(name: str) -> DataError:
    (error,) = _errors_of(name)
    return error


def test_unknown_council_names_row_column_text_and_suggestions() -> None:
    error = _single("unknown_council.csv")
    assert (error.row, error.column, error.text) == (2, "councils", "Maidstne")
    assert "Maidstone (E07000110" in error.expected


def test_ambiguous_name_lists_the_candidates() -> None:
    error = _single("ambiguous_name.csv")
    assert error.problem == "ambiguous council name"
    assert "Dorset County (E10000009" in error.expected
    assert "E06000059" in error.expected


def test_unknown_status() -> None:
    error = _single("unknown_status.csv")
    assert (error.field, error.text) == ("status", "paused")
    assert "operational" in error.expected


def test_unknown_service_area() -> None:
    error = _single("unknown_service.csv")
    assert (error.field, error.text) == ("service_areas", "catering")
    assert "valid codes" in error.expected


def test_years_out_of_order() -> None:
    error = _single("years_out_of_order.csv")
    assert error.field == "end_year"
    assert "out of order" in error.problem


def test_negative_savings() -> None:
    error = _single("negative_savings.csv")
    assert (error.field, error.text) == ("annual_savings_gbp", "-25000")


def test_non_numeric_savings() -> None:
    error = _single("non_numeric_savings.csv")
    assert (error.field, error.text) == ("annual_savings_gbp", "about a million")


def test_duplicate_id_names_both_rows() -> None:
    error = _single("duplicate_id.csv")
    assert error.row == 3
    assert "row 2" in error.problem


def test_fewer_than_two_councils() -> None:
    error = _single("one_council.csv")
    assert error.field == "councils"
    assert "two or more" in error.problem


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("empty.csv", "the file is empty"),
        ("headings_only.csv", "no rows"),
        ("not_a_spreadsheet.pdf", "not a CSV or XLSX file"),
        ("windows_1252.csv", "not UTF-8"),
    ],
)
def test_file_level_errors(name: str, problem: str) -> None:
    error = _single(name)
    assert problem in error.problem
    assert error.file == name
    assert error.expected


def test_wrong_encoding_names_the_row() -> None:
    assert _single("windows_1252.csv").row == 2


def test_one_bad_row_among_good_ones_is_named() -> None:
    validation, _ = _validate(FIXTURES / "one_bad_row.csv")
    assert validation is not None
    (error,) = validation.errors
    assert (error.row, error.text) == (4, "Wrothing")
    assert "Worthing" in error.expected
    assert len(validation.records) == 3  # written only with --skip-invalid


def test_every_error_of_a_record_is_collected() -> None:
    ctx = PartnershipContext(councils=_index(), service_areas=_areas())
    record, errors = validate_partnership(
        {
            "name": "Many problems",
            "councils": "Hart;Nowhereshire",
            "status": "paused",
            "service_areas": "catering",
            "start_year": "2016",
            "end_year": "2012",
            "annual_savings_gbp": "-5",
        },
        0,
        ctx,
    )
    assert record is None
    assert {e.field for e in errors} == {
        "councils",
        "status",
        "service_areas",
        "end_year",
        "annual_savings_gbp",
    }
    assert all(e.file == "submission" for e in errors)


def test_a_valid_submission_gives_a_record() -> None:
    ctx = PartnershipContext(councils=_index(), service_areas=_areas())
    record, errors = validate_partnership(
        {
            "id": "x",
            "name": "Hart and Rushmoor",
            "councils": "Hart DC; Rushmoor Borough Council",
            "status": "Operational",
            "service_areas": "Legal services",
            "lead_council": "Hart",
        },
        0,
        ctx,
    )
    assert errors == []
    assert record is not None
    assert [(m.council_code, m.role) for m in record.members] == [
        ("E07000089", "lead"),
        ("E07000092", "partner"),
    ]


def test_a_remembered_match_is_the_match_and_the_memory_is_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(matching, "MEMO_SIZE", 3)
    index = CouncilIndex(c.ref() for c in build_council_data().councils)
    asked = [
        ("Dorset", 2012),
        ("Dorset", 2021),
        ("Dorset", None),
        ("Basingstoke and Deane", None),
    ] * 2
    answers = [index.match(text, year) for text, year in asked]
    # As worked out without the memory, each time (Dorset: the county in 2012, the unitary
    # in 2021, ambiguous with no year; data/README.md).
    assert answers == [index._match(text, year) for text, year in asked]
    assert [a.council.code if a.council else a.problem for a in answers[:4]] == [
        "E10000009",
        "E06000059",
        "ambiguous",
        "E07000084",
    ]
    assert len(index._memo) <= 3
