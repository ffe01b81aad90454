"""Errors a council officer can act on: which file, row, column, what was there, what is valid."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from graph.errors import CouncilGraphError

__all__ = ["DataError", "LoadRefused", "LoadUsageError"]


@dataclass(frozen=True, slots=True)
class DataError:
    """One defect in one place of an input file.

    Attributes
    ----------
    file : the file's name as the user gave it (or "submission" for the API).
    row : spreadsheet row number (the header is row 1), or None for the whole file.
    column : the column heading as written in the file, or None.
    field : the field it maps to (``councils``, ``status`` ...), or None.
    text : the offending text, as given.
    problem : what is wrong, in plain words.
    expected : what would be valid, including the closest valid values when there are any.
    """

    file: str
    row: int | None
    column: str | None
    field: str | None
    text: str
    problem: str
    expected: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        message = f"{where}: {self.problem}"
        if self.text:
            message += f" ({self.text!r})"
        if self.expected:
            message += f"; {self.expected}"
        return message

    def as_dict(self) -> dict[str, object]:
        """Plain dict (for JSON output and the API)."""
        return asdict(self)


class LoadUsageError(CouncilGraphError):
    """The load could not start: missing file, unreadable path (exit code 2)."""


class LoadRefused(LoadUsageError):
    """Neo4j refused the load's transaction (memory, time): nothing was written (exit code 2).

    The message names the setting that decided, and the smaller load that would fit.
    """
