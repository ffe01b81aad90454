"""View options, parsed from query parameters (``?year=2012&service=legal&service=ict``).

The same names serve the API's ``/views/...`` routes, the CLI's flags and the
filter form on every page, so a page's URL is a shareable description of it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from graph import rules
from graph.errors import CouncilGraphError
from visualisation.model import REGIONS, SERVICE_CODES

__all__ = ["STATUS_CHOICES", "ViewKind", "ViewOptions", "ViewOptionsError", "status_filter"]

ViewKind = Literal["network", "map", "council"]
"""Which view: chosen once (by the route or the command) and passed down."""

STATUS_CHOICES: tuple[str, ...] = (
    "active",
    "operational",
    "ended",
    "in_development",
    "abandoned",
    "all",
)
"""``active`` (the default): operational or ended and active in the year (data README).
``operational``/``ended``: that status and active in the year. ``in_development``/
``abandoned``: that status (never active, so the year only decides the members).
``all``: every partnership with members in the year, whatever its status (each status
drawn in its own style)."""

_STATUS_FILTERS: Mapping[str, tuple[tuple[str, ...], bool]] = {
    "active": (rules.ACTIVE_STATUSES, True),
    "operational": (("operational",), True),
    "ended": (("ended",), True),
    "in_development": (("in_development",), False),
    "abandoned": (("abandoned",), False),
    "all": (rules.STATUSES, False),
}


def status_filter(status: str) -> tuple[tuple[str, ...], bool]:
    """What a :data:`STATUS_CHOICES` value keeps: (the partnership statuses, whether only
    those active in the year). The one home of its meaning: the views' Cypher read
    (``graph.repository.view_partnerships``) and their selection (``graphs.select``) use it."""
    return _STATUS_FILTERS[status]


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})
_PARAMETERS = ("year", "service", "status", "region", "two_mode", "physics", "hubs")


class ViewOptionsError(CouncilGraphError, ValueError):
    """A query parameter has a value the views cannot use; the message says what is allowed."""


def _closest(value: str, choices: Sequence[str]) -> str:
    match = difflib.get_close_matches(value, choices, n=1, cutoff=0.5)
    return f" Did you mean {match[0]!r}?" if match else ""


def _one(name: str, values: list[str]) -> str:
    if len(values) > 1:
        raise ViewOptionsError(f"{name!r} was given {len(values)} times; give it once.")
    return values[0].strip()


def _year_number(raw: str) -> int | None:
    if raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise ViewOptionsError(f"year must be a whole number such as 2012, not {raw!r}.") from None


def _parse_services(values: Iterable[str]) -> tuple[str, ...]:
    chosen: list[str] = []
    for value in values:
        for part in value.split(","):
            code = part.strip().lower().replace("-", "_")
            if not code:
                continue
            if code not in SERVICE_CODES:
                raise ViewOptionsError(
                    f"service {part.strip()!r} is not one of the {len(SERVICE_CODES)} "
                    "service layers."
                    f"{_closest(code, SERVICE_CODES)} Valid: {', '.join(SERVICE_CODES)}."
                )
            if code not in chosen:
                chosen.append(code)
    return tuple(chosen)


def _parse_status(raw: str) -> str:
    status = raw.lower().replace("-", "_").replace(" ", "_") or "active"
    if status not in STATUS_CHOICES:
        raise ViewOptionsError(
            f"status {raw!r} is not allowed.{_closest(status, STATUS_CHOICES)}"
            f" Valid: {', '.join(STATUS_CHOICES)}."
        )
    return status


def _parse_region(raw: str) -> str | None:
    if raw == "" or raw.lower() in {"all", "england"}:
        return None
    by_key = {region.lower(): region for region in REGIONS}
    region = by_key.get(" ".join(raw.lower().replace("_", " ").split()))
    if region is None:
        raise ViewOptionsError(
            f"region {raw!r} is not an English region.{_closest(raw.title(), REGIONS)}"
            f" Valid: {', '.join(REGIONS)}."
        )
    return region


def _parse_flag(name: str, raw: str) -> bool:
    value = raw.lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ViewOptionsError(f"{name} must be true or false (or 1/0, on/off), not {raw!r}.")


def _items(params: Any) -> list[tuple[str, str]]:
    """Flatten Starlette QueryParams, a mapping (values may be lists) or (key, value) pairs."""
    if hasattr(params, "multi_items"):
        return [(str(k), str(v)) for k, v in params.multi_items()]
    if isinstance(params, Mapping):
        items: list[tuple[str, str]] = []
        for key, value in params.items():
            if isinstance(value, str | int | bool):
                items.append((str(key), str(value)))
            else:
                items.extend((str(key), str(v)) for v in value)
        return items
    return [(str(k), str(v)) for k, v in params]


@dataclass(frozen=True, slots=True)
class ViewOptions:
    """What a view shows.

    Attributes
    ----------
    year : the year to show; None means the data's (latest/current) year.
    services : service-layer codes; a partnership is shown when it covers any
        of them. Empty: every partnership, including those with no service.
    status : one of :data:`STATUS_CHOICES` (default ``active``).
    region : an English region; the view keeps the councils in it and, faded,
        their partners elsewhere. None: all of England.
    two_mode : network view only: partnerships drawn as nodes of their own.
    physics : start with vis-network's physics simulation on (off: the
        precomputed layout stays put; the page has a toggle either way).
    hubs : draw a partnership of :data:`~visualisation.graphs.HUB_MIN_MEMBERS` or more
        members as a hub (a small square linked to each member) instead of a line
        between every pair of members (False: the old every-pair drawing).
    """

    year: int | None = None
    services: tuple[str, ...] = field(default=())
    status: str = "active"
    region: str | None = None
    two_mode: bool = False
    physics: bool = False
    hubs: bool = True

    def __post_init__(self) -> None:
        # Built by hand (CLI, notebook) rather than parsed: validate and normalise the
        # same way, so ViewOptions(services=("LEGAL",)) equals the parsed form.
        object.__setattr__(self, "services", _parse_services(self.services))
        object.__setattr__(self, "status", _parse_status(self.status))
        if self.region is not None:
            object.__setattr__(self, "region", _parse_region(self.region))
        if self.year is not None:
            try:
                rules.check_year(self.year)
            except rules.YearOutOfRange as error:
                raise ViewOptionsError(f"{error}.") from None

    @classmethod
    def from_query(cls, params: Any) -> ViewOptions:
        """Parse query parameters into options.

        Parameters
        ----------
        params
            Starlette ``QueryParams``, a mapping of names to a value or a list
            of values, or an iterable of ``(name, value)`` pairs. ``service``
            may repeat or hold comma-separated codes; flags take
            true/false/1/0/on/off.

        Raises
        ------
        ViewOptionsError
            For an unknown parameter or a bad value, saying what is allowed and
            the closest valid value.
        """
        grouped: dict[str, list[str]] = {}
        for key, value in _items(params):
            if key not in _PARAMETERS:
                raise ViewOptionsError(
                    f"unknown parameter {key!r}.{_closest(key, _PARAMETERS)}"
                    f" Valid: {', '.join(_PARAMETERS)}."
                )
            grouped.setdefault(key, []).append(value)

        def single(name: str) -> str:
            return _one(name, grouped[name]) if name in grouped else ""

        # Each value is parsed once, by __post_init__ (as for options built by hand).
        return cls(
            year=_year_number(single("year")),
            services=tuple(grouped.get("service", [])),
            status=single("status"),
            region=single("region") or None,
            two_mode=_parse_flag("two_mode", single("two_mode")),
            physics=_parse_flag("physics", single("physics")),
            hubs=_parse_flag("hubs", single("hubs") or "true"),
        )

    @property
    def one_service(self) -> str | None:
        """The service layer when exactly one is chosen (peers are then found for it)."""
        return self.services[0] if len(self.services) == 1 else None

    def to_query(self) -> list[tuple[str, str]]:
        """The query parameters that :meth:`from_query` turns back into these options."""
        items: list[tuple[str, str]] = []
        if self.year is not None:
            items.append(("year", str(self.year)))
        items.extend(("service", code) for code in self.services)
        if self.status != "active":
            items.append(("status", self.status))
        if self.region is not None:
            items.append(("region", self.region))
        if self.two_mode:
            items.append(("two_mode", "true"))
        if self.physics:
            items.append(("physics", "true"))
        if not self.hubs:
            items.append(("hubs", "false"))
        return items
