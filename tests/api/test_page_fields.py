"""A page of objects is resolved synchronously, from objects built once per data version.

graphql-core awaits a resolver's result only when it is awaitable; the nested fields of a page
answer from the request's snapshot at once (``api/types/common.with_snapshot``), so a page of
thousands of objects costs no task per field (docs/performance.md, "A GraphQL request").
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Coroutine, Generator
from datetime import date
from typing import Any, cast

import pytest
from starlette.testclient import TestClient
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.context import Context
from api.execution import PlainFieldsExecution
from api.schema import build_schema
from api.types.objects import Partnership, council_object
from bench.baselines import QUERIES
from graph import rules
from graph.db import Database
from graph.snapshot import Snapshots

PAGE = """{ councils(first: 100) { nodes { code partnerships { id members(year: 2015) {
    council { code } } } } } }"""


def _tasks_made(db: Database, query: str) -> tuple[int, dict[str, Any]]:
    """(asyncio tasks made while executing ``query`` a second time, its data)."""
    schema = build_schema()
    snapshots = Snapshots(db)

    async def run() -> tuple[int, dict[str, Any]]:
        loop = asyncio.get_running_loop()
        made = 0

        def counting(
            loop: asyncio.AbstractEventLoop,
            coro: Generator[Any, None, Any] | Coroutine[Any, Any, Any],
            **kwargs: Any,
        ) -> asyncio.Task[Any]:
            nonlocal made
            made += 1
            return asyncio.Task(coro, loop=loop, **kwargs)

        first = await schema.execute(query, context_value=Context.create(db, snapshots))
        assert first.errors is None, first.errors  # the year's view is now remembered
        loop.set_task_factory(counting)
        try:
            again = await schema.execute(query, context_value=Context.create(db, snapshots))
        finally:
            loop.set_task_factory(None)
        assert again.errors is None, again.errors
        assert again.data is not None
        return made, again.data

    return asyncio.run(run())


def test_a_page_of_thousands_of_fields_makes_no_task_per_field(loaded_db: Database) -> None:
    made, data = _tasks_made(loaded_db, PAGE)
    nodes = data["councils"]["nodes"]
    members = [m for c in nodes for p in c["partnerships"] for m in p["members"]]
    partnerships = [p for c in nodes for p in c["partnerships"]]
    # A page big enough that one task per object would show: hundreds of partnerships,
    # more than a thousand members in all.
    assert len(partnerships) > 300
    assert len(members) > 1000
    assert made < 10


def test_objects_are_built_once_per_data_version(loaded_db: Database) -> None:
    old = Snapshots(loaded_db).current()
    new = Snapshots(loaded_db).current()  # as after a new data version: another snapshot
    model = old.councils[0]
    assert council_object(old, model) is council_object(old, model)
    assert council_object(new, new.councils[0]) is not council_object(old, model)
    assert council_object(new, new.councils[0]).code == model.code


_STOCK_CALLS = [0]


class _Stock(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's own path, counted: what the plain-field reads leave to it."""

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        _STOCK_CALLS[0] += 1
        return super().execute_field(*args, **kwargs)


VARIED = """{ councils(first: 30, orderBy: [{field: NAME}]) { totalCount nodes { id code name
    officialName kind tier region ceremonialCounty population areaHectares latitude longitude
    validFrom validTo formerCodes govUkUrl partnerships { id name status services office
    startYear startYearBasis endYear annualSavingsGbp notes sources { url date }
    members { role memberFrom memberTo memberFromBasis council { code name } } } } } }"""


def _answer(db: Database, lean: bool, execution: type[Any], query: str) -> Any:
    """(data, errors, fields left to graphql-core) of ``query``, run with ``execution``
    on the schema with (``lean``) or without the lean resolvers."""
    schema = build_schema(lean=lean)
    schema.execution_context_class = execution
    _STOCK_CALLS[0] = 0
    result = asyncio.run(schema.execute(query, context_value=Context.create(db, Snapshots(db))))
    return result.data, [e.formatted for e in result.errors or []], _STOCK_CALLS[0]


def test_lean_fields_answer_as_strawberry_and_graphql_core_do(loaded_db: Database) -> None:
    made = build_schema().execution_context_class
    assert issubclass(made, PlainFieldsExecution)
    plain = cast(type[PlainFieldsExecution], made)
    counted = type("Counted", (PlainFieldsExecution, _Stock), {
        "plain": plain.plain, "plain_objects": plain.plain_objects, "classes": plain.classes,
    })  # fmt: skip
    for query in (VARIED, PAGE, *QUERIES.values()):
        data, errors, every_field = _answer(loaded_db, False, _Stock, query)
        fast_data, fast_errors, left = _answer(loaded_db, True, counted, query)
        assert not errors
        assert (fast_data, fast_errors) == (data, errors)
        # Only fields with resolvers or arguments (and the lists) are left to graphql-core.
        assert left <= every_field


def test_a_page_leaves_under_a_third_of_its_fields_to_graphql_core(loaded_db: Database) -> None:
    plain = cast(type[PlainFieldsExecution], build_schema().execution_context_class)
    counted = type("Counted", (PlainFieldsExecution, _Stock), {
        "plain": plain.plain, "plain_objects": plain.plain_objects, "classes": plain.classes,
    })  # fmt: skip
    for query in (VARIED, PAGE):
        every_field = _answer(loaded_db, False, _Stock, query)[2]
        assert _answer(loaded_db, True, counted, query)[2] < every_field / 3


def test_an_argument_given_goes_through_strawberry(loaded_db: Database) -> None:
    query = """{ councils(first: 5, filter: {year: 2015}) { nodes { code
        partnerships(year: 2015, service: LEGAL) { id members(year: 2015) { role } }
        lean: partnerships { id tierMix } } } }"""
    stock = _answer(loaded_db, False, _Stock, query)
    lean = _answer(loaded_db, True, PlainFieldsExecution, query)
    assert not stock[1]
    assert lean[:2] == stock[:2]


def test_answers_are_encoded_as_strawberry_encodes_them(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": PAGE})
    assert response.status_code == 200
    assert response.content == json.dumps(response.json(), separators=(",", ":")).encode()


def test_a_partnership_read_afresh_is_not_shared_with_the_version(loaded_db: Database) -> None:
    """A mutation's answer holds a partnership read from Neo4j after its change; its members
    must not fill (or come from) the data version's shared objects."""
    snapshot = Snapshots(loaded_db).current()
    model = next(p for p in snapshot.partnerships.values() if len(p.members) >= 3)
    afresh = dataclasses.replace(model, members=model.members[:1])  # as after an edit
    shared = Partnership.from_model(model)._listed_members(snapshot)
    edited = Partnership.from_model(afresh)._listed_members(snapshot)
    assert [m.council.code for m in edited] == [model.members[0].code]
    again = Partnership.from_model(model)._listed_members(snapshot)
    assert again is shared
    assert len(again) == len(model.members)


def test_a_new_calendar_year_is_a_new_year_view(
    loaded_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An undated partnership is placed in the current year, so a year's view (and the
    objects built with it) is remembered per current year, as its memberships are."""
    snapshots = Snapshots(loaded_db)

    async def views() -> tuple[Any, Any]:
        context = Context.create(loaded_db, snapshots)
        return await context.year_view(2015), await context.network_analysis(2015, None)

    view, analysis = asyncio.run(views())
    again_view, again_analysis = asyncio.run(views())
    assert again_view is view
    assert again_analysis is analysis
    monkeypatch.setattr(rules, "current_year", lambda: date.today().year + 1)
    later_view, later_analysis = asyncio.run(views())
    assert later_view is not view
    assert later_analysis is not analysis
