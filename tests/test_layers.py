"""The package's layers (DESIGN §2) as data: imports point only down, and never in a circle.

Every ``.py`` under ``iaptlab/`` is parsed with :mod:`ast` (not imported), and every import is
read: at module level, inside functions, under ``if TYPE_CHECKING:``, relative and absolute. A
module may import its own layer or a lower one, never a higher one, and the import graph has no
cycle, not even inside one layer. A module missing from :data:`LAYERS` fails the test: a new
module must be given its place in the house.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "iaptlab"

#: DESIGN §2: module -> layer. A name ending in ``.*`` covers a package and every module in it.
LAYERS: dict[str, int] = {
    # 0: the package itself (its __init__ holds only the version)
    "iaptlab": 0,
    # 1: instruments and errors as data; the one table of labels and number formats (charts,
    # report, CLI and explorers all word numbers through it, so it sits below all of them)
    "iaptlab.instruments": 1,
    "iaptlab.errors": 1,
    "iaptlab.format": 1,
    # 2: items -> totals; the episode table and reading it
    "iaptlab.scoring": 2,
    "iaptlab.schema": 2,
    "iaptlab.episodes": 2,
    "iaptlab.episode_files": 2,
    "iaptlab.csv_files": 2,
    "iaptlab.lesson_files": 2,
    # 3: outcome rules, change statistics, agreement, costs, the bundled data and lesson files
    "iaptlab.outcomes": 3,
    "iaptlab.reliable_change": 3,
    "iaptlab.clinical_significance": 3,
    "iaptlab.accuracy": 3,
    "iaptlab.costs": 3,
    "iaptlab.datasets": 3,
    "iaptlab.disclosure": 3,
    "iaptlab.national": 3,
    "iaptlab.change_and_cost": 3,
    "iaptlab.predictive_values": 3,
    "iaptlab.measurement_error": 3,
    "iaptlab.example_cases": 3,
    "iaptlab.fair_evaluation": 3,
    # 4: the simulator
    "iaptlab.cohort_model": 4,
    "iaptlab.selection": 4,
    "iaptlab.simulate": 4,
    "iaptlab.lesson_cohort": 4,
    "iaptlab.definitions": 4,
    "iaptlab.demand": 4,
    "iaptlab.regression_to_mean": 4,
    "iaptlab.attrition": 4,
    # 5: reconciling the two headline numbers
    "iaptlab.reconcile": 5,
    "iaptlab._shapley": 5,
    "iaptlab.reconcile_gap": 5,
    # 6: every chart (the only importer of altair)
    "iaptlab.charts": 6,
    "iaptlab.charts.*": 6,
    # 7: labels and formats, widgets, exercises and their answers, explorers, lesson helpers
    "iaptlab.widgets": 7,
    "iaptlab.exercises": 7,
    "iaptlab._answers": 7,
    "iaptlab._answers.*": 7,
    "iaptlab.explorers": 7,
    "iaptlab.explorers.*": 7,
    "iaptlab.notebook": 7,
    # 8: commands and builds
    "iaptlab.cli": 8,
    "iaptlab.report": 8,
    "iaptlab.workbook": 8,
    "iaptlab.doctor": 8,
    "iaptlab.editions": 8,
    "iaptlab.site": 8,
}

#: Only the charts package may import Altair (DESIGN §2, layer 6).
ALTAIR_HOME = "iaptlab.charts"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


MODULES = _modules()


def layer_of(module: str) -> int | None:
    """The layer of ``module`` from :data:`LAYERS` (exact name first, then ``package.*``)."""
    if module in LAYERS:
        return LAYERS[module]
    parts = module.split(".")
    for end in range(len(parts) - 1, 0, -1):
        wildcard = ".".join(parts[:end]) + ".*"
        if wildcard in LAYERS:
            return LAYERS[wildcard]
    return None


def _imports(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import statement anywhere in the file."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield (candidate if candidate in MODULES else base), node.lineno


def _edges() -> list[tuple[str, str, int]]:
    """(importer, imported, line) for every import of an iaptlab module by an iaptlab module."""
    edges: list[tuple[str, str, int]] = []
    for module, path in MODULES.items():
        for target, line in _imports(module, path):
            if (target == "iaptlab" or target.startswith("iaptlab.")) and target != module:
                edges.append((module, target, line))
    return sorted(set(edges))  # ``from x import a, b`` is one edge


EDGES = _edges()


def test_every_module_has_a_layer():
    missing = sorted(m for m in MODULES if layer_of(m) is None)
    assert not missing, ("modules not in the layer table (tests/test_layers.py LAYERS); give each "
                         f"its layer from DESIGN §2: {missing}")


def test_no_import_points_to_a_higher_layer():
    upward = [f"{a} (layer {layer_of(a)}) imports {b} (layer {layer_of(b)}) at line {line}"
              for a, b, line in EDGES
              if layer_of(a) is not None and layer_of(b) is not None and layer_of(b) > layer_of(a)]
    assert not upward, "imports pointing up a layer:\n" + "\n".join(upward)


def _cycles(edges: list[tuple[str, str, int]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (or a self-import)."""
    graph: dict[str, set[str]] = {}
    for a, b, _ in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm; the graph has a few dozen nodes
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in graph[node]:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_no_import_cycles():
    cycles = _cycles(EDGES)
    lines = []
    for component in cycles:
        members = set(component)
        inside = [f"  {a} -> {b} (line {line})" for a, b, line in EDGES if a in members and b in members]
        lines.append(" <-> ".join(component) + "\n" + "\n".join(inside))
    assert not cycles, "import cycles:\n" + "\n".join(lines)


def test_the_cycle_finder_finds_a_cycle_and_ignores_a_chain():
    assert _cycles([("a", "b", 1), ("b", "c", 1), ("c", "a", 1), ("c", "d", 1)]) == [["a", "b", "c"]]
    assert _cycles([("a", "b", 1), ("b", "c", 1), ("a", "c", 1)]) == []
    assert _cycles([("a", "a", 1)]) == [["a"]]


@pytest.mark.parametrize(("module", "layer"), [("iaptlab.charts.theme", 6),
                                               ("iaptlab.explorers.thresholds", 7),
                                               ("iaptlab.outcomes", 3), ("iaptlab.nowhere", None)])
def test_layer_lookup_uses_exact_names_then_package_wildcards(module, layer):
    assert layer_of(module) == layer


def test_relative_imports_are_resolved():
    # the parser is what every other test rests on: check it on a real module
    targets = {target for target, _ in _imports("iaptlab.outcomes", MODULES["iaptlab.outcomes"])}
    assert {"iaptlab.instruments", "iaptlab.errors", "iaptlab.schema"} <= targets


def test_only_the_charts_package_imports_altair():
    offenders = [f"{module} imports {target} at line {line}"
                 for module, path in MODULES.items()
                 if not (module == ALTAIR_HOME or module.startswith(ALTAIR_HOME + "."))
                 for target, line in _imports(module, path)
                 if target == "altair" or target.startswith("altair.")]
    assert not offenders, "altair imported outside iaptlab.charts:\n" + "\n".join(offenders)


def test_every_charts_module_and_public_name_is_reachable_lazily():
    """``iaptlab.charts`` imports on first use: each module (``charts.national``) and each name in
    ``__all__`` must be reachable as an attribute in a fresh interpreter, and nothing else."""
    import subprocess
    import sys

    modules = sorted(p.stem for p in (PACKAGE / "charts").glob("*.py") if p.stem != "__init__")
    code = ("import iaptlab.charts as c, sys; "
            f"missing = [m for m in {modules!r} if getattr(c, m, None) is None]; "
            "missing += [n for n in c.__all__ if getattr(c, n, None) is None]; "
            "print(missing); print(hasattr(c, 'no_such_chart'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[:2] == ["[]", "False"]
