"""The domain's typed models: what the repository returns and the API, views and analysis use.

Frozen dataclasses, built from the graph by ``graph.repository``; the rules they apply
(a partnership's years, a member's years, existence) come from ``graph.rules``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from graph import rules
from graph.errors import UnknownCeremonialCounty, UnknownCouncil
from graph.names import GSS_CODE, normalise
from graph.rules import exists_in

#: GOV.UK's local council pages (a link, never fetched: the app works offline).
GOV_UK_COUNCIL_PAGE = "https://www.gov.uk/find-local-council/"

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
    "council_label",
    "coverage_note",
    "find_ceremonial_county",
    "find_council",
    "freshness",
    "nearest_lga_edition",
    "pick_council",
]


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
    gov_uk_slug: str | None = None
    territory: tuple[str, ...] = ()  # the 2013 districts it covers (docs/loading.md)
    # Its ceremonial counties (Lieutenancies Act 1997): the one it lies in, or mostly in, first.
    ceremonial_counties: tuple[str, ...] = ()

    @property
    def gov_uk_url(self) -> str | None:
        """Its public front door, GOV.UK's page for the council (from the register's slug):
        for a council that exists today; None for an abolished one or one without a slug."""
        if self.gov_uk_slug is None or self.valid_to is not None:
            return None
        return GOV_UK_COUNCIL_PAGE + self.gov_uk_slug

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
            gov_uk_slug=row.get("govUkSlug"),
            territory=tuple(row.get("territory") or ()),
            ceremonial_counties=tuple(row.get("ceremonialCounties") or ()),
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

    def span(self, current: int | None = None) -> rules.Span:
        """The years it runs, with the basis of its start year (``graph.rules``); ``current``
        is the current year an undated partnership is placed in (default: this one)."""
        return rules.partnership_span(
            status=self.status,
            start_year=self.start_year,
            end_year=self.end_year,
            first_evidence=self.first_evidence_year,
            last_evidence=self.last_evidence_year,
            current=current,
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


def council_label(council: Council) -> str:
    """How a council is named in suggestions: "Basingstoke and Deane (E07000084, 1974-)"."""
    until = "" if council.valid_to is None else str(council.valid_to.year)
    return f"{council.name} ({council.code}, {council.valid_from.year}-{until})"


def find_council(councils: Sequence[Council], text: str, year: int | None = None) -> Council:
    """The council ``text`` means: a GSS code (current or former), else any form of its name
    (``graph.names.normalise``; the one existing in ``year`` when names repeat across eras).

    Raises :class:`~graph.errors.UnknownCouncil` with the closest councils when none matches,
    so the API, the views and the CLI suggest the same.
    """
    asked = text.strip()
    code = asked.upper()
    if GSS_CODE.fullmatch(code):
        for council in councils:
            if council.code == code or code in council.former_codes:
                return council
        raise UnknownCouncil(text, [council_label(c) for c in _closest_codes(councils, code)])
    key = normalise(asked)
    by_key: dict[str, list[Council]] = {}
    for council in councils:
        for alias in {normalise(a) for a in (council.name, *council.aliases)}:
            by_key.setdefault(alias, []).append(council)
    found = pick_council(by_key.get(key, []), year)
    if found is not None:
        return found
    # Names that start with what was typed first ("basingstok" -> Basingstoke and Deane), then
    # the most similar spellings.
    starting = sorted((k for k in by_key if key and k.startswith(key)), key=len)
    similar = difflib.get_close_matches(key, list(by_key), n=8, cutoff=0.6)
    suggestions = list(dict.fromkeys(c for k in (*starting, *similar) for c in by_key[k]))
    raise UnknownCouncil(text, [council_label(c) for c in suggestions[:3]])


def find_ceremonial_county(councils: Sequence[Council], text: str, year: int | None = None) -> str:
    """The ceremonial county ``text`` means: a county's own name ('Kent', 'Greater London'; as
    :func:`graph.names.normalise` compares names), else the ceremonial county of the council
    it names (:func:`find_council`: 'Medway' -> 'Kent').

    Raises :class:`~graph.errors.UnknownCeremonialCounty` with the closest counties and
    councils when neither matches.
    """
    counties = {normalise(n): n for c in councils for n in c.ceremonial_counties}
    key = normalise(text)
    if key in counties:
        return counties[key]
    try:
        council = find_council(councils, text, year)
    except UnknownCouncil as unknown:
        close = difflib.get_close_matches(key, list(counties), n=3, cutoff=0.6)
        raise UnknownCeremonialCounty(
            text, [*(counties[k] for k in close), *unknown.closest][:4]
        ) from None
    if not council.ceremonial_counties:
        raise UnknownCeremonialCounty(text)
    return council.ceremonial_counties[0]


def _closest_codes(councils: Sequence[Council], code: str) -> list[Council]:
    codes = {c.code: c for c in councils}
    return [codes[k] for k in difflib.get_close_matches(code, list(codes), n=3, cutoff=0.8)]
