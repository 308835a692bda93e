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
from tests.lighthouse_check import (
    INSTALLED,
    PAGES,
    Audit,
    audit_page,
    build_example,
    passed,
)

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
    assert passed(audits), "\n".join(run.line() for run in audits)


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


def run(benchmark_index: float, cpu_slowdown: float = 4.0, performance: float = 0.98) -> Audit:
    scores = {"performance": performance, "accessibility": 1.0, "best-practices": 1.0,
              "seo": 1.0}
    return Audit("index.html", scores, benchmark_index, 1024, 10, cpu_slowdown)


def test_the_retry_is_never_the_easier_test() -> None:
    """What decides a retry, without Lighthouse: only a loaded machine is retried, with a
    slowdown that simulates no faster phone than the default on a 1,500 machine, and a
    retry whose machine freed up does not count."""
    assert run(2300).below == ["performance"] and not run(2300).loaded
    assert run(900).loaded and run(900).calibrated_slowdown() == pytest.approx(2.4)
    assert run(200).calibrated_slowdown() == 1.0  # never a speed-up
    assert run(1700).calibrated_slowdown() == 4.0  # never above the default
    assert not run(900, cpu_slowdown=2.4).eased
    assert run(1400, cpu_slowdown=2.4).eased  # the machine freed up during the retry
    assert not run(2300).eased
    assert run(2300, performance=1.0).below == []
    assert passed([run(900), run(950, 2.4, performance=1.0)])
    assert not passed([run(900), run(1400, 2.4, performance=1.0)])  # eased: not counted
