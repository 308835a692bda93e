"""Fuzzing with Hypothesis: what a school can feed Mading must never crash it.

The targets (test_fuzz_*.py) check one property each: the function a build calls on
untrusted input (site.yml, a post's front matter, a feed) returns normally or raises the
error the build turns into a message or a broken-feed line. Any other exception is a crash.

Not collected by the default `pytest` (testpaths = tests). Run:

    .venv/bin/pytest fuzz -p no:cacheprovider                 # a quick pass (profile "dev")
    FUZZ_SECONDS=600 .venv/bin/pytest fuzz -p no:cacheprovider  # 10 minutes in all (`make fuzz`)

Hypothesis has no wall-clock budget of its own: with FUZZ_SECONDS, each target is run
again and again (rounds of the profile's `max_examples`, each with a fresh random seed)
until its share of FUZZ_SECONDS, split evenly between the collected targets, has passed.
The profile is the one named by HYPOTHESIS_PROFILE ("dev", "fuzz"; "fuzz" when
FUZZ_SECONDS is set). At the end, the examples each target ran are printed.
"""

from __future__ import annotations

import functools
import os
import time
from collections import Counter
from collections.abc import Callable, Generator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
# No example database: a failure prints its input and a @reproduce_failure blob instead,
# and no .hypothesis/ folder is left in the working tree.
settings.register_profile("dev", max_examples=100, deadline=None, database=None,
                          print_blob=True, suppress_health_check=_SLOW)
settings.register_profile("fuzz", max_examples=200, deadline=None, database=None,
                          print_blob=True, suppress_health_check=_SLOW)
BUDGET = float(os.environ.get("FUZZ_SECONDS", "0"))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fuzz" if BUDGET else "dev"))

_examples: Counter[str] = Counter()
_rounds: Counter[str] = Counter()
_seconds: dict[str, float] = {}
_share: list[float] = [0.0]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    _share[0] = BUDGET / len(items) if items and BUDGET else 0.0


def _counting(name: str, inner: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(inner)
    def counted(*args: Any, **kwargs: Any) -> Any:
        _examples[name] += 1
        return inner(*args, **kwargs)
    return counted


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, Any, Any]:
    """Count each example; with a budget, run the target round after round until its
    share of the time has passed. Targets take no fixtures (each makes its own files)."""
    test = pyfuncitem.obj
    name = pyfuncitem.name
    hypothesis = getattr(test, "hypothesis", None)
    if hypothesis is not None:
        hypothesis.inner_test = _counting(name, hypothesis.inner_test)
    started = time.monotonic()
    _rounds[name] += 1
    try:
        result = yield  # the first round; a failure ends the target here
        while hypothesis is not None and time.monotonic() - started < _share[0]:
            _rounds[name] += 1
            test()
    finally:
        _seconds[name] = time.monotonic() - started
    return result


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _examples:
        return
    terminalreporter.section("fuzzing: examples run per target")
    for name, count in sorted(_examples.items()):
        terminalreporter.write_line(
            f"{name}: {count:,} examples in {_rounds[name]} round(s), "
            f"{_seconds.get(name, 0.0):.0f} s")
    terminalreporter.write_line(f"total: {sum(_examples.values()):,} examples")
