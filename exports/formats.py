"""The export formats: name, media type, file extension and writer of each."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from exports.geojson import geojson_export
from exports.networks import gexf_export, graphml_export
from exports.selection import ExportOptions, ExportSource
from exports.tables import ContactReader, csv_councils, csv_partnerships, json_export, xlsx_export

__all__ = ["FORMATS", "ExportFormat", "file_name", "write_export"]


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One format. ``contacts``: whether it can carry contacts (for editors only)."""

    name: str
    media_type: str
    extension: str
    write: Callable[[ExportSource, ExportOptions, ContactReader | None], Iterator[bytes]]
    contacts: bool = False
    description: str = ""


# Deliberately alike (duplicates tool): one declaration per format, a table of data.
FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "csv",
            "text/csv; charset=utf-8",
            "csv",
            lambda s, o, c: csv_partnerships(s, o, contacts=c),
            contacts=True,
            description="partnerships, one row each, in the bundled columns (loads back)",
        ),
        ExportFormat(
            "councils-csv",
            "text/csv; charset=utf-8",
            "councils.csv",
            lambda s, o, c: csv_councils(s, o),
            description="the selection's councils, one row each",
        ),
        ExportFormat(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            lambda s, o, c: xlsx_export(s, o, contacts=c),
            contacts=True,
            description="a workbook: the partnerships sheet (loads back) and a councils sheet",
        ),
        ExportFormat(
            "json",
            "application/json",
            "json",
            lambda s, o, c: json_export(s, o, contacts=c),
            contacts=True,
            description="partnerships with their years and members, and councils",
        ),
        ExportFormat(
            "geojson",
            "application/geo+json",
            "geojson",
            lambda s, o, c: geojson_export(s, o),
            description="councils of one year with their outlines (WGS 84); lines=true adds "
            "the partnerships",
        ),
        ExportFormat(
            "graphml",
            "application/graphml+xml",
            "graphml",
            lambda s, o, c: graphml_export(s, o),
            description="councils and partnerships as nodes, memberships and borders as edges",
        ),
        ExportFormat(
            "gexf",
            "application/gexf+xml",
            "gexf",
            lambda s, o, c: gexf_export(s, o),
            description="as GraphML; for all years with spells for Gephi's timeline",
        ),
    )
}
"""Every format by name."""


def file_name(fmt: ExportFormat, options: ExportOptions) -> str:
    """A file name that says what the export holds: ``councilgraph-2012-legal.csv``."""
    parts = ["councilgraph", str(options.year) if options.year is not None else "all-years"]
    parts += list(options.services)
    if options.status is not None:
        parts.append(options.status)
    if options.region is not None:
        parts.append(options.region.lower().replace(" ", "-"))
    return "-".join(parts) + "." + fmt.extension


def write_export(
    fmt: ExportFormat,
    source: ExportSource,
    options: ExportOptions,
    contacts: ContactReader | None = None,
) -> Iterator[bytes]:
    """The export's bytes, chunk by chunk (contacts only in formats that carry them)."""
    return fmt.write(source, options, contacts if fmt.contacts else None)
