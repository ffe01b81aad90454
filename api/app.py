"""The Starlette application: GraphQL at /graphql (playground on GET), health, views."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from api.auth import AccessControl
from api.context import Context
from api.guards import BodySizeLimit, limit_error, set_validation_budget, variables_problem
from api.http import GraphQLOverHTTP
from api.limits import Limits
from api.playground import graphiql_html, home_html, readme_examples, static_files
from api.responses import Key, ResponseCache, response_key
from api.schema import build_schema
from exports.routes import ExportSource, export_routes
from graph import rules
from graph.db import Database, GraphUnavailable, connect, counting_round_trips
from graph.schema import ensure_schema
from graph.settings import Settings
from graph.snapshot import Snapshots, warm_every_s
from visualisation.data import ViewDataSource
from visualisation.proposals import council_lineage_html, proposal_routes
from visualisation.routes import view_routes

log = logging.getLogger("councilgraph.api")


@dataclass
class AppState:
    """What lives as long as the app: one driver, and the snapshots of the data version that
    every request, view and analysis shares."""

    db: Database
    snapshots: Snapshots
    schema_ready: bool = False

    def ensure_schema_once(self) -> None:
        """Create constraints at start-up, or on the first request after Neo4j comes back."""
        if not self.schema_ready:
            ensure_schema(self.db)
            self.schema_ready = True


class CouncilGraphQL(GraphQLOverHTTP, GraphQL[Context, None]):
    """strawberry's view with the offline playground, a typed per-request context and the
    limits that apply around a whole operation: variables, wall-clock time, response size."""

    def __init__(
        self, state: AppState, limits: Limits, responses: ResponseCache | None, **kwargs: Any
    ) -> None:
        super().__init__(build_schema(limits), **kwargs)
        self.state = state
        self.limits = limits
        # None: every answer is computed. Batched operations share one response, which a
        # remembered answer would stand for whole, so batching (off today) turns it off.
        self.responses = responses if self.schema.config.batching_config is None else None
        # Per request, between execute_single and create_response: a remembered answer to
        # send, or the key to remember the answer under (api/responses.py).
        self._answers: weakref.WeakKeyDictionary[Any, bytes | Key] = weakref.WeakKeyDictionary()
        self.playground = graphiql_html("/graphql", "/static", readme_examples())
        self.access = AccessControl(state.db)  # bearer tokens, submission rate limit

    async def get_context(self, request: Any, response: Any) -> Context:
        if not self.state.schema_ready:  # no hop to a thread once the schema is there
            with contextlib.suppress(GraphUnavailable):
                await run_in_threadpool(self.state.ensure_schema_once)
        context = Context.create(self.state.db, self.state.snapshots)
        context.user = await self.access.user_for(request)  # HTTP 401 for a refused token
        context.contributions = self.access.contributions()
        return context

    async def render_graphql_ide(self, request: Any) -> HTMLResponse:
        return HTMLResponse(self.playground)

    async def execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        problem = variables_problem(request_data.variables, self.limits)
        if problem is not None:
            return ExecutionResult(data=None, errors=[problem])
        seconds = self.limits.request_timeout_s
        try:
            # Statements already sent run on in their worker threads until Neo4j's own
            # statement timeout stops them; the client is answered now.
            return await asyncio.wait_for(
                self._answer(
                    request, request_adapter, sub_response, context, root_value, request_data
                ),
                timeout=seconds,
            )
        except TimeoutError:
            log.warning("request %s stopped after %g s", context.request_id, seconds)
            error = limit_error(
                f"the request took longer than {seconds:g} s and was stopped",
                "REQUEST_TIMEOUT",
                limitSeconds=seconds,
                requestId=context.request_id,
            )
            return ExecutionResult(data=None, errors=[error])

    async def _answer(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """A remembered answer when there is one; else strawberry's execution, remembering
        its answer when it came from the snapshot alone (api/responses.py)."""
        key = await self._response_key(context, request_data, request_adapter.method)
        if key is not None and self.responses is not None:
            body = self.responses.get(key)
            if body is not None:
                self._answers[sub_response] = body
                return ExecutionResult(data=None, errors=None)
        with counting_round_trips() as trips:
            result = await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        if key is not None and not result.errors and trips[0] == 0:
            self._answers[sub_response] = key  # all from the snapshot: remember it
        return result

    async def _response_key(
        self, context: Context, request_data: GraphQLRequestData, method: str
    ) -> Key | None:
        """The key of a rememberable request (anonymous, not a mutation), else None."""
        query = request_data.query
        if self.responses is None or context.user is not None or not query or "mutation" in query:
            return None
        well_formed = isinstance(request_data.operation_name, str | None) and isinstance(
            request_data.variables, dict | None
        )
        if not well_formed:  # answered, and refused, exactly as without remembered answers
            return None
        try:
            version = (await context.snapshot()).version  # the request's one read
        except Exception:
            return None  # the execution meets it again and answers with the usual error
        return response_key(
            version,
            rules.current_year(),
            method,  # what a method may run is checked when the answer is computed
            query,
            request_data.variables,
            request_data.operation_name,
        )

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        answer = self._answers.pop(sub_response, None)
        # Headers, status and media type as for any answer (api/http.py); then the body.
        response = super().create_response(response_data, sub_response)
        if isinstance(answer, bytes):
            response.body = answer
            response.headers["content-length"] = str(len(answer))
            return response
        if (
            answer is not None
            and self.responses is not None
            and response.status_code == 200
            and len(response.body) <= self.limits.max_response_bytes  # not the cap's error
        ):
            self.responses.put(answer, bytes(response.body))
        return response

    def decode_json(self, data: str | bytes) -> object:
        try:
            return super().decode_json(data)
        except RecursionError:  # a body of nested brackets: refuse it as strawberry would
            raise HTTPException(400, "Unable to parse request body as JSON") from None

    def encode_json(self, data: object) -> str | bytes:
        # strawberry's encoding (compact separators), without the circular-reference check:
        # an answer is a tree that graphql-core has just built (its own dicts and lists,
        # scalars at the leaves), never circular. The same bytes, in 50-70% of the time
        # (3.0 -> 1.5 ms for bench_api's largest page).
        encoded = json.dumps(data, separators=(",", ":"), check_circular=False)
        cap = self.limits.max_response_bytes
        if len(encoded) <= cap:  # ASCII JSON: characters are bytes
            return encoded
        log.warning("answer of %d bytes replaced by an error (cap %d)", len(encoded), cap)
        error = limit_error(
            f"the answer would be {len(encoded)} bytes, more than the limit of {cap}; "
            "ask for fewer fields or smaller pages",
            "RESPONSE_TOO_LARGE",
            size=len(encoded),
            limit=cap,
        )
        return super().encode_json({"data": None, "errors": [error.formatted]})


def _middleware(limits: Limits, cors_origins: list[str] | None) -> list[Middleware]:
    """Body size limit, compression, and CORS when origins are configured (argument, else
    $COUNCILGRAPH_CORS_ORIGINS, comma-separated; off by default)."""
    origins = cors_origins
    if origins is None:
        configured = os.environ.get("COUNCILGRAPH_CORS_ORIGINS", "")
        origins = [o.strip() for o in configured.split(",") if o.strip()]
    middleware = [
        Middleware(BodySizeLimit, max_bytes=limits.max_body_bytes),
        # The views inline vis-network (~0.7 MB): compressed, a national page is a few hundred kB.
        Middleware(GZipMiddleware, minimum_size=1024),
    ]
    if origins:  # CORS is off unless origins are configured
        middleware.append(
            Middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                       allow_headers=["Authorization", "Content-Type"])
        )  # fmt: skip
    return middleware


async def _health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def _home(request: Request) -> Response:
    return HTMLResponse(home_html())


def _shut_down(db: Database, stop_warming: Callable[[], None] | None) -> None:
    """Stop the warm-up thread (it reads through the driver), then close the driver."""
    if stop_warming is not None:
        stop_warming()
    try:
        db.driver.close()
    except Exception as error:  # a read abandoned by a timed-out request may still hold a
        # connection; the process is going away either way
        log.warning("closing the Neo4j driver: %r", error)


def create_app(
    settings: Settings | None = None,
    *,
    cors_origins: list[str] | None = None,
    limits: Limits | None = None,
    response_cache: bool | None = None,
) -> Starlette:
    """Build the app. The driver is created here and closed when the app shuts down.

    The app starts even when Neo4j is down: /ready says so, requests get a clear error
    within a couple of seconds (short driver retries, ``api/limits.py``), and everything
    recovers by itself when Neo4j is back (the driver reconnects).

    ``response_cache`` (default: on unless $COUNCILGRAPH_RESPONSE_CACHE is ``off``) keeps
    whole anonymous answers per data version (``api/responses.py``).
    """
    settings = settings or Settings.from_env()
    limits = limits or Limits.from_env()
    set_validation_budget(limits)
    db = connect(
        settings,
        verify=False,
        statement_timeout_s=limits.statement_timeout_s,
        retry_s=limits.db_retry_s,
        connect_timeout_s=limits.db_connect_timeout_s,
        fail_fast_s=limits.db_fail_fast_s,
    )
    state = AppState(db=db, snapshots=Snapshots(db))
    warm_every = warm_every_s(os.environ)  # off unless set (graph/snapshot.py)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            await run_in_threadpool(state.ensure_schema_once)
        except GraphUnavailable as error:
            log.warning("starting without Neo4j: %s", error)
        # What start-up made (modules, schema, driver) lives as long as the process: out of
        # the collector's sight, full collections stay short (docs/performance.md).
        gc.collect()
        gc.freeze()
        stop_warming = state.snapshots.watch(warm_every) if warm_every else None
        try:
            yield
        finally:
            _shut_down(db, stop_warming)

    async def ready(request: Request) -> Response:
        try:
            await run_in_threadpool(db.ping)
        except GraphUnavailable as error:
            log.warning("not ready: %s", error)  # where and why: for the log only
            return JSONResponse({"status": "unavailable", "reason": error.public}, status_code=503)
        return JSONResponse({"status": "ready"})

    middleware = _middleware(limits, cors_origins)
    if response_cache is None:
        response_cache = os.environ.get("COUNCILGRAPH_RESPONSE_CACHE", "on").lower() != "off"
    graphql = CouncilGraphQL(state, limits, ResponseCache() if response_cache else None)
    views = ViewDataSource(state.snapshots)
    routes = [
        Route("/", _home),
        Route("/health", _health),
        Route("/ready", ready),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Mount("/static", static_files(), name="static"),
        *view_routes(
            lambda request: views,
            unavailable=(GraphUnavailable,),
            council_extra=lambda code: council_lineage_html(state.snapshots, code),
        ),
        *proposal_routes(lambda request: state.snapshots),
        *export_routes(lambda request: ExportSource(db, views.view_data), graphql.access.user_for),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.council_graph = state
    return app
