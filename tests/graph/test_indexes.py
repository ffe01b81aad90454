"""Every keyed lookup and write seeks an index (docs/performance.md, Indexes): EXPLAIN plans
of the statements that find nodes by a key contain no label or all-nodes scan."""

from __future__ import annotations

from typing import Any, LiteralString

import pytest

from contributions import accounts
from contributions import queries as contributions
from graph import audit, reorganisation, repository, schema
from graph.db import Database
from loaders import proposals
from loaders import queries as loaders

SCANS = {"AllNodesScan", "NodeByLabelScan", "NodeIndexScan", "NodeIndexContainsScan"}

#: Statements that find their nodes by key: each must seek.
KEYED: dict[str, LiteralString] = {
    "repository.COUNCIL_LINKS": repository.COUNCIL_LINKS,
    "repository.PARTNERSHIPS_BY_IDS": repository.PARTNERSHIPS_BY_IDS,
    "repository.EFFECTIVE_MEMBERSHIPS": repository.EFFECTIVE_MEMBERSHIPS,
    "reorganisation.PREDECESSOR_MEMBERSHIPS": reorganisation.PREDECESSOR_MEMBERSHIPS,
    "proposals.PROPOSAL_OWNERS": proposals.PROPOSAL_OWNERS,
    "proposals.DELETE_PROPOSALS": proposals.DELETE_PROPOSALS,
    "proposals.DELETE_ONE": proposals.DELETE_ONE,
    "schema.DATA_VERSION": schema.DATA_VERSION,
    "schema.BUMP_DATA_VERSION": schema.BUMP_DATA_VERSION,
    **{
        f"loaders.{name}": getattr(loaders, name)
        for name in (
            "WRITE_REFERENCE",
            "WRITE_PARTNERSHIPS",
            "STAGE_PARTNERSHIPS",
            "READ_PARTNERSHIPS",
            "RECORD_LOADED_FILES",
            "TAKE_STAGED_LOCK",
            "RENEW_STAGED_LOCK",
            "RELEASE_STAGED_LOCK",
        )
    },
    "contributions.SUBMISSION_BY_ID": contributions.SUBMISSION_BY_ID,
    "contributions.SUBMISSIONS_BY": contributions.SUBMISSIONS_BY,
    "contributions.LOCK_SUBMISSION": contributions.LOCK_SUBMISSION,
    "contributions.CLAIM_SUBMISSION": contributions.CLAIM_SUBMISSION,
    "contributions.MERGE_CONTACTS": contributions.MERGE_CONTACTS,
    "contributions.CONTACTS_FOR": contributions.CONTACTS_FOR,
    "contributions.DELETE_CONTACTS_BY_EMAIL": contributions.DELETE_CONTACTS_BY_EMAIL,
    "contributions.PARTNERSHIP_NAME": contributions.PARTNERSHIP_NAME,
    "accounts.USER_BY_EMAIL": accounts.USER_BY_EMAIL,
    "accounts.USER_BY_PUBLIC_ID": accounts.USER_BY_PUBLIC_ID,
    "accounts.UPSERT_USER": accounts.UPSERT_USER,
    "accounts.REVOKE_USER": accounts.REVOKE_USER,
    "audit.AUDIT_HISTORY": audit.AUDIT_HISTORY,
    "audit.ACCEPTED_EDITS": audit.ACCEPTED_EDITS,
}


def operators(plan: Any) -> list[str]:
    """The operator names of a plan, its children's included (without the runtime suffix)."""
    found = [str(plan["operatorType"]).split("@")[0]]
    for child in plan.get("children", []):
        found += operators(child)
    return found


def explain(db: Database, statement: LiteralString) -> list[str]:
    with db.driver.session(database=db.name) as session:
        summary = session.run("EXPLAIN " + statement).consume()
    return operators(summary.plan)


@pytest.mark.parametrize("name", sorted(KEYED))
def test_a_keyed_statement_seeks_an_index(name: str, loaded_db: Database) -> None:
    plan = explain(loaded_db, KEYED[name])
    assert not SCANS & {op.split("(")[0] for op in plan}, plan
    assert any("Seek" in op for op in plan), plan


def test_the_check_sees_a_scan(loaded_db: Database) -> None:
    # The same lookup by a property that has no index: the check must catch it.
    plan = explain(loaded_db, "MATCH (c:Council {officialName: $name}) RETURN c.code")
    assert "NodeByLabelScan" in plan


def test_ensure_schema_creates_what_is_missing_and_reads_once_when_all_is_there(
    loaded_db: Database,
) -> None:
    loaded_db.write("DROP INDEX submission_submitted_by IF EXISTS")
    names = {schema.schema_name(s) for s in schema.SCHEMA_STATEMENTS}
    assert "submission_submitted_by" not in set(loaded_db.read(schema.SCHEMA_NAMES)[0]["names"])
    schema.ensure_schema(loaded_db)
    assert names <= set(loaded_db.read(schema.SCHEMA_NAMES)[0]["names"])
    before = loaded_db.round_trips
    schema.ensure_schema(loaded_db)
    assert loaded_db.round_trips - before == 2  # what exists, and the data version's node
