"""Peer finder: councils an asking council could learn from, with reasons an officer can check.

Candidates are the councils sharing what the asker asks about; they are ranked by the weighted
distance of :mod:`graph.analysis.similarity` (kind, population, density, region, distance), and
each reason names the partnerships it rests on, their members in the year and how their years
are known.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from graph.analysis.projection import CouncilAttrs, Membership, select_memberships
from graph.analysis.similarity import (
    DEFAULT_WEIGHTS,
    Neighbour,
    PeerWeights,
    Similarity,
    council_attrs_of,
    haversine_km,
    nearest_neighbours,
    score,
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
    borders_asker : bool
        The candidate borders the asker (when borders were given).
    reason : str
        One line: the facts behind the score ("both districts in the South
        East, 105k people (you: 100k), 11 km apart, share a border"), then
        each partnership it rests on, with its members in the year and its
        years with their basis ("shares legal with Barnet, Harrow (HB Public
        Law, since 2012, stated)").
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
    borders_asker: bool = False


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
    borders: Iterable[tuple[str, str]] = (),
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
    borders : iterable of (str, str), optional
        Pairs of councils that border; a peer bordering the asker says so in
        its reason.

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
    rows = select_memberships(memberships, service=service)
    index = _Index.of(rows)
    bordering = {b if a == asker else a for a, b in borders if asker in (a, b)}
    similarity = Similarity(council_attrs_of(asker, councils, "asking council"), councils, weights)
    peers = _ranked(asker, service, index, similarity, councils, bordering)
    own = tuple(sorted(index.partnerships_of.get(asker, ())))
    return PeerSearch(
        asker=asker,
        service=service,
        asker_shares=bool(own),
        asker_partnerships=own,
        peers=peers if limit is None else peers[:limit],
    )


def _ranked(
    asker: str,
    service: str | None,
    index: _Index,
    similarity: Similarity,
    councils: Mapping[str, CouncilAttrs],
    bordering: set[str],
) -> tuple[Peer, ...]:
    """Every sharer but the asker, most similar first (the score falls as the distance
    grows); ties by km, then code."""
    candidates = [
        _candidate(code, asker, service, index, similarity, councils, code in bordering)
        for code in sorted(index.partnerships_of)
        if code != asker
    ]
    return tuple(sorted(candidates, key=lambda p: (-p.score, p.distance_km, p.code)))


@dataclass(frozen=True)
class _Index:
    """The year's memberships by partnership and by council, and each partnership's facts."""

    members: Mapping[str, set[str]]
    partnerships_of: Mapping[str, set[str]]
    services_of: Mapping[str, set[str]]
    facts: Mapping[str, Membership]

    @classmethod
    def of(cls, rows: Iterable[Membership]) -> _Index:
        members: dict[str, set[str]] = defaultdict(set)
        partnerships_of: dict[str, set[str]] = defaultdict(set)
        services_of: dict[str, set[str]] = defaultdict(set)
        facts: dict[str, Membership] = {}
        for m in rows:
            members[m.partnership_id].add(m.council_code)
            partnerships_of[m.council_code].add(m.partnership_id)
            services_of[m.partnership_id].update(m.services)
            facts.setdefault(m.partnership_id, m)
        return cls(members, partnerships_of, services_of, facts)


def _candidate(
    code: str,
    asker: str,
    service: str | None,
    index: _Index,
    similarity: Similarity,
    councils: Mapping[str, CouncilAttrs],
    borders_asker: bool,
) -> Peer:
    """One sharer as a peer of the asker: its partnerships, partners, services and reason."""
    c = council_attrs_of(code, councils, "member council")
    pids = sorted(index.partnerships_of[code])
    partners = sorted({u for p in pids for u in index.members[p]} - {code})
    services = tuple(sorted({s for p in pids for s in index.services_of[p]}))
    if service is not None:
        # The asked-for service leads; the partnerships may cover more.
        services = (service, *(s for s in services if s != service))
    starts = [y for p in pids if (y := index.facts[p].start_year) is not None]
    shown = (service,) if service is not None else services
    return Peer(
        code=code,
        name=c.name,
        score=score(similarity.distance(c)),
        distance_km=similarity.km[code],
        partnerships=tuple(pids),
        partners=tuple(partners),
        services=services,
        since=min(starts, default=None),
        already_partner=asker in partners,
        borders_asker=borders_asker,
        reason=f"{similarity.profile(c, borders=borders_asker)}; "
        + _sharing_phrase(shown, code, pids, index.members, index.facts, councils),
    )
