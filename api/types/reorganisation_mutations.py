"""GraphQL mutations for reorganisation proposals (docs/reorganisation.md): load a proposed
geography and delete one, signed in.

Least privilege: a contributor may load proposals and replace or delete the ones their own
account loaded; an editor (or admin) may replace or delete any loaded proposal, whoever loaded
it (through the API or, by the operator, from a file). Bundled proposals (data/reorganisation)
and reorganisations replayed from the register are never changed here: only by loading the
data again (``councilgraph load``, ``councilgraph proposals from-register``). The check runs
in the transaction that writes, so nothing is written when it refuses.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.auth import require
from api.errors import Forbidden, UserError
from api.types.common import Info
from api.types.reorganisation import Proposal, named_check
from contributions.accounts import Role, User
from loaders.load import council_index_from_db
from loaders.proposal_files import load_proposal_table
from loaders.proposals import Owner, delete_proposal
from loaders.tables import Table

__all__ = ["ReorganisationMutation", "may_change"]

#: Proposals that change only when the data is loaded again, never through the API.
BY_RELOAD = {
    "bundled": "councilgraph load",
    "register": "councilgraph proposals from-register",
}


def may_change(user: User, what: str) -> Owner:
    """The rule for ``user`` replacing or deleting a stored proposal (see the module's text)."""

    def allowed(name: str, origin: str, loaded_by: str) -> None:
        if origin in BY_RELOAD:
            raise Forbidden(
                f"{what}: {name!r} is a {origin} proposal; it changes only when the data is "
                f"loaded again ({BY_RELOAD[origin]})"
            )
        if loaded_by != user.email:
            require(user, Role.EDITOR, f"{what} of {name!r} (another account or a file loaded it)")

    return allowed


@strawberry.input(description="A proposed new council: its name and member councils.")
class ProposedUnitInput:
    name: str = strawberry.field(description="The new council's name.")
    members: list[str] = strawberry.field(description="Member councils: GSS codes or names.")


@strawberry.type(description="What loading a proposal did.")
class LoadProposalPayload:
    proposal: Proposal | None = strawberry.field(
        description="The proposal, checked; null on errors."
    )
    errors: list[str] = strawberry.field(description="Every problem (unit, council, reason).")


@strawberry.type(description="What deleting a proposal did.")
class DeleteProposalPayload:
    name: str = strawberry.field(description="The name asked for.")
    deleted: bool = strawberry.field(description="False when no proposal has that name.")


@strawberry.type
class ReorganisationMutation:
    @strawberry.mutation(
        description="Load a proposed geography (signed-in contributors and up); all or nothing. "
        "Replacing a stored proposal of the same name: its loader, or an editor."
    )
    async def load_proposal(
        self,
        info: Info,
        name: Annotated[str, strawberry.argument(description="The proposal's name.")],
        units: Annotated[
            list[ProposedUnitInput], strawberry.argument(description="Its proposed councils.")
        ],
        status: Annotated[
            str, strawberry.argument(description="decided, rejected or submitted.")
        ] = "submitted",
    ) -> LoadProposalPayload:
        user = require(info.context.user, Role.CONTRIBUTOR, "loadProposal")
        if len(units) > 50 or any(len(u.members) > 100 for u in units):
            raise UserError("loadProposal: at most 50 units of at most 100 councils")
        table = Table(
            ("proposal", "unit", "members", "status"),
            tuple(
                (row, (name, u.name, ";".join(u.members), status))
                for row, u in enumerate(units, start=1)
            ),
        )
        db = info.context.db
        allowed = may_change(user, "loadProposal")
        report = await info.context.run(
            lambda: load_proposal_table(
                db,
                table,
                "loadProposal",
                council_index_from_db(db),
                loaded_by=user.email,
                allowed=allowed,
            )
        )
        if report.errors:
            messages = [
                f"unit {e.row}: {e.problem} ({e.text!r}){'; ' + e.expected if e.expected else ''}"
                for e in report.errors
            ]
            return LoadProposalPayload(proposal=None, errors=messages)
        # The load made a new data version: check the proposal on it, not the request's.
        snapshot = await info.context.run(info.context.snapshots.current)
        check = await info.context.run(lambda: named_check(snapshot, name, None))
        return LoadProposalPayload(
            proposal=Proposal.build(check, snapshot) if check else None, errors=[]
        )

    @strawberry.mutation(
        description="Delete a loaded proposal by its name (signed in): the account that loaded "
        "it, or an editor; bundled proposals change only when the data is loaded again."
    )
    async def delete_proposal(
        self,
        info: Info,
        name: Annotated[str, strawberry.argument(description="The proposal's name (its key).")],
    ) -> DeleteProposalPayload:
        user = require(info.context.user, Role.CONTRIBUTOR, "deleteProposal")
        db = info.context.db
        allowed = may_change(user, "deleteProposal")
        deleted = await info.context.run(lambda: delete_proposal(db, name, allowed=allowed))
        return DeleteProposalPayload(name=name, deleted=deleted)
