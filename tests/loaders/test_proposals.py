"""Proposals as data (loaders/proposals.py, loaders/proposal_files.py): a user's file loaded
all-or-nothing with exact errors, checked against the tests' own classification; past
reorganisations replayed from the register."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook

from cli.main import main
from graph import rules
from graph.db import Database
from graph.reorganisation_proposals import check_proposal, find_proposal, read_proposals
from graph.schema import data_version
from graph.settings import Settings
from graph.snapshot import Snapshots
from loaders.load import council_index_from_db
from loaders.proposal_files import load_proposal_file
from loaders.proposals import delete_proposal, register_proposals, write_register_proposals
from tests.support.reorganisation import Register, classify, rows

# Hertfordshire's ten districts split in two, named as a council officer might write them.
NORTH = ["Stevenage", "North Hertfordshire DC", "East Hertfordshire", "Broxbourne", "E07000241"]
SOUTH = ["Dacorum", "Hertsmere", "St Albans", "Three Rivers", "Watford"]


def _csv(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "proposal.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def hand_made(loaded_db: Database, tmp_path: Path) -> Iterator[str]:
    path = _csv(
        tmp_path,
        [
            "Proposal name,New council name,Member councils",
            f"Herts in two,North Herts,{';'.join(NORTH)}",
            f"Herts in two,South Herts,{';'.join(SOUTH)}",
        ],
    )
    report = load_proposal_file(loaded_db, path, council_index_from_db(loaded_db))
    assert report.errors == ()
    assert report.counts.created == 1
    yield "Herts in two"
    assert delete_proposal(loaded_db, "Herts in two")


def test_hand_made_proposal_classified_exactly(loaded_db: Database, hand_made: str) -> None:
    register = Register()
    names = {
        r["nice-name"]: r["gss-code"] for r in rows("councils/uk_local_authorities_future.csv")
    }
    names["North Hertfordshire DC"] = names["North Hertfordshire"]
    code = {n: n if n.startswith("E0") else names[n] for n in NORTH + SOUTH}
    units = {
        "North Herts": {code[n] for n in NORTH},
        "South Herts": {code[n] for n in SOUTH},
    }
    county = names["Hertfordshire"]
    snapshot = Snapshots(loaded_db).current()
    proposal = find_proposal(snapshot, hand_made)
    assert proposal is not None
    assert proposal.origin == "file"
    assert {u.name: set(u.members) for u in proposal.units} == units
    for year in (2015, rules.current_year()):
        check = check_proposal(snapshot, proposal, year)
        expected = classify(register, year, units, county)
        assert {p.partnership.id: p.placement.value for p in check.partnerships} == expected
        assert len(set(expected.values())) == 3
    assert check.unplaced == ()


def test_bad_file_refused_with_rows_and_reasons(loaded_db: Database, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        [
            "proposal,new council,members",
            "Bad,East,Elmbridge;Epsom and Ewell;Narnia District",
            "Bad,West,Guildford;Elmbridge",
            "Bad,Lonely,Woking",
        ],
    )
    before = (len(read_proposals(loaded_db)), data_version(loaded_db))
    report = load_proposal_file(loaded_db, path, council_index_from_db(loaded_db))
    found = {(e.row, e.column, e.text, e.problem.split(" (")[0]) for e in report.errors}
    assert found == {
        (2, "members", "Narnia District", "unknown council"),
        (3, "members", "Elmbridge", "the council is already in 'East'"),
        (4, "members", "Lonely", "a unit of one council"),
    }
    assert not report.written
    assert (len(read_proposals(loaded_db)), data_version(loaded_db)) == before


def test_missing_column_and_bundled_name_refused(loaded_db: Database, tmp_path: Path) -> None:
    index = council_index_from_db(loaded_db)
    missing = load_proposal_file(loaded_db, _csv(tmp_path, ["proposal,members", "A,Woking"]), index)
    assert [(e.row, e.problem) for e in missing.errors] == [(1, "missing columns: unit")]
    taken = _csv(tmp_path, ["proposal,unit,members", "surrey-two-unitaries,X,Woking;Guildford"])
    (error,) = load_proposal_file(loaded_db, taken, index).errors
    assert (error.row, error.column, error.problem) == (
        2,
        "proposal",
        "a bundled proposal has this name",
    )


def test_xlsx_file_loads_and_deletes(loaded_db: Database, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Proposal", "Unit", "Members"])
    sheet.append(["Two Surreys", "A", "Elmbridge; Woking"])
    sheet.append(["Two Surreys", "B", "Guildford; Waverley"])
    path = tmp_path / "proposal.xlsx"
    workbook.save(path)
    report = load_proposal_file(loaded_db, path, council_index_from_db(loaded_db))
    assert report.errors == ()
    assert "Two Surreys" in {p.name for p in read_proposals(loaded_db)}
    assert delete_proposal(loaded_db, "Two Surreys")
    assert not delete_proposal(loaded_db, "Two Surreys")
    assert "Two Surreys" not in {p.name for p in read_proposals(loaded_db)}


def test_reorganisations_replayed_from_the_register(loaded_db: Database) -> None:
    register = Register()
    snapshot = Snapshots(loaded_db).current()
    records = register_proposals(snapshot)
    replaced = {
        successor: {c for c, later in register.later.items() if successor in later}
        for later in register.later.values()
        for successor in later
    }
    units = {snapshot.councils_by_code[code].name: members for code, members in replaced.items()}
    assert {u.name for r in records for u in r.units} == set(units)
    for record in records:
        for unit in record.units:
            assert set(unit.members) | set(unit.partial) == units[unit.name]
    (northants,) = [r for r in records if any(u.name == "West Northamptonshire" for u in r.units)]
    assert {u.name for u in northants.units} == {"North Northamptonshire", "West Northamptonshire"}
    assert all(u.partial == ("E10000021",) for u in northants.units)
    try:
        assert write_register_proposals(loaded_db, records).created == len(records)
        assert write_register_proposals(loaded_db, records).unchanged == len(records)
        stored = [p for p in read_proposals(loaded_db) if p.origin == "register"]
        assert len(stored) == len(records)
    finally:
        for record in records:
            delete_proposal(loaded_db, record.name)


def test_cli_load_check_list_delete(
    loaded_db: Database,
    neo4j_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("NEO4J_URI", neo4j_settings.uri)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_settings.password.value)
    good = _csv(
        tmp_path,
        ["proposal,unit,members", "CLI two,A,Elmbridge;Woking", "CLI two,B,Guildford;Waverley"],
    )
    assert main(["proposals", "load", str(good)]) == 0
    assert "CLI two: 1 created" in capsys.readouterr().out
    assert main(["proposals", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith("surrey-two-unitaries\tdecided\tbundled")
    assert any(line.startswith("CLI two\tsubmitted\tfile") for line in listed)
    assert main(["proposals", "check", "surrey-two-unitaries", "--year", "2024"]) == 0
    out = capsys.readouterr().out
    assert "checked against the partnerships active in 2024" in out
    assert "crossing units (need a new agreement)" in out
    assert "spans units: Surrey County" in out or "spans units: Surrey" in out
    assert main(["proposals", "delete", "CLI two"]) == 0
    assert main(["proposals", "delete", "CLI two"]) == 1
    assert main(["proposals", "delete", "surrey-two-unitaries"]) == 1
    assert "is a bundled proposal" in capsys.readouterr().err
    assert any(p.name == "surrey-two-unitaries" for p in read_proposals(loaded_db))
    bad = _csv(tmp_path, ["proposal,unit,members", "CLI bad,A,Elmbridge;Narnia"])
    assert main(["proposals", "load", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "row 2, column 'members': unknown council ('Narnia')" in err
    assert "nothing written" in err
    assert main(["proposals", "check", "no such proposal"]) == 1
