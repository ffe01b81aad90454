"""A council's position in one year's sharing network (``graph.analysis``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.types.common import Info, council_of
from graph import analysis

if TYPE_CHECKING:
    from api.types.objects import Council


@strawberry.type(description="A council's position in one year's sharing network.")
class CouncilMetrics:
    code: str = strawberry.field(description="GSS code.")
    degree: int = strawberry.field(description="Distinct partner councils.")
    weighted_degree: float = strawberry.field(
        description="Sum over partners of partnerships shared."
    )
    betweenness: float = strawberry.field(
        description="Normalised betweenness, tie length 1/partnerships shared (a broker)."
    )
    constraint: float | None = strawberry.field(
        description="Burt's constraint (low: brokerage opportunities); null without ties."
    )
    effective_size: float | None = strawberry.field(
        description="Burt's effective size (non-redundant partners); null without ties."
    )
    community: int = strawberry.field(description="Louvain community (1 is the largest).")
    component: int = strawberry.field(description="Connected component (1 is the largest).")

    @classmethod
    def from_model(cls, m: analysis.CouncilMetrics) -> CouncilMetrics:
        return cls(
            code=m.code,
            degree=m.degree,
            weighted_degree=m.weighted_degree,
            betweenness=m.betweenness,
            constraint=m.constraint,
            effective_size=m.effective_size,
            community=m.community,
            component=m.component,
        )

    @strawberry.field(description="The council.")
    async def council(
        self, info: Info
    ) -> Annotated[Council, strawberry.lazy("api.types.objects")] | None:
        found = await info.context.loaders.council.load(self.code)
        return council_of(info, found)
