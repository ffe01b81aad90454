"""The GraphQL schema: queries over councils and partnerships, with limits on every request."""

from __future__ import annotations

from collections import deque
from typing import Annotated

import strawberry

from api.aggregate import PartnershipGroup, partnership_groups
from api.errors import NotFound, SafeErrors, UserError
from api.execution import lean_resolvers, plain_fields_execution
from api.figures import year_figures
from api.guards import QueryLimits
from api.limits import Limits
from api.mutations import ContributionQuery, Mutation
from api.network import NetworkQuery, one_of
from api.rate import LimitedSchema, RateLimit, rate_limit
from api.search import SearchQuery
from api.select import select_partnerships
from api.singletons import SingletonQuery
from api.types import (
    MAX_PAGE_SIZE,
    AfterArg,
    CouncilConnection,
    FirstArg,
    Info,
    Node,
    PartnershipConnection,
    ServiceArg,
    SharingStatus,
    Stats,
    YearArg,
)
from api.types.council_lists import council_page, partnership_page
from api.types.inputs import (
    CouncilFilter,
    CouncilOrder,
    IntRange,
    PartnershipFilter,
    PartnershipGroupBy,
    PartnershipOrder,
)
from api.types.objects import Council, Partnership
from api.types.reorganisation import ReorganisationQuery
from api.types.reorganisation_mutations import ReorganisationMutation
from graph import repository as repo
from graph import rules
from graph.names import normalise


async def _resolve_council(info: Info, code: str | None, name: str | None) -> repo.Council | None:
    if (code is None) == (name is None):
        raise UserError("give exactly one of `code` or `name`")
    if code is not None:
        return await info.context.loaders.council.load(code.strip().upper())
    assert name is not None
    key = normalise(name)
    matches = await info.context.run(lambda: repo.councils_by_alias_key(info.context.db, key))
    return repo.pick_council(matches)


async def _nodes(info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
    """Councils by current code and partnerships by id (a former code is no council's id)."""
    councils = await info.context.loaders.council.load_many([str(i) for i in ids])
    partnerships = await info.context.loaders.partnership.load_many([str(i) for i in ids])
    found: list[Node | None] = []
    for key, council, partnership in zip(ids, councils, partnerships, strict=True):
        if council is not None and council.code == key:
            found.append(Council.from_model(council))
        elif partnership is not None:
            found.append(Partnership.from_model(partnership))
        else:
            found.append(None)
    return found


def _year(year: int | None) -> int:
    return rules.resolve_year(year)


@strawberry.type(description="Questions about English councils and the services they share.")
class Query(NetworkQuery, SearchQuery, SingletonQuery, ContributionQuery, ReorganisationQuery):
    @strawberry.field(
        description="One council by GSS code (current or former) or any form of its name (any "
        "alias, any case, '&' or 'and'; with `year`, the one existing then when names repeat "
        "across eras); null with a NOT_FOUND error, naming the closest councils, when none "
        "matches."
    )
    async def council(
        self,
        info: Info,
        council: Annotated[
            str | None,
            strawberry.argument(description="GSS code or any form of the name, e.g. 'Medway'."),
        ] = None,
        year: Annotated[
            int | None,
            strawberry.argument(description="When a name repeats across eras: the one then."),
        ] = None,
        code: Annotated[
            str | None,
            strawberry.argument(description="GSS code.", deprecation_reason="Use `council`."),
        ] = None,
        name: Annotated[
            str | None,
            strawberry.argument(description="A name.", deprecation_reason="Use `council`."),
        ] = None,
    ) -> Council | None:
        given = [n for n, v in (("council", council), ("code", code), ("name", name)) if v]
        if len(given) != 1:
            raise UserError(
                "give `council` (a GSS code or any form of the name); `code` and `name` are "
                f"its deprecated forms, one at a time (given: {', '.join(given) or 'none'})"
            )
        if council is not None:
            return Council.from_model(repo.find_council(await _all_councils(info), council, year))
        found = await _resolve_council(info, code, name)
        if found is None:
            raise NotFound(f"no council matches {code or name!r}")
        return Council.from_model(found)

    @strawberry.field(
        description="Councils, filtered, ordered (default: by name; ties by code) and paginated."
    )
    async def councils(
        self,
        info: Info,
        filter: Annotated[
            CouncilFilter | None, strawberry.argument(description="Conditions to match.")
        ] = None,
        order_by: Annotated[
            list[CouncilOrder] | None,
            strawberry.argument(description="Sort keys, most significant first."),
        ] = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> CouncilConnection:
        chosen = await _filtered_councils(info, filter or CouncilFilter())
        return await council_page(info, chosen, order_by, first=first, after=after)

    @strawberry.field(
        description="The council or partnership with this global id; null with a NOT_FOUND "
        "error when none has it."
    )
    async def node(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="Id.")]
    ) -> Node | None:
        (found,) = await _nodes(info, [id])
        if found is None:
            raise NotFound(f"nothing has the id {id!r}")
        return found

    @strawberry.field(
        description="The councils and partnerships with these ids, in order; null for an id "
        "none has."
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="At most 100 ids.")],
    ) -> list[Node | None]:
        if len(ids) > MAX_PAGE_SIZE:
            raise UserError(f"ids: give at most {MAX_PAGE_SIZE} (got {len(ids)})")
        return await _nodes(info, ids)

    @strawberry.field(description="This request's query cost and the budget it is checked against.")
    def rate_limit(self, info: Info) -> RateLimit:
        return rate_limit(info)

    @strawberry.field(
        description="Partnerships, filtered, ordered (default: by name; ties by id) and "
        "paginated with keyset cursors."
    )
    async def partnerships(
        self,
        info: Info,
        filter: Annotated[
            PartnershipFilter | None, strawberry.argument(description="Conditions to match.")
        ] = None,
        order_by: Annotated[
            list[PartnershipOrder] | None,
            strawberry.argument(description="Sort keys, most significant first."),
        ] = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> PartnershipConnection:
        rows = await select_partnerships(info, filter or PartnershipFilter())
        return partnership_page(info, rows, order_by, first=first, after=after)

    @strawberry.field(
        description="Partnerships matching `filter`, grouped: counts and reported savings per "
        "group, for one `year` (those active then), each year of `years`, or (neither) every "
        "partnership listed. A partnership counts once in each group it falls in (a service "
        "or region of each of its members)."
    )
    async def partnership_aggregate(
        self,
        info: Info,
        group_by: Annotated[
            PartnershipGroupBy, strawberry.argument(description="What to group by.")
        ],
        filter: Annotated[
            PartnershipFilter | None, strawberry.argument(description="Conditions to match.")
        ] = None,
        year: Annotated[
            int | None, strawberry.argument(description="Only partnerships active this year.")
        ] = None,
        years: Annotated[
            IntRange | None,
            strawberry.argument(description="Each year of this range (at most 30 years)."),
        ] = None,
    ) -> list[PartnershipGroup]:
        return await partnership_groups(info, filter or PartnershipFilter(), group_by, year, years)

    @strawberry.field(
        description="One partnership by id; null with a NOT_FOUND error when unknown."
    )
    async def partnership(
        self,
        info: Info,
        id: Annotated[str, strawberry.argument(description="Partnership id.")],
    ) -> Partnership | None:
        found = await info.context.loaders.partnership.load(id)
        if found is None:
            raise NotFound(f"no partnership has the id {id!r}")
        return Partnership.from_model(found)

    @strawberry.field(description="Headline figures over the partnerships active in `year`.")
    async def stats(self, info: Info, year: YearArg = None, service: ServiceArg = None) -> Stats:
        return await year_figures(info, _year(year), service)

    @strawberry.field(
        description="The shortest chain of partnerships active in `year` linking two councils "
        "(who can introduce me?): the councils along it, both ends included; null if none."
    )
    async def path(
        self,
        info: Info,
        from_: Annotated[
            str | None,
            strawberry.argument(name="from", description="GSS code or any form of the name."),
        ] = None,
        to: Annotated[
            str | None, strawberry.argument(description="GSS code or any form of the name.")
        ] = None,
        year: YearArg = None,
        from_code: Annotated[
            str | None,
            strawberry.argument(description="GSS code.", deprecation_reason="Use `from`."),
        ] = None,
        to_code: Annotated[
            str | None,
            strawberry.argument(description="GSS code.", deprecation_reason="Use `to`."),
        ] = None,
    ) -> list[Council] | None:
        councils = await _all_councils(info)
        start = repo.find_council(councils, one_of(("from", from_), ("fromCode", from_code)), year)
        end = repo.find_council(councils, one_of(("to", to), ("toCode", to_code)), year)
        view = await info.context.year_view(year)
        chain = shortest_chain(view.memberships, start.code, end.code)
        if chain is None:
            return None
        along = await info.context.loaders.council.load_many(chain)
        return [Council.from_model(c) for c in along if c is not None]


def shortest_chain(
    memberships: tuple[repo.Membership, ...], start: str, end: str
) -> list[str] | None:
    """Breadth-first search over councils linked by shared partnerships."""
    by_partnership: dict[str, list[str]] = {}
    by_council: dict[str, list[str]] = {}
    for m in memberships:
        by_partnership.setdefault(m.partnership_id, []).append(m.code)
        by_council.setdefault(m.code, []).append(m.partnership_id)
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        code = queue.popleft()
        if code == end:
            chain = [code]
            while (before := previous[chain[-1]]) is not None:
                chain.append(before)
            return chain[::-1]
        for pid in by_council.get(code, []):
            for other in by_partnership[pid]:
                if other not in previous:
                    previous[other] = code
                    queue.append(other)
    return None


async def _all_councils(info: Info) -> tuple[repo.Council, ...]:
    return await info.context.all_councils()


async def _filtered_councils(info: Info, f: CouncilFilter) -> list[repo.Council]:
    councils = await _all_councils(info)
    snapshot = await info.context.snapshot()
    kinds = {k.value for k in f.kind} if f.kind else None
    codes = None
    if f.codes is not None:
        by_code = snapshot.councils_by_code
        codes = {by_code[c.strip().upper()].code for c in f.codes if c.strip().upper() in by_code}
    county = repo.find_ceremonial_county(councils, f.county, f.year) if f.county else None
    counts, wanted = None, f.partnership_count or IntRange()
    if f.partnership_count is not None:
        counts = (await info.context.year_view(f.year)).partnerships_by_council()
    key = normalise(f.name_contains) if f.name_contains else None
    sharers: frozenset[str] | None = None
    # A service on its own asks for the councils sharing it: a service has no other meaning
    # for a council.
    sharing = f.sharing or (SharingStatus.SHARER if f.service is not None else None)
    if sharing is not None:
        view = await info.context.year_view(f.year, f.service.value if f.service else None)
        sharers = view.sharers
        sharing_year = view.year
    chosen = []
    for c in councils:
        if kinds is not None and c.kind not in kinds:
            continue
        if f.tier is not None and c.tier != f.tier.value:
            continue
        if f.region is not None and c.region != f.region.value:
            continue
        if codes is not None and c.code not in codes:
            continue
        if county is not None and county not in c.ceremonial_counties:
            continue
        if counts is not None and not wanted.holds(len(counts.get(c.code, ()))):
            continue
        if f.year is not None and not c.exists_in(f.year):
            continue
        if key is not None and key not in normalise(c.name):
            continue
        if sharers is not None:
            if not c.exists_in(sharing_year):
                continue
            if (c.code in sharers) != (sharing is SharingStatus.SHARER):
                continue
        chosen.append(c)
    return chosen


@strawberry.type(
    name="Mutation",
    description="Contributions: propose partnerships or changes, and review them; load "
    "reorganisation proposals.",
)
class AllMutations(Mutation, ReorganisationMutation):
    """Every mutation: api/mutations.py and api/types/reorganisation_mutations.py."""


def build_schema(limits: Limits | None = None, *, lean: bool = True) -> strawberry.Schema:
    """The schema with its safety limits (``api/limits.py``; default: ``Limits()``) and masked
    errors; ``lean``: nested fields resolved and read without strawberry's per-field work
    (``api/execution.py``; off only to compare answers with strawberry's own)."""
    limits = limits or Limits()
    schema = LimitedSchema(
        query=Query,
        mutation=AllMutations,
        # Factories, so each request gets fresh extension instances.
        extensions=[lambda: QueryLimits(limits=limits), SafeErrors],
    )
    schema.limits = limits
    if lean:  # api/execution.py
        lean_resolvers(schema._schema, schema.config.info_class)
        schema.execution_context_class = plain_fields_execution(schema._schema)
    return schema
