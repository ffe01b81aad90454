"""Reads from the graph, as typed models. No ``neo4j.Record`` leaves this module.

Every statement is a named constant with ``$parameters``; batch readers take lists of keys
(``UNWIND $codes``) so callers such as the GraphQL DataLoaders make one round trip per batch.
The rules that give "active", "effective member", "sharer" and "singleton" their meaning
(data/README.md) are implemented once, in ``EFFECTIVE_MEMBERSHIPS`` and the functions below.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, LiteralString

from graph import rules
from graph.db import Database
from graph.rules import (
    ACTIVE_STATUSES,
    MEMBER_IN_YEAR,
    PARTNERSHIP_END,
    PARTNERSHIP_START,
    PARTNERSHIP_START_BASIS,
    exists_in,
)
from graph.schema import DATA_VERSION

__all__ = [
    "Council",
    "CouncilLinks",
    "Freshness",
    "LgaEdition",
    "Member",
    "Membership",
    "MembershipCache",
    "Partnership",
    "ReferenceCache",
    "ServiceArea",
    "Source",
    "coverage_note",
    "freshness",
    "lga_editions",
    "nearest_lga_edition",
    "pick_council",
]

# -- models ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Council:
    """A principal council, current or abolished."""

    code: str
    name: str
    official_name: str
    aliases: tuple[str, ...]
    kind: str
    tier: str
    region: str | None
    population: int | None
    area_ha: float | None
    latitude: float | None
    longitude: float | None
    valid_from: date
    valid_to: date | None
    former_codes: tuple[str, ...]
    territory: tuple[str, ...] = ()  # the 2013 districts it covers (docs/loading.md)

    def exists_in(self, year: int) -> bool:
        """Whether the council exists in ``year`` (see :func:`exists_in`)."""
        return exists_in(self.valid_from, self.valid_to, year)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Council:
        point = row.get("centroid")
        return cls(
            code=row["code"],
            name=row["name"],
            official_name=row.get("officialName") or row["name"],
            aliases=tuple(row.get("aliases") or ()),
            kind=row["kind"],
            tier=row["tier"],
            region=row.get("region"),
            population=row.get("population"),
            area_ha=row.get("areaHa"),
            latitude=point.y if point is not None else None,
            longitude=point.x if point is not None else None,
            valid_from=row["validFrom"].to_native(),
            valid_to=row["validTo"].to_native() if row.get("validTo") is not None else None,
            former_codes=tuple(row.get("formerCodes") or ()),
            territory=tuple(row.get("territory") or ()),
        )


@dataclass(frozen=True)
class Member:
    """A listed member; ``from_year``/``to_year`` are its own years where the sources give them
    (else it takes the partnership's)."""

    code: str
    role: str  # "lead" or "partner"
    from_year: int | None = None
    to_year: int | None = None

    def covers(self, year: int) -> bool:
        """Whether the member counts in ``year`` by its own years (``graph.rules``)."""
        return rules.member_covers(self.from_year, self.to_year, year)


@dataclass(frozen=True)
class Source:
    """A source URL, its date (text as given) and a remark given after the URL."""

    url: str
    date: str | None
    note: str | None = None


@dataclass(frozen=True)
class Partnership:
    """A shared-service arrangement as listed in the data (members as named by the source)."""

    id: str
    name: str
    status: str
    start_year: int | None
    end_year: int | None
    annual_savings_gbp: int | None
    savings_note: str | None
    notes: str | None
    services: tuple[str, ...]
    members: tuple[Member, ...]
    sources: tuple[Source, ...]
    first_evidence_year: int | None = None
    last_evidence_year: int | None = None

    @property
    def lead_code(self) -> str | None:
        return next((m.code for m in self.members if m.role == "lead"), None)

    def span(self) -> rules.Span:
        """The years it runs, with the basis of its start year (``graph.rules``)."""
        return rules.partnership_span(
            status=self.status,
            start_year=self.start_year,
            end_year=self.end_year,
            first_evidence=self.first_evidence_year,
            last_evidence=self.last_evidence_year,
        )

    def not_confirmed_since(self, year: int) -> int | None:
        """Its latest source's year when that is too old to confirm it in ``year``."""
        return rules.not_confirmed_since(self.status, self.last_evidence_year, year)

    def years_phrase(self, year: int | None = None) -> str:
        """Its years as an officer reads them, e.g. "since 2012 (stated)"."""
        return rules.years_phrase(
            self.span(), last_evidence=self.last_evidence_year, year=year, status=self.status
        )


@dataclass(frozen=True)
class ServiceArea:
    code: str
    label: str
    office: str  # "back" or "front"
    description: str


@dataclass(frozen=True)
class Membership:
    """An effective member of an active partnership in a given year (after member years and
    succession), with the partnership's facts a reason needs: its effective start year and
    the basis of it, and the year of its latest dated source. ``member_from``/``member_to``
    are the member's own years where the sources give them (for a successor, those of the
    councils it stands for); None where it takes the partnership's."""

    partnership_id: str
    code: str
    role: str
    services: tuple[str, ...] = ()
    start_year: int | None = None
    start_basis: str = rules.YearBasis.STATED.value
    last_evidence_year: int | None = None
    status: str = "operational"
    partnership_name: str = ""
    member_from: int | None = None
    member_to: int | None = None


@dataclass(frozen=True)
class CouncilLinks:
    """A council's structural relationships, by code."""

    borders: tuple[str, ...]
    county: str | None
    districts: tuple[str, ...]
    succeeded_by: tuple[str, ...]


@dataclass(frozen=True)
class LgaEdition:
    """One edition of the LGA's own published totals (reference data, text as published)."""

    edition: str
    year: int
    seq: int
    arrangements: str | None
    arrangements_count: int | None
    councils_sharing: str | None
    savings_gbp_m: str | None
    savings_basis: str | None
    breakdown: str | None
    sources: tuple[str, ...]


def nearest_lga_edition(editions: Sequence[LgaEdition], year: int) -> LgaEdition | None:
    """The latest edition published in or before ``year``, else the earliest one."""
    ordered = sorted(editions, key=lambda e: (e.year, e.seq))
    before = [e for e in ordered if e.year <= year]
    return before[-1] if before else (ordered[0] if ordered else None)


@dataclass(frozen=True)
class Freshness:
    """How the year's active partnerships are known: how many are operational on evidence more
    than five years old ("not confirmed since"), and how many have no dated source at all."""

    on_old_evidence: int
    undated: int


def freshness(memberships: Iterable[Membership], year: int) -> Freshness:
    """:class:`Freshness` of the partnerships named by ``memberships`` (rows of one year)."""
    first = {m.partnership_id: m for m in memberships}
    return Freshness(
        on_old_evidence=sum(
            1
            for m in first.values()
            if rules.not_confirmed_since(m.status, m.last_evidence_year, year) is not None
        ),
        undated=sum(1 for m in first.values() if m.start_basis == rules.YearBasis.UNKNOWN),
    )


def coverage_note(year: int, total: int, edition: LgaEdition | None) -> str:
    """Why this data's count of active partnerships differs from the LGA's, in words."""
    ours = (
        f"Council Graph counts {total} partnerships active in {year}: each one named by a cited "
        "public source (council papers, news, trade press), with two or more member councils "
        "that year."
    )
    if edition is None:
        return ours + " The LGA's published totals are not loaded."
    when = (
        f"its {edition.edition} edition"
        if edition.year <= year
        else f"no edition was published by {year}; its earliest ({edition.edition})"
    )
    counted = edition.arrangements or "an unstated number of"
    return (
        f"{ours} The LGA's map counted what councils reported to it ({when}: {counted} "
        "arrangements), including arrangements no public source describes and some counted "
        "once per service; so the two counts differ, most of all in the early years, and "
        "neither is a census."
    )


def pick_council(matches: Sequence[Council], year: int | None = None) -> Council | None:
    """The council meant by a name several councils share across eras (Dorset County
    Council, Dorset Council): the one existing in ``year`` when given, else the one that
    exists now, else the most recent."""
    existing = [c for c in matches if year is not None and c.exists_in(year)]
    return max(existing or matches, key=lambda c: (c.valid_to is None, c.valid_from), default=None)


# -- statements ------------------------------------------------------------------------

COUNCIL_FIELDS: LiteralString = "properties(c) AS council"

COUNCILS_BY_CODES: LiteralString = """
UNWIND $codes AS code
MATCH (c:Council) WHERE c.code = code OR code IN c.formerCodes
RETURN code, properties(c) AS council
"""

COUNCILS_BY_ALIAS_KEY: LiteralString = """
MATCH (c:Council) WHERE $key IN c.aliasKeys
RETURN properties(c) AS council
"""

ALL_COUNCILS: LiteralString = """
MATCH (c:Council)
RETURN properties(c) AS council
ORDER BY c.name, c.code
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

LISTED_PARTNERSHIP_IDS: LiteralString = """
UNWIND $codes AS code
MATCH (c:Council {code: code})
RETURN code, COLLECT { MATCH (c)-[:MEMBER_OF]->(p:Partnership) RETURN p.id ORDER BY p.name } AS ids
"""

LGA_EDITIONS: LiteralString = """
MATCH (e:LgaEdition) RETURN properties(e) AS edition ORDER BY e.year, e.seq
"""

SERVICE_AREAS: LiteralString = """
MATCH (s:ServiceArea) RETURN properties(s) AS area ORDER BY s.code
"""

# The heart of the rules (graph/rules.py): a partnership counts in $year when its status can be
# active and its years cover $year; a listed member counts within its own years, and one that
# does not exist in $year stands for the first councils along SUCCEEDED_BY that do; a
# partnership is active with two or more such members.
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
WHERE fromYear <= $year AND (toYear IS NULL OR toYear >= $year)
MATCH (listed:Council)-[m:MEMBER_OF]->(p)
WHERE """
    + MEMBER_IN_YEAR
    + """
MATCH path = (listed)-[:SUCCEEDED_BY*0..8]->(c:Council)
// existence in $year (graph.rules.exists_in is its Python twin)
WHERE c.validFrom <= yearEnd AND (c.validTo IS NULL OR c.validTo > yearStart)
  AND none(n IN nodes(path)[..-1]
           WHERE n.validFrom <= yearEnd AND (n.validTo IS NULL OR n.validTo > yearStart))
WITH p, fromYear, basis, c, collect(m.role) AS roles,
     collect({from: m.fromYear, to: m.toYear}) AS own
WITH p, fromYear, basis,
     collect({code: c.code, role: CASE WHEN 'lead' IN roles THEN 'lead' ELSE 'partner' END,
              own: own})
     AS members
WHERE size(members) >= 2
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

# -- readers ---------------------------------------------------------------------------


def councils_by_codes(db: Database, codes: Sequence[str]) -> dict[str, Council]:
    """Councils by current or former GSS code (keys as asked); unknown codes are absent."""
    rows = db.read(COUNCILS_BY_CODES, {"codes": list(codes)})
    return {row["code"]: Council.from_row(row["council"]) for row in rows}


def councils_by_alias_key(db: Database, key: str) -> list[Council]:
    """Councils one of whose aliases normalises to ``key`` (see ``graph.names.normalise``)."""
    return [Council.from_row(r["council"]) for r in db.read(COUNCILS_BY_ALIAS_KEY, {"key": key})]


def all_councils(db: Database) -> list[Council]:
    """Every council, ordered by name."""
    return [Council.from_row(row["council"]) for row in db.read(ALL_COUNCILS)]


def council_links(db: Database, codes: Sequence[str]) -> dict[str, CouncilLinks]:
    """Borders, county, districts and successors of each council, in one round trip."""
    rows = db.read(COUNCIL_LINKS, {"codes": list(codes)})
    return {
        row["code"]: CouncilLinks(
            borders=tuple(row["borders"]),
            county=row["counties"][0] if row["counties"] else None,
            districts=tuple(row["districts"]),
            succeeded_by=tuple(row["successors"]),
        )
        for row in rows
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


def listed_partnership_ids(db: Database, codes: Sequence[str]) -> dict[str, list[str]]:
    """The partnerships each council is listed in (any status, any year)."""
    rows = db.read(LISTED_PARTNERSHIP_IDS, {"codes": list(codes)})
    return {row["code"]: list(row["ids"]) for row in rows}


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
    service area)."""
    parameters = {
        "year": year,
        "service": service,
        "currentYear": rules.current_year(),
        "activeStatuses": list(ACTIVE_STATUSES),
    }
    return [
        Membership(
            row["partnershipId"],
            row["code"],
            row["role"],
            tuple(row["services"]),
            row["startYear"],
            row["startBasis"],
            row["lastEvidenceYear"],
            row["status"],
            row["name"],
            *_own_years(row["own"]),
        )
        for row in db.read(EFFECTIVE_MEMBERSHIPS, parameters)
    ]


def _own_years(listed: Sequence[dict[str, int | None]]) -> tuple[int | None, int | None]:
    """An effective member's own years from the listed members it stands for (itself, or the
    councils it succeeded): their earliest joining and latest leaving year; open (None) where
    any of them takes the partnership's years."""
    froms = [m["from"] for m in listed]
    tos = [m["to"] for m in listed]
    return (
        None if None in froms else min(f for f in froms if f is not None),
        None if None in tos else max(t for t in tos if t is not None),
    )


def data_version(db: Database) -> int:
    """The data version (bumped by every change); caches key on it."""
    rows = db.read(DATA_VERSION)
    return int(rows[0]["version"]) if rows else 0


class MembershipCache:
    """Effective memberships per (data version, year, service), shared by all requests.

    Keyed on the version stored in the graph, so a change made by any process invalidates
    every process's cache. Bounded (LRU) and thread-safe.
    """

    def __init__(self, maxsize: int = 256) -> None:
        self._entries: OrderedDict[tuple[int, int, int, str | None], tuple[Membership, ...]] = (
            OrderedDict()
        )
        self._maxsize = maxsize
        self._lock = threading.Lock()

    def get(
        self, db: Database, version: int, year: int, service: str | None
    ) -> tuple[Membership, ...]:
        # The current year is in the key: undated partnerships are placed in it.
        key = (version, rules.current_year(), year, service)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        memberships = tuple(effective_memberships(db, year, service))
        with self._lock:
            self._entries[key] = memberships
            while len(self._entries) > self._maxsize:
                self._entries.popitem(last=False)
        return memberships


class ReferenceCache:
    """Every council and every partnership, kept for the current data version only.

    They change only with the data version, and the API's lists, stats and singletons need
    all of them: reading ~500 records per request would be waste.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._councils: tuple[int, tuple[Council, ...]] | None = None
        self._partnerships: tuple[int, dict[str, Partnership]] | None = None
        self._editions: tuple[int, tuple[LgaEdition, ...]] | None = None

    def councils(self, db: Database, version: int) -> tuple[Council, ...]:
        with self._lock:
            cached = self._councils
        if cached is not None and cached[0] == version:
            return cached[1]
        councils = tuple(all_councils(db))
        with self._lock:
            self._councils = (version, councils)
        return councils

    def partnerships(self, db: Database, version: int) -> dict[str, Partnership]:
        with self._lock:
            cached = self._partnerships
        if cached is not None and cached[0] == version:
            return cached[1]
        partnerships = partnerships_by_ids(db, all_partnership_ids(db))
        with self._lock:
            self._partnerships = (version, partnerships)
        return partnerships

    def lga_editions(self, db: Database, version: int) -> tuple[LgaEdition, ...]:
        with self._lock:
            cached = self._editions
        if cached is not None and cached[0] == version:
            return cached[1]
        editions = tuple(lga_editions(db))
        with self._lock:
            self._editions = (version, editions)
        return editions
