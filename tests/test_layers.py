"""The house's layering: imports only point down, and no modules import each other in a circle.

cli -> api -> exports -> visualisation -> contributions -> loaders -> ops -> graph
(docs/architecture.md). A module may import its own package and the ones below it. Imports
under ``if TYPE_CHECKING:`` are for annotations only and do not count; imports inside
functions do (a circle hidden in a function is still a circle).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import ROOT

LAYERS = ("graph", "ops", "loaders", "contributions", "visualisation", "exports", "api", "cli")


def _imports(tree: ast.AST) -> Iterator[str]:
    """Modules imported anywhere in ``tree`` except under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (name for child in node.orelse for name in _imports(child))
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        yield from _imports(node)


def module_imports(root: Path = ROOT) -> dict[str, set[str]]:
    """Module name -> the project modules it imports."""
    found: dict[str, set[str]] = {}
    for package in LAYERS:
        for path in sorted((root / package).rglob("*.py")):
            name = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
            found[name] = set(_imports(ast.parse(path.read_text(encoding="utf-8"))))
    known = set(found)
    return {m: {i for i in imported if i in known and i != m} for m, imported in found.items()}


def back_arrows(imports: dict[str, set[str]]) -> list[str]:
    rank = {package: n for n, package in enumerate(LAYERS)}
    return sorted(
        f"{module} imports {target}"
        for module, targets in imports.items()
        for target in targets
        if rank[target.split(".")[0]] > rank[module.split(".")[0]]
    )


def cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """Every circle of imports (one per strongly connected group of modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in imports.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(imports):
        if node not in index:
            visit(node)
    return groups


def _package_modules(imports: dict[str, set[str]]) -> dict[str, set[str]]:
    # A package's __init__ re-exporting its own modules is not a circle between them.
    return {
        module: {t for t in targets if not module.startswith(t + ".")}
        for module, targets in imports.items()
    }


def test_imports_only_point_down() -> None:
    assert back_arrows(module_imports()) == []


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert cycles(_package_modules(module_imports())) == []


@pytest.mark.parametrize(
    ("planted", "expected"),
    [
        ("from api.app import create_app\n", "graph.rules imports api.app"),
        ("from loaders.load import load_bundled\n", "graph.rules imports loaders.load"),
    ],
)
def test_a_planted_back_arrow_is_caught(tmp_path: Path, planted: str, expected: str) -> None:
    for package in LAYERS:
        (tmp_path / package).mkdir()
        for path in (ROOT / package).rglob("*.py"):
            target = tmp_path / path.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    rules = tmp_path / "graph" / "rules.py"
    rules.write_text(rules.read_text(encoding="utf-8") + planted, encoding="utf-8")
    assert expected in back_arrows(module_imports(tmp_path))


def test_a_circle_is_caught() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
