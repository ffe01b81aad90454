"""``councilgraph proposals``: reorganisation proposals as data (docs/reorganisation.md).

    councilgraph proposals load FILE            a proposed geography (CSV/XLSX), all-or-nothing
    councilgraph proposals check NAME [--year Y] partnerships inside, crossing, outside its units
    councilgraph proposals list                  every proposal, its status and units
    councilgraph proposals delete NAME           remove one
    councilgraph proposals from-register         each past reorganisation as a proposal

Exit codes: 0 ok, 1 data errors or nothing found, 2 usage or connection errors.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from graph import rules
from graph.db import Database
from graph.reorganisation_proposals import (
    Placement,
    ProposalCheck,
    check_proposal,
    default_year,
    find_proposal,
    proposals,
)
from graph.snapshot import Snapshots
from loaders.load import council_index_from_db
from loaders.proposal_files import load_proposal_file
from loaders.proposals import (
    ProposalRefused,
    delete_proposal,
    not_bundled,
    register_proposals,
    write_register_proposals,
)

__all__ = ["add_proposal_commands", "check_lines"]

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2

Handler = Callable[[argparse.Namespace, Database], int]
WithDatabase = Callable[[Handler], Callable[[argparse.Namespace], int]]

WHAT = {
    Placement.INSIDE: "inside one unit (fold in)",
    Placement.CROSSING: "crossing units (need a new agreement)",
    Placement.OUTSIDE: "with members outside the area",
}


def check_lines(check: ProposalCheck, names: dict[str, str]) -> list[str]:
    """A proposal's check as an officer reads it; ``names``: council names by code."""
    p = check.proposal
    lines = [f"{p.title} [{p.status}] — checked against the partnerships active in {check.year}"]
    if p.sources:
        lines.append("sources: " + "; ".join(s.url for s in p.sources))
    for unit in check.units:
        u = unit.unit
        people = f"{u.population:,}" if u.population is not None else "unknown"
        area = f"{unit.area_ha / 100:,.0f} km²" if unit.area_ha is not None else "unknown"
        members = ", ".join(names.get(c, c) for c in u.members)
        split = f"; split: {', '.join(names.get(c, c) for c in u.partial)}" if u.partial else ""
        lines.append(f"* {u.name}: {members}{split}")
        lines.append(f"    population {people} ({u.population_note}); area {area}")
        lines.append(f"    shared across it: {', '.join(unit.layers_across) or 'none'}")
        lines.append(f"    shared by some: {', '.join(unit.layers_partly) or 'none'}")
        lines.append(f"    not shared at all: {', '.join(unit.layers_none) or 'none'}")
    for placement in Placement:
        placed = check.placed(placement)
        lines.append(f"{len(placed)} partnerships {WHAT[placement]}:")
        for item in placed:
            notes = [", ".join(item.units)] if item.units else []
            if item.spanning:
                notes.append("spans units: " + ", ".join(names.get(c, c) for c in item.spanning))
            if item.outside:
                notes.append("outside: " + ", ".join(names.get(c, c) for c in item.outside))
            lines.append(f"  - {item.partnership.name} ({item.years}) — {'; '.join(notes)}")
    if check.unplaced:
        unplaced = ", ".join(names.get(c, c) for c in check.unplaced)
        lines.append(f"incomplete: no unit includes {unplaced} (of the same counties)")
    if check.counties:
        counties = ", ".join(names.get(c, c) for c in check.counties)
        lines.append(
            f"area checked for unplaced councils: the districts of {counties}; "
            "unitary councils the proposal never names are not counted"
        )
    return lines


def run_check(args: argparse.Namespace, db: Database) -> int:
    snapshot = Snapshots(db).current()
    proposal = find_proposal(snapshot, args.name)
    if proposal is None:
        known = ", ".join(p.name for p in proposals(snapshot)[:5])
        print(f"councilgraph proposals check: no proposal {args.name!r} (e.g. {known}; "
              "see `councilgraph proposals list`)", file=sys.stderr)  # fmt: skip
        return EXIT_DATA
    try:
        year = default_year(proposal) if args.year is None else rules.check_year(args.year)
    except rules.YearOutOfRange as error:
        print(f"councilgraph proposals check: {error}", file=sys.stderr)
        return EXIT_USAGE
    names = {c.code: c.name for c in snapshot.councils}
    print("\n".join(check_lines(check_proposal(snapshot, proposal, year), names)))
    return EXIT_OK


def run_list(args: argparse.Namespace, db: Database) -> int:
    for p in proposals(Snapshots(db).current()):
        units = "; ".join(u.name for u in p.units)
        print(f"{p.name}\t{p.status}\t{p.origin}\t{p.title}\t{units}")
    return EXIT_OK


def run_load(args: argparse.Namespace, db: Database) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(f"councilgraph proposals load: no file {args.file}", file=sys.stderr)
        return EXIT_USAGE
    report = load_proposal_file(db, path, council_index_from_db(db), display=args.file)
    for error in report.errors:
        print(error, file=sys.stderr)
    if report.errors:
        print(f"nothing written: {len(report.errors)} errors", file=sys.stderr)
        return EXIT_DATA
    c = report.counts
    print(f"proposals {', '.join(report.names)}: {c.created} created, {c.updated} updated, "
          f"{c.unchanged} unchanged")  # fmt: skip
    return EXIT_OK


def run_delete(args: argparse.Namespace, db: Database) -> int:
    try:
        deleted = delete_proposal(db, args.name, allowed=not_bundled)
    except ProposalRefused as refused:
        print(f"councilgraph proposals delete: {refused}", file=sys.stderr)
        return EXIT_DATA
    if not deleted:
        print(f"councilgraph proposals delete: no proposal {args.name!r}", file=sys.stderr)
        return EXIT_DATA
    print(f"deleted {args.name}")
    return EXIT_OK


def run_from_register(args: argparse.Namespace, db: Database) -> int:
    records = register_proposals(Snapshots(db).current())
    counts = write_register_proposals(db, records)
    for record in records:
        print(f"{record.name}\t{record.title}")
    print(
        f"{counts.created} created, {counts.updated} updated, {counts.unchanged} unchanged; "
        "check one with `councilgraph proposals check NAME` (the year before the change)"
    )
    return EXIT_OK


def add_proposal_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], with_database: WithDatabase
) -> None:
    """Register ``proposals`` on the project CLI."""
    parser = commands.add_parser("proposals", help="reorganisation proposals: load, check, list")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    load = actions.add_parser("load", help="load a proposed geography (CSV or XLSX)")
    load.add_argument("file")
    load.set_defaults(handler=with_database(run_load))
    check = actions.add_parser("check", help="partnerships inside, crossing and outside units")
    check.add_argument("name", help="the proposal's name or title")
    check.add_argument("--year", type=int, default=None, help="default: the current year")
    check.set_defaults(handler=with_database(run_check))
    listing = actions.add_parser("list", help="every proposal: name, status, origin, units")
    listing.set_defaults(handler=with_database(run_list))
    delete = actions.add_parser("delete", help="remove a proposal")
    delete.add_argument("name")
    delete.set_defaults(handler=with_database(run_delete))
    replay = actions.add_parser("from-register", help="past reorganisations as proposals")
    replay.set_defaults(handler=with_database(run_from_register))
