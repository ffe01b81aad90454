"""The load's progress bars: drawn on a terminal with their counts, silent in a log or pipe."""

from __future__ import annotations

import io

from rich.console import Console

from loaders.cli import _progress_bar, _staged_bar


def _console(terminal: bool) -> Console:
    return Console(file=io.StringIO(), force_terminal=terminal, width=100)


def _drawn(console: Console) -> str:
    file = console.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()


def test_the_load_bar_shows_its_steps_on_a_terminal_only() -> None:
    for terminal in (True, False):
        console = _console(terminal)
        with _progress_bar(["Reading", "Writing"], console) as hook:
            hook("Reading")
            hook("Writing")
        assert ("Writing" in _drawn(console)) is terminal
        assert ("/2" in _drawn(console)) is terminal


def test_the_staged_bar_counts_files_and_staged_partnerships() -> None:
    console = _console(True)
    with _staged_bar(console) as hook:
        hook(1, 3, 5000)
        hook(2, 3, 10000)
    drawn = _drawn(console)
    assert "files" in drawn
    assert "Publishing: 10,000 staged" in drawn
    quiet = _console(False)
    with _staged_bar(quiet) as hook:
        hook(1, 3, 5000)
    assert _drawn(quiet) == ""
