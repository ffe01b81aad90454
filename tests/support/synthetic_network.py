"""SYNTHETIC networks of national size, for benchmarks and determinism tests.

Nothing here is real data. Every council is coded ``SYN0001``..., named
"Synthetic council N" and placed in "Synthetic region N", so synthetic rows can
never be mistaken for the bundled data. The shape imitates the real network:
about 350 councils, 60% districts, about 500 partnerships whose sizes follow
the bundled data's distribution (mostly pairs, a few consortia of 25-35), and
partners chosen near each other, as real partner choice is proximity-driven.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from graph import taxonomy
from graph.analysis.projection import CouncilAttrs, Membership

__all__ = ["SyntheticNetwork", "synthetic_network"]

SERVICES = taxonomy.codes()

# Partnership sizes and how many of the 487 bundled partnerships have each.
SIZE_COUNTS = {
    2: 221,
    3: 89,
    4: 59,
    5: 35,
    6: 25,
    7: 20,
    8: 14,
    9: 6,
    10: 5,
    11: 2,
    12: 3,
    13: 2,
    14: 3,
    15: 1,
    26: 1,
    33: 1,
}

UPPER_KINDS = ("county", "unitary", "metropolitan_district", "london_borough")


@dataclass(frozen=True)
class SyntheticNetwork:
    """A SYNTHETIC year of memberships, council attributes and borders."""

    memberships: tuple[Membership, ...]
    councils: dict[str, CouncilAttrs]
    borders: tuple[tuple[str, str], ...]


def synthetic_network(
    *, councils: int = 350, partnerships: int = 500, seed: int = 0
) -> SyntheticNetwork:
    """Return a seeded SYNTHETIC network (not real data).

    Parameters
    ----------
    councils : int, optional (default=350)
        Number of synthetic councils.
    partnerships : int, optional (default=500)
        Number of synthetic partnerships.
    seed : int, optional (default=0)
        Random seed; the same seed gives the same network.

    Returns
    -------
    SyntheticNetwork

    Examples
    --------
    >>> net = synthetic_network(councils=20, partnerships=10, seed=1)
    >>> len(net.councils), net.councils["SYN0001"].name
    (20, 'Synthetic council 1')
    """
    rng = random.Random(seed)
    attrs: dict[str, CouncilAttrs] = {}
    for i in range(1, councils + 1):
        code = f"SYN{i:04d}"
        district = rng.random() < 0.6
        kind = "district" if district else rng.choice(UPPER_KINDS)
        population: int | None = round(math.exp(rng.gauss(11.6 if district else 12.6, 0.5)))
        area: float | None = math.exp(rng.gauss(10.0, 1.2))
        if rng.random() < 0.03:
            population = area = None  # imitate councils with unknown figures
        lat, lon = rng.uniform(50.2, 55.5), rng.uniform(-4.5, 1.7)
        # Regions are a 3 x 3 grid, so that they are geographic as real ones are.
        region = 1 + 3 * min(2, int((lat - 50.2) / 5.3 * 3)) + min(2, int((lon + 4.5) / 6.2 * 3))
        attrs[code] = CouncilAttrs(
            code=code,
            name=f"Synthetic council {i}",
            kind=kind,
            tier="lower" if district else "upper",
            region=f"Synthetic region {region}",
            population=population,
            area_ha=area,
            lat=lat,
            lon=lon,
        )
    codes = sorted(attrs)

    def km(a: str, b: str) -> float:
        # Equirectangular is plenty for choosing synthetic neighbours.
        ca, cb = attrs[a], attrs[b]
        x = (cb.lon - ca.lon) * math.cos(math.radians((ca.lat + cb.lat) / 2))
        return 111.2 * math.hypot(x, cb.lat - ca.lat)

    nearest = {c: sorted((o for o in codes if o != c), key=lambda o: (km(c, o), o)) for c in codes}
    borders = tuple(sorted({(min(c, o), max(c, o)) for c in codes for o in nearest[c][:5]}))

    sizes = [size for size, n in SIZE_COUNTS.items() for _ in range(n)]
    rows: list[Membership] = []
    for p in range(1, partnerships + 1):
        size = min(rng.choice(sizes), councils)
        centre = rng.choice(codes)
        # Mostly near neighbours of the centre, sometimes a distant partner.
        pool = nearest[centre][: max(2 * size, 8)]
        members = {centre, *rng.sample(pool, size - 1)}
        if size == 2 and rng.random() < 0.1:
            members = {centre, rng.choice(nearest[centre])}
        n_services = rng.choice((0, 1, 1, 1, 2, 2, 3, 4))
        services = tuple(sorted(rng.sample(SERVICES, n_services)))
        start = rng.randint(2000, 2019)
        rows.extend(Membership(f"synthetic-{p:04d}", m, services, start) for m in sorted(members))
    return SyntheticNetwork(memberships=tuple(rows), councils=attrs, borders=borders)
