"""graphql-core's execution, with plain scalar fields read straight from their objects.

Most fields of a page are plain: a council's ``code``, a partnership's ``name``, attributes of
objects built once per data version (``api/types/objects.py``), which strawberry resolves
with its default resolver (``getattr``) and graphql-core completes as a scalar or an enum.
For each such field graphql-core still builds a resolve-info object, calls the resolver
through strawberry's wrapper, checks for an awaitable and dispatches on the return type:
3-4 µs a field, most of a page of thousands of objects (docs/performance.md).

:class:`PlainFieldsExecution` reads such a field itself: the attribute, coerced for output
by its type, exactly as graphql-core would. Anything else goes the usual way: fields with a
resolver or arguments, lists, objects, a middleware, and any value the fast path is not sure
of (null, or one that does not coerce), which graphql-core then handles (and reports) as
before. The answers are the same; only the work per field is less.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    is_leaf_type,
)
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.cast import get_strawberry_type_cast
from strawberry.types.field import StrawberryField
from strawberry.types.info import Info

__all__ = ["PlainFieldsExecution", "lean_resolvers", "plain_fields_execution", "plain_leaf"]

#: (attribute name, output type) of a plain scalar field.
PlainLeaf = tuple[str, GraphQLLeafType]
#: (attribute name, object type, its Python class) of a plain non-null object field.
PlainObject = tuple[str, GraphQLObjectType, type]


def _attribute(field: GraphQLField) -> str | None:
    """The attribute strawberry reads for ``field`` when it has no resolver, no field
    extension and no argument; else None."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (
        isinstance(definition, StrawberryField)
        and definition.is_basic_field
        and getattr(field.resolve, "_is_default", False)
        and not field.args
    ):
        return definition.python_name
    return None


def plain_leaf(field: GraphQLField) -> PlainLeaf | None:
    """What :class:`PlainFieldsExecution` needs to read ``field`` itself, when it is a plain
    attribute of a scalar or enum type: the attribute and the type; else None."""
    name = _attribute(field)
    inner = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    return (name, inner) if name is not None and is_leaf_type(inner) else None


def plain_object(field: GraphQLField) -> PlainObject | None:
    """As :func:`plain_leaf`, for a plain attribute of a non-null object type (the type's
    own class is what strawberry's type check accepts)."""
    name = _attribute(field)
    inner = field.type.of_type if isinstance(field.type, GraphQLNonNull) else None
    if name is None or not isinstance(inner, GraphQLObjectType):
        return None
    origin = _class_of(inner)
    return (name, inner, origin) if origin is not None else None


class PlainFieldsExecution(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, reading plain scalar fields directly (see the module).

    ``plain`` maps (type name, field name) to what :func:`plain_leaf` found, for one schema:
    :func:`plain_fields_execution` makes the class for a schema."""

    plain: dict[tuple[str, str], PlainLeaf] = {}  # noqa: RUF012 - set once per schema
    plain_objects: dict[tuple[str, str], PlainObject] = {}  # noqa: RUF012 - as ``plain``
    #: Each object type's own Python class, by type name.
    classes: dict[str, type] = {}  # noqa: RUF012 - as ``plain``

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        key = (parent_type.name, node.name.value)
        manager = self.middleware_manager
        if not node.arguments and not (manager and manager.middlewares):
            plain = self.plain.get(key)
            if plain is not None:
                value = getattr(source, plain[0], None)
                if value is not None:
                    try:
                        coerced = plain[1].coerce_output_value(value)
                    except Exception:  # graphql-core reports it, on the usual path below
                        coerced = None
                    if coerced is not None and coerced is not Undefined:
                        return coerced
            found = self.plain_objects.get(key)
            if found is not None:
                value = getattr(source, found[0], None)
                # Exactly the type's class: what its is_type_of accepts. The field is
                # non-null, so an error below goes up to the parent either way.
                if type(value) is found[2] and get_strawberry_type_cast(value) is None:
                    return self.collect_and_execute_subfields(
                        found[1], field_details_list, path, value, position_context
                    )
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def complete_list_item_value(
        self,
        item: Any,
        complete_results: list[Any],
        item_type: GraphQLOutputType,
        field_details_list: Any,
        info: GraphQLResolveInfo[Any],
        item_path: Path,
        position_context: Any,
    ) -> bool:
        """An item of a list of non-null objects that is exactly its type's class goes
        straight to its sub-fields (what graphql-core's completion does for it after its
        checks); any other item, graphql-core's way."""
        inner = item_type.of_type if isinstance(item_type, GraphQLNonNull) else None
        if (
            not isinstance(inner, GraphQLObjectType)
            or type(item) is not self.classes.get(inner.name)
            or get_strawberry_type_cast(item) is not None
        ):
            return super().complete_list_item_value(
                item, complete_results, item_type, field_details_list, info, item_path,
                position_context,
            )  # fmt: skip
        try:
            completed = self.collect_and_execute_subfields(
                inner, field_details_list, item_path, item, position_context
            )
        except Exception as raw_error:  # as graphql-core: reported at the item's path
            self.handle_field_error(raw_error, item_type, field_details_list, item_path)
            complete_results.append(None)
            return False
        if not self.is_awaitable(completed):
            complete_results.append(completed)
            return False

        async def await_completed() -> Any:
            try:
                return await completed
            except Exception as raw_error:
                self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                return None

        complete_results.append(await_completed())
        return True


def _class_of(named: GraphQLObjectType) -> type | None:
    definition = named.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    origin = getattr(definition, "origin", None)
    return origin if isinstance(origin, type) else None


def plain_fields_execution(schema: GraphQLSchema) -> type[PlainFieldsExecution]:
    """:class:`PlainFieldsExecution` for ``schema`` (graphql-core's), its plain fields found
    once."""
    fields = [
        ((named.name, name), field)
        for named in schema.type_map.values()
        if isinstance(named, GraphQLObjectType)
        for name, field in named.fields.items()
    ]
    plain = {key: leaf for key, field in fields if (leaf := plain_leaf(field)) is not None}
    objects = {key: obj for key, field in fields if (obj := plain_object(field)) is not None}
    classes = {
        named.name: origin
        for named in schema.type_map.values()
        if isinstance(named, GraphQLObjectType) and (origin := _class_of(named)) is not None
    }
    return type(
        "PlainFieldsExecution",
        (PlainFieldsExecution,),
        {"plain": plain, "plain_objects": objects, "classes": classes},
    )


def lean_resolvers(schema: GraphQLSchema, info_class: type[Info]) -> int:
    """Call resolvers of nested fields without strawberry's per-call work when no argument
    is given: the resolver function itself, with ``self`` and ``info`` (strawberry converts
    arguments, builds a chain of field extensions and looks up its parameters on every call,
    a few µs, paid once per object of a page). Only for fields of non-root types with no
    field extension (permissions are extensions) whose arguments all default to null;
    a call with any argument set goes through strawberry as before. Returns how many
    fields were made lean."""
    roots = {t.name for t in (schema.query_type, schema.mutation_type) if t is not None}
    count = 0
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name in roots:
            continue
        for field in named.fields.values():
            lean = _lean(field, info_class)
            if lean is not None:
                field.resolve = lean
                count += 1
    return count


def _lean(field: GraphQLField, info_class: type[Info]) -> Any:
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or field.resolve is None:
        return None
    resolver = definition.base_resolver
    if (
        resolver is None
        or definition.extensions
        or not callable(resolver.wrapped_func)
        or isinstance(resolver.wrapped_func, staticmethod | classmethod)
        or resolver.parent_parameter is not None
        or resolver.root_parameter is not None
        or any(argument.default is not None for argument in definition.arguments)
    ):
        return None
    usual = field.resolve
    function = resolver.wrapped_func
    with_self = resolver.self_parameter is not None
    info_name = resolver.info_parameter.name if resolver.info_parameter else None

    def resolve(source: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
        if any(value is not None for value in arguments.values()):
            return usual(source, info, **arguments)
        given = {info_name: info_class(_raw_info=info, _field=definition)} if info_name else {}
        return function(source, **given) if with_self else function(**given)

    return resolve
