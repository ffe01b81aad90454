"""The GraphQL vocabulary shared by every type: enums, arguments and pagination."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Generic, TypeVar

import strawberry

from api.context import Context
from api.errors import UserError
from graph import taxonomy

Info = strawberry.Info[Context, None]
T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


# -- enums -----------------------------------------------------------------------------


# The service layers come from the taxonomy (graph/taxonomy.py), so a layer added to the CSV is
# a new enum value with no code edit. mypy sees a memberless Enum: code goes by value
# (``Service("legal")``, ``service.value``), never by a hard-coded member name.
if TYPE_CHECKING:

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


# -- pagination ------------------------------------------------------------------------


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The offset after which a page starts; a cursor not made by us is a clear error."""
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not text.startswith("o:"):
            raise ValueError(text)
        return int(text[2:]) + 1
    except (ValueError, UnicodeDecodeError) as error:
        raise UserError(f"after: {cursor!r} is not a cursor from this API") from error


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


def paginate(items: Sequence[T], first: int | None, after: str | None) -> Page[T]:
    """Cut ``items`` to the page that ``first``/``after`` ask for (offset cursors)."""
    size, offset = page_size(first), decode_cursor(after)
    chunk = items[offset : offset + size]
    return Page(
        items=[(item, encode_cursor(offset + i)) for i, item in enumerate(chunk)],
        info=PageInfo(
            has_next_page=offset + size < len(items),
            end_cursor=encode_cursor(offset + len(chunk) - 1) if chunk else None,
        ),
        total=len(items),
    )


# -- council ---------------------------------------------------------------------------

YearArg = Annotated[
    int | None,
    strawberry.argument(description="Calendar year; defaults to the current year."),
]
ServiceArg = Annotated[
    Service | None, strawberry.argument(description="Only this service layer; all when omitted.")
]
