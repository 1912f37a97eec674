"""The layout: one folder a stage, no import cycles, no stage reaching into another's insides.

Read from the source with ``ast``: the imports every module of ``listen`` makes when it
is imported (those under ``if TYPE_CHECKING:`` and inside functions are not made then).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import listen

ROOT = Path(listen.__file__).parent
STAGES = ("text", "sources", "engines", "audio", "storage", "queue", "web", "cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(name: str) -> list[tuple[str, list[str]]]:
    """(module, names) of each import ``name`` makes at import time, within listen."""
    tree = ast.parse(MODULES[name].read_text("utf-8"))
    found: list[tuple[str, list[str]]] = []

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If) and not _is_type_checking(node):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
            elif isinstance(node, ast.Import):
                found.extend((a.name, []) for a in node.names if a.name.startswith("listen"))
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.startswith("listen"):
                    found.append((node.module, [a.name for a in node.names]))

    visit(tree.body)
    return found


def edges(name: str) -> set[str]:
    """The listen modules importing ``name`` runs first (a submodule imported by name too).

    A module's own packages are imported before it whatever it says, so importing a
    sibling through its package (``from listen.text.normalize import data``) is an edge
    to the sibling only; a name defined in the package itself is an edge to the package.
    """
    out = set()
    for module, names in imports(name):
        submodules = {f"{module}.{n}" for n in names if f"{module}.{n}" in MODULES}
        out.update(submodules)
        ancestor = name.startswith(module + ".")
        if not ancestor or len(submodules) < len(names):
            out.add(module)
    return {m for m in out if m in MODULES and m != name}


def test_every_stage_is_a_folder_with_a_docstring():
    for stage in STAGES:
        init = ROOT / stage / "__init__.py"
        assert init.exists(), stage
        doc = ast.get_docstring(ast.parse(init.read_text("utf-8")))
        assert doc and len(doc) > 40, f"listen/{stage}/__init__.py says what goes in and out"


def test_no_import_cycles():
    graph = {name: edges(name) for name in MODULES}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                walk(nxt)
        path.pop()
        state[node] = 2

    for name in MODULES:
        if name not in state:
            walk(name)


def stage_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in STAGES) else ""


def test_no_stage_imports_another_stage_s_private_names():
    reaching = [
        f"{name} imports {module}.{imported}"
        for name in MODULES
        for module, names in imports(name)
        for imported in names
        if imported.startswith("_") and stage_of(module) != stage_of(name)
    ]
    assert reaching == []


def test_the_graph_sees_imports():
    # The checks above would pass on an empty graph: the reader must see real edges.
    assert "listen.audio.build" in edges("listen.wiring")
    assert "listen.storage.cache" in edges("listen.audio.build")
    assert "listen.engines.speaker" in edges("listen.audio.build")
