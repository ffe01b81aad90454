"""Who is calling: ``Authorization: Bearer <token>`` checked once per request in ``get_context``.

No header: an anonymous reader (everything but contacts and reviewers' emails). A header with
a token that is malformed, unknown, expired or revoked refuses the whole request with HTTP 401
and a sentence saying why; it is never quietly treated as anonymous, so a client with a stale
token finds out at once.

Also here: what the contribution fields need per request (:class:`Contributions`), kept apart
from the lead's ``Loaders`` so the two can change independently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cross_web import HTTPException
from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from api.errors import UNAVAILABLE_MESSAGE, UserError
from graph import accounts, audit, contributions
from graph.accounts import AuthenticationError, Role, User
from graph.db import Database, GraphUnavailable

__all__ = ["AccessControl", "Contributions", "require"]

#: Default limit on submissions per token (each API worker process counts its own).
SUBMISSIONS_PER_HOUR = 10


def _bearer(request: Any) -> str | None:
    header: str | None = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            401, "Authorization must be 'Bearer <token>'; leave it out to read anonymously"
        )
    return token.strip()


@dataclass
class Contributions:
    """Per-request loaders for history and contacts, and the process's submission limiter."""

    db: Database
    limiter: contributions.RateLimiter
    history: DataLoader[str, list[audit.AuditEntry]]
    contacts: DataLoader[str, list[contributions.Contact]]

    @classmethod
    def for_database(cls, db: Database, limiter: contributions.RateLimiter) -> Contributions:
        async def history(ids: Sequence[str]) -> list[list[audit.AuditEntry]]:
            found = await run_in_threadpool(audit.audit_history, db, ids)
            return [found.get(i, []) for i in ids]

        async def contacts(ids: Sequence[str]) -> list[list[contributions.Contact]]:
            found = await run_in_threadpool(contributions.contacts_for, db, ids)
            return [found.get(i, []) for i in ids]

        return cls(db, limiter, DataLoader(history), DataLoader(contacts))


class AccessControl:
    """One per app: authenticates requests and holds the submission rate limiter."""

    def __init__(self, db: Database, *, submissions_per_hour: int = SUBMISSIONS_PER_HOUR) -> None:
        self.db = db
        self.limiter = contributions.RateLimiter(capacity=submissions_per_hour)

    async def user_for(self, request: Any) -> User | None:
        """The signed-in account, None for anonymous; HTTP 401 for a refused token."""
        token = _bearer(request)
        if token is None:
            return None
        try:
            return await run_in_threadpool(accounts.authenticate, self.db, token)
        except AuthenticationError as error:
            raise HTTPException(401, f"Bearer token refused: {error}") from error
        except GraphUnavailable as error:
            raise HTTPException(503, UNAVAILABLE_MESSAGE) from error

    def contributions(self) -> Contributions:
        """Fresh per-request loaders (DataLoaders cache per request only)."""
        return Contributions.for_database(self.db, self.limiter)


WHY = {
    Role.CONTRIBUTOR: "sign in with a contributor token (Authorization: Bearer ...)",
    Role.EDITOR: "this needs an editor account",
    Role.ADMIN: "this needs an admin account",
}


def require(user: User | None, role: Role, what: str) -> User:
    """The user, if signed in with at least ``role``; else a UserError naming ``what``."""
    if user is None:
        raise UserError(f"{what} is only for signed-in users: {WHY[Role.CONTRIBUTOR]}")
    if not user.can(role):
        raise UserError(f"{what}: {WHY[role]} (you are signed in as a {user.role.value})")
    return user
