"""graph.taxonomy: the one home of the service layers, and everything that derives from it."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from api.types import Office, Service, office_of
from graph import taxonomy
from loaders.partnerships import service_area_lookup
from loaders.sources import PARTNERSHIPS, read_csv_rows
from tests.support.paths import ROOT
from visualisation.model import SERVICES


def test_layers_are_the_csv_rows_in_order() -> None:
    with taxonomy.source_file().open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(s.code, s.label, s.office) for s in taxonomy.layers()] == [
        (r["code"], r["label"], r["office"]) for r in rows
    ]
    used = {s for r in read_csv_rows(PARTNERSHIPS) for s in r["service_areas"].split(";") if s}
    assert used <= set(taxonomy.codes())


def test_the_api_views_and_loaders_derive_from_it() -> None:
    assert [s.value for s in Service] == list(taxonomy.codes())
    assert [s.code for s in SERVICES] == list(taxonomy.codes())
    assert len({s.colour for s in SERVICES}) == len(SERVICES)
    lookup = service_area_lookup({s.code: s.label for s in taxonomy.layers()})
    assert lookup["revs and bens"] == "revenues_benefits"
    assert lookup["finance audit and counter fraud"] == "finance_audit_fraud"


def test_office_of_a_partnership() -> None:
    assert office_of(("legal", "ict")) is Office.BACK
    assert office_of(("legal", "waste_environment")) is Office.MIXED
    assert office_of(("planning",)) is Office.FRONT
    assert office_of(()) is None


SIXTEENTH = """
import json
from api.sdl import schema_sdl
from cli.analysis import SERVICE_CODES
from contributions import MAX_ITEMS
from loaders.partnerships import service_area_lookup
from visualisation.model import SERVICES
from graph import taxonomy
lookup = service_area_lookup({s.code: s.label for s in taxonomy.layers()})
print(json.dumps({
    "enum": "PARKING" in schema_sdl().split("enum Service {")[1].split("}")[0],
    "legend": [s.label for s in SERVICES if s.code == "parking"],
    "matching": lookup.get("car parks"),
    "cli": "parking" in SERVICE_CODES,
    "limit": MAX_ITEMS["services"],
}))
"""


def test_a_sixteenth_layer_is_one_row_and_no_code(tmp_path: Path) -> None:
    shutil.copy(taxonomy.TAXONOMY_DIR / "service_synonyms.csv", tmp_path)
    rows = taxonomy.source_file().read_text(encoding="utf-8").rstrip("\n")
    rows += '\nparking,Parking,front,"On- and off-street parking enforcement"\n'
    (tmp_path / "service_areas.csv").write_text(rows, encoding="utf-8")
    with (tmp_path / "service_synonyms.csv").open("a", encoding="utf-8") as handle:
        handle.write("parking,car parks\n")
    env = {**os.environ, "COUNCILGRAPH_TAXONOMY": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", SIXTEENTH],
        capture_output=True, text=True, env=env, cwd=ROOT, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "enum": True,
        "legend": ["Parking"],
        "matching": "parking",
        "cli": True,
        "limit": 16,
    }
