"""GraphML and GEXF for Gephi and other network tools.

Councils and partnerships are nodes (``node_type`` ``council`` or ``partnership``; councils by
GSS code, partnerships as ``p:<id>``, as in the views' two-mode graph); memberships
(``relation`` ``member``, with the member's ``role``) and borders (``relation`` ``border``)
are edges. Every attribute the views know is carried; absent values are left out (neither
format has a null).

With a year, the graph is the views' selection for that year: effective members after
succession, borders between councils that exist. With no year ("all years"), it is the union
of the selections of every year from ``graph.rules.FIRST_YEAR`` to this year, and every node
and edge says in which years it counts: ``years`` as text (``2011-2014;2016``) in both formats,
and GEXF *spells* (``[first, last]`` per run of years, integer years) so that Gephi's timeline
plays it. The graph is built in memory (its size is the network's, a few thousand nodes).
"""

# ruff: noqa: N803, N806 - networkx convention: the graph is G

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import networkx as nx

from exports.selection import ExportOptions, ExportSource, spans
from visualisation.graphs import Selection, partnership_node_id

__all__ = ["export_graph", "gexf_export", "graphml_export"]


def _clean(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attributes.items() if v is not None}


def _years_text(years: set[int]) -> str:
    return ";".join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans(years))


def _add_year(G: nx.Graph, selection: Selection, seen: dict[Any, set[int]]) -> None:
    year = selection.data.year
    for code, council in selection.councils.items():
        G.add_node(
            code,
            **_clean(
                {
                    "label": council.name,
                    "node_type": "council",
                    "kind": council.kind,
                    "tier": council.tier,
                    "region": council.region,
                    "population": council.population,
                    "latitude": council.lat,
                    "longitude": council.lon,
                }
            ),
        )
        seen[code].add(year)
    for p in selection.partnerships:
        node = partnership_node_id(p.id)
        G.add_node(
            node,
            **_clean(
                {
                    "label": p.name,
                    "node_type": "partnership",
                    "partnership_id": p.id,
                    "status": p.status,
                    "services": ";".join(p.services),
                    "start_year": p.start_year,
                    "end_year": p.end_year,
                    "start_basis": p.start_basis,
                    "years_phrase": p.years,
                    "annual_savings_gbp": p.annual_savings_gbp,
                    "savings_note": p.savings_note,
                    "lead": p.lead,
                    "sources": ";".join(s.url for s in p.sources),
                }
            ),
        )
        seen[node].add(year)
        for member in selection.members(p):
            G.add_edge(
                member,
                node,
                relation="member",
                role="lead" if member == p.lead else "partner",
            )
            seen[(member, node)].add(year)
    for a, b in selection.data.borders:
        if a in selection.councils and b in selection.councils:
            G.add_edge(a, b, relation="border")
            seen[(a, b)].add(year)


def export_graph(source: ExportSource, options: ExportOptions, *, spells: bool = False) -> nx.Graph:
    """The selection as a networkx graph (see the module's description).

    Parameters
    ----------
    source, options : where to read and what to select.
    spells : also give each node and edge its years as GEXF ``spells`` (all years only).
    """
    G = nx.Graph(name="Council Graph", selection=str(options.describe()))
    seen: dict[Any, set[int]] = defaultdict(set)
    years = [options.year] if options.year is not None else list(source.years())
    for year in years:
        _add_year(G, source.selection(options, year), seen)
    if options.year is None:
        for node, data in G.nodes(data=True):
            data["years"] = _years_text(seen[node])
            if spells:
                data["spells"] = spans(seen[node])
        for a, b, data in G.edges(data=True):
            found = seen[(a, b)] | seen[(b, a)]
            data["years"] = _years_text(found)
            if spells:
                data["spells"] = spans(found)
    return G


def graphml_export(source: ExportSource, options: ExportOptions) -> Iterator[bytes]:
    """The selection as GraphML (UTF-8)."""
    G = export_graph(source, options)
    for line in nx.generate_graphml(G, encoding="utf-8", prettyprint=True):
        yield (line + "\n").encode("utf-8")


def gexf_export(source: ExportSource, options: ExportOptions) -> Iterator[bytes]:
    """The selection as GEXF 1.2; for all years, a dynamic graph with spells."""
    G = export_graph(source, options, spells=True)
    for line in nx.generate_gexf(G, encoding="utf-8", prettyprint=True, version="1.2draft"):
        yield (line + "\n").encode("utf-8")
