"""The GraphQL vocabulary shared by every type: enums, arguments and pagination."""

from __future__ import annotations

import base64
import bisect
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar, cast

import strawberry
from strawberry.types.base import StrawberryObjectDefinition

from api.context import Context, YearView
from api.errors import UserError
from graph import repository as repo
from graph import taxonomy
from graph.snapshot import Snapshot

Info = strawberry.Info[Context, None]
T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


# -- enums -----------------------------------------------------------------------------


# The service layers come from the taxonomy (graph/taxonomy.py), so a layer added to the CSV is
# a new enum value with no code edit. mypy sees a memberless Enum: code goes by value
# (``Service("legal")``, ``service.value``), never by a hard-coded member name.
if TYPE_CHECKING:
    from api.types.objects import Council, Partnership

    class Service(Enum):
        """A service layer (taxonomy code)."""

else:
    Service = strawberry.enum(
        Enum("Service", {code.upper(): code for code in taxonomy.codes()}),
        description=f"The {len(taxonomy.codes())} service layers of the original LGA map "
        "(taxonomy codes: data/taxonomy/service_areas.csv).",
    )


@strawberry.enum(description="A partnership's status, as of the latest source for it.")
class PartnershipStatus(Enum):
    OPERATIONAL = "operational"
    IN_DEVELOPMENT = "in_development"
    ENDED = "ended"
    ABANDONED = "abandoned"


@strawberry.enum(description="The kind of principal council.")
class CouncilKind(Enum):
    COUNTY = "county"
    DISTRICT = "district"
    UNITARY = "unitary"
    METROPOLITAN_DISTRICT = "metropolitan_district"
    LONDON_BOROUGH = "london_borough"
    CITY_OF_LONDON = "city_of_london"


@strawberry.enum(description="LOWER: districts; UPPER: counties and single-tier councils.")
class Tier(Enum):
    LOWER = "lower"
    UPPER = "upper"


@strawberry.enum(description="The tiers of a partnership's members (in the year asked about).")
class TierMix(Enum):
    DISTRICT_DISTRICT = "district_district"
    DISTRICT_UPPER = "district_upper"
    UPPER_UPPER = "upper_upper"


@strawberry.enum(description="BACK: all services back office; FRONT: all front; MIXED: both.")
class Office(Enum):
    BACK = "back"
    FRONT = "front"
    MIXED = "mixed"


@strawberry.enum(description="Whether a council is a member of a partnership active that year.")
class SharingStatus(Enum):
    SHARER = "sharer"
    SINGLETON = "singleton"


@strawberry.enum(description="How a start year is known (data README, 'When a partnership runs').")
class YearBasis(Enum):
    STATED = "stated"
    FIRST_EVIDENCE = "first_evidence"
    UNKNOWN = "unknown"


@strawberry.enum(description="A member's role in a partnership.")
class MemberRole(Enum):
    LEAD = "lead"
    PARTNER = "partner"


def office_of(services: tuple[str, ...]) -> Office | None:
    """Back/front/mixed office of a set of services (``graph.taxonomy.office_of``); None when
    the source named no service."""
    office = taxonomy.office_of(services)
    return Office(office) if office else None


def with_snapshot(info: Info, answer: Callable[[Snapshot], T]) -> T:
    """``answer(snapshot)``, now when the request has read its snapshot (a nested field always
    has: its parent was made from it), else once it has.

    The resolvers of pages' fields stay synchronous this way: graphql-core awaits a resolver's
    result only when it is awaitable, so a page of thousands of objects makes no coroutine,
    task or ``gather`` per field (docs/performance.md). The cast is that contract: the
    awaitable stands for the value and is never seen by the caller's own code.
    """
    snapshot = info.context.known_snapshot
    if snapshot is not None:
        return answer(snapshot)

    async def later() -> T:
        return answer(await info.context.snapshot())

    return cast(T, later())


def with_year_view(
    info: Info,
    year: int | None,
    service: str | None,
    answer: Callable[[Snapshot, YearView], T],
) -> T:
    """As :func:`with_snapshot`, with the year's view (``Context.year_view``) too: now when
    the snapshot remembers it, else once it is read."""
    context = info.context
    view = context.known_year_view(year, service)
    snapshot = context.known_snapshot
    if view is not None and snapshot is not None:
        return answer(snapshot, view)

    async def later() -> T:
        found = await context.year_view(year, service)
        return answer(await context.snapshot(), found)

    return cast(T, later())


def council_of(info: Info, model: repo.Council | None) -> Council | None:
    """``Council.from_model(model)`` (None for None), for the types that point back at a
    council from modules that ``api.types.objects`` imports: they find the type in the
    schema rather than import it in a circle."""
    if model is None:
        return None
    definition = info.schema.get_type_by_name("Council")
    assert isinstance(definition, StrawberryObjectDefinition)
    return cast("Council", definition.origin.from_model(model))


def partnership_of(info: Info, model: repo.Partnership) -> Partnership:
    """``Partnership.from_model(model)``, found in the schema as :func:`council_of` does."""
    definition = info.schema.get_type_by_name("Partnership")
    assert isinstance(definition, StrawberryObjectDefinition)
    return cast("Partnership", definition.origin.from_model(model))


@strawberry.interface(
    description="Anything with a global id, found again with `node(id:)` or `nodes(ids:)`: a "
    "council (its GSS code) or a partnership (its id); the two never collide."
)
class Node:
    @strawberry.field(description="The global id.")
    def id(self) -> strawberry.ID:
        raise NotImplementedError


# -- pagination ------------------------------------------------------------------------

# Cursors are opaque: base64 of a JSON position with a keyed digest, so one not made by this
# API (edited, forged, or from another list or ordering) is refused as BAD_USER_INPUT rather
# than quietly read as some other position. The key only detects tampering; a cursor carries
# nothing secret, so the key may be the same in every process (any worker reads any cursor).
_CURSOR_KEY = b"council-graph cursor v1"


def sign_cursor(position: list[Any]) -> str:
    """An opaque cursor for ``position`` (JSON values: the sort keys and a tiebreak)."""
    text = json.dumps(position, separators=(",", ":"))
    digest = hmac.new(_CURSOR_KEY, text.encode(), hashlib.sha256).hexdigest()[:16]
    return base64.urlsafe_b64encode(f"{digest}{text}".encode()).decode()


def read_cursor(cursor: str, kind: str, argument: str = "after") -> list[Any]:
    """The position in a cursor made by :func:`sign_cursor` for a list of ``kind`` (its first
    value); a cursor not made by this API for such a list is a clear error."""
    problem = UserError(f"{argument}: {cursor!r} is not a cursor from this list and ordering")
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
        digest, text = raw[:16], raw[16:]
        expected = hmac.new(_CURSOR_KEY, text.encode(), hashlib.sha256).hexdigest()[:16]
        position = json.loads(text) if hmac.compare_digest(digest, expected) else None
    except (ValueError, UnicodeDecodeError) as error:
        raise problem from error
    if not isinstance(position, list) or not position or position[0] != kind:
        raise problem
    return position[1:]


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise UserError(f"first must be between 1 and {MAX_PAGE_SIZE} (got {first})")
    return first


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")
    has_previous_page: bool = strawberry.field(
        default=False, description="Whether items come before this page."
    )
    start_cursor: str | None = strawberry.field(
        default=None, description="The cursor of the first item on this page."
    )


FirstArg = Annotated[
    int | None,
    strawberry.argument(
        description=f"Page size (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE})."
    ),
]
AfterArg = Annotated[
    str | None, strawberry.argument(description="Cursor of the item before the page.")
]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items with their cursors, and where it sits."""

    items: list[tuple[T, str]]
    info: PageInfo
    total: int


class Descending:
    """A sort key that orders its value backwards (for DESC keys of a mixed ordering)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: Descending) -> bool:
        return bool(other.value < self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Descending) and self.value == other.value

    def __hash__(self) -> int:
        return hash(self.value)


def sort_key(values: Sequence[Any], descending: Sequence[bool]) -> tuple[Any, ...]:
    """The key of one item's sort values: unknown (None) values last in either direction."""
    key: list[Any] = []
    for value, desc in zip(values, descending, strict=True):
        missing = value is None
        filler = value if not missing else 0
        key.append((missing, Descending(filler) if desc else filler))
    return tuple(key)


def keyset_page(
    items: Sequence[T],
    position: Callable[[T], list[Any]],
    descending: Sequence[bool],
    *,
    kind: str,
    first: int | None,
    after: str | None,
) -> Page[T]:
    """A page of ``items`` ordered by their ``position`` (sort values, then a unique
    tiebreak), starting after the position in ``after`` (keyset: the cursor holds the sort
    values, so a page stays right while the list changes around it)."""
    size = page_size(first)
    flags = [*descending, False]  # the tiebreak ascends
    keyed = sorted(((sort_key(position(i), flags), i) for i in items), key=lambda kv: kv[0])
    start = 0
    if after is not None:
        values = read_cursor(after, kind)
        if len(values) != len(flags):
            raise UserError(f"after: {after!r} is not a cursor from this list and ordering")
        try:
            start = bisect.bisect_right([k for k, _ in keyed], sort_key(values, flags))
        except TypeError as error:  # values of the wrong type for this ordering
            raise UserError(f"after: {after!r} is not a cursor from this ordering") from error
    chunk = [item for _, item in keyed[start : start + size]]
    cursors = [sign_cursor([kind, *position(item)]) for item in chunk]
    return Page(
        items=list(zip(chunk, cursors, strict=True)),
        info=PageInfo(
            has_next_page=start + size < len(keyed),
            end_cursor=cursors[-1] if cursors else None,
            has_previous_page=start > 0,
            start_cursor=cursors[0] if cursors else None,
        ),
        total=len(keyed),
    )


# -- council ---------------------------------------------------------------------------

YearArg = Annotated[
    int | None,
    strawberry.argument(description="Calendar year; defaults to the current year."),
]
ServiceArg = Annotated[
    Service | None, strawberry.argument(description="Only this service layer; all when omitted.")
]
