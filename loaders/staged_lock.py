"""One staged load at a time: a lock in the graph, held by one run and renewed as it goes.

A staged load cleans every staged node it finds when it starts and publishes every staged
node at its end (``loaders/staged.py``), so two at once would delete and publish each other's
work. The lock is the one ``StagedLoad`` node (unique key, ``graph/schema.py``) naming the run
that holds it. A run renews it in the transaction of each file it writes and at the publish,
so a run that lost it writes nothing more; a lock not renewed for :data:`STALE_AFTER_S` is a
crashed load's, and the next run takes it over (and cleans what that load staged).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from graph.db import Database, Tx
from loaders import queries
from loaders.errors import LoadUsageError

__all__ = ["STALE_AFTER_S", "StagedLoadBusy", "StagedLock"]

#: Seconds without renewal after which a lock is taken to be a crashed load's. A run renews it
#: at every file (seconds apart at national scale), so this is far longer than any gap.
STALE_AFTER_S = 600


class StagedLoadBusy(LoadUsageError):
    """Another staged load holds the lock (or took it over from this one)."""


@dataclass(frozen=True, slots=True)
class StagedLock:
    """The lock as one run holds it."""

    run: str = field(default_factory=lambda: uuid.uuid4().hex)

    def take(self, db: Database) -> None:
        """Take the lock, or say who holds it.

        Raises
        ------
        StagedLoadBusy : another staged load renewed it within :data:`STALE_AFTER_S`.
        """
        row = db.write(queries.TAKE_STAGED_LOCK, {"run": self.run, "staleS": STALE_AFTER_S})[0]
        if not row["taken"]:
            raise StagedLoadBusy(
                f"another staged load is running (started {row['since']} UTC); wait for it to "
                f"end, or, if it crashed, {STALE_AFTER_S // 60} minutes after its last file"
            )

    def renew(self, tx: Tx) -> None:
        """Renew the lock inside ``tx`` (which then holds it until it commits).

        Raises
        ------
        StagedLoadBusy : the lock is no longer this run's; ``tx`` is rolled back.
        """
        if not tx.run(queries.RENEW_STAGED_LOCK, {"run": self.run})[0]["held"]:
            raise StagedLoadBusy(
                "another staged load took over this one's lock (this one was silent for "
                f"{STALE_AFTER_S // 60} minutes); nothing of this load was published"
            )

    def holds(self, db: Database) -> bool:
        """Whether this run still holds the lock (renewing it): what it staged may then be
        cleaned; once another run took it over, what is staged is that run's."""
        return bool(db.write(queries.RENEW_STAGED_LOCK, {"run": self.run})[0]["held"])

    def release(self, db: Database) -> None:
        """Give the lock up (nothing happens if it is no longer this run's)."""
        db.write(queries.RELEASE_STAGED_LOCK, {"run": self.run})
