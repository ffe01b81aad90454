# ruff: noqa: N806 - networkx convention: the graph is G
"""Exports: each format parsed back with a real parser, counted against the API, and the
spreadsheets loaded back through the loader ("0 created, 0 updated").

Everything runs against the tests' real Neo4j with the bundled data. The tests that add a
partnership (formula cells, contacts) remove exactly what they made.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from contributions import accounts
from exports import FORMATS, ExportOptions, ExportOptionsError, ExportSource, write_export
from exports.cli import add_export_arguments, run_export
from graph.db import Database, Tx
from graph.schema import bump_data_version
from loaders import load_partnership_file
from loaders.sources import PARTNERSHIPS, read_csv_rows
from tests.support.contributions import module_accounts, remove_partnerships

EVIL_ID = "export-test-formula-cells"
EVIL_CSV = (
    "id,name,councils,service_areas,status,start_year,notes,savings_note\n"
    f'{EVIL_ID},"=HYPERLINK(""http://evil.example"",""Click"")",Hart; Rushmoor,'
    'legal,operational,2013,"=cmd|\' /C calc\'!A0","-50% on agency costs (+ VAT)"\n'
)
ADD_CONTACT = """
MATCH (p:Partnership {id: $id})
CREATE (c:Contact {key: $id + '|' + $email, name: 'Sam Export', role: 'Head of Legal',
                   email: $email, phone: '01252 000000'})-[:CONTACT_FOR]->(p)
"""
CONTACT_EMAIL = "sam.export@example.gov.uk"


def _export(db: Database, name: str, **options: Any) -> bytes:
    return b"".join(write_export(FORMATS[name], ExportSource(db), ExportOptions(**options)))


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _gql(client: TestClient, query: str) -> Any:
    response = client.post("/graphql", json={"query": query})
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


# --- Round trips ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["csv", "xlsx"])
def test_an_export_of_everything_loads_back_unchanged(
    loaded_db: Database, tmp_path: Path, name: str
) -> None:
    path = tmp_path / f"everything.{FORMATS[name].extension}"
    path.write_bytes(_export(loaded_db, name))
    report = load_partnership_file(loaded_db, path)
    assert report.errors == ()
    assert report.rows == len(read_csv_rows(PARTNERSHIPS))  # every bundled partnership
    partnerships = report.counts["partnerships"]
    assert (partnerships.created, partnerships.updated) == (0, 0)
    assert partnerships.unchanged == report.rows
    assert not report.changed
    assert "partnerships: 0 created, 0 updated" in "\n".join(report.summary_lines())


def test_spreadsheets_are_streamed_in_chunks(loaded_db: Database) -> None:
    options = ExportOptions()
    chunks = list(write_export(FORMATS["csv"], ExportSource(loaded_db), options))
    assert len(chunks) > 3  # flushed every 200 rows, not built whole
    assert max(len(c) for c in chunks) < len(b"".join(chunks)) / 2


def test_a_year_export_loads_back_unchanged(loaded_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "legal-2012.csv"
    path.write_bytes(_export(loaded_db, "csv", year=2012, services=("legal",)))
    report = load_partnership_file(loaded_db, path)
    assert report.errors == ()
    assert report.rows > 0
    assert (report.counts["partnerships"].created, report.counts["partnerships"].updated) == (0, 0)


def test_the_csv_carries_the_stated_years_and_members_own_years(loaded_db: Database) -> None:
    rows = {r["id"]: r for r in _csv_rows(_export(loaded_db, "csv"))}
    bundled = {r["id"]: r for r in read_csv_rows(PARTNERSHIPS)}
    assert rows.keys() == bundled.keys()
    # A recoded district is stored under its current code (E07000097 -> E07000242).
    current = {
        former: c.code for c in ExportSource(loaded_db).councils() for former in c.former_codes
    }

    def codes(cell: str) -> set[str]:
        return {current.get(c.strip(), c.strip()) for c in cell.split(";") if c.strip()}

    def own_years(cell: str) -> set[str]:
        entries = (e.replace(" ", "").split(":") for e in cell.split(";") if e.strip())
        return {f"{current.get(code, code)}:{years}" for code, years in entries}

    for pid, row in bundled.items():
        exported = rows[pid]
        assert exported["start_year"] == row["start_year"].strip(), pid
        assert exported["end_year"] == row["end_year"].strip(), pid
        assert exported["status"] == row["status"].strip(), pid
        assert codes(exported["council_gss_codes"]) == codes(row["council_gss_codes"]), pid
        assert own_years(exported["member_years"]) == own_years(row["member_years"]), pid


# --- Counts equal the API's -----------------------------------------------------------------


def test_counts_equal_the_apis_for_the_same_selection(
    client: TestClient, loaded_db: Database
) -> None:
    api = _gql(
        client,
        """{
          all: partnerships { totalCount }
          y2012: partnerships(filter: {activeIn: 2012}) { totalCount }
          legal: partnerships(filter: {activeIn: 2019, service: LEGAL}) { totalCount }
          councils(filter: {year: 2012}) { totalCount }
          singletons: councils(filter: {year: 2012, sharing: SINGLETON}) { totalCount }
          stats(year: 2012) { total councils singletons }
        }""",
    )
    assert len(_csv_rows(_export(loaded_db, "csv"))) == api["all"]["totalCount"]
    assert len(_csv_rows(_export(loaded_db, "csv", year=2012))) == api["y2012"]["totalCount"]
    assert api["y2012"]["totalCount"] == api["stats"]["total"]
    legal = _csv_rows(_export(loaded_db, "csv", year=2019, services=("legal",)))
    assert len(legal) == api["legal"]["totalCount"]
    assert all("legal" in r["service_areas"].split("; ") for r in legal)

    workbook = load_workbook(io.BytesIO(_export(loaded_db, "xlsx", year=2012)), read_only=True)
    assert workbook.sheetnames == ["partnerships", "councils"]
    sheet_rows = list(workbook["partnerships"].iter_rows(values_only=True))
    assert len(sheet_rows) - 1 == api["y2012"]["totalCount"]
    council_rows = list(workbook["councils"].iter_rows(values_only=True))
    assert len(council_rows) - 1 == api["councils"]["totalCount"]
    workbook.close()

    document = json.loads(_export(loaded_db, "json", year=2012))
    assert len(document["partnerships"]) == api["y2012"]["totalCount"]
    assert all(len(p["members_in_year"]) >= 2 for p in document["partnerships"])
    assert len(document["councils"]) == api["councils"]["totalCount"]
    assert (
        sum(c["singleton"] == "yes" for c in document["councils"])
        == (api["singletons"]["totalCount"])
    )


def test_the_region_selection_is_the_apis(client: TestClient, loaded_db: Database) -> None:
    api = _gql(
        client,
        "{ partnerships(filter: {year: 2016, region: SOUTH_WEST}) { totalCount } }",
    )
    rows = _csv_rows(_export(loaded_db, "csv", year=2016, region="South West"))
    assert len(rows) == api["partnerships"]["totalCount"]


def test_graphml_and_gexf_of_a_year_read_back_with_networkx(
    client: TestClient, loaded_db: Database, tmp_path: Path
) -> None:
    api = _gql(client, "{ stats(year: 2012) { total councils } }")["stats"]
    json_doc = json.loads(_export(loaded_db, "json", year=2012))
    memberships = sum(len(p["members_in_year"]) for p in json_doc["partnerships"])
    for name in ("graphml", "gexf"):
        path = tmp_path / f"2012.{name}"
        path.write_bytes(_export(loaded_db, name, year=2012))
        G = nx.read_graphml(path) if name == "graphml" else nx.read_gexf(path)
        kinds = [d["node_type"] for _, d in G.nodes(data=True)]
        assert kinds.count("partnership") == api["total"], name
        assert kinds.count("council") == api["councils"], name
        relations = [d["relation"] for _, _, d in G.edges(data=True)]
        assert relations.count("member") == memberships, name
        assert relations.count("border") > 300, name  # England's land borders, in 2012
        hart = G.nodes["E07000089"]
        assert hart["label"] == "Hart"
        assert hart["region"] == "South East"


def test_gexf_of_all_years_has_spells_for_gephis_timeline(
    client: TestClient, loaded_db: Database, tmp_path: Path
) -> None:
    api = _gql(
        client,
        "{ a: stats(year: 2011) { total councils } b: stats(year: 2024) { total councils } }",
    )
    path = tmp_path / "all.gexf"
    path.write_bytes(_export(loaded_db, "gexf"))
    root = ET.parse(path).getroot()  # noqa: S314 - our own file
    graph = root.find("{http://gexf.net/1.2draft}graph") or root.find(
        "{http://www.gexf.net/1.2draft}graph"
    )
    assert graph is not None
    assert (graph.get("mode"), graph.get("timeformat")) == ("dynamic", "long")
    G = nx.read_gexf(path)

    def alive(data: dict[str, Any], year: int) -> bool:
        return any(start <= year <= end for start, end in data["spells"])

    for year, key in ((2011, "a"), (2024, "b")):
        nodes = [d for _, d in G.nodes(data=True) if alive(d, year)]
        assert sum(d["node_type"] == "partnership" for d in nodes) == api[key]["total"]
        assert sum(d["node_type"] == "council" for d in nodes) == api[key]["councils"]
    # Dorset County Council (abolished 2019) has no spell after 2019.
    assert max(end for _, end in G.nodes["E10000009"]["spells"]) == 2019


def test_graphml_of_all_years_says_the_years_in_words(loaded_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "all.graphml"
    path.write_bytes(_export(loaded_db, "graphml"))
    G = nx.read_graphml(path)
    assert G.nodes["E10000009"]["years"] == "2009-2019"  # Dorset County Council


# --- GeoJSON --------------------------------------------------------------------------------


def _ring_area(ring: list[list[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)) / 2


def test_geojson_has_a_valid_feature_for_every_council_of_the_year(
    client: TestClient, loaded_db: Database
) -> None:
    from shapely.geometry import Point, shape
    from shapely.validation import make_valid

    api = _gql(
        client,
        """{ councils(filter: {year: 2012}) { totalCount }
             singletons: councils(filter: {year: 2012, sharing: SINGLETON}) { totalCount } }""",
    )
    document = json.loads(_export(loaded_db, "geojson", year=2012))
    assert document["type"] == "FeatureCollection"
    features = document["features"]
    assert len(features) == api["councils"]["totalCount"]
    assert sum(f["properties"]["singleton"] for f in features) == api["singletons"]["totalCount"]
    councils = {c.code: c for c in ExportSource(loaded_db).councils()}
    inside = 0
    for feature in features:
        properties, geometry = feature["properties"], feature["geometry"]
        assert {"code", "name", "kind", "region", "partnerships", "singleton"} <= properties.keys()
        assert properties["singleton"] == (properties["partnerships"] == 0)
        assert geometry["type"] == "MultiPolygon", properties["name"]
        for polygon in geometry["coordinates"]:
            for index, ring in enumerate(polygon):
                assert len(ring) >= 4  # a closed linear ring
                assert ring[0] == ring[-1]
                # RFC 7946 right-hand rule: exterior counter-clockwise, holes clockwise.
                assert (_ring_area(ring) > 0) == (index == 0), properties["name"]
                assert all(-6.5 < x < 2.0 and 49.8 < y < 56.0 for x, y in ring)  # England
        # The bundled outlines are quantised (a ~60 m grid) and some rings touch themselves;
        # repaired, each council's outline must hold its own centroid (read from the graph).
        outline = make_valid(shape(geometry))
        assert outline.area > 0
        council = councils[properties["code"]]
        assert council.latitude is not None
        assert council.longitude is not None
        inside += outline.buffer(0.01).contains(Point(council.longitude, council.latitude))
    assert inside >= 0.97 * len(features)


def test_geojson_lines_join_each_partnerships_members(loaded_db: Database) -> None:
    from shapely.geometry import shape

    document = json.loads(_export(loaded_db, "geojson", year=2012, lines=True))
    lines = [f for f in document["features"] if f["properties"]["feature"] == "partnership"]
    json_doc = json.loads(_export(loaded_db, "json", year=2012))
    assert len(lines) == len(json_doc["partnerships"])
    for feature in lines:
        geometry = shape(feature["geometry"])
        assert geometry.is_valid
        assert geometry.length > 0


# --- Safety ---------------------------------------------------------------------------------


@pytest.fixture
def evil_partnership(loaded_db: Database, tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "evil.csv"
    path.write_text(EVIL_CSV, encoding="utf-8")
    report = load_partnership_file(loaded_db, path)
    assert report.errors == (), report.errors
    try:
        yield EVIL_ID
    finally:
        remove_partnerships(loaded_db, [EVIL_ID])


def test_formula_cells_are_neutralised_and_load_back(
    loaded_db: Database, tmp_path: Path, evil_partnership: str
) -> None:
    data = _export(loaded_db, "csv", services=("legal",))
    row = next(r for r in _csv_rows(data) if r["id"] == evil_partnership)
    assert row["name"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert row["notes"] == "'=cmd|' /C calc'!A0"
    assert row["savings_note"] == "'-50% on agency costs (+ VAT)"

    workbook = load_workbook(io.BytesIO(_export(loaded_db, "xlsx", services=("legal",))))
    sheet = workbook["partnerships"]
    headers = [c.value for c in sheet[1]]
    for cells in sheet.iter_rows(min_row=2):
        if cells[0].value == evil_partnership:
            name = cells[headers.index("name")]
            assert name.data_type == "s"  # text, never a formula
            assert name.value == '\'=HYPERLINK("http://evil.example","Click")'
    for name in ("csv", "xlsx"):
        path = tmp_path / f"legal.{FORMATS[name].extension}"
        path.write_bytes(_export(loaded_db, name, services=("legal",)))
        report = load_partnership_file(loaded_db, path)
        assert report.errors == ()
        assert (report.counts["partnerships"].created, report.counts["partnerships"].updated) == (
            0,
            0,
        )


def _add_contact(db: Database, pid: str) -> None:
    def work(tx: Tx) -> None:
        tx.run(ADD_CONTACT, {"id": pid, "email": CONTACT_EMAIL})
        bump_data_version(tx)

    db.write_transaction(work)


def test_contacts_only_for_editors_with_a_token(
    client: TestClient, loaded_db: Database, evil_partnership: str
) -> None:
    _add_contact(loaded_db, evil_partnership)
    with module_accounts(loaded_db) as made:
        editor = made.add("export-editor", accounts.Role.EDITOR)
        contributor = made.add("export-contributor", accounts.Role.CONTRIBUTOR)
        for name in ("csv", "xlsx", "json"):
            url = f"/export/{name}?service=legal"
            anonymous = client.get(url)
            assert anonymous.status_code == 200
            assert CONTACT_EMAIL.encode() not in anonymous.content
            assert b"contacts" not in anonymous.content
            as_contributor = client.get(url, headers={"Authorization": f"Bearer {contributor}"})
            assert CONTACT_EMAIL.encode() not in as_contributor.content
            as_editor = client.get(url, headers={"Authorization": f"Bearer {editor}"})
            assert as_editor.status_code == 200
            if name == "xlsx":
                book = load_workbook(io.BytesIO(as_editor.content), read_only=True)
                cells = [str(v) for row in book["partnerships"].iter_rows(values_only=True)
                         for v in row]  # fmt: skip
                book.close()
                assert any(CONTACT_EMAIL in cell for cell in cells)
            else:
                assert CONTACT_EMAIL.encode() in as_editor.content
        refused = client.get("/export/csv", headers={"Authorization": "Bearer cg_bad_token"})
        assert refused.status_code == 401


# --- HTTP and CLI ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(FORMATS))
def test_http_exports_have_a_content_type_and_a_file_name(client: TestClient, name: str) -> None:
    response = client.get(f"/export/{name}?year=2012&service=legal&two_mode=true")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(FORMATS[name].media_type.split(";")[0])
    disposition = response.headers["content-disposition"]
    assert (
        disposition == f'attachment; filename="councilgraph-2012-legal.{FORMATS[name].extension}"'
    )
    assert len(response.content) > 100


def test_http_export_refuses_bad_selections(client: TestClient) -> None:
    assert client.get("/export/pdf").status_code == 404
    response = client.get("/export/csv?year=1990")
    assert response.status_code == 400
    assert "year" in response.text
    assert client.get("/export/csv?service=lgal").status_code == 400


def test_the_views_link_downloads_their_selection(client: TestClient) -> None:
    page = client.get("/views/network?year=2013&service=legal&region=South+East")
    assert page.status_code == 200
    link = '/export/csv?year=2013&amp;status=active&amp;service=legal&amp;region=South%20East"'
    assert link in page.text
    download = client.get(link.rstrip('"').replace("&amp;", "&"))
    expected = _csv_rows(
        b"".join(
            write_export(
                FORMATS["csv"],
                ExportSource(client.app.state.council_graph.db),  # type: ignore[attr-defined]
                ExportOptions(year=2013, services=("legal",), region="South East"),
            )
        )
    )
    assert _csv_rows(download.content) == expected
    assert expected


def _export_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_export_arguments(parser)
    return parser.parse_args(list(argv))


def test_cli_export_writes_the_file(loaded_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "legal.csv"
    args = _export_args("csv", "--year", "2012", "--service", "legal", "--out", str(out))
    assert run_export(args, loaded_db) == 0
    assert _csv_rows(out.read_bytes()) == _csv_rows(
        _export(loaded_db, "csv", year=2012, services=("legal",))
    )
    assert run_export(_export_args("csv", "--year", "1990", "--out", str(out)), loaded_db) == 2
    refused = _export_args("csv", "--token", "cg_x_y", "--out", str(tmp_path / "no.csv"))
    assert run_export(refused, loaded_db) == 2
    assert not (tmp_path / "no.csv").exists()


def test_options_refuse_unknown_parameters() -> None:
    with pytest.raises(ExportOptionsError, match="unknown parameter"):
        ExportOptions.from_query([("colour", "red")])
    assert ExportOptions.from_query([("status", "all"), ("physics", "true")]) == ExportOptions()


def test_cli_export_includes_contacts_only_with_an_editors_token(
    loaded_db: Database, tmp_path: Path, evil_partnership: str
) -> None:
    _add_contact(loaded_db, evil_partnership)
    with module_accounts(loaded_db) as made:
        editor = made.add("cli-editor", accounts.Role.EDITOR)
        contributor = made.add("cli-contributor", accounts.Role.CONTRIBUTOR)
        for token, expected in ((None, False), (contributor, False), (editor, True)):
            out = tmp_path / "legal.csv"
            argv = ["csv", "--service", "legal", "--out", str(out)]
            argv += ["--token", token] if token else []
            assert run_export(_export_args(*argv), loaded_db) == 0
            assert (CONTACT_EMAIL.encode() in out.read_bytes()) is expected
