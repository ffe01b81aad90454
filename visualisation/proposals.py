"""The proposal map: councils shaded by proposed unit, crossing partnerships drawn over them,
pop-ups listing the partnerships each unit would have to unpick; and the lineage section of
the council view. Self-contained HTML (inline SVG, style and script; nothing fetched).

Routes (mounted by the API): ``/views/proposals`` (every proposal, the Surrey decision
first) and ``/views/proposal/{name}?year=Y`` (default: the proposal's own default year,
``graph.reorganisation_proposals.default_year``).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from graph import reorganisation_proposals as rp
from graph import rules
from graph.db import GraphUnavailable
from graph.geo import lad2013_outlines_bng
from graph.reorganisation import Lineage, lineage
from graph.snapshot import Snapshot, Snapshots
from visualisation.model import ATTRIBUTION
from visualisation.page import script_json
from visualisation.routes import CONTENT_SECURITY_POLICY

__all__ = [
    "UNIT_COLOURS",
    "council_lineage_html",
    "lineage_section",
    "proposal_index_html",
    "proposal_map_html",
    "proposal_routes",
]

log = logging.getLogger("councilgraph.views")

#: Colour-blind-safe fills for the units (Okabe-Ito), in unit order.
UNIT_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
CONTEXT_FILL = "#eeeeee"
CROSSING_COLOUR = "#a50026"
WIDTH = 900.0

Ring = Sequence[tuple[float, float]]


def _area_districts(snapshot: Snapshot, check: rp.ProposalCheck) -> dict[str, str]:
    """2013 district -> the unit it lies in, or "" when split between units."""
    owner: dict[str, str] = {}
    for unit in check.proposal.units:
        for code in unit.members:
            for district in snapshot.councils_by_code[code].territory:
                owner[district] = unit.name
    for unit in check.proposal.units:
        for code in unit.partial:
            for district in snapshot.councils_by_code[code].territory:
                owner[district] = ""
    return owner


class _Frame:
    """BNG metres -> SVG pixels over the area's bounding box (padded)."""

    def __init__(self, rings: Iterable[Ring]) -> None:
        points = [p for ring in rings for p in ring] or [(0.0, 0.0), (1.0, 1.0)]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        pad = 0.12 * max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
        self.x0, self.x1 = min(xs) - pad, max(xs) + pad
        self.y0, self.y1 = min(ys) - pad, max(ys) + pad
        self.scale = WIDTH / (self.x1 - self.x0)
        self.height = (self.y1 - self.y0) * self.scale

    def inside(self, ring: Ring) -> bool:
        return any(self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1 for x, y in ring)

    def point(self, x: float, y: float) -> tuple[float, float]:
        return round((x - self.x0) * self.scale, 1), round((self.y1 - y) * self.scale, 1)

    def path(self, rings: Iterable[Ring]) -> str:
        parts = []
        for ring in rings:
            points = [self.point(x, y) for x, y in ring]
            parts.append("M" + "L".join(f"{x},{y}" for x, y in points) + "Z")
        return "".join(parts)


def _centroid(rings: Iterable[Ring]) -> tuple[float, float] | None:
    points = [p for ring in rings for p in ring]
    if not points:
        return None
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def _map_data(snapshot: Snapshot, check: rp.ProposalCheck) -> dict[str, Any]:
    """What the page draws: district shapes with their unit, crossing links, pop-up texts."""
    outlines = lad2013_outlines_bng()
    owner = _area_districts(snapshot, check)
    frame = _Frame(r for d in owner for r in outlines.get(d, ()))
    colours = {u.unit.name: UNIT_COLOURS[i % len(UNIT_COLOURS)] for i, u in enumerate(check.units)}
    shapes = []
    for district, rings in sorted(outlines.items()):
        if district not in owner and not any(frame.inside(r) for r in rings):
            continue
        unit = owner.get(district)
        name = snapshot.councils_by_code.get(district)
        shapes.append(
            {
                "d": frame.path(rings),
                "unit": unit,
                "fill": colours.get(unit or "", CONTEXT_FILL) if unit != "" else "url(#split)",
                "name": name.name if name else district,
            }
        )

    def where(code: str) -> tuple[float, float] | None:
        territory = [d for d in snapshot.councils_by_code[code].territory if d in owner]
        found = _centroid(r for d in territory for r in outlines.get(d, ()))
        return frame.point(*found) if found else None

    links = []
    for placed in check.placed(rp.Placement.CROSSING):
        ends = [p for p in (where(c) for c in placed.members) if p is not None]
        if len(ends) < 2:
            continue
        hub = (
            round(sum(p[0] for p in ends) / len(ends), 1),
            round(sum(p[1] for p in ends) / len(ends), 1),
        )
        links.append({"id": placed.partnership.id, "hub": hub, "ends": ends})
    return {"width": WIDTH, "height": round(frame.height, 1), "shapes": shapes, "links": links}


def _popups(snapshot: Snapshot, check: rp.ProposalCheck) -> dict[str, Any]:
    names = {c.code: c.name for c in snapshot.councils}

    def text(placed: rp.PartnershipPlacement) -> dict[str, Any]:
        return {
            "name": placed.partnership.name,
            "years": placed.years,
            "units": list(placed.units),
            "spanning": [names.get(c, c) for c in placed.spanning],
            "outside": [names.get(c, c) for c in placed.outside],
        }

    partnerships = {p.partnership.id: text(p) for p in check.partnerships}
    units = {}
    for unit in check.units:
        u = unit.unit
        units[u.name] = {
            "members": [names.get(c, c) for c in u.members],
            "split": [names.get(c, c) for c in u.partial],
            "population": u.population,
            "unpick": [
                p.partnership.id for p in check.placed(rp.Placement.CROSSING) if u.name in p.units
            ],
            "inside": list(unit.inside),
        }
    return {"partnerships": partnerships, "units": units}


SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById('proposal-data').textContent);
  var svg = document.getElementById('map'), NS = 'http://www.w3.org/2000/svg';
  var popup = document.getElementById('popup');
  function el(tag, attrs, parent) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) { e.setAttribute(k, attrs[k]); }
    parent.appendChild(e); return e;
  }
  function line(parent, tag, text) {
    var e = document.createElement(tag); e.textContent = text; parent.appendChild(e); return e;
  }
  function show(x, y, title, build) {
    popup.textContent = ''; line(popup, 'h3', title); build(popup);
    popup.style.left = x + 'px'; popup.style.top = y + 'px'; popup.hidden = false;
  }
  function list(parent, ids) {
    var ul = document.createElement('ul'); parent.appendChild(ul);
    ids.forEach(function (id) {
      var p = data.popups.partnerships[id];
      line(ul, 'li', p.name + ' (' + p.years + '): ' + p.units.join(', ') +
           (p.spanning.length ? '; spans units: ' + p.spanning.join(', ') : ''));
    });
  }
  var shapes = el('g', {id: 'shapes'}, svg);
  data.map.shapes.forEach(function (s) {
    var path = el('path', {d: s.d, fill: s.fill, stroke: '#555', 'stroke-width': 0.6,
                           'class': s.unit === null ? 'context' : 'unit-shape',
                           'data-unit': s.unit === null ? '' : s.unit}, shapes);
    el('title', {}, path).textContent = s.name + (s.unit ? ' — ' + s.unit : '');
    if (s.unit) {
      path.addEventListener('click', function (ev) {
        var u = data.popups.units[s.unit];
        show(ev.offsetX + 10, ev.offsetY + 10, s.unit, function (box) {
          line(box, 'p', 'Members: ' + u.members.join(', ') +
               (u.split.length ? '; split: ' + u.split.join(', ') : ''));
          line(box, 'p', 'Partnerships to unpick (' + u.unpick.length + '):');
          list(box, u.unpick);
          line(box, 'p', 'Folding in: ' + u.inside.length);
        });
      });
    }
  });
  var links = el('g', {id: 'links'}, svg);
  data.map.links.forEach(function (l) {
    var g = el('g', {'class': 'crossing', 'data-partnership': l.id}, links);
    l.ends.forEach(function (e) {
      el('line', {x1: l.hub[0], y1: l.hub[1], x2: e[0], y2: e[1], stroke: '__CROSSING__',
                  'stroke-width': 2.5, 'stroke-opacity': 0.8}, g);
    });
    el('circle', {cx: l.hub[0], cy: l.hub[1], r: 5, fill: '__CROSSING__'}, g);
    el('title', {}, g).textContent = data.popups.partnerships[l.id].name;
    g.addEventListener('click', function (ev) {
      ev.stopPropagation();
      show(ev.offsetX + 10, ev.offsetY + 10, 'To unpick', function (box) { list(box, [l.id]); });
    });
  });
  document.getElementById('close').addEventListener('click', function () { popup.hidden = true; });
})();
""".replace("__CROSSING__", CROSSING_COLOUR)


def _esc(text: object) -> str:
    return html.escape(str(text))


def _side(check: rp.ProposalCheck, names: Mapping[str, str]) -> str:
    p = check.proposal
    parts = [
        f"<h1>{_esc(p.title)}</h1>",
        f"<p class='status'>Status: <b>{_esc(p.status)}</b> ({_esc(p.origin)}); "
        f"partnerships active in {check.year} (the rules of docs/time.md)</p>",
    ]
    if check.unplaced:
        missing = ", ".join(names.get(c, c) for c in check.unplaced)
        parts.append(f"<p class='incomplete'>Incomplete: no unit includes {_esc(missing)}</p>")
    if check.counties:
        counties = ", ".join(names.get(c, c) for c in check.counties)
        parts.append(
            f"<p class='area-rule'>Unplaced councils are sought among the districts of "
            f"{_esc(counties)}; unitary councils the proposal never names are not counted.</p>"
        )
    parts.append("<ul class='units'>")
    for i, unit in enumerate(check.units):
        u = unit.unit
        people = f"{u.population:,}" if u.population is not None else "unknown"
        colour = UNIT_COLOURS[i % len(UNIT_COLOURS)]
        parts.append(
            f"<li><span class='swatch' style='background:{colour}'></span>"
            f"<b>{_esc(u.name)}</b>: population {people}</li>"
        )
    parts.append("</ul>")
    for placement, what in (
        (rp.Placement.CROSSING, "cross units (need a new agreement)"),
        (rp.Placement.INSIDE, "fold into one unit"),
        (rp.Placement.OUTSIDE, "have members outside the area"),
    ):
        placed = check.placed(placement)
        parts.append(f"<h2 class='{placement.value}'>{len(placed)} partnerships {what}</h2><ul>")
        parts.extend(
            f"<li>{_esc(x.partnership.name)} <i>({_esc(x.years)})</i></li>" for x in placed
        )
        parts.append("</ul>")
    sources = "".join(f"<li>{_esc(s.url)} ({_esc(s.date or 'n.d.')})</li>" for s in p.sources)
    parts.append(f"<h2>Sources</h2><ul class='sources'>{sources}</ul>")
    return "".join(parts)


STYLE = """
body{font-family:system-ui,sans-serif;margin:0;display:flex;gap:1em}
#side{width:34%;padding:0 1em;max-height:100vh;overflow:auto;font-size:14px}
#mapbox{position:relative;flex:1} svg{max-width:100%;height:auto}
.unit-shape{cursor:pointer} .unit-shape:hover{stroke:#000;stroke-width:2}
.crossing{cursor:pointer} .swatch{display:inline-block;width:1em;height:1em;margin-right:.4em}
#popup{position:absolute;background:#fff;border:1px solid #333;padding:.5em 1em;max-width:420px;
box-shadow:0 2px 8px #0004;font-size:13px} h2.crossing{color:#a50026}
footer{font-size:11px;color:#555}
"""


def proposal_map_html(snapshot: Snapshot, check: rp.ProposalCheck) -> str:
    """The proposal map page for a checked proposal."""
    names = {c.code: c.name for c in snapshot.councils}
    payload = {"map": _map_data(snapshot, check), "popups": _popups(snapshot, check)}
    height = payload["map"]["height"]
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_esc(check.proposal.title)} — proposal map</title><style>{STYLE}</style>"
        f"</head><body><div id='side'>{_side(check, names)}"
        f"<footer>{_esc(ATTRIBUTION)}</footer></div><div id='mapbox'>"
        f"<svg id='map' xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {WIDTH} {height}' "
        f"width='{WIDTH}' height='{height}' role='img' aria-label='proposal map'><defs>"
        "<pattern id='split' width='8' height='8' patternUnits='userSpaceOnUse' "
        "patternTransform='rotate(45)'><rect width='8' height='8' fill='#ddd'/>"
        "<line x1='0' y1='0' x2='0' y2='8' stroke='#777' stroke-width='4'/></pattern></defs>"
        "</svg><div id='popup' hidden></div><button id='close'>close pop-up</button></div>"
        f"<script type='application/json' id='proposal-data'>{script_json(payload)}</script>"
        f"<script>{SCRIPT}</script></body></html>"
    )


def proposal_index_html(snapshot: Snapshot) -> str:
    """Every proposal with a link to its map (the Surrey decision first)."""
    items = "".join(
        f"<li><a href='proposal/{html.escape(p.name, quote=True)}'>{_esc(p.title)}</a> "
        f"[{_esc(p.status)}]</li>"
        for p in rp.proposals(snapshot)
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Proposals</title>"
        f"</head><body><h1>Reorganisation proposals</h1><ul>{items}</ul></body></html>"
    )


def lineage_section(lineage: Lineage, names: Mapping[str, str]) -> str:
    """The council view's lineage of a successor council, as an HTML fragment."""
    items = []
    for p in lineage.predecessors:
        share = f" (its share: {len(p.share)} of {p.territory_size} districts)" if p.split else ""
        via = f", via {_esc(names.get(p.via, p.via))}" if p.via else ""
        items.append(f"<li>{_esc(p.council.name)}{share}{via}</li>")
    shared = "".join(
        f"<li>{_esc(p.partnership.name)}: {_esc(', '.join(names.get(c, c) for c in p.members))}"
        f", {p.first_year}-{p.last_year} among them; {_esc(p.years)}"
        f"{' — shared management' if p.management else ''}</li>"
        for p in lineage.partnerships
    )
    first, last = lineage.years_considered
    return (
        "<section id='lineage' style='position:fixed;left:8px;bottom:8px;max-width:480px;"
        "max-height:40vh;overflow:auto;background:#fff;border:1px solid #999;padding:0 1em;"
        "font:13px system-ui,sans-serif;z-index:10'>"
        f"<h2>Lineage: created {lineage.vesting.isoformat()} (the register's start date)</h2>"
        f"<p>Replaced:</p><ul class='predecessors'>{''.join(items)}</ul>"
        f"<p>Partnerships among them, {first}-{last}:</p><ul class='before'>{shared}</ul>"
        "</section>"
    )


def council_lineage_html(snapshots: Snapshots, code: str) -> str:
    """The lineage section for the council view of ``code``; "" when no reorganisation
    created it."""
    snapshot = snapshots.current()
    council = snapshot.councils_by_code.get(code)
    if council is None:
        return ""
    found = snapshot.remember(("lineage", council.code), lambda: lineage(snapshot, council.code))
    if found is None:
        return ""
    return lineage_section(found, {c.code: c.name for c in snapshot.councils})


def _page(body: str) -> Response:
    return HTMLResponse(
        body,
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


def proposal_routes(
    snapshots: Callable[[Request], Snapshots], *, prefix: str = "/views"
) -> list[Route]:
    """``/views/proposals`` and ``/views/proposal/{name}`` (``?year=``)."""

    async def index(request: Request) -> Response:
        source = snapshots(request)
        try:
            return _page(await run_in_threadpool(lambda: proposal_index_html(source.current())))
        except GraphUnavailable as error:
            log.warning("%s: %s", request.url.path, error)
            return PlainTextResponse(GraphUnavailable.public, status_code=503)

    async def one(request: Request) -> Response:
        name = request.path_params["name"]
        text = request.query_params.get("year")
        try:
            year = rules.check_year(int(text)) if text else None
        except (ValueError, rules.YearOutOfRange) as error:
            return PlainTextResponse(f"Bad query parameter: year: {error}", status_code=400)
        source = snapshots(request)

        def build() -> str | None:
            snapshot = source.current()
            proposal = rp.find_proposal(snapshot, name)
            if proposal is None:
                return None
            when = rp.default_year(proposal) if year is None else year
            return proposal_map_html(snapshot, rp.check_proposal(snapshot, proposal, when))

        try:
            page = await run_in_threadpool(build)
        except GraphUnavailable as error:
            log.warning("%s: %s", request.url.path, error)
            return PlainTextResponse(GraphUnavailable.public, status_code=503)
        if page is None:
            return PlainTextResponse(f"No proposal {name!r}", status_code=404)
        return _page(page)

    base = prefix.rstrip("/")
    return [
        Route(f"{base}/proposals", index, methods=["GET"]),
        Route(f"{base}/proposal/{{name}}", one, methods=["GET"]),
    ]
