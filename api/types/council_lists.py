"""A council's lists that grow with the data, as pages: its partnerships and its partners.

They take the top-level lists' `orderBy`, `first` and `after`; a cursor holds the sort position
and is tied to the council and the arguments, so one from another list is BAD_USER_INPUT.
``Council`` (``api.types.objects``) inherits these fields; the nodes are made through the
schema (``common.council_of``/``partnership_of``), as ``objects`` imports this module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Annotated

import strawberry

from api.select import (
    PartnershipRow,
    council_partnership_rows,
    council_position,
    partnership_position,
    select_partnerships,
)
from api.types.common import (
    AfterArg,
    FirstArg,
    Info,
    PartnershipStatus,
    ServiceArg,
    YearArg,
    council_of,
    keyset_page,
    partnership_of,
)
from api.types.connections import (
    CouncilConnection,
    CouncilEdge,
    PartnershipConnection,
    PartnershipEdge,
)
from api.types.inputs import CouncilOrder, PartnershipFilter, PartnershipOrder
from graph import repository as repo

__all__ = ["CouncilLists", "council_page", "partnership_page"]


@strawberry.type(description="A council's growing lists, as pages (inherited by Council).")
class CouncilLists:
    model: strawberry.Private[repo.Council]

    @strawberry.field(
        description="Its partnerships as `partnerships` gives them (with `year`: active then, "
        "it an effective member; without: every one it is listed in), ordered (default: by "
        "name; ties by id) and paginated like the top-level `partnerships`."
    )
    async def partnership_connection(
        self,
        info: Info,
        year: Annotated[
            int | None, strawberry.argument(description="Only partnerships active this year.")
        ] = None,
        service: ServiceArg = None,
        status: Annotated[
            PartnershipStatus | None, strawberry.argument(description="Only this status.")
        ] = None,
        filter: Annotated[
            PartnershipFilter | None,
            strawberry.argument(
                description="Only those matching this too, as the top-level `partnerships` "
                "filter (its own `year`, if any, applies to it)."
            ),
        ] = None,
        order_by: Annotated[
            list[PartnershipOrder] | None,
            strawberry.argument(description="Sort keys, most significant first."),
        ] = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> PartnershipConnection:
        matching = (
            {row.partnership.id for row in await select_partnerships(info, filter)}
            if filter is not None
            else None
        )
        rows = [
            row
            for row in await council_partnership_rows(info, self.model.code, year)
            if (service is None or service.value in row.partnership.services)
            and (status is None or row.partnership.status == status.value)
            and (matching is None or row.partnership.id in matching)
        ]
        # A cursor is tied to its list: this council, the arguments and (a digest of) the filter.
        digest = hashlib.sha256(repr(filter).encode()).hexdigest()[:12]
        return partnership_page(
            info, rows, order_by, first=first, after=after,
            list_key=f"of:{self.model.code}:{year}:{service}:{status}:{digest}",
        )  # fmt: skip

    @strawberry.field(
        description="The distinct councils it shares with in partnerships active in `year` "
        "(optionally in one service), ordered (default: by name; ties by code) and paginated "
        "like the top-level `councils`."
    )
    async def partner_connection(
        self,
        info: Info,
        year: YearArg = None,
        service: ServiceArg = None,
        order_by: Annotated[
            list[CouncilOrder] | None,
            strawberry.argument(description="Sort keys, most significant first."),
        ] = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> CouncilConnection:
        view = await info.context.year_view(year, service.value if service else None)
        members = view.members_by_partnership()
        codes = {
            m.code
            for pid in view.partnerships_by_council().get(self.model.code, ())
            for m in members.get(pid, ())
        } - {self.model.code}
        by_code = (await info.context.snapshot()).councils_by_code
        partners = [by_code[code] for code in sorted(codes) if code in by_code]
        return await council_page(
            info, partners, order_by, first=first, after=after,
            list_key=f"partners:{self.model.code}:{view.year}:{service and service.value}",
        )  # fmt: skip


def partnership_page(
    info: Info,
    rows: Sequence[PartnershipRow],
    order_by: Sequence[PartnershipOrder] | None,
    *,
    first: int | None,
    after: str | None,
    list_key: str = "",
) -> PartnershipConnection:
    """One keyset page of partnership ``rows`` in ``order_by``'s order; ``list_key`` ties
    the cursors to one list (a cursor from another list is refused)."""
    position, descending, kind = partnership_position(order_by)
    if list_key:
        kind += f"|{list_key}"
    page = keyset_page(rows, position, descending, kind=kind, first=first, after=after)
    return PartnershipConnection(
        edges=[
            PartnershipEdge(node=partnership_of(info, row.partnership), cursor=at)
            for row, at in page.items
        ],
        page_info=page.info,
        total_count=page.total,
    )


async def council_page(
    info: Info,
    councils: Sequence[repo.Council],
    order_by: Sequence[CouncilOrder] | None,
    *,
    first: int | None,
    after: str | None,
    list_key: str = "",
) -> CouncilConnection:
    """As :func:`partnership_page`, for councils."""
    position, descending, kind = await council_position(info, order_by)
    if list_key:
        kind += f"|{list_key}"
    page = keyset_page(councils, position, descending, kind=kind, first=first, after=after)
    return CouncilConnection(
        edges=[
            CouncilEdge(node=node, cursor=at)
            for c, at in page.items
            if (node := council_of(info, c)) is not None
        ],
        page_info=page.info,
        total_count=page.total,
    )
