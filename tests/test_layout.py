"""The package's imports run one way: the command line above ``dipkg.graph`` and ``dipkg.server``,
``dipkg.graph`` never importing the service or the command line, and no module importing itself
back through another (an import circle hides which stage depends on which)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["dipkg", *parts]) if parts[0] in ("graph", "server") else ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every dipkg module the file imports, at any depth (imports inside functions count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("dipkg"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dipkg"):
            found.add(node.module)
    return found


def _graph() -> dict[str, set[str]]:
    files = [*sorted((ROOT / "graph").rglob("*.py")), *sorted((ROOT / "server").rglob("*.py")),
             *sorted((ROOT / "dipkg").glob("*.py"))]
    return {_module_name(p): _imports(p) for p in files}


def test_the_scan_sees_the_package() -> None:
    graph = _graph()
    assert "dipkg.graph.build" in graph and "dipkg.server.app" in graph and "dipkg.cli" in graph
    assert "dipkg.server.app" in graph["dipkg.cli"] or any(m.startswith("dipkg.server") for m in graph["dipkg.cli"])


def test_graph_imports_neither_the_server_nor_the_command_line() -> None:
    upward = {m: sorted(i for i in deps if i.startswith(("dipkg.server", "dipkg.cli")))
              for m, deps in _graph().items() if m.startswith("dipkg.graph")}
    assert {m: deps for m, deps in upward.items() if deps} == {}


def test_the_server_does_not_import_the_command_line() -> None:
    upward = {m: sorted(i for i in deps if i.startswith("dipkg.cli"))
              for m, deps in _graph().items() if m.startswith("dipkg.server")}
    assert {m: deps for m, deps in upward.items() if deps} == {}


def test_no_import_circles() -> None:
    graph = _graph()

    def resolve(name: str) -> str | None:
        """``from dipkg.graph.rules import meetings`` names a package; count its module if known."""
        while name and name not in graph:
            name = name.rpartition(".")[0]
        return name or None

    edges = {m: {r for d in deps if (r := resolve(d)) and r != m and not m.startswith(r + ".")}
             for m, deps in graph.items()}
    circles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                circles.append([*path[path.index(nxt):], nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert circles == []
