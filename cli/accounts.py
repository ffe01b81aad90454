"""``councilgraph users`` and ``councilgraph contacts``: accounts, tokens and erasure requests.

    councilgraph users add EMAIL --role contributor|editor|admin --council GSS [--expires-days N]
    councilgraph users revoke EMAIL
    councilgraph contacts delete EMAIL

``users add`` prints the new token once, on stdout alone (so it can be piped into a secret
store); it is never stored, only its salted hash. Exit codes: 0 ok, 1 nothing to do or a
refused request (unknown account, active account, unknown council), 2 usage or connection.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import contributions
from contributions import accounts
from graph.db import Database

__all__ = ["add_account_commands"]

EXIT_OK, EXIT_REFUSED = 0, 1

Handler = Callable[[argparse.Namespace, Database], int]
WithDatabase = Callable[[Handler], Callable[[argparse.Namespace], int]]


def run_users_add(args: argparse.Namespace, db: Database) -> int:
    """Make an account and print its token once."""
    try:
        user, token = accounts.add_user(
            db,
            args.email,
            accounts.Role(args.role),
            args.council,
            expires_days=None if args.no_expiry else args.expires_days,
        )
    except accounts.AccountError as error:
        print(f"councilgraph users add: {error}", file=sys.stderr)
        return EXIT_REFUSED
    until = f"until {user.expires_at:%Y-%m-%d}" if user.expires_at else "with no expiry"
    print(
        f"{user.email}: {user.role.value} for council {user.council}, token valid {until}. "
        "It is shown only now; keep it secret:",
        file=sys.stderr,
    )
    print(token)
    return EXIT_OK


def run_users_revoke(args: argparse.Namespace, db: Database) -> int:
    """Refuse an account's token from now on."""
    user = accounts.revoke_user(db, args.email)
    if user is None:
        print(f"councilgraph users revoke: no account has the email {args.email}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"{user.email}: token revoked (from {user.revoked_at:%Y-%m-%d %H:%M} UTC)")
    return EXIT_OK


def run_contacts_delete(args: argparse.Namespace, db: Database) -> int:
    """Erase one exact email address from contacts and submissions; say exactly what changed."""
    try:
        erasure = contributions.delete_contacts(db, args.email)
    except contributions.ContributionError as error:
        print(f"councilgraph contacts delete: {error}; nothing changed", file=sys.stderr)
        return EXIT_REFUSED
    if not erasure.changed:
        print(
            f"councilgraph contacts delete: no contact or submission has the email "
            f"{erasure.email}; nothing changed",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    print(
        f"{erasure.email}: deleted {erasure.contacts_deleted} contact record(s); removed "
        f"{erasure.submitted_contacts_removed} submitted contact(s) with this address from "
        f"{erasure.submissions_changed} submission(s)"
    )
    return EXIT_OK


def add_account_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], with_database: WithDatabase
) -> None:
    """Register ``users`` and ``contacts`` on the project CLI."""
    users = commands.add_parser("users", help="add or revoke accounts (bearer tokens)")
    actions = users.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="make an account and print its token once")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=[r.value for r in accounts.Role])
    add.add_argument("--council", required=True, metavar="GSS", help="e.g. E07000089")
    expiry = add.add_mutually_exclusive_group()
    expiry.add_argument("--expires-days", type=int, default=365, metavar="N", help="default 365")
    expiry.add_argument("--no-expiry", action="store_true", help="a token that never expires")
    add.set_defaults(handler=with_database(run_users_add))
    revoke = actions.add_parser("revoke", help="refuse an account's token from now on")
    revoke.add_argument("email")
    revoke.set_defaults(handler=with_database(run_users_revoke))

    contacts = commands.add_parser("contacts", help="erase a person's contact details")
    contact_actions = contacts.add_subparsers(dest="action", required=True, metavar="ACTION")
    delete = contact_actions.add_parser(
        "delete",
        help="delete every contact record and submitted contact with exactly this email",
    )
    delete.add_argument("email", help="the whole address (case does not matter), not a part")
    delete.set_defaults(handler=with_database(run_contacts_delete))
