"""Loading into the real test Neo4j: the checks the issue asks for, idempotency, all-or-nothing.

``loaded_db`` holds the bundled data for every test module, so tests that write here remove
what they wrote (fixture partnerships have ids starting ``fixture-``) and restore the bundled
state before they finish.
"""

from __future__ import annotations

import argparse
import math
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import geo, taxonomy
from graph.db import Database, Tx
from graph.schema import data_version
from loaders import load_bundled, load_partnership_file
from loaders.cli import add_load_arguments, run_load
from loaders.errors import LoadUsageError
from loaders.sources import PARTNERSHIPS, read_csv_rows
from tests.support import paths

FIXTURES = paths.FIXTURES / "partnerships"

COUNT_PARTNERSHIPS = "MATCH (p:Partnership) RETURN count(p) AS n"
FIXTURE_PARTNERSHIPS = (
    "MATCH (p:Partnership) WHERE p.id STARTS WITH 'fixture-' RETURN p.id AS id ORDER BY id"
)
DELETE_FIXTURE_PARTNERSHIPS = """
MATCH (p:Partnership) WHERE p.id STARTS WITH 'fixture-'
DETACH DELETE p
"""
DELETE_FIXTURE_AUDIT = "MATCH (a:AuditEntry) WHERE a.partnershipId STARTS WITH 'fixture-' DELETE a"
DELETE_FIXTURE_FILES = """
MATCH (f:LoadedFile) WHERE f.path CONTAINS '/fixtures/' OR f.path CONTAINS 'pytest'
DELETE f
"""
DELETE_ORPHAN_SOURCES = "MATCH (s:Source) WHERE NOT EXISTS { (s)<-[:SOURCED_FROM]-() } DELETE s"


@pytest.fixture
def clean_db(loaded_db: Database) -> Iterator[Database]:
    """The loaded database; afterwards fixture partnerships are gone and bundled data restored."""
    yield loaded_db
    loaded_db.write(DELETE_FIXTURE_PARTNERSHIPS)
    loaded_db.write(DELETE_FIXTURE_AUDIT)  # loads audit every change (graph/audit.py)
    loaded_db.write(DELETE_FIXTURE_FILES)
    loaded_db.write(DELETE_ORPHAN_SOURCES)
    load_bundled(loaded_db)


def _one(db: Database, query: str, **params: object) -> object:
    rows = db.read(query, params)
    assert len(rows) == 1, rows
    return next(iter(rows[0].values()))


# --- The bundled data -----------------------------------------------------------------------
def test_councils_existing_in_2012_by_kind(loaded_db: Database) -> None:
    rows = loaded_db.read(
        """
        MATCH (c:Council)
        WHERE c.validFrom <= date('2012-12-31')
          AND (c.validTo IS NULL OR c.validTo > date('2012-01-01'))
        RETURN c.kind AS kind, count(*) AS n
        """
    )
    assert {r["kind"]: r["n"] for r in rows} == {
        "county": 27,
        "district": 201,
        "unitary": 56,
        "metropolitan_district": 36,
        "london_borough": 32,
        "city_of_london": 1,
    }


def test_every_council_has_kind_tier_dates_and_a_centroid(loaded_db: Database) -> None:
    rows = loaded_db.read(
        """
        MATCH (c:Council)
        RETURN count(c) AS n,
               count(c.kind) AS kinds, count(c.tier) AS tiers, count(c.validFrom) AS starts,
               count(c.centroid) AS centroids, count(c.region) AS regions,
               sum(CASE WHEN c.population = 0 THEN 1 ELSE 0 END) AS zeros
        """
    )
    assert rows == [
        {
            "n": 365,
            "kinds": 365,
            "tiers": 365,
            "starts": 365,
            "centroids": 365,
            "regions": 365,
            "zeros": 0,
        }
    ]


def test_all_bundled_partnerships_with_members_service_areas_and_sources(
    loaded_db: Database,
) -> None:
    rows = loaded_db.read(
        """
        MATCH (p:Partnership) WHERE NOT p.id STARTS WITH 'fixture-'
        RETURN count(p) AS partnerships,
               sum(COUNT { (p)<-[:MEMBER_OF]-(:Council) }) AS memberships,
               sum(CASE WHEN COUNT { (p)<-[:MEMBER_OF]-(:Council) } >= 2 THEN 1 ELSE 0 END) AS ok,
               sum(CASE WHEN EXISTS { (p)-[:SOURCED_FROM]->() } THEN 1 ELSE 0 END) AS sourced,
               sum(CASE WHEN EXISTS { (p)-[:COVERS]->(:ServiceArea) } THEN 1 ELSE 0 END) AS covered
        """
    )
    csv_rows = read_csv_rows(PARTNERSHIPS)
    listed = sum(len(r["council_gss_codes"].split(";")) for r in csv_rows)
    assert rows == [
        {
            "partnerships": len(csv_rows),
            "memberships": listed,
            "ok": len(csv_rows),
            "sourced": len(csv_rows),
            "covered": sum(1 for r in csv_rows if r["service_areas"].strip()),
        }
    ]
    assert (
        _one(loaded_db, "MATCH (c:Council) WHERE EXISTS { (c)-[:MEMBER_OF]->() } RETURN count(c)")
        == 358
    )
    assert _one(loaded_db, "MATCH (s:ServiceArea) RETURN count(s)") == len(taxonomy.codes())


def test_lead_council_and_source_date(loaded_db: Database) -> None:
    rows = loaded_db.read(
        """
        MATCH (c:Council)-[m:MEMBER_OF {role: 'lead'}]->(p:Partnership {id: 'nplaw'})
        MATCH (p)-[s:SOURCED_FROM]->(src:Source)
        RETURN c.name AS lead, collect(s.date) AS dates
        """
    )
    assert rows[0]["lead"] == "Norfolk"
    assert sorted(rows[0]["dates"]) == ["2010", "2012", "2020-03-18", "n.d."]
    # The rules of time read the evidence years and members' own years from the graph.
    facts = loaded_db.read(
        """
        MATCH (p:Partnership {id: 'nplaw'})<-[m:MEMBER_OF]-(c:Council {code: 'E07000149'})
        RETURN p.firstEvidenceYear AS first, p.lastEvidenceYear AS last,
               m.fromYear AS joined, m.toYear AS left
        """
    )
    assert facts == [{"first": 2010, "last": 2020, "joined": 2012, "left": None}]


def test_forest_heath_within_suffolk(loaded_db: Database) -> None:
    rows = loaded_db.read(
        "MATCH (:Council {code: 'E07000201'})-[:WITHIN]->(c:Council) RETURN c.name AS county"
    )
    assert rows == [{"county": "Suffolk"}]


def test_lancashire_centroid_near_its_districts(loaded_db: Database) -> None:
    rows = loaded_db.read(
        """
        MATCH (d:Council)-[:WITHIN]->(c:Council {name: 'Lancashire'})
        RETURN c.centroid AS county, collect(d.centroid) AS districts
        """
    )
    county = rows[0]["county"]
    points = [geo.to_bng(p.longitude, p.latitude) for p in rows[0]["districts"]]
    mean = (sum(x for x, _ in points) / len(points), sum(y for _, y in points) / len(points))
    assert math.dist(geo.to_bng(county.longitude, county.latitude), mean) < 20_000


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Hart", "Basingstoke and Deane", True),
        ("Kent", "East Sussex", True),
        ("Kent", "Surrey", True),
        ("Maidstone", "Tonbridge and Malling", True),
        ("Maidstone", "Kent", False),
    ],
)
def test_borders(loaded_db: Database, a: str, b: str, expected: bool) -> None:
    borders = _one(
        loaded_db,
        "MATCH (a:Council {name: $a}), (b:Council {name: $b}) RETURN EXISTS { (a)-[:BORDERS]-(b) }",
        a=a,
        b=b,
    )
    assert borders is expected


def test_borders_are_symmetric_stored_once(loaded_db: Database) -> None:
    assert _one(loaded_db, "MATCH (a)-[:BORDERS]->(b) WHERE a.code >= b.code RETURN count(*)") == 0
    assert (
        _one(loaded_db, "MATCH (a)-[:BORDERS]->(b) WHERE (b)-[:BORDERS]->(a) RETURN count(*)") == 0
    )
    # Undirected matching sees each pair from both ends.
    directed = _one(loaded_db, "MATCH (:Council)-[:BORDERS]->(:Council) RETURN count(*)")
    undirected = _one(loaded_db, "MATCH (:Council)-[:BORDERS]-(:Council) RETURN count(*)")
    assert undirected == 2 * directed  # type: ignore[operator]


def test_recoded_district_keeps_former_code(loaded_db: Database) -> None:
    rows = loaded_db.read(
        "MATCH (c:Council) WHERE 'E07000097' IN c.formerCodes RETURN c.code AS code, c.name AS name"
    )
    assert rows == [{"code": "E07000242", "name": "East Hertfordshire"}]


def test_succession_and_loaded_files_are_recorded(loaded_db: Database) -> None:
    assert (
        _one(
            loaded_db,
            "MATCH (:Council {name: 'Forest Heath'})-[:SUCCEEDED_BY]->(n) RETURN n.name",
        )
        == "West Suffolk"
    )
    rows = loaded_db.read(
        "MATCH (f:LoadedFile {kind: 'bundled'}) RETURN f.path AS path, f.sha256 AS sha"
    )
    paths = {r["path"] for r in rows}
    assert "data/partnerships/partnerships_cited.csv" in paths
    assert all(len(r["sha"]) == 64 for r in rows)


def test_reload_reports_no_changes_and_keeps_the_data_version(loaded_db: Database) -> None:
    before = data_version(loaded_db)
    report = load_bundled(loaded_db)
    assert not report.changed
    assert report.total().created == 0
    assert report.total().updated == 0
    assert "no changes: 0 created, 0 updated" in report.summary_lines()
    assert data_version(loaded_db) == before


def test_bundled_load_is_batched(loaded_db: Database) -> None:
    report = load_bundled(loaded_db)
    # Reads of the current state plus provenance; never one round trip per row.
    assert report.round_trips < 30


def test_a_corrected_bundled_value_is_updated_in_place(clean_db: Database) -> None:
    clean_db.write("MATCH (c:Council {code: 'E07000201'}) SET c.name = 'Wrong name'")
    clean_db.write(
        "MATCH (d:Council {code: 'E07000201'}), (s:Council {code: 'E10000030'}) "
        "MERGE (d)-[:WITHIN]->(s)"
    )
    before = data_version(clean_db)
    report = load_bundled(clean_db)
    assert report.counts["councils"].updated == 1
    assert report.counts["within"].deleted == 1
    assert data_version(clean_db) == before + 1
    assert _one(clean_db, "MATCH (c:Council {code: 'E07000201'}) RETURN c.name") == "Forest Heath"


def test_dry_run_writes_nothing(clean_db: Database) -> None:
    clean_db.write("MATCH (c:Council {code: 'E07000201'}) SET c.name = 'Wrong name'")
    report = load_bundled(clean_db, dry_run=True)
    assert report.dry_run
    assert not report.written
    assert report.counts["councils"].updated == 1
    assert _one(clean_db, "MATCH (c:Council {code: 'E07000201'}) RETURN c.name") == "Wrong name"


# --- Users' partnership files ---------------------------------------------------------------
def test_good_file_loads_then_reloads_without_changes(clean_db: Database) -> None:
    before = _one(clean_db, COUNT_PARTNERSHIPS)
    first = load_partnership_file(clean_db, FIXTURES / "good_bundled_format.csv")
    assert first.exit_code == 0
    assert first.written
    assert first.counts["partnerships"].created == 2
    assert first.counts["memberships"].created == 4
    assert _one(clean_db, COUNT_PARTNERSHIPS) == before + 2  # type: ignore[operator]
    lead = _one(
        clean_db,
        "MATCH (c)-[:MEMBER_OF {role: 'lead'}]->(:Partnership {id: 'fixture-hart-rushmoor-legal'}) "
        "RETURN c.name",
    )
    assert lead == "Hart"
    again = load_partnership_file(clean_db, FIXTURES / "good_bundled_format.csv")
    assert not again.changed
    assert again.counts["partnerships"].unchanged == 2


def test_corrected_file_updates_in_place(clean_db: Database, tmp_path: Path) -> None:
    load_partnership_file(clean_db, FIXTURES / "good_bundled_format.csv")
    corrected = tmp_path / "corrected.csv"
    text = (FIXTURES / "good_bundled_format.csv").read_text(encoding="utf-8")
    corrected.write_text(
        text.replace("Hart;Rushmoor,E07000089;E07000092", "Hart;Rushmoor;Surrey Heath,")
    )
    report = load_partnership_file(clean_db, corrected)
    assert report.counts["partnerships"].updated == 1
    assert report.counts["partnerships"].unchanged == 1
    assert report.counts["memberships"].created == 1
    members = _one(
        clean_db,
        "MATCH (c)-[:MEMBER_OF]->(:Partnership {id: 'fixture-hart-rushmoor-legal'}) "
        "RETURN count(c)",
    )
    assert members == 3


def test_one_bad_row_writes_nothing_and_names_the_row(clean_db: Database) -> None:
    before = data_version(clean_db)
    report = load_partnership_file(clean_db, FIXTURES / "one_bad_row.csv")
    assert report.exit_code == 1
    assert not report.written
    assert [e.row for e in report.errors] == [4]
    assert clean_db.read(FIXTURE_PARTNERSHIPS) == []
    assert data_version(clean_db) == before


def test_skip_invalid_writes_the_valid_rows(clean_db: Database) -> None:
    report = load_partnership_file(clean_db, FIXTURES / "one_bad_row.csv", skip_invalid=True)
    assert report.written
    assert report.skipped_rows == (4,)
    assert report.exit_code == 1  # errors are still reported as data errors
    assert [r["id"] for r in clean_db.read(FIXTURE_PARTNERSHIPS)] == [
        "fixture-good-one",
        "fixture-good-three",
        "fixture-good-two",
    ]


def test_dry_run_of_a_file_reports_what_would_change(clean_db: Database) -> None:
    report = load_partnership_file(clean_db, FIXTURES / "good_bundled_format.csv", dry_run=True)
    assert report.counts["partnerships"].created == 2
    assert not report.written
    assert clean_db.read(FIXTURE_PARTNERSHIPS) == []


def test_xlsx_file_loads(clean_db: Database) -> None:
    report = load_partnership_file(clean_db, FIXTURES / "lga_style.xlsx")
    assert report.exit_code == 0
    assert report.counts["partnerships"].created == 2
    assert report.warnings


@pytest.mark.parametrize(
    "name",
    [
        "unknown_council.csv",
        "ambiguous_name.csv",
        "unknown_status.csv",
        "unknown_service.csv",
        "years_out_of_order.csv",
        "negative_savings.csv",
        "non_numeric_savings.csv",
        "duplicate_id.csv",
        "one_council.csv",
        "empty.csv",
        "not_a_spreadsheet.pdf",
        "windows_1252.csv",
    ],
)
def test_each_bad_file_writes_nothing(clean_db: Database, name: str) -> None:
    report = load_partnership_file(clean_db, FIXTURES / name)
    assert report.errors
    assert report.exit_code == 1
    assert not report.written
    assert clean_db.read(FIXTURE_PARTNERSHIPS) == []


def test_missing_file_is_a_usage_error(loaded_db: Database, tmp_path: Path) -> None:
    with pytest.raises(LoadUsageError):
        load_partnership_file(loaded_db, tmp_path / "nope.csv")


# --- The command ----------------------------------------------------------------------------
def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_load_arguments(parser)
    return parser.parse_args(list(argv))


def test_cli_exit_codes(
    clean_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_load(_args(), clean_db) == 0
    assert "no changes: 0 created, 0 updated" in capsys.readouterr().out
    bad = tmp_path / "unknown_council.csv"
    shutil.copy(FIXTURES / "unknown_council.csv", bad)
    assert run_load(_args("--partnerships", str(bad)), clean_db) == 1
    out = capsys.readouterr().out
    assert "row 2" in out
    assert "Maidstne" in out
    assert "Maidstone" in out
    assert run_load(_args("--partnerships", str(tmp_path / "missing.csv")), clean_db) == 2
    assert run_load(_args("--skip-invalid"), clean_db) == 2


# --- Interruption ---------------------------------------------------------------------------
class _Interrupted(Exception):
    """Stands for a killed process or a lost connection in the middle of a load."""


def test_an_interrupted_load_leaves_the_graph_as_it_was(clean_db: Database) -> None:
    from loaders.councils import build_council_data
    from loaders.matching import CouncilIndex
    from loaders.partnerships import read_table, validate_file_rows
    from loaders.writer import write_partnerships

    path = FIXTURES / "good_bundled_format.csv"
    table, _ = read_table(path, path.name)
    assert table is not None
    index = CouncilIndex(c.ref() for c in build_council_data().councils)
    areas = {
        r["code"]: r["label"]
        for r in clean_db.read("MATCH (s:ServiceArea) RETURN s.code AS code, s.label AS label")
    }
    records = validate_file_rows(table, path.name, index, areas).records
    before = data_version(clean_db)

    def work(tx: Tx) -> None:
        write_partnerships(tx, records, apply=True)  # every write of the load has been sent ...
        raise _Interrupted  # ... and then the process dies before the commit

    with pytest.raises(_Interrupted):
        clean_db.write_transaction(work)
    assert clean_db.read(FIXTURE_PARTNERSHIPS) == []
    assert data_version(clean_db) == before
    # Rerunning completes it.
    assert load_partnership_file(clean_db, path).counts["partnerships"].created == 2


def test_former_codes_in_a_file_resolve_to_the_current_councils(clean_db: Database) -> None:
    report = load_partnership_file(clean_db, FIXTURES / "former_codes.csv")
    assert report.exit_code == 0
    rows = clean_db.read(
        "MATCH (c:Council)-[:MEMBER_OF]->(:Partnership {id: 'fixture-former-codes'}) "
        "RETURN c.code AS code ORDER BY code"
    )
    assert [r["code"] for r in rows] == ["E07000242", "E07000243", "E08000037"]


def test_the_graph_holds_exactly_the_councils_in_scope_of_the_source(loaded_db: Database) -> None:
    from loaders.sources import COUNCILS, read_csv_rows

    expected = {
        r["gss-code"]
        for r in read_csv_rows(COUNCILS)
        if r["nation"] == "England"
        and r["local-authority-type"] in {"CTY", "NMD", "UA", "MD", "LBO", "CC"}
        and (not r["end-date"] or r["end-date"] > "2009-01-01")
    }
    rows = loaded_db.read("MATCH (c:Council) RETURN c.code AS code, c.validTo AS validTo")
    assert {r["code"] for r in rows} == expected
    ended = {r["code"] for r in rows if r["validTo"] is not None}
    assert len(ended) == 48  # the councils abolished 2019-2023 keep their end dates
