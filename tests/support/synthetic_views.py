"""SYNTHETIC view data for load tests and benchmarks: made-up councils, not real ones.

Every name says "Synthetic" so a screenshot can never be mistaken for real data.
The shape mimics the real national graph: councils spread over England's
extent, a few large consortia and many two- to five-member partnerships
between nearby councils, plus singletons.
"""

from __future__ import annotations

import random

from visualisation.model import (
    KINDS,
    REGIONS,
    SERVICE_CODES,
    Council,
    Partnership,
    Source,
    ViewData,
)

__all__ = ["synthetic_view_data"]


def synthetic_view_data(
    n_councils: int = 1000,
    *,
    partnerships_per_council: float = 1.3,
    singleton_share: float = 0.15,
    year: int = 2015,
    seed: int = 1,
) -> ViewData:
    """Random but reproducible SYNTHETIC data of about the given size.

    Parameters
    ----------
    n_councils : number of councils (nodes of the one-mode network).
    partnerships_per_council : partnerships created per council.
    singleton_share : share of councils left out of every partnership.
    year : the data's year; every partnership is active in it.
    seed : random seed.
    """
    rng = random.Random(seed)
    kinds = list(KINDS)
    councils = []
    for i in range(n_councils):
        lat = rng.uniform(50.6, 54.9)
        lon = rng.uniform(-4.5, 1.4)
        councils.append(
            Council(
                code=f"S{i:08d}",
                name=f"Synthetic council {i:04d}",
                kind=rng.choice(kinds),
                tier="lower" if i % 3 else "upper",
                region=REGIONS[int((lat - 50.6) / 4.31 * len(REGIONS)) % len(REGIONS)],
                lat=round(lat, 4),
                lon=round(lon, 4),
                population=rng.randint(30_000, 900_000),
            )
        )
    sharers = councils[: int(n_councils * (1 - singleton_share))]
    by_position = sorted(sharers, key=lambda c: (round(c.lat or 0, 0), c.lon))
    partnerships = []
    for j in range(int(n_councils * partnerships_per_council)):
        size = 2 + min(int(rng.expovariate(0.6)), 28)
        start = rng.randrange(0, max(1, len(by_position) - size))
        window = by_position[start : start + size * 3]
        members = tuple(c.code for c in rng.sample(window, min(size, len(window))))
        services = tuple(rng.sample(SERVICE_CODES, rng.randint(0, 3)))
        savings = rng.choice([None, None, rng.randrange(50_000, 5_000_000, 10_000)])
        partnerships.append(
            Partnership(
                id=f"synthetic-{j:05d}",
                name=f"Synthetic partnership {j:05d}",
                status=rng.choice(["operational", "operational", "ended"]),
                services=services,
                members=members,
                start_year=year - rng.randint(0, 8),
                end_year=None,
                annual_savings_gbp=savings,
                savings_note="Synthetic figure" if savings else None,
                sources=(Source(f"https://example.org/synthetic/{j}", str(year)),),
            )
        )
    return ViewData(
        year=year,
        councils=tuple(councils),
        partnerships=tuple(partnerships),
        years=(year - 10, year + 5),
        notice="SYNTHETIC DATA: made-up councils and partnerships, for testing only.",
    )
