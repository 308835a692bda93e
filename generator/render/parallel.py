"""How many forked worker processes render a big portal (the pool is generator/pool.py).

The workers are forked: they start with the build's renderer (the portal, the compiled
templates) already in memory, which no other way of starting them gives for free. The
work reaches them in the closure each process is started with, which the fork copies:
nothing is kept in this module, so two pools never share anything.
"""

from __future__ import annotations

import multiprocessing
import os

PARALLEL_RENDER_FROM = 1000
"""From this many posts, the portal's parts are rendered in worker processes."""
ONE_WORKER_FROM = 30_000
"""From this many posts, one worker renders while this process writes. Each worker comes
to hold its own copy of most of the portal, since CPython writes the reference count of
every object it reads, so the pages shared at the fork are copied: with two workers a
90,000-post district's process tree held 1,147 MiB, with none 582 MiB (bench/RESULTS.md,
issue 25's "under 1 GB")."""


def workers_for(posts: int, runs: int) -> int:
    """How many forked processes render `runs` runs of a portal of `posts` posts: none (this
    process renders) for a small portal, on one core, or where processes cannot be forked;
    one for a portal of `ONE_WORKER_FROM` posts or more."""
    workers = min(os.cpu_count() or 1, runs)
    if posts < PARALLEL_RENDER_FROM or workers < 2 or \
            "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return 1 if posts >= ONE_WORKER_FROM else workers
