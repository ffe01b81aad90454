"""Reads from the graph, as typed models (``graph.models``, re-exported here). No
``neo4j.Record`` leaves this module.

Every statement is a named constant with ``$parameters``; batch readers take lists of keys
(``UNWIND $ids``). The API, the views and the CLI read through ``graph.snapshot`` (one
snapshot per data version), which calls these. The rules that give "active", "effective
member", "sharer" and "singleton" their meaning (graph/rules.py, docs/time.md) are composed
in ``EFFECTIVE_MEMBERSHIPS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, LiteralString

from graph import rules
from graph.db import Database, Tx
from graph.models import (
    Council,
    CouncilLinks,
    Freshness,
    LgaEdition,
    Member,
    Membership,
    Partnership,
    ServiceArea,
    Source,
    council_label,
    coverage_note,
    find_ceremonial_county,
    find_council,
    freshness,
    nearest_lga_edition,
    pick_council,
)
from graph.rules import (
    ACTIVE_STATUSES,
    MEMBER_IN_YEAR,
    PARTNERSHIP_END,
    PARTNERSHIP_START,
    PARTNERSHIP_START_BASIS,
)
from graph.schema import DATA_VERSION

# Repeats graph.models' names on purpose (duplicates tool): this module re-exports them, and
# mypy --strict only sees re-exports listed literally.
__all__ = [
    "Council",
    "CouncilLinks",
    "Freshness",
    "LgaEdition",
    "Member",
    "Membership",
    "Partnership",
    "ServiceArea",
    "Source",
    "TextMatch",
    "council_label",
    "coverage_note",
    "find_ceremonial_county",
    "find_council",
    "freshness",
    "lga_editions",
    "nearest_lga_edition",
    "pick_council",
    "text_search",
]

# -- statements ------------------------------------------------------------------------

COUNCILS_BY_ALIAS_KEY: LiteralString = """
MATCH (c:Council) WHERE $key IN c.aliasKeys
RETURN properties(c) AS council
"""

# One record holding every council (the driver's cost per record dominates a large read).
ALL_COUNCILS: LiteralString = """
MATCH (c:Council)
WITH c ORDER BY c.name, c.code
RETURN collect(properties(c)) AS councils
"""

COUNCIL_LINKS: LiteralString = """
UNWIND $codes AS code
MATCH (c:Council {code: code})
RETURN code,
       COLLECT { MATCH (c)-[:BORDERS]-(n:Council) RETURN n.code ORDER BY n.code } AS borders,
       COLLECT { MATCH (c)-[:WITHIN]->(n:Council) RETURN n.code } AS counties,
       COLLECT { MATCH (n:Council)-[:WITHIN]->(c) RETURN n.code ORDER BY n.name } AS districts,
       COLLECT { MATCH (c)-[:SUCCEEDED_BY]->(n:Council) RETURN n.code } AS successors
"""

# COUNCIL_LINKS's rows as one list in one record (what the snapshot reads for every council).
COUNCIL_LINK_ROWS: LiteralString = (
    "CALL () {"
    + COUNCIL_LINKS
    + """}
RETURN collect([code, borders, counties, districts, successors]) AS rows
"""
)

PARTNERSHIPS_BY_IDS: LiteralString = """
UNWIND $ids AS id
MATCH (p:Partnership {id: id})
RETURN properties(p) AS partnership,
       COLLECT { MATCH (c:Council)-[m:MEMBER_OF]->(p)
                 RETURN [c.code, m.role, m.fromYear, m.toYear] ORDER BY c.code } AS members,
       COLLECT { MATCH (p)-[:COVERS]->(s:ServiceArea) RETURN s.code ORDER BY s.code } AS services,
       COLLECT { MATCH (p)-[r:SOURCED_FROM]->(s:Source)
                 RETURN [s.url, r.date, r.note] ORDER BY s.url }
         AS sources
"""

ALL_PARTNERSHIP_IDS: LiteralString = "MATCH (p:Partnership) RETURN p.id AS id ORDER BY p.name, p.id"

LGA_EDITIONS: LiteralString = """
MATCH (e:LgaEdition) RETURN properties(e) AS edition ORDER BY e.year, e.seq
"""

SERVICE_AREAS: LiteralString = """
MATCH (s:ServiceArea) RETURN properties(s) AS area ORDER BY s.code
"""

STANDS_IN_YEAR = rules.STANDS_IN_YEAR  # succession in a year (graph/rules.py)

# The heart of the rules (graph/rules.py): a partnership counts in $year when its status can be
# active and its years cover $year; a listed member counts within its own years, and one that
# does not exist in $year stands for the first councils along SUCCEEDED_BY that do; a
# partnership is active with two or more such members. graph/memberships.py computes the same
# rows in Python from the snapshot (what the API and views use); this statement is the CLI's
# and the reference the tests hold that to (tests/graph/test_memberships.py).
EFFECTIVE_MEMBERSHIPS: LiteralString = (
    """
WITH date({year: $year, month: 12, day: 31}) AS yearEnd,
     date({year: $year, month: 1, day: 1}) AS yearStart
MATCH (p:Partnership)
WHERE p.status IN $activeStatuses
  AND ($service IS NULL OR EXISTS { (p)-[:COVERS]->(:ServiceArea {code: $service}) })
WITH yearEnd, yearStart, p, """
    + PARTNERSHIP_START
    + """ AS fromYear, """
    + PARTNERSHIP_END
    + """ AS toYear, """
    + PARTNERSHIP_START_BASIS
    + """ AS basis
WHERE """
    + rules.SPAN_COVERS
    + """
MATCH (listed:Council)-[m:MEMBER_OF]->(p)
WHERE """
    + MEMBER_IN_YEAR
    + """
MATCH path = (listed)-[:SUCCEEDED_BY*0..8]->(c:Council)
WHERE """
    + STANDS_IN_YEAR
    + """
WITH p, fromYear, basis, c, collect(m.role) AS roles,
     collect({from: m.fromYear, to: m.toYear}) AS own
WITH p, fromYear, basis,
     collect({code: c.code, role: """
    + rules.EFFECTIVE_ROLE
    + """, own: own}) AS members
WHERE """
    + rules.ENOUGH_MEMBERS
    + """
WITH p, fromYear, basis, members,
     COLLECT { MATCH (p)-[:COVERS]->(s:ServiceArea) RETURN s.code ORDER BY s.code } AS services
UNWIND members AS member
RETURN p.id AS partnershipId, member.code AS code, member.role AS role, member.own AS own,
       services,
       fromYear AS startYear, basis AS startBasis, p.lastEvidenceYear AS lastEvidenceYear,
       p.status AS status, p.name AS name
ORDER BY partnershipId, code
"""
)

# The same rows as one list in one record (``effective_memberships``): the driver's cost per
# record was most of a large year's read (bench/results/memberships.md, scale.md).
EFFECTIVE_MEMBERSHIP_ROWS: LiteralString = (
    "CALL () {\n"
    + EFFECTIVE_MEMBERSHIPS
    + """}
RETURN collect([partnershipId, code, role, own, services, startYear, startBasis,
                lastEvidenceYear, status, name]) AS rows
"""
)

# Full-text search over the `search_text` index (graph/schema.py): Lucene's ranking, the kinds
# asked for, best first (ties by key, so the order is stable).
TEXT_SEARCH: LiteralString = """
CALL db.index.fulltext.queryNodes('search_text', $query) YIELD node, score
WITH node, score,
     CASE WHEN node:Council THEN 'council' ELSE 'partnership' END AS kind
WHERE kind IN $kinds
RETURN kind, coalesce(node.code, node.id) AS key, score
ORDER BY score DESC, key
LIMIT $limit
"""

#: Characters Lucene's query parser gives a meaning to; searched for as themselves.
LUCENE_SPECIAL = set('+-&|!(){}[]^"~*?:\\/')


@dataclass(frozen=True)
class TextMatch:
    """A council (``kind`` 'council', ``key`` its code) or partnership ('partnership', its id)
    matching a text search, with Lucene's score."""

    kind: str
    key: str
    score: float


# What a view shows (``visualisation.data``): the partnerships of the chosen statuses that cover
# any of $services (all when empty) with their effective members in $year (listed members
# within their own years, after succession, whatever the status: an in-development partnership's
# members as of $year); with $activeOnly, only those active in $year; with $region, only those
# with a member in it. A partnership with no member in the year comes back with none (the
# views skip it; an export of everything still lists it).
VIEW_PARTNERSHIPS: LiteralString = (
    """
WITH date({year: $year, month: 12, day: 31}) AS yearEnd,
     date({year: $year, month: 1, day: 1}) AS yearStart
MATCH (p:Partnership)
WHERE p.status IN $statuses
  AND (size($services) = 0
       OR EXISTS { (p)-[:COVERS]->(s:ServiceArea) WHERE s.code IN $services })
OPTIONAL MATCH (listed:Council)-[m:MEMBER_OF]->(p)
WHERE """
    + MEMBER_IN_YEAR
    + """
OPTIONAL MATCH path = (listed)-[:SUCCEEDED_BY*0..8]->(c:Council)
WHERE """
    + STANDS_IN_YEAR
    + """
WITH p, """
    + PARTNERSHIP_START
    + """ AS fromYear, """
    + PARTNERSHIP_END
    + """ AS toYear, collect(DISTINCT c.code) AS members
WHERE (NOT $activeOnly
       OR ("""
    + rules.SPAN_COVERS
    + """ AND """
    + rules.ENOUGH_MEMBERS
    + """))
  AND ($region IS NULL
       OR EXISTS { MATCH (r:Council) WHERE r.code IN members AND r.region = $region })
RETURN p.id AS partnershipId, members
ORDER BY partnershipId
"""
)

# -- readers ---------------------------------------------------------------------------


def text_search(db: Database, text: str, kinds: Sequence[str], limit: int) -> list[TextMatch]:
    """Councils and partnerships whose names (or notes) match the words of ``text``, ranked:
    every word is searched for as written (no Lucene syntax; AND, OR, NOT are words), any of
    them may match."""
    words = [
        "".join("\\" + ch if ch in LUCENE_SPECIAL else ch for ch in w) for w in text.lower().split()
    ]
    query = " ".join(w for w in words if w)
    if not query:
        return []
    rows = db.read(TEXT_SEARCH, {"query": query, "kinds": list(kinds), "limit": limit})
    return [TextMatch(r["kind"], r["key"], float(r["score"])) for r in rows]


def councils_by_alias_key(db: Database, key: str) -> list[Council]:
    """Councils one of whose aliases normalises to ``key`` (see ``graph.names.normalise``)."""
    return [Council.from_row(r["council"]) for r in db.read(COUNCILS_BY_ALIAS_KEY, {"key": key})]


def all_councils(db: Database) -> list[Council]:
    """Every council, ordered by name."""
    return [Council.from_row(row) for row in db.read_values(ALL_COUNCILS)[0][0]]


def council_links(db: Database, codes: Sequence[str]) -> dict[str, CouncilLinks]:
    """Borders, county, districts and successors of each council, in one round trip."""
    rows = db.read_values(COUNCIL_LINK_ROWS, {"codes": list(codes)})[0][0]
    return {
        code: CouncilLinks(
            borders=tuple(borders),
            county=counties[0] if counties else None,
            districts=tuple(districts),
            succeeded_by=tuple(successors),
        )
        for code, borders, counties, districts, successors in rows
    }


def _partnership(row: dict[str, Any]) -> Partnership:
    props = row["partnership"]
    return Partnership(
        id=props["id"],
        name=props["name"],
        status=props["status"],
        start_year=props.get("startYear"),
        end_year=props.get("endYear"),
        annual_savings_gbp=props.get("annualSavingsGbp"),
        savings_note=props.get("savingsNote"),
        notes=props.get("notes"),
        services=tuple(row["services"]),
        members=tuple(
            Member(code, role or "partner", start, end) for code, role, start, end in row["members"]
        ),
        sources=tuple(Source(url, when, note) for url, when, note in row["sources"]),
        first_evidence_year=props.get("firstEvidenceYear"),
        last_evidence_year=props.get("lastEvidenceYear"),
    )


def partnerships_by_ids(db: Database, ids: Sequence[str]) -> dict[str, Partnership]:
    """Partnerships with their members, services and sources; unknown ids are absent."""
    return {p.id: p for p in map(_partnership, db.read(PARTNERSHIPS_BY_IDS, {"ids": list(ids)}))}


def all_partnership_ids(db: Database) -> list[str]:
    """Every partnership id, ordered by name."""
    return [row["id"] for row in db.read(ALL_PARTNERSHIP_IDS)]


def lga_editions(db: Database) -> list[LgaEdition]:
    """The LGA's published totals, oldest edition first."""
    return [
        LgaEdition(
            edition=e["edition"],
            year=e["year"],
            seq=e["seq"],
            arrangements=e.get("arrangements"),
            arrangements_count=e.get("arrangementsCount"),
            councils_sharing=e.get("councilsSharing"),
            savings_gbp_m=e.get("savingsGbpM"),
            savings_basis=e.get("savingsBasis"),
            breakdown=e.get("breakdown"),
            sources=tuple(e.get("sources") or ()),
        )
        for e in (row["edition"] for row in db.read(LGA_EDITIONS))
    ]


def service_areas(db: Database) -> list[ServiceArea]:
    """The service layers, as loaded (``graph.taxonomy``)."""
    return [
        ServiceArea(a["code"], a["label"], a["office"], a.get("description") or "")
        for a in (row["area"] for row in db.read(SERVICE_AREAS))
    ]


def effective_memberships(db: Database, year: int, service: str | None = None) -> list[Membership]:
    """Members, after succession, of every partnership active in ``year`` (optionally in one
    service area), read with ``EFFECTIVE_MEMBERSHIPS`` (the snapshot computes the same rows
    without a read: ``graph.memberships``)."""
    return db.read_transaction(lambda tx: effective_memberships_in(tx, year, service))


def effective_memberships_in(tx: Tx, year: int, service: str | None = None) -> list[Membership]:
    """:func:`effective_memberships` as one statement of a transaction already open (several
    years in one transaction: tests/graph/test_memberships.py)."""
    parameters = {
        "year": year,
        "service": service,
        "currentYear": rules.current_year(),
        "activeStatuses": list(ACTIVE_STATUSES),
    }
    rows = tx.values(EFFECTIVE_MEMBERSHIP_ROWS, parameters)[0][0]
    rows.sort(key=lambda row: (row[0], row[1]))  # EFFECTIVE_MEMBERSHIPS's order (unique keys)
    return [
        Membership(
            pid,
            code,
            role,
            tuple(services),
            start,
            basis,
            last,
            status,
            name,
            *rules.own_years([(m["from"], m["to"]) for m in own]),
        )
        for pid, code, role, own, services, start, basis, last, status, name in rows
    ]


def view_partnerships(
    db: Database,
    year: int,
    *,
    services: Sequence[str] = (),
    statuses: Sequence[str] = rules.STATUSES,
    active_only: bool = False,
    region: str | None = None,
) -> dict[str, tuple[str, ...]]:
    """The effective members in ``year`` of each partnership a view shows, filtered in Cypher
    (``VIEW_PARTNERSHIPS``): partnership id -> member codes (sorted; empty for a partnership
    with no member in the year)."""
    parameters = {
        "year": year,
        "services": list(services),
        "statuses": list(statuses),
        "activeOnly": active_only,
        "region": region,
        "currentYear": rules.current_year(),
    }
    return {
        row["partnershipId"]: tuple(sorted(row["members"]))
        for row in db.read(VIEW_PARTNERSHIPS, parameters)
    }


def data_version(db: Database) -> int:
    """The data version (bumped by every change); caches key on it."""
    rows = db.read(DATA_VERSION)
    return int(rows[0]["version"]) if rows else 0
