"""Turn the repository's models into the analysis's input rows.

The analysis does not import ``graph.repository`` (which needs the Neo4j
driver): these functions accept anything with the right attributes, described
by the protocols below, so ``repository.Membership``, ``repository.Partnership``
``repository.Council`` and ``repository.CouncilLinks`` fit as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from graph.analysis.projection import AnalysisInputError, CouncilAttrs, Membership

__all__ = [
    "CouncilFacts",
    "EffectiveMember",
    "LinkFacts",
    "PartnershipFacts",
    "border_pairs",
    "council_attrs",
    "memberships_from_rows",
]


class EffectiveMember(Protocol):
    """An effective member of an active partnership in the year."""

    @property
    def partnership_id(self) -> str: ...

    @property
    def code(self) -> str: ...


class PartnershipFacts(Protocol):
    """What the analysis needs of a partnership."""

    @property
    def services(self) -> tuple[str, ...]: ...

    @property
    def start_year(self) -> int | None: ...


class CouncilFacts(Protocol):
    """What the analysis needs of a council."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def tier(self) -> str: ...

    @property
    def region(self) -> str | None: ...

    @property
    def population(self) -> int | None: ...

    @property
    def area_ha(self) -> float | None: ...

    @property
    def latitude(self) -> float | None: ...

    @property
    def longitude(self) -> float | None: ...

    def exists_in(self, year: int) -> bool: ...


class LinkFacts(Protocol):
    """A council's neighbours."""

    @property
    def borders(self) -> tuple[str, ...]: ...


def memberships_from_rows(
    members: Iterable[EffectiveMember], partnerships: Mapping[str, PartnershipFacts]
) -> tuple[Membership, ...]:
    """Return analysis rows from effective members and their partnerships.

    Parameters
    ----------
    members : iterable
        Effective members (``partnership_id``, ``code``) of the partnerships
        active in the year, e.g. ``repository.effective_memberships(db, year)``.
    partnerships : mapping of str to partnership
        Partnership by id, giving ``services`` and ``start_year``.

    Returns
    -------
    tuple of Membership

    Raises
    ------
    AnalysisInputError
        If a member's partnership is missing from `partnerships`.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> rows = memberships_from_rows(
    ...     [NS(partnership_id="p1", code="A")], {"p1": NS(services=("legal",), start_year=2011)}
    ... )
    >>> rows[0].partnership_id, rows[0].council_code, rows[0].services, rows[0].start_year
    ('p1', 'A', ('legal',), 2011)
    """
    rows = []
    for m in members:
        try:
            p = partnerships[m.partnership_id]
        except KeyError:
            raise AnalysisInputError(
                f"council {m.code!r} is a member of partnership {m.partnership_id!r}, which "
                "was not supplied; pass every partnership named by the memberships"
            ) from None
        rows.append(Membership(m.partnership_id, m.code, tuple(p.services), p.start_year))
    return tuple(rows)


def council_attrs(councils: Iterable[CouncilFacts], *, year: int) -> dict[str, CouncilAttrs]:
    """Return the attributes of every council that exists in `year`, by code.

    Parameters
    ----------
    councils : iterable
        Councils, e.g. ``repository.all_councils(db)``; those that do not exist
        in `year` are left out.
    year : int
        The year analysed.

    Returns
    -------
    dict of str to CouncilAttrs

    Raises
    ------
    AnalysisInputError
        If an existing council has no centroid (the loaders give every council
        one, so this means the graph was loaded by something else).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> c = NS(code="A", name="Ash", kind="district", tier="lower", region="SE",
    ...        population=None, area_ha=None, latitude=51.0, longitude=0.1,
    ...        exists_in=lambda year: year >= 2009)
    >>> council_attrs([c], year=2012)["A"].lon, council_attrs([c], year=2001)
    (0.1, {})
    """
    result: dict[str, CouncilAttrs] = {}
    for c in councils:
        if not c.exists_in(year):
            continue
        if c.latitude is None or c.longitude is None:
            raise AnalysisInputError(
                f"council {c.code!r} ({c.name}) has no centroid; reload the council data "
                "so that every council has one"
            )
        result[c.code] = CouncilAttrs(
            code=c.code,
            name=c.name,
            kind=c.kind,
            tier=c.tier,
            region=c.region,
            population=c.population,
            area_ha=c.area_ha,
            lat=c.latitude,
            lon=c.longitude,
        )
    return result


def border_pairs(links: Mapping[str, LinkFacts]) -> tuple[tuple[str, str], ...]:
    """Return each bordering pair once, as ``(a, b)`` with ``a < b``, sorted.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> border_pairs({"B": NS(borders=("A", "C")), "A": NS(borders=("B",))})
    (('A', 'B'), ('B', 'C'))
    """
    pairs = {
        (min(code, other), max(code, other))
        for code, link in links.items()
        for other in link.borders
    }
    return tuple(sorted(pairs))
