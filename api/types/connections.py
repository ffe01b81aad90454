"""Pages of councils and partnerships (Relay connections), and other lists of them.

The node types are named lazily (``strawberry.lazy``), so ``api.types.objects`` can return
these pages from its own nested fields without an import circle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.types.common import PageInfo

if TYPE_CHECKING:
    from api.types.objects import Council, Partnership

__all__ = [
    "CouncilConnection",
    "CouncilEdge",
    "PartnershipConnection",
    "PartnershipEdge",
    "SingletonNeighbourhood",
    "SingletonNeighbourhoodConnection",
    "SingletonNeighbourhoodEdge",
]

_Council = Annotated["Council", strawberry.lazy("api.types.objects")]
_Partnership = Annotated["Partnership", strawberry.lazy("api.types.objects")]


@strawberry.type(description="An edge of a council list.")
class CouncilEdge:
    node: _Council = strawberry.field(description="The council.")
    cursor: str = strawberry.field(description="Opaque position, for `after`.")


@strawberry.type(description="A page of councils.")
class CouncilConnection:
    edges: list[CouncilEdge] = strawberry.field(description="The councils on this page.")
    page_info: PageInfo = strawberry.field(description="Whether more follow.")
    total_count: int = strawberry.field(description="Councils matching the filter, all pages.")

    @strawberry.field(description="The councils on this page, without cursors.")
    def nodes(self) -> list[_Council]:
        return [edge.node for edge in self.edges]


@strawberry.type(description="An edge of a partnership list.")
class PartnershipEdge:
    node: _Partnership = strawberry.field(description="The partnership.")
    cursor: str = strawberry.field(description="Opaque position, for `after`.")


@strawberry.type(description="A page of partnerships.")
class PartnershipConnection:
    edges: list[PartnershipEdge] = strawberry.field(description="The partnerships on this page.")
    page_info: PageInfo = strawberry.field(description="Whether more follow.")
    total_count: int = strawberry.field(description="Partnerships matching the filter, all pages.")

    @strawberry.field(description="The partnerships on this page, without cursors.")
    def nodes(self) -> list[_Partnership]:
        return [edge.node for edge in self.edges]


@strawberry.type(description="A singleton and its neighbours that share (the people to call).")
class SingletonNeighbourhood:
    council: _Council = strawberry.field(description="A council sharing nothing (in the service).")
    sharing_neighbours: list[_Council] = strawberry.field(
        description="Bordering councils that are active sharers, ordered by name."
    )


@strawberry.type(description="An edge of a list of singletons with their sharing neighbours.")
class SingletonNeighbourhoodEdge:
    node: SingletonNeighbourhood = strawberry.field(description="The singleton and neighbours.")
    cursor: str = strawberry.field(description="Opaque position, for `after`.")


@strawberry.type(description="A page of singletons with their sharing neighbours.")
class SingletonNeighbourhoodConnection:
    edges: list[SingletonNeighbourhoodEdge] = strawberry.field(
        description="The singletons on this page."
    )
    page_info: PageInfo = strawberry.field(description="Whether more follow.")
    total_count: int = strawberry.field(description="Singletons bordering a sharer, all pages.")

    @strawberry.field(description="The singletons on this page, without cursors.")
    def nodes(self) -> list[SingletonNeighbourhood]:
        return [edge.node for edge in self.edges]
