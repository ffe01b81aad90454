"""Views of councils and their shared-service partnerships, rendered with pyvis.

Three views, each one self-contained, offline HTML page (vis-network inlined,
no CDN, no files written):

* :func:`render_network` - councils joined by the services they share
  (or, with ``two_mode``, partnerships as nodes of their own);
* :func:`render_map` - the network at projected centroids over council outlines;
* :func:`render_council` - one council, its partnerships, partners, borders and peers.

Inputs are the frozen dataclasses of :mod:`visualisation.model`, so views are
pure and testable without Neo4j; :mod:`visualisation.data` reads them from the
graph. Options come from query parameters via :meth:`ViewOptions.from_query`.
"""

from visualisation.model import (
    ATTRIBUTION,
    SERVICES,
    Council,
    Partnership,
    Peer,
    Source,
    ViewData,
)
from visualisation.options import ViewOptions, ViewOptionsError
from visualisation.views import (
    UnknownCouncilError,
    network_view,
    render_council,
    render_map,
    render_network,
    view_html,
)

__all__ = [
    "ATTRIBUTION",
    "SERVICES",
    "Council",
    "Partnership",
    "Peer",
    "Source",
    "UnknownCouncilError",
    "ViewData",
    "ViewOptions",
    "ViewOptionsError",
    "network_view",
    "render_council",
    "render_map",
    "render_network",
    "view_html",
]
