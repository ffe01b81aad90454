"""How alike two councils are: the distance the peer finder and the nearest neighbours rank by.

Similarity follows the nearest-neighbour models councils already use (CIPFA's,
and ONS area classifications): each numeric variable is standardised across
councils and councils are compared by a weighted Euclidean distance over the
standardised differences. Here the variables are

========== ============================================================ =======
name       difference between the asker a and a candidate c             weight
========== ============================================================ =======
kind       0 same kind; 0.5 same tier, other kind (county vs unitary);  1.0
           1 other tier (district vs upper tier)
population (ln pop_a - ln pop_c) / sd(ln pop)                            1.0
density    (ln dens_a - ln dens_c) / sd(ln dens), dens = pop / area_ha   1.0
region     0 same region, 1 otherwise                                    0.5
distance   km between centroids / sd(km from a to every council)         1.0
========== ============================================================ =======

``sd`` is the population standard deviation over the reference councils (the
``councils`` mapping: pass those that exist in the year). Population and
density are compared on a log scale because council populations are heavily
skewed (the City of London has about 10 thousand people, Kent 1.6 million): a
council twice the size counts as equally different at any size, which is what
"of similar size" means. The categorical differences are 0 or 1, the same
order as one standard deviation. A council closest in all respects scores 1.

Missing data. Population or area may be unknown (None). A variable that is
unknown for either council of a pair is left out of that pair's distance and
the weighted sum of the known gaps is scaled by total weight / known weight
(as Gower's coefficient treats missing values), so the unknown variables count
as differing as much, on average, as the known ones. Nothing fails; reasons
then say "of unknown size".
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from graph.analysis.projection import AnalysisInputError, CouncilAttrs

__all__ = [
    "DEFAULT_WEIGHTS",
    "Neighbour",
    "PeerWeights",
    "Similarity",
    "council_attrs_of",
    "haversine_km",
    "nearest_neighbours",
    "score",
]

EARTH_RADIUS_KM = 6371.0088


KIND_PLURALS = {
    "county": "counties",
    "district": "districts",
    "unitary": "unitaries",
    "metropolitan_district": "metropolitan districts",
    "london_borough": "London boroughs",
}

KIND_LABELS = {
    "county": "county",
    "district": "district",
    "unitary": "unitary",
    "metropolitan_district": "metropolitan district",
    "london_borough": "London borough",
    "city_of_london": "City of London",
}


@dataclass(frozen=True, slots=True)
class PeerWeights:
    """Weights of the similarity variables; override with :func:`dataclasses.replace`.

    A weight of 0 leaves the variable out. Only ratios between weights change
    the ranking.
    """

    kind: float = 1.0
    population: float = 1.0
    density: float = 1.0
    region: float = 0.5
    distance: float = 1.0


DEFAULT_WEIGHTS = PeerWeights()


@dataclass(frozen=True, slots=True)
class Neighbour:
    """A statistical nearest neighbour, regardless of sharing."""

    code: str
    name: str
    score: float
    distance_km: float
    reason: str


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in km between two WGS-84 points.

    Examples
    --------
    >>> round(haversine_km(51.5, 0.0, 51.5, 1.0), 1)
    69.2
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _log_density(c: CouncilAttrs) -> float | None:
    if c.population is None or c.area_ha is None or c.population <= 0 or c.area_ha <= 0:
        return None
    return math.log(c.population / c.area_ha)


def _log_population(c: CouncilAttrs) -> float | None:
    return math.log(c.population) if c.population is not None and c.population > 0 else None


def _sd(values: Iterable[float | None]) -> float:
    known = [v for v in values if v is not None]
    return statistics.pstdev(known) if len(known) > 1 else 0.0


class Similarity:
    """Weighted distance of every council from one asker."""

    def __init__(
        self, asker: CouncilAttrs, councils: Mapping[str, CouncilAttrs], weights: PeerWeights
    ) -> None:
        self.asker = asker
        self.weights = weights
        self.sd_population = _sd(_log_population(c) for c in councils.values())
        self.sd_density = _sd(_log_density(c) for c in councils.values())
        self.km = {
            code: haversine_km(asker.lat, asker.lon, c.lat, c.lon) for code, c in councils.items()
        }
        self.sd_km = _sd(km for code, km in self.km.items() if code != asker.code)

    def distance(self, c: CouncilAttrs) -> float:
        a, w = self.asker, self.weights
        if c.kind == a.kind:
            kind = 0.0
        elif c.tier == a.tier:
            kind = 0.5
        else:
            kind = 1.0
        terms: list[tuple[float, float | None]] = [
            (w.kind, kind),
            (
                w.region,
                None if a.region is None or c.region is None else float(a.region != c.region),
            ),
            (w.distance, self.km[c.code] / self.sd_km if self.sd_km else 0.0),
            (
                w.population,
                _standardised_gap(_log_population(a), _log_population(c), self.sd_population),
            ),
            (w.density, _standardised_gap(_log_density(a), _log_density(c), self.sd_density)),
        ]
        total_weight = sum(weight for weight, _ in terms)
        known_weight = sum(weight for weight, gap in terms if gap is not None)
        if known_weight <= 0:
            return 0.0
        squared = sum(weight * gap**2 for weight, gap in terms if gap is not None)
        return math.sqrt(squared * total_weight / known_weight)

    def profile(self, c: CouncilAttrs, *, borders: bool = False) -> str:
        """The facts behind the score, in words, each a number or name the API also returns:
        "both districts in the South East, 105k people (you: 100k), 11 km apart, share a
        border"."""
        a = self.asker
        if c.kind == a.kind:
            what = f"both {KIND_PLURALS.get(c.kind, _kind(c.kind) + 's')}"
        else:
            what = f"{_kind(c.kind)} (you: {_kind(a.kind)})"
        parts = [what]
        if a.region is not None and c.region == a.region:
            parts[0] += f" in {_region(c.region)}"
        elif c.region is not None:
            parts.append(f"in {_region(c.region)}")
        if c.population is None:
            parts.append("population unknown")
        else:
            yours = f" (you: {people(a.population) if a.population is not None else 'unknown'})"
            parts.append(f"{people(c.population)} people{yours}")
        parts.append(f"{round(self.km[c.code])} km apart")
        if borders:
            parts.append("share a border")
        return ", ".join(parts)


def people(population: int) -> str:
    """A population as a reason shows it: 8,123 -> "8.1k", 105,000 -> "105k", 1,589,000 ->
    "1.6m" (the exact figure is ``Council.population``)."""
    if population >= 1_000_000:
        return f"{population / 1_000_000:.1f}m"
    if population >= 10_000:
        return f"{round(population / 1_000)}k"
    if population >= 1_000:
        return f"{population / 1_000:.1f}k"
    return str(population)


def _kind(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " "))


def _region(region: str) -> str:
    # "the South East", "the East of England"; "London", "Yorkshire and The Humber" as named.
    return f"the {region}" if region.split()[0] in {"North", "South", "East", "West"} else region


def _standardised_gap(a: float | None, c: float | None, sd: float) -> float | None:
    if a is None or c is None:
        return None
    return (a - c) / sd if sd else 0.0


def council_attrs_of(code: str, councils: Mapping[str, CouncilAttrs], role: str) -> CouncilAttrs:
    try:
        return councils[code]
    except KeyError:
        raise AnalysisInputError(
            f"{role} {code!r} has no council attributes; pass attributes for every "
            "council that exists in the year"
        ) from None


def score(distance: float) -> float:
    return 1.0 / (1.0 + distance)


def nearest_neighbours(
    asker: str,
    councils: Mapping[str, CouncilAttrs],
    k: int = 10,
    *,
    weights: PeerWeights = DEFAULT_WEIGHTS,
) -> tuple[Neighbour, ...]:
    """Return the `k` councils most like `asker`, whether they share or not.

    The same standardised weighted distance as :func:`find_peers`, over every
    other council in `councils`.

    Parameters
    ----------
    asker : str
        GSS code of the asking council.
    councils : mapping of str to CouncilAttrs
        Every council that exists in the year.
    k : int, optional (default=10)
        Neighbours to return.
    weights : PeerWeights, optional (default=DEFAULT_WEIGHTS)
        Weights of the variables.

    Returns
    -------
    tuple of Neighbour
        Most similar first; ties by km, then code.

    Raises
    ------
    AnalysisInputError
        If the asker has no attributes in `councils`.

    Examples
    --------
    >>> councils = {
    ...     "A": CouncilAttrs("A", "Ash", "district", "lower", "SE", 100_000, 1e4, 51.0, 0.0),
    ...     "B": CouncilAttrs("B", "Birch", "district", "lower", "SE", 100_000, 1e4, 51.05, 0.0),
    ...     "D": CouncilAttrs("D", "Dale", "county", "upper", "SE", 900_000, 9e4, 51.1, 0.0),
    ... }
    >>> [(n.code, n.reason) for n in nearest_neighbours("A", councils, k=1)]
    [('B', 'both districts in SE, 100k people (you: 100k), 6 km apart')]
    """
    similarity = Similarity(council_attrs_of(asker, councils, "asking council"), councils, weights)
    ranked = sorted(
        (similarity.distance(c), similarity.km[code], code)
        for code, c in councils.items()
        if code != asker
    )
    return tuple(
        Neighbour(
            code=code,
            name=councils[code].name,
            score=score(distance),
            distance_km=km,
            reason=similarity.profile(councils[code]),
        )
        for distance, km, code in ranked[:k]
    )
