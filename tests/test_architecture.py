"""Which way the imports go inside ``src/subtitler`` (docs/architecture.md): no module imports,
even lazily or for type checking only, one that imports it back, and every import goes down
the layers, from the command line to the domain model."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "subtitler"

# Each top-level module or package of subtitler, by layer: a module imports only from lower
# layers (or from inside its own package). Two packages of one layer never import each other.
LAYERS = {
    "subtitler": 0, "config": 0, "errors": 0, "fsutil": 0, "startup": 0, "video_url": 0,
    "model": 1, "layout": 1, "caption_path": 1, "cli_common": 1,
    "align": 2, "transcript": 2, "typography": 2, "sentences": 2, "media": 2, "formats": 2, "results": 2,
    "speaking_time": 3, "linebreak": 3, "incremental": 3,
    "cues": 4,
    "timing": 5,
    "anchors": 6, "qa": 6,
    "html": 7, "report": 7,
    "pipeline": 8,
    "batch": 9,
    "publish": 10, "review": 10,
    "cli": 11,
    "__main__": 12,
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in SRC.rglob("*.py"):
        parts = ["subtitler", *path.relative_to(SRC).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every subtitler module ``name`` imports, wherever the import statement is (a function,
    an ``if TYPE_CHECKING:`` block): ``from . import x`` is the submodule x when there is one,
    else the package."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "subtitler")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] != "subtitler":
                continue
            for alias in node.names:
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in modules else target)
    return {module for module in found if module in modules and module != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def test_no_import_circle_inside_subtitler():
    assert _circles(_graph()) == []


def test_the_circle_finder_finds_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_module_has_a_layer():
    assert {_top(module) for module in _graph()} == set(LAYERS)


def test_imports_go_down_the_layers():
    upward = sorted(
        f"{module} imports {other}"
        for module, imported in _graph().items()
        for other in imported
        if _top(module) != _top(other) and LAYERS[_top(other)] >= LAYERS[_top(module)]
    )
    assert upward == []
