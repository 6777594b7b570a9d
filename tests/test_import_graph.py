"""The package is layered: no module of ``zoo`` or ``zoo.datasets`` imports, directly or
through others, a module that imports it back. Imports inside functions count too: a circle
of lazy imports still ties the modules together, and becomes a real one the day an import
moves to the top of its file.

The graph is read from the source (``ast``), so it needs no import of the package:
``import a.b`` and ``from a import b`` name ``a.b`` when that is a module, else ``a``. Imports
under ``if TYPE_CHECKING:`` never run and are left out; so is the implicit import of a
module's parent packages (Python's own, which every package has).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# where each package's source lies (datasets/ installs as zoo.datasets, see setup.cfg)
PACKAGES = {"zoo": ROOT / "zoo", "zoo.datasets": ROOT / "datasets"}


def module_files(packages: dict[str, Path] = PACKAGES) -> dict[str, Path]:
    """Every module by its dotted name: ``zoo.dqn.agent`` -> ``zoo/dqn/agent.py``."""
    modules = {}
    for package, folder in packages.items():
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join((package, *parts))] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, in_functions: bool = True):
    """Every import statement in ``tree``, at any depth (with ``in_functions=False``: those that
    run when the module is imported), but not under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (statement for child in node.orelse for statement in _imports(child, in_functions))
            continue
        if not in_functions and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        yield from _imports(node, in_functions)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def import_graph(modules: dict[str, Path], in_functions: bool = True) -> dict[str, set[str]]:
    """Each module -> the modules of the package it imports (``in_functions=False``: as it is imported)."""
    graph = {}
    for module, path in modules.items():
        edges = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path)), in_functions):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                source = _absolute(node, module, path.name == "__init__.py")
                # `from a import b`: the module a.b if there is one, else a name in a
                names = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                         for alias in node.names]
            edges.update(name for name in names if name in modules and name != module)
        graph[module] = edges
    return graph


def find_circle(graph: dict[str, set[str]]) -> list[str] | None:
    """A circle of imports (its first module repeated at the end), or None."""
    state = {}  # module -> "open" while on the current path, "done" once fully explored
    path: list[str] = []

    def visit(module):
        state[module] = "open"
        path.append(module)
        for imported in sorted(graph.get(module, ())):
            if state.get(imported) == "open":
                return path[path.index(imported):] + [imported]
            if imported not in state:
                circle = visit(imported)
                if circle:
                    return circle
        path.pop()
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state:
            circle = visit(module)
            if circle:
                return circle
    return None


def test_the_package_has_no_import_circle():
    graph = import_graph(module_files())
    assert "zoo.cli" in graph and "zoo.datasets.mnist" in graph  # both folders were read
    circle = find_circle(graph)
    assert circle is None, "import circle: " + " -> ".join(circle)


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """The modules ``start`` imports, directly or through others."""
    seen, todo = set(), [start]
    while todo:
        for imported in graph[todo.pop()] - seen:
            seen.add(imported)
            todo.append(imported)
    return seen


MODEL_MODULES = ("zoo.common", "zoo.layers", "zoo.backend_steps", "zoo.dense", "zoo.vision", "zoo.transfer", "zoo.sentiment", "zoo.word2vec",
                 "zoo.gan", "zoo.dqn", "zoo.doom")


def _within(modules, packages) -> set[str]:
    return {module for module in modules if any(module == p or module.startswith(f"{p}.") for p in packages)}


def test_the_books_settings_reach_no_model_module():
    """zoo.recipes is data: the models read it, never the other way round, even inside a function."""
    graph = import_graph(module_files())
    assert _within(reachable(graph, "zoo.recipes"), MODEL_MODULES) == set()
    assert "zoo.recipes" in reachable(graph, "zoo.gan") and "zoo.recipes" in reachable(graph, "zoo.doom")


def test_builders_import_no_registry_until_a_weights_name_is_resolved():
    graph = import_graph(module_files(), in_functions=False)
    for module in _within(graph, MODEL_MODULES):
        assert _within(reachable(graph, module), ["zoo.pretrained"]) == set(), module
    assert "zoo.weights_names" in graph["zoo.common"]  # the name check, from below both


@pytest.mark.parametrize("module", ["zoo.runtime", "zoo.runrecords", "zoo.runfolder", "zoo.checkpoints", "zoo.pretrained",
                                    "zoo.recipes"])
def test_errors_and_choices_live_below_the_command_line(module):
    graph = import_graph(module_files())
    assert "zoo.cli" not in reachable(graph, module)


def _package(tmp_path, files: dict[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        path = tmp_path / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return module_files({"pkg": tmp_path / "pkg"})


def test_a_planted_circle_through_a_function_level_import_is_named(tmp_path):
    modules = _package(tmp_path, {
        "__init__.py": "",
        "a.py": "from pkg import b\n",
        "b.py": "from pkg.sub import c\n",
        "sub/__init__.py": "",
        "sub/c.py": "def later():\n    from .. import a\n",
    })
    assert find_circle(import_graph(modules)) == ["pkg.a", "pkg.b", "pkg.sub.c", "pkg.a"]


@pytest.mark.parametrize("files", [
    # a layered package: the registry below its users, a name (not a module) taken from a package
    {"__init__.py": "", "a.py": "import pkg.b\nfrom pkg import b\n", "b.py": "from pkg.c import VALUE\n",
     "c.py": "VALUE = 1\n"},
    # an import only for type checkers never runs
    {"__init__.py": "", "a.py": "import pkg.b\n",
     "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n"},
    # a package's __init__ re-exporting its submodules, which import their siblings, not it
    {"__init__.py": "from pkg.a import A\n", "a.py": "from pkg.b import B\nA = B\n", "b.py": "B = 1\n"},
])
def test_a_layered_package_has_no_circle(tmp_path, files):
    assert find_circle(import_graph(_package(tmp_path, files))) is None


# docs/layout.md's layers, from the bottom; a module's own package (``zoo``) counts as layer 1
LAYERS = [
    ("zoo", "zoo.errors", "zoo.choices", "zoo.weights_names", "zoo.files", "zoo.startup", "zoo.stopping",
     "zoo.saving"),
    ("zoo.datasets", "zoo.recipes", "zoo.book_reference"),
    ("zoo.runrecords", "zoo.runfolder"),
    ("zoo.pretrained",),
    MODEL_MODULES,
    ("zoo.runtime", "zoo.checkpoints", "zoo.plots", "zoo.environment", "zoo.cli", "zoo.exits", "zoo.config",
     "zoo.photos", "zoo.training"),
    # re-measuring the cards plays agents and builds models, and has a command line of its own
    ("zoo.commands", "zoo.__main__", "zoo.pretrained.verify", "zoo.pretrained.measures", "zoo.pretrained.__main__"),
]


def layer_of(module: str) -> int:
    """The number (1 up) of the layer whose names hold ``module`` (the longest name that does)."""
    found = [(len(name), number) for number, names in enumerate(LAYERS, 1) for name in names
             if module == name or (name != "zoo" and module.startswith(f"{name}."))]
    assert found, f"{module} is in no layer of docs/layout.md"
    return max(found)[1]


def test_each_module_imports_only_its_own_layer_or_those_below():
    graph = import_graph(module_files())
    upward = sorted(f"{module} (layer {layer_of(module)}) imports {imported} (layer {layer_of(imported)})"
                    for module, edges in graph.items() for imported in edges
                    if layer_of(imported) > layer_of(module))
    assert upward == []
