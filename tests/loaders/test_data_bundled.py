"""Tests on the bundled data itself: present, attributed, and internally consistent."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from loaders.sources import (
    ADJACENCY,
    COUNCILS,
    DATA_DIR,
    PARTNERSHIPS,
    SERVICE_AREAS,
    BundledSources,
    read_csv_rows,
)
from tests.support.paths import ROOT

ENGLISH_PRINCIPAL = {"CTY", "NMD", "UA", "MD", "LBO", "CC"}


def test_every_bundled_file_is_in_the_repository() -> None:
    for path in BundledSources().files():
        assert path.is_file(), path
        assert path.is_relative_to(DATA_DIR)


def test_every_data_file_is_described_in_the_data_readme() -> None:
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    for path in DATA_DIR.rglob("*"):
        if path.is_file() and path.name != "README.md":
            assert f"`{path.relative_to(DATA_DIR)}`" in readme, path


def test_notice_carries_the_attribution_lines() -> None:
    notice = (ROOT / "NOTICE").read_text(encoding="utf-8")
    for line in (
        "Contains Ordnance Survey data © Crown copyright and database right",
        "Open Government Licence v3.0",
        "mySociety (CC-BY-4.0)",
        "Martin Chorley (CC-BY-4.0)",
    ):
        assert line in notice


def test_council_codes_are_unique_and_types_allowed() -> None:
    rows = read_csv_rows(COUNCILS)
    coded = [r["gss-code"] for r in rows if r["gss-code"]]
    assert len(set(coded)) == len(coded)
    # Some bodies outside England have no GSS code; every English principal council has one.
    english = [r for r in rows if r["nation"] == "England"]
    assert all(r["gss-code"] for r in english if r["local-authority-type"] in ENGLISH_PRINCIPAL)
    assert len({r["local-authority-code"] for r in rows}) == len(rows)
    assert {r["local-authority-type"] for r in rows if r["nation"] == "England"} <= (
        ENGLISH_PRINCIPAL | {"SRA", "COMB"}
    )


def test_replaced_by_and_county_refer_to_known_councils() -> None:
    rows = read_csv_rows(COUNCILS)
    registry = {r["local-authority-code"] for r in rows}
    for row in rows:
        for code in filter(None, (c.strip() for c in row["replaced-by"].split(","))):
            assert code in registry, (row["nice-name"], code)
        if row["county-la"]:
            assert row["county-la"] in registry, row["nice-name"]


def test_the_source_defects_are_still_there_for_the_loaders_to_fix() -> None:
    # If a refreshed copy fixes these, the loader's fixes become no-ops: keep them honest.
    by_code = {r["gss-code"]: r for r in read_csv_rows(COUNCILS)}
    assert by_code["E07000201"]["county-la"] == "SRY"
    assert by_code["E07000201"]["region"] == ""


def test_partnerships_have_unique_ids_two_members_and_sources() -> None:
    rows = read_csv_rows(PARTNERSHIPS)
    assert len(rows) >= 619  # the shared copy only grows
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        codes = row["council_gss_codes"].split(";")
        assert len(codes) == len(row["councils"].split(";")), row["id"]
        assert len(set(codes)) >= 2, row["id"]
        assert row["source_urls"].strip(), row["id"]
    assert Counter(r["status"] for r in rows).keys() <= {
        "operational",
        "in_development",
        "ended",
        "abandoned",
    }


def test_partnership_service_areas_are_in_the_taxonomy() -> None:
    areas = {r["code"]: r for r in read_csv_rows(SERVICE_AREAS)}
    assert len(areas) == 15
    assert {a["office"] for a in areas.values()} == {"back", "front"}
    used = {
        code
        for row in read_csv_rows(PARTNERSHIPS)
        for code in row["service_areas"].split(";")
        if code
    }
    assert used <= set(areas)


def test_adjacency_pairs_are_unique_and_known_districts() -> None:
    from graph.geo import lad2013_districts

    districts = set(lad2013_districts())
    with ADJACENCY.open(encoding="utf-8", newline="") as handle:
        pairs = [(r["lad13cd_a"], r["lad13cd_b"]) for r in csv.DictReader(handle)]
    assert len(pairs) == 867
    assert len({frozenset(p) for p in pairs}) == len(pairs)
    assert {c for p in pairs for c in p} <= districts


@pytest.mark.parametrize("path", [COUNCILS, PARTNERSHIPS, SERVICE_AREAS, ADJACENCY])
def test_bundled_csv_files_are_utf8(path: Path) -> None:
    path.read_bytes().decode("utf-8")


# Editorial markers a compiler might leave in a note ("TODO: check", "VERIFY", "NB"): the notes
# are shown on pages as they are, so none may carry one. Acronyms (CCTV, LGPS) are fine.
EDITORIAL_MARKERS = re.compile(
    r"\b(TODO|FIXME|XXX|TBD|TBC|CHECK|VERIFY|VERIFIED|UNVERIFIED|NOTE|NB|EDIT|EDITOR|"
    r"CORRECTED|CORRECTION|UPDATE|UPDATED|FLAG|QUERY|REVIEW|WARNING|CAUTION|DRAFT|HACK)\b"
)


def test_no_note_carries_an_editorial_marker() -> None:
    for row in read_csv_rows(PARTNERSHIPS):
        for field in ("name", "notes", "savings_note"):
            found = EDITORIAL_MARKERS.search(row[field])
            assert found is None, (row["id"], field, found.group(0) if found else "")
    assert EDITORIAL_MARKERS.search("Launched 2012. TODO: check the year") is not None
