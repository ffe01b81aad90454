"""Peer finder: councils an asking council could learn from.

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
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from graph.analysis.projection import (
    AnalysisInputError,
    CouncilAttrs,
    Membership,
    select_memberships,
)

__all__ = [
    "DEFAULT_WEIGHTS",
    "Neighbour",
    "Peer",
    "PeerSearch",
    "PeerWeights",
    "find_peers",
    "haversine_km",
    "nearest_neighbours",
]

EARTH_RADIUS_KM = 6371.0088

#: A candidate this many times larger (or smaller) than the asker, or less,
#: is "of similar size" in reasons.
SIMILAR_SIZE_RATIO = 1.25

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
class Peer:
    """A council that shares what the asker wants to learn about.

    Attributes
    ----------
    code, name : str
        The candidate council.
    score : float
        Similarity in (0, 1]: ``1 / (1 + D)`` for the weighted distance D.
    distance_km : float
        Great-circle distance between centroids.
    partnerships : tuple of str
        Ids of the candidate's partnerships that make it relevant (in the
        service, or any when no service was asked for).
    partners : tuple of str
        GSS codes of its fellow members in those partnerships.
    services : tuple of str
        Service areas those partnerships cover.
    since : int or None
        Earliest start year among those partnerships, when known.
    already_partner : bool
        The asker is already a member of one of those partnerships.
    reason : str
        One line, e.g. "district of similar size 24 km away; shares legal
        with Harrow, Barnet (HB Public Law, since 2012, stated)": each
        partnership it rests on, with its members in the year and its years
        with their basis.
    """

    code: str
    name: str
    score: float
    distance_km: float
    partnerships: tuple[str, ...]
    partners: tuple[str, ...]
    services: tuple[str, ...]
    since: int | None
    already_partner: bool
    reason: str


@dataclass(frozen=True, slots=True)
class PeerSearch:
    """Answer of :func:`find_peers`.

    Attributes
    ----------
    asker : str
        GSS code of the asking council.
    service : str or None
        The service asked about.
    asker_shares : bool
        Whether the asker is already an active sharer (in `service`, or in
        anything when no service was asked for).
    asker_partnerships : tuple of str
        Ids of the asker's own partnerships in scope.
    peers : tuple of Peer
        Ranked, most similar first.
    """

    asker: str
    service: str | None
    asker_shares: bool
    asker_partnerships: tuple[str, ...]
    peers: tuple[Peer, ...]


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


class _Similarity:
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

    def profile(self, c: CouncilAttrs) -> str:
        """Describe `c` relative to the asker: "district of similar size 24 km away"."""
        kind = KIND_LABELS.get(c.kind, c.kind.replace("_", " "))
        a = self.asker
        if a.population is None or c.population is None:
            size = f"{kind} of unknown size"
        elif c.population > a.population * SIMILAR_SIZE_RATIO:
            size = f"larger {kind}"
        elif c.population * SIMILAR_SIZE_RATIO < a.population:
            size = f"smaller {kind}"
        else:
            size = f"{kind} of similar size"
        return f"{size} {round(self.km[c.code])} km away"


def _standardised_gap(a: float | None, c: float | None, sd: float) -> float | None:
    if a is None or c is None:
        return None
    return (a - c) / sd if sd else 0.0


def _council(code: str, councils: Mapping[str, CouncilAttrs], role: str) -> CouncilAttrs:
    try:
        return councils[code]
    except KeyError:
        raise AnalysisInputError(
            f"{role} {code!r} has no council attributes; pass attributes for every "
            "council that exists in the year"
        ) from None


def _score(distance: float) -> float:
    return 1.0 / (1.0 + distance)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


_BASIS_WORDS = {"stated": "stated", "first_evidence": "first evidence"}
_PARTNERSHIPS_NAMED = 3


def _years_words(m: Membership) -> str:
    """A partnership's years in a reason: "since 2012, stated", "undated"."""
    if m.start_basis == "unknown" or m.start_year is None:
        words = "undated"
    else:
        basis = _BASIS_WORDS.get(m.start_basis or "")
        words = f"since {m.start_year}" + (f", {basis}" if basis else "")
    if m.not_confirmed_since is not None:
        words += f", not confirmed since {m.not_confirmed_since}"
    return words


def _sharing_phrase(
    codes: tuple[str, ...],
    candidate: str,
    pids: list[str],
    members: Mapping[str, set[str]],
    facts: Mapping[str, Membership],
    councils: Mapping[str, CouncilAttrs],
) -> str:
    """What a peer shares and with whom, naming each partnership with its years and their
    basis: "shares legal with Harrow, Barnet (HB Public Law, since 2012, stated)"."""
    # Taxonomy codes read as words in a sentence: "hr_payroll" -> "hr payroll".
    services = tuple(code.replace("_", " ") for code in codes)
    if not services:
        what = "shares partnerships (services not recorded)"
    elif len(services) <= 3:
        what = "shares " + ", ".join(services)
    else:
        what = f"shares {', '.join(services[:3])} and {len(services) - 3} more"
    parts = []
    for pid in pids[:_PARTNERSHIPS_NAMED]:
        fact = facts[pid]
        names = ", ".join(sorted(councils[c].name for c in members[pid] - {candidate}))
        parts.append(f"{names} ({fact.partnership_name or pid}, {_years_words(fact)})")
    more = len(pids) - _PARTNERSHIPS_NAMED
    if more > 0:
        parts.append(f"and {_plural(more, 'more partnership')}")
    return f"{what} with " + "; ".join(parts)


def find_peers(
    asker: str,
    memberships: Iterable[Membership],
    councils: Mapping[str, CouncilAttrs],
    *,
    service: str | None = None,
    weights: PeerWeights = DEFAULT_WEIGHTS,
    limit: int | None = 10,
) -> PeerSearch:
    """Rank the active sharers most like `asker`.

    Candidates are the councils with a membership in `memberships` (in a
    partnership covering `service`, or in any partnership when `service` is
    None), other than the asker. They are ranked by weighted distance from the
    asker over kind, population, density, region and distance between
    centroids, each standardised across `councils` (see the module
    docstring); ties by km, then code.

    Parameters
    ----------
    asker : str
        GSS code of the asking council; it need not share anything.
    memberships : iterable of Membership
        Effective memberships of active partnerships in the year.
    councils : mapping of str to CouncilAttrs
        Every council that exists in the year: the reference population for
        standardising, and the attributes of the asker and candidates.
    service : str or None, optional (default=None)
        Service-area code.
    weights : PeerWeights, optional (default=DEFAULT_WEIGHTS)
        Weights of the variables.
    limit : int or None, optional (default=10)
        Peers to return; None for all.

    Returns
    -------
    PeerSearch
        Whether the asker already shares, and the ranked peers.

    Raises
    ------
    AnalysisInputError
        If the asker or a candidate has no attributes in `councils`.

    Examples
    --------
    >>> councils = {
    ...     "A": CouncilAttrs("A", "Ash", "district", "lower", "SE", 100_000, 1e4, 51.0, 0.0),
    ...     "B": CouncilAttrs("B", "Birch", "district", "lower", "SE", 110_000, 1e4, 51.1, 0.0),
    ...     "C": CouncilAttrs("C", "Cedar", "district", "lower", "SE", 90_000, 1e4, 51.1, 0.1),
    ...     "D": CouncilAttrs("D", "Dale", "county", "upper", "SE", 900_000, 9e4, 52.0, 0.0),
    ... }
    >>> rows = [
    ...     Membership("p1", "B", ("legal",), 2011, "stated", "Ash Legal"),
    ...     Membership("p1", "C", ("legal",), 2011, "stated", "Ash Legal"),
    ...     Membership("p1", "D", ("legal",), 2011, "stated", "Ash Legal"),
    ... ]
    >>> found = find_peers("A", rows, councils, service="legal")
    >>> found.asker_shares, [p.code for p in found.peers]
    (False, ['B', 'C', 'D'])
    >>> found.peers[0].reason.split("; ")[1]
    'shares legal with Cedar, Dale (Ash Legal, since 2011, stated)'
    """
    asker_attrs = _council(asker, councils, "asking council")
    rows = select_memberships(memberships, service=service)
    members: dict[str, set[str]] = defaultdict(set)
    partnerships_of: dict[str, set[str]] = defaultdict(set)
    services_of: dict[str, set[str]] = defaultdict(set)
    facts: dict[str, Membership] = {}
    for m in rows:
        members[m.partnership_id].add(m.council_code)
        partnerships_of[m.council_code].add(m.partnership_id)
        services_of[m.partnership_id].update(m.services)
        facts.setdefault(m.partnership_id, m)

    similarity = _Similarity(asker_attrs, councils, weights)
    ranked: list[tuple[float, float, str, Peer]] = []
    for code in sorted(partnerships_of):
        if code == asker:
            continue
        c = _council(code, councils, "member council")
        pids = sorted(partnerships_of[code])
        partners = sorted({u for p in pids for u in members[p]} - {code})
        services = tuple(sorted({s for p in pids for s in services_of[p]}))
        if service is not None:
            # The asked-for service leads; the partnerships may cover more.
            services = (service, *(s for s in services if s != service))
        starts = [y for p in pids if (y := facts[p].start_year) is not None]
        since = min(starts, default=None)
        distance = similarity.distance(c)
        km = similarity.km[code]
        shown = (service,) if service is not None else services
        peer = Peer(
            code=code,
            name=c.name,
            score=_score(distance),
            distance_km=km,
            partnerships=tuple(pids),
            partners=tuple(partners),
            services=services,
            since=since,
            already_partner=asker in partners,
            reason=f"{similarity.profile(c)}; "
            + _sharing_phrase(shown, code, pids, members, facts, councils),
        )
        ranked.append((distance, km, code, peer))
    ranked.sort(key=lambda item: item[:3])
    peers = tuple(item[3] for item in ranked)
    own = tuple(sorted(partnerships_of.get(asker, ())))
    return PeerSearch(
        asker=asker,
        service=service,
        asker_shares=bool(own),
        asker_partnerships=own,
        peers=peers if limit is None else peers[:limit],
    )


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
    [('B', 'district of similar size 6 km away')]
    """
    similarity = _Similarity(_council(asker, councils, "asking council"), councils, weights)
    ranked = sorted(
        (similarity.distance(c), similarity.km[code], code)
        for code, c in councils.items()
        if code != asker
    )
    return tuple(
        Neighbour(
            code=code,
            name=councils[code].name,
            score=_score(distance),
            distance_km=km,
            reason=similarity.profile(councils[code]),
        )
        for distance, km, code in ranked[:k]
    )
