"""The dependencies pyproject.toml declares are those the code uses: every runtime dependency
is used by ``src/subtitler`` (imported, or loaded by name), and every package it imports is a
runtime dependency, or the ``cluster`` extra for ``--scheduler``."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "subtitler"


def _distribution(requirement: str) -> str:
    return re.split(r"[<>=!~\[;\s]", requirement, maxsplit=1)[0].lower()


def _declared() -> tuple[set[str], dict[str, set[str]]]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = {name: {_distribution(r) for r in requirements}
              for name, requirements in project["optional-dependencies"].items()}
    return {_distribution(r) for r in project["dependencies"]}, extras


def _used_names() -> tuple[set[str], set[str]]:
    """Top-level names ``src/subtitler`` imports, and the names it loads by a string (a
    module given to importlib, a package's data files)."""
    imported: set[str] = set()
    named: set[str] = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                named.add(node.value.split(".")[0])
    third_party = {name for name in imported if name not in sys.stdlib_module_names and name != "subtitler"}
    return third_party, named


def test_every_runtime_dependency_is_used_by_the_code():
    runtime, _ = _declared()
    imported, named = _used_names()
    distributions = packages_distributions()
    unused = sorted(
        dist for dist in runtime
        if not any(dist in {d.lower() for d in distributions.get(name, ())} for name in imported | named)
    )
    assert unused == [], f"declared but never used by src/subtitler: {unused}"


def test_every_package_the_code_imports_is_declared():
    runtime, extras = _declared()
    assert extras["cluster"] == {"dask"}  # dask[distributed]: the distributed package, for --scheduler
    imported, _ = _used_names()
    distributions = packages_distributions()
    undeclared = sorted(
        name for name in imported
        if not {d.lower() for d in distributions.get(name, ())} & (runtime | {"distributed"})
    )
    assert undeclared == [], f"imported by src/subtitler but not declared: {undeclared}"


def test_the_four_core_libraries_asked_for_are_runtime_dependencies():
    """webvtt-py, python-frontmatter, ffmpeg-python and nltk (README, Design): each one is
    declared for the build and, by the test above, used by it."""
    runtime, _ = _declared()
    assert {"webvtt-py", "python-frontmatter", "ffmpeg-python", "nltk"} <= runtime
