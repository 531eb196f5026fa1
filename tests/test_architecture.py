"""The import graph of ``src/segscope`` keeps the shape that docs/architecture.md draws.

The graph is built statically (``ast``), from every ``import`` in every module, including
the imports inside functions (a lazy import is still a dependency); imports under
``if TYPE_CHECKING:`` are left out. Three rules:

1. no import circle between modules;
2. no import goes up a floor (the floors are the table in docs/architecture.md, read from
   the page itself, so the page and the test cannot drift apart);
3. no module borrows another package's private module (``segscope.a._x`` imported from
   outside ``segscope.a``); shared private helpers live in the package root.

Violations that exist today and are being removed are listed in ``ALLOWED`` with a reason.
A new violation fails ``test_no_new_violation``; an entry that is no longer a violation
fails ``test_allowances_are_still_needed`` (delete the entry when you fix it, so the list
only shrinks).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "segscope"
ARCHITECTURE = ROOT / "docs" / "architecture.md"

# The package facade (lazy names only) and ``python -m segscope`` stand above every floor.
FACADE = {"segscope", "segscope.__main__"}

# violation -> why it is still there. Delete an entry in the commit that removes it.
ALLOWED: dict[str, str] = {
    "private loan: segscope.cli.similarity imports segscope.similarity._collection":
        "issue 15: the CLI uses the similarity package's public names (cli helper)",
}


def floors() -> dict[str, int]:
    """Top-level module name -> floor, read from the floors table of docs/architecture.md."""
    table: dict[str, int] = {}
    for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*(\d+)\s*\|(.*?)\|", line)
        if match:
            for name in re.findall(r"`([\w.]+)`", match.group(2)):
                table[name] = int(match.group(1))
    assert table, f"no floors table found in {ARCHITECTURE}"
    return table


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes inside ``if TYPE_CHECKING:`` blocks."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skip.update(id(n) for n in ast.walk(child))
    return skip


def import_graph() -> dict[str, set[str]]:
    """Module -> the segscope modules it imports (a submodule when one is named)."""
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skip = _type_checking_nodes(tree)
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        targets: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name.split(".")[0] == "segscope")
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target.split(".")[0] != "segscope":
                    continue
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    targets.add(sub if sub in paths else target)
        graph[name] = {t for t in targets if t != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _top(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def violations() -> set[str]:
    graph = import_graph()
    table = floors()
    found = {"circle: " + ", ".join(c) for c in circles(graph)}
    for module, targets in graph.items():
        if module in FACADE:
            continue
        top = _top(module)
        if top not in table:
            found.add(f"no floor: segscope.{top}")
            continue
        for target in targets:
            other = _top(target)
            if other in table and table[other] > table[top]:
                found.add(f"up a floor: {module} (floor {table[top]}) imports "
                          f"segscope.{other} (floor {table[other]})")
            private = [i for i, p in enumerate(target.split(".")) if p.startswith("_")
                       and not p.startswith("__")]
            if private and private[0] >= 2:  # a private module inside a subpackage
                owner = ".".join(target.split(".")[: private[0]])
                if not (module == owner or module.startswith(owner + ".")):
                    found.add(f"private loan: {module} imports {target}")
    return found


def test_the_graph_sees_the_package():
    graph = import_graph()
    assert "segscope.confusion" in graph["segscope.metrics"]
    assert len(graph) > 50


def test_floors_are_read_from_the_page():
    table = floors()
    assert table["errors"] == 0 and table["io"] == 1 and table["cli"] == 4


def test_circles_are_found():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_new_violation():
    new = sorted(violations() - set(ALLOWED))
    assert not new, "import rules of docs/architecture.md broken:\n" + "\n".join(new)


def test_allowances_are_still_needed():
    stale = sorted(set(ALLOWED) - violations())
    assert not stale, ("fixed, delete from ALLOWED in tests/test_architecture.py:\n"
                       + "\n".join(stale))



def test_benchmarks_run_as_modules():
    """``python -m benchmarks.NAME``: relative imports of the helpers, no sys.path edits."""
    found = []
    for path in sorted((ROOT / "benchmarks").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and not node.level and \
                    (node.module or "").startswith("_") and node.module != "__future__":
                found.append(f"{path.name}: from {node.module} import (use from .{node.module})")
            if isinstance(node, ast.Call) and "sys.path" in ast.unparse(node.func):
                found.append(f"{path.name}: edits sys.path")
    assert (ROOT / "benchmarks" / "__init__.py").exists()
    assert not found, "\n".join(found)
