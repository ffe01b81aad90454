"""Councils from the bundled sources, cleaned (stage 2), with territories and borders.

Fixes applied here, each one documented in data/README.md as a defect of the sources:

* county centroids are the area-weighted centroid of the county's 2013 districts (the
  source's county lat/long are wrong, Lancashire by ~190 km);
* Forest Heath (E07000201) is in Suffolk, not Surrey;
* councils without a region take it from ``la_all_codes.csv`` (counties: from their districts);
* councils without lat/long take the centroid of their 2013 territory from the TopoJSON;
* a population of 0 or blank is unknown (``None``), never 0;
* former GSS codes (recoded districts) resolve to the current record.

Each council's ceremonial county comes from this project's own file (``loaders/ceremonial.py``);
a district takes its county council's.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from graph import geo
from graph.names import council_aliases, normalise
from loaders.ceremonial import read_ceremonial_counties
from loaders.matching import CouncilRef, exists_in
from loaders.sources import BundledSources, read_csv_rows

__all__ = [
    "KINDS",
    "SCOPE_FROM",
    "CouncilData",
    "CouncilRecord",
    "borders",
    "build_council_data",
    "territories",
]

#: Source type -> graph ``kind``; only these English principal council types are in scope.
KINDS: Mapping[str, str] = {
    "CTY": "county",
    "NMD": "district",
    "UA": "unitary",
    "MD": "metropolitan_district",
    "LBO": "london_borough",
    "CC": "city_of_london",
}
#: Councils that existed at any time from this date are loaded.
SCOPE_FROM = date(2009, 1, 1)
TERRITORY_YEAR = 2013

# The source leaves start-date blank for councils older than its register. They all predate
# 2009, so the reorganisation that created their type is used as a floor (documented in
# docs/loading.md): London boroughs 1965, everything else 1974.
_FLOOR_START = {"london_borough": date(1965, 4, 1)}
_DEFAULT_FLOOR = date(1974, 4, 1)

# Known errors in the source's county-la column (data/README.md "Known defects").
_COUNTY_FIXES = {"E07000201": "SFK"}  # Forest Heath is in Suffolk, not Surrey
# alt-names is comma-separated, but names themselves contain ", " ("Bristol, City of").
_ALT_NAME_SPLIT = re.compile(r",(?! )")


@dataclass(frozen=True, slots=True)
class CouncilRecord:
    """One council, cleaned, ready to be written as a ``Council`` node."""

    code: str
    name: str
    official_name: str
    aliases: tuple[str, ...]
    alias_keys: tuple[str, ...]
    kind: str
    region: str | None
    population: int | None
    area_ha: float | None
    longitude: float
    latitude: float
    valid_from: date
    valid_to: date | None
    former_codes: tuple[str, ...]
    registry_code: str
    county_code: str | None
    replaced_by: tuple[str, ...]
    territory: tuple[str, ...]
    centroid_source: str
    gov_uk_slug: str | None = None
    #: Its ceremonial counties: the one it lies in (or mostly in) first.
    ceremonial_counties: tuple[str, ...] = ()

    @property
    def tier(self) -> str:
        """``lower`` for districts, ``upper`` for every other kind."""
        return "lower" if self.kind == "district" else "upper"

    def exists_in(self, year: int) -> bool:
        """The data README's rule: started by 31 Dec ``year`` and not ended by 1 Jan ``year``."""
        return exists_in(self.valid_from, self.valid_to, year)

    def ref(self) -> CouncilRef:
        """The view of this council that matching needs."""
        return CouncilRef(
            code=self.code,
            name=self.name,
            alias_keys=self.alias_keys,
            former_codes=self.former_codes,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            replaced_by=self.replaced_by,
            aliases=self.aliases,
        )

    def node_properties(self) -> dict[str, object]:
        """Properties of the ``Council`` node (docs/graph-model.md), as Neo4j parameters."""
        return {
            "code": self.code,
            "name": self.name,
            "officialName": self.official_name,
            "aliases": list(self.aliases),
            "aliasKeys": list(self.alias_keys),
            "kind": self.kind,
            "tier": self.tier,
            "region": self.region,
            "population": self.population,
            "areaHa": self.area_ha,
            "longitude": self.longitude,
            "latitude": self.latitude,
            "validFrom": self.valid_from,
            "validTo": self.valid_to,
            "formerCodes": list(self.former_codes),
            "registryCode": self.registry_code,
            "territory": list(self.territory),
            "centroidSource": self.centroid_source,
            "govUkSlug": self.gov_uk_slug,
            "ceremonialCounty": self.ceremonial_counties[0] if self.ceremonial_counties else None,
            "ceremonialCounties": list(self.ceremonial_counties),
        }


@dataclass(frozen=True, slots=True)
class CouncilData:
    """Everything the council stage produces: nodes and the three council relationships."""

    councils: tuple[CouncilRecord, ...]
    within: tuple[tuple[str, str], ...]  # (district code, county code)
    succeeded_by: tuple[tuple[str, str], ...]  # (old code, new code)
    borders: tuple[tuple[str, str], ...]  # (a, b) with a < b
    by_code: Mapping[str, CouncilRecord] = field(repr=False)


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text.strip() else None


def _int_or_none(text: str) -> int | None:
    """Population: blank and 0 both mean unknown."""
    if not text.strip():
        return None
    value = int(float(text))
    return value if value > 0 else None


def _float_or_none(text: str) -> float | None:
    return float(text) if text.strip() else None


def territories(
    *,
    lad13_of: Mapping[str, str | None],
    kinds: Mapping[str, str],
    districts_of_county: Mapping[str, Iterable[str]],
    predecessors: Mapping[str, Iterable[str]],
) -> dict[str, frozenset[str]]:
    """Each council's territory: the set of 2013 districts/unitaries it covers (data/README.md).

    Parameters
    ----------
    lad13_of : council code -> its own 2013 district code (itself, or a former code), or None.
    kinds : council code -> kind.
    districts_of_county : county code -> codes of the districts within it in 2013.
    predecessors : council code -> codes of the councils that ``replaced-by`` it.

    A council that was a 2013 district/unitary is itself; a county is its 2013 districts; a
    council created after 2013 is the union of the territories of the districts and unitaries
    it replaced (never a county's, which would bring in land that went elsewhere).
    """
    result: dict[str, frozenset[str]] = {}

    def territory(code: str, seen: frozenset[str]) -> frozenset[str]:
        if code in result:
            return result[code]
        own = lad13_of.get(code)
        if own is not None:
            found = frozenset({own})
        elif kinds.get(code) == "county":
            found = frozenset(
                d
                for district in districts_of_county.get(code, ())
                for d in territory(district, seen)
            )
        else:
            found = frozenset(
                d
                for old in predecessors.get(code, ())
                if kinds.get(old) != "county" and old not in seen
                for d in territory(old, seen | {code})
            )
        result[code] = found
        return found

    for code in kinds:
        territory(code, frozenset())
    return result


def borders(
    territory_of: Mapping[str, frozenset[str]], adjacency: Iterable[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Pairs ``(a, b)``, ``a < b``, of councils whose territories are disjoint and touch.

    Parameters
    ----------
    territory_of : council code -> set of 2013 district codes.
    adjacency : pairs of 2013 districts that border (either order).
    """
    neighbours: dict[str, set[str]] = defaultdict(set)
    for a, b in adjacency:
        neighbours[a].add(b)
        neighbours[b].add(a)
    councils_covering: dict[str, set[str]] = defaultdict(set)
    for council, districts in territory_of.items():
        for district in districts:
            councils_covering[district].add(council)
    pairs: set[tuple[str, str]] = set()
    for council, districts in territory_of.items():
        touching = {n for d in districts for n in neighbours[d]} - districts
        for other in {c for n in touching for c in councils_covering[n]}:
            if other > council and not districts & territory_of[other]:
                pairs.add((council, other))
    return pairs


def _aliases_by_registry(sources: BundledSources) -> dict[str, list[str]]:
    names: dict[str, list[str]] = defaultdict(list)
    for row in read_csv_rows(sources.name_lookup):
        names[row["local-authority-code"]].append(row["la-name"])
    return names


@dataclass(frozen=True)
class _Links:
    """How the councils in scope relate: kinds, former codes, counties, years, successors,
    territories (2013 districts) and regions by 2013 district."""

    kinds: dict[str, str]
    former: dict[str, tuple[str, ...]]
    county_of: dict[str, str | None]
    valid: dict[str, tuple[date | None, date | None]]
    replaced_by: dict[str, tuple[str, ...]]
    territory_of: dict[str, frozenset[str]]
    regions_by_lad: dict[str, str]


def _links(in_scope: Sequence[dict[str, str]], sources: BundledSources) -> _Links:
    gss_of_registry = {row["local-authority-code"]: row["gss-code"] for row in in_scope}
    kinds = {row["gss-code"]: KINDS[row["local-authority-type"]] for row in in_scope}
    districts = geo.lad2013_codes(sources.topojson_2013)
    former: dict[str, tuple[str, ...]] = {
        row["gss-code"]: tuple(c.strip() for c in row["former-gss-codes"].split(",") if c.strip())
        for row in in_scope
    }
    lad13_of: dict[str, str | None] = {}
    for code in kinds:
        own = [c for c in (code, *former[code]) if c in districts]
        lad13_of[code] = own[0] if own else None

    county_of: dict[str, str | None] = {}
    for row in in_scope:
        registry = _COUNTY_FIXES.get(row["gss-code"], row["county-la"])
        county_of[row["gss-code"]] = gss_of_registry.get(registry) if registry else None
    valid = {
        row["gss-code"]: (_date(row["start-date"]), _date(row["end-date"])) for row in in_scope
    }
    districts_of_county: dict[str, list[str]] = defaultdict(list)
    for code, county in county_of.items():
        start, end = valid[code]
        if county and exists_in(start or date.min, end, TERRITORY_YEAR):
            districts_of_county[county].append(code)
    replaced_by = {
        row["gss-code"]: tuple(
            gss_of_registry[r.strip()] for r in row["replaced-by"].split(",") if r.strip()
        )
        for row in in_scope
    }
    predecessors: dict[str, list[str]] = defaultdict(list)
    for old, news in replaced_by.items():
        for new in news:
            predecessors[new].append(old)
    territory_of = territories(
        lad13_of=lad13_of,
        kinds=kinds,
        districts_of_county=districts_of_county,
        predecessors=predecessors,
    )
    regions_by_lad = {r["LADCD"]: r["RGNNM"] for r in read_csv_rows(sources.la_all_codes)}
    return _Links(kinds, former, county_of, valid, replaced_by, territory_of, regions_by_lad)


def _region(row: dict[str, str], links: _Links, in_scope: Sequence[dict[str, str]]) -> str | None:
    """The row's region, else its own or a former code's, else (a county) its districts' one."""
    code = row["gss-code"]
    region = row["region"].strip() or next(
        (links.regions_by_lad[c] for c in (code, *links.former[code]) if c in links.regions_by_lad),
        None,
    )
    if region is None and links.kinds[code] == "county":
        district_regions = {
            r["region"] or links.regions_by_lad.get(r["gss-code"], "")
            for r in in_scope
            if links.county_of[r["gss-code"]] == code
        } - {""}
        region = district_regions.pop() if len(district_regions) == 1 else None
    return region


def build_council_data(sources: BundledSources | None = None) -> CouncilData:
    """Read, clean and link the councils in scope (English principal councils since 2009)."""
    sources = sources or BundledSources()
    raw_rows = read_csv_rows(sources.councils)
    in_scope = [
        row
        for row in raw_rows
        if row["nation"] == "England"
        and row["local-authority-type"] in KINDS
        and ((_date(row["end-date"]) or date.max) > SCOPE_FROM)
    ]
    links = _links(in_scope, sources)
    lookup_names = _aliases_by_registry(sources)
    ceremonial = _ceremonial_counties(
        sources,
        in_scope,
        {c: links.county_of[c] if kind == "district" else None for c, kind in links.kinds.items()},
    )
    centroids = _territory_centroids(in_scope, links, sources)
    records = [
        _record(row, links, in_scope, lookup_names[row["local-authority-code"]], centroids)
        for row in in_scope
    ]
    records = [dataclasses.replace(r, ceremonial_counties=ceremonial[r.code]) for r in records]
    records.sort(key=lambda r: r.code)
    adjacency = [(r["lad13cd_a"], r["lad13cd_b"]) for r in read_csv_rows(sources.adjacency)]
    return CouncilData(
        councils=tuple(records),
        within=tuple(sorted((r.code, r.county_code) for r in records if r.county_code)),
        succeeded_by=tuple(sorted((r.code, new) for r in records for new in r.replaced_by)),
        borders=tuple(sorted(borders(links.territory_of, adjacency))),
        by_code={r.code: r for r in records},
    )


def _territory_centroids(
    in_scope: Sequence[dict[str, str]], links: _Links, sources: BundledSources
) -> dict[str, tuple[float, float]]:
    """Council code -> (longitude, latitude) of its 2013 territory's centroid, for the councils
    placed by it: counties and councils without lat/long (all measured at once)."""
    placed = {
        row["gss-code"]: links.territory_of[row["gss-code"]]
        for row in in_scope
        if links.kinds[row["gss-code"]] == "county" or not row["lat"].strip()
    }
    measured = geo.territory_centroids_bng(placed, sources.topojson_2013)
    return {code: geo.to_wgs84(x, y) for code, (_, (x, y)) in measured.items()}


def _record(
    row: dict[str, str],
    links: _Links,
    in_scope: Sequence[dict[str, str]],
    lookup_names: Sequence[str],
    centroids: Mapping[str, tuple[float, float]],
) -> CouncilRecord:
    code = row["gss-code"]
    kind = links.kinds[code]
    if code in centroids:
        longitude, latitude = centroids[code]
        centroid_source = "territory"
    else:
        longitude, latitude = float(row["long"]), float(row["lat"])
        centroid_source = "mysociety"
    area_km2 = _float_or_none(row["area"])
    others = [*_ALT_NAME_SPLIT.split(row["alt-names"]), *lookup_names]
    aliases = _dedupe_case_insensitive(
        council_aliases(row["nice-name"], kind, official_name=row["official-name"], others=others)
    )
    valid_from, valid_to = links.valid[code]
    return CouncilRecord(
        code=code,
        name=row["nice-name"].strip(),
        official_name=row["official-name"].strip(),
        aliases=aliases,
        alias_keys=tuple(sorted({normalise(a) for a in aliases} - {""})),
        kind=kind,
        region=_region(row, links, in_scope),
        population=_int_or_none(row["pop-2020"]),
        area_ha=round(area_km2 * 100, 1) if area_km2 else None,
        longitude=round(longitude, 6),
        latitude=round(latitude, 6),
        valid_from=valid_from or _FLOOR_START.get(kind, _DEFAULT_FLOOR),
        valid_to=valid_to,
        former_codes=links.former[code],
        registry_code=row["local-authority-code"],
        county_code=links.county_of[code] if kind == "district" else None,
        replaced_by=links.replaced_by[code],
        territory=tuple(sorted(links.territory_of[code])),
        centroid_source=centroid_source,
        gov_uk_slug=row["gov-uk-slug"].strip() or None,
    )


def _ceremonial_counties(
    sources: BundledSources,
    in_scope: list[dict[str, str]],
    county_of: Mapping[str, str | None],
) -> dict[str, tuple[str, ...]]:
    """Every council's ceremonial counties: from the project's file, or (a district within a
    county, ``county_of``) its county council's."""
    needing = {r["gss-code"]: r["nice-name"] for r in in_scope if county_of[r["gss-code"]] is None}
    display = f"{sources.ceremonial_counties.parent.name}/{sources.ceremonial_counties.name}"
    listed = read_ceremonial_counties(sources.ceremonial_counties, display, needing)
    return {
        code: listed[code] if county is None else listed[county]
        for code, county in county_of.items()
    }


def _dedupe_case_insensitive(names: Iterable[str]) -> tuple[str, ...]:
    """Keep one spelling per case-insensitive name, preferring the one with capitals."""
    chosen: dict[str, str] = {}
    for name in sorted(names, key=lambda n: (n.lower(), n == n.lower(), n)):
        chosen.setdefault(" ".join(name.lower().split()), " ".join(name.split()))
    return tuple(sorted(chosen.values()))
