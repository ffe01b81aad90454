"""Pages of councils and partnerships (Relay connections), and other lists of them."""

from __future__ import annotations

import strawberry

from api.types.common import PageInfo
from api.types.objects import Council, Partnership


@strawberry.type(description="An edge of a council list.")
class CouncilEdge:
    node: Council = strawberry.field(description="The council.")
    cursor: str = strawberry.field(description="Opaque position, for `after`.")


@strawberry.type(description="A page of councils.")
class CouncilConnection:
    edges: list[CouncilEdge] = strawberry.field(description="The councils on this page.")
    page_info: PageInfo = strawberry.field(description="Whether more follow.")
    total_count: int = strawberry.field(description="Councils matching the filter, all pages.")

    @strawberry.field(description="The councils on this page, without cursors.")
    def nodes(self) -> list[Council]:
        return [edge.node for edge in self.edges]


@strawberry.type(description="An edge of a partnership list.")
class PartnershipEdge:
    node: Partnership = strawberry.field(description="The partnership.")
    cursor: str = strawberry.field(description="Opaque position, for `after`.")


@strawberry.type(description="A page of partnerships.")
class PartnershipConnection:
    edges: list[PartnershipEdge] = strawberry.field(description="The partnerships on this page.")
    page_info: PageInfo = strawberry.field(description="Whether more follow.")
    total_count: int = strawberry.field(description="Partnerships matching the filter, all pages.")

    @strawberry.field(description="The partnerships on this page, without cursors.")
    def nodes(self) -> list[Partnership]:
        return [edge.node for edge in self.edges]


@strawberry.type(description="A singleton and its neighbours that share (the people to call).")
class SingletonNeighbourhood:
    council: Council = strawberry.field(description="A council sharing nothing (in the service).")
    sharing_neighbours: list[Council] = strawberry.field(
        description="Bordering councils that are active sharers, ordered by name."
    )
