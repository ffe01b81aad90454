"""Peer finder and nearest neighbours, pinned on a small constructed map.

X asks. Everyone is in the South East; distances are due north of X unless
stated (0.1 degree of latitude = 11.1 km).

====  ========  ==========  ========  =====================================
code  kind      population  km        shares
====  ========  ==========  ========  =====================================
N     district  105,000     11        legal (p1, 2011); unknown (p4, with Z)
M     district  unknown     22        legal (p1, 2011)
F     district  100,000     111       legal + hr (p2, 2015); waste (p3)
U     county    1,500,000   9 (NE)    legal (p1 and p2)
S     district  100,000     3.5 (E)   nothing (a singleton)
W     district  100,000     33        waste (p3, with F)
Z     district  100,000     44        partnership of unknown service (p4)
====  ========  ==========  ========  =====================================
"""

from __future__ import annotations

import math
import statistics
from dataclasses import replace

import pytest

from graph.analysis.peers import (
    DEFAULT_WEIGHTS,
    PeerWeights,
    find_peers,
    haversine_km,
    nearest_neighbours,
)
from graph.analysis.projection import AnalysisInputError, CouncilAttrs, Membership


def council(
    code: str,
    population: int | None,
    lat: float,
    lon: float = 0.0,
    *,
    kind: str = "district",
    tier: str = "lower",
    area_ha: float | None = 10_000.0,
) -> CouncilAttrs:
    if population is None:
        area_ha = None
    return CouncilAttrs(
        code, f"Council {code}", kind, tier, "South East", population, area_ha, lat, lon
    )


COUNCILS = {
    c.code: c
    for c in [
        council("X", 100_000, 51.0),
        council("N", 105_000, 51.1),
        council("F", 100_000, 52.0),
        council("U", 1_500_000, 51.05, 0.1, kind="county", tier="upper", area_ha=350_000.0),
        council("M", None, 51.2),
        council("S", 100_000, 51.0, 0.05),
        council("W", 100_000, 51.3),
        council("Z", 100_000, 51.4),
    ]
}

P2 = ("hr", "legal"), 2015, "first_evidence", "HR Two", 2016  # its latest source: 2016
ROWS = [
    Membership("p1", "N", ("legal",), 2011, "stated", "Legal One"),
    Membership("p1", "U", ("legal",), 2011, "stated", "Legal One"),
    Membership("p1", "M", ("legal",), 2011, "stated", "Legal One"),
    Membership("p2", "F", *P2),
    Membership("p2", "U", *P2),
    Membership("p3", "W", ("waste",), 2009, "stated", "Waste Three"),
    Membership("p3", "F", ("waste",), 2009, "stated", "Waste Three"),
    Membership("p4", "Z", (), None, "unknown", "Four"),
    Membership("p4", "N", (), None, "unknown", "Four"),
]


def codes(
    asker: str = "X", *, service: str | None = None, weights: PeerWeights = DEFAULT_WEIGHTS
) -> list[str]:
    found = find_peers(asker, ROWS, COUNCILS, service=service, weights=weights)
    return [p.code for p in found.peers]


def test_candidates_are_the_active_sharers_of_the_service() -> None:
    # S shares nothing, W only waste, Z a partnership of unknown service.
    assert set(codes(service="legal")) == {"N", "M", "F", "U"}
    assert set(codes(service="waste")) == {"W", "F"}
    assert set(codes()) == {"N", "M", "F", "U", "W", "Z"}


def test_ranking_nearest_and_most_similar_first() -> None:
    # N: same kind, 5% larger, 11 km. M: same kind, size unknown, 22 km.
    # F: same kind and size but 111 km (over 3 sd of the distances from X).
    # U: the nearest (9 km) but another tier (gap 1), 15 times the people
    # (ln 15 = 2.7, about 2.9 sd of ln population) and denser: last.
    assert codes(service="legal") == ["N", "M", "F", "U"]


def test_each_peer_says_why_it_is_relevant() -> None:
    peers = {p.code: p for p in find_peers("X", ROWS, COUNCILS, service="legal").peers}
    n = peers["N"]
    assert n.partnerships == ("p1",)
    assert n.partners == ("M", "U")
    assert n.services == ("legal",)
    assert n.since == 2011
    assert n.distance_km == pytest.approx(11.12, abs=0.01)
    # Each partnership named, with the members of the year and its years with their basis.
    assert n.reason == (
        "both districts in the South East, 105k people (you: 100k), 11 km apart; "
        "shares legal with Council M, Council U (Legal One, since 2011, stated)"
    )
    u = peers["U"]
    assert u.partnerships == ("p1", "p2")
    assert u.partners == ("F", "M", "N")
    assert u.services == ("legal", "hr")  # the asked-for service first
    assert u.reason == (
        "county (you: district) in the South East, 1.5m people (you: 100k), 9 km apart; "
        "shares legal with Council M, Council N (Legal One, since 2011, stated); Council F "
        "(HR Two, since 2015, first evidence, not confirmed since 2016)"
    )
    assert peers["F"].reason == (
        "both districts in the South East, 100k people (you: 100k), 111 km apart; shares legal "
        "with Council U (HR Two, since 2015, first evidence, not confirmed since 2016)"
    )
    assert peers["M"].reason.startswith(
        "both districts in the South East, population unknown, 22 km apart"
    )
    assert 0 < u.score < peers["F"].score < peers["M"].score < n.score <= 1


def test_reasons_without_a_service_or_a_start_year() -> None:
    peers = {p.code: p for p in find_peers("X", ROWS, COUNCILS).peers}
    assert peers["Z"].reason == (
        "both districts in the South East, 100k people (you: 100k), 44 km apart; "
        "shares partnerships (services not recorded) with Council N (Four, undated)"
    )
    # Without a service, every service of the candidate's partnerships counts.
    assert peers["F"].reason.endswith(
        "shares hr, legal, waste with Council U (HR Two, since 2015, first evidence, not "
        "confirmed since 2016); Council W (Waste Three, since 2009, stated)"
    )


def test_overriding_weights_changes_the_order_as_expected() -> None:
    # Distance ignored: F (exactly X's size) now beats N (5% larger).
    size_only = replace(DEFAULT_WEIGHTS, distance=0.0)
    ranked = codes(service="legal", weights=size_only)
    assert ranked.index("F") < ranked.index("N")
    # Distance alone: plain order of km.
    distance_only = PeerWeights(kind=0, population=0, density=0, region=0, distance=1)
    assert codes(service="legal", weights=distance_only) == ["U", "N", "M", "F"]


def test_zero_weights_rank_by_km_then_code() -> None:
    nothing = PeerWeights(kind=0, population=0, density=0, region=0, distance=0)
    found = find_peers("X", ROWS, COUNCILS, service="legal", weights=nothing)
    assert [p.code for p in found.peers] == ["U", "N", "M", "F"]
    assert {p.score for p in found.peers} == {1.0}


def test_missing_population_is_left_out_and_the_rest_scaled_up() -> None:
    weights = PeerWeights(kind=1, population=1, density=0, region=0, distance=1)
    m = next(p for p in find_peers("X", ROWS, COUNCILS, weights=weights).peers if p.code == "M")
    # M differs from X only by distance (same kind); population is unknown,
    # so D^2 = (km / sd_km)^2 * (total weight 3 / known weight 2).
    km = {c: haversine_km(51.0, 0.0, a.lat, a.lon) for c, a in COUNCILS.items() if c != "X"}
    sd_km = statistics.pstdev(km.values())
    distance = math.sqrt((km["M"] / sd_km) ** 2 * 3 / 2)
    assert m.score == pytest.approx(1 / (1 + distance))


def test_a_peer_on_the_border_says_so() -> None:
    found = find_peers("X", ROWS, COUNCILS, service="legal", borders=[("N", "X"), ("F", "U")])
    peers = {p.code: p for p in found.peers}
    assert peers["N"].borders_asker is True
    assert "11 km apart, share a border; shares legal" in peers["N"].reason
    assert peers["F"].borders_asker is False  # F borders U, not the asker
    assert "share a border" not in peers["F"].reason


def test_asker_without_population_still_gets_peers() -> None:
    found = find_peers("M", ROWS, COUNCILS, service="legal")
    assert found.peers[0].code == "N"
    assert all("(you: unknown)" in p.reason for p in found.peers)


def test_asker_that_already_shares_is_told_and_still_gets_peers() -> None:
    found = find_peers("N", ROWS, COUNCILS, service="legal")
    assert found.asker_shares
    assert found.asker_partnerships == ("p1",)
    peers = {p.code: p for p in found.peers}
    assert set(peers) == {"M", "F", "U"}
    assert peers["M"].already_partner
    assert not peers["F"].already_partner


def test_singleton_asker() -> None:
    found = find_peers("S", ROWS, COUNCILS, service="legal")
    assert not found.asker_shares
    assert found.asker_partnerships == ()
    assert found.service == "legal"
    assert len(found.peers) == 4


def test_limit() -> None:
    assert len(find_peers("X", ROWS, COUNCILS, limit=2).peers) == 2
    assert len(find_peers("X", ROWS, COUNCILS, limit=None).peers) == 6


def test_unknown_councils_are_reported() -> None:
    with pytest.raises(AnalysisInputError, match="asking council 'Q'"):
        find_peers("Q", ROWS, COUNCILS)
    with pytest.raises(AnalysisInputError, match="member council 'Y'"):
        find_peers("X", [*ROWS, Membership("p5", "Y", ("legal",))], COUNCILS)


def test_nearest_neighbours_ignore_sharing() -> None:
    found = nearest_neighbours("X", COUNCILS, k=3)
    # S is X's twin 3.5 km away, though it shares nothing; then N (11 km, 5%
    # larger) and M (22 km: its unknown size is left out, and the known gaps
    # scaled by 4.5/2.5, give sqrt(1.8) * 22/34.4 = 0.86 sd, still under W's
    # 33/34.4 = 0.97 sd at the same size).
    assert [n.code for n in found] == ["S", "N", "M"]
    assert (
        found[0].reason == "both districts in the South East, 100k people (you: 100k), 3 km apart"
    )
    assert all(n.code != "X" for n in nearest_neighbours("X", COUNCILS, k=100))
    assert len(nearest_neighbours("X", COUNCILS, k=100)) == 7


def test_haversine() -> None:
    # One degree of latitude on a sphere of radius 6371.0088 km.
    assert haversine_km(51.0, 0.0, 52.0, 0.0) == pytest.approx(6371.0088 * math.pi / 180)
    assert haversine_km(51.0, 1.0, 51.0, 1.0) == 0.0
    assert haversine_km(50.0, -1.0, 53.0, 1.0) == pytest.approx(haversine_km(53.0, 1.0, 50.0, -1.0))


def test_same_answer_every_time() -> None:
    assert find_peers("X", ROWS, COUNCILS) == find_peers("X", list(reversed(ROWS)), COUNCILS)
