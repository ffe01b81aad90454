"""Text search across councils and partnerships (``search``), ranked by Neo4j's full-text
index over names and notes (``graph.repository.text_search``)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from api.errors import UserError
from api.types import Council, FirstArg, Info, Partnership, page_size
from graph import repository as repo

__all__ = ["SearchHit", "SearchQuery", "SearchType"]

#: The longest text a search takes (the string limit of docs/limits.md applies before).
MAX_QUERY_CHARS = 200


@strawberry.enum(description="What a search looks through.")
class SearchType(Enum):
    COUNCIL = "council"
    PARTNERSHIP = "partnership"


@strawberry.type(description="One search result: a council or a partnership, with its score.")
class SearchHit:
    type: SearchType = strawberry.field(description="COUNCIL or PARTNERSHIP.")
    score: float = strawberry.field(description="Relevance (Lucene's score; higher is better).")
    council: Council | None = strawberry.field(description="The council, for COUNCIL hits.")
    partnership: Partnership | None = strawberry.field(
        description="The partnership, for PARTNERSHIP hits."
    )


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="Councils and partnerships whose names (official names, partnerships' "
        "notes) contain any of the words of `query`, best match first (one full-text query)."
    )
    async def search(
        self,
        info: Info,
        query: Annotated[str, strawberry.argument(description="Words to look for.")],
        types: Annotated[
            list[SearchType] | None,
            strawberry.argument(description="What to look through (default: everything)."),
        ] = None,
        first: FirstArg = None,
    ) -> list[SearchHit]:
        if not query.strip() or len(query) > MAX_QUERY_CHARS:
            raise UserError(f"query: give 1 to {MAX_QUERY_CHARS} characters to look for")
        kinds = [t.value for t in types or list(SearchType)]
        limit = page_size(first)
        matches = await info.context.run(
            lambda: repo.text_search(info.context.db, query, kinds, limit)
        )
        councils = await info.context.loaders.council.load_many(
            [m.key for m in matches if m.kind == "council"]
        )
        partnerships = await info.context.loaders.partnership.load_many(
            [m.key for m in matches if m.kind == "partnership"]
        )
        found_c = {c.code: c for c in councils if c is not None}
        found_p = {p.id: p for p in partnerships if p is not None}
        hits = []
        for m in matches:
            council = found_c.get(m.key) if m.kind == "council" else None
            partnership = found_p.get(m.key) if m.kind == "partnership" else None
            if council is None and partnership is None:
                continue  # changed since the snapshot was read
            hits.append(
                SearchHit(
                    type=SearchType(m.kind),
                    score=m.score,
                    council=Council.from_model(council) if council else None,
                    partnership=Partnership.from_model(partnership) if partnership else None,
                )
            )
        return hits
