"""Accounts and bearer tokens: who may contribute, review, and manage accounts.

Roles are ordered: a ``contributor`` submits, an ``editor`` also reviews, an ``admin`` also
manages accounts (from the command line). There are no default accounts: the first admin is
made with ``councilgraph users add``.

A token is ``cg_<token id>_<secret>``. The token id is public and finds the account in one
indexed read; only a salted scrypt hash of the secret is stored, and the secret is compared in
constant time (``hmac.compare_digest``). The token is shown once, when it is made. A token can
expire, and is refused once its account is revoked.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, LiteralString

from graph.db import Database, Tx
from graph.errors import CouncilGraphError

__all__ = [
    "AccountError",
    "AuthenticationError",
    "Role",
    "User",
    "add_user",
    "authenticate",
    "delete_user",
    "hash_secret",
    "revoke_user",
    "user_by_email",
]

#: scrypt cost: 16 MiB and ~0.1 s per check. Secrets are 256 random bits, so this guards a
#: leaked hash far beyond need; it is the stdlib's usual setting, not a tuned one.
SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_DKLEN = 2**14, 8, 1, 32
TOKEN_PREFIX = "cg"  # noqa: S105 (a public prefix, not a secret)
_TOKEN = re.compile(r"cg_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,60}")
MAX_EXPIRY_DAYS = 3650


class AccountError(CouncilGraphError, ValueError):
    """An account cannot be made or changed as asked; the message says what would work."""


class AuthenticationError(CouncilGraphError):
    """A bearer token is refused; the message says why and what to do."""


class Role(Enum):
    """What an account may do; each role can do everything the ones before it can."""

    CONTRIBUTOR = "contributor"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        """True when this role has at least ``needed``'s rights."""
        return self.rank >= needed.rank


@dataclass(frozen=True)
class User:
    """A signed-in account (never carries the token or its hash)."""

    email: str
    role: Role
    council: str  # GSS code of the council the person works for
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    token_id: str

    def can(self, needed: Role) -> bool:
        return self.role.allows(needed)

    @classmethod
    def from_row(cls, props: dict[str, Any]) -> User:
        def when(value: Any) -> datetime | None:
            return value.to_native() if value is not None else None

        created = when(props.get("createdAt"))
        assert created is not None
        return cls(
            email=props["email"],
            role=Role(props["role"]),
            council=props["council"],
            created_at=created,
            expires_at=when(props.get("expiresAt")),
            revoked_at=when(props.get("revokedAt")),
            token_id=props["tokenId"],
        )


# -- statements ------------------------------------------------------------------------

USER_BY_PUBLIC_ID: LiteralString = """
MATCH (u:User {tokenId: $tokenId})
RETURN properties(u) AS user
"""

USER_BY_EMAIL: LiteralString = """
MATCH (u:User {email: $email})
RETURN properties(u) AS user
"""

COUNCIL_EXISTS: LiteralString = """
MATCH (c:Council) WHERE c.code = $code OR $code IN c.formerCodes
RETURN c.code AS code, c.name AS name
"""

# Re-adding a revoked account issues a new token; an active one is refused (see add_user).
UPSERT_USER: LiteralString = """
MERGE (u:User {email: $email})
ON CREATE SET u.createdAt = datetime()
SET u.role = $role, u.council = $council, u.tokenId = $tokenId, u.tokenSalt = $salt,
    u.tokenHash = $hash, u.expiresAt = $expiresAt, u.issuedAt = datetime()
REMOVE u.revokedAt
RETURN properties(u) AS user
"""

REVOKE_USER: LiteralString = """
MATCH (u:User {email: $email})
SET u.revokedAt = coalesce(u.revokedAt, datetime())
RETURN properties(u) AS user
"""

DELETE_USER: LiteralString = """
MATCH (u:User {email: $email})
DELETE u
RETURN count(*) AS deleted
"""


# -- tokens ----------------------------------------------------------------------------


def hash_secret(secret: str, salt: bytes) -> bytes:
    """The stored form of a token's secret: scrypt with the account's own random salt."""
    return hashlib.scrypt(
        secret.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=SCRYPT_DKLEN
    )


def _new_token() -> tuple[str, str, str]:
    """(token, token id, secret); the id is alphanumeric so the token reads as one word."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    token_id = "".join(secrets.choice(alphabet) for _ in range(16))
    secret = secrets.token_urlsafe(32)  # 43 characters, 256 bits
    return f"{TOKEN_PREFIX}_{token_id}_{secret}", token_id, secret


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively; raise AccountError for a malformed one."""
    cleaned = email.strip().lower()
    if not _EMAIL.fullmatch(cleaned):
        raise AccountError(f"{email!r} is not an email address (expected name@council.gov.uk)")
    return cleaned


def add_user(
    db: Database,
    email: str,
    role: Role,
    council: str,
    *,
    expires_days: int | None = 365,
    now: datetime | None = None,
) -> tuple[User, str]:
    """Make an account (or re-issue a revoked one) and return it with its token.

    The token is returned once and never stored; only its salted scrypt hash is.

    Raises
    ------
    AccountError : malformed email, unknown council, bad expiry, or an account that is
        already active (revoke it first).
    """
    email = normalise_email(email)
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise AccountError(f"--expires-days must be from 1 to {MAX_EXPIRY_DAYS}")
    found = db.read(COUNCIL_EXISTS, {"code": council.strip().upper()})
    if not found:
        raise AccountError(
            f"no council has the GSS code {council!r} (load the bundled data first, "
            "and give a code such as E07000089)"
        )
    existing = user_by_email(db, email)
    if existing is not None and existing.revoked_at is None:
        raise AccountError(
            f"{email} already has an active token; run `councilgraph users revoke {email}` "
            "first to issue a new one"
        )
    token, token_id, secret = _new_token()
    salt = secrets.token_bytes(16)
    now = now or datetime.now(UTC)
    expires = now + timedelta(days=expires_days) if expires_days is not None else None
    rows = db.write(
        UPSERT_USER,
        {
            "email": email,
            "role": role.value,
            "council": found[0]["code"],
            "tokenId": token_id,
            "salt": salt.hex(),
            "hash": hash_secret(secret, salt).hex(),
            "expiresAt": expires,
        },
    )
    return User.from_row(rows[0]["user"]), token


def user_by_email(db: Database, email: str) -> User | None:
    """The account with this email, active or not."""
    rows = db.read(USER_BY_EMAIL, {"email": email.strip().lower()})
    return User.from_row(rows[0]["user"]) if rows else None


def revoke_user(db: Database, email: str) -> User | None:
    """Refuse the account's token from now on (None when there is no such account)."""
    rows = db.write(REVOKE_USER, {"email": email.strip().lower()})
    return User.from_row(rows[0]["user"]) if rows else None


def delete_user(tx: Tx, email: str) -> int:
    """Delete an account outright (for tests and erasure requests); returns 0 or 1."""
    return int(tx.run(DELETE_USER, {"email": email.strip().lower()})[0]["deleted"])


def authenticate(db: Database, token: str, *, now: datetime | None = None) -> User:
    """The account a bearer token belongs to.

    Raises
    ------
    AuthenticationError : the token is malformed, unknown, wrong, expired or revoked.
    """
    found = _TOKEN.fullmatch(token.strip())
    if not found:
        raise AuthenticationError(
            "the bearer token is not a Council Graph token (expected cg_..._...); "
            "ask an admin for one"
        )
    token_id, secret = found.groups()
    rows = db.read(USER_BY_PUBLIC_ID, {"tokenId": token_id})
    # Hash even when the id is unknown, so timing does not reveal which ids exist.
    props = rows[0]["user"] if rows else None
    salt = bytes.fromhex(props["tokenSalt"]) if props else b"\0" * 16
    expected = bytes.fromhex(props["tokenHash"]) if props else b"\0" * SCRYPT_DKLEN
    matches = hmac.compare_digest(hash_secret(secret, salt), expected)
    if props is None or not matches:
        raise AuthenticationError("the bearer token is not valid; ask an admin for a new one")
    user = User.from_row(props)
    if user.revoked_at is not None:
        raise AuthenticationError(
            f"the bearer token was revoked on {user.revoked_at:%Y-%m-%d}; "
            "ask an admin for a new one"
        )
    if user.expires_at is not None and user.expires_at <= (now or datetime.now(UTC)):
        raise AuthenticationError(
            f"the bearer token expired on {user.expires_at:%Y-%m-%d}; ask an admin for a new one"
        )
    return user
