"""How much one load may read: the file's size and each cell's length (docs/loading.md, Limits).

The default file limit keeps the largest file we accept inside Neo4j's default transaction
memory, because a load is one transaction (all or nothing). Measured on the tests' Neo4j (1 GB
heap, so ``dbms.memory.transaction.total.max`` is 716.8 MiB, 70% of the heap): 20,000 dense
synthetic rows (6.4 MB, 320 bytes a row) peaked at about 410 MiB of transaction memory, so 10
MB of them needs about 650 MiB; 10 MB of realistic rows (the bundled file's, 770 bytes a row)
peaked at 343 MiB. The default 2 GB heap of ``councilgraph neo4j start`` and docker-compose
allows about 1.4 GiB.

Settings are read once, when a command starts (:meth:`FileLimits.from_env`), never at import.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from loaders.errors import LoadUsageError

__all__ = [
    "DEFAULT_MAX_CELL_CHARS",
    "DEFAULT_MAX_FILE_MB",
    "MAX_CELL_CHARS_ENV",
    "MAX_FILE_MB_ENV",
    "XLSX_EXPANSION",
    "FileLimits",
]

MAX_FILE_MB_ENV = "COUNCILGRAPH_MAX_FILE_MB"
MAX_CELL_CHARS_ENV = "COUNCILGRAPH_MAX_CELL_CHARS"
#: A partnership file may have at most this many megabytes (1 MB = 1,000,000 bytes).
DEFAULT_MAX_FILE_MB = 10
#: A cell may have at most this many characters (the API allows 4,000 for notes).
DEFAULT_MAX_CELL_CHARS = 10_000
#: An XLSX file is a zip of XML: its unpacked parts may be at most this many times the file
#: limit, so a small file cannot unpack into gigabytes (XML is about ten times CSV's size).
XLSX_EXPANSION = 10


@dataclass(frozen=True, slots=True)
class FileLimits:
    """The limits of one load; every problem names the option and variable that raise them."""

    max_file_mb: int = DEFAULT_MAX_FILE_MB
    max_cell_chars: int = DEFAULT_MAX_CELL_CHARS

    def __post_init__(self) -> None:
        if self.max_file_mb < 1:
            raise LoadUsageError(
                f"the file size limit must be at least 1 MB (got {self.max_file_mb})"
            )
        if self.max_cell_chars < 100:
            raise LoadUsageError(
                f"the cell length limit must be at least 100 characters (got {self.max_cell_chars})"
            )

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 1_000_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FileLimits:
        """The limits set by :data:`MAX_FILE_MB_ENV` and :data:`MAX_CELL_CHARS_ENV`, else the
        defaults.

        Raises
        ------
        LoadUsageError : a variable is set to something that is not a whole number.
        """
        env = os.environ if environ is None else environ

        def number(name: str, default: int) -> int:
            text = env.get(name, "").strip()
            if not text:
                return default
            try:
                return int(text)
            except ValueError:
                raise LoadUsageError(f"{name} must be a whole number (got {text!r})") from None

        return cls(
            max_file_mb=number(MAX_FILE_MB_ENV, DEFAULT_MAX_FILE_MB),
            max_cell_chars=number(MAX_CELL_CHARS_ENV, DEFAULT_MAX_CELL_CHARS),
        )

    def file_hint(self) -> str:
        """How to get past the file size limit."""
        return (
            "split the file, or raise the limit with --max-file-mb N "
            f"(or {MAX_FILE_MB_ENV}={self.max_file_mb * 2})"
        )

    def cell_hint(self) -> str:
        """How to get past the cell length limit."""
        return (
            "shorten the cell, or raise the limit with --max-cell-chars N "
            f"(or {MAX_CELL_CHARS_ENV}={self.max_cell_chars * 2})"
        )
