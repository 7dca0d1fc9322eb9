"""The layout stays one-way: no module of notewarden imports, even lazily inside a
function, a module that imports it back. Imports under `if TYPE_CHECKING:` are for
annotations only and do not count."""

from __future__ import annotations

import ast
from pathlib import Path

import notewarden

PACKAGE = Path(notewarden.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.AST, name: str, is_package: bool) -> set[str]:
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = name.split(".")
                    base = base if is_package else base[:-1]
                    base = base[: len(base) - child.level + 1]
                    module = ".".join([*base, child.module] if child.module else base)
                else:
                    module = child.module or ""
                found.add(module)
                found.update(f"{module}.{alias.name}" for alias in child.names)
            visit(child)

    visit(tree)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = _imports(tree, name, path.name == "__init__.py")
        # `from notewarden.rules import capped` imports the package `notewarden.rules`;
        # `from notewarden.rules import alias_link` the submodule: keep what exists.
        graph[name] = {module for module in imported if module in modules and module != name}
    # A package's __init__ runs when any of its submodules is imported: `notewarden` itself
    # only holds the version and is left out, or everything would import everything.
    graph.pop("notewarden", None)
    for edges in graph.values():
        edges.discard("notewarden")
    return graph


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = import_graph()
    cycles = []
    for start in graph:
        stack = [(start, [start])]
        seen = set()
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    cycles.append(" -> ".join([*path, start]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    assert cycles == []


def test_the_index_knows_nothing_of_rules_and_rules_do_no_io() -> None:
    graph = import_graph()
    assert not {m for m in graph["notewarden.index"] if m.startswith("notewarden.rules")}
    for name, edges in graph.items():
        if name.startswith("notewarden.rules."):
            assert not edges & {"notewarden.reading", "notewarden.writer", "notewarden.store",
                                "notewarden.vault", "notewarden.cli"}, name
