"""loaders.councils: cleaning, territories and the BORDERS rule, on small cases and real data."""

from __future__ import annotations

import math
from collections import Counter
from functools import cache

import pytest

from graph import geo
from loaders.councils import CouncilData, borders, build_council_data, territories
from tests.support.geometry import polygon_area_centroid
from tests.support.projection import epsg_operation


@cache
def _data() -> CouncilData:
    return build_council_data()


def _code(name: str) -> str:
    (code,) = [c.code for c in _data().councils if c.name == name]
    return code


def _borders(a: str, b: str) -> bool:
    return tuple(sorted((_code(a), _code(b)))) in set(_data().borders)


# --- The rule on a small canonical map ------------------------------------------------------
#   d1 | d2 | d3      county K = {d1, d2}; u = d3 (unitary); n replaced d2 and d3 after 2013.
def test_territories_follow_the_rule() -> None:
    result = territories(
        lad13_of={"d1": "d1", "d2": "d2", "d3": "d3", "K": None, "n": None},
        kinds={"d1": "district", "d2": "district", "d3": "unitary", "K": "county", "n": "unitary"},
        districts_of_county={"K": ["d1", "d2"]},
        predecessors={"n": ["d2", "d3", "K"]},
    )
    assert result["K"] == {"d1", "d2"}
    assert result["n"] == {"d2", "d3"}  # never the county's whole territory
    assert result["d1"] == {"d1"}


def test_borders_need_disjoint_touching_territories() -> None:
    territory_of = {
        "d1": frozenset({"d1"}),
        "d2": frozenset({"d2"}),
        "d3": frozenset({"d3"}),
        "K": frozenset({"d1", "d2"}),
    }
    pairs = borders(territory_of, [("d1", "d2"), ("d2", "d3")])
    assert pairs == {("d1", "d2"), ("d2", "d3"), ("K", "d3")}
    assert ("K", "d1") not in pairs
    assert ("K", "d2") not in pairs


# --- Real data ------------------------------------------------------------------------------
def test_every_principal_council_since_2009_is_in_scope() -> None:
    councils = _data().councils
    assert len(councils) == 365
    assert len({c.code for c in councils}) == len(councils)
    assert all(c.valid_from is not None for c in councils)
    kinds = Counter(c.kind for c in councils if c.exists_in(2012))
    assert kinds == {
        "county": 27,
        "district": 201,
        "unitary": 56,
        "metropolitan_district": 36,
        "london_borough": 32,
        "city_of_london": 1,
    }


def test_forest_heath_is_within_suffolk() -> None:
    assert (_code("Forest Heath"), _code("Suffolk")) in _data().within
    assert not any(d == _code("Forest Heath") and c == _code("Surrey") for d, c in _data().within)


def test_lancashire_centroid_is_within_20_km_of_its_districts_centroid() -> None:
    data = _data()
    lancashire = data.by_code[_code("Lancashire")]
    districts = [d for d, county in data.within if county == lancashire.code]
    points = [geo.to_bng(data.by_code[d].longitude, data.by_code[d].latitude) for d in districts]
    mean = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    assert math.dist(geo.to_bng(lancashire.longitude, lancashire.latitude), mean) < 20_000


def test_every_county_centroid_is_derived_from_its_districts() -> None:
    counties = [c for c in _data().councils if c.kind == "county"]
    assert counties
    assert all(c.centroid_source == "territory" for c in counties)


def test_regions_are_filled_for_councils_abolished_2019_to_2023() -> None:
    councils = {c.name: c for c in _data().councils}
    assert all(c.region for c in councils.values())
    assert councils["Forest Heath"].region == "East of England"
    assert councils["Christchurch"].region == "South West"
    assert councils["Buckinghamshire County"].region == "South East"


def test_missing_lat_long_comes_from_the_2013_boundaries_and_population_is_never_zero() -> None:
    councils = {c.name: c for c in _data().councils}
    kettering = councils["Kettering"]
    assert kettering.centroid_source == "territory"
    assert (kettering.longitude, kettering.latitude) == pytest.approx((-0.72, 52.42), abs=0.1)
    assert kettering.population is None
    assert all(c.population is None or c.population > 0 for c in councils.values())


def test_recoded_districts_keep_their_former_codes_and_2013_territory() -> None:
    east_herts = _data().by_code["E07000242"]
    assert east_herts.former_codes == ("E07000097",)
    # The bundled boundary and adjacency files already use the new codes.
    assert east_herts.territory == ("E07000242",)
    assert _borders("East Hertfordshire", "Broxbourne")


def test_councils_created_after_2013_cover_what_they_replaced() -> None:
    councils = {c.name: c for c in _data().councils}
    dorset = councils["Dorset Council"]
    assert len(dorset.territory) == 5  # five districts; Christchurch went to BCP
    assert _code("Christchurch") not in dorset.territory
    somerset = _data().by_code["E06000066"]
    assert set(somerset.territory) == {
        _code(n)
        for n in ("Mendip", "Sedgemoor", "South Somerset", "Taunton Deane", "West Somerset")
    }


def test_borders_examples_from_the_data_readme() -> None:
    assert _borders("Hart", "Basingstoke and Deane")
    assert _borders("Kent", "East Sussex")
    assert _borders("Kent", "Surrey")
    assert _borders("Maidstone", "Tonbridge and Malling")
    assert not _borders("Maidstone", "Kent")
    assert not _borders("Dorset Council", "Dorset County")


def test_borders_are_stored_once_per_pair_in_code_order() -> None:
    pairs = _data().borders
    assert all(a < b for a, b in pairs)
    assert len(set(pairs)) == len(pairs)


def test_succession_follows_replaced_by() -> None:
    succeeded = set(_data().succeeded_by)
    assert (_code("Forest Heath"), _code("West Suffolk")) in succeeded
    assert (_code("Taunton Deane"), _code("Somerset West and Taunton")) in succeeded
    assert (_code("Somerset West and Taunton"), "E06000066") in succeeded


def test_placed_councils_sit_where_the_formula_before_issue_14_put_them() -> None:
    """Counties and councils without lat/long: their territory's centroid as computed before
    issue 14 (plain-Python shoelace over every ring, EPSG's 27700 -> 4326 operation in a
    transformer of its own), rounded as stored: the same to the last stored digit."""
    polygons = geo.lad2013_polygons_bng()
    back = epsg_operation("EPSG:27700", "EPSG:4326")
    placed = [c for c in _data().councils if c.centroid_source == "territory"]
    assert len(placed) > 40
    for council in placed:
        _, (x, y) = polygon_area_centroid(p for code in council.territory for p in polygons[code])
        lon, lat = back.transform(x, y)
        assert (council.longitude, council.latitude) == (round(lon, 6), round(lat, 6)), council
