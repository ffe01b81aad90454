"""What the views draw: councils, partnerships, borders and peers of one year.

These frozen dataclasses are the views' only input, so rendering is a pure
function of them and can be tested without Neo4j. ``visualisation.data`` fills
them from the graph; tests and notebooks can build them by hand.

The meaning of the fields follows ``docs/graph-model.md`` and the data README:
``Partnership.members`` are the *effective* members in ``ViewData.year`` (after
succession), and a partnership is active in that year by :meth:`Partnership.is_active`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from graph import rules, taxonomy

__all__ = [
    "ACTIVE_STATUSES",
    "ATTRIBUTION",
    "KINDS",
    "REGIONS",
    "SAVINGS_CAVEAT",
    "SERVICES",
    "SERVICE_CODES",
    "STATUSES",
    "Council",
    "Partnership",
    "Peer",
    "Ring",
    "ServiceLayer",
    "Source",
    "ViewData",
]

ATTRIBUTION = (
    "Contains Ordnance Survey data © Crown copyright and database right 2014-2024. "
    "Contains ONS data licensed under the Open Government Licence v3.0. "
    "Council names and codes from mySociety (CC-BY-4.0). "
    "Boundaries by Martin Chorley (CC-BY-4.0)."
)
"""The attribution every view shows (from the data README)."""

SAVINGS_CAVEAT = (
    "Savings are as reported by councils: often targets, sometimes for one partner only. "
    "Read each figure with its note; they are not comparable and are never summed here."
)


@dataclass(frozen=True, slots=True)
class ServiceLayer:
    """A service layer as the views draw it: the taxonomy's layer with a colour."""

    code: str
    label: str
    office: str
    colour: str


# A qualitative palette, ordered so that neighbours in the taxonomy's list (often chosen
# together) differ strongly; a layer beyond the palette reuses it from the start.
PALETTE: tuple[str, ...] = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#006d2c", "#6a3d9a", "#b15928", "#e31a1c", "#08519c",
)  # fmt: skip

SERVICES: tuple[ServiceLayer, ...] = tuple(
    ServiceLayer(layer.code, layer.label, layer.office, PALETTE[index % len(PALETTE)])
    for index, layer in enumerate(taxonomy.layers())
)
SERVICE_CODES: tuple[str, ...] = tuple(s.code for s in SERVICES)

STATUSES: tuple[str, ...] = rules.STATUSES
ACTIVE_STATUSES = frozenset(rules.ACTIVE_STATUSES)

KINDS: Mapping[str, str] = MappingProxyType(
    {
        "county": "County",
        "district": "District",
        "unitary": "Unitary",
        "metropolitan_district": "Metropolitan district",
        "london_borough": "London borough",
        "city_of_london": "City of London",
    }
)
"""Council kinds (``Council.kind``) and how the views name them."""

REGIONS: tuple[str, ...] = (
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)

Ring = tuple[tuple[float, float], ...]
"""A closed outline ring in British National Grid metres (x east, y north)."""


@dataclass(frozen=True, slots=True)
class Council:
    """A council that exists in the view's year.

    ``lat``/``lon`` are WGS-84 degrees of its centroid (a county's from its
    districts); ``population`` is None when unknown, never 0.
    """

    code: str
    name: str
    kind: str
    tier: str
    region: str | None = None
    lat: float | None = None
    lon: float | None = None
    population: int | None = None
    gov_uk_url: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """Where a partnership's facts come from; ``date`` is text as given (e.g. ``c.2018``)."""

    url: str
    date: str | None = None


@dataclass(frozen=True, slots=True)
class Partnership:
    """A shared-service partnership as it stands in the view's year.

    ``members`` are the GSS codes of its effective members in that year (after
    member years and succession), in any order; ``start_year``/``end_year`` are
    its years by the rules of ``graph.rules`` (an undated one runs in the current
    year only) and ``years`` says them in words with their basis ("since 2014
    (first evidence); not confirmed since 2015"); ``annual_savings_gbp`` is as
    reported and must be shown with ``savings_note``.
    """

    id: str
    name: str
    status: str
    services: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    start_year: int | None = None
    end_year: int | None = None
    annual_savings_gbp: int | None = None
    savings_note: str | None = None
    sources: tuple[Source, ...] = ()
    lead: str | None = None
    notes: str | None = None
    start_basis: str | None = None
    years: str = ""
    not_confirmed_since: int | None = None

    def is_active(self, year: int) -> bool:
        """Whether the partnership is active in ``year`` (data README rules, from
        ``graph.rules``): operational or ended, its years covering ``year`` (a blank
        ``start_year`` is undated: the current year), and two or more distinct
        effective members (``members`` are already those of ``year``, after member
        years and succession).
        """
        span = rules.partnership_span(
            status=self.status,
            start_year=self.start_year,
            end_year=self.end_year,
            first_evidence=None,
            last_evidence=None,
        )
        return (
            self.status in ACTIVE_STATUSES
            and span.covers(year)
            and rules.enough_members(len(set(self.members)))
        )


@dataclass(frozen=True, slots=True)
class Peer:
    """A council similar to another one, for the council view's "who to call" panel:
    ``partnerships`` are the ids of the peer's partnerships the reason rests on."""

    code: str
    peer: str
    score: float
    reason: str = ""
    partnerships: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ViewData:
    """Everything the views may draw for one year.

    Attributes
    ----------
    year : the year the councils, members and activity describe.
    councils : the councils that exist in ``year``.
    partnerships : every partnership with its effective members in ``year``
        (the views choose which to show by status, service and region).
    borders : pairs of council codes that border (each pair once, any order).
    peers : ranked similar councils, used by the council view (may be empty).
    outlines : council code -> outline rings in BNG metres, for the map; a
        council without an entry (e.g. a county, drawn by its districts) has no
        shape of its own.
    years : the (first, last) year the data covers, for the year filter.
    notice : a warning every page shows above the view (e.g. that the data is synthetic).
    reference : the LGA's own published count nearest the year, in words, shown
        beside this data's count (None when not loaded).
    year_network : every partnership active in ``year`` with its effective members, by id,
        whatever the views' filters kept in ``partnerships``: the network views place their
        nodes by it, so a filter never moves a node. None (hand-built data): the active
        ones among ``partnerships``.
    by_code : the councils by code (derived).
    """

    year: int
    councils: tuple[Council, ...]
    partnerships: tuple[Partnership, ...]
    borders: tuple[tuple[str, str], ...] = ()
    peers: tuple[Peer, ...] = ()
    outlines: Mapping[str, tuple[Ring, ...]] = field(default_factory=lambda: MappingProxyType({}))
    years: tuple[int, int] = (2009, 2030)
    notice: str | None = None
    reference: str | None = None
    year_network: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    by_code: Mapping[str, Council] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # An index built once with the data (the data is immutable, so it never goes stale).
        index = MappingProxyType({c.code: c for c in self.councils})
        object.__setattr__(self, "by_code", index)
