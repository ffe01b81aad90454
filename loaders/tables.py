"""Reading partnership files (CSV or XLSX) into tables of text, within the file limits; the
reversible formula-cell scheme exports and loads share. Mapping a table's headings to fields
is :mod:`loaders.headings`.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from loaders.errors import DataError, LoadUsageError
from loaders.limits import XLSX_EXPANSION, FileLimits
from loaders.vocabulary import (
    HEADER_ALIASES,
    header_key,
)

#: A spreadsheet reads a cell starting with these as a formula (formula injection, CWE-1236);
#: exports prefix such cells with a single quote, and a quote before them is removed on load.
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")


def neutralise_cell(text: str) -> str:
    """A cell a spreadsheet will not run: ``=1+1`` -> ``'=1+1`` (one more quote when it
    already starts with quotes before a formula character, so :func:`restore_cell` always
    gives the text back)."""
    return "'" + text if _FORMULA_START.match(text) else text


def restore_cell(text: str) -> str:
    """Undo :func:`neutralise_cell`: remove one leading quote before ``= + - @``, tab or CR.

    Applied to every cell a load reads, so a note written as ``'-50% on agency costs`` in a
    spreadsheet loads as ``-50% on agency costs``.
    """
    return text[1:] if text.startswith("'") and _FORMULA_START.match(text[1:]) else text


def file_error(
    display_name: str, problem: str, expected: str, *, row: int | None = None
) -> DataError:
    """An error about the file as a whole (or one row of it), before any field is read."""
    return DataError(display_name, row, None, None, "", problem, expected)


@dataclass(frozen=True, slots=True)
class Table:
    """A file's heading row and data rows as text, with spreadsheet row numbers."""

    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def read_table(
    path: Path, display_name: str, limits: FileLimits | None = None
) -> tuple[Table | None, list[DataError]]:
    """Read a CSV (UTF-8) or XLSX file; any problem is returned as a file-level DataError.

    The file's size is checked before it is read, and every cell's length as it is read
    (``limits``, default :class:`FileLimits`): a cell over the limit is an error of its row.

    Raises
    ------
    LoadUsageError : the file cannot be read at all (permissions, a folder).
    """
    limits = limits or FileLimits()

    def fail(problem: str, expected: str, row: int | None = None) -> tuple[None, list[DataError]]:
        return None, [file_error(display_name, problem, expected, row=row)]

    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            return fail(
                f"the file has {size:,} bytes, more than the limit of "
                f"{limits.max_file_bytes:,} ({limits.max_file_mb} MB)",
                limits.file_hint(),
            )
        data = path.read_bytes()
    except OSError as error:
        raise LoadUsageError(
            f"{display_name}: the file cannot be read ({error.strerror or error})"
        ) from error
    suffix = path.suffix.lower()
    if not data.strip():
        return fail("the file is empty", "expected a heading row and one row per partnership")
    if data.startswith(_XLS_MAGIC) or suffix == ".xls":
        return fail("old Excel .xls files are not supported", "save it as .xlsx or CSV UTF-8")
    if zipfile.is_zipfile(io.BytesIO(data)):
        if suffix not in {".xlsx", ".xlsm"}:
            return fail(
                f"the file is a zip archive, not CSV ({suffix or 'no extension'})",
                "expected a CSV or XLSX file",
            )
        return _read_xlsx(data, display_name, limits)
    if suffix not in {".csv", ".txt", ".tsv"}:
        return fail(
            f"not a CSV or XLSX file ({suffix or 'no extension'})", "expected .csv or .xlsx"
        )
    if b"\x00" in data[:4096]:
        return fail("the file is binary, not CSV text", "expected a CSV (UTF-8) or XLSX file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        return fail(
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02X} cannot be read)",
            "save it as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8)",
            row,
        )
    return _read_csv_text(text, display_name, limits)


#: The csv module's field size limit is process-wide: readers take turns to raise it.
_CSV_FIELD_LIMIT = threading.Lock()


@contextmanager
def _csv_field_limit(characters: int) -> Iterator[None]:
    """Let the csv module read fields of up to ``characters`` (its default is 131,072).

    Our own cell limit is checked afterwards, so that an oversize cell is reported with its
    row and column instead of the csv module's one-word error and a traceback.
    """
    with _CSV_FIELD_LIMIT:
        before = csv.field_size_limit()
        csv.field_size_limit(max(before, characters))
        try:
            yield
        finally:
            csv.field_size_limit(before)


def _read_csv_text(
    text: str, display_name: str, limits: FileLimits
) -> tuple[Table | None, list[DataError]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        with _csv_field_limit(len(text) + 1):  # no field can be longer than the text
            raw_rows = list(reader)
    except csv.Error as error:
        return None, [
            file_error(
                display_name,
                f"the file cannot be read as CSV ({error})",
                "save it again as 'CSV UTF-8' from a spreadsheet",
                row=reader.line_num or None,
            )
        ]
    return _table_from_rows(
        [(index + 1, row) for index, row in enumerate(raw_rows)], display_name, limits
    )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


def _unpacked_size(data: bytes) -> int | None:
    """The total size of a zip's members once unpacked, as its directory declares (zipfile
    never reads a member past its declared size); None when the directory is unreadable."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _read_xlsx(
    data: bytes, display_name: str, limits: FileLimits
) -> tuple[Table | None, list[DataError]]:
    from openpyxl import load_workbook

    unpacked = _unpacked_size(data)
    if unpacked is not None and unpacked > XLSX_EXPANSION * limits.max_file_bytes:
        return None, [
            file_error(
                display_name,
                f"the XLSX file unpacks to {unpacked:,} bytes, more than {XLSX_EXPANSION} "
                f"times the limit of {limits.max_file_mb} MB",
                limits.file_hint(),
            )
        ]
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged workbook
        return None, [
            file_error(
                display_name,
                f"the XLSX file cannot be read ({error})",
                "save it again from Excel as .xlsx or CSV UTF-8",
            )
        ]
    try:
        # Workbooks often start with a notes sheet: read the first sheet whose first row has
        # two or more recognised headings, else the first sheet with anything in it.
        sheets = []
        for sheet in workbook.worksheets:
            rows = [
                (index, [_cell_text(v) for v in values])
                for index, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
            rows = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
            if rows:
                sheets.append(rows)
        for rows in sheets:
            headings = [header_key(h.replace("£", "")) for h in rows[0][1]]
            if sum(1 for h in headings if h in HEADER_ALIASES) >= 2:
                return _table_from_rows(rows, display_name, limits)
        if sheets:
            return _table_from_rows(sheets[0], display_name, limits)
    finally:
        workbook.close()
    return None, [file_error(display_name, "the file is empty", "no sheet has any rows")]


def _oversize_cells(
    number: int,
    cells: Sequence[str],
    headers: Sequence[str],
    display_name: str,
    limits: FileLimits,
) -> list[DataError]:
    """An error for each cell of the row longer than the limit, naming its column."""
    return [
        DataError(
            display_name,
            number,
            (headers[index] if index < len(headers) else None) or None,
            None,
            cell[:40] + "...",
            f"the cell has {len(cell):,} characters, more than the limit of "
            f"{limits.max_cell_chars:,}",
            limits.cell_hint(),
        )
        for index, cell in enumerate(cells)
        if len(cell) > limits.max_cell_chars
    ]


def _table_from_rows(
    rows: Sequence[tuple[int, Sequence[str]]], display_name: str, limits: FileLimits
) -> tuple[Table | None, list[DataError]]:
    non_blank = [
        (n, [restore_cell(c.strip()) for c in cells])
        for n, cells in rows
        if any(c.strip() for c in cells)
    ]
    if not non_blank:
        return None, [
            file_error(
                display_name,
                "the file is empty",
                "expected a heading row and one row per partnership",
            )
        ]
    header_row, headers = non_blank[0]
    while headers and not headers[-1]:
        headers.pop()
    oversize = _oversize_cells(header_row, headers, (), display_name, limits)
    if oversize:  # headings are repeated in messages, so a huge one stops here
        return None, oversize
    data_rows = non_blank[1:]
    if not data_rows:
        return None, [
            file_error(
                display_name,
                "the file has headings but no rows",
                "expected one row per partnership under the headings",
            )
        ]
    errors: list[DataError] = []
    table_rows: list[tuple[int, tuple[str, ...]]] = []
    for number, cells in data_rows:
        oversize = _oversize_cells(number, cells, headers, display_name, limits)
        if oversize:
            errors.extend(oversize)
            continue
        extra = [c for c in cells[len(headers) :] if c]
        if extra:
            errors.append(
                DataError(
                    display_name,
                    number,
                    None,
                    None,
                    extra[0],
                    f"the row has {len(headers) + len(extra)} cells but only "
                    f"{len(headers)} headings",
                    "quote cells that contain the separator",
                )
            )
            continue
        padded = list(cells[: len(headers)]) + [""] * max(0, len(headers) - len(cells))
        table_rows.append((number, tuple(padded)))
    return Table(tuple(headers), tuple(table_rows)), errors
