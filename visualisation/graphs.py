"""From view data and options to networkx graphs whose attributes pyvis draws.

Each function here is pure: it selects what the options ask for and returns a
``networkx.Graph`` whose node and edge attributes are vis-network options
(``label``, ``title``, ``color``, ``size``, ``x``, ``y``, ``width``...). Titles
are plain text: vis-network 9 shows string titles with ``innerText``, and the
pop-ups are built from a JSON blob with DOM APIs (``page.py``), so no name or
note from the data ever becomes markup.
"""

# ruff: noqa: N803, N806 - networkx convention: the graph is G (and its matrix A)

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from itertools import combinations
from typing import Any

import networkx as nx

from visualisation import style
from visualisation.layout import component_layout, separate_dots
from visualisation.model import KINDS, Council, Partnership, ViewData
from visualisation.selection import PairLink, Selection, select

__all__ = [
    "MAP_SCALE",
    "PairLink",
    "Selection",
    "council_node_attrs",
    "council_view_graph",
    "is_hub",
    "map_graph",
    "network_graph",
    "partnership_node_id",
    "select",
    "two_mode_graph",
]

# Rough plane coordinates from lon/lat (equirectangular at 52.5°N), used only
# to seed the network layout so that it echoes geography; the map uses BNG.
_HINT_SCALE = 100.0
_COS_LAT = math.cos(math.radians(52.5))


def partnership_node_id(partnership_id: str) -> str:
    """Node id of a partnership in the two-mode and council graphs (never a GSS code)."""
    return f"p:{partnership_id}"


def _hint(council: Council) -> tuple[float, float] | None:
    if council.lat is None or council.lon is None:
        return None
    return (council.lon * _COS_LAT * _HINT_SCALE, -council.lat * _HINT_SCALE)


def _hints(councils: Iterable[Council]) -> dict[str, tuple[float, float]]:
    return {c.code: hint for c in councils if (hint := _hint(c)) is not None}


def _active_groups(data: ViewData) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The year's active partnerships and their members (``ViewData.year_network``)."""
    if data.year_network is not None:
        return data.year_network
    return tuple((p.id, p.members) for p in data.partnerships if p.is_active(data.year))


def _year_layout(data: ViewData, *, two_mode: bool) -> dict[Any, tuple[float, float]]:
    """Positions from the year's full graph of active partnerships (filters don't move nodes)."""
    by_code = data.by_code
    names = sorted(data.councils, key=lambda c: (c.name.casefold(), c.code))
    nodes: list[str] = [c.code for c in names]
    weights: dict[tuple[str, str], float] = defaultdict(float)
    hints: dict[Any, tuple[float, float]] = dict(_hints(names))
    for pid, listed in _active_groups(data):
        members = sorted({code for code in listed if code in by_code})
        if two_mode:
            node = partnership_node_id(pid)
            nodes.append(node)
            for code in members:
                weights[code, node] += 1.0
            member_hints = [hints[m] for m in members if m in hints]
            if member_hints:
                hints[node] = (
                    sum(h[0] for h in member_hints) / len(member_hints),
                    sum(h[1] for h in member_hints) / len(member_hints),
                )
        else:
            for a, b in combinations(members, 2):
                weights[a, b] += 1.0
    edges = [(a, b, w) for (a, b), w in weights.items()]
    return component_layout(nodes, edges, hints=hints)


def _place_missing(G: nx.Graph, positions: Mapping[Any, tuple[float, float]]) -> None:
    """Give nodes the year layout lacks (e.g. in-development partnerships) a nearby spot."""
    for node in sorted(G.nodes, key=str):
        if node in positions:
            G.nodes[node]["x"], G.nodes[node]["y"] = positions[node]
    missing = [node for node in G.nodes if "x" not in G.nodes[node]]
    for offset, node in enumerate(sorted(missing, key=str)):
        placed = [G.nodes[n] for n in G.neighbors(node) if "x" in G.nodes[n]]
        if placed:
            angle = offset * 2.399963  # golden angle: spread siblings around their centre
            G.nodes[node]["x"] = sum(p["x"] for p in placed) / len(placed) + 18 * math.cos(angle)
            G.nodes[node]["y"] = sum(p["y"] for p in placed) / len(placed) + 18 * math.sin(angle)
        else:
            G.nodes[node]["x"], G.nodes[node]["y"] = (offset * 30.0, -400.0)


def _council_size(count: int) -> float:
    return round(7.0 + 4.0 * math.sqrt(count), 1)


def council_node_attrs(selection: Selection, council: Council) -> dict[str, Any]:
    """vis-network attributes of a council node (colour by kind, size by partnerships)."""
    count = selection.counts.get(council.code, 0)
    kind_label = KINDS.get(council.kind, council.kind)
    colour = style.KIND_COLOURS.get(council.kind, style.UNKNOWN_KIND_COLOUR)
    if council.code not in selection.in_scope:
        colour = style.OUTSIDE_COLOUR
    where = f" · {council.region}" if council.region else ""
    partnerships = "partnership" if count == 1 else "partnerships"
    title = f"{council.name}\n{kind_label}{where}\n{count} {partnerships} shown"
    if count == 0:
        # Singletons are hollow: a ring in the kind's colour.
        node_colour: dict[str, Any] = {
            "background": "#ffffff",
            "border": colour,
            "highlight": {"background": "#fff3bf", "border": colour},
        }
        border_width = 2
    else:
        node_colour = {
            "background": colour,
            "border": "#343a40",
            "highlight": {"background": colour, "border": "#000000"},
        }
        border_width = 1
    return {
        "label": council.name,
        "title": title,
        "color": node_colour,
        "borderWidth": border_width,
        "size": _council_size(count),
        "shape": "dot",
    }


def _edge_colour(services: Iterable[str], chosen: tuple[str, ...]) -> str:
    if not chosen:
        return style.NEUTRAL_EDGE_COLOUR
    shared = sorted(set(services) & set(chosen))
    if len(shared) == 1:
        return style.SERVICE_COLOURS[shared[0]]
    return style.MIXED_SERVICE_COLOUR


def _labels(services: Iterable[str]) -> str:
    return ", ".join(style.SERVICE_LABELS.get(s, s) for s in services) or "service not reported"


def _link_style(
    selection: Selection, services: Iterable[str], partnerships: Iterable[Partnership]
) -> dict[str, Any]:
    """Edge colour (and dashes when every status is shown) of a link or a hub's spoke."""
    chosen = selection.options.services
    if selection.options.status == "all" and not chosen:
        colour, dashes = style.status_edge_style(p.status for p in partnerships)
        return {"color": {"color": colour, "opacity": 0.8}, "dashes": dashes}
    return {"color": {"color": _edge_colour(services, chosen), "opacity": 0.7}}


def is_hub(selection: Selection, partnership: Partnership) -> bool:
    """Whether the views draw this partnership as a hub (``style.HUB_MIN_MEMBERS`` members)."""
    return selection.options.hubs and len(selection.members(partnership)) >= style.HUB_MIN_MEMBERS


def _hub_node_attrs(selection: Selection, partnership: Partnership) -> dict[str, Any]:
    attrs = _partnership_node_attrs(selection, partnership)
    attrs["size"] = round(3.0 + 0.6 * math.sqrt(len(selection.members(partnership))), 1)
    attrs["label"] = ""  # hubs are named in their tooltip and pop-up, not on the canvas
    attrs["hub"] = True
    attrs["name"] = partnership.name
    return attrs


def network_graph(selection: Selection, *, placed: bool = True) -> nx.Graph:
    """One-mode network: councils joined when they share a shown partnership.

    Edge width grows with the number of distinct services shared; edge colour
    is the service's when one chosen layer is shared, dark when several are,
    grey when no layer is chosen (by status, dashed when not operational, when
    every status is shown). A partnership of :data:`~visualisation.style.HUB_MIN_MEMBERS` or more
    members is a hub node (``p:<id>``) linked to each member, unless the options
    turn hubs off. With ``placed=False`` nodes get no positions (the map places them itself:
    the year's spring layout is the network view's, and costly at scale).
    """
    G = nx.Graph()
    for council in selection.councils.values():
        G.add_node(council.code, **council_node_attrs(selection, council))
    names = selection.councils
    by_id = {p.id: p for p in selection.partnerships}
    max_members = style.HUB_MIN_MEMBERS - 1 if selection.options.hubs else None
    for (a, b), link in selection.pairs(max_members=max_members).items():
        shared = len(link.partnerships)
        title = (
            f"{names[a].name} – {names[b].name}\n"
            f"{shared} partnership{'s' if shared != 1 else ''}: {_labels(link.services)}"
        )
        G.add_edge(
            a,
            b,
            width=round(1.0 + 0.9 * min(len(link.services), 10), 1),
            title=title,
            partnerships=link.partnerships,
            **_link_style(selection, link.services, (by_id[i] for i in link.partnerships)),
        )
    hubs = [p for p in selection.partnerships if is_hub(selection, p)]
    for partnership in hubs:
        node = partnership_node_id(partnership.id)
        G.add_node(node, **_hub_node_attrs(selection, partnership))
        for code in selection.members(partnership):
            if code in names:
                G.add_edge(
                    code,
                    node,
                    width=1.2,
                    title=f"{names[code].name} – member of {partnership.name}",
                    partnerships=(partnership.id,),
                    **_link_style(selection, partnership.services, (partnership,)),
                )
    if placed:
        _place_missing(G, _year_layout(selection.data, two_mode=False))
        _place_hubs(G, hubs)
    return G


def _place_hubs(G: nx.Graph, hubs: Iterable[Partnership]) -> None:
    """A hub sits at its members' centre (nudged so that two hubs never coincide)."""
    taken: set[tuple[float, float]] = set()
    for partnership in hubs:
        node = partnership_node_id(partnership.id)
        placed = [G.nodes[n] for n in G.neighbors(node) if "x" in G.nodes[n]]
        if not placed:
            continue
        x = sum(p["x"] for p in placed) / len(placed)
        y = sum(p["y"] for p in placed) / len(placed)
        step = 0
        while (round(x), round(y)) in taken:
            step += 1
            x += 6.0 * math.cos(step * 2.399963)
            y += 6.0 * math.sin(step * 2.399963)
        taken.add((round(x), round(y)))
        G.nodes[node]["x"], G.nodes[node]["y"] = round(x, 1), round(y, 1)


def _partnership_node_attrs(selection: Selection, partnership: Partnership) -> dict[str, Any]:
    chosen = selection.options.services
    if chosen:
        colour = _edge_colour(partnership.services, chosen)
    else:
        colour = style.STATUS_COLOURS.get(partnership.status, style.NEUTRAL_EDGE_COLOUR)
    members = selection.members(partnership)
    return {
        "label": partnership.name,
        "title": (
            f"{partnership.name}\n{style.STATUS_LABELS.get(partnership.status, partnership.status)}"
            f" · {len(members)} members\n{_labels(partnership.services)}"
        ),
        "shape": "square",
        "size": round(5.0 + 2.0 * math.sqrt(len(members)), 1),
        "color": {"background": colour, "border": "#212529"},
        "font": {"size": 10, "color": "#495057"},
    }


def _add_membership(
    G: nx.Graph,
    council: Council,
    node: str,
    attrs: Mapping[str, Any],
    partnership: Partnership,
    opacity: float,
) -> None:
    """The edge from a council to a partnership's node, in the partnership's colour."""
    G.add_edge(
        council.code,
        node,
        width=1.5,
        color={"color": attrs["color"]["background"], "opacity": opacity},
        title=f"{council.name} – member of {partnership.name}",
    )


def two_mode_graph(selection: Selection) -> nx.Graph:
    """Two-mode network: councils and partnerships as nodes, membership as edges."""
    G = nx.Graph()
    for council in selection.councils.values():
        G.add_node(council.code, **council_node_attrs(selection, council))
    for partnership in selection.partnerships:
        node = partnership_node_id(partnership.id)
        attrs = _partnership_node_attrs(selection, partnership)
        G.add_node(node, **attrs)
        for code in selection.members(partnership):
            if code in selection.councils:
                _add_membership(G, selection.councils[code], node, attrs, partnership, 0.6)
    _place_missing(G, _year_layout(selection.data, two_mode=True))
    return G


MAP_SCALE = 500.0
"""BNG metres per canvas unit on the map (England is ~1,300 units wide)."""


def map_graph(selection: Selection, project: Any) -> tuple[nx.Graph, list[str]]:
    """The network placed at projected centroids.

    Parameters
    ----------
    selection : what to show.
    project : ``(lon, lat) -> (easting, northing)`` in metres (``graph.geo.to_bng``).

    Returns
    -------
    graph, unplaced
        The graph (nodes fixed at ``x = E / MAP_SCALE``, ``y = -N / MAP_SCALE``) and the
        names of shown councils with no known location, which it leaves out.
    """
    G = network_graph(selection, placed=False)  # every shown council and hub is placed below
    unplaced: list[str] = []
    centroids: dict[str, tuple[float, float]] = {}
    radii: dict[str, float] = {}
    for code, council in selection.councils.items():
        if council.lat is None or council.lon is None:
            unplaced.append(council.name)
            G.remove_node(code)
            continue
        easting, northing = project(council.lon, council.lat)
        node = G.nodes[code]
        centroids[code] = (easting / MAP_SCALE, -northing / MAP_SCALE)
        node["size"] = round(node["size"] * 0.55, 1)
        radii[code] = node["size"] + 0.6  # a little air between neighbouring dots
        node["physics"] = False
    # Dots never overlap: each is moved the least needed from its true centroid.
    for code, (x, y) in separate_dots(centroids, radii).items():
        G.nodes[code]["x"], G.nodes[code]["y"] = round(x, 1), round(y, 1)
    hubs = [p for p in selection.partnerships if is_hub(selection, p)]
    for partnership in hubs:
        node = partnership_node_id(partnership.id)
        if node in G:
            G.nodes[node]["physics"] = False
            G.nodes[node].pop("x", None)
    _place_hubs(G, hubs)
    return G, unplaced


def council_view_graph(selection: Selection, code: str, *, top_peers: int = 5) -> nx.Graph:
    """One council, its shown partnerships and partners, the councils it borders, its peers.

    The council sits at the centre; partnerships are square nodes between it
    and its partners; dashed grey edges lead to bordering councils and dotted
    purple ones to its top peers.
    """
    data_councils = selection.data_councils
    focus = data_councils[code]
    G = nx.Graph()

    def add_council(other: Council) -> None:
        if other.code not in G:
            G.add_node(other.code, **council_node_attrs(selection, other))

    add_council(focus)
    G.nodes[code]["size"] = max(G.nodes[code]["size"], 22)
    G.nodes[code]["font"] = {"size": 18, "bold": True}
    in_scope = selection.in_scope
    for partnership in selection.partnerships:
        members = selection.members(partnership)
        if code not in members:
            continue
        node = partnership_node_id(partnership.id)
        attrs = _partnership_node_attrs(selection, partnership)
        G.add_node(node, **attrs)
        for member in members:
            if member != code and member not in in_scope:
                continue
            add_council(data_councils[member])
            _add_membership(G, data_councils[member], node, attrs, partnership, 0.7)
    for a, b in selection.data.borders:
        other = b if a == code else a if b == code else None
        if other is None or other not in data_councils or other not in in_scope:
            continue
        add_council(data_councils[other])
        G.add_edge(
            code,
            other,
            width=1,
            dashes=True,
            color={"color": style.BORDER_COLOUR},
            title=f"{focus.name} borders {data_councils[other].name}",
        )
    peers = [p for p in selection.data.peers if p.code == code and p.peer in data_councils]
    peers.sort(key=lambda p: -p.score)
    for peer in [p for p in peers if p.peer in in_scope][:top_peers]:
        similar = data_councils[peer.peer]
        add_council(similar)
        if G.has_edge(code, similar.code):
            continue
        G.add_edge(
            code,
            similar.code,
            width=1,
            dashes=[2, 6],
            color={"color": style.PEER_COLOUR},
            title=f"Peer of {focus.name} (similarity {peer.score:.2f})\n{peer.reason}".rstrip(),
        )
    # A seeded spring layout with the council pinned at the centre.
    pos = (
        nx.spring_layout(
            G, pos={code: (0.0, 0.0)}, fixed=[code], seed=7, iterations=80, method="force"
        )
        if len(G) > 2
        else {n: (float(i) * 0.8, 0.0) for i, n in enumerate(G.nodes)}
    )
    scale = 60.0 * math.sqrt(len(G))
    for node, (x, y) in pos.items():
        G.nodes[node]["x"], G.nodes[node]["y"] = (
            round(float(x) * scale, 1),
            round(float(y) * scale, 1),
        )
    return G
