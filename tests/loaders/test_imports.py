"""Imports that meet real spreadsheets: headings and values matched by meaning.

Hand-made sheets (CSV and XLSX written by the test) use the synonyms of docs/loading.md for
headings, service labels, statuses, years and amounts; each test says which rows it expects
and checks what was validated (and, against the tests' Neo4j, what a load would write).
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

import pytest
from openpyxl import Workbook
from starlette.testclient import TestClient

from api.app import create_app
from contributions.accounts import Role
from graph.db import Database
from graph.schema import data_version
from graph.settings import Settings
from loaders import load_partnership_file
from loaders.cli import add_load_arguments, run_load
from loaders.councils import build_council_data
from loaders.matching import CouncilIndex
from loaders.partnerships import (
    FileValidation,
    PartnershipContext,
    read_table,
    validate_file_rows,
    validate_partnership,
)
from loaders.sources import SERVICE_AREAS, read_csv_rows
from tests.support.contributions import SUBMIT, data, module_accounts
from tests.support.paths import ROOT

HART, RUSHMOOR, BASINGSTOKE = "E07000089", "E07000092", "E07000084"


@cache
def _index() -> CouncilIndex:
    return CouncilIndex(c.ref() for c in build_council_data().councils)


@cache
def _areas() -> dict[str, str]:
    return {r["code"]: r["label"] for r in read_csv_rows(SERVICE_AREAS)}


def _write_xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    workbook = Workbook()
    notes = workbook.active
    assert notes is not None
    notes.title = "Notes"
    notes.append(["Shared services return, spring edition"])  # LGA workbooks open with notes
    sheet = workbook.create_sheet("Arrangements")
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def _write_csv(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _validate(path: Path, overrides: dict[str, str] | None = None) -> FileValidation:
    table, errors = read_table(path, path.name)
    assert table is not None, errors
    return validate_file_rows(table, path.name, _index(), _areas(), overrides)


LGA_SHEET = [
    ["Arrangement", "Authorities", "Service area", "Current status", "Go-live date",
     "Projected savings", "Lead authority"],
    ["Hart and Rushmoor audit", "Hart; Rushmoor", "Audit & counter-fraud", "In place",
     "April 2012", "£250k", "Rushmoor"],
    ["Hart and Basingstoke revenues", "Hart\nBasingstoke and Deane",
     "Revs & Bens\nFinance, audit and counter-fraud", "Live", "2013/14", "£1.2m", ""],
    ["Three councils planning", "Hart; Rushmoor; Basingstoke & Deane", "Planning",
     "Proposed", "", "1,200,000", ""],
    ["Old legal service", "Hart; Rushmoor", "Shared legal services", "Ceased",
     "01/04/2010", "c. £40k pa", ""],
]  # fmt: skip


def test_a_sheet_with_synonym_headings_and_labels_loads_the_intended_rows(tmp_path: Path) -> None:
    validation = _validate(_write_xlsx(tmp_path / "lga.xlsx", LGA_SHEET))
    assert validation.errors == ()
    assert dict(validation.columns) == {
        "Arrangement": "name",
        "Authorities": "councils",
        "Service area": "service_areas",
        "Current status": "status",
        "Go-live date": "start_year",
        "Projected savings": "annual_savings_gbp",
        "Lead authority": "lead_council",
    }
    found = {
        r.name: (
            r.status,
            r.start_year,
            r.annual_savings_gbp,
            r.service_areas,
            {m.council_code for m in r.members},
        )
        for r in validation.records
    }
    assert found == {
        "Hart and Rushmoor audit": (
            "operational", 2012, 250_000, ("finance_audit_fraud",), {HART, RUSHMOOR}
        ),
        "Hart and Basingstoke revenues": (
            "operational",
            2013,
            1_200_000,
            ("revenues_benefits", "finance_audit_fraud"),
            {HART, BASINGSTOKE},
        ),
        "Three councils planning": (
            "in_development", None, 1_200_000, ("planning",), {HART, RUSHMOOR, BASINGSTOKE}
        ),
        "Old legal service": ("ended", 2010, 40_000, ("legal",), {HART, RUSHMOOR}),
    }  # fmt: skip
    audit = next(r for r in validation.records if r.name == "Hart and Rushmoor audit")
    assert {m.council_code: m.role for m in audit.members}[RUSHMOOR] == "lead"


@pytest.mark.parametrize(
    "headings",
    [
        ("Partnership", "Councils", "Service", "Status"),
        ("Partnership name", "Councils involved", "Service category", "Status"),
        ("PARTNERSHIP-DESCRIPTION", "partners", "Service Area", "stage"),
        ("Title", "councils_involved", "Services", "Current status"),
        ("Arrangement", "Authorities", "Category", "STATUS:"),
    ],
)
def test_headings_are_matched_by_meaning_whatever_their_case_and_punctuation(
    tmp_path: Path, headings: tuple[str, ...]
) -> None:
    rows = [headings, ("Hart and Rushmoor ICT", "Hart; Rushmoor", "IT", "operating")]
    validation = _validate(_write_csv(tmp_path / "sheet.csv", rows))
    assert validation.errors == ()
    assert [dict(validation.columns)[h] for h in headings] == [
        "name",
        "councils",
        "service_areas",
        "status",
    ]
    (record,) = validation.records
    assert (record.status, record.service_areas) == ("operational", ("ict",))


def test_a_missing_column_names_the_headings_found_and_the_best_candidate(tmp_path: Path) -> None:
    rows = [
        ("Initiative title", "Councils", "Status", "Budget code"),
        ("Hart and Rushmoor HR", "Hart; Rushmoor", "live", "X1"),
    ]
    path = _write_csv(tmp_path / "missing.csv", rows)
    validation = _validate(path)
    (error,) = validation.errors
    assert error.problem == "no column for the partnership name"
    assert "headings found: 'Initiative title', 'Councils', 'Status', 'Budget code'" in str(error)
    assert "the best candidate is 'Initiative title': use --column name='Initiative title'" in (
        str(error)
    )
    chosen = _validate(path, {"name": "Initiative title"})
    assert chosen.errors == ()
    assert [r.name for r in chosen.records] == ["Hart and Rushmoor HR"]


def test_a_column_option_wins_over_the_synonyms(tmp_path: Path) -> None:
    rows = [
        ("Partnership", "Partnership description", "Councils", "Status"),
        ("HR", "Hart and Rushmoor's shared HR team", "Hart; Rushmoor", "live"),
    ]
    path = _write_csv(tmp_path / "two_names.csv", rows)
    (error,) = _validate(path).errors
    assert "two columns for name" in error.problem
    assert "--column name=HEADING" in error.expected
    chosen = _validate(path, {"name": "Partnership description", "notes": "Partnership"})
    assert chosen.errors == ()
    (record,) = chosen.records
    assert (record.name, record.notes) == ("Hart and Rushmoor's shared HR team", "HR")
    bad = _validate(path, {"name": "Scheme"})
    assert any("the file has no column 'Scheme'" in e.problem for e in bad.errors)
    assert any(
        "unknown field 'colour'" in e.problem for e in _validate(path, {"colour": "x"}).errors
    )


def test_an_ambiguous_label_is_an_error_naming_row_column_value_and_candidates(
    tmp_path: Path,
) -> None:
    rows = [
        ("Partnership", "Councils involved", "Service area", "Status"),
        ("Fine", "Hart; Rushmoor", "Legal", "live"),
        ("Two in one", "Hart; Rushmoor", "Legal and ICT", "live"),
        ("Commas", "Hart; Rushmoor", "Legal, Procurement", "live"),
        ("Unknown", "Hart; Rushmoor", "Cemeteries", "live"),
    ]
    validation = _validate(_write_csv(tmp_path / "labels.csv", rows))
    by_row = {e.row: e for e in validation.errors}
    assert set(by_row) == {3, 4, 5}
    ambiguous = by_row[3]
    assert (ambiguous.column, ambiguous.text) == ("Service area", "Legal and ICT")
    assert ambiguous.problem == "ambiguous service area: the label fits several layers"
    assert "ict (ICT)" in ambiguous.expected
    assert "legal (Legal services)" in ambiguous.expected
    assert "row 3, column 'Service area'" in str(ambiguous)
    assert "procurement (Procurement)" in by_row[4].expected
    assert by_row[5].problem == "unknown service area"
    assert [r.name for r in validation.records] == ["Fine"]


@pytest.mark.parametrize(
    ("text", "year"),
    [("April 2012", 2012), ("2012/13", 2012), ("2012-13", 2012), ("1st April 2012", 2012),
     ("01/04/2012", 2012), ("2012-04-01", 2012), ("c.2012", 2012), ("FY 2014/15", 2014),
     ("Spring 2015", 2015)],
)  # fmt: skip
def test_years_are_read_from_dates(text: str, year: int) -> None:
    raw = {"name": "X", "councils": "Hart; Rushmoor", "status": "live", "start_year": text}
    record, errors = validate_partnership(raw, 2, PartnershipContext(_index(), _areas()))
    assert errors == []
    assert record is not None
    assert record.start_year == year


@pytest.mark.parametrize(
    ("text", "pounds"),
    [("£1.2m", 1_200_000), ("£250k", 250_000), ("1,200,000", 1_200_000),
     ("£1.2 million per year", 1_200_000), ("approx £40,000 p.a.", 40_000)],
)  # fmt: skip
def test_savings_are_read_as_people_write_them(text: str, pounds: int) -> None:
    raw = {"name": "X", "councils": "Hart; Rushmoor", "status": "live", "annual_savings_gbp": text}
    record, errors = validate_partnership(raw, 2, PartnershipContext(_index(), _areas()))
    assert errors == []
    assert record is not None
    assert record.annual_savings_gbp == pounds


def test_a_range_of_savings_or_years_is_an_error_not_a_guess() -> None:
    raw = {
        "name": "X",
        "councils": "Hart; Rushmoor",
        "status": "live",
        "annual_savings_gbp": "£100k-£200k",
        "start_year": "2012 to 2014",
    }
    record, errors = validate_partnership(raw, 2, PartnershipContext(_index(), _areas()))
    assert record is None
    assert {(e.field, e.problem) for e in errors} == {
        ("annual_savings_gbp", "not an amount of money"),
        ("start_year", "not a year"),
    }


# --- Against the graph ----------------------------------------------------------------------


def _load_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_load_arguments(parser)
    return parser.parse_args(list(argv))


def test_dry_run_prints_the_column_mapping_before_the_rows(
    loaded_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write_xlsx(tmp_path / "lga.xlsx", LGA_SHEET)
    assert run_load(_load_args("--partnerships", str(path), "--dry-run"), loaded_db) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:7] == [
        "column: 'Arrangement' -> name",
        "column: 'Authorities' -> councils",
        "column: 'Service area' -> service_areas",
        "column: 'Current status' -> status",
        "column: 'Go-live date' -> start_year",
        "column: 'Projected savings' -> annual_savings_gbp",
        "column: 'Lead authority' -> lead_council",
    ]
    assert "partnerships: 4 created, 0 updated, 0 unchanged" in lines
    renamed = _write_csv(
        tmp_path / "renamed.csv",
        [("Initiative", "Councils", "Status"), ("Hart and Rushmoor HR", "Hart; Rushmoor", "live")],
    )
    args = _load_args("--partnerships", str(renamed), "--dry-run", "--column", "name=Initiative")
    assert run_load(args, loaded_db) == 0
    assert "column: 'Initiative' -> name" in capsys.readouterr().out
    assert run_load(_load_args("--partnerships", str(renamed), "--column", "name"), loaded_db) == 2


def test_nothing_is_written_when_any_row_fails(loaded_db: Database, tmp_path: Path) -> None:
    rows = [*LGA_SHEET, ["Bad one", "Hart; Rushmoor", "Legal and ICT", "live", "", "", ""]]
    path = _write_xlsx(tmp_path / "one_bad.xlsx", rows)
    before = data_version(loaded_db)
    report = load_partnership_file(loaded_db, path)
    assert [e.row for e in report.errors] == [6]
    assert not report.written
    assert data_version(loaded_db) == before
    names = [str(row[0]) for row in LGA_SHEET[1:]]
    found = loaded_db.read(
        "MATCH (p:Partnership) WHERE p.name IN $names RETURN count(p) AS n", {"names": names}
    )
    assert found[0]["n"] == 0


@pytest.fixture(scope="module")
def client(loaded_db: Database, neo4j_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(neo4j_settings)) as test_client:
        yield test_client


def test_submit_partnership_accepts_a_label_with_a_comma(
    client: TestClient, loaded_db: Database
) -> None:
    with module_accounts(loaded_db) as made:
        token = made.add("import-contributor", Role.CONTRIBUTOR)
        result = data(
            client,
            SUBMIT,
            token,
            input={
                "name": "Hart and Rushmoor finance",
                "councils": ["Hart", "Rushmoor"],
                "services": ["Finance, audit and counter-fraud", "Revs & Bens"],
                "status": "operational",
                "sources": [{"url": "https://www.hart.gov.uk/finance-shared", "date": "2015"}],
            },
        )["submitPartnership"]
        assert result["errors"] == []
        assert result["submission"]["status"] == "PENDING"


def test_the_documented_table_lists_every_heading_synonym() -> None:
    from loaders.vocabulary import HEADER_ALIASES, HEADING_VARIANTS

    text = (ROOT / "docs" / "loading.md").read_text()
    for field_name, synonyms in HEADING_VARIANTS.items():
        line = next(ln for ln in text.splitlines() if ln.startswith(f"| `{field_name}` |"))
        assert all(f'"{synonym}"' in line for synonym in synonyms), field_name
    assert set(HEADER_ALIASES.values()) == set(HEADING_VARIANTS)
