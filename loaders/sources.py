"""Where the bundled data lives and how its CSV files are read (stage 1: source rows as given)."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from graph import taxonomy

__all__ = [
    "ADJACENCY",
    "CEREMONIAL_COUNTIES",
    "COUNCILS",
    "DATA_DIR",
    "GSS_LOOKUP",
    "LA_ALL_CODES",
    "LGA_FIGURES",
    "NAME_LOOKUP",
    "PARTNERSHIPS",
    "SERVICE_AREAS",
    "TOPOJSON_2013",
    "BundledSources",
    "read_csv_rows",
    "sha256_of",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
COUNCILS = DATA_DIR / "councils" / "uk_local_authorities_future.csv"
NAME_LOOKUP = DATA_DIR / "councils" / "lookup_name_to_registry.csv"
GSS_LOOKUP = DATA_DIR / "councils" / "lookup_gss_to_registry.csv"
LA_ALL_CODES = DATA_DIR / "councils" / "la_all_codes.csv"
#: This project's own file (not in the shared data): loaders/ceremonial.py.
CEREMONIAL_COUNTIES = DATA_DIR / "councils" / "ceremonial_counties.csv"
TOPOJSON_2013 = DATA_DIR / "geography" / "lad2013_england.topo.json"
ADJACENCY = DATA_DIR / "geography" / "lad2013_england_adjacency.csv"
SERVICE_AREAS = DATA_DIR / "taxonomy" / "service_areas.csv"
PARTNERSHIPS = DATA_DIR / "partnerships" / "partnerships_cited.csv"
LGA_FIGURES = DATA_DIR / "partnerships" / "lga_headline_figures.csv"


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """All rows of a bundled CSV as dicts; ``utf-8-sig`` because some ONS files carry a BOM."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [dict(row) for row in csv.DictReader(handle)]


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, recorded with every load for provenance."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True, slots=True)
class BundledSources:
    """Paths of the bundled files, overridable so tests can load a variant."""

    councils: Path = COUNCILS
    name_lookup: Path = NAME_LOOKUP
    gss_lookup: Path = GSS_LOOKUP
    la_all_codes: Path = LA_ALL_CODES
    ceremonial_counties: Path = CEREMONIAL_COUNTIES
    topojson_2013: Path = TOPOJSON_2013
    adjacency: Path = ADJACENCY
    service_areas: Path = field(default_factory=taxonomy.source_file)
    partnerships: Path = PARTNERSHIPS
    lga_figures: Path = LGA_FIGURES

    def files(self) -> tuple[Path, ...]:
        """Every file a bundled load reads (each is recorded as a LoadedFile)."""
        return (
            self.councils,
            self.name_lookup,
            self.gss_lookup,
            self.la_all_codes,
            self.ceremonial_counties,
            self.topojson_2013,
            self.adjacency,
            self.service_areas,
            self.partnerships,
            self.lga_figures,
        )
