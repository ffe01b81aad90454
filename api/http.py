"""GraphQL over HTTP (the GraphQL Foundation's spec): media types, status codes, and errors
before execution answered as GraphQL errors.

A client that accepts ``application/graphql-response+json`` gets that media type; a request
that fails before execution (unparsable JSON or GraphQL, invalid parameters, validation,
variable coercion, a limit, a refused token) gets a 4xx status and a body with ``errors``
and no ``data``. A client that accepts only ``application/json`` (or ``*/*``, or says
nothing) gets ``application/json`` as before: request errors with HTTP 200, except a refused
token (401), too many refused tokens (429) and an unavailable database (503), which keep their
status under both media types. Every error body is JSON with an ``extensions.code``.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Mapping
from typing import Any

from cross_web import HTTPException
from starlette import exceptions as starlette_exceptions
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from api.errors import BAD_USER_INPUT, HTTP_STATUS

__all__ = ["GRAPHQL_RESPONSE", "GraphQLOverHTTP", "accepts_graphql_response"]

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

#: Codes of errors that stop a request before execution, by HTTP status.
CODE_OF_STATUS = {401: "UNAUTHENTICATED", 403: "FORBIDDEN", 429: "RATE_LIMITED"}
CODE_OF_STATUS[503] = "GRAPH_UNAVAILABLE"

_graphql_response: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "graphql_response", default=False
)


def accepts_graphql_response(accept: str | None) -> bool:
    """Whether an ``Accept`` header prefers ``application/graphql-response+json`` over
    ``application/json`` (by quality, then by order)."""
    best: tuple[float, int, str] | None = None
    for index, part in enumerate((accept or "").split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        if media.lower() not in (GRAPHQL_RESPONSE, JSON):
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        candidate = (-quality, index, media.lower())
        if quality > 0 and (best is None or candidate < best):
            best = candidate
    return best is not None and best[2] == GRAPHQL_RESPONSE


def _is_request_error(body: Mapping[str, Any]) -> bool:
    """Errors before execution: no data, and no error at a path of the answer."""
    errors = body.get("errors")
    return (
        body.get("data") is None
        and bool(errors)
        and not any(isinstance(e, Mapping) and e.get("path") for e in errors or ())
    )


def _status_of(errors: list[Any]) -> int:
    for error in errors:
        code = (error.get("extensions") or {}).get("code") if isinstance(error, Mapping) else None
        if code in HTTP_STATUS:
            return HTTP_STATUS[code]
    return 400


class GraphQLOverHTTP:
    """Mixed into the app's strawberry view (``api/app.py``) before strawberry's own class."""

    def encode_json(self, data: object) -> str | bytes:  # the view's own, via the MRO
        return super().encode_json(data)  # type: ignore[misc, no-any-return]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)  # type: ignore[misc]
            return
        request = Request(scope=scope, receive=receive)
        wanted = accepts_graphql_response(request.headers.get("accept"))
        token = _graphql_response.set(wanted)
        try:
            if request.method == "POST" and "content-type" not in request.headers:
                raise HTTPException(415, "POST a JSON body with Content-Type: application/json")
            response = await self.run(request)  # type: ignore[attr-defined]
        except (HTTPException, starlette_exceptions.HTTPException) as error:
            response = self._refusal(error, wanted)
        finally:
            _graphql_response.reset(token)
        await response(scope, receive, send)

    def _refusal(
        self, error: HTTPException | starlette_exceptions.HTTPException, wanted: bool
    ) -> Response:
        status = error.status_code
        message = error.reason if isinstance(error, HTTPException) else error.detail
        headers = dict(getattr(error, "headers", None) or {})
        extensions: dict[str, object] = {"code": CODE_OF_STATUS.get(status, BAD_USER_INPUT)}
        if "Retry-After" in headers:
            extensions["retryAfterSeconds"] = int(headers["Retry-After"])
        body = {"errors": [{"message": message, "extensions": extensions}]}
        return Response(
            json.dumps(body),
            status_code=status,
            headers=headers,
            media_type=GRAPHQL_RESPONSE if wanted else JSON,
        )

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response: Response = super().create_response(  # type: ignore[misc]
            response_data, sub_response
        )
        if not _graphql_response.get():
            return response
        response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
        if isinstance(response_data, Mapping) and _is_request_error(response_data):
            without_data = {k: v for k, v in response_data.items() if k != "data"}
            response.body = response.render(self.encode_json(without_data))
            response.headers["content-length"] = str(len(response.body))
            response.status_code = _status_of(list(response_data["errors"]))
        return response
