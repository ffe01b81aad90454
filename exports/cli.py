"""``councilgraph export FORMAT [--year Y] [--service S ...] [--status S] [--region R] --out FILE``.

Wired into ``cli/main.py`` like the other data commands. Contacts are personal data: they are
written only when ``--token`` (or ``$COUNCILGRAPH_TOKEN``) is an editor's or admin's token.
Exit codes: 0 written, 2 usage or connection problems (a bad option, a refused token, Neo4j
unreachable); the output file is written only when the export succeeds.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from contributions.accounts import AuthenticationError, authenticate
from exports.formats import FORMATS, write_export
from exports.routes import contact_reader
from exports.selection import ExportOptions, ExportOptionsError, ExportSource
from graph.db import Database, GraphUnavailable
from visualisation.cli import filter_pairs
from visualisation.options import STATUS_CHOICES

__all__ = ["TOKEN_ENV", "add_export_arguments", "run_export"]

EXIT_OK, EXIT_USAGE = 0, 2
TOKEN_ENV = "COUNCILGRAPH_TOKEN"  # noqa: S105 - the name of a variable, not a secret


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``export`` command's arguments (the views' query parameters as flags)."""
    parser.add_argument(
        "format",
        choices=list(FORMATS),
        help="; ".join(f"{f.name}: {f.description}" for f in FORMATS.values()),
    )
    parser.add_argument("--year", type=int, help="the year (default: all years)")
    parser.add_argument(
        "--service", action="append", default=[], metavar="S",
        help="service layer code, e.g. legal (repeatable; default: all)",
    )  # fmt: skip
    parser.add_argument(
        "--status", choices=[*STATUS_CHOICES, "all"],
        help="which partnerships (default: active in a year; every status for all years)",
    )  # fmt: skip
    parser.add_argument("--region", help="an English region, e.g. 'South East'")
    parser.add_argument(
        "--lines", action="store_true", help="GeoJSON: add the partnerships as lines"
    )
    parser.add_argument(
        "--token",
        help=f"an editor's token, to include contacts (default ${TOKEN_ENV}; none: no contacts)",
    )
    parser.add_argument(
        "--out", required=True, type=Path, metavar="FILE", help="file to write ('-': stdout)"
    )


def _options(args: argparse.Namespace) -> ExportOptions:
    pairs = filter_pairs(args)
    if args.lines:
        pairs.append(("lines", "true"))
    return ExportOptions.from_query(pairs)


def run_export(args: argparse.Namespace, db: Database) -> int:
    """Write the export; return the exit code."""
    fmt = FORMATS[args.format]
    try:
        options = _options(args)
    except ExportOptionsError as error:
        print(f"councilgraph export: {error}", file=sys.stderr)
        return EXIT_USAGE
    source = ExportSource(db)
    token = args.token or os.environ.get(TOKEN_ENV)
    try:
        user = authenticate(db, token) if token else None
        chunks = write_export(fmt, source, options, contact_reader(source, user))
        if str(args.out) == "-":
            for chunk in chunks:
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            return EXIT_OK
        out: Path = args.out
        # Written beside the target and renamed, so a failed export leaves no half file.
        with tempfile.NamedTemporaryFile(
            dir=out.parent or Path("."), prefix=f".{out.name}.", delete=False
        ) as handle:
            try:
                for chunk in chunks:
                    handle.write(chunk)
            except BaseException:
                Path(handle.name).unlink(missing_ok=True)
                raise
        Path(handle.name).replace(out)
    except AuthenticationError as error:
        print(f"councilgraph export: token refused: {error}", file=sys.stderr)
        return EXIT_USAGE
    except GraphUnavailable as error:
        print(f"councilgraph export: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        print(f"councilgraph export: {args.out}: {error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {args.out} ({fmt.name}, {options.describe()})", file=sys.stderr)
    return EXIT_OK
