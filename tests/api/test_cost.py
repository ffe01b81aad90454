"""api/cost.py: the shape and cost of queries, on the real schema, with exact expected values."""

from __future__ import annotations

import time
from typing import Any

import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    get_introspection_query,
    get_named_type,
    get_nullable_type,
    is_list_type,
    parse,
)

from api.cost import LIST_ESTIMATES, PAGE_ARGUMENTS, Shape, measure
from api.limits import Limits
from api.schema import build_schema
from api.types import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

LIMITS = Limits()
BORDERS = LIST_ESTIMATES["Council.borders"]
PARTNERSHIPS = LIST_ESTIMATES["Council.partnerships"]
MEMBERS = LIST_ESTIMATES["Partnership.members"]


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema()._schema


def shape_of(schema: GraphQLSchema, query: str, **variables: Any) -> Shape:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    shape = measure(schema, document, operation, variables=variables)
    assert shape is not None
    return shape


def fan_out(n: int) -> str:
    """The issue's query: fragments F0..Fn, each spreading the next twice."""
    chain = " ".join(
        f"fragment F{i} on Query {{ __typename ...F{i + 1} ...F{i + 1} }}" for i in range(n)
    )
    return f"query {{ ...F0 }} {chain} fragment F{n} on Query {{ __typename }}"


def test_a_page_costs_its_size_times_what_each_item_asks(schema: GraphQLSchema) -> None:
    # councils 1, nodes 5, name and code 5 each, totalCount 1
    assert shape_of(schema, "{ councils(first: 5) { nodes { name code } totalCount } }").cost == 17


def test_page_sizes_come_from_first_its_default_or_a_variable(schema: GraphQLSchema) -> None:
    query = "query ($n: Int = 7) { councils(first: $n) { edges { node { code } } } }"
    # councils 1; per edge: the edge, its node, the node's code
    assert shape_of(schema, query).cost == 1 + 7 * 3
    assert shape_of(schema, query, n=3).cost == 1 + 3 * 3
    default = "{ councils { nodes { code } } }"
    assert shape_of(schema, default).cost == 1 + DEFAULT_PAGE_SIZE * 2
    # An out-of-range page is refused by the resolver; the cost assumes the most it could be.
    too_big = "{ councils(first: 100000) { nodes { code } } }"
    assert shape_of(schema, too_big).cost == 1 + MAX_PAGE_SIZE * 2


def test_lists_without_pages_use_the_estimates(schema: GraphQLSchema) -> None:
    query = '{ council(code: "E07000084") { borders { code } } }'
    assert shape_of(schema, query).cost == 1 + BORDERS * 2
    peers = '{ peerSearch(code: "E07000084", limit: 4) { peers { council { code } } } }'
    assert shape_of(schema, peers).cost == 1 + 4 * (1 + 1 * 2)


def test_costs_multiply_down_the_tree(schema: GraphQLSchema) -> None:
    """The issue's 68 MB query, which is inside the depth and alias limits."""
    query = """{ councils(first: 100) { edges { node { borders { borders { borders {
                 partnerships { members { council { code } } } } } } } } } }"""
    council = 1 + 1
    members = MEMBERS * (1 + council)
    partnerships = PARTNERSHIPS * (1 + members)
    borders = BORDERS * (1 + BORDERS * (1 + BORDERS * (1 + partnerships)))
    expected = 1 + 100 * (1 + 1 * (1 + borders))
    shape = shape_of(schema, query)
    assert shape.cost == expected
    assert shape.cost > 1000 * LIMITS.max_cost
    assert shape.depth == 9 <= LIMITS.max_depth
    assert shape.aliases == 0


def test_aliases_and_cost_add_up_across_fragments(schema: GraphQLSchema) -> None:
    query = """{ ...Two a: council(code: "E07000084") { ...Names } b: council(code: "E09000024") {
                 ...Names } }
               fragment Two on Query { x: __typename y: __typename }
               fragment Names on Council { n1: name n2: name }"""
    shape = shape_of(schema, query)
    assert shape.aliases == 2 + 2 + 2 * 2
    assert shape.cost == 2 + 2 * (1 + 2)


def test_each_fragment_is_measured_once(schema: GraphQLSchema) -> None:
    assert shape_of(schema, fan_out(30)).cost == 2**31 - 1  # what the answer would hold
    started = time.perf_counter()
    assert shape_of(schema, fan_out(120)).cost == pytest.approx(2.0**121 - 1)
    assert time.perf_counter() - started < 0.5


def test_depth_counts_through_fragments_from_zero_at_the_top(schema: GraphQLSchema) -> None:
    assert shape_of(schema, "{ __typename }").depth == 0
    query = """{ council(code: "E07000084") { ...Up } }
               fragment Up on Council { county { county { name } } }"""
    assert shape_of(schema, query).depth == 3


def test_introspection_is_measured_apart(schema: GraphQLSchema) -> None:
    full = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    shape = shape_of(schema, full)
    assert shape.introspection
    assert shape.depth == 0
    # GraphiQL's query (nine levels of ofType, as above) fits the default limits.
    assert shape.introspection_depth == 14 <= LIMITS.max_introspection_depth
    assert shape.cost < LIMITS.max_cost
    deep = "{ __schema { types { " + "fields { type { " * 10 + "name" + " } }" * 10 + " } } }"
    assert shape_of(schema, deep).introspection_depth == 22
    assert not shape_of(schema, "{ __typename }").introspection


def test_a_fragment_cycle_is_left_to_validation(schema: GraphQLSchema) -> None:
    document = parse("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }")
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    assert measure(schema, document, operation) is None


def test_every_list_field_has_an_estimate_or_a_page(schema: GraphQLSchema) -> None:
    """A new list field needs its line in LIST_ESTIMATES (api/cost.py): about its p90 size."""
    types = [
        t
        for name, t in schema.type_map.items()
        if not name.startswith("__") and isinstance(t, GraphQLObjectType | GraphQLInterfaceType)
    ]
    paged = {
        get_named_type(f.type).name
        for t in types
        for f in t.fields.values()
        if set(f.args) & set(PAGE_ARGUMENTS) and not is_list_type(get_nullable_type(f.type))
    }
    lists = {
        f"{t.name}.{name}"
        for t in types
        for name, f in t.fields.items()
        if is_list_type(get_nullable_type(f.type))
        and t.name not in paged
        and not set(f.args) & set(PAGE_ARGUMENTS)
    }
    assert sorted(lists - set(LIST_ESTIMATES)) == []
    assert sorted(set(LIST_ESTIMATES) - lists) == []
