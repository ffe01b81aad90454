"""One immutable snapshot of the graph per data version, shared by the API, the analysis, the
views and the CLI.

Every change to the data (a load, an accepted submission) bumps the graph's ``DataVersion``
in the same transaction, so what was read at one version stays true until the version moves.
A :class:`Snapshot` holds what does not depend on the year (every council, its links, every
partnership, the LGA's editions), read once, and remembers what does (the effective
memberships of a year, computed from those by the rules of time with no read of their own,
``graph.memberships``; the network analysis; anything a caller derives from them, e.g. a view's
data) the first time it is asked for. :class:`Snapshots` hands out the snapshot of the current
version; any process or host sees a change on its next request, with nothing to invalidate by
hand.

Thread-safe: a value is computed once even when several threads ask for it at the same moment
(the others wait for it), and the memo is bounded (least recently used values go).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Mapping
from types import MappingProxyType
from typing import Any, LiteralString, TypeVar

from graph import bulk, rules
from graph import repository as repo
from graph.analysis import (
    DEFAULT_WEIGHTS,
    CouncilAttrs,
    Membership,
    Neighbour,
    NetworkAnalysis,
    PeerSearch,
    PeerWeights,
    analyse_network,
    border_pairs,
    council_attrs,
    find_peers,
    nearest_neighbours,
)
from graph.db import Database, Tx
from graph.errors import CouncilGraphError
from graph.memberships import MembershipIndex
from graph.memo import Memo
from graph.settings import SettingsError

__all__ = [
    "WARM_EVERY_ENV",
    "Snapshot",
    "Snapshots",
    "analysis_key",
    "plan_statements",
    "warm_every_s",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds Neo4j allows the snapshot's partnership read: it is shared by every request of the
#: version (a request that gives up leaves it to finish for the next), so it is not held to one
#: request's statement timeout; at 100x the bundled data it takes seconds (bench/results/scale.md).
READ_TIMEOUT_S = 300.0

#: Values a snapshot remembers (years x services x kinds); least recently used go first.
MEMO_SIZE = 256


def analysis_key(year: int, service: str | None) -> Hashable:
    """Where a snapshot remembers a year's network analysis (for the current year, as all it
    remembers: :meth:`Snapshot.remember`)."""
    return ("analysis", year, service)


class Snapshot:
    """The graph at one data version: the year-independent facts, and per-year answers."""

    def __init__(
        self,
        db: Database,
        version: int,
        *,
        councils: tuple[repo.Council, ...],
        links: Mapping[str, repo.CouncilLinks],
        partnerships: Mapping[str, repo.Partnership],
        lga_editions: tuple[repo.LgaEdition, ...],
    ) -> None:
        self.db = db
        self.version = version
        self.councils = councils
        by_code = {c.code: c for c in councils}
        for council in councils:
            for former in council.former_codes:
                by_code.setdefault(former, council)
        self.councils_by_code: Mapping[str, repo.Council] = MappingProxyType(by_code)
        self.links: Mapping[str, repo.CouncilLinks] = MappingProxyType(dict(links))
        self.borders: tuple[tuple[str, str], ...] = border_pairs(self.links)
        self.partnerships: Mapping[str, repo.Partnership] = MappingProxyType(dict(partnerships))
        self.lga_editions = lga_editions
        listed: dict[str, list[str]] = {}
        for p in sorted(self.partnerships.values(), key=lambda p: (p.name, p.id)):
            for member in p.members:
                listed.setdefault(member.code, []).append(p.id)
        #: The partnerships each council is listed in (any status, any year), by name.
        self.listed: Mapping[str, tuple[str, ...]] = MappingProxyType(
            {code: tuple(ids) for code, ids in listed.items()}
        )
        self._memo = Memo(MEMO_SIZE)
        self._index: tuple[int, MembershipIndex] | None = None  # with its current year
        self._index_lock = threading.Lock()

    @classmethod
    def read(cls, db: Database, version: int) -> Snapshot:
        """Read the year-independent facts (four statements) for ``version``."""
        councils = tuple(repo.all_councils(db))
        return cls(
            db,
            version,
            councils=councils,
            links=repo.council_links(db, [c.code for c in councils]),
            partnerships=bulk.all_partnerships(db, timeout=READ_TIMEOUT_S),
            lga_editions=tuple(repo.lga_editions(db)),
        )

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once for this snapshot and current year, then the same value (threads
        share the work). Every value is kept under the current year as well as ``key``: an
        undated partnership is placed in the current year, so on New Year's Day any answer may
        change with the data version unchanged."""
        return self._memo.get((rules.current_year(), key), compute)

    def remembered(self, key: Hashable) -> tuple[bool, Any]:
        """``(True, value)`` if ``key`` is remembered already for the current year, else
        ``(False, None)``: lets an event loop answer from memory without a hop to a worker
        thread."""
        return self._memo.peek((rules.current_year(), key))

    def memberships(self, year: int, service: str | None = None) -> tuple[repo.Membership, ...]:
        """Effective memberships of the partnerships active in ``year`` (in ``service``),
        computed from the snapshot's partnerships and councils by the rules of time, with no
        read (``graph.memberships``: the rows of ``repository.EFFECTIVE_MEMBERSHIPS``)."""
        current = rules.current_year()  # read once: the key's and the index's year
        return self._memo.get(
            (current, ("memberships", year, service)),
            lambda: self.membership_index(current).year(year, service),
        )

    def membership_index(self, current: int | None = None) -> MembershipIndex:
        """What every year's memberships share (``graph.memberships``), prepared once per
        current year (default: this one; an undated partnership is placed in it). Held beside
        the memo, not in it: the rows it has built are shared by every year, so it is not
        dropped for them."""
        current = rules.current_year() if current is None else current
        held = self._index
        if held is None or held[0] != current:
            with self._index_lock:  # one builder; the others then find it built
                held = self._index
                if held is None or held[0] != current:
                    held = (
                        current,
                        MembershipIndex(
                            self.partnerships.values(),
                            self.councils_by_code,
                            self.links,
                            current=current,
                        ),
                    )
                    self._index = held
        return held[1]

    def analysis_rows(self, year: int, service: str | None = None) -> tuple[Membership, ...]:
        """The year's memberships as the analysis takes them (with what reasons need)."""

        def rows() -> tuple[Membership, ...]:
            return tuple(
                Membership(
                    m.partnership_id,
                    m.code,
                    m.services,
                    m.start_year,
                    m.start_basis,
                    m.partnership_name,
                    rules.not_confirmed_since(m.status, m.last_evidence_year, year),
                )
                for m in self.memberships(year, service)
            )

        return self.remember(("analysis_rows", year, service), rows)

    def council_attrs(self, year: int) -> dict[str, CouncilAttrs]:
        """Attributes of the councils that exist in ``year``, for the analysis."""
        return self.remember(
            ("council_attrs", year), lambda: council_attrs(self.councils, year=year)
        )

    def analysis(self, year: int, service: str | None = None) -> NetworkAnalysis:
        """All measures of the year's network (optionally one service layer)."""
        return self.remember(
            analysis_key(year, service),
            lambda: analyse_network(
                self.analysis_rows(year, service),
                self.council_attrs(year),
                self.borders,
                service=service,
            ),
        )

    def peers(
        self,
        code: str,
        year: int,
        service: str | None = None,
        *,
        limit: int = 10,
        weights: PeerWeights = DEFAULT_WEIGHTS,
    ) -> PeerSearch:
        """Councils ``code`` could learn from (active sharers, most similar and nearest first)."""
        return find_peers(
            code,
            self.analysis_rows(year, service),
            self.council_attrs(year),
            service=service,
            weights=weights,
            limit=limit,
            borders=self.borders,
        )

    def neighbours(self, code: str, year: int, *, k: int = 10) -> tuple[Neighbour, ...]:
        """Statistical nearest neighbours of ``code``, regardless of sharing."""
        return nearest_neighbours(code, self.council_attrs(year), k)


# The statements a first request of a data version runs besides the snapshot's own, EXPLAINed
# once by the warm-up so Neo4j has their plans (~0.1 s each to plan; docs/performance.md):
# with parameters of the types requests send, since the plan cache keys on them.
PLANNED: tuple[tuple[LiteralString, dict[str, Any]], ...] = (
    (
        repo.VIEW_PARTNERSHIPS,
        {"year": 2000, "services": [""], "statuses": ["active"], "activeOnly": True,
         "region": None, "currentYear": 2000},
    ),
    (repo.TEXT_SEARCH, {"query": "", "kinds": ["council"], "limit": 1}),
    (repo.COUNCILS_BY_ALIAS_KEY, {"key": ""}),
)  # fmt: skip


def plan_statements(db: Database) -> None:
    """Have Neo4j plan the hot statements (``PLANNED``) without running them: one read
    transaction of EXPLAINs."""

    def explain(tx: Tx) -> None:
        for statement, parameters in PLANNED:
            tx.run("EXPLAIN " + statement, parameters)

    db.read_transaction(explain)


#: Seconds between a worker's checks for a new data version to warm (:meth:`Snapshots.watch`);
#: 0 or ``off``: no background warming (the default of ``create_app``, so tests see none;
#: ``councilgraph serve`` sets 5).
WARM_EVERY_ENV = "COUNCILGRAPH_WARM_EVERY_S"


def warm_every_s(environ: Mapping[str, str]) -> float:
    """The warm-up interval ``environ`` sets (``WARM_EVERY_ENV``); 0 when off or unset."""
    value = environ.get(WARM_EVERY_ENV, "0").strip().lower()
    if value in ("", "0", "off"):
        return 0.0
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0.0 < seconds < 3600.0:
        raise SettingsError(
            f"{WARM_EVERY_ENV}={value!r}: expected seconds between warm-up checks "
            "(more than 0, under 3600, e.g. 5) or 'off'"
        )
    return seconds


class Snapshots:
    """The snapshot of the current data version, for one database; one per process.

    A request that is first to see a new data version reads the snapshot itself (at national
    scale, seconds). :meth:`warm` does that work ahead of requests, and :meth:`watch` runs it
    in a background thread every few seconds, so each worker process warms itself when a load
    or an accepted submission moves the version (``COUNCILGRAPH_WARM_EVERY_S``, api/app.py).
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._latest: Snapshot | None = None
        self._warmed: int | None = None
        #: How many times :meth:`warm` found a new version and built it (for tests and logs).
        self.warmings = 0

    def current(self) -> Snapshot:
        """The snapshot of the version the graph holds now (one small read to learn it)."""
        return self.at(repo.data_version(self.db))

    def at(self, version: int) -> Snapshot:
        """The snapshot of ``version`` (built once; only the latest is kept)."""
        latest = self._latest
        if latest is not None and latest.version == version:
            return latest
        with self._lock:  # one builder at a time; the others then find it built
            latest = self._latest
            if latest is None or latest.version != version:
                latest = Snapshot.read(self.db, version)
                self._latest = latest
            return latest

    def warm(self) -> Snapshot:
        """Make the current data version ready before a request asks: its snapshot, this
        year's effective memberships and the hot statements' plans. One small read when the
        version has not moved since the last warm-up."""
        version = repo.data_version(self.db)
        snapshot = self.at(version)
        if self._warmed != version:
            snapshot.memberships(rules.current_year())
            plan_statements(self.db)
            self._warmed = version
            self.warmings += 1
        return snapshot

    def watch(self, every_s: float) -> Callable[[], None]:
        """Warm (:meth:`warm`) now and then every ``every_s`` seconds in a daemon thread;
        returns the function that stops it. A failed warm-up (Neo4j away) is logged and
        tried again on the next tick: requests then read for themselves, as without it."""
        stop = threading.Event()

        def loop() -> None:
            while not stop.is_set():
                try:
                    self.warm()
                except CouncilGraphError as error:  # e.g. Neo4j away: its one-line message
                    log.warning("warming the snapshot: %s", error)
                except Exception as error:  # the next tick tries again; requests still work
                    log.warning("warming the snapshot: %r", error)
                stop.wait(every_s)

        thread = threading.Thread(target=loop, name="snapshot-warmer", daemon=True)
        thread.start()

        def stop_watching() -> None:
            stop.set()
            thread.join(timeout=every_s + 1.0)  # a warm-up under way may finish first

        return stop_watching
