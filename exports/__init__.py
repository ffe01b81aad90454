"""Exports: the views' selection as files users' tools read (docs/exports.md).

CSV and XLSX in the bundled partnership columns (they load back unchanged), JSON, GeoJSON
(councils' outlines in WGS 84), GraphML and GEXF (councils and partnerships as nodes; GEXF with
the years for Gephi's timeline). Reached through ``councilgraph export``, ``GET /export/...``
and a link on every view. This package sits above the views (it reuses their selection, one
home for what "the selection" means) and below the API.
"""

from exports.formats import FORMATS, ExportFormat, file_name, write_export
from exports.selection import ExportOptions, ExportOptionsError, ExportSource

__all__ = [
    "FORMATS",
    "ExportFormat",
    "ExportOptions",
    "ExportOptionsError",
    "ExportSource",
    "file_name",
    "write_export",
]
