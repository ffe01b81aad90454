"""View data read from the real test Neo4j with the bundled data loaded."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import pytest

from graph import repository
from graph.db import Database
from graph.snapshot import Snapshots
from visualisation import ViewData, ViewOptions, render_council, render_map
from visualisation.cli import EXIT_USAGE, add_render_arguments, run_render
from visualisation.data import ViewDataSource, peers_for, read_view_data

BASINGSTOKE = "E07000084"
EAST_HAMPSHIRE = "E07000085"
HAMPSHIRE = "E10000014"
SOMERSET_COUNCIL = "E06000066"
SOUTH_SOMERSET = "E07000189"


@pytest.fixture(scope="module")
def data_2012(loaded_db: Database) -> ViewData:
    return read_view_data(loaded_db, 2012)


def test_councils_partnerships_and_borders_of_a_year(
    data_2012: ViewData, loaded_db: Database
) -> None:
    codes = {c.code for c in data_2012.councils}
    assert {BASINGSTOKE, EAST_HAMPSHIRE, HAMPSHIRE} <= codes
    assert SOMERSET_COUNCIL not in codes  # created in 2023
    assert len(data_2012.partnerships) == len(repository.all_partnership_ids(loaded_db))
    assert (BASINGSTOKE, EAST_HAMPSHIRE) in data_2012.borders


def test_active_partnerships_agree_with_the_repository(
    data_2012: ViewData, loaded_db: Database
) -> None:
    expected: dict[str, set[str]] = {}
    for membership in repository.effective_memberships(loaded_db, 2012):
        expected.setdefault(membership.partnership_id, set()).add(membership.code)
    ours = {p.id: set(p.members) for p in data_2012.partnerships if p.is_active(2012)}
    assert ours == expected


def test_outlines_follow_territories(data_2012: ViewData, loaded_db: Database) -> None:
    assert data_2012.outlines[BASINGSTOKE]
    assert HAMPSHIRE not in data_2012.outlines  # drawn by its districts
    data_2024 = read_view_data(loaded_db, 2024)
    assert SOUTH_SOMERSET not in data_2024.outlines
    # Somerset Council's territory: the four (later five) districts it replaced.
    assert len(data_2024.outlines[SOMERSET_COUNCIL]) >= 4


def test_views_render_from_the_graph(data_2012: ViewData) -> None:
    page = render_map(data_2012, ViewOptions(services=("legal",)))
    assert "Basingstoke and Deane" in page
    with_peers = dataclasses.replace(data_2012, peers=peers_for(data_2012, BASINGSTOKE))
    page = render_council(with_peers, ViewOptions(services=("legal",)), BASINGSTOKE)
    assert "Basingstoke and Deane: partnerships, partners, borders and peers, 2012" in page


def test_peers_come_from_the_analysis(data_2012: ViewData) -> None:
    peers = peers_for(data_2012, BASINGSTOKE)
    assert 0 < len(peers) <= 5
    assert all(p.code == BASINGSTOKE and p.peer != BASINGSTOKE for p in peers)
    assert peers == tuple(sorted(peers, key=lambda p: -p.score))
    legal = peers_for(data_2012, BASINGSTOKE, service="legal")
    legal_sharers = {
        m
        for p in data_2012.partnerships
        if p.is_active(2012) and "legal" in p.services
        for m in p.members
    }
    assert legal
    assert all(p.peer in legal_sharers for p in legal)


def test_source_rereads_only_when_the_data_changes(loaded_db: Database) -> None:
    source = ViewDataSource(Snapshots(loaded_db))
    first = source.view_data(2013)
    before = loaded_db.round_trips
    again = source.view_data(2013)
    assert again is first
    assert loaded_db.round_trips - before == 1  # the data version only
    focused = source.view_data(2013, peers_of=BASINGSTOKE)
    assert focused.peers
    assert focused.councils is first.councils


def test_render_command_writes_one_offline_file(loaded_db: Database, tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_render_arguments(parser)
    out = tmp_path / "council.html"
    args = parser.parse_args(
        [
            "council",
            "--code",
            BASINGSTOKE,
            "--year",
            "2012",
            "--service",
            "legal",
            "--out",
            str(out),
        ]
    )
    assert run_render(args, loaded_db) == 0
    page = out.read_text(encoding="utf-8")
    assert "Basingstoke and Deane" in page
    assert "<script src" not in page
    bad = parser.parse_args(["network", "--service", "legall", "--out", str(out)])
    assert run_render(bad, loaded_db) == EXIT_USAGE
