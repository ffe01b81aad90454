"""A tiny, made-up example for tests, docs and notebooks: FICTIONAL councils.

Seven fictional councils (codes in the unused E07900xxx/E10900xxx/E06900xxx
ranges) and five fictional partnerships exercise every feature of the views:
a county with its districts, a unitary in another region, a singleton, an
ended, an in-development and a cross-region partnership, savings with and
without a note, and a source that is not a web link. Outlines are squares
around each council's projected centroid.

>>> data = example_view_data()
>>> sorted(p.id for p in data.partnerships if p.is_active(data.year))
['northton-eastford-ict', 'riverside-westwick-revenues', 'shire-legal']
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from visualisation.model import Council, Partnership, Peer, Ring, Source, ViewData

__all__ = ["EXAMPLE_YEAR", "example_view_data", "square_outline"]

EXAMPLE_YEAR = 2015

COUNTY = "E10900001"
NORTHTON = "E07900001"
SOUTHBY = "E07900002"
WESTWICK = "E07900003"
EASTFORD = "E07900004"
LONELY_VALE = "E07900005"
RIVERSIDE = "E06900001"


def square_outline(easting: float, northing: float, half: float = 7_000.0) -> Ring:
    """A closed square ring of side ``2 * half`` metres around a BNG point."""
    return (
        (easting - half, northing - half),
        (easting + half, northing - half),
        (easting + half, northing + half),
        (easting - half, northing + half),
        (easting - half, northing - half),
    )


def example_view_data(
    project: Callable[[float, float], tuple[float, float]] | None = None,
) -> ViewData:
    """The fictional example for :data:`EXAMPLE_YEAR`.

    Parameters
    ----------
    project : ``(lon, lat) -> (easting, northing)`` used for the outlines;
        defaults to ``graph.geo.to_bng``.
    """
    if project is None:
        from graph.geo import to_bng

        project = to_bng
    councils = (
        Council(COUNTY, "Shire County", "county", "upper", "South East", 51.20, -1.20, 1_300_000),
        Council(NORTHTON, "Northton", "district", "lower", "South East", 51.32, -1.15, 120_000),
        Council(SOUTHBY, "Southby", "district", "lower", "South East", 51.08, -1.15, 95_000),
        Council(WESTWICK, "Westwick", "district", "lower", "South East", 51.20, -1.42, 88_000),
        Council(EASTFORD, "Eastford", "district", "lower", "South East", 51.20, -0.93, 101_000),
        Council(LONELY_VALE, "Lonely Vale", "district", "lower", "South East", 51.42, -1.40, None),
        Council(RIVERSIDE, "Riverside", "unitary", "upper", "South West", 51.12, -1.75, 180_000),
    )
    partnerships = (
        Partnership(
            id="shire-legal",
            name="Shire Legal Partnership",
            status="operational",
            services=("legal",),
            members=(COUNTY, NORTHTON, SOUTHBY),
            start_year=2010,
            annual_savings_gbp=250_000,
            savings_note="Target, for the county only",
            sources=(
                Source("https://example.org/shire-legal", "2011-04-01"),
                Source("javascript:alert(1)", "c.2012"),
            ),
            lead=COUNTY,
            notes="Hosted by the county.",
        ),
        Partnership(
            id="northton-eastford-ict",
            name="Northton and Eastford ICT",
            status="operational",
            services=("ict", "hr_payroll"),
            members=(NORTHTON, EASTFORD),
            start_year=2012,
            annual_savings_gbp=400_000,
            sources=(Source("https://example.org/ne-ict", "2012"),),
        ),
        Partnership(
            id="westwick-riverside-waste",
            name="Westwick and Riverside waste",
            status="ended",
            services=("waste_environment",),
            members=(WESTWICK, RIVERSIDE),
            start_year=2008,
            end_year=2011,
            sources=(Source("https://example.org/wr-waste"),),
        ),
        Partnership(
            id="southby-eastford-planning",
            name="Southby and Eastford planning",
            status="in_development",
            services=("planning",),
            members=(SOUTHBY, EASTFORD),
        ),
        Partnership(
            id="riverside-westwick-revenues",
            name="Riverside and Westwick revenues",
            status="operational",
            services=("revenues_benefits",),
            members=(RIVERSIDE, WESTWICK),
            start_year=2014,
            savings_note="Savings expected; no figure",
            sources=(Source("http://example.org/rw-revenues", "2014-02"),),
        ),
    )
    borders = (
        (NORTHTON, WESTWICK),
        (NORTHTON, EASTFORD),
        (NORTHTON, LONELY_VALE),
        (SOUTHBY, WESTWICK),
        (SOUTHBY, EASTFORD),
        (WESTWICK, RIVERSIDE),
        (COUNTY, RIVERSIDE),
    )
    peers = (
        Peer(
            NORTHTON,
            SOUTHBY,
            0.81,
            "both districts in the South East, 98k people (you: 112k), 27 km apart",
        ),
        Peer(NORTHTON, LONELY_VALE, 0.62, "neighbouring district"),
    )
    outlines = {
        c.code: (square_outline(*project(c.lon, c.lat)),)
        for c in councils
        if c.kind != "county" and c.lat is not None and c.lon is not None
    }
    return ViewData(
        year=EXAMPLE_YEAR,
        councils=councils,
        partnerships=partnerships,
        borders=borders,
        peers=peers,
        outlines=MappingProxyType(outlines),
        years=(2005, 2025),
    )
