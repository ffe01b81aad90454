"""The SYNTHETIC national data set, shared by the benchmarks that need it (issue 14).

SYNTHETIC data, never mistaken for real: ``copies`` copies of every bundled partnership (ids
``synthetic-N-...``, names ending "(SYNTHETIC copy N)"), the UK's principal councils outside
England (32 Scottish, 22 Welsh, 11 Northern Irish: codes ``SYN-S..``, ``SYN-W..``,
``SYN-N..``) and 10,000 parish-sized bodies (``SYN-P.....``), named "SYNTHETIC ...". In each
copy a parish body is added to the members, so the bodies share too; each body borders the
next two and one bundled council. bench_scale.py writes the same councils (:func:`add_councils`) and
its own copies straight to Neo4j (each swapping a member for a body where these files add one);
each also has its code among its aliases, as partnership files name members by code and a
SYNTHETIC code is no GSS code.

* :func:`add_councils` writes the SYNTHETIC councils and borders straight to Neo4j (UNWIND
  batches): there is no loadable file format for councils outside the bundled registry, whose
  rules are England's (docs/performance.md, Not done).
* :func:`write_partnership_files` writes the partnerships as files **in the bundled format**
  (``data/partnerships/partnerships_cited.csv``'s columns), ``rows_per_file`` rows each, into
  a folder the caller gives (a temporary one, never ``data/``), for ``councilgraph load
  --staged FOLDER`` to read and validate like any other file.
* :func:`remove_synthetic` removes all of it (partnerships, their audit entries and
  provenance, councils, orphaned sources) in bounded transactions and bumps the data version.
"""

from __future__ import annotations

import csv
from itertools import islice
from pathlib import Path
from typing import Any, LiteralString

from graph import repository
from graph.db import Database, Tx
from graph.names import normalise
from graph.schema import bump_data_version
from loaders.sources import PARTNERSHIPS, read_csv_rows

__all__ = [
    "BATCH",
    "COPIES",
    "PARISHES",
    "add_councils",
    "parish",
    "remove_synthetic",
    "synthetic_councils",
    "write_batches",
    "write_partnership_files",
]

COPIES = 100
PARISHES = 10_000
OTHER_NATIONS = {"S": 32, "W": 22, "N": 11}
BATCH = 5000

ADD_COUNCILS: LiteralString = """
UNWIND $rows AS row
CREATE (c:Council)
SET c = row.props, c.validFrom = date('1974-04-01'),
    c.centroid = point({longitude: row.longitude, latitude: row.latitude})
"""
ADD_BORDERS: LiteralString = """
UNWIND $pairs AS pair
MATCH (a:Council {code: pair[0]}), (b:Council {code: pair[1]})
CREATE (a)-[:BORDERS]->(b)
"""
# Each removes at most $limit nodes and says how many: called until it removes fewer.
REMOVE_PARTNERSHIPS: LiteralString = """
MATCH (p:Partnership|StagedPartnership) WHERE p.id STARTS WITH 'synthetic-'
WITH p LIMIT $limit
DETACH DELETE p
RETURN count(*) AS removed
"""
REMOVE_AUDIT: LiteralString = """
MATCH (a:AuditEntry|StagedAuditEntry) WHERE a.partnershipId STARTS WITH 'synthetic-'
WITH a LIMIT $limit
DELETE a
RETURN count(*) AS removed
"""
REMOVE_COUNCILS: LiteralString = """
MATCH (c:Council) WHERE c.code STARTS WITH 'SYN-'
WITH c LIMIT $limit
DETACH DELETE c
RETURN count(*) AS removed
"""
REMOVE_FILES: LiteralString = """
MATCH (f:LoadedFile) WHERE f.path CONTAINS 'synthetic-partnerships-'
DELETE f
"""
REMOVE_ORPHAN_SOURCES: LiteralString = """
MATCH (s:Source) WHERE NOT EXISTS { (s)<-[:SOURCED_FROM]-() }
DELETE s
"""


def _council(code: str, name: str, kind: str, tier: str, n: int) -> dict[str, Any]:
    return {
        "props": {"code": code, "name": name, "officialName": name, "kind": kind,
                  "tier": tier, "region": "SYNTHETIC region", "population": 1000 + n,
                  "aliases": [name, code], "aliasKeys": [normalise(name), normalise(code)]},
        "longitude": -3.0 + (n % 100) / 50,
        "latitude": 51.0 + (n // 100) / 40,
    }  # fmt: skip


def parish(n: int) -> str:
    """The code of the ``n``-th SYNTHETIC parish-sized body."""
    return f"SYN-P{n:05d}"


def synthetic_councils() -> tuple[list[dict[str, Any]], list[str]]:
    """The SYNTHETIC councils' rows (for :data:`ADD_COUNCILS`) and the parish bodies' codes."""
    rows = [
        _council(f"SYN-{nation}{i:02d}", f"SYNTHETIC {nation} council {i}", "unitary", "upper", i)
        for nation, count in OTHER_NATIONS.items()
        for i in range(1, count + 1)
    ]
    parishes = [parish(i) for i in range(PARISHES)]
    rows += [
        _council(code, f"SYNTHETIC parish body {i}", "district", "lower", i)
        for i, code in enumerate(parishes)
    ]
    return rows, parishes


def write_batches(db: Database, statement: LiteralString, key: str, items: list[Any]) -> None:
    """``statement`` over ``items`` as ``$key``, :data:`BATCH` a transaction."""
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]

        def work(tx: Tx, batch: list[Any] = batch) -> None:
            tx.run(statement, {key: batch})

        db.write_transaction(work, timeout=600)


def add_councils(db: Database) -> dict[str, int]:
    """Write the SYNTHETIC councils and their borders; bump the data version."""
    councils, parishes = synthetic_councils()
    bundled = [c.code for c in repository.all_councils(db) if c.valid_to is None]
    write_batches(db, ADD_COUNCILS, "rows", councils)
    pairs = [[p, parishes[(i + 1) % PARISHES]] for i, p in enumerate(parishes)]
    pairs += [[p, parishes[(i + 2) % PARISHES]] for i, p in enumerate(parishes)]
    pairs += [[p, bundled[i % len(bundled)]] for i, p in enumerate(parishes)]
    write_batches(db, ADD_BORDERS, "pairs", pairs)
    db.write_transaction(bump_data_version)
    return {"councils": len(councils), "borders": len(pairs)}


def _copy(row: dict[str, str], copy: int, parish: str) -> dict[str, str]:
    """One SYNTHETIC copy of a bundled row, a parish body added to its members (added, not
    swapped for one: the lead and the members' own years stay as the bundled row has them)."""
    return row | {
        "id": f"synthetic-{copy}-{row['id']}",
        "name": f"{row['name']} (SYNTHETIC copy {copy})",
        "councils": f"{row['councils']};SYNTHETIC parish body {int(parish[5:])}",
        "council_gss_codes": f"{row['council_gss_codes']};{parish}",
    }


def write_partnership_files(
    folder: Path, copies: int = COPIES, rows_per_file: int = BATCH, parishes: int = PARISHES
) -> list[Path]:
    """Write the SYNTHETIC partnerships as bundled-format CSV files in ``folder``."""
    bundled = read_csv_rows(PARTNERSHIPS)
    with PARTNERSHIPS.open(encoding="utf-8-sig", newline="") as handle:
        headings = next(csv.reader(handle))
    folder.mkdir(parents=True, exist_ok=True)
    rows = (
        _copy(row, copy, parish((copy * 97 + n) % parishes))
        for copy in range(1, copies + 1)
        for n, row in enumerate(bundled)
    )
    paths: list[Path] = []
    while chunk := list(islice(rows, rows_per_file)):  # one file's rows in memory at a time
        paths.append(folder / f"synthetic-partnerships-{len(paths) + 1:04d}.csv")
        with paths[-1].open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=headings)
            writer.writeheader()
            writer.writerows(chunk)
    return paths


def _until_done(db: Database, statement: LiteralString) -> None:
    while db.write(statement, {"limit": BATCH})[0]["removed"] == BATCH:
        pass


def remove_synthetic(db: Database, *, councils: bool = True) -> None:
    """Remove the SYNTHETIC partnerships (and, with ``councils``, councils); bump the version."""
    _until_done(db, REMOVE_PARTNERSHIPS)
    _until_done(db, REMOVE_AUDIT)
    db.write(REMOVE_FILES)
    db.write(REMOVE_ORPHAN_SOURCES)
    if councils:
        _until_done(db, REMOVE_COUNCILS)
    db.write_transaction(bump_data_version)
