"""The network, map and council views: one self-contained HTML page each.

Every view is a pure function of :class:`~visualisation.model.ViewData` and
:class:`~visualisation.options.ViewOptions`: select what the options ask for,
build a networkx graph (``graphs.py``), hand it to pyvis, and render pyvis's
network through our offline template (``page.py``). Nothing is written to disk
and ``Network.show()`` is never called.

For notebooks, :func:`network_view` returns the pyvis ``Network`` (its
``generate_html()`` gives the same offline page) and :func:`view_html` the page.
"""

# ruff: noqa: N806 - networkx convention: the graph is G (and its matrix A)

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

import networkx as nx
from pyvis.network import Network

from graph.errors import UnknownCouncil
from visualisation.graphs import (
    MAP_SCALE,
    Selection,
    council_view_graph,
    map_graph,
    network_graph,
    select,
    two_mode_graph,
)
from visualisation.legend import (
    NO_SHADE_FILL,
    SHADE_BINS,
    SINGLETON_FILL,
    describe,
    page_context,
    shade,
)
from visualisation.model import (
    KINDS,
    SAVINGS_CAVEAT,
    Partnership,
    ViewData,
)
from visualisation.options import ViewKind, ViewOptions
from visualisation.page import is_web_link, use_offline_template
from visualisation.style import HUB_MIN_MEMBERS, SERVICE_LABELS, STATUS_LABELS
from visualisation.vis import pyvis_network, vis_edges, vis_nodes, vis_options

__all__ = [
    "SHADE_BINS",
    "SINGLETON_FILL",
    "UnknownCouncilError",
    "ViewKind",
    "network_view",
    "render",
    "render_council",
    "render_map",
    "render_network",
    "view_html",
    "view_update",
]

Projector = Callable[[float, float], tuple[float, float]]


class UnknownCouncilError(UnknownCouncil):
    """The council view was asked for a code that is not a council in the data's year."""


def _partnership_json(selection: Selection, partnership: Partnership) -> dict[str, Any]:
    # Fields with no value are left out (the page reads a missing one as null): every
    # byte counts on a national page.
    return {
        key: value
        for key, value in _partnership_fields(selection, partnership).items()
        if value is not None
    }


def _partnership_fields(selection: Selection, partnership: Partnership) -> dict[str, Any]:
    return {
        "name": partnership.name,
        "status": partnership.status,
        "statusLabel": STATUS_LABELS.get(partnership.status, partnership.status),
        "services": [SERVICE_LABELS.get(s, s) for s in partnership.services],
        "members": [c for c in selection.members(partnership) if c in selection.councils],
        "lead": partnership.lead,
        "start": partnership.start_year,
        "end": partnership.end_year,
        "years": partnership.years,
        "notConfirmedSince": partnership.not_confirmed_since,
        "savings": partnership.annual_savings_gbp,
        "savingsNote": partnership.savings_note,
        "notes": partnership.notes,
        # Only http(s) sources become links; the page checks again before linking.
        "sources": [
            {"url": source.url, "date": source.date, "link": is_web_link(source.url)}
            for source in partnership.sources
        ],
    }


def _page_data(selection: Selection, *, view: ViewKind, focus: str | None) -> dict[str, Any]:
    ids_by_council: dict[str, list[str]] = {code: [] for code in selection.councils}
    for partnership in selection.partnerships:
        for code in selection.members(partnership):
            if code in ids_by_council:
                ids_by_council[code].append(partnership.id)
    return {
        "view": view,
        "year": selection.data.year,
        "years": list(selection.data.years),
        "focus": focus,
        "hubMinMembers": HUB_MIN_MEMBERS,
        "savingsCaveat": SAVINGS_CAVEAT,
        "councils": {
            code: {
                "name": council.name,
                "kind": KINDS.get(council.kind, council.kind),
                "region": council.region,
                "partnerships": ids_by_council[code],
                "lat": council.lat,
                "lon": council.lon,
            }
            for code, council in selection.councils.items()
        },
        "partnerships": {p.id: _partnership_json(selection, p) for p in selection.partnerships},
    }


def _default_projector() -> Projector:
    from graph.geo import to_bng

    return to_bng


def network_view(
    data: ViewData,
    options: ViewOptions | None = None,
    *,
    view: ViewKind = "network",
    code: str | None = None,
    project: Projector | None = None,
) -> Network:
    """Build a view as a pyvis ``Network`` (for notebooks and further tweaking).

    Parameters
    ----------
    data : the year's councils, partnerships, borders, peers and outlines.
    options : filters and switches (defaults: active partnerships, all services,
        all regions, one-mode, physics off).
    view : ``"network"``, ``"map"`` or ``"council"``.
    code : the council's GSS code (council view only).
    project : ``(lon, lat) -> (easting, northing)`` for the map; defaults to
        ``graph.geo.to_bng`` (British National Grid).

    Returns
    -------
    pyvis.network.Network
        Its ``generate_html()`` returns the offline page (our template, vis-network
        inlined); never call ``show()``, which writes files and fetches from CDNs.

    Raises
    ------
    UnknownCouncilError
        For the council view, when ``code`` is not a council in the data's year.
    """
    built = _build(data, options, view=view, code=code, project=project)
    net = pyvis_network(
        built.graph, heading=built.page["title"], vis_options=built.vis_options, edges=built.edges
    )
    return use_offline_template(net, built.page, built.page_data)


@dataclass(frozen=True)
class _Built:
    graph: nx.Graph
    page: dict[str, Any]
    page_data: dict[str, Any]
    vis_options: dict[str, Any]
    edges: list[dict[str, Any]]


def _build(
    data: ViewData,
    options: ViewOptions | None,
    *,
    view: ViewKind,
    code: str | None,
    project: Projector | None,
) -> _Built:
    options = options or ViewOptions()
    selection = select(data, options)
    focus: str | None = None
    two_mode = view == "network" and options.two_mode
    if view == "council":
        if code is None or code not in selection.data_councils:
            names = {c.name: c.code for c in data.councils}
            close = difflib.get_close_matches(code or "", [*names, *names.values()], n=3)
            by_code = {c: n for n, c in names.items()}
            raise UnknownCouncilError(
                code or "",
                [f"{by_code.get(c, c)} ({names.get(c, c)}, exists in {data.year})" for c in close],
            )
        focus = code
        council = selection.data_councils[code]
        if code not in selection.councils:
            selection = _with_council(selection, code)
        G = council_view_graph(selection, code)
        title, subtitle = describe(
            selection, what=f"{council.name}: partnerships, partners, borders and peers"
        )
    elif view == "map":
        G, unplaced = map_graph(selection, project or _default_projector())
        title, subtitle = describe(selection, what="Map of shared services between councils")
        if unplaced:
            subtitle += f" · not on the map (no location): {', '.join(unplaced)}"
    elif two_mode:
        G = two_mode_graph(selection)
        title, subtitle = describe(selection, what="Councils and their shared-service partnerships")
    else:
        G = network_graph(selection)
        title, subtitle = describe(selection, what="Shared services between English councils")

    page_data = _page_data(selection, view=view, focus=focus)
    if view == "council" and focus is not None:
        page_data["borders"], page_data["peers"] = _around(selection, focus)
    if view == "map":
        page_data["outlines"], page_data["shade"] = _outlines(selection)
        page_data["noShade"] = NO_SHADE_FILL
    page = page_context(selection, view=view, title=title, subtitle=subtitle, two_mode=two_mode)
    settings = vis_options(
        physics=options.physics,
        n_nodes=G.number_of_nodes(),
        n_edges=G.number_of_edges(),
        fixed=view == "map",
    )
    page_data["partnershipIds"] = list(page_data["partnerships"])
    index = {pid: i for i, pid in enumerate(page_data["partnershipIds"])}
    return _Built(G, page, page_data, settings, vis_edges(G, index, settings))


def view_update(
    data: ViewData,
    options: ViewOptions,
    *,
    view: Literal["network", "map"],
    project: Projector | None = None,
) -> dict[str, Any]:
    """What a page needs to redraw itself for another year without a reload (JSON-ready).

    The year slider fetches this from the view's ``.json`` route on the same origin:
    the nodes and edges (as the page's ``cg-graph`` block has them), the pop-up and
    search data (as ``cg-page``), the title, summary line, LGA reference and legend.
    """
    built = _build(data, options, view=view, code=None, project=project)
    nodes = vis_nodes(built.graph)
    edges = built.edges
    return {
        "nodes": nodes,
        "edges": edges,
        "page": built.page_data,
        "title": built.page["title"],
        "subtitle": built.page["subtitle"],
        "reference": built.page["reference"],
        "legend": built.page["legend"],
        # The edges leave out the commonest colour: it is vis-network's default for them.
        "edgeColour": built.vis_options["edges"]["color"],
    }


def _with_council(selection: Selection, code: str) -> Selection:
    """The selection with one more council shown (the council view's focus, if filtered out)."""
    from dataclasses import replace

    councils = dict(selection.councils)
    councils[code] = selection.data_councils[code]
    counts = dict(selection.counts)
    counts.setdefault(code, 0)
    return replace(selection, councils=councils, counts=counts)


def _around(selection: Selection, code: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    known = selection.data_councils
    borders = sorted(
        {b if a == code else a for a, b in selection.data.borders if code in (a, b)} - {code}
    )
    border_items = [{"code": c, "reason": ""} for c in borders if c in known]
    peers = sorted(
        (p for p in selection.data.peers if p.code == code and p.peer in known),
        key=lambda p: -p.score,
    )[:5]
    shown = {p.id for p in selection.partnerships}
    peer_items = [
        {
            "code": p.peer,
            "reason": p.reason,
            # The partnerships it rests on, as pop-up links, and its public front door.
            "partnerships": [pid for pid in p.partnerships if pid in shown],
            "govUkUrl": known[p.peer].gov_uk_url,
        }
        for p in peers
    ]
    return border_items, peer_items


def _outlines(selection: Selection) -> tuple[dict[str, list[list[int]]], dict[str, str]]:
    """Outline rings in whole canvas units (500 m, the outlines' own simplification
    tolerance), each as its first point then the steps between points (small numbers:
    about a third fewer bytes; view.js ``ringPoints`` adds them up again)."""
    outlines: dict[str, list[list[int]]] = {}
    fills: dict[str, str] = {}
    for code, rings in selection.data.outlines.items():
        encoded = []
        for ring in rings:
            if len(ring) < 3:
                continue
            points = [(round(x / MAP_SCALE), round(-y / MAP_SCALE)) for x, y in ring]
            steps = [points[0][0], points[0][1]]
            for (x0, y0), (x1, y1) in pairwise(points):
                if (x1, y1) != (x0, y0):
                    steps += [x1 - x0, y1 - y0]
            encoded.append(steps)
        outlines[code] = encoded
        if code in selection.councils and code in selection.in_scope:
            fills[code] = shade(selection.counts.get(code, 0))
    return outlines, fills


def view_html(
    data: ViewData,
    options: ViewOptions | None = None,
    *,
    view: ViewKind = "network",
    code: str | None = None,
    project: Projector | None = None,
) -> str:
    """The view as one self-contained HTML page (see :func:`network_view`).

    In Jupyter, show it with ``IPython.display.IFrame``-free inline HTML, e.g.
    ``HTML(f'<iframe srcdoc="{html.escape(page)}" width="100%" height="720"></iframe>')``.
    """
    html: str = network_view(data, options, view=view, code=code, project=project).generate_html()
    return html


def render(
    kind: ViewKind,
    data: ViewData,
    options: ViewOptions,
    *,
    code: str | None = None,
    project: Projector | None = None,
) -> str:
    """The page of a view of ``kind`` (the one place that tells them apart is :func:`_build`):
    ``render_network``, ``render_map`` and ``render_council`` are this with the kind fixed."""
    return view_html(data, options, view=kind, code=code, project=project)


def render_network(data: ViewData, options: ViewOptions) -> str:
    """The network view: councils joined by the services they share (or two-mode)."""
    return render("network", data, options)


def render_map(data: ViewData, options: ViewOptions, *, project: Projector | None = None) -> str:
    """The geographic view: the network at projected centroids over shaded council outlines."""
    return render("map", data, options, project=project)


def render_council(data: ViewData, options: ViewOptions, code: str) -> str:
    """The council view: one council, its partnerships and partners, borders and top peers.

    Raises
    ------
    UnknownCouncilError
        When ``code`` is not a council in the data's year (the message suggests the closest).
    """
    return render("council", data, options, code=code)
