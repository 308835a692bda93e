"""Rendering in forked worker processes, for a big portal.

The workers are forked: they start with the build's renderer (the portal, the compiled
templates) already in memory, which no other way of starting them gives for free. The
work reaches them in the closure each process is started with, which the fork copies:
nothing is kept in this module, so two pools never share anything.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator
from itertools import islice
from multiprocessing.connection import wait
from typing import Any, TypeVar

from generator.children import child_setup

PARALLEL_RENDER_FROM = 1000
"""From this many posts, the portal's parts are rendered in worker processes."""
ONE_WORKER_FROM = 30_000
"""From this many posts, one worker renders while this process writes. Each worker comes
to hold its own copy of most of the portal, since CPython writes the reference count of
every object it reads, so the pages shared at the fork are copied: with two workers a
90,000-post district's process tree held 1,147 MiB, with none 582 MiB (bench/RESULTS.md,
issue 25's "under 1 GB")."""
RUNS_OUT_PER_WORKER = 2
"""Runs given out ahead of the writing, per worker: one to render while one is sent."""
T = TypeVar("T")


def workers_for(posts: int, runs: int) -> int:
    """How many forked processes render `runs` runs of a portal of `posts` posts: none (this
    process renders) for a small portal, on one core, or where processes cannot be forked;
    one for a portal of `ONE_WORKER_FROM` posts or more."""
    workers = min(os.cpu_count() or 1, runs)
    if posts < PARALLEL_RENDER_FROM or workers < 2 or \
            "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return 1 if posts >= ONE_WORKER_FROM else workers


def in_order(work: Callable[[int], T], count: int, workers: int) -> Iterator[T]:
    """`work(0)` to `work(count - 1)`, each computed in one of `workers` forked processes,
    given in order.

    Only `RUNS_OUT_PER_WORKER` runs per worker are out at a time: workers that rendered
    ahead of the writing would leave their pages waiting in this process's memory (a
    district's whole output). An exception in `work` is raised here; a worker that ends
    (killed by the out-of-memory killer) raises `ChildProcessError` rather than leaving
    its run waited for forever.
    """
    context = multiprocessing.get_context("fork")
    tasks = context.SimpleQueue()
    results, sent = context.Pipe(duplex=False)
    sending = context.Lock()
    setup = child_setup()

    def serve() -> None:
        setup()
        for number in iter(tasks.get, None):
            try:
                outcome: tuple[int, bool, Any] = (number, True, work(number))
            except Exception as error:  # raised in the build's process, as it is
                outcome = (number, False, error)
            with sending:
                sent.send(outcome)

    numbers = iter(range(count))
    # Out of the collector's sight, the portal's objects stay shared with the workers:
    # a collection in a worker would otherwise touch, and so copy, every page of them.
    gc.freeze()
    processes = [context.Process(target=serve, daemon=True) for _ in range(workers)]
    try:
        for process in processes:
            process.start()
        for number in islice(numbers, workers * RUNS_OUT_PER_WORKER):
            tasks.put(number)
        done: dict[int, tuple[bool, Any]] = {}
        for number in range(count):
            while number not in done:
                _wait_for(results, processes)
                got, ok, value = results.recv()
                done[got] = (ok, value)
            ok, value = done.pop(number)
            for given in islice(numbers, 1):
                tasks.put(given)
            if not ok:
                raise value
            yield value
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
        gc.unfreeze()


def _wait_for(results: Any, processes: list[Any]) -> None:
    """Wait until a result can be read.

    Raises:
        ChildProcessError: a worker ended first: its run would never come.
    """
    ready = wait([results, *(process.sentinel for process in processes)])
    if results not in ready:
        ended = next(process for process in processes if process.sentinel in ready)
        ended.join()  # ended: this only collects its exit code
        raise ChildProcessError(f"a rendering worker ended (exit code {ended.exitcode})")
