"""A year's effective memberships, computed in Python from what the snapshot already holds.

The per-version snapshot (``graph.snapshot``) reads every partnership once, with its listed
members (their own years and roles), status, years and services, and every council with its
years and successors. A year's effective memberships follow from those by the rules of time
(``graph.rules``, data/README.upstream.md "Meaning of the partnership data"): so a year view
needs no read of its own, where ``repository.EFFECTIVE_MEMBERSHIPS`` took seconds per (year,
service) at 100x the bundled data (bench/results/memberships.md).

:class:`MembershipIndex` gives exactly the rows ``repository.effective_memberships`` reads with
that statement, in its order and with every field (tests/graph/test_memberships.py holds the
two equal for every year and service layer). Nothing here restates a rule: each step calls its
Python twin in ``graph.rules`` (directly or through the models' methods). What does not depend
on the year asked (each partnership's span and services, and each row, which reads the same in
every year it appears) is prepared once and shared by every year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from graph import rules
from graph.models import Council, CouncilLinks, Member, Membership, Partnership

__all__ = ["MembershipIndex", "effective_memberships"]


class MembershipIndex:
    """Every year's effective memberships of one snapshot's partnerships and councils.

    Prepared once (per data version and current year: an undated partnership's span is the
    current year), then :meth:`year` for any (year, service). Thread-safe: it only adds rows
    to a dict, each the same whichever thread adds it first.
    """

    def __init__(
        self,
        partnerships: Iterable[Partnership],
        councils: Mapping[str, Council],
        links: Mapping[str, CouncilLinks],
        *,
        current: int | None = None,
    ) -> None:
        """``current``: the current year an undated partnership is placed in (default: this
        one), read once, so that every span of the index is of the same year."""
        current = rules.current_year() if current is None else current
        self._councils = councils
        self._links = links
        # The partnerships whose status can be active, with their spans, in the statement's
        # order (by id).
        self._candidates: tuple[tuple[Partnership, rules.Span], ...] = tuple(
            (p, p.span(current))
            for p in sorted(partnerships, key=lambda p: p.id)
            if p.status in rules.ACTIVE_STATUSES
        )
        # What each of a candidate's rows says of the partnership, whoever the member.
        self._facts = tuple(
            (p.services, span.start, span.start_basis.value, p.last_evidence_year, p.status, p.name)
            for p, span in self._candidates
        )
        self._rows: dict[tuple[int, str, tuple[int, ...]], Membership] = {}

    def year(self, year: int, service: str | None = None) -> tuple[Membership, ...]:
        """Members, after succession, of every partnership active in ``year`` (optionally in
        the service layer ``service``), ordered by partnership id and member code.

        A partnership counts when its status can be active and its span covers ``year``; each
        listed member that counts in the year by its own years stands for itself or, when it
        does not exist then, for the first councils along its successors that do; the
        partnership is active with enough such members. An effective member's role and own
        years come from the listed members it stands for.
        """
        stand_ins = _StandIns(self._councils, self._links, year)
        rows: list[Membership] = []
        for n, (p, span) in enumerate(self._candidates):
            if not span.covers(year) or (service is not None and service not in p.services):
                continue
            listed: dict[str, list[int]] = {}
            for i, member in enumerate(p.members):
                if member.covers(year):
                    for code in stand_ins.of(member.code):
                        listed.setdefault(code, []).append(i)
            if rules.enough_members(len(listed)):
                rows += [self._row(n, code, tuple(listed[code])) for code in sorted(listed)]
        return tuple(rows)

    def _row(self, n: int, code: str, stood_for: tuple[int, ...]) -> Membership:
        """The row of the effective member ``code`` of candidate ``n``, standing for its listed
        members ``stood_for`` (indices): the same object in every year it appears."""
        key = (n, code, stood_for)
        row = self._rows.get(key)
        if row is None:
            p = self._candidates[n][0]
            members: list[Member] = [p.members[i] for i in stood_for]
            row = Membership(
                p.id,
                code,
                rules.effective_role([m.role for m in members]),
                *self._facts[n],
                *rules.own_years([(m.from_year, m.to_year) for m in members]),
            )
            row = self._rows.setdefault(key, row)
        return row


def effective_memberships(
    partnerships: Iterable[Partnership],
    councils: Mapping[str, Council],
    links: Mapping[str, CouncilLinks],
    year: int,
    service: str | None = None,
) -> tuple[Membership, ...]:
    """One year's effective memberships (:meth:`MembershipIndex.year`) without keeping the
    index: for one-off callers and hand-worked cases."""
    return MembershipIndex(partnerships, councils, links).year(year, service)


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
            known = tuple(rules.stand_ins(code, self._exists, self._successors))
            self._known[code] = known
        return known

    def _exists(self, code: str) -> bool:
        council = self._councils.get(code)
        return council is not None and council.exists_in(self._year)

    def _successors(self, code: str) -> tuple[str, ...]:
        found = self._links.get(code)
        return found.succeeded_by if found is not None else ()
