"""Run one command and measure its whole process tree: wall time, CPU time, peak memory.

Why not `resource.getrusage(RUSAGE_CHILDREN)` or `/usr/bin/time -v` alone: their
`ru_maxrss` is the peak of the *largest single process*, not of the tree. Mading runs a
process pool and Pagefind (a separate binary), so the memory a build needs at its peak is
the sum over the processes alive at that moment. The tree (every descendant, found by
parent in /proc, so pool workers and Pagefind count) is sampled every 50 ms (or as
asked), three ways:

- the sum of RSS: an upper bound, pages shared between forked processes counted in each;
- the sum of PSS (`/proc/PID/smaps_rollup`): each shared page divided among the processes
  that map it, so the tree's share of the machine's memory, the figure to hold against a
  limit (a page shared with a process outside the tree is counted only in part);
- every `FRAMES_SECONDS`, the resident pages counted once: the distinct physical
  frames of all the tree's processes (`/proc/PID/pagemap`, root only): every private page
  (the sum of USS) plus each shared one once, the memory the tree holds resident, without
  a cgroup. Costlier to read (a walk of every mapped page, about a tenth of a second for
  a gigabyte), hence less often; 0 when pagemap gives no frame numbers.

The sampler runs in this process, on the same cores as the command: its CPU time is
reported (`sampler_cpu`) so that a reader can weigh it against the command's.

The largest single process (`os.wait4`'s `ru_maxrss`, which covers the child and every
descendant it reaped) is reported beside them; for a single-process tool they agree. The
samples are written to `logs`.memory.tsv, with the kinds of process alive at each (the
build, forked or spawned workers, Pagefind), which says which stage a peak belongs to.

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
from array import array
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_SECONDS = 0.05
FRAMES_SECONDS = 2.0
"""How often the physical frames are read: a walk of pagemap."""
PAGE = os.sysconf("SC_PAGE_SIZE")
_PRESENT = 1 << 63
_FRAME = (1 << 55) - 1


@dataclass(frozen=True)
class ProcessMemory:
    pid: int
    kind: str
    rss: int
    pss: int
    uss: int
    """Bytes; USS is the process's private pages (Private_Clean + Private_Dirty)."""


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
    peak_tree_pss: int = 0
    """Bytes: the largest sum of PSS over the tree."""
    peak_tree_uss: int = 0
    """Bytes: the largest sum of USS (private pages) over the tree."""
    peak_tree_frames: int = 0
    """Bytes: the most distinct resident physical pages of the tree (USS + shared once)."""
    frame_samples: int = 0
    at_peak_pss: tuple[ProcessMemory, ...] = ()
    """The tree's processes at the sample of the largest PSS sum."""
    peak_pss_at: float = 0.0
    """Seconds from the start to that sample."""
    stage_peaks: dict[str, int] = field(default_factory=dict)
    """The largest PSS sum seen while each mix of processes was alive."""
    loads_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    loads_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    sampler_cpu: float = 0.0
    """CPU seconds the sampler itself spent (on the same cores as the build)."""


def _rollup(pid: int) -> tuple[int, int, int]:
    """RSS, PSS and USS of one process, in bytes."""
    values: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
        for line in rollup:
            name, _, rest = line.partition(b":")
            if name in (b"Rss", b"Pss", b"Private_Clean", b"Private_Dirty"):
                values[name.decode()] = int(rest.split()[0]) * 1024
    return (values["Rss"], values["Pss"],
            values["Private_Clean"] + values["Private_Dirty"])


def _frames(pid: int, into: set[int]) -> None:
    """Add the physical frame of every resident page of `pid` to `into`."""
    with open(f"/proc/{pid}/maps", "rb") as maps, \
            open(f"/proc/{pid}/pagemap", "rb", buffering=0) as pagemap:
        for line in maps:
            span, permissions = line.split(None, 2)[:2]
            if permissions.startswith(b"---"):  # guard pages and reservations
                continue
            start, end = (int(part, 16) for part in span.split(b"-"))
            if end > 1 << 47:  # [vsyscall]
                continue
            pagemap.seek(start // PAGE * 8)
            entries = array("Q", pagemap.read((end - start) // PAGE * 8))
            into.update(entry & _FRAME for entry in entries if entry & _PRESENT)


def _descendants(root: int) -> list[int]:
    """`root` and every process below it, from the parents /proc names."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    # The name may hold spaces and parentheses: the parent follows the last ")".
                    parent = int(stat.read().rpartition(b")")[2].split()[1])
            except (OSError, IndexError, ValueError):  # exited meanwhile
                continue
            children.setdefault(parent, []).append(int(entry.name))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, ()))
    return tree


def _command(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        return cmdline.read().replace(b"\0", b" ").decode(errors="replace").strip()


def _kind(pid: int, root: int) -> str:
    if pid == root:
        return "build"
    command = _command(pid)
    if not command:  # a process that rewrote its arguments
        with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as comm:
            return comm.read().strip()
    if "pagefind" in command:
        return "pagefind"
    if "multiprocessing" in command:
        return "tracker" if "resource_tracker" in command else "spawned worker"
    if command == _command(root):
        return "forked worker"
    return command.split(" ", 1)[0].rsplit("/", 1)[-1]


class _Sampler(threading.Thread):
    """Sums the memory of a process and all its descendants until told to stop."""

    def __init__(self, pid: int, timeline: Path, every: float) -> None:
        super().__init__(daemon=True)
        self.root = pid
        self.timeline = timeline
        self.stop = threading.Event()
        self.start_time = time.perf_counter()
        self.kinds: dict[int, str] = {}
        self.peak = self.peak_pss = self.peak_uss = self.peak_frames = 0
        self.processes = self.samples = self.frame_samples = 0
        self.at_peak_pss: tuple[ProcessMemory, ...] = ()
        self.peak_pss_at = 0.0
        self.stage_peaks: dict[str, int] = {}
        self.frames_readable = True
        self.cpu = 0.0
        self.every = every
        self.frames_read = -FRAMES_SECONDS

    def run(self) -> None:
        with self.timeline.open("w", encoding="utf-8") as out:
            out.write("seconds\tprocesses\trss_mib\tpss_mib\tuss_mib\tframes_mib\tbuild_pss_mib"
                      "\tstage\n")
            while not self.stop.is_set():
                started = time.thread_time()
                line = self.sample()
                self.cpu += time.thread_time() - started
                if line:
                    out.write(line)
                self.stop.wait(self.every)

    def kind(self, pid: int) -> str:
        if pid not in self.kinds:
            self.kinds[pid] = _kind(pid, self.root)
        return self.kinds[pid]

    def sample(self) -> str:
        tree = _descendants(self.root)
        when = time.perf_counter() - self.start_time
        read_frames = self.frames_readable and when - self.frames_read >= FRAMES_SECONDS
        if read_frames:
            self.frames_read = when
        frames: set[int] = set()
        seen: list[ProcessMemory] = []
        for pid in tree:
            try:
                rss, pss, uss = _rollup(pid)
                seen.append(ProcessMemory(pid, self.kind(pid), rss, pss, uss))
                if read_frames:
                    _frames(pid, frames)
            except (OSError, KeyError):  # exited between listing and reading, or a zombie
                continue
        if not seen:  # the root has exited
            return ""
        if read_frames and seen and not frames - {0}:  # no frame numbers without root
            self.frames_readable = read_frames = False
        total, pss, uss = (sum(getattr(p, name) for p in seen)
                           for name in ("rss", "pss", "uss"))
        kinds = Counter(p.kind for p in seen)
        stage = " + ".join(f"{count} {kind}" if count > 1 else kind
                           for kind, count in sorted(kinds.items()))
        self.peak = max(self.peak, total)
        self.peak_uss = max(self.peak_uss, uss)
        if pss > self.peak_pss:
            self.peak_pss, self.at_peak_pss, self.peak_pss_at = pss, tuple(seen), when
        self.stage_peaks[stage] = max(self.stage_peaks.get(stage, 0), pss)
        resident = len(frames) * PAGE if read_frames else 0
        if read_frames:
            self.peak_frames = max(self.peak_frames, resident)
            self.frame_samples += 1
        self.processes = max(self.processes, len(seen))
        self.samples += 1
        build = next((p.pss for p in seen if p.kind == "build"), 0)
        mib = 1 << 20
        return (f"{when:.2f}\t{len(seen)}\t{total / mib:.0f}\t{pss / mib:.0f}\t{uss / mib:.0f}"
                f"\t{resident / mib:.0f}\t{build / mib:.0f}\t{stage}\n"
                if read_frames else
                f"{when:.2f}\t{len(seen)}\t{total / mib:.0f}\t{pss / mib:.0f}\t{uss / mib:.0f}"
                f"\t\t{build / mib:.0f}\t{stage}\n")


def run_tree(command: list[str], cwd: Path, limit: float, logs: Path,
             env: dict[str, str] | None = None, every: float = SAMPLE_SECONDS) -> TreeRun:
    """Run `command` in `cwd` (output to `logs`.out/.err, memory samples every `every`
    seconds to `logs`.memory.tsv), killed after `limit` seconds."""
    loads_before = os.getloadavg()
    out_path, err_path = logs.with_suffix(".out"), logs.with_suffix(".err")
    timed_out = threading.Event()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, env=env,
                                   start_new_session=True)
        sampler = _Sampler(process.pid, logs.with_suffix(".memory.tsv"), every)
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
                   timed_out.is_set(), loads_before[0],
                   out_path.read_text(encoding="utf-8", errors="replace"),
                   err_path.read_text(encoding="utf-8", errors="replace"),
                   sampler.peak_pss, sampler.peak_uss, sampler.peak_frames,
                   sampler.frame_samples, sampler.at_peak_pss, sampler.peak_pss_at,
                   sampler.stage_peaks, loads_before, os.getloadavg(), sampler.cpu)
