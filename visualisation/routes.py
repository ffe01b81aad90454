"""Starlette routes for the views: /views/network, /views/map, /views/council/{code}.

``/views/network.json`` and ``/views/map.json`` (same parameters) give what the page
needs to redraw itself for another year (``visualisation.views.view_update``): the
year slider fetches them from the page's own origin.

The API mounts them with its own data source::

    from visualisation.data import ViewDataSource
    from visualisation.routes import view_routes

    views = ViewDataSource(Snapshots(db))           # one per process
    routes += view_routes(lambda request: views)

Query parameters are those of :class:`~visualisation.options.ViewOptions`. A bad
value answers 400 with the reason, an unknown council 404, Neo4j down 503; the
page itself is built in a worker thread (Neo4j reads and layout are blocking).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from typing import Protocol

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from graph.db import GraphUnavailable
from graph.errors import UnknownCouncil
from visualisation.model import ViewData
from visualisation.options import ViewOptions, ViewOptionsError
from visualisation.views import ViewKind, render, view_update

__all__ = ["ViewSource", "view_routes"]

log = logging.getLogger("councilgraph.views")

# Pages are self-contained: forbid anything but inline script/style and data: images,
# so even a rendering bug could not load or send anything elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'self'"
)


class ViewSource(Protocol):
    """Where the views get their data (``visualisation.data.ViewDataSource`` fits)."""

    # The signature of ViewDataSource.view_data, repeated on purpose: that is a Protocol.
    def view_data(
        self,
        year: int | None = None,
        options: ViewOptions | None = None,
        *,
        peers_of: str | None = None,
        peers_service: str | None = None,
    ) -> ViewData:
        """One year's data (None: the default year) that ``options``' filters keep, with
        ``peers_of``'s peers when given (those sharing ``peers_service`` when given)."""
        ...

    def council_code(self, text: str, year: int | None) -> str:
        """The code of the council ``text`` names (a GSS code or any form of its name);
        ``graph.errors.UnknownCouncil`` with the closest councils when none does."""
        ...

    def remember(self, key: Hashable, compute: Callable[[], bytes]) -> bytes:
        """``compute()`` once per data version (e.g. an encoded year update), then the same."""
        ...


def _page(html: str) -> Response:
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


def _json(body: bytes) -> Response:
    return Response(
        body, media_type="application/json", headers={"X-Content-Type-Options": "nosniff"}
    )


Builder = Callable[[ViewKind, ViewSource, ViewOptions, str | None], Callable[[], Response]]


def _page_builder(council_extra: Callable[[str], str] | None = None) -> Builder:
    """Builds the page of ``kind`` (network, map or council ``code``) in a worker thread;
    ``council_extra`` adds HTML to a council's page (its lineage)."""

    def builder(
        kind: ViewKind, source: ViewSource, options: ViewOptions, code: str | None
    ) -> Callable[[], Response]:
        def build() -> Response:
            # /views/council/ takes a GSS code or any form of the name.
            council = source.council_code(code, options.year) if code else None
            data = source.view_data(
                options.year, options, peers_of=council, peers_service=options.one_service
            )
            page = render(kind, data, options, code=council)
            extra = council_extra(council) if council_extra and council else ""
            return _page(page.replace("</body>", extra + "</body>", 1) if extra else page)

        return build

    return builder


def _update_builder(
    kind: ViewKind, source: ViewSource, options: ViewOptions, code: str | None
) -> Callable[[], Response]:
    """The year slider's update of a network or map page (``view_update``), as JSON."""
    assert kind != "council"  # no .json route for it

    def build() -> Response:
        data = source.view_data(options.year, options)
        # Encoded once per data version: the slider's revisits cost nothing.
        return _json(
            source.remember(
                ("view_update", data.year, kind, options),
                lambda: bytes(JSONResponse(view_update(data, options, view=kind)).body),
            )
        )

    return build


def view_routes(
    source: Callable[[Request], ViewSource],
    *,
    prefix: str = "/views",
    unavailable: tuple[type[Exception], ...] = (),
    council_extra: Callable[[str], str] | None = None,
) -> list[Route]:
    """The view routes: each page and the network's and map's ``.json`` updates.

    Parameters
    ----------
    source : gives the data source for a request (e.g. from the app's state).
    prefix : where the views live.
    unavailable : exceptions meaning the graph cannot be reached (answered 503);
        defaults to ``graph.db.GraphUnavailable``.
    council_extra : HTML to add to a council's page (its lineage, ``visualisation.proposals``).
    """
    down = unavailable or (GraphUnavailable,)

    def route(path: str, kind: ViewKind, builder: Builder) -> Route:
        # The view kind is chosen here, once per route; the options are parsed once per request.
        async def endpoint(request: Request) -> Response:
            try:
                options = ViewOptions.from_query(request.query_params)
            except ViewOptionsError as error:
                return PlainTextResponse(f"Bad query parameter: {error}", status_code=400)
            build = builder(kind, source(request), options, request.path_params.get("code"))
            try:
                return await run_in_threadpool(build)
            except UnknownCouncil as error:
                return PlainTextResponse(str(error), status_code=404)
            except down as error:
                # Where the database is and why it failed go to the log, not to the page.
                log.warning("%s: %s", request.url.path, error)
                public = getattr(error, "public", GraphUnavailable.public)
                return PlainTextResponse(public, status_code=503)

        return Route(f"{prefix.rstrip('/')}{path}", endpoint, methods=["GET"])

    pages = _page_builder(council_extra)
    return [
        route("/network.json", "network", _update_builder),
        route("/map.json", "map", _update_builder),
        route("/network", "network", pages),
        route("/map", "map", pages),
        route("/council/{code}", "council", pages),
    ]
