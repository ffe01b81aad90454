"""The service layers, read once from ``data/taxonomy/``: the one home of the vocabulary.

``service_areas.csv`` (shared reference data) gives each layer's code, label, office (back or
front) and description; ``service_synonyms.csv`` (the project's own) gives the words councils'
spreadsheets use for them ("revs and bens"). Everything else derives from :func:`layers`: the
GraphQL ``Service`` enum, the views' legend and colours, the loaders' matching, the limits on
submissions and the synthetic generator. Adding a layer is one row in the CSV (and
``make schema`` for docs/schema.graphql).

``$COUNCILGRAPH_TAXONOMY`` names another folder holding the same two files (tests use it to add
a 16th layer); it is read once per process.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = [
    "TAXONOMY_DIR",
    "ServiceLayer",
    "codes",
    "layer",
    "layers",
    "office_of",
    "offices",
    "source_file",
    "source_files",
]

TAXONOMY_DIR = Path(__file__).resolve().parent.parent / "data" / "taxonomy"
_ENV = "COUNCILGRAPH_TAXONOMY"


@dataclass(frozen=True, slots=True)
class ServiceLayer:
    """One service layer of the LGA map."""

    code: str
    label: str
    office: str  # "back" or "front"
    description: str
    synonyms: tuple[str, ...] = ()


def _folder() -> Path:
    return Path(os.environ[_ENV]) if os.environ.get(_ENV) else TAXONOMY_DIR


def source_file() -> Path:
    """The CSV the layers are read from (recorded as a loaded file)."""
    return _folder() / "service_areas.csv"


def source_files() -> tuple[Path, ...]:
    """Every file the layers are built from (the layers and their synonyms), for cache keys."""
    return tuple(sorted(_folder().glob("*.csv")))


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def layers() -> tuple[ServiceLayer, ...]:
    """Every layer, in the CSV's order."""
    folder = _folder()
    synonyms: dict[str, list[str]] = {}
    synonyms_file = folder / "service_synonyms.csv"
    if synonyms_file.exists():
        for row in _read(synonyms_file):
            synonyms.setdefault(row["code"].strip(), []).append(row["synonym"].strip())
    found = []
    for number, row in enumerate(_read(source_file()), start=2):
        office = row["office"].strip()
        if office not in {"back", "front"}:
            raise ValueError(
                f"{source_file()}, row {number}, column office: {office!r} "
                "is not an office; expected back or front"
            )
        code = row["code"].strip()
        found.append(
            ServiceLayer(
                code=code,
                label=row["label"].strip(),
                office=office,
                description=row["description"].strip(),
                synonyms=tuple(synonyms.get(code, ())),
            )
        )
    return tuple(found)


def codes() -> tuple[str, ...]:
    """Every layer's code, in order."""
    return tuple(s.code for s in layers())


def layer(code: str) -> ServiceLayer:
    """The layer with ``code``; KeyError names the valid codes."""
    for s in layers():
        if s.code == code:
            return s
    raise KeyError(f"no service layer {code!r}; valid codes: {', '.join(codes())}")


def offices() -> dict[str, str]:
    """Code -> ``back`` or ``front``."""
    return {s.code: s.office for s in layers()}


def office_of(services: tuple[str, ...] | list[str]) -> str | None:
    """``back``, ``front`` or ``mixed`` for a partnership's services (data README rule); None
    when it names no layer."""
    by_code = offices()
    kinds = {by_code[s] for s in services if s in by_code}
    if not kinds:
        return None
    return kinds.pop() if len(kinds) == 1 else "mixed"
