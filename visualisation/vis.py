"""vis-network's side of a view: its options, and a graph's nodes and edges as vis-network
takes them (the page's ``cg-graph`` block and the year slider's updates), in a pyvis
``Network`` for notebooks."""

# ruff: noqa: N803 - networkx convention: the graph is G (and its matrix A)

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

import networkx as nx
from pyvis.network import Network

__all__ = ["pyvis_network", "vis_edges", "vis_nodes", "vis_options"]


def vis_options(*, physics: bool, n_nodes: int, n_edges: int, fixed: bool) -> dict[str, Any]:
    return {
        "autoResize": True,
        "height": "100%",
        "width": "100%",
        "physics": {
            "enabled": physics and not fixed,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -40, "springLength": 70},
            "stabilization": {"enabled": False},
            "minVelocity": 1.0,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": n_edges > 1500,
            "hideEdgesOnZoom": n_edges > 4000,
            # Arrow keys pan, +/- zoom while the canvas has focus (it is tabbable).
            "keyboard": {"enabled": True, "bindToWindow": False},
            "multiselect": False,
        },
        "edges": {"smooth": False, "color": {"inherit": False}, "selectionWidth": 2},
        # No vis-network labels: the page draws names itself, largest first, never overlapping.
        "nodes": {"font": {"size": 12, "face": "system-ui, sans-serif"}},
        "layout": {"improvedLayout": False, "randomSeed": 1},
    }


def pyvis_network(
    G: nx.Graph, *, heading: str, vis_options: dict[str, Any], edges: list[dict[str, Any]]
) -> Network:
    """A pyvis Network holding ``G``'s nodes and edges with their vis attributes.

    ``Network.from_nx`` is not used: it rewrites sizes and widths, and pyvis's
    undirected ``add_edge`` scans every existing edge (quadratic: ~1 s for the
    national graph). A networkx Graph has unique edges already, so edges are
    appended as pyvis ``Edge`` options directly.
    """
    net = Network(height="100%", width="100%", directed=False, heading=heading)
    net.nodes = vis_nodes(G)
    net.node_ids = [node["id"] for node in net.nodes]
    net.node_map = {node["id"]: node for node in net.nodes}
    net.edges = edges
    net.options = vis_options
    return net


def vis_nodes(G: nx.Graph) -> list[dict[str, Any]]:
    """Nodes as vis-network takes them, with the label moved to ``name``.

    The page draws names itself (largest first, none overlapping; view.js), so
    vis-network gets no ``label``: its labels overlapped and widened each node's
    clickable box, so a click on one council could open its neighbour.
    """
    nodes = []
    for node, attrs in G.nodes(data=True):
        item = {"id": node, **{k: v for k, v in attrs.items() if k != "label"}}
        if attrs.get("label"):
            item["name"] = attrs["label"]
        nodes.append(item)
    return nodes


def vis_edges(
    G: nx.Graph, index: Mapping[str, int], vis_options: dict[str, Any]
) -> list[dict[str, Any]]:
    """Edges as vis-network takes them, kept small (a national page must stay under 2 MB).

    * a link drawn for partnerships carries their positions in the page's
      ``partnershipIds`` (``p``) instead of its tooltip: the page words the tooltip
      from its pop-up data (view.js ``edgeTitle``);
    * the commonest edge colour becomes vis-network's default (set in ``vis_options``)
      and is left out of each edge, as is ``dashes: false``.
    """
    colours = Counter(
        json.dumps(attrs["color"], sort_keys=True)
        for _, _, attrs in G.edges(data=True)
        if "color" in attrs
    )
    common = json.loads(colours.most_common(1)[0][0]) if colours else None
    if common is not None:
        vis_options["edges"]["color"] = {"inherit": False, **common}
    edges = []
    for u, v, attrs in G.edges(data=True):
        item = {"from": u, "to": v, **attrs}
        if "partnerships" in attrs:
            item["p"] = [index[pid] for pid in item.pop("partnerships")]
            item.pop("title", None)
        if common is not None and item.get("color") == common:
            del item["color"]
        if item.get("dashes") is False:
            del item["dashes"]
        edges.append(item)
    return edges
