"""The bundled files read and validated once per content (issue 14: a cache keyed by sha256).

A bundled load first turns the files into records: councils with their boundaries' centroids
and links (``build_council_data``, ~0.3 s in a fresh process, most of it decoding the
TopoJSON), validated partnerships, the LGA's editions and the reorganisation proposals. None of
it depends on the graph, only on the files' bytes and this code, so :func:`prepare_bundled`
keeps the result under a key made of every file's sha256 (the same hashes the load records as
``LoadedFile`` provenance), the file limits and a fingerprint of the loaders' and graph's
source code:

* in process (a reload in the same process, the API, the tests, the benchmarks): a dict;
* on disk (the next ``councilgraph load``): a pickle in ``$COUNCILGRAPH_LOAD_CACHE`` (default
  ``$XDG_CACHE_HOME/councilgraph`` or ``~/.cache/councilgraph``); ``off`` turns it off. Only
  files this module wrote there are read, named by their key; an unreadable one is ignored
  and rewritten. A pickle runs code when read, so a file (or folder) that is not the
  user's own, or that others may write, is never read.

Any changed byte in a file or in the code is a new key, so a stale result is never used.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import stat
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from graph import taxonomy
from graph.rules import current_year
from loaders.councils import CouncilData, build_council_data
from loaders.errors import DataError
from loaders.limits import FileLimits
from loaders.matching import CouncilIndex
from loaders.partnerships import FileValidation, Table, read_table, validate_file_rows
from loaders.proposals import PROPOSALS_FILE, ProposalRecord, read_bundled_proposals
from loaders.reference import LgaEditionRecord, read_lga_editions
from loaders.sources import DATA_DIR, BundledSources, sha256_of
from loaders.writer import ServiceAreaRecord

__all__ = [
    "CACHE_ENV",
    "PreparedBundled",
    "cache_dir",
    "clear_memory",
    "display",
    "prepare_bundled",
    "validated",
]

CACHE_ENV = "COUNCILGRAPH_LOAD_CACHE"
_CODE_DIRS = (Path(__file__).resolve().parent, Path(taxonomy.__file__).resolve().parent)
_MEMORY: dict[str, PreparedBundled] = {}


@dataclass(frozen=True, slots=True)
class PreparedBundled:
    """The bundled files as records, ready to compare with the graph."""

    files: tuple[str, ...]  # as displayed and recorded, in BundledSources.files() order
    hashes: dict[str, str]  # displayed name -> sha256
    partnership_file: str
    councils: CouncilData
    areas: tuple[ServiceAreaRecord, ...]
    validation: FileValidation
    editions: tuple[LgaEditionRecord, ...]
    proposals: tuple[ProposalRecord, ...]
    errors: tuple[DataError, ...]  # the partnerships', then the editions', then the proposals'

    @property
    def ids(self) -> list[str]:
        """The valid partnerships' ids."""
        return [r.id for r in self.validation.records]


def display(path: Path) -> str:
    """The file's path relative to the data folder or cwd when possible, for messages."""
    for base in (DATA_DIR.parent, Path.cwd()):
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)


def validated(
    read: tuple[Table | None, list[DataError]],
    display: str,
    vocabulary: Callable[[], tuple[CouncilIndex, Mapping[str, str]]],
    columns: Mapping[str, str] | None = None,
) -> FileValidation:
    """A file as read (``read_table``) and validated, its reading errors first; councils and
    service areas (``vocabulary``) are only asked for when the file could be read."""
    table, errors = read
    if table is None:
        return FileValidation((), tuple(errors), (), 0)
    index, areas = vocabulary()
    validation = validate_file_rows(table, display, index, areas, columns)
    return replace(validation, errors=(*errors, *validation.errors))


def cache_dir() -> Path | None:
    """Where prepared loads are kept on disk (None: not on disk)."""
    chosen = os.environ.get(CACHE_ENV, "")
    if chosen.lower() == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "councilgraph"


def clear_memory() -> None:
    """Forget the in-process results (tests and benchmarks measure a first load with it)."""
    _MEMORY.clear()


def _code_fingerprint() -> str:
    digest = hashlib.sha256()
    for folder in _CODE_DIRS:
        for path in sorted(folder.glob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _key(hashes: dict[str, str], proposals: str, limits: FileLimits | None) -> str:
    """Every input of a prepared load: the files, the taxonomy's synonyms, the limits, the
    code, and the current year (validation accepts years up to ten years ahead)."""
    parts = [*(f"{name}={value}" for name, value in hashes.items()), f"proposals={proposals}"]
    parts += [f"{p.name}={sha256_of(p)}" for p in taxonomy.source_files()]
    parts += [repr(limits), _code_fingerprint(), f"year={current_year()}"]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _private(path: Path) -> bool:
    """True when ``path`` is the current user's and no one else may write it: a pickle runs
    code when read, so only a file the user alone could have written is trusted."""
    try:
        status = path.stat()
    except OSError:
        return False
    return status.st_uid == os.getuid() and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _from_disk(key: str) -> PreparedBundled | None:
    folder = cache_dir()
    path = folder / f"load-{key}.pickle" if folder else None
    if path is None or not path.is_file() or not (_private(path.parent) and _private(path)):
        return None
    try:
        found = pickle.loads(path.read_bytes())  # noqa: S301  (the user's own file, see _private)
    except Exception:  # a broken or outdated file is only a miss; it is rewritten
        return None
    return found if isinstance(found, PreparedBundled) else None


def _to_disk(key: str, prepared: PreparedBundled) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(folder):
            return  # a folder others may write is never read from either
        partial = folder / f"load-{key}.{os.getpid()}.tmp"
        partial.write_bytes(pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL))
        partial.chmod(0o600)
        partial.replace(folder / f"load-{key}.pickle")  # whole or not at all
    except OSError:
        return  # a cache that cannot be written is only slower


def prepare_bundled(
    sources: BundledSources,
    limits: FileLimits | None = None,
    progress: Callable[[int], None] = lambda step: None,
) -> PreparedBundled:
    """The bundled files as records (from the cache when their bytes were seen before);
    ``progress`` is told the step (0: councils, 1: partnerships) as each starts."""
    files = tuple(display(p) for p in sources.files())
    hashes = {name: sha256_of(path) for name, path in zip(files, sources.files(), strict=True)}
    key = _key(hashes, sha256_of(PROPOSALS_FILE), limits)
    found = _MEMORY.get(key) or _from_disk(key)
    if found is None:
        with _collector_paused():
            found = _prepare(sources, limits, files, hashes, progress)
        _to_disk(key, found)
    _MEMORY[key] = found
    return found


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while the files are prepared (issue 14).

    Preparing allocates a few hundred thousand small objects that live until it ends (the
    TopoJSON as parsed, the rows, the records); the collector would walk them all again and
    again, finding nothing to free: a quarter of a first preparation's time. Reference
    counting still frees everything as usual. Paused only if it was running, and running
    again afterwards whatever happens (so a caller's own pause is left alone).
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def _prepare(
    sources: BundledSources,
    limits: FileLimits | None,
    files: tuple[str, ...],
    hashes: dict[str, str],
    progress: Callable[[int], None],
) -> PreparedBundled:
    progress(0)
    councils = build_council_data(sources)
    areas = tuple(
        ServiceAreaRecord(layer.code, layer.label, layer.office, layer.description)
        for layer in taxonomy.layers()
    )
    progress(1)
    index = CouncilIndex(c.ref() for c in councils.councils)
    partnership_file = display(sources.partnerships)
    validation = validated(
        read_table(sources.partnerships, partnership_file, limits),
        partnership_file,
        lambda: (index, {a.code: a.label for a in areas}),
    )
    editions, edition_errors = read_lga_editions(sources.lga_figures, display(sources.lga_figures))
    proposals, proposal_errors = read_bundled_proposals(index)  # docs/reorganisation.md
    return PreparedBundled(
        files=files,
        hashes=hashes,
        partnership_file=partnership_file,
        councils=councils,
        areas=areas,
        validation=validation,
        editions=tuple(editions),
        proposals=tuple(proposals),
        errors=(*validation.errors, *edition_errors, *proposal_errors),
    )
