"""The import rules of issue 22, read from the code: the sources and collect use
incremental building only through the memos they are handed, and the CLI goes through
the build's stages and tasks, never to the stores itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GENERATOR = Path(__file__).resolve().parent.parent / "generator"


def imported(module: Path) -> set[str]:
    """The modules `module` imports, by their full names (`from a import b`: `a.b` too,
    since `b` may be a module)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("module", [*sorted((GENERATOR / "sources").glob("*.py")),
                                    GENERATOR / "collect.py"], ids=lambda p: p.name)
def test_the_sources_and_collect_use_incremental_building_only_through_its_memos(
        module: Path) -> None:
    reaching = {name for name in imported(module) if name.startswith("generator.incremental")
                and not name.startswith("generator.incremental.memo")}
    assert reaching == set()


def test_the_cli_reads_and_writes_nothing_itself() -> None:
    stores = {"generator.archive", "generator.sources.content", "generator.sources.feeds",
              "generator.write"}
    assert imported(GENERATOR / "cli.py") & stores == set()


def test_the_rules_are_read_where_they_are_broken(tmp_path: Path) -> None:
    """The reading above finds both kinds of import."""
    module = tmp_path / "broken.py"
    module.write_text("import generator.archive\nfrom generator.incremental import cache\n")
    assert {"generator.archive", "generator.incremental.cache"} <= imported(module)
