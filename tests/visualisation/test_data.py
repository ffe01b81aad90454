"""View data read from the real test Neo4j with the bundled data loaded."""

from __future__ import annotations

import argparse
import csv
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any, LiteralString

import pytest

from graph import repository
from graph.db import Database
from graph.schema import DATA_VERSION
from graph.snapshot import Snapshots
from tests.support.paths import ROOT
from visualisation import ViewData, ViewOptions, render_council, render_map
from visualisation.cli import EXIT_USAGE, add_render_arguments, run_render
from visualisation.data import ViewDataSource, peers_for, read_view_data
from visualisation.graphs import select
from visualisation.options import STATUS_CHOICES
from visualisation.views import view_html

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


class RecordingDatabase(Database):
    """The test database itself (same driver), noting each read: its statement, parameters
    and rows, to show what a view asks Neo4j for."""

    def __init__(self, db: Database) -> None:
        super().__init__(db.driver, db.name, db.uri)
        self.reads: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = []

    def read(
        self,
        query: LiteralString,
        parameters: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> list[dict[str, Any]]:
        rows = super().read(query, parameters, timeout=timeout)
        self.reads.append((query, dict(parameters or {}), rows))
        return rows


def _csv_partnerships_covering(service: str) -> set[str]:
    with (ROOT / "data" / "partnerships" / "partnerships_cited.csv").open(encoding="utf-8") as f:
        return {
            row["id"] for row in csv.DictReader(f) if service in row["service_areas"].split(";")
        }


def test_a_one_service_view_reads_only_that_service(loaded_db: Database) -> None:
    recording = RecordingDatabase(loaded_db)
    source = ViewDataSource(Snapshots(recording))
    whole = source.view_data(2015)  # the snapshot and the whole year's network, read once
    recording.reads.clear()
    legal = ViewOptions(year=2015, services=("legal",))
    data = source.view_data(2015, legal)

    # One statement beyond the version, and the service is its parameter.
    assert [query for query, _, _ in recording.reads] == [
        DATA_VERSION,
        repository.VIEW_PARTNERSHIPS,
    ]
    _, parameters, rows = recording.reads[1]
    assert parameters["services"] == ["legal"]
    read = {row["partnershipId"] for row in rows}
    # Every row read covers legal services (per the bundled CSV), and they are what the
    # view shows: the active legal partnerships, not the year's others.
    assert read <= _csv_partnerships_covering("legal")
    assert read == {p.id for p in select(whole, legal).partnerships}
    assert len(read) < sum(p.is_active(2015) for p in whole.partnerships)
    assert {p.id for p in data.partnerships} == read
    # The layout's whole-year network is the same object, not read again.
    assert data.year_network is whole.year_network


@pytest.mark.parametrize("year", [2011, 2019, 2026])
def test_filters_in_cypher_keep_what_the_views_selection_keeps(
    loaded_db: Database, year: int
) -> None:
    snapshot = Snapshots(loaded_db).current()
    everything = read_view_data(snapshot, year, outlines=False)
    for status in STATUS_CHOICES:
        for services in [(), ("legal",), ("ict", "waste_environment")]:
            for region in [None, "South East", "London"]:
                options = ViewOptions(year=year, services=services, status=status, region=region)
                filtered = read_view_data(snapshot, year, options, outlines=False)
                expected = select(everything, options)
                shown = {p.id: p for p in filtered.partnerships if p.members}
                assert shown == {p.id: p for p in expected.partnerships}, options
                assert select(filtered, options) == dataclasses.replace(expected, data=filtered), (
                    options
                )
    # Filtering never moves a node: the pages drawn from the filtered read are the same.
    for options in [ViewOptions(services=("legal",)), ViewOptions(two_mode=True, status="all")]:
        filtered = read_view_data(snapshot, year, options, outlines=False)
        assert view_html(filtered, options) == view_html(everything, options)
