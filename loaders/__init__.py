"""Loaders: the bundled data and users' partnership files into Neo4j (see docs/loading.md)."""

from loaders.errors import DataError, LoadRefused, LoadUsageError
from loaders.limits import FileLimits
from loaders.load import (
    LoadReport,
    council_index_from_db,
    load_bundled,
    load_partnership_file,
    service_areas_from_db,
)
from loaders.partnerships import PartnershipContext, PartnershipRecord, validate_partnership

__all__ = [
    "DataError",
    "FileLimits",
    "LoadRefused",
    "LoadReport",
    "LoadUsageError",
    "PartnershipContext",
    "PartnershipRecord",
    "council_index_from_db",
    "load_bundled",
    "load_partnership_file",
    "service_areas_from_db",
    "validate_partnership",
]
