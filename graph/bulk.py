"""Whole-graph reads for the per-version snapshot (``graph.snapshot``), as flat rows.

At national scale the snapshot is the first request's largest cost (bench/results/scale.md):
reading every partnership with a ``COLLECT`` subquery per partnership for its members, services
and sources took 15 s of it at 100x. Here each relationship type is one pass returning plain
columns, joined in Python, in one read transaction (one consistent view of the data).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, LiteralString

from graph.db import Database, Tx
from graph.models import Member, Partnership, Source

__all__ = ["all_partnerships"]

# Every partnership as flat rows, one statement per relationship type, joined in Python
# (``all_partnerships``, the snapshot's read): each is one pass over a label or a relationship
# type with no subquery per partnership, and no property Partnership does not hold comes back.
PARTNERSHIP_ROWS: LiteralString = """
MATCH (p:Partnership)
RETURN p.id AS id, p.name AS name, p.status AS status, p.startYear AS startYear,
       p.endYear AS endYear, p.annualSavingsGbp AS annualSavingsGbp,
       p.savingsNote AS savingsNote, p.notes AS notes,
       p.firstEvidenceYear AS firstEvidenceYear, p.lastEvidenceYear AS lastEvidenceYear
ORDER BY p.name, p.id
"""

MEMBER_ROWS: LiteralString = """
MATCH (c:Council)-[m:MEMBER_OF]->(p:Partnership)
RETURN p.id AS id, c.code AS code, m.role AS role, m.fromYear AS fromYear, m.toYear AS toYear
"""

SERVICE_ROWS: LiteralString = """
MATCH (p:Partnership)-[:COVERS]->(s:ServiceArea)
RETURN p.id AS id, s.code AS code
"""

SOURCE_ROWS: LiteralString = """
MATCH (p:Partnership)-[r:SOURCED_FROM]->(s:Source)
RETURN p.id AS id, s.url AS url, r.date AS date, r.note AS note
"""


def all_partnerships(db: Database) -> dict[str, Partnership]:
    """Every partnership with its members, services and sources, by name: the same as
    ``partnerships_by_ids`` of every id, read as flat rows in one read transaction (one
    consistent view) and joined here."""

    def read(tx: Tx) -> list[list[dict[str, Any]]]:
        return [tx.run(q) for q in (PARTNERSHIP_ROWS, MEMBER_ROWS, SERVICE_ROWS, SOURCE_ROWS)]

    rows, member_rows, service_rows, source_rows = db.read_transaction(read)
    members: dict[str, list[Member]] = defaultdict(list)
    for r in member_rows:
        members[r["id"]].append(
            Member(r["code"], r["role"] or "partner", r["fromYear"], r["toYear"])
        )
    services: dict[str, list[str]] = defaultdict(list)
    for r in service_rows:
        services[r["id"]].append(r["code"])
    sources: dict[str, list[Source]] = defaultdict(list)
    for r in source_rows:
        sources[r["id"]].append(Source(r["url"], r["date"], r["note"]))
    return {
        r["id"]: Partnership(
            id=r["id"],
            name=r["name"],
            status=r["status"],
            start_year=r["startYear"],
            end_year=r["endYear"],
            annual_savings_gbp=r["annualSavingsGbp"],
            savings_note=r["savingsNote"],
            notes=r["notes"],
            # In the order PARTNERSHIPS_BY_IDS's COLLECTs give them (ties in a fixed order).
            services=tuple(sorted(services.get(r["id"], ()))),
            members=tuple(sorted(members.get(r["id"], ()), key=_member_order)),
            sources=tuple(sorted(sources.get(r["id"], ()), key=_source_order)),
            first_evidence_year=r["firstEvidenceYear"],
            last_evidence_year=r["lastEvidenceYear"],
        )
        for r in rows
    }


def _member_order(m: Member) -> tuple[str, str, int, int]:
    return (m.code, m.role, m.from_year or -1, m.to_year or -1)


def _source_order(s: Source) -> tuple[str, str, str]:
    return (s.url, s.date or "", s.note or "")
