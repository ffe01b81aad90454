"""The tests' own reading of the bundled CSVs and the register, for reorganisation tests:
counts made here, independently of graph/reorganisation*.py (only graph.rules, the one home of
the rules of time, is shared)."""

from __future__ import annotations

import csv
from datetime import date
from functools import partial

from graph import rules
from tests.support.paths import ROOT

DATA = ROOT / "data"


def rows(path: str) -> list[dict[str, str]]:
    """Rows of a bundled CSV (path relative to data/)."""
    with (DATA / path).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


class Register:
    """The council register as the test reads it: existence and replaced-by, by GSS code."""

    def __init__(self) -> None:
        register = [r for r in rows("councils/uk_local_authorities_future.csv") if r["gss-code"]]
        gss = {r["local-authority-code"]: r["gss-code"] for r in register}
        self.code = {r["gss-code"]: r["gss-code"] for r in register}
        for r in register:
            for old in filter(None, (c.strip() for c in r["former-gss-codes"].split(","))):
                self.code.setdefault(old, r["gss-code"])
        self.start = {
            r["gss-code"]: date.fromisoformat(r["start-date"] or "1900-01-01") for r in register
        }
        self.end = {
            r["gss-code"]: date.fromisoformat(r["end-date"]) if r["end-date"] else None
            for r in register
        }
        self.later = {
            r["gss-code"]: [gss[c] for c in r["replaced-by"].split(",") if c in gss]
            for r in register
        }

    def exists(self, code: str, year: int) -> bool:
        return rules.exists_in(self.start[code], self.end[code], year)

    def descendants(self, code: str) -> set[str]:
        found, frontier = set(), list(self.later[code])
        while frontier:
            current = frontier.pop()
            if current not in found:
                found.add(current)
                frontier.extend(self.later[current])
        return found


def active_members(
    register: Register, year: int, service: str | None = None
) -> dict[str, set[str]]:
    """Each partnership active in ``year`` (optionally in one layer) and its effective members:
    the CSV's rows through the rules of time, member years and succession (graph.rules)."""
    found: dict[str, set[str]] = {}
    for row in rows("partnerships/partnerships_cited.csv"):
        if service is not None and service not in row["service_areas"].split(";"):
            continue
        if row["status"] not in rules.ACTIVE_STATUSES:
            continue
        first_ev, last_ev = rules.evidence_years(row["source_dates"].split(";"))
        span = rules.partnership_span(
            status=row["status"],
            start_year=int(row["start_year"]) if row["start_year"] else None,
            end_year=int(row["end_year"]) if row["end_year"] else None,
            first_evidence=first_ev,
            last_evidence=last_ev,
        )
        if not span.covers(year):
            continue
        own = {m.code: m for m in rules.parse_member_years(row["member_years"])}
        members: set[str] = set()
        for code in (register.code[c] for c in row["council_gss_codes"].split(";")):
            m = own.get(code)
            if m is None or rules.member_covers(m.from_year, m.to_year, year):
                exists = partial(register.exists, year=year)
                members |= rules.stand_ins(code, exists, register.later.__getitem__)
        if len(members) >= 2:
            found[row["id"]] = members
    return found


def management_pairs(register: Register, first: int, last: int) -> set[tuple[str, str]]:
    """Pairs effective members together of an active management partnership in some year."""
    pairs: set[tuple[str, str]] = set()
    for year in range(first, last + 1):
        for members in active_members(register, year, "management").values():
            pairs.update((a, b) for a in members for b in members if a < b)
    return pairs


def classify(
    register: Register, year: int, units: dict[str, set[str]], county: str
) -> dict[str, str]:
    """The test's own placement of each partnership active in ``year`` that has a member in a
    proposal for one county's districts: ``outside`` (a member elsewhere), ``crossing``
    (members in two units, or the county council, which spans them all), else ``inside``."""
    where = {code: name for name, codes in units.items() for code in codes}
    placed: dict[str, str] = {}
    for pid, codes in active_members(register, year).items():
        if not any(c in where or c == county for c in codes):
            continue
        if any(c not in where and c != county for c in codes):
            placed[pid] = "outside"
        elif county in codes or len({where[c] for c in codes}) > 1:
            placed[pid] = "crossing"
        else:
            placed[pid] = "inside"
    return placed
