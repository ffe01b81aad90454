"""How the views draw things: the colours, labels and dashes of council kinds, service
layers and partnership statuses, and when a partnership becomes a hub. The graphs
(``graphs.py``) and the legend (``legend.py``) both take them from here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from visualisation.model import SERVICES

__all__ = [
    "BORDER_COLOUR",
    "HUB_MIN_MEMBERS",
    "KIND_COLOURS",
    "MIXED_SERVICE_COLOUR",
    "NEUTRAL_EDGE_COLOUR",
    "OUTSIDE_COLOUR",
    "PEER_COLOUR",
    "SERVICE_COLOURS",
    "SERVICE_LABELS",
    "STATUS_COLOURS",
    "STATUS_DASHES",
    "STATUS_LABELS",
    "UNKNOWN_KIND_COLOUR",
    "status_edge_style",
]

KIND_COLOURS: Mapping[str, str] = {
    "county": "#6a51a3",
    "district": "#2b8cbe",
    "unitary": "#e6550d",
    "metropolitan_district": "#31a354",
    "london_borough": "#d6616b",
    "city_of_london": "#525252",
}
UNKNOWN_KIND_COLOUR = "#969696"
OUTSIDE_COLOUR = "#cfd4da"
"""Councils outside the chosen region, shown because they share with councils in it."""
SERVICE_COLOURS: Mapping[str, str] = {s.code: s.colour for s in SERVICES}
SERVICE_LABELS: Mapping[str, str] = {s.code: s.label for s in SERVICES}
MIXED_SERVICE_COLOUR = "#343a40"
NEUTRAL_EDGE_COLOUR = "#8795a1"
BORDER_COLOUR = "#adb5bd"
PEER_COLOUR = "#9c36b5"
STATUS_COLOURS: Mapping[str, str] = {
    "operational": "#2f9e44",
    "ended": "#868e96",
    "in_development": "#f08c00",
    "abandoned": "#c92a2a",
}
STATUS_LABELS: Mapping[str, str] = {
    "operational": "Operational",
    "ended": "Ended",
    "in_development": "In development",
    "abandoned": "Abandoned",
}
STATUS_DASHES: Mapping[str, Any] = {
    "operational": False,
    "ended": [8, 4],
    "in_development": [4, 4],
    "abandoned": [1, 4],
}
"""How a link looks by its partnership's status when every status is shown (``status=all``)."""
_STATUS_ORDER = ("operational", "ended", "in_development", "abandoned")

HUB_MIN_MEMBERS = 4
"""Partnerships with this many members or more are drawn as a hub: a small square linked
to each member (n lines) rather than a line between every pair (n(n-1)/2: 6 for four
members, 325 for 26). Three members stay a triangle of pair lines (3 either way)."""


def status_edge_style(statuses: Iterable[str]) -> tuple[str, Any]:
    """Colour and dashes of a link whose partnerships have these statuses (``status=all``):
    the most current status wins (operational, ended, in development, abandoned)."""
    present = set(statuses)
    status = next((s for s in _STATUS_ORDER if s in present), "operational")
    return STATUS_COLOURS[status], STATUS_DASHES[status]
