"""The ``councilgraph load`` command's arguments and body (the project CLI wires them in).

Usage from the project CLI::

    load = commands.add_parser("load", help="load the bundled data or a partnership file")
    add_load_arguments(load)
    load.set_defaults(handler=_with_database(run_load))

Exit codes: 0 ok, 1 data errors, 2 usage or connection errors, or Neo4j refused the load.
Every failure is one line on stderr (or the report's error lines), never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from graph.db import Database, GraphUnavailable
from loaders.errors import LoadUsageError
from loaders.limits import MAX_CELL_CHARS_ENV, MAX_FILE_MB_ENV, FileLimits
from loaders.load import (
    BUNDLED_STEPS,
    FILE_STEPS,
    LoadReport,
    ProgressHook,
    load_bundled,
    load_partnership_file,
)
from loaders.staged import StagedProgress, load_staged

__all__ = [
    "EXIT_DATA",
    "EXIT_OK",
    "EXIT_USAGE",
    "add_load_arguments",
    "columns_from",
    "limits_from",
    "print_report",
    "run_load",
]

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def add_load_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--partnerships FILE``, ``--skip-invalid``, ``--dry-run``, ``--column`` and the
    limits."""
    parser.add_argument(
        "--partnerships",
        metavar="FILE",
        type=Path,
        help="load this partnership file (CSV or XLSX, bundled or LGA layout) "
        "instead of the bundled data",
    )
    parser.add_argument(
        "--staged",
        metavar="PATH",
        type=Path,
        nargs="+",
        help="load these partnership files (or every CSV/XLSX file in these folders) as one "
        "staged load: bounded transactions, published all at once (for national-scale data)",
    )
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="write the valid rows of a file with errors, and report the invalid ones",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="validate and report what would change, writing nothing",
    )
    parser.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="FIELD=HEADER",
        help="read FIELD from the column headed HEADER, whatever the synonyms say "
        "(repeatable), e.g. --column name='Scheme title'",
    )
    parser.add_argument(
        "--max-file-mb",
        type=int,
        metavar="N",
        help=f"refuse a partnership file over N MB (default ${MAX_FILE_MB_ENV}, else "
        f"{FileLimits().max_file_mb})",
    )
    parser.add_argument(
        "--max-cell-chars",
        type=int,
        metavar="N",
        help=f"report a cell over N characters as an error (default ${MAX_CELL_CHARS_ENV}, "
        f"else {FileLimits().max_cell_chars})",
    )


def limits_from(args: argparse.Namespace) -> FileLimits:
    """The load's limits: the options, else the environment, else the defaults.

    Raises
    ------
    LoadUsageError : a limit that is not a whole number, or too small.
    """
    configured = FileLimits.from_env()
    max_file_mb = getattr(args, "max_file_mb", None)
    max_cell_chars = getattr(args, "max_cell_chars", None)
    return FileLimits(
        max_file_mb=configured.max_file_mb if max_file_mb is None else max_file_mb,
        max_cell_chars=configured.max_cell_chars if max_cell_chars is None else max_cell_chars,
    )


def _bar(console: Console, counted: str) -> Progress:
    """The load's rich progress bar: what it does, the bar, ``counted`` (a rich template for
    the count), the time taken; gone from the terminal when it ends."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn(counted),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


@contextmanager
def _progress_bar(steps: Sequence[str], console: Console) -> Iterator[ProgressHook]:
    """A rich progress bar over a load's steps (drawn only on a terminal)."""
    if not console.is_terminal:  # rich would still leave a blank line in a log or a pipe
        yield lambda description: None
        return
    with _bar(console, "{task.completed}/{task.total}") as progress:
        task = progress.add_task("Loading", total=len(steps))
        started = False

        def hook(description: str) -> None:
            nonlocal started
            if started:
                progress.advance(task)
            started = True
            progress.update(task, description=description)

        yield hook
        progress.update(task, completed=len(steps))


@contextmanager
def _staged_bar(console: Console) -> Iterator[StagedProgress]:
    """A rich progress bar over a staged load's files and its publish (on a terminal)."""
    if not console.is_terminal:
        yield lambda done, total, staged: None
        return
    with _bar(console, "{task.completed}/{task.total} files") as progress:
        task = progress.add_task("Staging partnership files", total=None)

        def hook(done: int, total: int, staged: int) -> None:
            step = "Publishing" if done == total - 1 else "Staging partnership files"
            progress.update(
                task, completed=done, total=total, description=f"{step}: {staged:,} staged"
            )

        yield hook


def columns_from(args: argparse.Namespace) -> dict[str, str]:
    """``--column FIELD=HEADER`` options as field -> heading.

    Raises
    ------
    LoadUsageError : an option without "=", or one field given twice.
    """
    columns: dict[str, str] = {}
    for option in getattr(args, "column", None) or []:
        field_name, sep, heading = option.partition("=")
        field_name = field_name.strip().lower().replace("-", "_").replace(" ", "_")
        if not sep or not field_name or not heading.strip():
            raise LoadUsageError(
                f"--column {option!r}: expected FIELD=HEADER, e.g. --column name='Scheme title'"
            )
        if field_name in columns:
            raise LoadUsageError(f"--column {field_name}: given twice")
        columns[field_name] = heading.strip()
    return columns


def print_report(report: LoadReport, out: TextIO) -> None:
    """The column mapping of a dry run, then errors (all of them), warnings and the summary."""
    if report.dry_run:
        for heading, field_name in report.extra.get("columns", ()):
            print(f"column: {heading!r} -> {field_name}", file=out)
    for error in report.errors:
        print(f"error: {error}", file=out)
    for warning in report.warnings:
        print(f"warning: {warning}", file=out)
    for line in report.summary_lines():
        print(line, file=out)


def run_load(args: argparse.Namespace, db: Database) -> int:
    """Run ``councilgraph load`` with parsed ``args`` against ``db``; return the exit code."""
    console = Console(file=sys.stderr)
    partnerships: Path | None = getattr(args, "partnerships", None)
    skip_invalid = bool(getattr(args, "skip_invalid", False))
    dry_run = bool(getattr(args, "dry_run", False))
    staged: list[Path] | None = getattr(args, "staged", None)
    if staged and (partnerships is not None or skip_invalid or dry_run):
        print(
            "councilgraph load: --staged loads its files alone (no --partnerships, "
            "--skip-invalid or --dry-run)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if skip_invalid and partnerships is None:
        print("councilgraph load: --skip-invalid needs --partnerships FILE", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "column", None) and partnerships is None:
        print("councilgraph load: --column needs --partnerships FILE", file=sys.stderr)
        return EXIT_USAGE
    # On an empty database the reads name relationship types that do not exist yet, and the
    # driver logs a warning for each; they are expected and would only alarm the user.
    notifications = logging.getLogger("neo4j.notifications")
    level = notifications.level
    notifications.setLevel(logging.ERROR)
    try:
        limits = limits_from(args)
        columns = columns_from(args)
        if staged:
            with _staged_bar(console) as staged_hook:
                report = load_staged(db, staged, progress=staged_hook, limits=limits)
        elif partnerships is None:
            with _progress_bar(BUNDLED_STEPS, console) as hook:
                report = load_bundled(db, dry_run=dry_run, progress=hook, limits=limits)
        else:
            with _progress_bar(FILE_STEPS, console) as hook:
                report = load_partnership_file(
                    db,
                    partnerships,
                    skip_invalid=skip_invalid,
                    dry_run=dry_run,
                    progress=hook,
                    limits=limits,
                    columns=columns,
                )
    except LoadUsageError as error:  # also LoadRefused: Neo4j refused the transaction
        print(f"councilgraph load: {error}", file=sys.stderr)
        return EXIT_USAGE
    except GraphUnavailable as error:
        print(f"councilgraph load: {error}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        notifications.setLevel(level)
    print_report(report, sys.stdout)
    return EXIT_DATA if report.errors else EXIT_OK
