"""What an export holds: the views' selection (year, services, status, region), read in batches.

An export with a ``year`` contains exactly what the views show for the same query parameters:
:func:`visualisation.graphs.select` applied to the year's :class:`~visualisation.model.ViewData`
(the rules of time are those of ``graph.rules``, through ``graph.repository``). An export with
no year is the whole data ("all years"): every listed partnership, filtered by its own status,
services and listed members' regions; the time-aware formats (GEXF, GraphML) then carry the
years in which each node and edge counts, from the same per-year selections.

The exporters read partnerships' listed facts in batches of :data:`BATCH_SIZE`
(``graph.repository.partnerships_by_ids``), so memory stays bounded by a batch plus the ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph import repository, rules
from graph.db import Database
from visualisation.graphs import Selection, select
from visualisation.model import ACTIVE_STATUSES, ViewData
from visualisation.options import ViewOptions, ViewOptionsError

__all__ = [
    "BATCH_SIZE",
    "ExportOptions",
    "ExportOptionsError",
    "ExportSource",
    "listed_partnerships",
    "spans",
]

BATCH_SIZE = 500
"""Partnerships read per round trip while an export streams."""

#: Query parameters of the views that only change how a page draws: ignored by exports, so a
#: view's own query string is a valid export selection.
_DISPLAY_ONLY = frozenset({"two_mode", "physics"})
_PARAMETERS = ("year", "service", "status", "region", "lines")


class ExportOptionsError(ViewOptionsError):
    """A selection parameter an export cannot use; the message says what is allowed."""


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """The selection of an export.

    Attributes
    ----------
    year : the year (the views' selection for it); None: all years.
    services : a partnership is kept when it covers any of them (empty: all).
    status : as the views' (``active``, the default with a year, ``operational``, ``ended``,
        ``in_development``, ``abandoned``); with no year, None (the default) keeps every
        status and ``active`` keeps those that can be active (operational, ended).
    region : an English region: partnerships with a member there (and, in a year, the
        councils the view shows: those in the region and their partners).
    lines : GeoJSON only: add the partnerships as lines from their hub to each member.
    """

    year: int | None = None
    services: tuple[str, ...] = ()
    status: str | None = None
    region: str | None = None
    lines: bool = False

    def __post_init__(self) -> None:
        try:
            view = ViewOptions(
                year=self.year,
                services=self.services,
                status=self.status or "active",
                region=self.region,
            )
        except ViewOptionsError as error:
            raise ExportOptionsError(str(error)) from None
        object.__setattr__(self, "services", view.services)
        object.__setattr__(self, "region", view.region)
        if self.status is not None:
            object.__setattr__(self, "status", view.status)

    @classmethod
    def from_query(cls, params: Any) -> ExportOptions:
        """Parse query parameters (the views' names; ``two_mode``/``physics`` are ignored).

        Raises
        ------
        ExportOptionsError : an unknown parameter or a bad value, saying what is allowed.
        """
        kept: list[tuple[str, str]] = []
        lines = "false"
        items = params.multi_items() if hasattr(params, "multi_items") else list(params)
        for key, value in items:
            if key in _DISPLAY_ONLY:
                continue
            if key == "lines":
                lines = value
                continue
            if key not in _PARAMETERS:
                raise ExportOptionsError(
                    f"unknown parameter {key!r}. Valid: {', '.join(_PARAMETERS)}."
                )
            if key == "status" and value.strip().lower() in {"", "all", "any"}:
                continue
            kept.append((key, value))
        try:
            view = ViewOptions.from_query(kept)
        except ViewOptionsError as error:
            raise ExportOptionsError(str(error)) from None
        status = dict(kept).get("status")
        return cls(
            year=view.year,
            services=view.services,
            status=view.status if status is not None else None,
            region=view.region,
            lines=lines.strip().lower() in {"1", "true", "yes", "on"},
        )

    def view_options(self, year: int | None = None) -> ViewOptions:
        """The views' options for ``year`` (default: this selection's year)."""
        return ViewOptions(
            year=self.year if year is None else year,
            services=self.services,
            status=self.status or "active",
            region=self.region,
        )

    def to_query(self) -> list[tuple[str, str]]:
        """Query parameters that :meth:`from_query` turns back into these options."""
        items = [("year", str(self.year))] if self.year is not None else []
        items += [("service", code) for code in self.services]
        if self.status is not None:
            items.append(("status", self.status))
        if self.region is not None:
            items.append(("region", self.region))
        if self.lines:
            items.append(("lines", "true"))
        return items

    def describe(self) -> dict[str, object]:
        """The selection as plain data (written into JSON and GeoJSON exports)."""
        return {
            "year": self.year,
            "services": list(self.services),
            "status": self.status or ("active" if self.year is not None else "all"),
            "region": self.region,
        }

    def keeps(self, partnership: repository.Partnership, regions: Mapping[str, str | None]) -> bool:
        """All years: whether a listed partnership is in the selection (its own status,
        services, and the regions of its listed members)."""
        if self.services and not set(self.services) & set(partnership.services):
            return False
        if self.status == "active" and partnership.status not in ACTIVE_STATUSES:
            return False
        if self.status not in {None, "active"} and partnership.status != self.status:
            return False
        return self.region is None or any(
            regions.get(m.code) == self.region for m in partnership.members
        )


def listed_partnerships(
    db: Database, ids: Sequence[str], *, batch_size: int = BATCH_SIZE
) -> Iterator[repository.Partnership]:
    """The partnerships ``ids`` in that order, read ``batch_size`` at a time."""
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        facts = repository.partnerships_by_ids(db, chunk)
        yield from (facts[i] for i in chunk if i in facts)


@dataclass
class ExportSource:
    """Where exports read: the graph, and the views' year data (the API passes its shared
    ``ViewDataSource``; the CLI reads it directly)."""

    db: Database
    view_data: Callable[[int], ViewData] | None = None
    _councils: list[repository.Council] | None = field(default=None, repr=False)
    _years: dict[int, ViewData] = field(default_factory=dict, repr=False)

    def year_data(self, year: int, *, shared: bool = True) -> ViewData:
        """The views' data for ``year``: from the views' cache when ``shared`` and one is
        given, else read once per export (without the views' outlines, which exports do not
        use). All-years exports read their own, so that 18 years do not push the years people
        are looking at out of the views' small cache."""
        if shared and self.view_data is not None:
            return self.view_data(year)
        if year not in self._years:
            from visualisation.data import read_view_data

            self._years[year] = read_view_data(self.db, year, outlines=False)
        return self._years[year]

    def selection(self, options: ExportOptions, year: int | None = None) -> Selection:
        """The views' selection for ``year`` (default: the options' year)."""
        chosen = options.year if year is None else year
        if chosen is None:
            raise ValueError("a selection needs a year")
        data = self.year_data(chosen, shared=options.year is not None)
        return select(data, options.view_options(chosen))

    def councils(self) -> list[repository.Council]:
        """Every council (current and abolished), read once per export."""
        if self._councils is None:
            self._councils = repository.all_councils(self.db)
        return self._councils

    def partnership_ids(self, options: ExportOptions) -> list[str]:
        """The ids of the selected partnerships, ordered by name."""
        if options.year is not None:
            return [p.id for p in self.selection(options).partnerships]
        ids = repository.all_partnership_ids(self.db)
        if not (options.services or options.status or options.region):
            return ids
        regions = {c.code: c.region for c in self.councils()}
        return [p.id for p in listed_partnerships(self.db, ids) if options.keeps(p, regions)]

    def partnerships(self, options: ExportOptions) -> Iterator[repository.Partnership]:
        """The selected partnerships' listed facts, streamed in batches."""
        return listed_partnerships(self.db, self.partnership_ids(options))

    def years(self) -> range:
        """Every year an all-years export covers (``graph.rules``)."""
        return range(rules.FIRST_YEAR, rules.current_year() + 1)


def spans(years: Iterable[int]) -> list[tuple[int, int]]:
    """Runs of consecutive years: [2011, 2012, 2014] -> [(2011, 2012), (2014, 2014)]."""
    runs: list[tuple[int, int]] = []
    for year in sorted(set(years)):
        if runs and runs[-1][1] == year - 1:
            runs[-1] = (runs[-1][0], year)
        else:
            runs.append((year, year))
    return runs
