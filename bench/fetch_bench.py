"""Benchmark `mading fetch`: N feeds on 127.0.0.1, every k-th hanging past the timeout.

    .venv/bin/python bench/fetch_bench.py [--feeds 1000] [--hang-every 20] [--repeat 2]
                                          [--write-results] [--no-profile]

Each repetition starts bench/feed_server.py (bounded --lifetime, 127.0.0.1 only), writes a
temporary site folder with one subject and N teachers, then runs the update twice as a user
would (`python -m generator fetch --config <tmp>/site.yml`, in a subprocess): a cold one, and
one right after with nothing changed, which should be all 304s. Measured: wall time, the
child's own peak RSS (os.wait4), bytes the server sent (its /stats), the 304s, and the
posts in the archive. With --write-results, the section "## Fetch: 1,000 feeds, 5% hanging"
of bench/RESULTS.md is written (or replaced), with a cProfile summary of one cold update.

Not a test: nothing here runs in `make test`.
"""

from __future__ import annotations

import argparse
import math
import os
import pstats
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchlib import (
    BENCH,
    PYTHON,
    ArchiveCheck,
    ChildRun,
    FeedServer,
    check_archive,
    generator_fingerprint,
    healthy,
    machine,
    replace_section,
    run_child,
    write_site,
)

sys.path.insert(0, str(BENCH.parent))
from generator.models import DEFAULT_LIMITS

SECTION = "Fetch: 1,000 feeds, 5% hanging"
TARGET_SECONDS = 20.0
CHILD_LIMIT = 300.0
"""Seconds after which a `mading fetch` child is killed (its own deadline is 180 s)."""
SUMMARY = re.compile(r"(\d+) (?:feed dibaca|feeds read): (\d+) (?:tidak berubah|unchanged), "
                     r"(\d+) (?:bermasalah|failed)")


@dataclass(frozen=True)
class Update:
    child: ChildRun
    read: int
    unchanged: int
    failed: int
    server: dict[str, object]
    archive: ArchiveCheck

    @property
    def sent(self) -> int:
        sent = self.server["sent"]
        assert isinstance(sent, int)
        return sent

    def status(self, code: int) -> int:
        statuses = self.server.get("statuses") or {}
        assert isinstance(statuses, dict)
        return int(statuses.get(str(code), 0))


@dataclass(frozen=True)
class Repetition:
    cold: Update
    warm: Update


def fetch_command(config: Path) -> list[str]:
    return [PYTHON, "-m", "generator", "fetch", "--config", str(config)]


def update(server: FeedServer, root: Path, config: Path, feeds: int,
           hang_every: int) -> Update:
    server.stats(reset=True)
    child = run_child(fetch_command(config), root, CHILD_LIMIT)
    stats = server.stats()
    match = SUMMARY.search(child.stdout)
    if child.returncode != 0 or match is None:
        raise SystemExit(f"mading fetch failed (exit {child.returncode}):\n"
                         f"{child.stdout}\n{child.stderr[-3000:]}")
    read, unchanged, failed = map(int, match.groups())
    archive = check_archive(root / ".mading" / "archive.sqlite", feeds, hang_every)
    return Update(child, read, unchanged, failed, stats, archive)


def repetition(feeds: int, hang_every: int, hang_seconds: float) -> Repetition:
    with tempfile.TemporaryDirectory(prefix="mading-bench-") as tmp, \
            FeedServer(feeds, hang_every, hang_seconds, 2 * CHILD_LIMIT + 60) as server:
        root = Path(tmp)
        config = write_site(root, server, feeds)
        cold = update(server, root, config, feeds, hang_every)
        warm = update(server, root, config, feeds, hang_every)
    return Repetition(cold, warm)


# --- Profile -----------------------------------------------------------------------------

PROFILED = {
    "loop": ("asyncio/events.py", "_run"),
    "epoll": ("~", "<method 'poll' of 'select.epoll' objects>"),
    "parse_feed": ("generator/sources/feeds.py", "parse_feed"),
    "feedparser": ("feedparser/api.py", "parse"),
    "resolve_uris": ("feedparser/urls.py", "resolve_relative_uris"),
    "entries": ("generator/sources/feeds.py", "_entry_from_feedparser"),
    "sanitize": ("generator/sanitize.py", "sanitize_html"),
    "load_site": ("generator/config.py", "load_site"),
    "store": ("generator/archive.py", "store"),
    "wait_futures": ("concurrent/futures/_base.py", "result"),
    "idle_worker": ("multiprocessing/queues.py", "get"),
}
PROFILE_ENV = "MADING_BENCH_PROFILE_DIR"
WORKER_PROFILER = f"""\
# Written by bench/fetch_bench.py: profile each multiprocessing worker of the update.
import os
import sys

if os.environ.get({PROFILE_ENV!r}) and "--multiprocessing-fork" in sys.argv:
    import atexit
    import cProfile

    _profile = cProfile.Profile()
    _profile.enable()

    def _dump() -> None:
        _profile.disable()
        folder = os.environ[{PROFILE_ENV!r}]
        _profile.dump_stats(os.path.join(folder, f"worker-{{os.getpid()}}.prof"))

    atexit.register(_dump)
"""


@dataclass(frozen=True)
class Stats:
    total: float
    seconds: dict[str, float]
    top: list[tuple[str, int, float, float]]
    """(function, calls, tottime, cumtime), by tottime."""


@dataclass(frozen=True)
class Profile:
    wall: float
    """Wall time of the profiled run (cProfile slows Python code down)."""
    main: Stats
    workers: Stats | None
    """All pool workers together, if the update parsed in worker processes."""
    worker_count: int


def _stats(files: list[Path]) -> Stats:
    stats = pstats.Stats(*map(str, files))
    table = stats.stats  # type: ignore[attr-defined]
    seconds = {name: sum(values[3] for (file, _, func), values in table.items()
                         if func == function and file.endswith(suffix))
               for name, (suffix, function) in PROFILED.items()}
    top = sorted(table.items(), key=lambda item: item[1][2], reverse=True)[:8]
    rows = [(_label(key), values[1], values[2], values[3]) for key, values in top]
    return Stats(stats.total_tt, seconds, rows)  # type: ignore[attr-defined]


def _label(key: tuple[str, int, str]) -> str:
    file, line, function = key
    if file == "~":
        return function
    parts = Path(file).parts
    short = "/".join(parts[parts.index("site-packages") + 1:] if "site-packages" in parts
                     else parts[-3:] if "generator" in parts else parts[-2:])
    return f"{short}:{line}({function})"


def profile(feeds: int, hang_every: int, hang_seconds: float) -> Profile:
    """`python -m cProfile -o ... -m generator fetch` on a cold site; pool workers, if the
    update starts any, are profiled too (a sitecustomize on PYTHONPATH)."""
    with tempfile.TemporaryDirectory(prefix="mading-prof-") as tmp, \
            FeedServer(feeds, hang_every, hang_seconds, CHILD_LIMIT + 60) as server:
        root = Path(tmp)
        config = write_site(root, server, feeds)
        hook, profiles = root / "hook", root / "profiles"
        hook.mkdir()
        profiles.mkdir()
        (hook / "sitecustomize.py").write_text(WORKER_PROFILER, encoding="utf-8")
        path = os.pathsep.join(p for p in (str(hook), os.environ.get("PYTHONPATH")) if p)
        env = os.environ | {"PYTHONPATH": path, PROFILE_ENV: str(profiles)}
        output = profiles / "main.prof"
        command = [PYTHON, "-m", "cProfile", "-o", str(output), *fetch_command(config)[1:]]
        child = run_child(command, root, CHILD_LIMIT, env)
        if child.returncode != 0:
            raise SystemExit(f"profiled fetch failed:\n{child.stderr[-3000:]}")
        workers = sorted(profiles.glob("worker-*.prof"))
        return Profile(child.wall, _stats([output]), _stats(workers) if workers else None,
                       len(workers))


# --- Report ------------------------------------------------------------------------------

def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def table(reps: list[Repetition]) -> str:
    rows = ["| run | update | wall (s) | CPU (s) | load before | peak RSS "
            "| bytes sent by server | 200 / 304 / hung | CLI: read / unchanged / failed "
            "| posts in archive |",
            "|---|---|---:|---:|---:|---:|---:|---|---|---:|"]
    for number, rep in enumerate(reps, start=1):
        for name, u in (("1st (cold)", rep.cold), ("2nd (unchanged)", rep.warm)):
            rows.append(
                f"| {number} | {name} | {u.child.wall:.2f} | {u.child.cpu:.2f} "
                f"| {u.child.load:.2f} | {mib(u.child.max_rss_kb)} "
                f"| {u.sent:,} | {u.status(200)} / {u.status(304)} / {u.server.get('hung')} "
                f"| {u.read} / {u.unchanged} / {u.failed} | {u.archive.entries:,} |")
    return "\n".join(rows)


def verdicts(reps: list[Repetition], feeds: int, hang_every: int) -> list[tuple[str, bool, str]]:
    good = sum(healthy(i, hang_every) for i in range(feeds))
    colds = [r.cold.child.wall for r in reps]
    warms = [r.warm.child.wall for r in reps]
    all_304 = all(r.warm.status(200) == 0 and r.warm.status(304) == good
                  and r.warm.unchanged == good and r.warm.failed == feeds - good for r in reps)
    complete = all(r.cold.archive.complete == good and r.warm.archive.complete == good
                   and r.warm.archive.entries == 10 * good for r in reps)
    worst = max(r.warm.sent for r in reps)
    return [
        (f"update under {TARGET_SECONDS:g} s (1st, cold update)",
         max(colds) < TARGET_SECONDS, ", ".join(f"{w:.1f} s" for w in colds)),
        (f"update under {TARGET_SECONDS:g} s (2nd, unchanged update)",
         max(warms) < TARGET_SECONDS, ", ".join(f"{w:.1f} s" for w in warms)),
        ("2nd update is all 304s", all_304,
         f"{good} healthy feeds: " + ", ".join(
             f"{r.warm.status(304)}x304 / {r.warm.status(200)}x200" for r in reps)
         + f"; at most {worst:,} bytes received ({worst / max(good, 1):.0f} per feed)"),
        ("archive holds every healthy feed's 10 posts", complete,
         ", ".join(f"{r.warm.archive.complete}/{good} feeds, {r.warm.archive.entries:,} posts"
                   for r in reps)),
    ]


def profile_notes(p: Profile, feeds: int, hang_every: int) -> list[str]:
    m = p.main.seconds
    hanging = feeds - sum(healthy(i, hang_every) for i in range(feeds))
    limits = DEFAULT_LIMITS
    waves = math.ceil(hanging / limits.concurrency) if hanging else 0
    parsed = feeds - hanging
    parse = p.workers.seconds if p.workers else m
    if p.workers:
        where = (f"in {p.worker_count} pool worker processes, while downloads go on; "
                 f"CPU time summed over the workers")
    else:
        where = "in the main process, one feed after the other, after the last download"

    def share(value: float) -> str:
        return f"{value:.1f} s ({100 * value / p.main.total:.0f}% of the main process)"

    notes = [
        f"Profiled cold update: {p.wall:.1f} s wall under cProfile (it slows Python code, "
        f"not waiting); {p.main.total:.1f} s profiled in the main process"
        + (f", {p.workers.total - p.workers.seconds['idle_worker']:.1f} s busy in "
           f"{p.worker_count} pool workers (which spent "
           f"{p.workers.seconds['idle_worker']:.1f} s more waiting for work)." if p.workers
           else "."),
        f"Network: {share(m['epoll'])} idle in `epoll.poll`, plus {m['loop']:.1f} s of HTTP "
        f"work in event-loop callbacks (httpx/httpcore, `asyncio.Handle._run`; cProfile "
        f"gives `fetch_all` itself no usable cumulative time around `asyncio.run`). The "
        f"{hanging} hanging feeds hold a slot each for the whole {limits.timeout:g} s "
        f"timeout: with concurrency {limits.concurrency} that is {waves} "
        f"wave{'s' if waves != 1 else ''} of waiting, at least {waves * limits.timeout:g} s "
        f"whatever the parse costs.",
        f"Parsing {parsed} feeds ({where}): `parse_feed` {parse['parse_feed']:.1f} s; inside "
        f"it `feedparser.parse` {parse['feedparser']:.1f} s, of which feedparser's own "
        f"relative-URI resolution (`resolve_relative_uris`, a second HTML parse of every "
        f"post, in sgmllib) {parse['resolve_uris']:.1f} s; building entries "
        f"(`_entry_from_feedparser`) {parse['entries']:.1f} s, nh3 sanitizing "
        f"(`sanitize_html`) {parse['sanitize']:.1f} s of it.",
        f"Reading site.yml (`load_site`, ruamel round-trip YAML, {feeds} teachers): "
        f"{share(m['load_site'])}; storing {parsed * 10:,} posts (`Archive.store`): "
        f"{share(m['store'])}"
        + (f"; waiting for the workers' results after the downloads "
           f"(`Future.result`): {share(m['wait_futures'])}." if p.workers else "."),
    ]
    return notes


def results_body(args: argparse.Namespace, reps: list[Repetition], prof: Profile | None,
                 fingerprint: str, changed: bool) -> str:
    command = (f".venv/bin/python bench/fetch_bench.py --feeds {args.feeds} "
               f"--hang-every {args.hang_every} --repeat {args.repeat} --write-results")
    limits = DEFAULT_LIMITS
    hanging = args.feeds - sum(healthy(i, args.hang_every) for i in range(args.feeds))
    lines = [
        f"- Machine: {machine()}",
        f"- generator/ measured: {fingerprint}"
        + (" (**changed during the run: figures are mixed**)" if changed else ""),
        f"- Command: `{command}`",
        f"- Each update: `python -m generator fetch --config <tmp>/site.yml` in a subprocess, "
        f"default `FetchLimits` (concurrency {limits.concurrency}, timeout "
        f"{limits.timeout:g} s, deadline {limits.deadline:g} s). {args.feeds} feeds from "
        f"bench/feed_server.py on 127.0.0.1 ({hanging} hang for {args.hang_seconds:g} s, "
        f"every {args.hang_every}th from feed 0); each healthy feed has 10 posts "
        f"(~18 KB of RSS). Peak RSS is the child's own (`os.wait4`); bytes are what the "
        f"server sent, headers included.",
        "",
        table(reps),
        "",
        "| target | result | figures |",
        "|---|---|---|",
    ]
    for name, ok, figures in verdicts(reps, args.feeds, args.hang_every):
        lines.append(f"| {name} | {'PASS' if ok else 'FAIL'} | {figures} |")
    lines += ["", "Where the time goes (cProfile of one more cold update, "
              "`python -m cProfile -o ... -m generator fetch`):", ""]
    if prof is None:
        lines.append("- (not profiled in this run: `--no-profile`)")
    else:
        lines += [f"- {note}" for note in profile_notes(prof, args.feeds, args.hang_every)]
        for title, stats in (("main process", prof.main), ("pool workers", prof.workers)):
            if stats is None:
                continue
            lines += ["", f"Top functions by own time, {title} (profiled run):", "",
                      "| function | calls | own s | cumulative s |", "|---|---:|---:|---:|"]
            lines += [f"| `{name}` | {calls:,} | {own:.2f} | {cum:.2f} |"
                      for name, calls, own, cum in stats.top]
    lines += ["", "The same update with other limits: \"Fetch variants\" below "
              "(bench/fetch_variants.py)."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hang-every", type=int, default=20)
    parser.add_argument("--hang-seconds", type=float, default=15.0,
                        help="how long hanging feeds stay silent (more than the 10 s timeout)")
    parser.add_argument("--repeat", type=int, default=1, help="full benchmark repetitions")
    parser.add_argument("--write-results", action="store_true",
                        help=f"write the section '{SECTION}' of bench/RESULTS.md")
    parser.add_argument("--no-profile", action="store_true",
                        help="with --write-results, skip the profiled extra update")
    args = parser.parse_args()

    fingerprint = generator_fingerprint()
    reps = []
    for number in range(1, args.repeat + 1):
        print(f"repetition {number}/{args.repeat}...", flush=True)
        reps.append(repetition(args.feeds, args.hang_every, args.hang_seconds))
    print(table(reps))
    print()
    for name, ok, figures in verdicts(reps, args.feeds, args.hang_every):
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {figures}")
    for rep in reps:
        for u in (rep.cold, rep.warm):
            if u.archive.incomplete:
                print(f"  incomplete feeds: {', '.join(u.archive.incomplete[:10])}")
    if generator_fingerprint() != fingerprint:
        print("WARNING: generator/ changed while the benchmark ran; figures are mixed")
    if args.write_results:
        prof = None
        if not args.no_profile:
            print("profiling one more cold update...", flush=True)
            prof = profile(args.feeds, args.hang_every, args.hang_seconds)
            for note in profile_notes(prof, args.feeds, args.hang_every):
                print(f"- {note}")
        changed = generator_fingerprint() != fingerprint
        replace_section(BENCH / "RESULTS.md", SECTION,
                        results_body(args, reps, prof, fingerprint, changed))
        print(f"wrote {BENCH / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
