"""Who is calling: ``Authorization: Bearer <token>`` checked once per request in ``get_context``.

No header: an anonymous reader (everything but contacts and reviewers' emails). A header with
a token that is malformed, unknown, expired or revoked refuses the whole request with HTTP 401
and a sentence saying why; it is never quietly treated as anonymous, so a client with a stale
token finds out at once.

Failed sign-ins are throttled per client address: after ``failed_sign_ins_per_minute``
refused tokens, a client's next requests with a token get HTTP 429 and ``Retry-After``
before any scrypt check is run (each takes 16 MiB and about 25 ms of a core).
Anonymous requests from that client are still answered. The address is the ASGI client, which
uvicorn sets from ``X-Forwarded-For`` only for proxies it trusts (``--forwarded-allow-ips``,
127.0.0.1 by default); a header alone is never believed.

Also here: what the contribution fields need per request (:class:`Contributions`), kept apart
from the lead's ``Loaders`` so the two can change independently.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cross_web import HTTPException
from starlette import exceptions as starlette_exceptions
from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

import contributions
from api.errors import UNAVAILABLE_MESSAGE, Forbidden, Unauthenticated
from contributions import accounts
from contributions.accounts import AuthenticationError, Role, User
from graph import audit
from graph.db import Database, GraphUnavailable
from graph.settings import SettingsError

__all__ = ["AccessControl", "Contributions", "client_address", "require"]

#: Default limit on submissions per token (each API worker process counts its own).
SUBMISSIONS_PER_HOUR = 10
SUBMISSIONS_PER_HOUR_ENV = "COUNCILGRAPH_SUBMISSIONS_PER_HOUR"
#: Default limit on refused bearer tokens per client address a minute, across all workers.
FAILED_SIGN_INS_PER_MINUTE = 10
FAILED_SIGN_INS_PER_MINUTE_ENV = "COUNCILGRAPH_FAILED_SIGN_INS_PER_MINUTE"
#: The number of API worker processes (``councilgraph serve --workers N`` sets it).
WORKERS_ENV = "COUNCILGRAPH_API_WORKERS"


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


def _setting(environ: Mapping[str, str], name: str, default: int) -> int:
    text = environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise SettingsError(f"{name} must be a whole number of at least 1 (got {text!r})")
    return int(text)


def client_address(request: Any) -> str:
    """The caller's address as the ASGI server reports it (see the module's note on proxies)."""
    client = getattr(request, "client", None)
    return str(client.host) if client is not None and client.host else "unknown"


class AccessControl:
    """One per app: authenticates requests, throttles failed sign-ins per client address and
    holds the submission rate limiter.

    Both limiters live in this process, and each of ``workers`` processes allows its share
    of each limit (at least one), so a client or token gets no more than the limit in all
    (fewer if one worker takes all its requests) (docs/contributions.md, Limits).

    Limits left as None are read from the environment (:data:`SUBMISSIONS_PER_HOUR_ENV`,
    :data:`FAILED_SIGN_INS_PER_MINUTE_ENV`, :data:`WORKERS_ENV`), once, when the app starts.
    """

    def __init__(
        self,
        db: Database,
        *,
        submissions_per_hour: int | None = None,
        failed_sign_ins_per_minute: int | None = None,
        workers: int | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        if submissions_per_hour is None:
            submissions_per_hour = _setting(env, SUBMISSIONS_PER_HOUR_ENV, SUBMISSIONS_PER_HOUR)
        if failed_sign_ins_per_minute is None:
            failed_sign_ins_per_minute = _setting(
                env, FAILED_SIGN_INS_PER_MINUTE_ENV, FAILED_SIGN_INS_PER_MINUTE
            )
        if workers is None:
            workers = _setting(env, WORKERS_ENV, 1)
        self.db = db
        self.limiter = contributions.RateLimiter(capacity=max(1, submissions_per_hour // workers))
        self.failed_sign_ins_per_minute = failed_sign_ins_per_minute
        self.sign_in_failures = contributions.RateLimiter(
            capacity=max(1, failed_sign_ins_per_minute // workers), per_seconds=60.0
        )

    async def user_for(self, request: Any) -> User | None:
        """The signed-in account, None for anonymous; HTTP 401 for a refused token, HTTP 429
        (with ``Retry-After``) for a client that has had too many refused lately."""
        token = _bearer(request)
        if token is None:
            return None
        client = client_address(request)
        wait = self.sign_in_failures.wait(client)
        if wait > 0:  # refused before the scrypt check: that is what the limit protects
            seconds = math.ceil(wait)
            raise starlette_exceptions.HTTPException(
                429,
                f"Too many refused bearer tokens from {client}: at most "
                f"{self.failed_sign_ins_per_minute} a minute; try again in {seconds} seconds",
                headers={"Retry-After": str(seconds)},
            )
        try:
            return await run_in_threadpool(accounts.authenticate, self.db, token)
        except AuthenticationError as error:
            self.sign_in_failures.take(client)
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
    """The user, if signed in with at least ``role``; else UNAUTHENTICATED (anonymous) or
    FORBIDDEN (signed in with too small a role), naming ``what``."""
    if user is None:
        raise Unauthenticated(f"{what} is only for signed-in users: {WHY[Role.CONTRIBUTOR]}")
    if not user.can(role):
        raise Forbidden(f"{what}: {WHY[role]} (you are signed in as a {user.role.value})")
    return user
