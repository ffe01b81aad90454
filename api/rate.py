"""The request's own cost, queryable: ``rateLimit { cost limit remaining }``.

The cost is what ``api/cost.py`` measures before anything runs (the estimated number of
values in the answer) and what ``api/guards.py`` checks against the budget; asking for it
measures the same operation again (linear in the document, no database).
"""

from __future__ import annotations

import strawberry
from graphql import DocumentNode

from api.cost import measure
from api.guards import whole
from api.limits import Limits
from api.types import Info


class LimitedSchema(strawberry.Schema):
    """A strawberry schema that knows the limits it was built with."""

    limits: Limits


@strawberry.type(
    description="This request's query cost against the budget (docs/limits.md): cost is the "
    "estimated number of values in the answer, measured before anything runs."
)
class RateLimit:
    cost: int = strawberry.field(description="This request's cost.")
    limit: int = strawberry.field(description="The most a request may cost.")
    remaining: int = strawberry.field(description="limit less cost: room left in this request.")


def rate_limit(info: Info) -> RateLimit:
    """The cost of the operation ``info`` belongs to, as the limits measured it."""
    raw = info._raw_info
    document = DocumentNode(definitions=(raw.operation, *raw.fragments.values()))
    shape = measure(raw.schema, document, raw.operation, variables=info.variable_values)
    cost = whole(shape.cost) if shape is not None else 0
    schema = info.schema
    budget = schema.limits.max_cost if isinstance(schema, LimitedSchema) else Limits().max_cost
    return RateLimit(cost=cost, limit=budget, remaining=max(budget - cost, 0))
