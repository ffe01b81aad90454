"""``councilgraph render network|map|council``: write one self-contained HTML view.

Wired into ``cli/main.py`` like the loaders' command::

    from visualisation.cli import add_render_arguments, run_render

    render = commands.add_parser("render", help="write a view as one offline HTML file")
    add_render_arguments(render)
    render.set_defaults(handler=_with_database(run_render))
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import cast, get_args

from graph.db import Database
from graph.snapshot import Snapshots
from visualisation.data import ViewDataSource
from visualisation.options import STATUS_CHOICES, ViewOptions, ViewOptionsError
from visualisation.views import UnknownCouncilError, ViewKind, render

__all__ = ["EXIT_USAGE", "add_render_arguments", "filter_pairs", "options_from_args", "run_render"]

EXIT_USAGE = 2


def add_render_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``render`` command's arguments (the views' query parameters as flags)."""
    parser.add_argument("view", choices=get_args(ViewKind), help="which view")
    parser.add_argument("--code", help="GSS code of the council (council view)")
    parser.add_argument("--year", type=int, help="year to show (default: this year)")
    parser.add_argument(
        "--service",
        action="append",
        default=[],
        metavar="S",
        help="service layer code, e.g. legal (repeatable; default: all)",
    )
    parser.add_argument(
        "--status", default="active", choices=STATUS_CHOICES, help="which partnerships"
    )
    parser.add_argument("--region", help="an English region, e.g. 'South East'")
    parser.add_argument(
        "--two-mode", action="store_true", help="partnerships as nodes (network view)"
    )
    parser.add_argument("--physics", action="store_true", help="start with physics on")
    parser.add_argument(
        "--no-hubs",
        action="store_true",
        help="draw big partnerships as a line between every pair of members, not as hubs",
    )
    parser.add_argument(
        "--out", required=True, type=Path, metavar="FILE.html", help="file to write ('-': stdout)"
    )


def filter_pairs(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The query parameters the filter flags (--service, --year, --status, --region) stand
    for; the export command takes the same flags."""
    pairs = [("service", s) for s in args.service]
    if args.year is not None:
        pairs.append(("year", str(args.year)))
    if args.status:
        pairs.append(("status", args.status))
    if args.region:
        pairs.append(("region", args.region))
    return pairs


def options_from_args(args: argparse.Namespace) -> ViewOptions:
    """The view options the flags describe (validated like query parameters)."""
    pairs = filter_pairs(args)
    pairs += [("two_mode", str(args.two_mode)), ("physics", str(args.physics))]
    pairs.append(("hubs", str(not getattr(args, "no_hubs", False))))
    return ViewOptions.from_query(pairs)


def run_render(args: argparse.Namespace, db: Database) -> int:
    """Run ``councilgraph render`` against ``db``; return the exit code."""
    try:
        options = options_from_args(args)
    except ViewOptionsError as error:
        print(f"councilgraph render: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.view == "council" and not args.code:
        print("councilgraph render council: give the council with --code GSS", file=sys.stderr)
        return EXIT_USAGE
    source = ViewDataSource(Snapshots(db))
    code = args.code if args.view == "council" else None
    data = source.view_data(options.year, options, peers_of=code, peers_service=options.one_service)
    try:
        page = render(cast(ViewKind, args.view), data, options, code=code)
    except UnknownCouncilError as error:
        print(f"councilgraph render: {error}", file=sys.stderr)
        return EXIT_USAGE
    if str(args.out) == "-":
        sys.stdout.write(page)
    else:
        args.out.write_text(page, encoding="utf-8")
        print(f"wrote {args.out} ({len(page.encode()) // 1024} KiB)", file=sys.stderr)
    return 0
