"""The core's packages import only downwards, and no module imports itself in a circle."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "csc_inequalities"
# Each package may import the packages listed before it, never those after it.
LAYERS = (
    ("settings",),
    ("stats", "records"),
    ("reference",),
    ("results",),
    ("context",),
    ("figures",),
    ("publication",),
    ("exports", "demo", "build"),
    ("serving",),
    ("commands", "cli"),
)
LEVEL = {package: level for level, packages in enumerate(LAYERS) for package in packages}


def module_name(path: Path) -> str:
    """The dotted name of a core file."""
    parts = path.relative_to(CORE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def core_imports(path: Path) -> set[str]:
    """The core modules a file imports at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("csc_inequalities"):
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("csc_inequalities"))
    return found


def package_of(module: str) -> str | None:
    """The layer package of a dotted core module name (None for the package root)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


FILES = sorted(CORE.rglob("*.py"))
MODULES = {module_name(path) for path in FILES}


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(CORE)))
def test_each_module_imports_only_its_own_layer_or_below(path):
    own = package_of(module_name(path))
    if own is None or own not in LEVEL:
        return
    upward = {
        module
        for module in core_imports(path)
        if (package := package_of(module)) in LEVEL and LEVEL[package] > LEVEL[own]
    }
    assert not upward, f"{path.relative_to(CORE)} imports from a higher layer: {sorted(upward)}"


def test_every_core_package_has_a_layer():
    packages = {package_of(module) for module in MODULES} - {None, "__init__"}
    assert packages <= set(LEVEL), packages - set(LEVEL)


def test_no_import_cycle_between_modules():
    graph = defaultdict(set)
    for path in FILES:
        source = module_name(path)
        for module in core_imports(path):
            while module and module not in MODULES:
                module = module.rpartition(".")[0]
            if module and module != source and not source.startswith(f"{module}."):
                graph[source].add(module)
    seen, on_path, cycles = set(), [], []

    def visit(node: str) -> None:
        seen.add(node)
        on_path.append(node)
        for target in sorted(graph[node]):
            if target in on_path:
                cycles.append(on_path[on_path.index(target) :] + [target])
            elif target not in seen:
                visit(target)
        on_path.pop()

    for node in sorted(graph):
        if node not in seen:
            visit(node)
    assert not cycles, cycles


def test_tests_share_code_only_through_tests_helpers():
    """A test module imports fixtures from tests/helpers, never from another test module."""
    tests = CORE.parent / "tests"
    wrong = {}
    for path in tests.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                top = node.module.split(".")[0]
                shared = node.module.startswith(("tests.helpers", "tests.conftest"))
                if (top == "tests" and not shared) or top.startswith(("test_", "records_")):
                    wrong.setdefault(path.relative_to(tests).as_posix(), []).append(node.module)
    assert wrong == {}
