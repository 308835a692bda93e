"""The architecture rules of issue 22, read from the source (docs/decisions.md,
"Architecture"): modules small enough to hold in one's head; the pure stages (collect,
render) kept away from the stores; the sources using incremental building only through
the memos they are handed; the archive storing records without knowing their sources;
and the CLI going through the build's stages and tasks, never to a store itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GENERATOR = Path(__file__).resolve().parent.parent / "generator"
MAX_LINES = 600
PURE = [GENERATOR / "collect.py", *sorted((GENERATOR / "render").rglob("*.py"))]
"""The stages that take records and give records: no store, no previous output."""
STORES = ("generator.incremental", "generator.cache", "generator.freshness", "sqlite3",
          "generator.sources", "generator.archive", "generator.picture_copies",
          "generator.write")
"""What a pure stage may not import: it is handed memos instead."""
HANDED_IN = ("generator.incremental.memo",)
"""The part of `generator.incremental` a pure stage may import: the memos' protocols."""


def module_name(path: Path) -> str:
    """`generator.render` for generator/render/__init__.py."""
    parts = path.relative_to(GENERATOR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def imported(source: str, module: str) -> list[tuple[int, str]]:
    """(line, module) of every import in `source`, the text of `module`, at the top or
    inside a function; `from a import b` as `a.b`, which is `b`'s module if it is one."""
    found = []
    package = module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[:len(package) - node.level + 1], base]).strip(".")
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def store_imports(source: str, module: str) -> list[str]:
    return [f"{module}:{line}: {name}" for line, name in imported(source, module)
            if under(name, STORES) and not under(name, HANDED_IN)]


@pytest.mark.parametrize("path", sorted(GENERATOR.rglob("*.py")),
                         ids=lambda path: module_name(path))
def test_no_module_is_over_600_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(GENERATOR.parent)}: {lines} lines"


@pytest.mark.parametrize("path", PURE, ids=lambda path: module_name(path))
def test_collect_and_render_import_no_store(path: Path) -> None:
    module = module_name(path) + (".__init__" if path.name == "__init__.py" else "")
    assert store_imports(path.read_text(encoding="utf-8"), module) == []


def imported_names(path: Path) -> set[str]:
    return {name for _line, name in imported(path.read_text(encoding="utf-8"),
                                             module_name(path))}


@pytest.mark.parametrize("path", [*sorted((GENERATOR / "sources").glob("*.py")),
                                  GENERATOR / "collect.py"], ids=lambda path: path.name)
def test_the_sources_and_collect_use_incremental_building_only_through_its_memos(
        path: Path) -> None:
    assert {name for name in imported_names(path)
            if under(name, ("generator.incremental",)) and not under(name, HANDED_IN)} == set()


@pytest.mark.parametrize("path", sorted(GENERATOR.glob("archive*.py")),
                         ids=lambda path: path.name)
def test_the_archive_stores_records_and_knows_no_source(path: Path) -> None:
    assert {name for name in imported_names(path)
            if under(name, ("generator.sources", "generator.sanitize"))} == set()


def test_the_cli_reads_and_writes_nothing_itself() -> None:
    stores = ("generator.archive", "generator.sources.content", "generator.sources.feeds",
              "generator.write", "sqlite3")
    assert {name for name in imported_names(GENERATOR / "cli.py") if under(name, stores)} \
        == set()


def test_the_import_check_sees_every_way_of_importing() -> None:
    source = """
import sqlite3
from generator.incremental import memo, snapshot
from generator.incremental.memo import PageMemo
from ..cache import BuildCache
from . import keys


def later() -> None:
    from generator import freshness
"""
    assert store_imports(source, "generator.render.pages") == [
        "generator.render.pages:2: sqlite3",
        "generator.render.pages:3: generator.incremental.snapshot",
        "generator.render.pages:5: generator.cache.BuildCache",
        "generator.render.pages:10: generator.freshness",
    ]


def test_the_worker_pool_sits_below_render_and_the_sources() -> None:
    """generator/pool.py is imported by render and by the sources (issue 23): it may
    import nothing of Mading's but the error family and the children's set-up."""
    assert {name for name in imported_names(GENERATOR / "pool.py")
            if under(name, ("generator",))} <= {"generator.errors.CatalogueError",
                                                 "generator.children.child_setup"}


@pytest.mark.parametrize("path", sorted(GENERATOR.rglob("*.py")),
                         ids=lambda path: module_name(path))
def test_worker_processes_come_from_mading_s_own_pool(path: Path) -> None:
    """A `ProcessPoolExecutor` worker killed as the pool starts makes it raise or hang
    (issue 23): processes are started by generator/pool.py."""
    assert {name for name in imported_names(path)
            if under(name, ("concurrent.futures.ProcessPoolExecutor",
                            "concurrent.futures.process"))} == set()
