"""When a partnership and each of its members count: the data README's rules of time, in one place.

The rules (data/README.upstream.md, "Meaning of the partnership data") say:

* a partnership runs *from* its stated ``start_year`` (basis STATED); when blank, from the
  earliest four-digit year in its sources' dates (basis FIRST_EVIDENCE: known to exist from
  then, never earlier); with no dated source either, in the current year only (basis UNKNOWN);
* it runs *to* its stated ``end_year``; an ``ended`` row with no end year runs through the year
  of its latest dated source; otherwise it is open;
* it is active in year Y when its status is operational or ended, Y lies within its years, and
  it has two or more members in Y (after member years and succession, see
  ``graph.repository.EFFECTIVE_MEMBERSHIPS``);
* a member listed in ``member_years`` counts only within its own years; one that no longer
  exists stands for the first councils along its successors that do, each taking the years and
  role of the members it stands for;
* an operational partnership whose latest dated source is more than five years before the year
  asked still counts, but is shown as "not confirmed since YEAR".

Each rule is written twice, side by side: as a Cypher fragment the repository's statements
use, and as a Python function for code that works on models (views, analysis, CLI). A test
checks that the two agree on the whole bundled data for every year from :data:`FIRST_YEAR`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import LiteralString

from graph.errors import CouncilGraphError

__all__ = [
    "ACTIVE_STATUSES",
    "EFFECTIVE_ROLE",
    "ENOUGH_MEMBERS",
    "FIRST_YEAR",
    "MEMBER_IN_YEAR",
    "PARTNERSHIP_END",
    "PARTNERSHIP_START",
    "SPAN_COVERS",
    "STALE_AFTER_YEARS",
    "STANDS_IN_YEAR",
    "STATUSES",
    "SUCCESSION_STEPS",
    "MemberYears",
    "Span",
    "YearBasis",
    "YearOutOfRange",
    "check_year",
    "current_year",
    "effective_role",
    "enough_members",
    "evidence_years",
    "exists_in",
    "member_covers",
    "not_confirmed_since",
    "own_years",
    "parse_member_years",
    "partnership_span",
    "resolve_year",
    "source_years",
    "stand_ins",
    "tier_mix",
    "years_phrase",
]

FIRST_YEAR = 2009
"""The first year answers cover: the council register holds every council since 2009."""

STALE_AFTER_YEARS = 5
"""An operational partnership with no dated source within this many years of the year asked is
"not confirmed since" its latest source."""

STATUSES: tuple[str, ...] = ("operational", "in_development", "ended", "abandoned")
"""A partnership's statuses, as of its latest source."""

ACTIVE_STATUSES: tuple[str, ...] = ("operational", "ended")
"""Statuses that can be active in a year; ``in_development`` and ``abandoned`` never are."""


def exists_in(valid_from: date, valid_to: date | None, year: int) -> bool:
    """A council exists in ``year`` when it started by 31 Dec and had not ended by 1 Jan."""
    return valid_from <= date(year, 12, 31) and (valid_to is None or valid_to > date(year, 1, 1))


def tier_mix(tiers: Iterable[str]) -> str | None:
    """``district_district``, ``upper_upper`` or ``district_upper`` over the tiers of a
    partnership's members in a year (``lower`` for districts, ``upper`` for the rest)."""
    kinds = set(tiers)
    if not kinds:
        return None
    if kinds == {"lower"}:
        return "district_district"
    if kinds == {"upper"}:
        return "upper_upper"
    return "district_upper"


def current_year() -> int:
    """The current calendar year: the default year of every answer, and the one year an
    undated partnership is placed in."""
    return date.today().year


class YearOutOfRange(CouncilGraphError, ValueError):
    """A year outside the years the data describes."""


def check_year(year: int, *, what: str = "year") -> int:
    """``year`` itself when answers can be given for it, else :class:`YearOutOfRange` naming
    the valid range."""
    last = current_year()
    if not FIRST_YEAR <= year <= last:
        raise YearOutOfRange(
            f"{what} {year} is out of range: give a year from {FIRST_YEAR} to {last}"
        )
    return year


def resolve_year(year: int | None) -> int:
    """The year an answer is about: ``year`` when given (checked), else the current year."""
    return current_year() if year is None else check_year(year)


class YearBasis(StrEnum):
    """How a partnership's start year is known."""

    STATED = "stated"
    """The sources state it."""
    FIRST_EVIDENCE = "first_evidence"
    """No source states it: the year of the earliest dated source (it existed then; maybe
    earlier)."""
    UNKNOWN = "unknown"
    """No dated source at all: placed in the current year only."""


_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_UNDATED = re.compile(r"\s*(n\.\s*d\.?|undated)", re.IGNORECASE)


def source_years(text: str | None) -> tuple[int, ...]:
    """The four-digit years in one source's date as given: ``"c.2012"`` -> (2012,),
    ``"2008-10/2009"`` -> (2008, 2009); ``"n.d."`` and ``"undated (c.2010)"`` are no date.

    >>> source_years("2020-09-02"), source_years("undated (c.2011)"), source_years(None)
    ((2020,), (), ())
    """
    if not text or _UNDATED.match(text):
        return ()
    return tuple(int(y) for y in _YEAR.findall(text))


def evidence_years(dates: Iterable[str | None]) -> tuple[int | None, int | None]:
    """(first, last) year of a partnership's dated sources; (None, None) when none is dated."""
    years = [y for text in dates for y in source_years(text)]
    return (min(years), max(years)) if years else (None, None)


@dataclass(frozen=True, slots=True)
class Span:
    """A partnership's years: from ``start`` (known on ``start_basis``) through ``end`` (None:
    open)."""

    start: int
    start_basis: YearBasis
    end: int | None

    def covers(self, year: int) -> bool:
        return self.start <= year and (self.end is None or year <= self.end)


def partnership_span(
    *,
    status: str,
    start_year: int | None,
    end_year: int | None,
    first_evidence: int | None,
    last_evidence: int | None,
    current: int | None = None,
) -> Span:
    """The years a partnership runs (Python twin of :data:`PARTNERSHIP_START` and
    :data:`PARTNERSHIP_END`).

    >>> partnership_span(status="ended", start_year=None, end_year=None,
    ...                  first_evidence=2012, last_evidence=2016, current=2026)
    Span(start=2012, start_basis=<YearBasis.FIRST_EVIDENCE: 'first_evidence'>, end=2016)
    """
    if start_year is not None:
        start, basis = start_year, YearBasis.STATED
    elif first_evidence is not None:
        start, basis = first_evidence, YearBasis.FIRST_EVIDENCE
    else:
        start, basis = (current_year() if current is None else current), YearBasis.UNKNOWN
    end = end_year
    if end is None and status == "ended":
        end = last_evidence
    return Span(start, basis, end)


# The same two rules in Cypher, over a Partnership node ``p`` with the properties the loaders
# write (docs/graph-model.md) and a ``$currentYear`` parameter.
PARTNERSHIP_START: LiteralString = "coalesce(p.startYear, p.firstEvidenceYear, $currentYear)"
PARTNERSHIP_END: LiteralString = (
    "coalesce(p.endYear, CASE WHEN p.status = 'ended' THEN p.lastEvidenceYear END)"
)
PARTNERSHIP_START_BASIS: LiteralString = (
    "CASE WHEN p.startYear IS NOT NULL THEN 'stated' "
    "WHEN p.firstEvidenceYear IS NOT NULL THEN 'first_evidence' ELSE 'unknown' END"
)

# A partnership's years (``fromYear`` from PARTNERSHIP_START, ``toYear`` from PARTNERSHIP_END)
# cover $year (Python twin: :meth:`Span.covers`).
SPAN_COVERS: LiteralString = "fromYear <= $year AND (toYear IS NULL OR toYear >= $year)"

# Succession over ``path = (listed)-[:SUCCEEDED_BY*0..8]->(c:Council)``: ``c`` exists in $year and
# no council before it on the path does (:func:`stand_ins` and ``exists_in`` are the Python
# twins), between ``yearStart`` and ``yearEnd`` dates.
STANDS_IN_YEAR: LiteralString = """
    c.validFrom <= yearEnd AND (c.validTo IS NULL OR c.validTo > yearStart)
  AND none(n IN nodes(path)[..-1]
           WHERE n.validFrom <= yearEnd AND (n.validTo IS NULL OR n.validTo > yearStart))"""

# A listed member ``m`` (a MEMBER_OF relationship) counts in $year only within its own years.
MEMBER_IN_YEAR: LiteralString = (
    "(m.fromYear IS NULL OR m.fromYear <= $year) AND (m.toYear IS NULL OR m.toYear >= $year)"
)


def member_covers(from_year: int | None, to_year: int | None, year: int) -> bool:
    """Python twin of :data:`MEMBER_IN_YEAR`."""
    return (from_year is None or from_year <= year) and (to_year is None or year <= to_year)


#: How many successions a listed member is followed through (``SUCCEEDED_BY*0..8`` in the
#: Cypher that :func:`stand_ins` twins; a variable-length bound must be written in the
#: statement). The bundled register's longest chain is two.
SUCCESSION_STEPS = 8


def stand_ins(
    code: str, exists: Callable[[str], bool], successors: Callable[[str], Iterable[str]]
) -> set[str]:
    """Succession (Python twin of the ``SUCCEEDED_BY*0..8`` walk in
    ``graph.repository.EFFECTIVE_MEMBERSHIPS``): ``code`` itself if it ``exists`` in the year,
    else the first councils along its successors that do, on each path of at most
    :data:`SUCCESSION_STEPS` successions.

    >>> later = {"A": ["B", "C"], "B": ["D"]}
    >>> sorted(stand_ins("A", lambda c: c in {"C", "D"}, lambda c: later.get(c, [])))
    ['C', 'D']
    """
    found: set[str] = set()
    seen = {code}
    frontier = [code]  # breadth first: a council is seen first by its shortest path
    for steps in range(SUCCESSION_STEPS + 1):
        following: list[str] = []
        for current in frontier:
            if exists(current):
                found.add(current)
            elif steps < SUCCESSION_STEPS:
                following += [s for s in successors(current) if s not in seen]
                seen.update(following)
        frontier = following
    return found


# An effective member ``c`` (after succession) stands for one or more listed members: in Cypher,
# ``roles`` is the list of their roles and ``members`` a partnership's list of effective members.
EFFECTIVE_ROLE: LiteralString = "CASE WHEN 'lead' IN roles THEN 'lead' ELSE 'partner' END"
ENOUGH_MEMBERS: LiteralString = "size(members) >= 2"


def effective_role(roles: Iterable[str | None]) -> str:
    """An effective member's role (Python twin of :data:`EFFECTIVE_ROLE`): ``lead`` when any
    listed member it stands for leads, else ``partner``."""
    return "lead" if "lead" in roles else "partner"


def enough_members(count: int) -> bool:
    """Whether a partnership with ``count`` effective members in a year is active in it, its
    status and years allowing (Python twin of :data:`ENOUGH_MEMBERS`): two or more, since
    councils that merged into one no longer share with each other."""
    return count >= 2


def own_years(listed: Collection[tuple[int | None, int | None]]) -> tuple[int | None, int | None]:
    """An effective member's own years from the ``(from, to)`` years of the listed members it
    stands for (itself, or the councils it succeeded): their earliest joining and latest
    leaving year; open (None) where any of them takes the partnership's years.

    >>> own_years([(2015, None)]), own_years([(2012, 2016), (2014, 2019)]), own_years([])
    ((2015, None), (2012, 2019), (None, None))
    """
    starts = [start for start, _ in listed if start is not None]
    ends = [end for _, end in listed if end is not None]
    every = len(listed)
    return (
        min(starts) if starts and len(starts) == every else None,
        max(ends) if ends and len(ends) == every else None,
    )


def not_confirmed_since(status: str, last_evidence: int | None, year: int) -> int | None:
    """The year of an operational partnership's latest dated source when that is more than
    :data:`STALE_AFTER_YEARS` years before ``year``; None when the evidence is recent enough,
    or when there is no dated source at all (its UNKNOWN start basis says so)."""
    if status != "operational" or last_evidence is None:
        return None
    return last_evidence if year - last_evidence > STALE_AFTER_YEARS else None


def years_phrase(
    span: Span,
    *,
    last_evidence: int | None = None,
    year: int | None = None,
    status: str = "operational",
) -> str:
    """How a partnership's years read to an officer: "since 2012 (stated)", "2014-2019 (first
    evidence)", "undated (placed in 2026 only)", with "; not confirmed since 2016" when the
    evidence is old for ``year``.

    >>> years_phrase(Span(2014, YearBasis.FIRST_EVIDENCE, None), last_evidence=2015, year=2024)
    'since 2014 (first evidence); not confirmed since 2015'
    """
    if span.start_basis is YearBasis.UNKNOWN:
        text = f"undated (no dated source; placed in {span.start} only)"
    else:
        basis = "stated" if span.start_basis is YearBasis.STATED else "first evidence"
        when = f"since {span.start}" if span.end is None else f"{span.start}-{span.end}"
        text = f"{when} ({basis})"
    stale = not_confirmed_since(status, last_evidence, year) if year is not None else None
    return f"{text}; not confirmed since {stale}" if stale is not None else text


@dataclass(frozen=True, slots=True)
class MemberYears:
    """One ``member_years`` entry: a member's own years (either end may be open)."""

    code: str
    from_year: int | None
    to_year: int | None


_MEMBER_YEARS = re.compile(r"\s*([A-Za-z]\d{8})\s*:\s*(\d{4})?\s*-\s*(\d{4})?\s*")


def parse_member_years(text: str) -> list[MemberYears]:
    """Parse a ``member_years`` cell: ``GSS:FROM-TO`` entries separated by ";".

    Raises ValueError naming the entry that is not of that form, or whose years are out of
    order.

    >>> parse_member_years("E07000004:2015-; E09000018:2013-2019")
    [MemberYears(code='E07000004', from_year=2015, to_year=None), \
MemberYears(code='E09000018', from_year=2013, to_year=2019)]
    """
    entries = []
    for item in (part for part in text.split(";") if part.strip()):
        found = _MEMBER_YEARS.fullmatch(item)
        if found is None or (found.group(2) is None and found.group(3) is None):
            raise ValueError(
                f"{item.strip()!r} is not a member's years: expected GSS:FROM-TO, e.g. "
                "E07000004:2015- (joined 2015) or E09000018:2013-2019"
            )
        code = found.group(1).upper()
        start = int(found.group(2)) if found.group(2) else None
        end = int(found.group(3)) if found.group(3) else None
        if start is not None and end is not None and end < start:
            raise ValueError(f"{item.strip()!r}: the years are out of order ({start} > {end})")
        entries.append(MemberYears(code, start, end))
    return entries
