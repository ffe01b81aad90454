"""The Starlette application: GraphQL at /graphql (playground on GET), health, views."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from strawberry.asgi import GraphQL

from api.auth import AccessControl
from api.context import Context
from api.playground import graphiql_html, home_html, static_files
from api.schema import build_schema
from exports.routes import ExportSource, export_routes
from graph import repository as repo
from graph.db import Database, GraphUnavailable, connect
from graph.projection import NetworkSource
from graph.schema import ensure_schema
from graph.settings import Settings
from visualisation.data import ViewDataSource
from visualisation.routes import view_routes

log = logging.getLogger("councilgraph.api")


@dataclass
class AppState:
    """What lives as long as the app: one driver, the shared caches."""

    db: Database
    memberships: repo.MembershipCache
    network: NetworkSource
    reference: repo.ReferenceCache = field(default_factory=repo.ReferenceCache)
    schema_ready: bool = False

    def ensure_schema_once(self) -> None:
        """Create constraints at start-up, or on the first request after Neo4j comes back."""
        if not self.schema_ready:
            ensure_schema(self.db)
            self.schema_ready = True


class CouncilGraphQL(GraphQL[Context, None]):
    """strawberry's view with the offline playground and a typed per-request context."""

    def __init__(self, state: AppState, **kwargs: Any) -> None:
        super().__init__(build_schema(), **kwargs)
        self.state = state
        self.access = AccessControl(state.db)  # bearer tokens, submission rate limit

    async def get_context(self, request: Any, response: Any) -> Context:
        with contextlib.suppress(GraphUnavailable):
            await run_in_threadpool(self.state.ensure_schema_once)
        context = Context.create(
            self.state.db, self.state.memberships, self.state.network, self.state.reference
        )
        context.user = await self.access.user_for(request)  # HTTP 401 for a refused token
        context.contributions = self.access.contributions()
        return context

    async def render_graphql_ide(self, request: Any) -> HTMLResponse:
        return HTMLResponse(graphiql_html("/graphql", "/static"))


def create_app(
    settings: Settings | None = None, *, cors_origins: list[str] | None = None
) -> Starlette:
    """Build the app. The driver is created here and closed when the app shuts down.

    The app starts even when Neo4j is down: /ready says so, requests get a clear error, and
    everything recovers by itself when Neo4j is back (the driver reconnects).
    """
    settings = settings or Settings.from_env()
    db = connect(settings, verify=False)
    state = AppState(db=db, memberships=repo.MembershipCache(), network=NetworkSource(db))
    origins = cors_origins
    if origins is None:
        configured = os.environ.get("COUNCILGRAPH_CORS_ORIGINS", "")
        origins = [o.strip() for o in configured.split(",") if o.strip()]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            await run_in_threadpool(state.ensure_schema_once)
        except GraphUnavailable as error:
            log.warning("starting without Neo4j: %s", error)
        yield
        db.driver.close()

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def ready(request: Request) -> Response:
        try:
            await run_in_threadpool(db.ping)
        except GraphUnavailable as error:
            return JSONResponse({"status": "unavailable", "reason": str(error)}, status_code=503)
        return JSONResponse({"status": "ready"})

    async def home(request: Request) -> Response:
        return HTMLResponse(home_html())

    # The views inline vis-network (~0.7 MB): compressed, a national page is a few hundred kB.
    middleware = [Middleware(GZipMiddleware, minimum_size=1024)]
    if origins:  # CORS is off unless origins are configured
        middleware.append(
            Middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                       allow_headers=["Authorization", "Content-Type"])
        )  # fmt: skip
    graphql = CouncilGraphQL(state)
    views = ViewDataSource(db)
    routes = [
        Route("/", home),
        Route("/health", health),
        Route("/ready", ready),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Mount("/static", static_files(), name="static"),
        *view_routes(lambda request: views, unavailable=(GraphUnavailable,)),
        *export_routes(lambda request: ExportSource(db, views.view_data), graphql.access.user_for),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.council_graph = state
    return app
