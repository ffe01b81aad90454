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
    "ReferenceState",
    "ServiceAreaRecord",
    "partnership_change",
    "partnership_row",
    "record_loaded_files",
    "write_partnerships",
    "write_reference",
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


def _service_area_changes(
    areas: Sequence[ServiceAreaRecord], existing: Mapping[str, dict[str, Any]]
) -> tuple[Counts, list[dict[str, object]]]:
    """Service layers to create or update (never deleted: partnerships may cover them)."""
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
    return Counts(created, updated, len(areas) - created - updated), changed


def _edition_changes(
    editions: Sequence[LgaEditionRecord], existing: Mapping[str, dict[str, Any]]
) -> tuple[Counts, list[dict[str, object]], list[str]]:
    """The LGA's published totals (one ``LgaEdition`` per edition): changed and gone."""
    wanted = {e.edition: e.node_properties() for e in editions}
    changed = [p for k, p in wanted.items() if existing.get(k) != _comparable_props(p)]
    gone = sorted(existing.keys() - wanted.keys())
    counts = Counts(
        created=sum(1 for k in wanted if k not in existing),
        updated=sum(1 for p in changed if p["edition"] in existing),
        unchanged=len(wanted) - len(changed),
        deleted=len(gone),
    )
    return counts, changed, gone


def _council_changes(
    data: CouncilData, existing: Mapping[str, dict[str, Any]]
) -> tuple[Counts, list[dict[str, object]]]:
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
    return Counts(created, updated, len(data.councils) - created - updated), rows


#: The council relationships: (type, the parameter ``WRITE_REFERENCE`` takes, the count's key).
LINK_TYPES = (
    ("WITHIN", "within", "within"),
    ("SUCCEEDED_BY", "succeededBy", "succeeded_by"),
    ("BORDERS", "borders", "borders"),
)


@dataclass(frozen=True, slots=True)
class ReferenceState:
    """What the graph holds of the reference data and councils, as one read found it
    (``queries.READ_LOAD_STATE``): comparable properties by key, and the council links."""

    areas: dict[str, dict[str, Any]]
    councils: dict[str, dict[str, Any]]
    links: dict[str, set[tuple[str, str]]]
    editions: dict[str, dict[str, Any]]

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ReferenceState:
        links: dict[str, set[tuple[str, str]]] = {kind: set() for kind, _, _ in LINK_TYPES}
        for kind, a, b in row["links"]:
            links[kind].add((a, b))
        return cls(
            areas={r["code"]: _comparable_props(r["props"]) for r in row["areas"]},
            councils={r["code"]: _comparable_props(r["props"]) for r in row["councils"]},
            links=links,
            editions={r["edition"]: _comparable_props(r["props"]) for r in row["editions"]},
        )


def write_reference(
    tx: Tx,
    state: ReferenceState,
    data: tuple[Sequence[ServiceAreaRecord], CouncilData, Sequence[LgaEditionRecord]],
    *,
    apply: bool,
) -> dict[str, Counts]:
    """Service areas, councils with their WITHIN, SUCCEEDED_BY and BORDERS links, and the
    LGA's editions, compared with ``state`` and written by one statement (when anything
    changed). The bundled council data is the whole truth about these links, so links it no
    longer implies (say, a district once wrongly WITHIN another county) are deleted.

    The statement is not split in batches: councils must all exist before their links, and
    the bundled reference data is a few thousand rows (a load is one transaction anyway).
    """
    areas, councils, editions = data
    counts: dict[str, Counts] = {}
    counts["service_areas"], area_rows = _service_area_changes(areas, state.areas)
    counts["councils"], council_rows = _council_changes(councils, state.councils)
    params: dict[str, list[Any]] = {"areas": area_rows, "councils": council_rows}
    desired = {
        "WITHIN": councils.within,
        "SUCCEEDED_BY": councils.succeeded_by,
        "BORDERS": councils.borders,
    }
    for kind, name, key in LINK_TYPES:
        wanted, existing = set(desired[kind]), state.links[kind]
        params[name] = [list(p) for p in sorted(wanted - existing)]
        params[f"{name}Gone"] = [list(p) for p in sorted(existing - wanted)]
        counts[key] = Counts(
            len(params[name]), 0, len(wanted & existing), len(params[f"{name}Gone"])
        )
    counts["lga_editions"], params["editions"], params["editionsGone"] = _edition_changes(
        editions, state.editions
    )
    if apply and any(params.values()):
        tx.run(queries.WRITE_REFERENCE, params)
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
    stored: Sequence[Mapping[str, Any]] | None = None,
    staged: bool = False,
    rows: Mapping[str, dict[str, Any]] | None = None,
) -> dict[str, Counts]:
    """Partnerships with their memberships, service areas and sources, updated in place.

    Partnerships absent from ``records`` are left alone: a file adds or corrects partnerships,
    it does not remove the ones other files loaded. ``hook`` (``graph.audit.LoadAudit`` for
    loads) names partnerships to leave alone (those with accepted edits) and is told of every
    change written, for the audit trail. ``stored``: the stored partnerships of ``records``
    already read in this transaction (rows as ``queries.READ_PARTNERSHIPS`` gives them).
    ``staged``: write the changed partnerships as new ``StagedPartnership`` nodes, which
    ``loaders.staged`` makes visible later (the stored ones are left as they are). ``rows``:
    each record's :func:`partnership_row`, computed beforehand (``loaders.staged`` does it
    while Neo4j writes the previous file).
    """
    if hook is not None:
        protected = hook.protected(tx, [r.id for r in records])
        records = [r for r in records if r.id not in protected]
    ids = [r.id for r in records]
    if stored is None:
        stored = tx.run(queries.READ_PARTNERSHIPS, {"ids": ids})
    existing, before = _stored(stored, set(ids))
    changed, partnerships, memberships = _compare(records, existing)
    if changed:
        replaced = [] if staged else [r.id for r in changed if r.id in existing]
        statement = queries.STAGE_PARTNERSHIPS if staged else queries.WRITE_PARTNERSHIPS
        _write_changed(tx, changed, replaced, apply, statement, rows)
        if apply and hook is not None:
            hook.changed(tx, [partnership_change(r, before.get(r.id)) for r in changed])
    return {"partnerships": partnerships, "memberships": memberships}


_Stored = dict[str, tuple[dict[str, Any], tuple[frozenset[Any], ...]]]


def _stored(
    rows: Iterable[Mapping[str, Any]], ids: set[str]
) -> tuple[_Stored, dict[str, dict[str, Any]]]:
    """The partnerships of ``ids`` already in the graph: comparable (properties, links) and,
    for the audit trail, a snapshot of each as it was."""
    existing: _Stored = {}
    before: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["id"] not in ids:
            continue
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
        members, areas, sources = _links_of(record)
        if record.id not in existing:
            partnerships += Counts(created=1)
            memberships += Counts(created=len(members))
            changed.append(record)
            continue
        wanted_props = _comparable_props(record.node_properties())
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


def partnership_row(record: PartnershipRecord) -> dict[str, Any]:
    """The parameters ``WRITE_PARTNERSHIPS`` (and ``STAGE_PARTNERSHIPS``) take for a record."""
    return {
        "id": record.id,
        "props": record.node_properties(),
        "members": [
            {"code": m.council_code, "role": m.role, "fromYear": m.from_year, "toYear": m.to_year}
            for m in record.members
        ],
        "areas": list(record.service_areas),
        "sources": [{"url": s.url, "date": s.date, "note": s.note} for s in record.sources],
    }


def _write_changed(
    tx: Tx,
    changed: Sequence[PartnershipRecord],
    replaced: list[str],
    apply: bool,
    statement: LiteralString,
    rows: Mapping[str, dict[str, Any]] | None = None,
) -> None:
    """Write the changed partnerships whole, their old links removed (one statement a batch);
    sources no partnership cites any more are deleted when links were ``replaced``."""
    _run_batches(
        tx,
        statement,
        "rows",
        [rows[r.id] if rows else partnership_row(r) for r in changed],
        apply,
    )
    if apply and replaced:
        tx.run(queries.DELETE_ORPHAN_SOURCES)


def partnership_change(
    record: PartnershipRecord, before: dict[str, Any] | None
) -> PartnershipChange:
    """What writing ``record`` over ``before`` (None: a new partnership) does, for the audit."""
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
