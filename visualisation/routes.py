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
from typing import Literal, Protocol

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from graph.db import GraphUnavailable
from graph.errors import UnknownCouncil
from visualisation.model import ViewData
from visualisation.options import ViewOptions, ViewOptionsError
from visualisation.views import (
    render_council,
    render_map,
    render_network,
    view_update,
)

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

    def view_data(
        self,
        year: int | None = None,
        *,
        peers_of: str | None = None,
        peers_service: str | None = None,
    ) -> ViewData:
        """One year's data (None: the default year), with ``peers_of``'s peers when given
        (those sharing ``peers_service`` when given)."""
        ...

    def council_code(self, text: str, year: int | None) -> str:
        """The code of the council ``text`` names (a GSS code or any form of its name);
        ``graph.errors.UnknownCouncil`` with the closest councils when none does."""
        ...

    def remember(self, key: Hashable, compute: Callable[[], bytes]) -> bytes:
        """``compute()`` once per data version (e.g. an encoded year update), then the same."""
        ...


def _one_service(options: ViewOptions) -> str | None:
    """Peers are found for a service when exactly one layer is chosen."""
    return options.services[0] if len(options.services) == 1 else None


def _page(html: str) -> Response:
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


def view_routes(
    source: Callable[[Request], ViewSource],
    *,
    prefix: str = "/views",
    unavailable: tuple[type[Exception], ...] = (),
    council_extra: Callable[[str], str] | None = None,
) -> list[Route]:
    """The three view routes.

    Parameters
    ----------
    source : gives the data source for a request (e.g. from the app's state).
    prefix : where the views live.
    unavailable : exceptions meaning the graph cannot be reached (answered 503);
        defaults to ``graph.db.GraphUnavailable``.
    council_extra : HTML to add to a council's page (its lineage, ``visualisation.proposals``).
    """
    if not unavailable:
        unavailable = (GraphUnavailable,)

    def json_handler(kind: Literal["network", "map"]) -> Callable[[Request], object]:
        async def endpoint(request: Request) -> Response:
            try:
                options = ViewOptions.from_query(request.query_params)
            except ViewOptionsError as error:
                return PlainTextResponse(f"Bad query parameter: {error}", status_code=400)
            data_source = source(request)

            def build() -> bytes:
                data = data_source.view_data(options.year)
                # Encoded once per data version: the slider's revisits cost nothing.
                return data_source.remember(
                    ("view_update", data.year, kind, options),
                    lambda: bytes(JSONResponse(view_update(data, options, view=kind)).body),
                )

            try:
                body = await run_in_threadpool(build)
            except unavailable as error:
                # The page shows this to its user: where the database is stays in the log.
                log.warning("%s: %s", request.url.path, error)
                return PlainTextResponse(
                    "The graph database is unavailable; try again shortly.", status_code=503
                )
            return Response(
                body,
                media_type="application/json",
                headers={"X-Content-Type-Options": "nosniff"},
            )

        return endpoint

    def handler(kind: str) -> Callable[[Request], object]:
        async def endpoint(request: Request) -> Response:
            try:
                options = ViewOptions.from_query(request.query_params)
            except ViewOptionsError as error:
                return PlainTextResponse(f"Bad query parameter: {error}", status_code=400)
            code = request.path_params.get("code")
            data_source = source(request)

            def build() -> str:
                # /views/council/ takes a GSS code or any form of the name.
                council = data_source.council_code(code, options.year) if code else None
                data = data_source.view_data(
                    options.year, peers_of=council, peers_service=_one_service(options)
                )
                if kind == "map":
                    return render_map(data, options)
                if kind == "council" and council is not None:
                    page = render_council(data, options, council)
                    extra = council_extra(council) if council_extra else ""
                    return page.replace("</body>", extra + "</body>", 1) if extra else page
                return render_network(data, options)

            try:
                return _page(await run_in_threadpool(build))
            except UnknownCouncil as error:
                return PlainTextResponse(str(error), status_code=404)
            except unavailable as error:
                # Where the database is and why it failed go to the log, not to the page.
                log.warning("%s: %s", request.url.path, error)
                public = getattr(error, "public", GraphUnavailable.public)
                return PlainTextResponse(public, status_code=503)

        return endpoint

    base = prefix.rstrip("/")
    return [
        Route(f"{base}/network.json", json_handler("network"), methods=["GET"]),
        Route(f"{base}/map.json", json_handler("map"), methods=["GET"]),
        Route(f"{base}/network", handler("network"), methods=["GET"]),
        Route(f"{base}/map", handler("map"), methods=["GET"]),
        Route(f"{base}/council/{{code}}", handler("council"), methods=["GET"]),
    ]
