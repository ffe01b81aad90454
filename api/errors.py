"""Errors a user can act on, each with an ``extensions.code``, and the extension that masks
everything else.

The codes (docs/errors.md): BAD_USER_INPUT (an argument or the query itself is not valid),
NOT_FOUND (a council, partnership or node that does not exist), UNAUTHENTICATED (no token, or
a refused one), FORBIDDEN (signed in, but not allowed), RATE_LIMITED (with
``retryAfterSeconds``), COST_LIMIT and the other limit codes of ``api/guards.py``, and INTERNAL
(masked; the log has the details under the request id). GRAPH_UNAVAILABLE and
STATEMENT_TIMEOUT say the database could not answer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph.db import GraphUnavailable, StatementTimeout
from graph.errors import CouncilGraphError, UnknownCouncil
from graph.rules import YearOutOfRange

log = logging.getLogger("councilgraph.api")

BAD_USER_INPUT = "BAD_USER_INPUT"
NOT_FOUND = "NOT_FOUND"
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
RATE_LIMITED = "RATE_LIMITED"
INTERNAL = "INTERNAL"

#: The HTTP status of a request refused before it runs, by code (api/http.py).
HTTP_STATUS = {
    BAD_USER_INPUT: 400,
    UNAUTHENTICATED: 401,
    FORBIDDEN: 403,
    NOT_FOUND: 404,
    RATE_LIMITED: 429,
    "GRAPH_UNAVAILABLE": 503,
}


class UserError(CouncilGraphError):
    """A request the API cannot answer as asked; the message says what would be valid.

    ``code`` goes to the error's ``extensions`` (graphql-core copies an original error's
    ``extensions`` onto the error it reports), with any ``details`` beside it.
    """

    code = BAD_USER_INPUT

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.extensions: dict[str, object] = {"code": self.code, **details}


class NotFound(UserError):
    """Nothing has this key (a council's code or name, a partnership's id, a node id)."""

    code = NOT_FOUND


class Unauthenticated(UserError):
    """The request needs a signed-in user and has none (or its token was refused)."""

    code = UNAUTHENTICATED


class Forbidden(UserError):
    """The caller is signed in but may not do this (least privilege)."""

    code = FORBIDDEN


class RateLimited(UserError):
    """Too many requests of a kind; ``retryAfterSeconds`` says when to try again."""

    code = RATE_LIMITED

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message, retryAfterSeconds=retry_after_seconds)


UNAVAILABLE_MESSAGE = GraphUnavailable.public


def domain_error(original: BaseException) -> UserError | None:
    """The API's error for a domain error the user can act on; None for anything else."""
    if isinstance(original, UnknownCouncil):
        return NotFound(str(original))
    if isinstance(original, YearOutOfRange):
        return UserError(str(original))
    return None


class SafeErrors(SchemaExtension):
    """Give every error a code; keep validation and user errors as they are; mask the rest
    and log it with a request id.

    Unexpected errors never reach the client with stack traces, Cypher or driver messages:
    the client sees ``Internal error`` and the request id that finds the full error in the log.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        request_id = getattr(self.execution_context.context, "request_id", "-")
        result.errors = [self._safe(error, request_id) for error in result.errors]

    @staticmethod
    def _safe(error: GraphQLError, request_id: str) -> GraphQLError:
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            # Parse, validation and coercion errors (graphql-core's own, sometimes wrapping
            # another), and the limits' own (which have a code).
            if error.extensions and "code" in error.extensions:
                return error
            return GraphQLError(
                error.message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions={**(error.extensions or {}), "code": BAD_USER_INPUT},
            )
        if isinstance(original, UserError):
            return error
        known = domain_error(original)
        if known is not None:
            return GraphQLError(
                str(known), nodes=error.nodes, path=error.path, extensions=known.extensions
            )
        if isinstance(original, GraphUnavailable):
            # The log has where Neo4j is and why it failed; the client only what it can do.
            log.warning("request %s: %s", request_id, original)
            code = "STATEMENT_TIMEOUT" if isinstance(original, StatementTimeout) else None
            return GraphQLError(
                original.public,
                nodes=error.nodes,
                path=error.path,
                extensions={"code": code or "GRAPH_UNAVAILABLE", "requestId": request_id},
            )
        log.error("request %s failed", request_id, exc_info=original)
        return GraphQLError(
            f"Internal error (request id {request_id})",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": INTERNAL, "requestId": request_id},
        )
