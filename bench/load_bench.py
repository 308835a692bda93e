"""Load benchmark: `mading fetch` on 5,000 feeds, 1% of them failing in assorted ways.

    .venv/bin/python bench/load_bench.py [--feeds 5000] [--small 1000] [--fail-every 100]
                                         [--write-results]

For each size (`--small` feeds, then `--feeds`), it starts bench/feed_server.py (127.0.0.1
only, bounded --lifetime) with every `--fail-every`-th feed failing in one of the ways of
`feed_server.FAILURES` (hang past the timeout, 500, 404, a redirect loop, random bytes,
truncated XML, a gzip bomb, an 11 MB body, a slow drip, a connection reset, an HTML page),
writes a temporary site folder whose N teachers blog on those feeds, and runs the real CLI,
`.venv/bin/mading fetch`, in a subprocess, twice: cold, then again with nothing changed
(conditional GET). After each update it checks the archive (`.mading/archive.sqlite`): every
healthy feed's 10 posts, by id, and nothing else; every failing feed with an error in the
`feeds` table and no posts; then `mading report --strict` must count exactly the failing
feeds as broken.

Measured per update: wall time; CPU time and the peak RSS of the largest single process
(`os.wait4`, which covers the pool workers the update waited for); and the peak RSS of the
whole process tree (the update and its parse workers), summed from /proc every 0.1 s
(shared pages count once per process, so this slightly overstates). Comparing the peak at
`--small` and at `--feeds` shows whether memory stays bounded as the school grows.

With --write-results, the section "Load: 5,000 feeds, 1% failing" of bench/RESULTS.md is
written (or replaced). Not a test: nothing here runs in `make test`.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchlib import (
    BENCH,
    FeedServer,
    expected_ids,
    generator_fingerprint,
    machine,
    replace_section,
)
from feed_server import FAILURES, failure

SECTION = "Load: 5,000 feeds, 1% failing"
MADING = str(Path(sys.executable).parent / "mading")
CHILD_LIMIT = 600.0
"""Seconds after which an update is killed (its own deadline is 180 s)."""
HANG_SECONDS = 15.0
"""How long hanging and dripping feeds keep the connection (more than the 10 s timeout)."""
PAGE = os.sysconf("SC_PAGE_SIZE")
FETCHED = re.compile(r"(\d+) feeds read: (\d+) unchanged, (\d+) failed")
REPORTED = re.compile(r"(\d+) teachers: (\d+) broken feeds")


def start_server(feeds: int, fail_every: int, lifetime: float) -> FeedServer:
    """The feed server with failing feeds (`--fail-every`) and none hanging by design."""
    return FeedServer(feeds, 0, HANG_SECONDS, lifetime, fail_every=fail_every)


def write_site(root: Path, server: FeedServer, feeds: int) -> Path:
    """A site folder (in English, for the CLI's messages) with `feeds` teachers."""
    lines = ["school:", "  name: SMA Negeri Beban", "  url: https://beban.example.sch.id/",
             "  language: en", "subjects:", "  - name: Matematika", "teachers:"]
    for i in range(feeds):
        lines += [f"  - name: Guru {i:04d}", f"    slug: guru-{i:04d}",
                  "    subjects: [Matematika]", f"    blog: {server.url(i)}"]
    config = root / "site.yml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


# --- Measuring a process tree --------------------------------------------------------------

def _children() -> dict[int, list[int]]:
    """Every process's children, from /proc/*/stat (the kernel here has no
    /proc/PID/task/TID/children)."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_bytes()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


@dataclass
class Sampler:
    """Samples the RSS of `pid` and its descendants every `interval` s, in a thread."""

    pid: int
    interval: float = 0.1
    peak_tree: int = 0
    peak_main: int = 0
    most_processes: int = 0
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            tree = _children()
            pids, todo = [], [self.pid]
            while todo:
                pid = todo.pop()
                pids.append(pid)
                todo += tree.get(pid, [])
            sizes = [_rss(pid) for pid in pids]
            self.peak_tree = max(self.peak_tree, sum(sizes))
            self.peak_main = max(self.peak_main, sizes[0])
            self.most_processes = max(self.most_processes, sum(s > 0 for s in sizes))
            self.samples += 1
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    """User + system seconds of the update and the workers it waited for (wait4)."""
    max_rss: int
    """Bytes: the largest single process's peak (wait4's ru_maxrss)."""
    peak_tree: int
    """Bytes: the largest sum of the tree's RSS seen by the sampler."""
    processes: int
    returncode: int
    stdout: str
    stderr: str
    load: float


def run_measured(command: list[str], cwd: Path) -> Run:
    """Run `command` with its process tree sampled; killed after CHILD_LIMIT s."""
    load = os.getloadavg()[0]
    with (cwd / ".out").open("wb") as out, (cwd / ".err").open("wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err)
        sampler = Sampler(process.pid)
        watchdog = threading.Timer(CHILD_LIMIT, process.kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            watchdog.cancel()
            sampler.stop()
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024,
               sampler.peak_tree, sampler.most_processes, process.returncode,
               (cwd / ".out").read_text(encoding="utf-8", errors="replace"),
               (cwd / ".err").read_text(encoding="utf-8", errors="replace"), load)


# --- Checking the archive and the report ---------------------------------------------------

@dataclass(frozen=True)
class Check:
    posts: int
    expected_posts: int
    complete: int
    """Healthy feeds whose posts in the archive are exactly their 10 ids."""
    healthy: int
    broken_failing: int
    """Failing feeds recorded with an error (and no posts)."""
    failing: int
    broken_healthy: list[str]
    """Healthy feeds recorded with an error: should be none."""
    errors: dict[str, str]
    """One stored error per failure mode, as the report shows it."""
    reported_broken: int | None = None
    """`mading report`'s count of broken feeds."""
    report_seconds: float = 0.0


def check_archive(root: Path, feeds: int, fail_every: int) -> Check:
    db = sqlite3.connect(f"file:{root / '.mading' / 'archive.sqlite'}?mode=ro", uri=True)
    try:
        ids: dict[str, set[str]] = {}
        for teacher, entry_id in db.execute("SELECT teacher, entry_id FROM entries"):
            ids.setdefault(teacher, set()).add(entry_id)
        errors = dict(db.execute("SELECT teacher, error FROM feeds"))
    finally:
        db.close()
    complete = broken_failing = 0
    broken_healthy: list[str] = []
    examples: dict[str, str] = {}
    for i in range(feeds):
        slug = f"guru-{i:04d}"
        mode = failure(i, fail_every)
        if mode is None:
            complete += ids.get(slug, set()) == expected_ids(i)
            if errors.get(slug) is not None:
                broken_healthy.append(slug)
        else:
            broken_failing += errors.get(slug) is not None and not ids.get(slug)
            examples.setdefault(mode, str(errors.get(slug)))
    failing = sum(failure(i, fail_every) is not None for i in range(feeds))
    return Check(sum(map(len, ids.values())), 10 * (feeds - failing), complete,
                 feeds - failing, broken_failing, failing, broken_healthy, examples)


def check_report(root: Path, config: Path, check: Check) -> Check:
    """`mading report --strict`: its count of broken feeds, and its exit code 1."""
    start = time.perf_counter()
    answer = subprocess.run([MADING, "report", "--strict", "--config", str(config)], cwd=root,
                            capture_output=True, text=True, timeout=CHILD_LIMIT)
    seconds = time.perf_counter() - start
    match = REPORTED.search(answer.stdout)
    if match is None or answer.returncode != 1:
        raise SystemExit(f"mading report: exit {answer.returncode}\n{answer.stdout[-2000:]}\n"
                         f"{answer.stderr[-2000:]}")
    return Check(**{**check.__dict__, "reported_broken": int(match.group(2)),
                    "report_seconds": seconds})


@dataclass(frozen=True)
class Update:
    name: str
    run: Run
    cli: tuple[int, int, int]
    """The CLI's own summary: feeds read, unchanged, failed."""
    check: Check


@dataclass(frozen=True)
class Size:
    feeds: int
    updates: list[Update]


def measure(feeds: int, fail_every: int) -> Size:
    updates = []
    with tempfile.TemporaryDirectory(prefix="mading-load-") as tmp:
        server = start_server(feeds, fail_every, lifetime=3 * CHILD_LIMIT)
        try:
            root = Path(tmp)
            config = write_site(root, server, feeds)
            for name in ("cold", "unchanged"):
                print(f"{feeds} feeds, {name} update...", flush=True)
                run = run_measured([MADING, "fetch", "--config", str(config)], root)
                match = FETCHED.search(run.stdout)
                if run.returncode != 0 or match is None:
                    raise SystemExit(f"mading fetch: exit {run.returncode}\n"
                                     f"{run.stdout[-2000:]}\n{run.stderr[-3000:]}")
                cli = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
                check = check_report(root, config, check_archive(root, feeds, fail_every))
                updates.append(Update(name, run, cli, check))
                print(f"  {run.wall:.1f} s wall, {run.cpu:.1f} s CPU, "
                      f"tree peak {mib(run.peak_tree)}, largest process {mib(run.max_rss)}; "
                      f"CLI {cli}; posts {check.posts}/{check.expected_posts}, "
                      f"failing feeds recorded broken {check.broken_failing}/{check.failing}, "
                      f"report: {check.reported_broken} broken", flush=True)
        finally:
            server.stop()
    return Size(feeds, updates)


# --- Report -------------------------------------------------------------------------------

def mib(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MiB"


def verdicts(sizes: list[Size]) -> list[tuple[str, bool, str]]:
    big, small = sizes[-1], sizes[0]
    rows = []
    for size in sizes:
        checks = [u.check for u in size.updates]
        rows += [
            (f"{size.feeds}: every healthy feed's posts, by id, after each update",
             all(c.complete == c.healthy and c.posts == c.expected_posts for c in checks),
             ", ".join(f"{c.complete}/{c.healthy} feeds, {c.posts:,}/{c.expected_posts:,} "
                       f"posts" for c in checks)),
            (f"{size.feeds}: every failing feed recorded broken, no healthy one",
             all(c.broken_failing == c.failing and not c.broken_healthy for c in checks),
             ", ".join(f"{c.broken_failing}/{c.failing} failing, {len(c.broken_healthy)} "
                       f"healthy" for c in checks)),
            (f"{size.feeds}: `mading report --strict` counts them (exit 1)",
             all(c.reported_broken == c.failing for c in checks),
             ", ".join(f"{c.reported_broken} broken in {c.report_seconds:.1f} s"
                       for c in checks)),
            (f"{size.feeds}: 2nd update: every healthy feed unchanged (304)",
             size.updates[1].cli[1] == size.updates[1].check.healthy,
             f"{size.updates[1].cli[1]} unchanged of {size.updates[1].check.healthy}"),
        ]
    if big is not small:
        ratio = big.feeds / small.feeds
        growth = [b.run.peak_tree / s.run.peak_tree
                  for b, s in zip(big.updates, small.updates, strict=True)]
        added = big.feeds - small.feeds

        def per_feed(b: Update, s: Update) -> str:
            return (f"{(b.run.peak_tree - s.run.peak_tree) / added / 1024:.0f} KiB tree, "
                    f"{(b.run.max_rss - s.run.max_rss) / added / 1024:.0f} KiB largest process")

        rows.append((f"memory bounded: tree peak at {big.feeds} feeds under {ratio / 2:g}x the "
                     f"peak at {small.feeds} (feeds: {ratio:g}x)",
                     max(growth) < ratio / 2,
                     "; ".join(f"{b.name} {g:.2f}x (each feed added: {per_feed(b, s)})"
                               for b, s, g in zip(big.updates, small.updates, growth,
                                                  strict=True))))
    return rows


def results_body(args: argparse.Namespace, sizes: list[Size], fingerprint: str,
                 changed: bool) -> str:
    command = (f".venv/bin/python bench/load_bench.py --feeds {args.feeds} --small {args.small} "
               f"--fail-every {args.fail_every} --write-results")
    counts = Counter(failure(i, args.fail_every) for i in range(args.feeds))
    lines = [
        f"- Machine: {machine()}",
        f"- generator/ measured: {fingerprint}"
        + (" (**changed during the run: figures are mixed**)" if changed else ""),
        f"- Command: `{command}`",
        f"- Each update: `.venv/bin/mading fetch --config <tmp>/site.yml` in a subprocess, "
        f"default limits, against bench/feed_server.py on 127.0.0.1 (every healthy feed: 10 "
        f"posts, ~18 KB of RSS, ETag). Every {args.fail_every}th feed fails; the ways, dealt "
        f"out in turn, with the error the archive stored for one of them (at "
        f"{args.feeds} feeds, cold update):",
        "",
        "| failure | feeds | what the server does | error stored (one example) |",
        "|---|---:|---|---|",
    ]
    examples = sizes[-1].updates[0].check.errors
    for mode, what in FAILURES.items():
        error = examples.get(mode, "").replace("|", "\\|")
        error = re.sub(r"http://127\.0\.0\.1:\d+", "", error)
        lines.append(f"| {mode} | {counts[mode]} | {what} | {error[:160]} |")
    lines += [
        "",
        "- Memory: *tree peak* is the largest sum of RSS over the update and its parse "
        "workers, sampled from /proc every 0.1 s; *largest process* is `os.wait4`'s "
        "`ru_maxrss` (the kernel's peak of the largest single process, workers included). "
        "CPU is user + system of the update and its workers (wait4).",
        "",
        "| feeds | update | wall (s) | CPU (s) | load before | tree peak | largest process "
        "| processes | CLI: read / unchanged / failed | posts stored / expected "
        "| failing recorded broken | `report` broken (s) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|---|---|---|",
    ]
    for size in sizes:
        for u in size.updates:
            r, c = u.run, u.check
            lines.append(
                f"| {size.feeds:,} | {u.name} | {r.wall:.1f} | {r.cpu:.1f} | {r.load:.2f} "
                f"| {mib(r.peak_tree)} | {mib(r.max_rss)} | {r.processes} "
                f"| {u.cli[0]} / {u.cli[1]} / {u.cli[2]} | {c.posts:,} / {c.expected_posts:,} "
                f"| {c.broken_failing} / {c.failing} "
                f"| {c.reported_broken} ({c.report_seconds:.1f}) |")
    lines += ["", "| check | result | figures |", "|---|---|---|"]
    lines += [f"| {name} | {'PASS' if ok else 'FAIL'} | {figures} |"
              for name, ok, figures in verdicts(sizes)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=5000)
    parser.add_argument("--small", type=int, default=1000,
                        help="the smaller school whose peak memory is compared (0: none)")
    parser.add_argument("--fail-every", type=int, default=100)
    parser.add_argument("--write-results", action="store_true",
                        # argparse formats help with %: the section's "1%" is escaped
                        help=f"write the section '{SECTION}' of bench/RESULTS.md"
                        .replace("%", "%%"))
    args = parser.parse_args()
    fingerprint = generator_fingerprint()
    sizes = [measure(n, args.fail_every) for n in (args.small, args.feeds) if n]
    changed = generator_fingerprint() != fingerprint
    body = results_body(args, sizes, fingerprint, changed)
    print(body)
    for size in sizes:
        for u in size.updates:
            if u.check.broken_healthy:
                print(f"healthy feeds recorded broken: {u.check.broken_healthy[:10]}")
    if changed:
        print("WARNING: generator/ changed while the benchmark ran; figures are mixed")
    if args.write_results:
        replace_section(BENCH / "RESULTS.md", SECTION, body)
        print(f"wrote {BENCH / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
