"""Run one command and measure its whole process tree: wall time, CPU time, peak memory.

Why not `resource.getrusage(RUSAGE_CHILDREN)` or `/usr/bin/time -v` alone: their
`ru_maxrss` is the peak of the *largest single process*, not of the tree. Mading runs a
process pool and Pagefind (a separate binary), so the memory a build needs at its peak is
the sum over the processes alive at that moment. That sum is sampled here with psutil
every 50 ms (children found recursively, so pool workers and Pagefind count). It is an
upper bound: pages shared between forked processes are counted in each. The largest single
process (`os.wait4`'s `ru_maxrss`, which covers the child and every descendant it reaped)
is reported beside it as the lower bound; for a single-process tool the two agree.

CPU time is user + system of the child and its reaped descendants (wait4's rusage). A build
that outlives its limit is killed with its whole process group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

SAMPLE_SECONDS = 0.05


@dataclass(frozen=True)
class TreeRun:
    command: tuple[str, ...]
    wall: float
    cpu: float
    """User + system seconds of the child and the descendants it reaped."""
    peak_tree_rss: int
    """Bytes: the largest sum of RSS over the process tree, sampled every 50 ms."""
    largest_process_rss: int
    """Bytes: the peak RSS of the largest single process of the tree (wait4)."""
    processes: int
    """The most processes seen alive in the tree at once."""
    samples: int
    returncode: int
    timed_out: bool
    load: float
    """The machine's 1-minute load average just before the start."""
    stdout: str
    stderr: str


class _Sampler(threading.Thread):
    """Sums the RSS of a process and all its descendants until told to stop."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.stop = threading.Event()
        self.peak = 0
        self.processes = 0
        self.samples = 0

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(SAMPLE_SECONDS)

    def sample(self) -> None:
        try:
            tree = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:  # the root has exited
            return
        total = alive = 0
        for process in tree:
            try:
                total += process.memory_info().rss
                alive += 1
            except psutil.Error:  # exited between listing and reading
                continue
        self.peak = max(self.peak, total)
        self.processes = max(self.processes, alive)
        self.samples += 1


def run_tree(command: list[str], cwd: Path, limit: float, logs: Path,
             env: dict[str, str] | None = None) -> TreeRun:
    """Run `command` in `cwd` (output to `logs`.out/.err), killed after `limit` seconds."""
    load = os.getloadavg()[0]
    out_path, err_path = logs.with_suffix(".out"), logs.with_suffix(".err")
    timed_out = threading.Event()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, env=env,
                                   start_new_session=True)
        sampler = _Sampler(process.pid)
        sampler.start()

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):  # exited meanwhile
                os.killpg(process.pid, signal.SIGKILL)

        watchdog = threading.Timer(limit, kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            watchdog.cancel()
            sampler.stop.set()
            sampler.join()
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return TreeRun(tuple(command), wall, usage.ru_utime + usage.ru_stime,
                   max(sampler.peak, usage.ru_maxrss * 1024), usage.ru_maxrss * 1024,
                   sampler.processes, sampler.samples, process.returncode,
                   timed_out.is_set(), load,
                   out_path.read_text(encoding="utf-8", errors="replace"),
                   err_path.read_text(encoding="utf-8", errors="replace"))
