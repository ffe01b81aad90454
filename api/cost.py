"""What a query asks for, measured from its text before anything runs.

:func:`measure` walks one operation and returns its :class:`Shape`: how deep it nests, how
many aliases it uses and its **cost**, the estimated number of values in the answer. Each
field counts once for every time it appears in the answer: a list field counts its
estimated items, and everything under it is multiplied by that number, down the tree.
List sizes come from the ``first``/``limit`` argument of the field that returns the page
(at most the page cap; its default when not given), else from :data:`LIST_ESTIMATES`
(about the 90th percentile of the bundled data), else :data:`DEFAULT_LIST_ESTIMATE`.
Introspection lists use the schema's own averages, so GraphiQL's introspection query costs
about what it returns.

Fragments are measured once per (fragment, page size) and remembered, so the work is linear
in the size of the document however often a fragment is spread: a chain of fragments each
spreading the next twice costs 2**n as an answer would, but is measured in n steps.
Fragment cycles are left to graphql-core's own rule, which reports them.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    Undefined,
    VariableNode,
    Visitor,
    get_named_type,
    get_nullable_type,
    is_list_type,
    value_from_ast_untyped,
    visit,
)
from graphql.type import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

from api.network import MAX_PEERS
from api.types import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from graph import taxonomy

__all__ = [
    "DEFAULT_LIST_ESTIMATE",
    "LIST_ESTIMATES",
    "PAGE_ARGUMENTS",
    "Shape",
    "estimates_for",
    "introspection_estimates",
    "longest_string",
    "measure",
]

#: Arguments that set the size of the list a field returns (or of the lists of the page
#: object it returns), with the most the API gives.
PAGE_ARGUMENTS: dict[str, int] = {"first": MAX_PAGE_SIZE, "limit": MAX_PEERS}

#: Items expected in each list that has no page argument, as "Type.field". Measured on the
#: bundled data (2026): about the 90th percentile per parent, or the whole list's size.
LIST_ESTIMATES: dict[str, int] = {
    "Council.aliases": 10,  # p90 10, max 20
    "Council.formerCodes": 2,  # max 1
    "Council.ceremonialCounties": 2,  # max 2 (Stockton-on-Tees)
    "Council.districts": 12,  # a county's districts; max 12
    "Council.borders": 12,  # p90 12, max 24
    "Council.succeededBy": 2,  # max 2
    "Council.partnerships": 10,  # p90 8, p99 11, max 14
    "Council.partners": 20,  # p90 17, max 38
    "Partnership.services": 5,
    "Partnership.members": 10,  # p90 7, p99 14, max 33
    "Partnership.sources": 5,  # max 6
    "Partnership.history": 5,
    "Partnership.contacts": 5,
    "AuditEntry.changes": 10,
    "Peer.services": 5,
    "Peer.serviceLayers": 5,
    "Peer.partnerships": 5,
    "Peer.partners": 10,
    "Community.councils": 15,
    "Query.communities": 30,
    "Query.singletons": 500,  # MAX_LIST in api/singletons.py
    "Query.singletonsBorderingSharers": 500,  # MAX_LIST
    "SingletonNeighbourhood.sharingNeighbours": 12,  # as borders
    "Query.path": 10,
    "Introductions.sharedPartners": 20,
    "Introductions.chain": 10,
    "Introducer.withFrom": 3,
    "Introducer.withTo": 3,
    "Query.submissions": 50,
    "Query.mySubmissions": 20,
    "Submission.fields": 15,
    "Submission.contacts": 5,
    "Submission.diff": 15,
    "Submission.problems": 5,
    "SubmissionPayload.errors": 5,
    "ReviewPayload.errors": 5,
    "Stats.byService": len(taxonomy.codes()),  # the service layers
    "LgaReference.sources": 3,  # max 2
    "Stats.byStatus": 4,
    "Stats.byTierMix": 3,
    "Stats.byOffice": 3,
    "Stats.byRegion": 9,  # England's regions
    "Stats.services": len(taxonomy.codes()),
    "Stats.statuses": 4,
    "Stats.tierMixes": 3,
    "Stats.offices": 3,
    "Stats.regions": 9,
    # Groups per year (START_YEAR: about 25 years with starts) times up to 30 years.
    "Query.partnershipAggregate": 300,
    "Query.nodes": 100,  # MAX_PAGE_SIZE ids
    # Reorganisation (api/types/reorganisation.py), measured on the bundled data (2026).
    "Lineage.predecessors": 8,  # max 8 (North Yorkshire)
    "Lineage.partnerships": 25,
    "Predecessor.successors": 2,
    "Predecessor.share": 7,
    "PredecessorPartnership.members": 8,
    "Query.reorganisations": 5,  # vesting dates since 2019
    "Reorganisation.successors": 5,
    "Reorganisation.replaced": 25,
    "BaseRate.mergedPairs": 40,  # 37 + 8
    "Query.proposals": 70,  # 66 bundled, plus users'
    "Proposal.sources": 4,
    "Proposal.units": 5,
    "Proposal.inside": 17,  # max 17
    "Proposal.crossing": 15,  # max 15
    "Proposal.outside": 20,  # max 20
    "Proposal.unplaced": 9,
    "Proposal.areaCounties": 2,  # one county, two where a proposal crosses one
    "ProposedUnit.councils": 8,
    "ProposedUnit.splitCouncils": 3,
    "ProposedUnit.sharedAcross": len(taxonomy.codes()),
    "ProposedUnit.sharedPartly": len(taxonomy.codes()),
    "ProposedUnit.notShared": len(taxonomy.codes()),
    "ProposedUnit.inside": 10,
    "PartnershipPlacement.units": 3,
    "PartnershipPlacement.members": 10,
    "PartnershipPlacement.spanning": 2,
    "PartnershipPlacement.outside": 10,
    "LoadProposalPayload.errors": 5,
}

#: Items expected in a list field missing from the table above.
DEFAULT_LIST_ESTIMATE = 100

INTROSPECTION_ROOTS = {"__schema", "__type"}


def introspection_estimates(schema: GraphQLSchema) -> dict[str, float]:
    """Sizes of the introspection lists of ``schema``: totals, or averages per parent.

    ``ofType`` is null for all but wrapped types (lists, non-null), so each level of a
    type reference counts half of the one above.
    """
    types = list(schema.type_map.values())

    def mean(sizes: list[int]) -> int:
        return max(1, math.ceil(sum(sizes) / len(sizes))) if sizes else 1

    with_fields = [t for t in types if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)]
    fields = [f for t in with_fields for f in t.fields.values()]
    enums = [t for t in types if isinstance(t, GraphQLEnumType)]
    inputs = [t for t in types if isinstance(t, GraphQLInputObjectType)]
    abstract = [t for t in types if isinstance(t, GraphQLInterfaceType | GraphQLUnionType)]
    return {
        "__Schema.types": len(types),
        "__Schema.directives": len(schema.directives),
        "__Type.fields": mean([len(t.fields) for t in with_fields]),
        "__Type.interfaces": mean([len(t.interfaces) for t in with_fields]),
        "__Type.possibleTypes": mean([len(schema.get_possible_types(t)) for t in abstract]),
        "__Type.enumValues": mean([len(t.values) for t in enums]),
        "__Type.inputFields": mean([len(t.fields) for t in inputs]),
        "__Field.args": mean([len(f.args) for f in fields]),
        "__Directive.args": mean([len(d.args) for d in schema.directives]),
        "__Directive.locations": mean([len(d.locations) for d in schema.directives]),
        "__Type.ofType": 0.5,
    }


@functools.lru_cache(maxsize=8)
def estimates_for(schema: GraphQLSchema) -> Mapping[str, float]:
    """Every list estimate for ``schema``: the table, and its introspection lists."""
    return {**LIST_ESTIMATES, **introspection_estimates(schema)}


@dataclass(frozen=True)
class Shape:
    """What an operation (or any selection set) asks for.

    ``levels`` counts fields along the longest path outside introspection,
    ``introspection_levels`` along the longest path from ``__schema``/``__type`` down; the
    depth is levels less one, so top-level fields are at depth 0.
    """

    levels: int = 0
    introspection_levels: int = 0
    aliases: int = 0
    cost: float = 0
    introspection: bool = False

    @property
    def depth(self) -> int:
        return max(self.levels - 1, 0)

    @property
    def introspection_depth(self) -> int:
        return max(self.introspection_levels - 1, 0)

    def beside(self, other: Shape) -> Shape:
        """This and ``other`` asked for side by side, in one selection set."""
        return Shape(
            levels=max(self.levels, other.levels),
            introspection_levels=max(self.introspection_levels, other.introspection_levels),
            aliases=self.aliases + other.aliases,
            cost=self.cost + other.cost,
            introspection=self.introspection or other.introspection,
        )


EMPTY = Shape()


class FragmentCycle(Exception):
    """A fragment spreads itself; graphql-core's validation reports it."""


@dataclass
class _Walker:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    estimates: Mapping[str, float]
    memo: dict[tuple[str, int | None, bool], Shape] = field(default_factory=dict)
    visiting: set[str] = field(default_factory=set)

    def selections(
        self, node: SelectionSetNode, parent: GraphQLNamedType, page: int | None, inside: bool
    ) -> Shape:
        shape = EMPTY
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                shape = shape.beside(self.field(selection, parent, page, inside))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                on = self.schema.get_type(condition.name.value) if condition else parent
                if on is not None:
                    shape = shape.beside(self.selections(selection.selection_set, on, page, inside))
            elif isinstance(selection, FragmentSpreadNode):
                shape = shape.beside(self.fragment(selection.name.value, page, inside))
        return shape

    def fragment(self, name: str, page: int | None, inside: bool) -> Shape:
        key = (name, page, inside)
        if key in self.memo:
            return self.memo[key]
        definition = self.fragments.get(name)
        on = self.schema.get_type(definition.type_condition.name.value) if definition else None
        if definition is None or on is None:
            return EMPTY  # validation reports the unknown fragment or type
        if name in self.visiting:
            raise FragmentCycle(name)
        self.visiting.add(name)
        try:
            shape = self.selections(definition.selection_set, on, page, inside)
        finally:
            self.visiting.discard(name)
        self.memo[key] = shape
        return shape

    def field(
        self, node: FieldNode, parent: GraphQLNamedType, page: int | None, inside: bool
    ) -> Shape:
        name = node.name.value
        aliases = 1 if node.alias is not None else 0
        definition = _definition(self.schema, parent, name)
        starts = name in INTROSPECTION_ROOTS and not inside
        within = inside or starts
        if definition is None:  # unknown: validation reports it
            return Shape(levels=1, aliases=aliases, cost=1)
        size, child_page = self.size(node, parent, definition, page)
        child = EMPTY
        if node.selection_set is not None:
            child_type = get_named_type(definition.type)
            child = self.selections(node.selection_set, child_type, child_page, within)
        if starts:
            levels, introspection_levels = 1, 1 + child.introspection_levels
        elif inside:
            levels, introspection_levels = 0, 1 + child.introspection_levels
        else:
            levels, introspection_levels = 1 + child.levels, child.introspection_levels
        return Shape(
            levels=levels,
            introspection_levels=introspection_levels,
            aliases=aliases + child.aliases,
            cost=size * (1 + child.cost),
            introspection=starts or child.introspection,
        )

    def size(
        self,
        node: FieldNode,
        parent: GraphQLNamedType,
        definition: GraphQLField,
        page: int | None,
    ) -> tuple[float, int | None]:
        """Items the field returns (on average), and the page size its own lists take."""
        is_list = is_list_type(get_nullable_type(definition.type))
        present = [(a, cap) for a, cap in PAGE_ARGUMENTS.items() if a in definition.args]
        if present:
            # A field may take a page size under a current and a deprecated name: the one
            # given counts (else the first's default).
            given = {argument.name.value for argument in node.arguments or ()}
            argument, cap = next((p for p in present if p[0] in given), present[0])
            asked = self.page_argument(node, definition, argument, cap)
            return (asked, None) if is_list else (1, asked)
        key = f"{parent.name}.{node.name.value}"
        if not is_list:
            return self.estimates.get(key, 1), None
        if page is not None:  # the items of a page: edges, nodes, peers
            return page, None
        return self.estimates.get(key, DEFAULT_LIST_ESTIMATE), None

    def page_argument(self, node: FieldNode, definition: GraphQLField, name: str, cap: int) -> int:
        default = definition.args[name].default_value
        value: Any = None if default is Undefined else default
        for argument in node.arguments or ():
            if argument.name.value != name:
                continue
            given = argument.value
            if isinstance(given, IntValueNode):
                value = int(given.value)
            elif isinstance(given, VariableNode):
                value = self.variables.get(given.name.value)
        if value is None:
            value = DEFAULT_PAGE_SIZE
        if not isinstance(value, int) or isinstance(value, bool):
            return cap  # not a number: refused later; assume the most
        return max(1, min(value, cap))


def _definition(schema: GraphQLSchema, parent: GraphQLNamedType, name: str) -> GraphQLField | None:
    if name == "__typename":
        return TypeNameMetaFieldDef
    if parent is schema.query_type:
        if name == "__schema":
            return SchemaMetaFieldDef
        if name == "__type":
            return TypeMetaFieldDef
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        found: GraphQLField | None = parent.fields.get(name)
        return found
    return None


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    *,
    variables: Mapping[str, Any] | None = None,
    estimates: Mapping[str, float] | None = None,
) -> Shape | None:
    """The shape of ``operation``; None if its fragments form a cycle (validation says so).

    Raises RecursionError for documents nested beyond Python's recursion limit.
    """
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    values: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        if definition.default_value is not None:
            values[definition.variable.name.value] = value_from_ast_untyped(
                definition.default_value
            )
    values.update(variables or {})
    root = schema.get_root_type(operation.operation)
    if root is None:
        return EMPTY
    walker = _Walker(
        schema,
        fragments,
        values,
        estimates_for(schema) if estimates is None else estimates,
    )
    try:
        return walker.selections(operation.selection_set, root, None, False)
    except FragmentCycle:
        return None


class _LongestString(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.longest = 0

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        self.longest = max(self.longest, len(node.value))


def longest_string(document: DocumentNode) -> int:
    """Characters in the longest string written in ``document``."""
    visitor = _LongestString()
    visit(document, visitor)
    return visitor.longest
