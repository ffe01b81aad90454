"""``councilgraph peers`` and ``councilgraph stats``: the analysis at the command line."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter

from rich.console import Console
from rich.table import Table

from graph import repository as repo
from graph import rules, taxonomy
from graph.analysis import PeerSearch
from graph.db import Database
from graph.errors import UnknownCouncil
from graph.snapshot import Snapshot, Snapshots
from loaders.partnerships import neutralise_cell

SERVICE_CODES = taxonomy.codes()


def find_council(db: Database, text: str, year: int) -> repo.Council:
    """A council by GSS code or any form of its name; :class:`UnknownCouncil` (with the
    closest councils) when none matches."""
    return repo.find_council(repo.all_councils(db), text, year)


def add_peers_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("council", help="GSS code or name, e.g. 'Basingstoke and Deane'")
    parser.add_argument("--service", choices=SERVICE_CODES, help="service layer (default: any)")
    parser.add_argument("--year", type=int, default=rules.current_year())
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="table (default), or csv/json: the same list for a spreadsheet, with each peer's "
        "partnerships, their lead councils and sources, and its GOV.UK page",
    )


#: Columns of `councilgraph peers --format csv` (and the keys of --format json).
PEER_COLUMNS = (
    "rank", "council", "code", "score", "km", "borders", "reason", "partnerships",
    "partnership_ids", "lead_councils", "sources", "gov_uk_url",
)  # fmt: skip


def peer_rows(snapshot: Snapshot, search: PeerSearch) -> list[dict[str, object]]:
    """Who to call, one row per peer: why, through which partnerships, and how to reach them
    (the partnerships' lead councils and sources, and the council's GOV.UK page). Contacts
    are personal data and never leave the API this way."""
    councils, partnerships = snapshot.councils_by_code, snapshot.partnerships
    rows = []
    for rank, peer in enumerate(search.peers, start=1):
        facts = [partnerships[pid] for pid in peer.partnerships if pid in partnerships]
        leads = {p.lead_code for p in facts} - {None}
        rows.append(
            {
                "rank": rank,
                "council": councils[peer.code].name,
                "code": peer.code,
                "score": round(peer.score, 3),
                "km": round(peer.distance_km, 1),
                "borders": peer.borders_asker,
                "reason": peer.reason,
                "partnerships": "; ".join(p.name for p in facts),
                "partnership_ids": "; ".join(p.id for p in facts),
                "lead_councils": "; ".join(sorted(councils[c].name for c in leads if c)),
                "sources": "; ".join(dict.fromkeys(s.url for p in facts for s in p.sources)),
                "gov_uk_url": councils[peer.code].gov_uk_url or "",
            }
        )
    return rows


def run_peers(args: argparse.Namespace, db: Database) -> int:
    console = Console()
    try:
        rules.check_year(args.year, what="--year")
        asker = find_council(db, args.council, args.year)
    except (UnknownCouncil, rules.YearOutOfRange) as error:
        console.print(f"councilgraph: {error}", style="red")
        return 1
    network = Snapshots(db).current()
    search = network.peers(asker.code, args.year, args.service, limit=args.limit)
    if args.format != "table":
        rows = peer_rows(network, search)
        if args.format == "json":
            sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        else:
            writer = csv.DictWriter(sys.stdout, fieldnames=PEER_COLUMNS)
            writer.writeheader()
            writer.writerows(
                {k: neutralise_cell(v) if isinstance(v, str) else v for k, v in row.items()}
                for row in rows
            )
        return 0
    scope = args.service or "any service"
    shares = "already shares" if search.asker_shares else "does not share"
    console.print(f"{asker.name} ({asker.code}) {shares} {scope} in {args.year}.")
    table = Table(title=f"Councils {asker.name} could learn from ({scope}, {args.year})")
    for column in ("#", "council", "score", "km", "why"):
        table.add_column(column)
    names = {c.code: c.name for c in repo.all_councils(db)}
    for rank, peer in enumerate(search.peers, start=1):
        table.add_row(
            str(rank), names.get(peer.code, peer.code), f"{peer.score:.2f}",
            f"{peer.distance_km:.0f}", peer.reason,
        )  # fmt: skip
    console.print(table)
    neighbours = network.neighbours(asker.code, args.year, k=args.limit)
    console.print(
        "Statistical nearest neighbours: "
        + ", ".join(names.get(n.code, n.code) for n in neighbours)
    )
    return 0


def add_stats_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--year", type=int, default=rules.current_year())
    parser.add_argument("--service", choices=SERVICE_CODES, help="one service layer")


def run_stats(args: argparse.Namespace, db: Database) -> int:
    console = Console()
    try:
        rules.check_year(args.year, what="--year")
    except rules.YearOutOfRange as error:
        console.print(f"councilgraph: {error}", style="red")
        return 1
    memberships = repo.effective_memberships(db, args.year, args.service)
    councils = {c.code: c for c in repo.all_councils(db)}
    existing = [c for c in councils.values() if c.exists_in(args.year)]
    by_partnership: dict[str, list[str]] = {}
    for m in memberships:
        by_partnership.setdefault(m.partnership_id, []).append(m.code)
    mix = Counter(
        rules.tier_mix(councils[code].tier for code in codes) for codes in by_partnership.values()
    )
    sharers = {m.code for m in memberships}
    scope = f" in {args.service}" if args.service else ""
    console.print(f"[bold]{args.year}{scope}[/bold]: {len(by_partnership)} active partnerships")
    console.print(
        f"  district-district {mix['district_district']}, district-upper "
        f"{mix['district_upper']}, upper-upper {mix['upper_upper']}"
    )
    console.print(
        f"  {len(existing)} councils: {len(sharers)} active sharers, "
        f"{sum(1 for c in existing if c.code not in sharers)} singletons"
    )
    fresh = repo.freshness(memberships, args.year)
    console.print(
        f"  {fresh.on_old_evidence} of them not confirmed in the 5 years before {args.year} "
        f"(counted all the same); {fresh.undated} with no dated source (placed in "
        f"{rules.current_year()} only)"
    )
    edition = repo.nearest_lga_edition(repo.lga_editions(db), args.year)
    if edition is not None:
        console.print(
            f"  LGA's own figures ({edition.edition}): {edition.arrangements or '?'} arrangements, "
            f"{edition.councils_sharing or '?'} councils sharing, savings "
            f"GBP {edition.savings_gbp_m or '?'}m ({edition.savings_basis or 'basis not stated'})"
        )
    console.print(f"  {repo.coverage_note(args.year, len(by_partnership), edition)}")
    s = Snapshots(db).current().analysis(args.year, args.service).summary
    console.print(
        f"  network: {s.ties} ties, density {s.density:.3f}, {s.components} components "
        f"(largest {s.largest_component}), transitivity {s.transitivity:.2f}, "
        f"{s.communities} communities (modularity {s.modularity:.2f})"
    )
    tier_r = "n/a" if s.tier_assortativity is None else f"{s.tier_assortativity:.2f}"
    region_r = "n/a" if s.region_assortativity is None else f"{s.region_assortativity:.2f}"
    share = "n/a" if s.bordering_share is None else f"{s.bordering_share:.0%}"
    console.print(
        f"  homophily: tier r={tier_r}, region r={region_r}; ties between neighbours: {share}"
    )
    return 0
