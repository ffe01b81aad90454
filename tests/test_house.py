"""House rules on size: no module over 450 lines and no function over 80 lines in the shipped
packages (docs/architecture.md). A long room usually does two jobs; split it by job."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.paths import ROOT

PACKAGES = ("graph", "ops", "loaders", "contributions", "visualisation", "exports", "api", "cli")
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80


def module_offences(path: str, source: str) -> list[str]:
    """What in one module breaks the size rules: its length, and each function too long
    (counted from ``def`` to its last line, docstring included)."""
    found = []
    lines = len(source.splitlines())
    if lines > MAX_MODULE_LINES:
        found.append(f"{path}: {lines} lines (at most {MAX_MODULE_LINES})")
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{path}:{node.name}: {length} lines (at most {MAX_FUNCTION_LINES})")
    return found


def _shipped_modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def test_no_long_module_or_function_in_the_shipped_packages() -> None:
    modules = _shipped_modules()
    assert len(modules) > 50  # the scan sees the packages
    offences = [
        offence
        for path in modules
        for offence in module_offences(
            path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")
        )
    ]
    assert offences == []


@pytest.mark.parametrize(
    ("body_lines", "module_lines", "expected"),
    [
        (78, 0, []),  # def line + 78 + return = 80: allowed
        (79, 0, ["planted.py:planted: 81 lines (at most 80)"]),
        (1, 450, ["planted.py: 453 lines (at most 450)"]),
    ],
)
def test_the_scan_finds_a_planted_offence(
    body_lines: int, module_lines: int, expected: list[str]
) -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(body_lines))
    source = "def planted() -> None:\n" + body + "    return None\n" + "# .\n" * module_lines
    assert module_offences("planted.py", source) == expected
