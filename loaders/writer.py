"""Idempotent writes: compare what the files say with what the graph holds, write the difference.

Each ``write_*`` function runs inside the caller's transaction (a ``graph.db.Tx``): it reads the
current state with one statement per kind, computes created / updated / unchanged / deleted in
Python, and sends each kind of change as one ``UNWIND`` statement (in chunks of
:data:`BATCH_SIZE`). With ``apply=False`` it only reads, which is how ``--dry-run`` reports what
would change. Because the driver may retry a transaction, nothing here keeps state between
calls: a retry recomputes the same difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, LiteralString

from neo4j.spatial import Point
from neo4j.time import Date, DateTime

from graph.audit import PartnershipChange, PartnershipWriteHook, snapshot
from graph.db import Tx
from loaders import queries
from loaders.councils import CouncilData
from loaders.partnerships import PartnershipRecord
from loaders.reference import LgaEditionRecord

__all__ = [
    "BATCH_SIZE",
    "Counts",
    "ServiceAreaRecord",
    "record_loaded_files",
    "write_councils",
    "write_lga_editions",
    "write_partnerships",
    "write_service_areas",
]

#: Rows per UNWIND statement; the bundled data fits in one batch of each kind.
BATCH_SIZE = 5000


@dataclass(frozen=True, slots=True)
class Counts:
    """How many things of one kind a load created, updated, left unchanged or deleted."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def changed(self) -> bool:
        """True when anything of this kind was (or would be) written."""
        return bool(self.created or self.updated or self.deleted)

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.created + other.created,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.deleted + other.deleted,
        )


@dataclass(frozen=True, slots=True)
class ServiceAreaRecord:
    """One service layer of ``taxonomy/service_areas.csv`` (``graph.taxonomy``)."""

    code: str
    label: str
    office: str
    description: str

    def node_properties(self) -> dict[str, object]:
        """Properties of the ``ServiceArea`` node."""
        return {
            "code": self.code,
            "label": self.label,
            "office": self.office,
            "description": self.description,
        }


def _comparable(value: Any) -> Any:
    """One representation for values read back from Neo4j and values about to be written."""
    if isinstance(value, Point):
        return tuple(round(float(v), 6) for v in value)
    if isinstance(value, Date | DateTime):
        return value.iso_format()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, list | tuple):
        return tuple(_comparable(v) for v in value)
    return value


def _comparable_props(props: Mapping[str, Any]) -> dict[str, Any]:
    # Neo4j stores no nulls: a None we would write equals a property that is absent.
    return {k: _comparable(v) for k, v in props.items() if v is not None}


def _run_batches(tx: Tx, query: LiteralString, key: str, items: Sequence[Any], apply: bool) -> None:
    if not apply:
        return
    for start in range(0, len(items), BATCH_SIZE):
        tx.run(query, {key: list(items[start : start + BATCH_SIZE])})


def write_service_areas(tx: Tx, areas: Sequence[ServiceAreaRecord], *, apply: bool) -> Counts:
    """Create or update the service layers (never deletes one: partnerships may cover it)."""
    existing = {
        row["code"]: _comparable_props(row["props"]) for row in tx.run(queries.READ_SERVICE_AREAS)
    }
    changed: list[dict[str, object]] = []
    created = updated = 0
    for area in areas:
        props = area.node_properties()
        if area.code not in existing:
            created += 1
        elif existing[area.code] != _comparable_props(props):
            updated += 1
        else:
            continue
        changed.append(props)
    _run_batches(tx, queries.MERGE_SERVICE_AREAS, "rows", changed, apply)
    return Counts(created, updated, len(areas) - created - updated)


def write_lga_editions(tx: Tx, editions: Sequence[LgaEditionRecord], *, apply: bool) -> Counts:
    """The LGA's published totals, one ``LgaEdition`` node per edition (reference data)."""
    existing = {
        row["edition"]: _comparable_props(row["props"])
        for row in tx.run(queries.READ_LGA_EDITIONS, {})
    }
    wanted = {e.edition: e.node_properties() for e in editions}
    changed = [p for k, p in wanted.items() if existing.get(k) != _comparable_props(p)]
    gone = sorted(existing.keys() - wanted.keys())
    _run_batches(tx, queries.MERGE_LGA_EDITIONS, "rows", changed, apply)
    _run_batches(tx, queries.DELETE_LGA_EDITIONS, "editions", gone, apply)
    return Counts(
        created=sum(1 for k in wanted if k not in existing),
        updated=sum(1 for p in changed if p["edition"] in existing),
        unchanged=len(wanted) - len(changed),
        deleted=len(gone),
    )


def _set_difference(
    tx: Tx,
    desired: Iterable[tuple[str, str]],
    existing: set[tuple[str, str]],
    merge: LiteralString,
    delete: LiteralString,
    apply: bool,
) -> Counts:
    wanted = set(desired)
    to_create = sorted(wanted - existing)
    to_delete = sorted(existing - wanted)
    _run_batches(tx, delete, "pairs", [list(p) for p in to_delete], apply)
    _run_batches(tx, merge, "pairs", [list(p) for p in to_create], apply)
    return Counts(len(to_create), 0, len(wanted & existing), len(to_delete))


def write_councils(tx: Tx, data: CouncilData, *, apply: bool) -> dict[str, Counts]:
    """Councils and their WITHIN, SUCCEEDED_BY and BORDERS relationships.

    The bundled council data is the whole truth about these relationships, so links that it
    no longer implies (say, a district once wrongly WITHIN another county) are deleted.
    """
    existing = {
        row["code"]: _comparable_props(row["props"]) for row in tx.run(queries.READ_COUNCILS)
    }
    rows: list[dict[str, object]] = []
    created = updated = 0
    for council in data.councils:
        props = council.node_properties()
        longitude, latitude = props.pop("longitude"), props.pop("latitude")
        wanted = _comparable_props({**props, "centroid": (longitude, latitude)})
        if council.code not in existing:
            created += 1
        elif existing[council.code] != wanted:
            updated += 1
        else:
            continue
        rows.append({"props": props, "longitude": longitude, "latitude": latitude})
    _run_batches(tx, queries.MERGE_COUNCILS, "rows", rows, apply)
    counts = {"councils": Counts(created, updated, len(data.councils) - created - updated)}

    links: dict[str, set[tuple[str, str]]] = {
        "WITHIN": set(),
        "SUCCEEDED_BY": set(),
        "BORDERS": set(),
    }
    for row in tx.run(queries.READ_COUNCIL_LINKS):
        links[row["type"]].add((row["a"], row["b"]))
    counts["within"] = _set_difference(
        tx, data.within, links["WITHIN"], queries.MERGE_WITHIN, queries.DELETE_WITHIN, apply
    )
    counts["succeeded_by"] = _set_difference(
        tx,
        data.succeeded_by,
        links["SUCCEEDED_BY"],
        queries.MERGE_SUCCEEDED_BY,
        queries.DELETE_SUCCEEDED_BY,
        apply,
    )
    counts["borders"] = _set_difference(
        tx, data.borders, links["BORDERS"], queries.MERGE_BORDERS, queries.DELETE_BORDERS, apply
    )
    return counts


def _links_of(record: PartnershipRecord) -> tuple[frozenset[Any], frozenset[Any], frozenset[Any]]:
    return (
        frozenset((m.council_code, m.role, m.from_year, m.to_year) for m in record.members),
        frozenset(record.service_areas),
        frozenset((s.url, s.date, s.note) for s in record.sources),
    )


def write_partnerships(
    tx: Tx,
    records: Sequence[PartnershipRecord],
    *,
    apply: bool,
    hook: PartnershipWriteHook | None = None,
) -> dict[str, Counts]:
    """Partnerships with their memberships, service areas and sources, updated in place.

    Partnerships absent from ``records`` are left alone: a file adds or corrects partnerships,
    it does not remove the ones other files loaded. ``hook`` (``graph.audit.LoadAudit`` for
    loads) names partnerships to leave alone (those with accepted edits) and is told of every
    change written, for the audit trail.
    """
    if hook is not None:
        protected = hook.protected(tx, [r.id for r in records])
        records = [r for r in records if r.id not in protected]
    existing, before = _stored(tx, [r.id for r in records])
    changed, partnerships, memberships = _compare(records, existing)
    if changed:
        _write_changed(tx, changed, [r.id for r in changed if r.id in existing], apply)
        if apply and hook is not None:
            hook.changed(tx, [_change_of(r, before.get(r.id)) for r in changed])
    return {"partnerships": partnerships, "memberships": memberships}


_Stored = dict[str, tuple[dict[str, Any], tuple[frozenset[Any], ...]]]


def _stored(tx: Tx, ids: list[str]) -> tuple[_Stored, dict[str, dict[str, Any]]]:
    """The partnerships already in the graph: comparable (properties, links) and, for the
    audit trail, a snapshot of each as it was."""
    existing: _Stored = {}
    before: dict[str, dict[str, Any]] = {}
    for row in tx.run(queries.READ_PARTNERSHIPS, {"ids": ids}):
        before[row["id"]] = snapshot(row["props"], row["members"], row["areas"], row["sources"])
        existing[row["id"]] = (
            _comparable_props(row["props"]),
            (
                frozenset(tuple(m) for m in row["members"]),
                frozenset(row["areas"]),
                frozenset(tuple(s) for s in row["sources"]),
            ),
        )
    return existing, before


def _compare(
    records: Sequence[PartnershipRecord], existing: _Stored
) -> tuple[list[PartnershipRecord], Counts, Counts]:
    """The records that change the graph, and the partnerships' and memberships' counts."""
    partnerships = Counts()
    memberships = Counts()
    changed: list[PartnershipRecord] = []
    for record in records:
        wanted_props = _comparable_props(record.node_properties())
        members, areas, sources = _links_of(record)
        if record.id not in existing:
            partnerships += Counts(created=1)
            memberships += Counts(created=len(members))
            changed.append(record)
            continue
        old_props, (old_members, old_areas, old_sources) = existing[record.id]
        # A member's role and own years are its values; its code is its key.
        old_roles = {m[0]: m[1:] for m in old_members}
        new_roles = {m[0]: m[1:] for m in members}
        memberships += Counts(
            created=len(new_roles.keys() - old_roles.keys()),
            updated=sum(
                1 for c in new_roles.keys() & old_roles.keys() if new_roles[c] != old_roles[c]
            ),
            unchanged=sum(
                1 for c in new_roles.keys() & old_roles.keys() if new_roles[c] == old_roles[c]
            ),
            deleted=len(old_roles.keys() - new_roles.keys()),
        )
        if (old_props, old_members, old_areas, old_sources) == (
            wanted_props,
            members,
            areas,
            sources,
        ):
            partnerships += Counts(unchanged=1)
        else:
            partnerships += Counts(updated=1)
            changed.append(record)
    return changed, partnerships, memberships


def _write_changed(
    tx: Tx, changed: Sequence[PartnershipRecord], replaced: list[str], apply: bool
) -> None:
    """Write the changed partnerships, their links first removed where they existed
    (``replaced``), in batches."""
    _run_batches(tx, queries.DELETE_PARTNERSHIP_LINKS, "ids", replaced, apply)
    _run_batches(
        tx,
        queries.MERGE_PARTNERSHIPS,
        "rows",
        [{"id": r.id, "props": r.node_properties()} for r in changed],
        apply,
    )
    _run_batches(
        tx,
        queries.CREATE_MEMBERSHIPS,
        "rows",
        [
            {
                "id": r.id,
                "code": m.council_code,
                "role": m.role,
                "fromYear": m.from_year,
                "toYear": m.to_year,
            }
            for r in changed
            for m in r.members
        ],
        apply,
    )
    _run_batches(
        tx,
        queries.CREATE_COVERS,
        "rows",
        [{"id": r.id, "code": code} for r in changed for code in r.service_areas],
        apply,
    )
    _run_batches(
        tx,
        queries.CREATE_SOURCED_FROM,
        "rows",
        [
            {"id": r.id, "url": s.url, "date": s.date, "note": s.note}
            for r in changed
            for s in r.sources
        ],
        apply,
    )
    if apply and replaced:
        tx.run(queries.DELETE_ORPHAN_SOURCES)


def _change_of(record: PartnershipRecord, before: dict[str, Any] | None) -> PartnershipChange:
    after = snapshot(
        record.node_properties(),
        [(m.council_code, m.role, m.from_year, m.to_year) for m in record.members],
        record.service_areas,
        [(s.url, s.date, s.note) for s in record.sources],
    )
    return PartnershipChange(record.id, before, after)


def record_loaded_files(tx: Tx, files: Sequence[Mapping[str, object]], *, apply: bool) -> None:
    """Record each file read (path, sha256, counts) as a ``LoadedFile`` node, for provenance."""
    _run_batches(tx, queries.RECORD_LOADED_FILES, "rows", list(files), apply)
