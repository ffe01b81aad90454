"""A year's effective memberships, computed in Python from what the snapshot already holds.

The per-version snapshot (``graph.snapshot``) reads every partnership once, with its listed
members (their own years and roles), status, years and services, and every council with its
years and successors. A year's effective memberships follow from those by the rules of time
(``graph.rules``, data/README.upstream.md "Meaning of the partnership data"): so a year view
needs no read of its own, where ``repository.EFFECTIVE_MEMBERSHIPS`` took seconds per (year,
service) at 100x the bundled data (bench/results/memberships.md).

:func:`effective_memberships` gives exactly the rows ``repository.effective_memberships`` reads
with that statement, in its order and with every field (tests/graph/test_memberships.py holds
the two equal for every year and service layer). Nothing here restates a rule: each step calls
its Python twin in ``graph.rules`` (directly or through the models' methods).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from graph import rules
from graph.models import Council, CouncilLinks, Member, Membership, Partnership

__all__ = ["effective_memberships"]


def effective_memberships(
    partnerships: Iterable[Partnership],
    councils: Mapping[str, Council],
    links: Mapping[str, CouncilLinks],
    year: int,
    service: str | None = None,
) -> tuple[Membership, ...]:
    """Members, after succession, of every partnership active in ``year`` (optionally in the
    service layer ``service``), ordered by partnership id and member code.

    A partnership counts when its status can be active and its span covers ``year``; each
    listed member that counts in the year by its own years stands for itself or, when it does
    not exist then, for the first councils along its successors that do; the partnership is
    active with enough such members. An effective member's role and own years come from the
    listed members it stands for.

    Parameters
    ----------
    partnerships:
        Every partnership of the data version, with members, services and years.
    councils:
        Councils by code (each member's and successor's).
    links:
        Each council's links by code (its successors).
    year, service:
        The year asked, and a service layer's code (None: every partnership).
    """
    stand_ins = _StandIns(councils, links, year)
    rows: list[Membership] = []
    for p in partnerships:
        if p.status not in rules.ACTIVE_STATUSES or (
            service is not None and service not in p.services
        ):
            continue
        span = p.span()
        if not span.covers(year):
            continue
        listed: dict[str, list[Member]] = {}
        for member in p.members:
            if member.covers(year):
                for code in stand_ins.of(member.code):
                    listed.setdefault(code, []).append(member)
        if not rules.enough_members(len(listed)):
            continue
        for code, stood_for in listed.items():
            rows.append(
                Membership(
                    p.id,
                    code,
                    rules.effective_role(m.role for m in stood_for),
                    p.services,
                    span.start,
                    span.start_basis.value,
                    p.last_evidence_year,
                    p.status,
                    p.name,
                    *rules.own_years([(m.from_year, m.to_year) for m in stood_for]),
                )
            )
    rows.sort(key=lambda m: (m.partnership_id, m.code))
    return tuple(rows)


class _StandIns:
    """``rules.stand_ins`` of each listed code in one year, worked out once per code."""

    def __init__(
        self, councils: Mapping[str, Council], links: Mapping[str, CouncilLinks], year: int
    ) -> None:
        self._councils = councils
        self._links = links
        self._year = year
        self._known: dict[str, tuple[str, ...]] = {}

    def of(self, code: str) -> tuple[str, ...]:
        known = self._known.get(code)
        if known is None:
            known = tuple(sorted(rules.stand_ins(code, self._exists, self._successors)))
            self._known[code] = known
        return known

    def _exists(self, code: str) -> bool:
        council = self._councils.get(code)
        return council is not None and council.exists_in(self._year)

    def _successors(self, code: str) -> tuple[str, ...]:
        found = self._links.get(code)
        return found.succeeded_by if found is not None else ()
