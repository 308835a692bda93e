"""Lighthouse in the suite (issue 27): every page tests/lighthouse_check.py names keeps 100
in performance, accessibility, best practices and SEO (and any other category Lighthouse
has), mobile, simulated slow 4G.

Collected last (tests/conftest.py), so that the rest of the suite is not loading the
machine while the performance score is measured; the retry policy is
`lighthouse_check.audit_page`'s, documented in docs/decisions.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import serve_folder
from tests.lighthouse_check import INSTALLED, PAGES, audit_page, build_example

pytestmark = pytest.mark.lighthouse


SLOW_SCRIPT = """addEventListener("load", () => {
  const start = performance.now();
  while (performance.now() - start < 300) {}
});
"""
"""A regression: 300 ms of main-thread work once the page has loaded (a heavy widget)."""
REGRESSED = "guru/endang/2026-08-24-fungsi-invers/index.html"


@pytest.fixture(scope="module")
def example_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not INSTALLED.exists():
        pytest.fail("Lighthouse is not installed: `make test` installs it "
                    "(make lighthouse/node_modules/.installed)")
    return build_example(tmp_path_factory.mktemp("lighthouse"))


@pytest.fixture(scope="module")
def example_address(example_output: Path) -> Iterator[str]:
    with serve_folder(example_output) as base:
        yield base


@pytest.mark.parametrize("page", PAGES)
def test_page_keeps_100_in_every_category(example_address: str, page: str,
                                          tmp_path: Path) -> None:
    audits = audit_page(example_address, page, tmp_path / "report.json")
    for run in audits:
        print(run.line())
    assert audits[-1].below == [], "\n".join(run.line() for run in audits)


def test_a_real_slowdown_fails_whatever_the_retry(example_output: Path, example_address: str,
                                                  tmp_path: Path) -> None:
    """The retry policy lets a loaded machine measure again, not a slow page pass: with
    300 ms of script on every load, the page falls short in every run, retried or not."""
    page = example_output / REGRESSED
    (page.parent / "lambat.js").write_text(SLOW_SCRIPT)
    original = page.read_text()
    page.write_text(original.replace("</body>", '<script src="lambat.js"></script></body>'))
    try:
        audits = audit_page(example_address, REGRESSED, tmp_path / "report.json")
    finally:
        page.write_text(original)
    for run in audits:
        print(run.line())
    assert audits[-1].below == ["performance"], "\n".join(run.line() for run in audits)
