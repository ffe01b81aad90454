"""graph.memberships: a year's effective memberships computed from the snapshot equal
``repository.EFFECTIVE_MEMBERSHIPS``'s rows exactly, for every year and service layer of the
bundled data, and hand-worked cases (a member who left, succession, a merger, an undated
partnership, one in development, a service filter) come out as worked by hand, in Python and
in Cypher alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, LiteralString

import pytest

from graph import repository, rules, taxonomy
from graph.db import Database, Tx
from graph.memberships import effective_memberships
from graph.models import Council, CouncilLinks, Member, Membership, Partnership
from graph.schema import bump_data_version, data_version
from graph.snapshot import Snapshot

SERVICES: tuple[str | None, ...] = (None, *taxonomy.codes())


def test_python_equals_cypher_for_every_year_and_service_layer(loaded_db: Database) -> None:
    snapshot = Snapshot.read(loaded_db, data_version(loaded_db))
    first = min(p.span().start for p in snapshot.partnerships.values())
    years = range(first, rules.current_year() + 2)  # next year too: nothing undated is in it
    cases = [(year, service) for year in years for service in SERVICES]

    def read(tx: Tx) -> list[list[Membership]]:  # every case in one read transaction
        return [repository.effective_memberships_in(tx, y, s) for y, s in cases]

    cypher = loaded_db.read_transaction(read)
    before = loaded_db.round_trips
    python = [snapshot.memberships(y, s) for y, s in cases]
    assert loaded_db.round_trips == before  # computed, not read
    for (year, service), want, got in zip(cases, cypher, python, strict=True):
        assert got == tuple(want), (year, service)
    # Not vacuous: most cases have rows, with every field the statement gives.
    assert sum(1 for rows in python if rows) > len(cases) // 2
    fields = {(m.start_basis, m.member_from is None, m.role) for rows in python for m in rows}
    assert {basis for basis, _, _ in fields} == {basis.value for basis in rules.YearBasis}
    assert {own for _, own, _ in fields} == {True, False}
    assert {role for _, _, role in fields} == {"lead", "partner"}


def test_the_index_is_prepared_once_and_years_share_their_rows(loaded_db: Database) -> None:
    snapshot = Snapshot.read(loaded_db, data_version(loaded_db))
    index = snapshot.membership_index()
    earlier, later = snapshot.memberships(2015), snapshot.memberships(2016)
    assert snapshot.membership_index() is index
    rows = {(m.partnership_id, m.code): m for m in earlier}
    alike = [m for m in later if rows.get((m.partnership_id, m.code)) == m]
    assert len(alike) > len(later) // 2
    assert all(rows[m.partnership_id, m.code] is m for m in alike)  # one object, both years


# -- hand-worked cases ---------------------------------------------------------------------

ALPHA, BETA, GAMMA, DELTA, EPSILON = (f"E9900000{n}" for n in range(1, 6))
#: code -> (valid from, valid to, successor): Beta and Epsilon merged into Delta in April 2019.
COUNCILS: dict[str, tuple[date, date | None, str | None]] = {
    ALPHA: (date(1974, 4, 1), None, None),
    BETA: (date(1974, 4, 1), date(2019, 4, 1), DELTA),
    GAMMA: (date(1974, 4, 1), None, None),
    DELTA: (date(2019, 4, 1), None, None),
    EPSILON: (date(1974, 4, 1), date(2019, 4, 1), DELTA),
}
UNDATED_YEAR = rules.current_year()


def _partnerships() -> tuple[Partnership, ...]:
    def p(
        pid: str, status: str, services: tuple[str, ...], *members: Member, **years: Any
    ) -> Partnership:
        return Partnership(
            id=pid,
            name=f"Hand-worked {pid}",
            status=status,
            start_year=years.get("start"),
            end_year=None,
            annual_savings_gbp=None,
            savings_note=None,
            notes=None,
            services=services,
            members=members,
            sources=(),
            first_evidence_year=years.get("first"),
            last_evidence_year=years.get("last"),
        )

    return (
        # Beta left after 2013 (its own years end then).
        p("hand-left", "operational", ("legal",), Member(ALPHA, "lead"), Member(GAMMA, "partner"),
          Member(BETA, "partner", None, 2013), start=2010, first=2010, last=2015),
        # No stated start: from its first dated source (2012); ended with no end year: through
        # its last (2021). Beta, the lead, joined in 2014; from 2020 Delta stands for it.
        p("hand-succession", "ended", ("ict", "legal"), Member(ALPHA, "partner"),
          Member(BETA, "lead", 2014, None), first=2012, last=2021),
        # Its two members merged into one: no longer shared from 2020.
        p("hand-merged", "operational", ("procurement",), Member(BETA, "partner"),
          Member(EPSILON, "partner"), start=2015),
        # No dated source at all: placed in the current year only.
        p("hand-undated", "operational", (), Member(ALPHA, "partner"), Member(GAMMA, "lead")),
        # In development: never active, whatever its years.
        p("hand-planned", "in_development", ("legal",), Member(ALPHA, "lead"),
          Member(GAMMA, "partner"), start=2012),
    )  # fmt: skip


def _row(
    pid: str, code: str, role: str, own: tuple[int | None, int | None] = (None, None)
) -> Membership:
    """A row as worked out by hand from the partnership's own facts (above)."""
    p = next(p for p in _partnerships() if p.id == pid)
    start, basis = {
        "hand-left": (2010, "stated"),
        "hand-succession": (2012, "first_evidence"),
        "hand-merged": (2015, "stated"),
        "hand-undated": (UNDATED_YEAR, "unknown"),
    }[pid]
    return Membership(
        pid, code, role, p.services, start, basis, p.last_evidence_year, p.status, p.name, *own
    )


#: (year, service) -> the effective memberships of the hand-worked partnerships.
EXPECTED: dict[tuple[int, str | None], tuple[Membership, ...]] = {
    (2009, None): (),  # nothing has started
    (2012, None): (
        _row("hand-left", ALPHA, "lead"),
        _row("hand-left", BETA, "partner", (None, 2013)),
        _row("hand-left", GAMMA, "partner"),
    ),  # hand-succession has one member (Beta joins in 2014); hand-planned never counts
    (2016, None): (
        _row("hand-left", ALPHA, "lead"),
        _row("hand-left", GAMMA, "partner"),  # Beta left after 2013
        _row("hand-merged", BETA, "partner"),
        _row("hand-merged", EPSILON, "partner"),
        _row("hand-succession", ALPHA, "partner"),
        _row("hand-succession", BETA, "lead", (2014, None)),
    ),
    (2019, "procurement"): (  # the merger's year: the old councils keep their memberships
        _row("hand-merged", BETA, "partner"),
        _row("hand-merged", EPSILON, "partner"),
    ),
    (2020, None): (
        _row("hand-left", ALPHA, "lead"),
        _row("hand-left", GAMMA, "partner"),
        # hand-merged: Delta alone stands for both members, so it is not active.
        _row("hand-succession", ALPHA, "partner"),
        _row("hand-succession", DELTA, "lead", (2014, None)),  # for Beta, with Beta's years
    ),
    (2020, "ict"): (
        _row("hand-succession", ALPHA, "partner"),
        _row("hand-succession", DELTA, "lead", (2014, None)),
    ),
    (2021, "procurement"): (),
    (2022, "legal"): (
        _row("hand-left", ALPHA, "lead"),
        _row("hand-left", GAMMA, "partner"),
    ),  # hand-succession ended with its last source (2021)
    (UNDATED_YEAR - 1, None): (  # the undated partnership is not placed in any other year
        _row("hand-left", ALPHA, "lead"),
        _row("hand-left", GAMMA, "partner"),
    ),
    (UNDATED_YEAR, None): (
        _row("hand-left", ALPHA, "lead"),
        _row("hand-left", GAMMA, "partner"),
        _row("hand-undated", ALPHA, "partner"),
        _row("hand-undated", GAMMA, "lead"),
    ),
}


def _councils() -> dict[str, Council]:
    return {
        code: Council(code, f"Hand {code}", f"Hand {code}", (), "NMD", "lower", None, None,
                      None, None, None, start, end, ())
        for code, (start, end, _) in COUNCILS.items()
    }  # fmt: skip


def _links() -> dict[str, CouncilLinks]:
    return {
        code: CouncilLinks((), None, (), (successor,) if successor else ())
        for code, (_, _, successor) in COUNCILS.items()
    }


@pytest.mark.parametrize(("year", "service"), list(EXPECTED))
def test_hand_worked_cases_as_pure_data(year: int, service: str | None) -> None:
    got = effective_memberships(_partnerships(), _councils(), _links(), year, service)
    assert got == EXPECTED[year, service]


WRITE_HAND_GRAPH: LiteralString = """
UNWIND $councils AS row
CREATE (c:Council {code: row.code, name: row.name, kind: 'NMD', tier: 'lower',
                   validFrom: row.validFrom, validTo: row.validTo})
WITH count(*) AS written
UNWIND $successions AS pair
MATCH (a:Council {code: pair[0]}), (b:Council {code: pair[1]})
CREATE (a)-[:SUCCEEDED_BY]->(b)
WITH count(*) AS written
UNWIND $partnerships AS row
CREATE (p:Partnership)
SET p = row.props
WITH p, row
CALL (p, row) {
  UNWIND row.members AS member
  MATCH (c:Council {code: member.code})
  CREATE (c)-[:MEMBER_OF {role: member.role, fromYear: member.fromYear, toYear: member.toYear}]->(p)
}
CALL (p, row) {
  UNWIND row.services AS code
  MATCH (s:ServiceArea {code: code})
  CREATE (p)-[:COVERS]->(s)
}
"""

REMOVE_HAND_GRAPH: LiteralString = """
MATCH (n) WHERE (n:Council AND n.code IN $codes) OR (n:Partnership AND n.id IN $ids)
DETACH DELETE n
"""


def _graph_rows() -> dict[str, Any]:
    partnerships = _partnerships()
    return {
        "councils": [
            {"code": code, "name": f"Hand {code}", "validFrom": start, "validTo": end}
            for code, (start, end, _) in COUNCILS.items()
        ],
        "successions": [[code, s] for code, (_, _, s) in COUNCILS.items() if s is not None],
        "partnerships": [
            {
                "props": {
                    "id": p.id, "name": p.name, "status": p.status, "startYear": p.start_year,
                    "firstEvidenceYear": p.first_evidence_year,
                    "lastEvidenceYear": p.last_evidence_year,
                },
                "members": [
                    {"code": m.code, "role": m.role, "fromYear": m.from_year, "toYear": m.to_year}
                    for m in p.members
                ],
                "services": list(p.services),
            }
            for p in partnerships
        ],
    }  # fmt: skip


@pytest.fixture(scope="module")
def hand_graph(loaded_db: Database) -> Iterator[Database]:
    """The hand-worked councils and partnerships written beside the bundled data (their own
    codes and ids), removed afterwards; the data version moves both times, as a load's."""

    def write(tx: Tx) -> None:
        tx.run(WRITE_HAND_GRAPH, _graph_rows())
        bump_data_version(tx)

    def remove(tx: Tx) -> None:
        ids = [p.id for p in _partnerships()]
        tx.run(REMOVE_HAND_GRAPH, {"codes": list(COUNCILS), "ids": ids})
        bump_data_version(tx)

    loaded_db.write_transaction(write)
    try:
        yield loaded_db
    finally:
        loaded_db.write_transaction(remove)


def test_hand_worked_cases_in_the_graph_cypher_and_snapshot_alike(hand_graph: Database) -> None:
    snapshot = Snapshot.read(hand_graph, data_version(hand_graph))
    hand = {p.id for p in _partnerships()}
    for (year, service), expected in EXPECTED.items():
        cypher = repository.effective_memberships(hand_graph, year, service)
        python = snapshot.memberships(year, service)
        assert tuple(m for m in cypher if m.partnership_id in hand) == expected, (year, service)
        assert tuple(m for m in python if m.partnership_id in hand) == expected, (year, service)
