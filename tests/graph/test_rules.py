"""graph.rules: its examples, hand-worked cases, and its Cypher and Python twins agreeing on the
whole bundled data for every year from 2009 to now."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

from graph import repository, rules
from graph.db import Database
from graph.rules import Span, YearBasis, partnership_span


def test_docstring_examples() -> None:
    result = doctest.testmod(rules, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 6
    assert result.failed == 0


@pytest.mark.parametrize(
    ("status", "start", "end", "first", "last", "expected"),
    [
        ("operational", 2012, None, 2009, 2020, Span(2012, YearBasis.STATED, None)),
        # No stated start: known from the first dated source, never earlier.
        ("operational", None, None, 2017, 2021, Span(2017, YearBasis.FIRST_EVIDENCE, None)),
        # Ended, no end year: runs through its latest dated source.
        ("ended", None, None, 2010, 2015, Span(2010, YearBasis.FIRST_EVIDENCE, 2015)),
        ("ended", 2008, 2013, 2010, 2015, Span(2008, YearBasis.STATED, 2013)),
        # No dated source: the current year only (here 2026), whatever its status.
        ("operational", None, None, None, None, Span(2026, YearBasis.UNKNOWN, None)),
        ("ended", None, None, None, None, Span(2026, YearBasis.UNKNOWN, None)),
    ],
)
def test_partnership_span(
    status: str,
    start: int | None,
    end: int | None,
    first: int | None,
    last: int | None,
    expected: Span,
) -> None:
    got = partnership_span(
        status=status,
        start_year=start,
        end_year=end,
        first_evidence=first,
        last_evidence=last,
        current=2026,
    )
    assert got == expected


def test_evidence_years_read_dates_as_the_data_readme_says() -> None:
    dates = ["c.2012", "n.d.", "undated (c.2009)", "2008-10/2009", None, "2019-2020", "2020-03-18"]
    assert rules.evidence_years(dates) == (2008, 2020)
    assert rules.evidence_years(["n.d.", "undated"]) == (None, None)


def test_old_evidence_is_named_only_for_operational_partnerships() -> None:
    assert rules.not_confirmed_since("operational", 2012, 2018) == 2012
    assert rules.not_confirmed_since("operational", 2013, 2018) is None  # within 5 years
    assert rules.not_confirmed_since("ended", 2012, 2018) is None
    assert rules.not_confirmed_since("operational", None, 2018) is None


def test_member_years_are_parsed_or_refused_with_the_entry() -> None:
    assert rules.parse_member_years("E07000004:2015-;E09000018:-2019") == [
        rules.MemberYears("E07000004", 2015, None),
        rules.MemberYears("E09000018", None, 2019),
    ]
    for bad in ("E07000004", "E07000004:-", "E07000004:2019-2015", "Aylesbury:2015-"):
        with pytest.raises(ValueError, match=r"E07000004|Aylesbury"):
            rules.parse_member_years(bad)


def test_years_out_of_range_name_the_range() -> None:
    assert rules.check_year(2009) == 2009
    assert rules.resolve_year(None) == rules.current_year()
    with pytest.raises(rules.YearOutOfRange, match=f"from 2009 to {rules.current_year()}"):
        rules.check_year(2008)


def test_cypher_and_python_agree_on_every_year(loaded_db: Database) -> None:
    councils = {c.code: c for c in repository.all_councils(loaded_db)}
    links = repository.council_links(loaded_db, list(councils))
    partnerships = repository.partnerships_by_ids(
        loaded_db, repository.all_partnership_ids(loaded_db)
    )
    for year in range(rules.FIRST_YEAR, rules.current_year() + 1):
        python: set[tuple[str, str]] = set()
        for p in partnerships.values():
            if p.status not in rules.ACTIVE_STATUSES or not p.span().covers(year):
                continue
            members: set[str] = set()
            for m in p.members:
                if m.covers(year):
                    members |= rules.stand_ins(
                        m.code,
                        lambda c: councils[c].exists_in(year),  # noqa: B023 (used at once)
                        lambda c: links[c].succeeded_by,
                    )
            if len(members) >= 2:
                python |= {(p.id, code) for code in members}
        cypher = {
            (m.partnership_id, m.code) for m in repository.effective_memberships(loaded_db, year)
        }
        assert python == cypher, year
        assert python, year


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        (10, set()),  # ten successions on: past the bound, as SUCCEEDED_BY*0..8 stops
        (8, {"C8"}),  # eight: the last the walk reaches
        (0, {"C0"}),  # the listed council itself
    ],
)
def test_stand_ins_follow_at_most_the_cypher_bound(existing: int, expected: set[str]) -> None:
    chain = {f"C{i}": [f"C{i + 1}"] for i in range(12)}  # C0 -> C1 -> ... -> C12
    assert rules.SUCCESSION_STEPS == 8
    found = rules.stand_ins(
        "C0", lambda code: code == f"C{existing}", lambda code: chain.get(code, [])
    )
    assert found == expected


def test_stand_ins_take_each_path_to_its_first_existing_council() -> None:
    # A -> B (exists) -> D (exists); A -> C -> D: D stands in along A-C-D, B along A-B.
    later = {"A": ["B", "C"], "B": ["D"], "C": ["D"]}
    exists = {"B", "D"}.__contains__
    assert rules.stand_ins("A", exists, lambda code: later.get(code, [])) == {"B", "D"}


def test_every_succession_walk_in_cypher_has_the_python_bound() -> None:
    graph_dir = Path(rules.__file__).parent
    walks = [
        walk
        for path in graph_dir.rglob("*.py")
        for walk in re.findall(r"SUCCEEDED_BY\*[0-9.]*", path.read_text(encoding="utf-8"))
    ]
    assert walks  # the statements are where this looks
    assert set(walks) == {f"SUCCEEDED_BY*0..{rules.SUCCESSION_STEPS}"}
