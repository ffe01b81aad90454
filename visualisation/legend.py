"""The words and keys around a view: its title and summary line, its legend, the page's
filter form (``page_context``) and the map's shading. Pure functions of a
:class:`~visualisation.selection.Selection`; ``views.py`` puts them on the page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from visualisation.graphs import is_hub
from visualisation.model import ATTRIBUTION, KINDS, REGIONS, SAVINGS_CAVEAT, SERVICES
from visualisation.options import STATUS_CHOICES, ViewKind
from visualisation.selection import Selection
from visualisation.style import (
    BORDER_COLOUR,
    HUB_MIN_MEMBERS,
    KIND_COLOURS,
    MIXED_SERVICE_COLOUR,
    NEUTRAL_EDGE_COLOUR,
    OUTSIDE_COLOUR,
    PEER_COLOUR,
    SERVICE_COLOURS,
    SERVICE_LABELS,
    STATUS_COLOURS,
    STATUS_DASHES,
    STATUS_LABELS,
)

__all__ = [
    "NO_SHADE_FILL",
    "SHADE_BINS",
    "SINGLETON_FILL",
    "describe",
    "legend",
    "page_context",
    "shade",
]

SHADE_BINS: tuple[tuple[int, str], ...] = (
    (1, "#edf8b1"),
    (2, "#c7e9b4"),
    (3, "#7fcdbb"),
    (5, "#41b6c4"),
    (8, "#1d91c0"),
)
"""Map shading: (lowest count, fill); a council takes the last bin its count reaches."""
SINGLETON_FILL = "#ffd8a8"
NO_SHADE_FILL = "#e9ecef"

_STATUS_PHRASES: Mapping[str, str] = {
    "active": "partnerships active in {year}",
    "operational": "operational partnerships active in {year}",
    "ended": "partnerships active in {year} that have since ended",
    "in_development": "partnerships in development (members as of {year})",
    "abandoned": "abandoned partnerships (members as of {year})",
    "all": "partnerships of every status (members as of {year})",
}


def describe(selection: Selection, *, what: str) -> tuple[str, str]:
    options, year = selection.options, selection.data.year
    services = (
        ", ".join(SERVICE_LABELS[s] for s in options.services)
        if options.services
        else "all services"
    )
    singletons = sum(
        1 for code, n in selection.counts.items() if n == 0 and code in selection.in_scope
    )
    parts = [
        _STATUS_PHRASES[options.status].format(year=year),
        services,
        options.region or "all of England",
        f"{len(selection.councils)} councils, {len(selection.partnerships)} partnerships, "
        f"{singletons} singletons",
    ]
    return f"{what}, {year}", "Showing " + " · ".join(parts)


def _council_items(selection: Selection) -> list[dict[str, Any]]:
    kinds_present = {c.kind for c in selection.councils.values()}
    councils = [
        {"shape": "dot", "colour": colour, "label": KINDS[kind]}
        for kind, colour in KIND_COLOURS.items()
        if kind in kinds_present
    ]
    if selection.options.region is not None:
        councils.append(
            {"shape": "dot", "colour": OUTSIDE_COLOUR, "label": "Partner outside the region"}
        )
    councils.append({"shape": "dot", "colour": "#868e96", "label": "Larger: more partnerships"})
    councils.append(
        {
            "shape": "ring",
            "colour": "#495057",
            "label": "Hollow: singleton (in no partnership shown)",
        }
    )
    return councils


def _link_items(selection: Selection) -> list[dict[str, Any]]:
    """How links look: by status (every status shown), by chosen service, or one grey."""
    chosen = selection.options.services
    if selection.options.status == "all" and not chosen:
        return [
            {
                "shape": "line" if not STATUS_DASHES[s] else "dashed",
                "colour": STATUS_COLOURS[s],
                "label": STATUS_LABELS[s],
            }
            for s in STATUS_COLOURS
        ]
    if chosen:
        links = [
            {"shape": "line", "colour": SERVICE_COLOURS[s], "label": SERVICE_LABELS[s]}
            for s in chosen
        ]
        if len(chosen) > 1:
            links.append(
                {"shape": "line", "colour": MIXED_SERVICE_COLOUR, "label": "Several chosen"}
            )
        return links
    return [{"shape": "line", "colour": NEUTRAL_EDGE_COLOUR, "label": "Share a partnership"}]


def _partnership_section(selection: Selection, *, squares: bool) -> dict[str, Any]:
    """The legend's partnerships: squares (council view, two-mode) or links between councils."""
    chosen = selection.options.services
    links = _link_items(selection)
    if squares:
        if not chosen:
            links = [
                {"shape": "square", "colour": STATUS_COLOURS[s], "label": STATUS_LABELS[s]}
                for s in STATUS_COLOURS
            ]
        else:
            links = [{**item, "shape": "square"} for item in links]
        return {"heading": "Partnerships (squares)", "items": links}
    links.append({"shape": "line", "colour": "#868e96", "label": "Wider: more services shared"})
    if selection.options.hubs and any(is_hub(selection, p) for p in selection.partnerships):
        links.append(
            {
                "shape": "hub",
                # Hubs take their status's colour (their service's when layers are chosen).
                "colour": MIXED_SERVICE_COLOUR if chosen else STATUS_COLOURS["operational"],
                "label": f"Partnership of {HUB_MIN_MEMBERS}+ members (hub; colour as its links)"
                if chosen
                else f"Partnership of {HUB_MIN_MEMBERS}+ members (hub; colour: status)",
            }
        )
    return {"heading": "Links between councils", "items": links}


def _shading_items() -> list[dict[str, Any]]:
    shading = [
        {
            "shape": "fill",
            "colour": colour,
            "label": f"{low}+ partnerships"
            if i == len(SHADE_BINS) - 1
            else (
                f"{low} partnership{'s' if low > 1 else ''}"
                if SHADE_BINS[i + 1][0] - low == 1
                else f"{low}-{SHADE_BINS[i + 1][0] - 1} partnerships"
            ),
        }
        for i, (low, colour) in enumerate(SHADE_BINS)
    ]
    shading.append({"shape": "fill", "colour": SINGLETON_FILL, "label": "Singleton"})
    shading.append({"shape": "fill", "colour": NO_SHADE_FILL, "label": "Not shown / county area"})
    return shading


def legend(selection: Selection, *, view: ViewKind, two_mode: bool) -> list[dict[str, Any]]:
    """The page's legend: councils, partnerships, and what the council view or map adds."""
    sections: list[dict[str, Any]] = [
        {"heading": "Councils (colour: kind)", "items": _council_items(selection)},
        _partnership_section(selection, squares=view == "council" or two_mode),
    ]
    if view == "council":
        sections.append(
            {
                "heading": "Around the council",
                "items": [
                    {"shape": "dashed", "colour": BORDER_COLOUR, "label": "Borders"},
                    {"shape": "dotted", "colour": PEER_COLOUR, "label": "Top peer (similar)"},
                ],
            }
        )
    if view == "map":
        sections.append({"heading": "Area shading (own partnerships)", "items": _shading_items()})
    return sections


def page_context(
    selection: Selection, *, view: ViewKind, title: str, subtitle: str, two_mode: bool
) -> dict[str, Any]:
    options, data = selection.options, selection.data
    chosen = set(options.services)
    status_labels = {"active": "Active in the year", **STATUS_LABELS, "all": "All statuses"}
    return {
        "view": view,
        "title": title,
        "subtitle": subtitle,
        "year": data.year,
        "years": data.years,
        "services": [
            {
                "code": s.code,
                "label": s.label,
                "office": s.office,
                "colour": s.colour,
                "checked": s.code in chosen,
            }
            for s in SERVICES
        ],
        "services_summary": f"{len(chosen)} chosen" if chosen else "all",
        "statuses": [(value, status_labels[value]) for value in STATUS_CHOICES],
        "status": options.status,
        "regions": REGIONS,
        "region": options.region,
        "two_mode": two_mode,
        "physics": options.physics,
        "hubs": options.hubs,
        "hub_min_members": HUB_MIN_MEMBERS,
        "live_years": view in ("network", "map"),
        "legend": legend(selection, view=view, two_mode=two_mode),
        "caveat": SAVINGS_CAVEAT,
        "attribution": ATTRIBUTION,
        "notice": data.notice,
        "reference": data.reference if view != "council" else None,
    }


def shade(count: int) -> str:
    fill = SINGLETON_FILL
    for low, colour in SHADE_BINS:
        if count >= low:
            fill = colour
    return fill
