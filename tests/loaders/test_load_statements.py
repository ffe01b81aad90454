"""The bundled load's mechanism (issue 14): how many statements a cold load, a reload and a dry
run send, and the files read and validated once per content (``loaders.prepared``).

Timings live in bench/bench_load.py; these tests guard what makes the load fast.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import pickle
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graph import taxonomy
from graph.db import Database
from graph.schema import data_version, ensure_schema
from loaders import load_bundled, prepared
from loaders.sources import PARTNERSHIPS, BundledSources, read_csv_rows

WIPE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"

#: Properties that differ between two loads of the same files (when, who, what it did).
VOLATILE = {
    "AuditEntry": {"at", "id", "loadedBy"},
    "LoadedFile": {"loadedAt", "firstLoadedAt", "rows", "created", "updated", "unchanged"},
    "DataVersion": {"version", "changedAt"},
}


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "iso_format"):
        return value.iso_format()
    if hasattr(value, "srid"):
        return [round(float(v), 9) for v in value]
    return value


def graph_dump(db: Database) -> list[str]:
    """Every node and relationship with its properties, as sorted text (elementIds left out)."""
    nodes = db.read("MATCH (n) RETURN elementId(n) AS e, labels(n) AS l, properties(n) AS p")
    text = {}
    for node in nodes:
        skip = set().union(*(VOLATILE.get(label, set()) for label in node["l"]))
        props = {k: _plain(v) for k, v in node["p"].items() if k not in skip}
        text[node["e"]] = json.dumps([sorted(node["l"]), props], sort_keys=True)
    rels = db.read(
        "MATCH (a)-[r]->(b) RETURN elementId(a) AS a, elementId(b) AS b, type(r) AS t, "
        "properties(r) AS p"
    )
    return sorted(
        [
            *text.values(),
            *(
                json.dumps([text[r["a"]], r["t"], text[r["b"]], _plain(r["p"])], sort_keys=True)
                for r in rels
            ),
        ]
    )


def test_a_cold_load_a_reload_and_a_dry_run_send_the_designed_statements(
    loaded_db: Database,
) -> None:
    with loaded_db.driver.session(database=loaded_db.name) as session:
        session.run(WIPE).consume()  # the tests' own instance; the load below restores it
    ensure_schema(loaded_db)
    cold = load_bundled(loaded_db)
    # What exists (SHOW INDEXES), the DataVersion node, one read of the state, then one
    # statement each: reference data and councils, partnerships whole, their audit entries,
    # the proposals, the version bump, the files' provenance.
    assert cold.round_trips == 9
    assert cold.total().created > 5000
    after_cold = graph_dump(loaded_db)
    version = data_version(loaded_db)

    reload = load_bundled(loaded_db)
    # What exists, the DataVersion node, the state, the provenance: nothing else is written.
    assert reload.round_trips == 4
    assert not reload.changed
    assert reload.data_version == version == data_version(loaded_db)
    assert graph_dump(loaded_db) == after_cold  # a reload changes nothing

    dry = load_bundled(loaded_db, dry_run=True)
    assert dry.round_trips == 1  # the state only: no schema check, nothing written
    assert not dry.changed


def test_a_corrected_council_and_a_wrong_link_cost_one_more_statement(
    loaded_db: Database,
) -> None:
    loaded_db.write("MATCH (c:Council {code: 'E07000201'}) SET c.name = 'Wrong name'")
    loaded_db.write(
        "MATCH (d:Council {code: 'E07000201'}), (s:Council {code: 'E10000030'}) "
        "MERGE (d)-[:WITHIN]->(s)"
    )
    report = load_bundled(loaded_db)
    assert report.counts["councils"].updated == 1
    assert report.counts["within"].deleted == 1
    assert report.round_trips == 4 + 2  # the reference statement and the version bump
    rows = loaded_db.read(
        "MATCH (c:Council {code: 'E07000201'}) "
        "RETURN c.name AS name, EXISTS { (c)-[:WITHIN]->(:Council {code: 'E10000030'}) } AS in"
    )
    assert rows == [{"name": "Forest Heath", "in": False}]


# --- Read and validated once per content ----------------------------------------------------
@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(prepared.CACHE_ENV, str(folder))
    prepared.clear_memory()
    return folder


def _variant(tmp_path: Path, change: str) -> BundledSources:
    """The bundled sources with a copy of the partnerships file, one partnership renamed."""
    copy = tmp_path / "partnerships.csv"
    shutil.copy(PARTNERSHIPS, copy)
    first = read_csv_rows(PARTNERSHIPS)[0]["name"]
    copy.write_text(PARTNERSHIPS.read_text(encoding="utf-8").replace(first, change, 1))
    return BundledSources(partnerships=copy)


def test_prepared_files_are_kept_by_content_in_process_and_on_disk(own_cache: Path) -> None:
    first = prepared.prepare_bundled(BundledSources())
    assert prepared.prepare_bundled(BundledSources()) is first  # in process
    kept = list(own_cache.glob("load-*.pickle"))
    assert len(kept) == 1
    prepared.clear_memory()  # as a new process would start
    from_disk = prepared.prepare_bundled(BundledSources())
    assert from_disk is not first
    assert from_disk == first
    expected = {r["id"] for r in read_csv_rows(PARTNERSHIPS)}
    assert set(from_disk.ids) == expected


def test_a_changed_byte_is_a_new_key(own_cache: Path, tmp_path: Path) -> None:
    bundled = prepared.prepare_bundled(BundledSources())
    variant = prepared.prepare_bundled(_variant(tmp_path, "A renamed partnership"))
    assert len(list(own_cache.glob("load-*.pickle"))) == 2
    names = {r.name for r in variant.validation.records} - {
        r.name for r in bundled.validation.records
    }
    assert names == {"A renamed partnership"}


def test_a_cache_that_cannot_be_read_is_rebuilt(own_cache: Path) -> None:
    first = prepared.prepare_bundled(BundledSources())
    (kept,) = own_cache.glob("load-*.pickle")
    kept.write_bytes(b"not a pickle")
    prepared.clear_memory()
    assert prepared.prepare_bundled(BundledSources()) == first
    assert kept.read_bytes() != b"not a pickle"


def test_a_changed_synonym_is_a_new_key(
    own_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validation matches service phrases through the taxonomy's synonyms, so they are part
    of the key (as the files are)."""
    prepared.prepare_bundled(BundledSources())
    folder = tmp_path / "taxonomy"
    shutil.copytree(taxonomy.TAXONOMY_DIR, folder)
    with (folder / "service_synonyms.csv").open("a", encoding="utf-8") as handle:
        handle.write("legal,a phrase no file uses\n")
    monkeypatch.setenv("COUNCILGRAPH_TAXONOMY", str(folder))
    taxonomy.layers.cache_clear()
    try:
        prepared.prepare_bundled(BundledSources())
    finally:
        taxonomy.layers.cache_clear()
    assert len(list(own_cache.glob("load-*.pickle"))) == 2


def test_a_cache_file_others_may_write_is_never_read(own_cache: Path) -> None:
    first = prepared.prepare_bundled(BundledSources())
    (kept,) = own_cache.glob("load-*.pickle")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(own_cache.stat().st_mode) == 0o700
    planted = dataclasses.replace(first, files=("planted",))
    kept.write_bytes(pickle.dumps(planted))
    kept.chmod(0o666)  # as a file another user could have written
    prepared.clear_memory()
    assert prepared.prepare_bundled(BundledSources()) == first


def test_a_pickle_of_another_protocol_is_a_miss(own_cache: Path) -> None:
    first = prepared.prepare_bundled(BundledSources())
    (kept,) = own_cache.glob("load-*.pickle")
    kept.write_bytes(b"\x80\x09" + pickle.dumps(first)[2:])  # protocol 9: ValueError
    prepared.clear_memory()
    assert prepared.prepare_bundled(BundledSources()) == first


# --- The collector paused while preparing (issue 14) ------------------------------------------
def _collector_seen(steps: list[tuple[int, bool]]) -> Callable[[int], None]:
    return lambda step: steps.append((step, gc.isenabled()))


def test_the_garbage_collector_is_paused_while_preparing_and_runs_again_after(
    own_cache: Path,
) -> None:
    assert gc.isenabled()
    steps: list[tuple[int, bool]] = []
    prepared.prepare_bundled(BundledSources(), progress=_collector_seen(steps))
    assert steps == [(0, False), (1, False)]
    assert gc.isenabled()


def test_a_failed_preparation_leaves_the_collector_running(own_cache: Path) -> None:
    def fail(step: int) -> None:
        raise RuntimeError(f"stopped at step {step}")

    with pytest.raises(RuntimeError, match="step 0"):
        prepared.prepare_bundled(BundledSources(), progress=fail)
    assert gc.isenabled()


def test_a_collector_the_caller_paused_stays_paused(own_cache: Path) -> None:
    gc.disable()
    try:
        prepared.prepare_bundled(BundledSources())
        assert not gc.isenabled()
    finally:
        gc.enable()
