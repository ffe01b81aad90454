"""Era-aware council matching: a GSS code (current or former) or any alias, in a given year.

A 2012 row naming "Dorset" means Dorset County Council; a 2021 row, Dorset Council. In a
reorganisation year both exist, and the data README says the old council keeps its
memberships that year, so the old one is chosen. Anything still unresolved is an error that
offers the closest real councils (difflib over every alias).
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from graph.names import GSS_CODE, normalise
from graph.rules import exists_in

__all__ = ["GSS_CODE", "CouncilIndex", "CouncilRef", "Match", "exists_in"]


@dataclass(frozen=True, slots=True)
class CouncilRef:
    """What matching needs to know about a council (a view of a Council node or record)."""

    code: str
    name: str
    alias_keys: tuple[str, ...]
    former_codes: tuple[str, ...]
    valid_from: date
    valid_to: date | None
    replaced_by: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    def exists_in(self, year: int) -> bool:
        """The data README's existence rule."""
        return exists_in(self.valid_from, self.valid_to, year)

    def label(self) -> str:
        """How a council is shown in an error: "Dorset County (E10000009, 1974-2019)"."""
        until = "" if self.valid_to is None else str(self.valid_to.year)
        return f"{self.name} ({self.code}, {self.valid_from.year}-{until})"


#: Answers a :class:`CouncilIndex` remembers at most.
MEMO_SIZE = 100_000


@dataclass(frozen=True, slots=True)
class Match:
    """The outcome of matching one piece of text to a council."""

    council: CouncilRef | None
    problem: str = ""  # "" when matched; else "unknown" or "ambiguous"
    candidates: tuple[CouncilRef, ...] = ()  # ambiguous: the councils it could be
    suggestions: tuple[CouncilRef, ...] = ()  # unknown: the closest real councils


def _exact(text: str) -> str:
    return " ".join(text.lower().split())


class CouncilIndex:
    """Look councils up by code or alias, era-aware, with suggestions for near misses."""

    def __init__(self, councils: Iterable[CouncilRef]) -> None:
        self._by_code: dict[str, CouncilRef] = {}
        self._by_key: dict[str, list[CouncilRef]] = defaultdict(list)
        self._by_exact: dict[str, list[CouncilRef]] = defaultdict(list)
        for council in councils:
            self._by_code[council.code] = council
            for key in council.alias_keys:
                self._by_key[key].append(council)
            for alias in {_exact(a) for a in (council.name, *council.aliases)}:
                self._by_exact[alias].append(council)
        for council in list(self._by_code.values()):
            for old in council.former_codes:
                self._by_code.setdefault(old, council)
        self._keys = sorted(self._by_key)
        # Answers already given: the index never changes, and a national file names the same
        # councils thousands of times (issue 14). Bounded: cleared when it reaches MEMO_SIZE.
        self._memo: dict[tuple[str, int | None], Match] = {}

    def __len__(self) -> int:
        return len({c.code for c in self._by_code.values()})

    def by_code(self, code: str) -> CouncilRef | None:
        """The council with this current or former GSS code."""
        return self._by_code.get(code.strip().upper())

    def councils(self) -> Mapping[str, CouncilRef]:
        """Every council, by current and former code."""
        return self._by_code

    def match(self, text: str, year: int | None = None) -> Match:
        """Match a code or name, preferring the council that existed in ``year``."""
        found = self._memo.get((text, year))
        if found is None:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            found = self._memo[text, year] = self._match(text, year)
        return found

    def _match(self, text: str, year: int | None) -> Match:
        text = text.strip()
        if GSS_CODE.fullmatch(text.upper()):
            found = self.by_code(text)
            if found is not None:
                return Match(found)
            return Match(None, "unknown", suggestions=self._suggest_code(text))
        # A name written exactly as one council's known alias is that council, even where the
        # normal form is shared: "Dorset Council" is the unitary, though it normalises to
        # "dorset" like Dorset County Council.
        exact = self._by_exact.get(_exact(text), [])
        key = normalise(text)
        candidates = exact or self._by_key.get(key, [])
        if len(candidates) == 1:
            return Match(candidates[0])
        if not candidates:
            return Match(None, "unknown", suggestions=self._suggest(key))
        if year is not None:
            existing = [c for c in candidates if c.exists_in(year)]
            if len(existing) == 1:
                return Match(existing[0])
            if len(existing) > 1:
                oldest = self._predecessor_of_all(existing)
                if oldest is not None:
                    return Match(oldest)
        return Match(None, "ambiguous", candidates=tuple(sorted(candidates, key=lambda c: c.code)))

    @staticmethod
    def _predecessor_of_all(councils: list[CouncilRef]) -> CouncilRef | None:
        """In a reorganisation year the old council keeps the membership (data/README.md)."""
        for council in councils:
            others = {c.code for c in councils if c is not council}
            if others <= set(council.replaced_by):
                return council
        return None

    def _suggest(self, key: str, limit: int = 3) -> tuple[CouncilRef, ...]:
        found: list[CouncilRef] = []
        for close in difflib.get_close_matches(key, self._keys, n=limit * 3, cutoff=0.6):
            for council in self._by_key[close]:
                if council not in found:
                    found.append(council)
        if not found:
            # Nothing close as a whole: try names that contain the text ("Maidstone Borough").
            found = [
                c
                for k in self._keys
                if key and (key in k or k in key) and len(k) > 3
                for c in self._by_key[k]
            ]
        return tuple(dict.fromkeys(found))[:limit]

    def _suggest_code(self, code: str, limit: int = 3) -> tuple[CouncilRef, ...]:
        close = difflib.get_close_matches(code.upper(), list(self._by_code), n=limit, cutoff=0.7)
        return tuple(dict.fromkeys(self._by_code[c] for c in close))
