"""Reorganisation proposals as data: the bundled file, a user's file, and past reorganisations
replayed from the register; validated whole, written all-or-nothing as their own nodes.

A proposal is never a council (data/README.upstream.md): it is written as
``(:Proposal)-[:HAS_UNIT]->(:ProposedUnit)-[:WOULD_INCLUDE {partial}]->(:Council)``. Each
unit carries its 2021 census population (``data/population``), summed over its whole members.

A user's file is read by :mod:`loaders.proposal_files` and refused whole on any error.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, LiteralString

from graph.db import Database, Tx
from graph.reorganisation import reorganisations, successors_of
from graph.schema import bump_data_version
from loaders.errors import DataError
from loaders.matching import CouncilIndex
from loaders.sources import DATA_DIR, read_csv_rows
from loaders.writer import Counts

if TYPE_CHECKING:
    from graph.snapshot import Snapshot

__all__ = [
    "CENSUS",
    "PROPOSALS_FILE",
    "Owner",
    "ProposalLoad",
    "ProposalRecord",
    "ProposalRefused",
    "UnitRecord",
    "census_population",
    "check_owners",
    "delete_proposal",
    "not_bundled",
    "read_bundled_proposals",
    "register_proposals",
    "split_list",
    "write_proposals",
    "write_register_proposals",
]

PROPOSALS_FILE = DATA_DIR / "reorganisation" / "proposals_cited.csv"
CENSUS = DATA_DIR / "population" / "census_2011_2021_by_lad2021.csv"
STATUSES = ("decided", "rejected", "submitted")

# -- statements ------------------------------------------------------------------------

READ_PROPOSAL_KEYS: LiteralString = """
MATCH (p:Proposal) RETURN p.name AS name, p.origin AS origin, p.fingerprint AS fingerprint
"""

DELETE_PROPOSALS: LiteralString = """
UNWIND $names AS name
MATCH (p:Proposal {name: name})
OPTIONAL MATCH (p)-[:HAS_UNIT]->(u:ProposedUnit)
DETACH DELETE u, p
"""

# Who loaded each of the stored proposals named ``$names`` (sought by the Proposal.name
# constraint): its origin and the account that loaded it ('' from a file or bundled).
PROPOSAL_OWNERS: LiteralString = """
UNWIND $names AS name
MATCH (p:Proposal {name: name})
RETURN p.name AS name, p.origin AS origin, coalesce(p.loadedBy, '') AS loadedBy
"""

CREATE_PROPOSALS: LiteralString = """
UNWIND $rows AS row
CREATE (p:Proposal)
SET p = row.props
WITH p, row
UNWIND row.units AS unit
CREATE (p)-[:HAS_UNIT]->(u:ProposedUnit)
SET u = unit.props
WITH u, unit
UNWIND unit.members AS member
MATCH (c:Council {code: member.code})
CREATE (u)-[:WOULD_INCLUDE {partial: member.partial}]->(c)
"""


# -- records ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnitRecord:
    """One proposed unit: whole members and split (partial) members, by current code."""

    name: str
    members: tuple[str, ...]
    partial: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProposalRecord:
    """One proposal as it will be written."""

    name: str
    title: str
    origin: str
    units: tuple[UnitRecord, ...]
    area: str = ""
    status: str = "submitted"
    proposer: str = ""
    decision_date: str | None = None
    vesting_date: str | None = None
    notes: str = ""
    source_urls: tuple[str, ...] = ()
    source_dates: tuple[str, ...] = ()
    seq: int = 0
    loaded_by: str = ""  # the signed-in account that loaded it through the API, if any

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()

    def row(self, population: Mapping[str, int]) -> dict[str, object]:
        """The parameters :data:`CREATE_PROPOSALS` takes for this proposal."""
        props: dict[str, object] = {
            "name": self.name,
            "title": self.title,
            "origin": self.origin,
            "area": self.area,
            "status": self.status,
            "proposer": self.proposer,
            "decisionDate": self.decision_date,
            "vestingDate": self.vesting_date,
            "notes": self.notes,
            "sourceUrls": list(self.source_urls),
            "sourceDates": list(self.source_dates),
            "seq": self.seq,
            "loadedBy": self.loaded_by or None,
            "fingerprint": self.fingerprint(),
        }
        units = []
        for seq, unit in enumerate(self.units):
            people, note = _unit_population(unit, population)
            units.append(
                {
                    "props": {
                        "name": unit.name,
                        "seq": seq,
                        "population": people,
                        "populationNote": note,
                    },
                    "members": [{"code": c, "partial": False} for c in unit.members]
                    + [{"code": c, "partial": True} for c in unit.partial],
                }
            )
        return {"props": {k: v for k, v in props.items() if v is not None}, "units": units}


def census_population(path: Path = CENSUS) -> dict[str, int]:
    """2021 census population by the 2021 district code."""
    return {row["LAD"]: int(row["POP21"]) for row in read_csv_rows(path) if row["POP21"]}


def _unit_population(unit: UnitRecord, population: Mapping[str, int]) -> tuple[int | None, str]:
    # Counties (E10) are the sum of their districts: they add nothing of their own.
    counted = [c for c in unit.members if not c.startswith("E10")]
    missing = [c for c in counted if c not in population]
    notes = ["Census 2021, whole members only"]
    if unit.partial:
        notes.append("excludes the split councils " + ", ".join(unit.partial))
    if missing:
        notes.append("unknown for " + ", ".join(missing) + " (not in the 2021 census geography)")
    total = sum(population[c] for c in counted if c in population)
    return (None if missing or not counted else total), "; ".join(notes)


# -- the bundled file ------------------------------------------------------------------


def split_list(text: str) -> list[str]:
    """Items of a ';'-separated cell (or one per line), blanks dropped."""
    return [part.strip() for part in re.split(r"[;\n]", text) if part.strip()]


def read_bundled_proposals(
    index: CouncilIndex, path: Path = PROPOSALS_FILE, display: str | None = None
) -> tuple[tuple[ProposalRecord, ...], list[DataError]]:
    """The bundled proposals (one row per unit, members by GSS code), or the errors."""
    name = display or str(path.relative_to(DATA_DIR.parent))
    errors: list[DataError] = []
    grouped: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for number, row in enumerate(read_csv_rows(path), start=2):
        grouped.setdefault(row["proposal_id"], []).append((number, row))
    records = []
    for seq, (key, rows) in enumerate(grouped.items()):
        units = []
        for number, row in rows:
            codes = []
            for field_name in ("member_gss_codes", "partial_members"):
                found = []
                for text in split_list(row[field_name]):
                    council = index.by_code(text)
                    if council is None:
                        errors.append(
                            DataError(name, number, field_name, field_name, text, "unknown council")
                        )
                    else:
                        found.append(council.code)
                codes.append(found)
            whole, partial = codes
            units.append(UnitRecord(row["unit_name"], tuple(whole), tuple(partial)))
        first = rows[0][1]
        records.append(
            ProposalRecord(
                name=key,
                title=first["proposal_name"],
                origin="bundled",
                units=tuple(units),
                area=first["area"],
                status=first["status"],
                proposer=first["proposer"],
                decision_date=first["decision_date"] or None,
                vesting_date=first["vesting_date"] or None,
                notes=" ".join(dict.fromkeys(r["notes"] for _, r in rows if r["notes"])),
                source_urls=tuple(
                    dict.fromkeys(u for _, r in rows for u in split_list(r["source_urls"]))
                ),
                source_dates=tuple(split_list(first["source_dates"])),
                seq=seq,
            )
        )
    return tuple(records), errors


# -- who may change a stored proposal ---------------------------------------------------

Owner = Callable[[str, str, str], None]
"""Called with a stored proposal's name, origin and loader (an account's e-mail; '' when it
was loaded from a file or is bundled) before the proposal is replaced or deleted; raises to
refuse, and the transaction then writes nothing."""


class ProposalRefused(ValueError):
    """A stored proposal that may not be changed this way (the message says why)."""


def not_bundled(name: str, origin: str, loaded_by: str) -> None:
    """The operator's rule (the CLI): any proposal but a bundled one, which changes only when
    the bundled data is loaded again (``councilgraph load``)."""
    if origin == "bundled":
        raise ProposalRefused(
            f"{name!r} is a bundled proposal (data/reorganisation); it changes only when the "
            "bundled data is loaded again (councilgraph load)"
        )


def check_owners(tx: Tx, names: Iterable[str], allowed: Owner | None) -> None:
    """Ask ``allowed`` about each stored proposal among ``names`` (one read)."""
    if allowed is None:
        return
    for row in tx.run(PROPOSAL_OWNERS, {"names": sorted(set(names))}):
        allowed(row["name"], row["origin"], row["loadedBy"])


# -- writing ---------------------------------------------------------------------------


def write_proposals(
    tx: Tx,
    records: Sequence[ProposalRecord],
    *,
    apply: bool,
    replace_origin: str | None = None,
    population: Mapping[str, int] | None = None,
    stored: Sequence[Mapping[str, Any]] | None = None,
) -> Counts:
    """Write ``records`` (a changed proposal is replaced whole); with ``replace_origin``, the
    stored proposals of that origin that ``records`` no longer hold are deleted. ``stored``:
    the stored proposals' keys already read in this transaction (as READ_PROPOSAL_KEYS)."""
    if stored is None:
        stored = tx.run(READ_PROPOSAL_KEYS)
    existing = {r["name"]: (r["origin"], r["fingerprint"]) for r in stored}
    wanted = {r.name: r for r in records}
    changed = [r for r in records if existing.get(r.name, ("", ""))[1] != r.fingerprint()]
    gone = sorted(
        n for n, (origin, _) in existing.items() if origin == replace_origin and n not in wanted
    )
    replaced = [r.name for r in changed if r.name in existing] + gone
    if apply and replaced:
        tx.run(DELETE_PROPOSALS, {"names": replaced})
    if apply and changed:
        people = census_population() if population is None else population
        tx.run(CREATE_PROPOSALS, {"rows": [r.row(people) for r in changed]})
    return Counts(
        created=sum(1 for r in changed if r.name not in existing),
        updated=sum(1 for r in changed if r.name in existing),
        unchanged=len(records) - len(changed),
        deleted=len(gone),
    )


@dataclass(frozen=True, slots=True)
class ProposalLoad:
    """What loading a user's proposal file did: the proposals, the counts, or the errors."""

    names: tuple[str, ...]
    counts: Counts
    errors: tuple[DataError, ...] = ()
    data_version: int | None = None

    @property
    def written(self) -> bool:
        return not self.errors and self.counts.changed


def register_proposals(snapshot: Snapshot) -> tuple[ProposalRecord, ...]:
    """Each reorganisation in the register as a proposal: one per area (successors that
    shared a predecessor, e.g. North and West Northamptonshire), each successor a unit of the
    councils it replaced; a council split between successors is a partial member of each."""
    direct = successors_of(snapshot)
    records: list[ProposalRecord] = []
    for reorganisation in reorganisations(snapshot):
        areas: list[list[str]] = []
        for successor in (c.code for c in reorganisation.successors):
            linked = [
                a for a in areas if set(direct[successor]) & {p for s in a for p in direct[s]}
            ]
            merged = [successor, *(s for a in linked for s in a)]
            areas = [a for a in areas if a not in linked] + [merged]
        for area in areas:
            units = []
            for successor in sorted(area, key=lambda c: snapshot.councils_by_code[c].name):
                replaced = direct[successor]
                split = tuple(c for c in replaced if len(snapshot.links[c].succeeded_by) > 1)
                whole = tuple(c for c in replaced if c not in split)
                units.append(UnitRecord(snapshot.councils_by_code[successor].name, whole, split))
            names = " and ".join(u.name for u in units)
            vesting = reorganisation.vesting.isoformat()
            records.append(
                ProposalRecord(
                    name=f"register-{vesting[:4]}-" + re.sub(r"[^a-z0-9]+", "-", names.lower()),
                    title=f"{names}, as created on {vesting} (replayed from the register)",
                    origin="register",
                    units=tuple(units),
                    status="decided",
                    vesting_date=vesting,
                    notes="Generated from the council register (replaced-by, start and end "
                    "dates): what the check would have said before the change.",
                    seq=2000 + len(records),
                )
            )
    return tuple(records)


def write_register_proposals(db: Database, records: Sequence[ProposalRecord]) -> Counts:
    """Write the reorganisations replayed from the register (replacing earlier replays)."""

    def work(tx: Tx) -> Counts:
        counts = write_proposals(tx, records, apply=True, replace_origin="register")
        if counts.changed:
            bump_data_version(tx)
        return counts

    return db.write_transaction(work)


DELETE_ONE: LiteralString = """
MATCH (p:Proposal {name: $name})
OPTIONAL MATCH (p)-[:HAS_UNIT]->(u:ProposedUnit)
DETACH DELETE u, p
RETURN count(DISTINCT p) AS deleted
"""


def delete_proposal(db: Database, name: str, *, allowed: Owner | None = None) -> bool:
    """Delete the proposal named ``name``; False when there is none (nothing written). With
    ``allowed``, it is asked first (in the same transaction) and may refuse."""

    def work(tx: Tx) -> bool:
        check_owners(tx, [name], allowed)
        deleted = int(tx.run(DELETE_ONE, {"name": name})[0]["deleted"]) > 0
        if deleted:
            bump_data_version(tx)
        return deleted

    return db.write_transaction(work)
