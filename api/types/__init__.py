"""GraphQL types, one package: the shared vocabulary (``common``), the inputs of filters and
orderings (``inputs``), the object types that construct each other (``objects``), their pages
(``connections``), a partnership's memberships and sources (``membership``), its history and
contacts (``history``), a council's network measures (``metrics``) and the year's figures
(``stats``). Each wraps a model from ``graph.repository`` (``from_model``).

``Council`` and ``Partnership`` are imported from ``api.types.objects`` itself, not from here:
the objects' nested pages use ``api.select``, which imports this package."""

from __future__ import annotations

from api.types.common import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    AfterArg,
    CouncilKind,
    FirstArg,
    Info,
    MemberRole,
    Node,
    Office,
    Page,
    PageInfo,
    PartnershipStatus,
    Service,
    ServiceArg,
    SharingStatus,
    Tier,
    TierMix,
    YearArg,
    YearBasis,
    keyset_page,
    office_of,
    page_size,
    read_cursor,
    sign_cursor,
)
from api.types.connections import (
    CouncilConnection,
    CouncilEdge,
    PartnershipConnection,
    PartnershipEdge,
    SingletonNeighbourhood,
    SingletonNeighbourhoodConnection,
    SingletonNeighbourhoodEdge,
)
from api.types.history import (
    AccountRole,
    AuditAction,
    AuditEntry,
    ChangeOrigin,
    Contact,
    Diff,
    Person,
    SubmittedField,
    request_contributions,
)
from api.types.membership import Membership, SourceRef
from api.types.metrics import CouncilMetrics
from api.types.stats import (
    SAVINGS_CAVEAT,
    Count,
    LgaReference,
    Savings,
    Stats,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "SAVINGS_CAVEAT",
    "AccountRole",
    "AfterArg",
    "AuditAction",
    "AuditEntry",
    "ChangeOrigin",
    "Contact",
    "CouncilConnection",
    "CouncilEdge",
    "CouncilKind",
    "CouncilMetrics",
    "Count",
    "Diff",
    "FirstArg",
    "Info",
    "LgaReference",
    "MemberRole",
    "Membership",
    "Node",
    "Office",
    "Page",
    "PageInfo",
    "PartnershipConnection",
    "PartnershipEdge",
    "PartnershipStatus",
    "Person",
    "Savings",
    "Service",
    "ServiceArg",
    "SharingStatus",
    "SingletonNeighbourhood",
    "SingletonNeighbourhoodConnection",
    "SingletonNeighbourhoodEdge",
    "SourceRef",
    "Stats",
    "SubmittedField",
    "Tier",
    "TierMix",
    "YearArg",
    "YearBasis",
    "keyset_page",
    "office_of",
    "page_size",
    "read_cursor",
    "request_contributions",
    "sign_cursor",
]
