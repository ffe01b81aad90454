"""loaders.ceremonial: every council of the register has a ceremonial county (Lieutenancies Act
1997, Schedule 1, as amended), hand-known cases hold, and a wrong file is refused by row and
column before anything is written."""

from __future__ import annotations

import csv
import dataclasses
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from loaders.ceremonial import COLUMNS, CeremonialCountyError, read_ceremonial_counties
from loaders.councils import KINDS, SCOPE_FROM, CouncilData, build_council_data
from loaders.sources import CEREMONIAL_COUNTIES, BundledSources, read_csv_rows
from tests.support.paths import ROOT

# The 48 ceremonial counties of England (Schedule 1 paragraphs 2-4 as amended), by hand.
SCHEDULE_1 = {
    "Bedfordshire",
    "Berkshire",
    "City of Bristol",
    "Buckinghamshire",
    "Cambridgeshire",
    "Cheshire",
    "City of London",
    "Cornwall",
    "Cumbria",
    "Derbyshire",
    "Devon",
    "Dorset",
    "Durham",
    "East Riding of Yorkshire",
    "East Sussex",
    "Essex",
    "Gloucestershire",
    "Greater London",
    "Greater Manchester",
    "Hampshire",
    "Herefordshire",
    "Hertfordshire",
    "Isle of Wight",
    "Kent",
    "Lancashire",
    "Leicestershire",
    "Lincolnshire",
    "Merseyside",
    "Norfolk",
    "North Yorkshire",
    "Northamptonshire",
    "Northumberland",
    "Nottinghamshire",
    "Oxfordshire",
    "Rutland",
    "Shropshire",
    "Somerset",
    "South Yorkshire",
    "Staffordshire",
    "Suffolk",
    "Surrey",
    "Tyne and Wear",
    "Warwickshire",
    "West Midlands",
    "West Sussex",
    "West Yorkshire",
    "Wiltshire",
    "Worcestershire",
}


@cache
def _data() -> CouncilData:
    return build_council_data()


def _of(name: str) -> tuple[str, ...]:
    (found,) = [c.ceremonial_counties for c in _data().councils if c.name == name]
    return found


def test_schedule_1_has_48_counties() -> None:
    assert len(SCHEDULE_1) == 48


def test_every_council_in_the_register_has_one_of_schedule_1() -> None:
    register = {
        r["gss-code"]
        for r in read_csv_rows(BundledSources().councils)
        if r["nation"] == "England"
        and r["local-authority-type"] in KINDS
        and (r["end-date"] or "9999") > SCOPE_FROM.isoformat()
    }
    loaded = {c.code: c.ceremonial_counties for c in _data().councils}
    assert set(loaded) == register
    assert all(counties and set(counties) <= SCHEDULE_1 for counties in loaded.values())
    # Every county of Schedule 1 has at least one council of the register in it.
    assert {c for counties in loaded.values() for c in counties} == SCHEDULE_1


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Medway", ("Kent",)),
        ("Brighton and Hove", ("East Sussex",)),
        ("Milton Keynes", ("Buckinghamshire",)),
        ("Halton", ("Cheshire",)),
        ("City of Bristol", ("City of Bristol",)),
        ("Rutland", ("Rutland",)),
        ("Isles of Scilly", ("Cornwall",)),  # paragraph 5
        ("City of London", ("City of London",)),  # paragraph 4
        ("Camden", ("Greater London",)),
        ("Bolton", ("Greater Manchester",)),
        ("Gateshead", ("Tyne and Wear",)),
        ("Stockton-on-Tees", ("Durham", "North Yorkshire")),  # split by the Tees
        ("Bournemouth, Christchurch and Poole", ("Dorset",)),
        ("Cumberland", ("Cumbria",)),
        ("Kent", ("Kent",)),
        ("Gosport", ("Hampshire",)),  # a district: its county council's
        ("Forest Heath", ("Suffolk",)),  # the register's county-la is wrong (Surrey)
    ],
)
def test_hand_known_cases(name: str, expected: tuple[str, ...]) -> None:
    assert _of(name) == expected


def test_the_file_lists_exactly_the_councils_without_a_county_council() -> None:
    rows = read_csv_rows(CEREMONIAL_COUNTIES)
    without = {c.code for c in _data().councils if not c.county_code}
    assert [r["code"] for r in rows] == sorted(without)
    assert all(r["source"].startswith("https://www.legislation.gov.uk/ukpga/1997/23") for r in rows)


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _row(code: str, county: str) -> dict[str, str]:
    return {
        "code": code,
        "name": code,
        "ceremonial_county": county,
        "also_partly_in": "",
        "provision": "",
        "source": "",
    }


def test_errors_name_the_row_and_column(tmp_path: Path) -> None:
    needing = {"E06000035": "Medway", "E06000043": "Brighton and Hove", "E06000006": "Halton"}
    path = _write(
        tmp_path / "cc.csv",
        [_row("E06000035", "Kent"), _row("E06000043", " "), _row("E06000036X", "Berkshire")],
    )
    with pytest.raises(CeremonialCountyError) as caught:
        read_ceremonial_counties(path, "cc.csv", needing)
    where = {(e.row, e.column) for e in caught.value.errors}
    assert where == {(3, "ceremonial_county"), (4, "code"), (None, "code")}
    assert "Halton has no ceremonial county" in str(caught.value)
    assert "cc.csv, row 4, column 'code'" in str(caught.value)


def test_a_broken_file_stops_the_council_stage(tmp_path: Path) -> None:
    rows = read_csv_rows(CEREMONIAL_COUNTIES)
    broken = _write(tmp_path / "ceremonial_counties.csv", rows[:-1])
    sources = dataclasses.replace(BundledSources(), ceremonial_counties=broken)
    with pytest.raises(CeremonialCountyError, match=rows[-1]["name"]):
        build_council_data(sources)


def test_the_data_refresh_leaves_the_projects_own_file_alone(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    (shared / "councils").mkdir(parents=True)
    register = BundledSources().councils
    (shared / "councils" / register.name).write_bytes(register.read_bytes())
    before = CEREMONIAL_COUNTIES.read_bytes()
    for options in (["--check"], []):
        done = subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts" / "sync_data.py"),
                "--shared",
                str(shared),
                *options,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "ceremonial" not in done.stdout + done.stderr
    assert CEREMONIAL_COUNTIES.read_bytes() == before
