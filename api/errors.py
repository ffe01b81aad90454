"""Errors a user can act on, and the extension that masks everything else."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph.db import GraphUnavailable, StatementTimeout
from graph.errors import CouncilGraphError, UnknownCouncil
from graph.rules import YearOutOfRange

log = logging.getLogger("councilgraph.api")


class UserError(CouncilGraphError):
    """A request the API cannot answer as asked; the message says what would be valid."""


class Forbidden(UserError):
    """The caller is signed in but may not do this (least privilege): ``code`` FORBIDDEN."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        # graphql-core copies an original error's extensions onto the error it reports.
        self.extensions: dict[str, object] = {"code": "FORBIDDEN"}


UNAVAILABLE_MESSAGE = GraphUnavailable.public


class SafeErrors(SchemaExtension):
    """Keep validation and user errors as they are; mask the rest and log it with a request id.

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
        if original is None or isinstance(original, UserError):
            return error
        if isinstance(original, UnknownCouncil | YearOutOfRange):
            # The domain's own errors say what would be valid; they carry the API's codes here.
            kind = "NOT_FOUND" if isinstance(original, UnknownCouncil) else "BAD_USER_INPUT"
            return GraphQLError(
                str(original), nodes=error.nodes, path=error.path, extensions={"code": kind}
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
            extensions={"code": "INTERNAL", "requestId": request_id},
        )
