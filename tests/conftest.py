"""Shared fixtures: small sites copied into a temporary folder, so tests never write
into the repository (the archive lives beside site.yml)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serving import serving_site

# The commands run here as on a school's own computer, whatever runs the tests: `.ci/run`
# sets CI=true, and under CI a build with no portal address is refused (issue 21). The
# tests of that refusal set CI in their own subprocess's environment.
for _variable in ("CI", "GITHUB_ACTIONS"):
    os.environ.pop(_variable, None)

REPO = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "lighthouse: runs Lighthouse on the example school (collected last)")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Lighthouse's tests last: its performance score reads the CPU's speed, so it runs
    once the rest of the suite has stopped loading the machine (issue 27)."""
    items.sort(key=lambda item: item.get_closest_marker("lighthouse") is not None)
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def copy_site(source: Path, destination: Path) -> Path:
    """Copy a site folder (without its archive) and return the path of its site.yml."""
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns(".mading", "public"))
    return destination / "site.yml"


EXAMPLE_PARTS = ("site.yml", "content", "feeds", "img")


def copy_example(destination: Path) -> Path:
    """Copy the example school of the repository root; returns the copy's site.yml."""
    destination.mkdir(parents=True, exist_ok=True)
    for part in EXAMPLE_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, destination / part)
        else:
            shutil.copy(source, destination / part)
    return destination / "site.yml"


@pytest.fixture
def tiny_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of tests/fixtures/tiny: 3 teachers (RSS file, JSON Feed file, Markdown).

    The working folder is the site folder, as when a user runs `mading` there, so
    messages name files as `site.yml` and `content/...`.
    """
    site = copy_site(FIXTURES / "tiny", tmp_path / "site")
    monkeypatch.chdir(site.parent)
    return site


@pytest.fixture
def serving(tiny_site: Path) -> Iterator[str]:
    """`mading serve` of the tiny site (tests/serving.py); its address."""
    with serving_site(tiny_site.parent, "SMA Uji Coba") as url:
        yield url
