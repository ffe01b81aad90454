"""Where the limits of ``api/limits.py`` are enforced, in the order a request meets them.

1. :class:`BodySizeLimit` (ASGI middleware): the body is counted as it arrives; past
   ``max_body_bytes`` the answer is HTTP 413 before anything is parsed.
2. :func:`variables_problem`: the count of values in ``variables`` and the length of every
   string in them, before the query is parsed.
3. :class:`QueryLimits` (schema extension): the token limit while parsing; then, in a worker
   thread so the event loop keeps serving, the query's strings, depth, aliases, introspection
   and cost (``api/cost.py``, linear in the document) and only then graphql-core's own
   validation.
4. The wall-clock limit and the response-size cap are applied by the GraphQL view
   (``api/app.py``).

Every refusal is a GraphQL error whose ``extensions.code`` names the limit, with the
measured value and the limit beside it.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
)
from graphql.validation.rules import overlapping_fields_can_be_merged
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from api.cost import estimates_for, longest_string, measure
from api.limits import Limits

__all__ = [
    "BodySizeLimit",
    "CheckedDocuments",
    "QueryLimits",
    "limit_error",
    "set_validation_budget",
    "shape_problems",
    "variables_problem",
]

log = logging.getLogger("councilgraph.api")


def set_validation_budget(limits: Limits) -> None:
    """Bound graphql-core's check that same-named fields can merge (quadratic in them).

    Its default budget lets one hostile document cost over a second of CPU; real queries
    spend none of it. graphql-core documents this module attribute as the knob and reads it
    when each validation starts; it is process-wide, so the last app created sets it.
    """
    overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET = limits.max_validation_work


def limit_error(message: str, code: str, **measured: object) -> GraphQLError:
    """A refusal naming the limit (``code``) and what was measured against it."""
    return GraphQLError(message, extensions={"code": code, **measured})


class BodySizeLimit:
    """Refuse request bodies over ``max_bytes`` with HTTP 413, counting what arrives.

    The body is read here (it is small, by definition) and handed on whole, so the app never
    starts on a request it would have to abandon halfway through its body.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # later calls wait for the disconnect, as usual

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        error = limit_error(
            f"the request body is larger than the limit of {self.max_bytes} bytes",
            "BODY_TOO_LARGE",
            limit=self.max_bytes,
        )
        body = json.dumps({"errors": [error.formatted]}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def variables_problem(variables: Mapping[str, Any] | None, limits: Limits) -> GraphQLError | None:
    """Too many values in ``variables``, or a string in them too long; None if neither."""
    count = 0
    pending: list[Any] = [variables or {}]
    while pending:
        value = pending.pop()
        count += 1
        if count > limits.max_variable_values:
            return limit_error(
                f"the variables hold more than {limits.max_variable_values} values",
                "VARIABLES_LIMIT",
                limit=limits.max_variable_values,
            )
        if isinstance(value, str) and len(value) > limits.max_string_chars:
            return _long_string(len(value), limits)
        if isinstance(value, Mapping):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return None


def _long_string(length: int, limits: Limits) -> GraphQLError:
    return limit_error(
        f"a string of {length} characters is longer than the limit of {limits.max_string_chars}",
        "STRING_LIMIT",
        length=length,
        limit=limits.max_string_chars,
    )


def shape_problems(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any],
    limits: Limits,
) -> list[GraphQLError]:
    """The limits ``document`` breaks, measured without running it; empty when none."""
    longest = longest_string(document)
    if longest > limits.max_string_chars:
        return [_long_string(longest, limits)]
    problems: list[GraphQLError] = []
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        try:
            shape = measure(
                schema, document, operation, variables=variables, estimates=estimates_for(schema)
            )
        except RecursionError:
            return [limit_error("the query nests fragments too deeply", "DEPTH_LIMIT")]
        if shape is None:
            continue  # a fragment cycle: graphql-core's validation reports it
        if shape.introspection and not limits.introspection:
            problems.append(
                limit_error("introspection is switched off on this server", "INTROSPECTION_OFF")
            )
        if shape.depth > limits.max_depth:
            problems.append(
                limit_error(
                    f"query depth {shape.depth} exceeds maximum operation depth of "
                    f"{limits.max_depth}",
                    "DEPTH_LIMIT",
                    depth=shape.depth,
                    limit=limits.max_depth,
                )
            )
        if shape.introspection_depth > limits.max_introspection_depth:
            problems.append(
                limit_error(
                    f"introspection depth {shape.introspection_depth} exceeds the limit of "
                    f"{limits.max_introspection_depth}",
                    "INTROSPECTION_DEPTH_LIMIT",
                    depth=shape.introspection_depth,
                    limit=limits.max_introspection_depth,
                )
            )
        if shape.aliases > limits.max_aliases:
            problems.append(
                limit_error(
                    f"{shape.aliases} aliases is more than the limit of {limits.max_aliases} "
                    "aliases",
                    "ALIAS_LIMIT",
                    aliases=shape.aliases,
                    limit=limits.max_aliases,
                )
            )
        if shape.cost > limits.max_cost:
            cost = whole(shape.cost)
            problems.append(
                limit_error(
                    f"query cost {cost} exceeds the budget of {limits.max_cost}",
                    "COST_LIMIT",
                    cost=cost,
                    budget=limits.max_cost,
                )
            )
    return problems


def unnamed_operation(document: DocumentNode, name: str | None) -> list[GraphQLError]:
    """The spec's GetOperation: a document with several operations needs `operationName`
    (strawberry would otherwise run one of them silently)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None and len(operations) > 1:
        named = ", ".join(o.name.value for o in operations if o.name) or "none is named"
        return [
            GraphQLError(
                f"the document has {len(operations)} operations: give `operationName` "
                f"(one of: {named})",
                extensions={"code": "BAD_USER_INPUT"},
            )
        ]
    return []


def whole(cost: float) -> int:
    """A cost as a whole number, rounded up (an expected count of values); astronomical
    costs (even infinite ones, from thousands of doubling fragments) show as 10**18."""
    return math.ceil(min(cost, 1e18))


class CheckedDocuments:
    """Parsed documents, and the (query, variables) pairs that passed every check, for one
    set of limits; bounded, least recently used go first.

    Real clients send the same few query texts over and over: parsing and validating them
    again is most of what a small request costs. Only documents that passed are remembered
    (a refused one is checked again, so nothing hostile is kept), and the checks depend on
    nothing else (the schema, the limits and the rules are fixed for a process).
    """

    def __init__(self, maxsize: int = 256) -> None:
        self.maxsize = maxsize
        self.documents: OrderedDict[str, DocumentNode] = OrderedDict()
        self.passed: OrderedDict[tuple[int, str, str], None] = OrderedDict()

    def document(self, query: str) -> DocumentNode | None:
        found = self.documents.get(query)
        if found is not None:
            self.documents.move_to_end(query)
        return found

    def remember_document(self, query: str, document: DocumentNode) -> None:
        _put(self.documents, query, document, self.maxsize)

    def has_passed(self, key: tuple[int, str, str]) -> bool:
        if key in self.passed:
            self.passed.move_to_end(key)
            return True
        return False

    def remember_passed(self, key: tuple[int, str, str]) -> None:
        _put(self.passed, key, None, self.maxsize)


def _put(entries: OrderedDict[Any, Any], key: Any, value: Any, maxsize: int) -> None:
    entries[key] = value
    entries.move_to_end(key)
    while len(entries) > maxsize:
        entries.popitem(last=False)


@functools.cache
def checked_documents(limits: Limits) -> CheckedDocuments:
    """The process's memory of checked documents for ``limits`` (built once, like the
    schema; strawberry's ``ParserCache`` keeps its cache the same way)."""
    return CheckedDocuments()


class QueryLimits(SchemaExtension):
    """Token limit on parsing; shape and cost, then validation, off the event loop.

    graphql-core's validation is bounded (see :func:`set_validation_budget`) but not free on
    hostile documents, and our measuring is linear but still CPU: both run in a worker
    thread, so ``/health`` and other requests are served meanwhile. A query text parsed
    before, and a (query, variables) pair that passed before, are not parsed or checked
    again (:class:`CheckedDocuments`).
    """

    def __init__(self, *, limits: Limits) -> None:
        self.limits = limits
        self.checked = checked_documents(limits)

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = self.limits.max_tokens
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        known = self.checked.document(query) if query else None
        if known is not None:
            context.graphql_document = known  # strawberry then skips parsing
        yield
        if known is None and query and context.graphql_document is not None:
            self.checked.remember_document(query, context.graphql_document)

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            # `operation_name` falls back to the first operation's name; the spec's
            # GetOperation looks at the one the request gave.
            unnamed = unnamed_operation(document, context._provided_operation_name)
            context.pre_execution_errors = unnamed or None
        if document is not None and context.pre_execution_errors is None:
            variables = dict(context.variables or {})
            key = (
                id(context.schema),
                context.query or "",
                json.dumps(variables, sort_keys=True, default=repr),
            )
            if self.checked.has_passed(key):
                context.pre_execution_errors = []
            else:
                # Setting the errors (even to none) tells strawberry validation has been done.
                problems = await run_in_threadpool(
                    self._check,
                    context.schema._schema,
                    document,
                    variables,
                    context.validation_rules,
                )
                context.pre_execution_errors = problems
                if not problems:
                    self.checked.remember_passed(key)
        yield

    def _check(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: dict[str, Any],
        rules: tuple[type[ASTValidationRule], ...],
    ) -> list[GraphQLError]:
        problems = shape_problems(schema, document, variables, self.limits)
        if problems:
            return problems
        # strawberry's own entry point: graphql-core's rules plus strawberry's extra ones.
        return validate_document(schema, document, rules)
