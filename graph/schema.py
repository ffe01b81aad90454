"""Constraints and indexes, created idempotently on ``load`` and at API start-up."""

from __future__ import annotations

from typing import LiteralString

from graph.db import Database, Tx

SCHEMA_STATEMENTS: tuple[LiteralString, ...] = (
    "CREATE CONSTRAINT council_code IF NOT EXISTS FOR (c:Council) REQUIRE c.code IS UNIQUE",
    "CREATE CONSTRAINT partnership_id IF NOT EXISTS FOR (p:Partnership) REQUIRE p.id IS UNIQUE",
    "CREATE CONSTRAINT service_area_code IF NOT EXISTS "
    "FOR (s:ServiceArea) REQUIRE s.code IS UNIQUE",
    "CREATE CONSTRAINT source_url IF NOT EXISTS FOR (s:Source) REQUIRE s.url IS UNIQUE",
    "CREATE CONSTRAINT lga_edition IF NOT EXISTS FOR (e:LgaEdition) REQUIRE e.edition IS UNIQUE",
    "CREATE CONSTRAINT data_version_key IF NOT EXISTS FOR (v:DataVersion) REQUIRE v.key IS UNIQUE",
    "CREATE INDEX council_kind IF NOT EXISTS FOR (c:Council) ON (c.kind)",
    "CREATE INDEX council_name IF NOT EXISTS FOR (c:Council) ON (c.name)",
    "CREATE INDEX partnership_status IF NOT EXISTS FOR (p:Partnership) ON (p.status)",
    # Provenance: one LoadedFile per (path, content), merged on both at every load.
    "CREATE INDEX loaded_file IF NOT EXISTS FOR (f:LoadedFile) ON (f.path, f.sha256)",
    # Text search (api `search`): names of councils and partnerships, and partnerships' notes.
    "CREATE FULLTEXT INDEX search_text IF NOT EXISTS FOR (n:Council|Partnership) "
    "ON EACH [n.name, n.officialName, n.notes]",
    # Contributions (docs/contributions.md): accounts, submissions, audit trail, contacts.
    "CREATE CONSTRAINT user_email IF NOT EXISTS FOR (u:User) REQUIRE u.email IS UNIQUE",
    "CREATE CONSTRAINT user_token_id IF NOT EXISTS FOR (u:User) REQUIRE u.tokenId IS UNIQUE",
    "CREATE CONSTRAINT submission_id IF NOT EXISTS FOR (s:Submission) REQUIRE s.id IS UNIQUE",
    "CREATE INDEX submission_partnership IF NOT EXISTS FOR (s:Submission) ON (s.partnershipId)",
    "CREATE INDEX submission_status IF NOT EXISTS FOR (s:Submission) ON (s.status)",
    "CREATE INDEX submission_submitted_by IF NOT EXISTS FOR (s:Submission) ON (s.submittedBy)",
    "CREATE INDEX audit_partnership IF NOT EXISTS FOR (a:AuditEntry) ON (a.partnershipId)",
    # Reorganisation proposals (docs/reorganisation.md): one per name.
    "CREATE CONSTRAINT proposal_name IF NOT EXISTS FOR (p:Proposal) REQUIRE p.name IS UNIQUE",
    "CREATE CONSTRAINT contact_key IF NOT EXISTS FOR (c:Contact) REQUIRE c.key IS UNIQUE",
    "CREATE INDEX contact_email IF NOT EXISTS FOR (c:Contact) ON (c.email)",
    # One staged load at a time (loaders/staged.py): its lock is the one StagedLoad node.
    "CREATE CONSTRAINT staged_load_key IF NOT EXISTS FOR (l:StagedLoad) REQUIRE l.key IS UNIQUE",
)


def schema_name(statement: str) -> str:
    """The name a ``CREATE [FULLTEXT] CONSTRAINT|INDEX name IF NOT EXISTS ...`` gives."""
    words = statement.split()
    kind = next(i for i, word in enumerate(words) if word in ("CONSTRAINT", "INDEX"))
    return words[kind + 1]


ENSURE_DATA_VERSION: LiteralString = """
MERGE (v:DataVersion {key: 'data'})
ON CREATE SET v.version = 0, v.changedAt = datetime()
"""

BUMP_DATA_VERSION: LiteralString = """
MERGE (v:DataVersion {key: 'data'})
ON CREATE SET v.version = 0
SET v.version = v.version + 1, v.changedAt = datetime()
RETURN v.version AS version
"""

#: Wait for indexes being populated (a new full-text index fills in the background; a
#: search before that would miss what is already loaded).
AWAIT_INDEXES: LiteralString = "CALL db.awaitIndexes(300)"

DATA_VERSION: LiteralString = "MATCH (v:DataVersion {key: 'data'}) RETURN v.version AS version"


SCHEMA_NAMES: LiteralString = "SHOW INDEXES YIELD name RETURN collect(name) AS names"


def ensure_schema(db: Database) -> None:
    """Create every constraint and index the project relies on that is missing.

    One read finds what exists (a constraint's index has the constraint's name), so when
    all is in place, as on every load after the first, this is one round trip.
    """
    present = set(db.read(SCHEMA_NAMES)[0]["names"])
    missing = [s for s in SCHEMA_STATEMENTS if schema_name(s) not in present]
    # Schema commands cannot share a transaction with data writes, so each runs alone.
    for statement in missing:
        db.write(statement)
    db.write(ENSURE_DATA_VERSION)
    if missing:  # an index fills what exists when it is created; later writes are indexed
        db.read(AWAIT_INDEXES)  # as they commit, so only a new one is waited for


def bump_data_version(tx: Tx) -> int:
    """Record, inside the caller's write transaction, that the data changed.

    Caches in every API process key on this number, so a change made by any process
    (or any host in a cluster) invalidates them all.
    """
    return int(tx.run(BUMP_DATA_VERSION)[0]["version"])


def data_version(db: Database, *, one_trip: bool = False) -> int:
    """The current data version (0 for an empty database); ``one_trip``: read as an
    auto-commit read, one network round trip (``Database.read_in_one_trip``)."""
    rows = db.read_in_one_trip(DATA_VERSION) if one_trip else db.read(DATA_VERSION)
    return int(rows[0]["version"]) if rows else 0
