"""Singletons, and the ones that border a sharer with those sharing neighbours (merged into
Query). The lists are pages like every other list; the unpaginated forms are kept, deprecated."""

from __future__ import annotations

import strawberry

from api.types import (
    AfterArg,
    FirstArg,
    Info,
    ServiceArg,
    SingletonNeighbourhood,
    SingletonNeighbourhoodConnection,
    SingletonNeighbourhoodEdge,
    YearArg,
    keyset_page,
)
from api.types.common import Service
from api.types.objects import Council
from graph import repository as repo
from graph import rules

__all__ = ["MAX_LIST", "SingletonQuery"]

MAX_LIST = 500  # cap on the deprecated lists that are not paginated


async def _singletons(info: Info, year: int, service: Service | None) -> list[repo.Council]:
    view = await info.context.year_view(year, service.value if service else None)
    councils = await info.context.all_councils()
    return [c for c in councils if c.exists_in(year) and c.code not in view.sharers]


async def _neighbourhoods(
    info: Info, year: int | None, service: Service | None
) -> list[tuple[repo.Council, list[repo.Council]]]:
    """Each singleton of the year (by name) that borders a sharer, with those sharers."""
    resolved = rules.resolve_year(year)
    singles = await _singletons(info, resolved, service)
    view = await info.context.year_view(resolved, service.value if service else None)
    links = await info.context.loaders.links.load_many([c.code for c in singles])
    sharing = {
        council.code: sorted(code for code in link.borders if code in view.sharers)
        for council, link in zip(singles, links, strict=True)
        if link is not None
    }
    # One batch for every neighbour of every singleton, not one per singleton.
    wanted = sorted({code for codes in sharing.values() for code in codes})
    found = {c.code: c for c in await info.context.loaders.council.load_many(wanted) if c}
    return [
        (
            council,
            sorted((found[c] for c in sharing[council.code] if c in found), key=lambda c: c.name),
        )
        for council in singles
        if sharing.get(council.code)
    ]


def _neighbourhood(council: repo.Council, sharing: list[repo.Council]) -> SingletonNeighbourhood:
    return SingletonNeighbourhood(
        council=Council.from_model(council),
        sharing_neighbours=[Council.from_model(c) for c in sharing],
    )


@strawberry.type(description="Singletons (merged into Query).")
class SingletonQuery:
    @strawberry.field(
        description="Councils existing in `year` that are in no partnership active that year "
        "(in `service`, when given), ordered by name; at most 500.",
        deprecation_reason="Use `councils(filter: {year, service, sharing: SINGLETON})` "
        "(paginated, ordered).",
    )
    async def singletons(
        self, info: Info, year: YearArg = None, service: ServiceArg = None
    ) -> list[Council]:
        singles = await _singletons(info, rules.resolve_year(year), service)
        return [Council.from_model(c) for c in singles[:MAX_LIST]]

    @strawberry.field(
        description="Each singleton that borders at least one active sharer, with those "
        "sharing neighbours: who is near and could be called. Ordered by council name; at "
        "most 500.",
        deprecation_reason="Use `singletonsBorderingSharersConnection` (paginated).",
    )
    async def singletons_bordering_sharers(
        self, info: Info, year: YearArg = None, service: ServiceArg = None
    ) -> list[SingletonNeighbourhood]:
        found = await _neighbourhoods(info, year, service)
        return [_neighbourhood(council, sharing) for council, sharing in found[:MAX_LIST]]

    @strawberry.field(
        description="Each singleton that borders at least one active sharer, with those "
        "sharing neighbours: who is near and could be called. Ordered by council name (ties "
        "by code), paginated like `councils`."
    )
    async def singletons_bordering_sharers_connection(
        self,
        info: Info,
        year: YearArg = None,
        service: ServiceArg = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> SingletonNeighbourhoodConnection:
        found = await _neighbourhoods(info, year, service)
        kind = f"n:{rules.resolve_year(year)}:{service and service.value}"
        page = keyset_page(
            found,
            lambda pair: [pair[0].name.lower(), pair[0].code],
            [False],
            kind=kind,
            first=first,
            after=after,
        )
        return SingletonNeighbourhoodConnection(
            edges=[
                SingletonNeighbourhoodEdge(node=_neighbourhood(*pair), cursor=at)
                for pair, at in page.items
            ],
            page_info=page.info,
            total_count=page.total,
        )
