"""Keep the bundled data (data/) in step with the shared reference data (../shared/data).

    python scripts/sync_data.py --check     # say what differs; exit 1 when anything does
    python scripts/sync_data.py             # copy every changed or new file into data/

The upstream README (the rules the answers are checked against) is kept verbatim as
data/README.upstream.md; data/README.md is the project's own description of the files and is
never overwritten. Files only in data/ are reported, never deleted.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data"
UPSTREAM_README = "README.upstream.md"


def _pairs(shared: Path) -> list[tuple[Path, Path]]:
    """(shared file, its place in data/) for every file of the shared copy."""
    pairs = []
    for source in sorted(p for p in shared.rglob("*") if p.is_file()):
        relative = source.relative_to(shared)
        target = BUNDLED / (UPSTREAM_README if relative == Path("README.md") else relative)
        pairs.append((source, target))
    return pairs


def differences(shared: Path) -> list[str]:
    """One line per file that is new or changed in the shared copy."""
    lines = []
    for source, target in _pairs(shared):
        if not target.exists():
            lines.append(f"new:     {target.relative_to(ROOT)}")
        elif not filecmp.cmp(source, target, shallow=False):
            lines.append(f"changed: {target.relative_to(ROOT)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 on differences")
    args = parser.parse_args(argv)
    if not args.shared.is_dir():
        print(f"sync_data: no shared data at {args.shared}; nothing to compare", file=sys.stderr)
        return 2
    lines = differences(args.shared)
    if args.check:
        if lines:
            print("data/ differs from the shared copy (run `make data-refresh`):")
            print("\n".join(lines))
            return 1
        print(f"data/ matches {args.shared}")
        return 0
    for source, target in _pairs(args.shared):
        if not target.exists() or not filecmp.cmp(source, target, shallow=False):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    print("\n".join(lines) if lines else "data/ was already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
