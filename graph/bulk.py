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

# Every partnership as flat rows, one statement per relationship type, each row a list and all
# of them in one record, joined in Python (``all_partnerships``, the snapshot's read): each is
# one pass over a label or a relationship type with no subquery per partnership, only the
# properties Partnership holds come back, and the driver decodes one record, not one per row
# (its cost per record is most of a flat read's time: 2,437 memberships in 86 ms as records,
# 16 ms as one list).
PARTNERSHIP_ROWS: LiteralString = """
MATCH (p:Partnership)
RETURN collect([p.id, p.name, p.status, p.startYear, p.endYear, p.annualSavingsGbp,
                p.savingsNote, p.notes, p.firstEvidenceYear, p.lastEvidenceYear]) AS rows
"""

MEMBER_ROWS: LiteralString = """
MATCH (c:Council)-[m:MEMBER_OF]->(p:Partnership)
RETURN collect([p.id, c.code, m.role, m.fromYear, m.toYear]) AS rows
"""

SERVICE_ROWS: LiteralString = """
MATCH (p:Partnership)-[:COVERS]->(s:ServiceArea)
RETURN collect([p.id, s.code]) AS rows
"""

SOURCE_ROWS: LiteralString = """
MATCH (p:Partnership)-[r:SOURCED_FROM]->(s:Source)
RETURN collect([p.id, s.url, r.date, r.note]) AS rows
"""


def all_partnerships(db: Database, *, timeout: float | None = None) -> dict[str, Partnership]:
    """Every partnership with its members, services and sources, by name: the same as
    ``partnerships_by_ids`` of every id, read as flat rows in one read transaction (one
    consistent view) and joined here. ``timeout``: for the whole transaction (default: the
    statement timeout)."""

    def read(tx: Tx) -> list[list[list[Any]]]:
        queries = (PARTNERSHIP_ROWS, MEMBER_ROWS, SERVICE_ROWS, SOURCE_ROWS)
        return [tx.values(q)[0][0] for q in queries]

    rows, member_rows, service_rows, source_rows = db.read_transaction(read, timeout=timeout)
    rows.sort(key=lambda row: (row[1], row[0]))  # by name, then id: cheaper here than in Cypher
    members: dict[str, list[Member]] = defaultdict(list)
    # One Member per distinct (council, role, years), shared by the partnerships that list it
    # alike: at 100x, 246k memberships are 11k such members, and building each once halved
    # the time this join took (frozen dataclasses are slow to build; docs/performance.md).
    distinct: dict[tuple[str, str | None, int | None, int | None], Member] = {}
    for pid, code, role, start, end in member_rows:
        key = (code, role, start, end)
        member = distinct.get(key)
        if member is None:
            member = distinct[key] = Member(code, role or "partner", start, end)
        members[pid].append(member)
    services: dict[str, list[str]] = defaultdict(list)
    for pid, code in service_rows:
        services[pid].append(code)
    sources: dict[str, list[Source]] = defaultdict(list)
    for pid, url, when, note in source_rows:
        sources[pid].append(Source(url, when, note))
    return {
        pid: Partnership(
            id=pid,
            name=name,
            status=status,
            start_year=start,
            end_year=end,
            annual_savings_gbp=savings,
            savings_note=savings_note,
            notes=notes,
            # In the order PARTNERSHIPS_BY_IDS's COLLECTs give them (ties in a fixed order).
            services=tuple(sorted(services.get(pid, ()))),
            members=tuple(sorted(members.get(pid, ()), key=_member_order)),
            sources=tuple(sorted(sources.get(pid, ()), key=_source_order)),
            first_evidence_year=first,
            last_evidence_year=last,
        )
        for pid, name, status, start, end, savings, savings_note, notes, first, last in rows
    }


def _member_order(m: Member) -> tuple[str, str, int, int]:
    return (m.code, m.role, m.from_year or -1, m.to_year or -1)


def _source_order(s: Source) -> tuple[str, str, str]:
    return (s.url, s.date or "", s.note or "")
