"""The views as pure functions of fictional example data: content, filters, safety, offline."""

# ruff: noqa: N806 - networkx convention: the graph is G

from __future__ import annotations

import csv
import dataclasses
import doctest
import json
import os
import re
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.support.examples import (
    COUNTY,
    EASTFORD,
    LONELY_VALE,
    NORTHTON,
    RIVERSIDE,
    SOUTHBY,
    WESTWICK,
    example_view_data,
)
from tests.support.paths import ROOT
from visualisation import (
    ATTRIBUTION,
    Council,
    Partnership,
    UnknownCouncilError,
    ViewData,
    ViewOptions,
    network_view,
    render_council,
    render_map,
    render_network,
    view_html,
)
from visualisation.graphs import (
    council_view_graph,
    network_graph,
    select,
    two_mode_graph,
)
from visualisation.layout import component_layout
from visualisation.model import SERVICES
from visualisation.page import is_web_link, script_json
from visualisation.style import BORDER_COLOUR, PEER_COLOUR, SERVICE_COLOURS
from visualisation.views import SINGLETON_FILL

XSS = "<img src=x onerror=alert(1)>"
EXTERNAL_REF = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
CDN = re.compile(r"https?://(cdn|unpkg|cdnjs|esm\.sh|fonts\.googleapis)", re.I)

T = TypeVar("T")


def fake_bng(lon: float, lat: float) -> tuple[float, float]:
    """A stand-in projection (metres-ish, y north) so tests don't depend on pyproj."""
    return (lon + 2.0) * 70_000.0, (lat - 49.0) * 111_000.0


@pytest.fixture(scope="module")
def data() -> ViewData:
    return example_view_data(project=fake_bng)


def json_block(page: str, element_id: str) -> Any:
    match = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', page, re.S
    )
    assert match, element_id
    return json.loads(match.group(1))


def test_network_page_is_one_offline_document(data: ViewData) -> None:
    page = render_network(data, ViewOptions())
    assert page.startswith("<!doctype html>")
    assert "<script src" not in page
    assert '<link rel="stylesheet"' not in page
    assert not EXTERNAL_REF.search(page)
    assert not CDN.search(page)
    assert "vis-network" in page  # inlined from pyvis's package folder
    assert "Shared services between English councils, 2015" in page
    assert ATTRIBUTION.replace("©", "©") in page
    assert "Legend" in page


def test_page_data_lists_each_councils_partnerships_with_caveats(data: ViewData) -> None:
    page_data = json_block(render_network(data, ViewOptions()), "cg-page")
    northton = page_data["councils"][NORTHTON]
    assert northton["name"] == "Northton"
    assert sorted(northton["partnerships"]) == ["northton-eastford-ict", "shire-legal"]
    legal = page_data["partnerships"]["shire-legal"]
    assert legal["savings"] == 250_000
    assert legal["savingsNote"] == "Target, for the county only"
    assert legal["services"] == ["Legal services"]
    assert [s["link"] for s in legal["sources"]] == [True, False]  # javascript: is not a link
    assert page_data["councils"][LONELY_VALE]["partnerships"] == []
    assert "never summed" in page_data["savingsCaveat"]


def test_markup_in_data_is_never_markup_in_the_page(data: ViewData) -> None:
    hostile = dataclasses.replace(
        data,
        partnerships=(
            *data.partnerships,
            Partnership(
                id="x</script><script>alert(2)</script>",
                name=XSS,
                status="operational",
                services=("legal",),
                members=(NORTHTON, WESTWICK),
                start_year=2010,
                savings_note="<b>bold</b> & co",
            ),
        ),
        councils=(
            *data.councils[:-1],
            dataclasses.replace(data.councils[-1], name="River</script><!--side"),
        ),
    )
    for page in (
        render_network(hostile, ViewOptions()),
        render_network(hostile, ViewOptions(two_mode=True)),
        render_map(hostile, ViewOptions(), project=fake_bng),
        render_council(hostile, ViewOptions(), NORTHTON),
    ):
        assert XSS not in page
        assert "<script>alert(2)" not in page
        assert "</script><!--side" not in page
        assert "<b>bold</b>" not in page
        page_data = json_block(page, "cg-page")
        assert page_data["partnerships"]["x</script><script>alert(2)</script>"]["name"] == XSS
        assert page_data["councils"][RIVERSIDE]["name"] == "River</script><!--side"


def test_script_json_escapes_what_could_end_a_script() -> None:
    encoded = str(script_json({"a": "</script><!-- & \u2028"}))
    assert "<" not in encoded
    assert ">" not in encoded
    assert "&" not in encoded
    assert json.loads(encoded) == {"a": "</script><!-- & \u2028"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a", True),
        ("HTTP://example.org", True),
        ("javascript:alert(1)", False),
        ("data:text/html,hi", False),
        ("//example.org/x", False),
        ("example.org", False),
    ],
)
def test_only_http_links_are_links(url: str, expected: bool) -> None:
    assert is_web_link(url) is expected


def test_default_selection_is_partnerships_active_in_the_year(data: ViewData) -> None:
    selection = select(data, ViewOptions())
    assert [p.id for p in selection.partnerships] == [
        "northton-eastford-ict",
        "riverside-westwick-revenues",
        "shire-legal",
    ]
    assert selection.counts[NORTHTON] == 2
    assert selection.counts[LONELY_VALE] == 0


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (ViewOptions(services=("ict",)), ["northton-eastford-ict"]),
        (ViewOptions(services=("legal", "ict")), ["northton-eastford-ict", "shire-legal"]),
        (ViewOptions(status="in_development"), ["southby-eastford-planning"]),
        (ViewOptions(status="ended"), []),  # it ended in 2011, before 2015
        (ViewOptions(region="South West"), ["riverside-westwick-revenues"]),
    ],
)
def test_filters_choose_partnerships(
    data: ViewData, options: ViewOptions, expected: list[str]
) -> None:
    assert [p.id for p in select(data, options).partnerships] == expected


def test_region_keeps_partners_elsewhere_but_marks_them(data: ViewData) -> None:
    selection = select(data, ViewOptions(region="South West"))
    assert set(selection.councils) == {RIVERSIDE, WESTWICK}
    assert selection.in_scope == frozenset({RIVERSIDE})
    G = network_graph(selection)
    assert G.nodes[WESTWICK]["color"]["background"] == "#cfd4da"


def test_network_graph_sizes_widths_and_colours(data: ViewData) -> None:
    G = network_graph(select(data, ViewOptions()))
    assert G.nodes[NORTHTON]["size"] > G.nodes[EASTFORD]["size"] > G.nodes[LONELY_VALE]["size"]
    assert G.nodes[LONELY_VALE]["color"]["background"] == "#ffffff"  # singleton: hollow
    assert G.edges[NORTHTON, EASTFORD]["width"] > G.edges[NORTHTON, SOUTHBY]["width"]
    assert not G.has_edge(SOUTHBY, EASTFORD)  # only in development
    legal = network_graph(select(data, ViewOptions(services=("legal",))))
    assert legal.edges[COUNTY, NORTHTON]["color"]["color"] == SERVICE_COLOURS["legal"]
    assert legal.number_of_edges() == 3
    assert "<" not in json.dumps(dict(G.nodes(data="title")))


def test_positions_are_seeded_and_stay_put_across_filters(data: ViewData) -> None:
    every = network_graph(select(data, ViewOptions()))
    legal = network_graph(select(data, ViewOptions(services=("legal",))))
    again = network_graph(select(data, ViewOptions()))
    for code in every.nodes:
        assert (every.nodes[code]["x"], every.nodes[code]["y"]) == (
            legal.nodes[code]["x"],
            legal.nodes[code]["y"],
        )
        assert every.nodes[code]["x"] == again.nodes[code]["x"]


def test_two_mode_graph_has_partnership_nodes(data: ViewData) -> None:
    G = two_mode_graph(select(data, ViewOptions()))
    assert G.has_edge(COUNTY, "p:shire-legal")
    assert G.nodes["p:shire-legal"]["shape"] == "square"
    assert not G.has_edge(COUNTY, NORTHTON)


def test_council_view_has_partners_borders_and_peers(data: ViewData) -> None:
    G = council_view_graph(select(data, ViewOptions()), NORTHTON)
    assert G.nodes[NORTHTON]["x"] == 0.0
    assert G.nodes[NORTHTON]["y"] == 0.0
    assert G.has_edge(NORTHTON, "p:shire-legal")
    assert G.has_edge(SOUTHBY, "p:shire-legal")
    assert G.edges[NORTHTON, WESTWICK]["color"]["color"] == BORDER_COLOUR
    assert G.edges[NORTHTON, LONELY_VALE]["color"]["color"] == BORDER_COLOUR  # border wins
    assert G.edges[NORTHTON, SOUTHBY]["color"]["color"] == PEER_COLOUR
    page_data = json_block(render_council(data, ViewOptions(), NORTHTON), "cg-page")
    assert page_data["focus"] == NORTHTON
    assert [b["code"] for b in page_data["borders"]] == sorted([WESTWICK, EASTFORD, LONELY_VALE])
    assert page_data["peers"][0] == {
        "code": SOUTHBY,
        "reason": "both districts in the South East, 98k people (you: 112k), 27 km apart",
        "partnerships": [],  # the example's peers name no partnership
        "govUkUrl": None,
    }


def test_council_view_rejects_unknown_codes_helpfully(data: ViewData) -> None:
    with pytest.raises(UnknownCouncilError, match="closest: Northton"):
        render_council(data, ViewOptions(), "Northon")
    with pytest.raises(UnknownCouncilError, match="E07900001"):
        render_council(data, ViewOptions(), "E07900091")


def test_map_places_councils_by_projection_and_shades_outlines(data: ViewData) -> None:
    page = render_map(data, ViewOptions(), project=fake_bng)
    graph = json_block(page, "cg-graph")
    page_data = json_block(page, "cg-page")
    node = next(n for n in graph["nodes"] if n["id"] == NORTHTON)
    easting, northing = fake_bng(-1.15, 51.32)
    assert node["x"] == pytest.approx(easting / 500, abs=0.1)
    assert node["y"] == pytest.approx(-northing / 500, abs=0.1)
    assert graph["options"]["physics"]["enabled"] is False
    assert COUNTY not in page_data["outlines"]  # a county is drawn by its districts
    assert page_data["shade"][LONELY_VALE] == SINGLETON_FILL
    assert page_data["shade"][NORTHTON] != page_data["shade"][EASTFORD]
    assert 'id="cg-physics"' not in page


def test_councils_without_a_location_are_named_not_drawn(data: ViewData) -> None:
    lost = dataclasses.replace(
        data, councils=(*data.councils, Council("E07900099", "Nowhere", "district", "lower"))
    )
    page = render_map(lost, ViewOptions(), project=fake_bng)
    assert "not on the map (no location): Nowhere" in page
    assert all(n["id"] != "E07900099" for n in json_block(page, "cg-graph")["nodes"])


def test_physics_is_off_unless_asked(data: ViewData) -> None:
    off = json_block(render_network(data, ViewOptions()), "cg-graph")
    on = json_block(render_network(data, ViewOptions(physics=True)), "cg-graph")
    assert off["options"]["physics"]["enabled"] is False
    assert on["options"]["physics"]["enabled"] is True


def test_rendering_is_deterministic(data: ViewData) -> None:
    assert render_network(data, ViewOptions()) == render_network(data, ViewOptions())


def test_notebook_network_renders_the_same_offline_page(data: ViewData) -> None:
    net = network_view(data, ViewOptions(services=("legal",)))
    assert len(net.nodes) == len(data.councils)
    assert net.generate_html() == view_html(data, ViewOptions(services=("legal",)))
    assert net.generate_html(notebook=True) == net.generate_html()


def test_rendering_writes_no_files(
    data: ViewData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    render_network(data, ViewOptions(two_mode=True))
    render_map(data, ViewOptions(), project=fake_bng)
    render_council(data, ViewOptions(), NORTHTON)
    assert os.listdir(tmp_path) == []


def test_service_layers_match_the_taxonomy_file() -> None:
    path = ROOT / "data" / "taxonomy" / "service_areas.csv"
    with path.open(encoding="utf-8") as handle:
        rows = [(r["code"], r["label"], r["office"]) for r in csv.DictReader(handle)]
    assert [(s.code, s.label, s.office) for s in SERVICES] == rows
    assert len({s.colour for s in SERVICES}) == len(SERVICES)


def test_component_layout_is_seeded_and_places_every_node() -> None:
    nodes = ["a", "b", "c", "d", "e"]
    edges = [("a", "b", 1.0), ("b", "c", 2.0)]
    first = component_layout(nodes, edges, seed=3)
    assert set(first) == set(nodes)
    assert component_layout(nodes, list(reversed(edges)), seed=3) == first
    assert len(set(first.values())) == len(nodes)


@pytest.mark.parametrize("module", ["visualisation.layout", "tests.support.examples"])
def test_docstring_examples_run(module: str) -> None:
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0
    assert result.failed == 0


def _with_big_partnership(data: ViewData, members: int) -> tuple[ViewData, list[str]]:
    """The example plus ``members`` more councils in one operational partnership."""
    extra = [
        Council(
            code=f"E07990{i:03d}",
            name=f"Member {i:02d}",
            kind="district",
            tier="lower",
            region="South East",
            lat=51.0 + i * 0.01,
            lon=0.5 + (i % 5) * 0.01,
        )
        for i in range(members)
    ]
    codes = [c.code for c in extra]
    big = Partnership(
        id="big", name="Big Alliance", status="operational", services=("ict",),
        members=tuple(codes), start_year=2010,
    )  # fmt: skip
    return (
        dataclasses.replace(
            data,
            councils=(*data.councils, *extra),
            partnerships=(*data.partnerships, big),
        ),
        codes,
    )


def test_a_26_member_partnership_is_a_hub_with_26_lines(data: ViewData) -> None:
    from visualisation.graphs import map_graph
    from visualisation.style import HUB_MIN_MEMBERS

    assert HUB_MIN_MEMBERS == 4
    big, codes = _with_big_partnership(data, 26)
    for G in (
        network_graph(select(big, ViewOptions())),
        map_graph(select(big, ViewOptions()), fake_bng)[0],
    ):
        assert G.degree("p:big") == 26
        assert sum(1 for a, b in G.edges if a in codes and b in codes) == 0
        assert G.nodes["p:big"]["shape"] == "square"
    old = network_graph(select(big, ViewOptions(hubs=False)))
    assert "p:big" not in old
    assert sum(1 for a, b in old.edges if a in codes and b in codes) == 325
    # Two- and three-member partnerships stay lines between members.
    small = network_graph(select(data, ViewOptions()))
    assert not any(str(node).startswith("p:") for node in small)


def test_map_dots_are_moved_apart_but_stay_near_their_centroids(data: ViewData) -> None:
    import math

    from visualisation.graphs import map_graph

    big, _ = _with_big_partnership(data, 26)  # 26 councils ~1 km apart: dots collide
    G, _unplaced = map_graph(select(big, ViewOptions()), fake_bng)
    dots = [n for n in G if not str(n).startswith("p:")]
    for i, a in enumerate(dots):
        for b in dots[i + 1 :]:
            gap = math.dist((G.nodes[a]["x"], G.nodes[a]["y"]), (G.nodes[b]["x"], G.nodes[b]["y"]))
            assert gap >= G.nodes[a]["size"] + G.nodes[b]["size"] - 0.2, (a, b)
    # Councils far from any other stay exactly where they are.
    riverside = next(c for c in data.councils if c.code == RIVERSIDE)
    assert riverside.lon is not None
    assert riverside.lat is not None
    x, y = fake_bng(riverside.lon, riverside.lat)
    assert (G.nodes[RIVERSIDE]["x"], G.nodes[RIVERSIDE]["y"]) == (
        round(x / 500.0, 1),
        round(-y / 500.0, 1),
    )


def test_status_all_shows_every_status_styled_in_the_legend(data: ViewData) -> None:
    selection = select(data, ViewOptions(status="all"))
    assert {p.status for p in selection.partnerships} >= {"operational"}
    assert len(selection.partnerships) >= len(select(data, ViewOptions()).partnerships)
    page = render_network(data, ViewOptions(status="all"))
    for label in ("Operational", "Ended", "In development", "Abandoned"):
        assert f"{label}</li>" in page
    assert ViewOptions.from_query({"status": "all"}).status == "all"
    assert ViewOptions.from_query({"hubs": "false"}).hubs is False
    assert ViewOptions.from_query({}).hubs is True
    assert ("hubs", "false") in ViewOptions(hubs=False).to_query()


def test_view_update_carries_what_the_slider_redraws(data: ViewData) -> None:
    from visualisation.views import view_update

    update = view_update(data, ViewOptions(), view="map", project=fake_bng)
    page = render_map(data, ViewOptions(), project=fake_bng)
    graph = json_block(page, "cg-graph")
    assert update["nodes"] == graph["nodes"]
    assert update["edges"] == graph["edges"]
    assert update["page"] == json_block(page, "cg-page")
    assert update["title"] in page
    assert update["subtitle"] in page
    json.dumps(update)  # JSON-ready


def test_the_slider_routes_answer_json_400_and_a_plain_503(data: ViewData) -> None:
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from visualisation.routes import view_routes

    class Down(Exception):
        pass

    class Source:
        def __init__(self, fail: bool) -> None:
            self.fail = fail

        def view_data(
            self,
            year: int | None = None,
            options: ViewOptions | None = None,
            *,
            peers_of: str | None = None,
            peers_service: str | None = None,
        ) -> ViewData:
            if self.fail:
                raise Down("bolt://secret-host:7687 refused")
            return data

        def council_code(self, text: str, year: int | None) -> str:
            return text  # fixed data: the view itself says when a code is unknown

        def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
            return compute()  # fixed data: nothing changes, nothing to keep

    up = TestClient(Starlette(routes=view_routes(lambda r: Source(False), unavailable=(Down,))))
    answer = up.get("/views/network.json", params={"year": "2015", "service": "legal"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["title"].endswith("2015")
    assert len(body["page"]["partnerships"]) == len(
        select(data, ViewOptions(services=("legal",))).partnerships
    )
    assert up.get("/views/map.json", params={"year": "2015"}).json()["page"]["outlines"]
    again = up.get("/views/network.json", params={"year": "2015", "service": "legal"})
    assert again.content == answer.content  # the encoded update is kept
    bad = up.get("/views/map.json", params={"service": "legall"})
    assert bad.status_code == 400
    assert "Did you mean 'legal'?" in bad.text
    down = TestClient(Starlette(routes=view_routes(lambda r: Source(True), unavailable=(Down,))))
    failed = down.get("/views/network.json")
    assert failed.status_code == 503
    assert "secret-host" not in failed.text
