"""What the 1,000-feed update costs with other limits: measured variants of `mading fetch`.

    .venv/bin/python bench/fetch_variants.py [--feeds 1000] [--hang-every 20] [--repeat 1]
                                             [--variants defaults,c32,...] [--write-results]

Each variant runs in its own subprocess (this script with --child), on a fresh temporary
site folder, against bench/feed_server.py (127.0.0.1, bounded --lifetime): a cold update,
then an unchanged one. The child calls `generator.build.fetch(site, limits=FetchLimits(...))`
with the variant's limits (unset ones keep generator's defaults) and times its phases by
wrapping, never editing, generator functions:

- `load`: `load_site` (site.yml); `network`: `fetch_all`, every download including the waits
  on hanging feeds; `after network`: the rest of `read_feeds`, i.e. the parsing that did not
  overlap the downloads; `store`: `Archive.store`.

Switches that generator/ has no option for, applied from outside:

- `serial`: `feeds.PARALLEL_PARSE_FROM` set out of reach, so every feed is parsed in the main
  process after the last download (what generator/ did before its parse pool);
- `pool` (opt-in variants c400, c400-pool): httpx's connection pool sized to the concurrency
  (`httpx.Limits(max_connections=...)`); httpx's default is 100 connections.

With --write-results, writes the section "## Fetch variants" (or --section) of
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchlib import (
    BENCH,
    PYTHON,
    FeedServer,
    check_archive,
    generator_fingerprint,
    healthy,
    machine,
    replace_section,
    run_child,
    write_site,
)

SECTION = "Fetch variants"
CHILD_LIMIT = 300.0


@dataclass(frozen=True)
class Variant:
    concurrency: int | None = None
    timeout: float | None = None
    serial: bool = False
    pool: bool = False

    def describe(self) -> str:
        parts = [f"concurrency {self.concurrency}" if self.concurrency else
                 "default concurrency",
                 f"timeout {self.timeout:g} s" if self.timeout else "default timeout"]
        if self.serial:
            parts.append("all parsing after the last download, in the main process")
        if self.pool:
            parts.append("httpx pool as large as the concurrency")
        return ", ".join(parts)


VARIANTS = {
    "defaults": Variant(),
    "c32-serial": Variant(concurrency=32, serial=True),
    "c32": Variant(concurrency=32),
    "serial": Variant(serial=True),
    "t5": Variant(timeout=5.0),
    "c100": Variant(concurrency=100),
}
EXTRA_VARIANTS = {
    # Above httpx's default pool of 100 connections (try --feeds 400 --hang-every 2).
    "c400": Variant(concurrency=400),
    "c400-pool": Variant(concurrency=400, pool=True),
}
ALL_VARIANTS = VARIANTS | EXTRA_VARIANTS


# --- The child: one update, instrumented ---------------------------------------------------

def _sized_pool(concurrency: int) -> None:
    import httpx

    from generator.sources import fetch

    shim: Any = type(sys)("httpx_sized_pool")
    shim.__dict__.update(vars(httpx))

    def client(*args: Any, **kwargs: Any) -> httpx.AsyncClient:
        kwargs.setdefault("limits", httpx.Limits(max_connections=concurrency,
                                                 max_keepalive_connections=20))
        return httpx.AsyncClient(*args, **kwargs)

    shim.AsyncClient = client
    module: Any = fetch
    module.httpx = shim


def child(name: str, config: Path) -> None:
    variant = ALL_VARIANTS[name]
    start = time.perf_counter()
    from generator import build
    from generator.archive import Archive
    from generator.config import load_site
    from generator.models import DEFAULT_LIMITS, FetchLimits
    from generator.sources import feeds

    phases = {"import": time.perf_counter() - start, "network": 0.0, "read_feeds": 0.0,
              "store": 0.0}

    def timed(function: Callable[..., Any], phase: str) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            begin = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                phases[phase] += time.perf_counter() - begin
        return wrapper

    feeds_module: Any = feeds
    build_module: Any = build
    archive_class: Any = Archive
    feeds_module.fetch_all = timed(feeds_module.fetch_all, "network")
    build_module.read_feeds = timed(build_module.read_feeds, "read_feeds")
    archive_class.store = timed(Archive.store, "store")
    if variant.serial:
        if not hasattr(feeds, "PARALLEL_PARSE_FROM"):
            raise SystemExit("this generator has no PARALLEL_PARSE_FROM: already serial")
        feeds_module.PARALLEL_PARSE_FROM = sys.maxsize
    if variant.pool:
        _sized_pool(variant.concurrency or DEFAULT_LIMITS.concurrency)
    limits = FetchLimits(concurrency=variant.concurrency or DEFAULT_LIMITS.concurrency,
                         timeout=variant.timeout or DEFAULT_LIMITS.timeout)
    begin = time.perf_counter()
    site = load_site(config)
    phases["load"] = time.perf_counter() - begin
    begin = time.perf_counter()
    results = build.fetch(site, limits=limits)
    phases["fetch"] = time.perf_counter() - begin
    phases["after_network"] = phases["read_feeds"] - phases["network"]
    phases["total"] = time.perf_counter() - start
    print(json.dumps({"phases": phases, "read": len(results),
                      "limits": [limits.concurrency, limits.timeout],
                      "unchanged": sum(r.not_modified for r in results),
                      "failed": sum(r.error is not None for r in results)}))


# --- The parent --------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    name: str
    repetition: int
    update: str
    wall: float
    cpu: float
    load: float
    max_rss_kb: int
    report: dict[str, Any]
    complete: int
    sent: int


def run_variant(name: str, repetition: int, feeds: int, hang_every: int,
                hang_seconds: float) -> list[Outcome]:
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="mading-variant-") as tmp, \
            FeedServer(feeds, hang_every, hang_seconds, 2 * CHILD_LIMIT + 60) as server:
        root = Path(tmp)
        config = write_site(root, server, feeds)
        for update in ("cold", "unchanged"):
            server.stats(reset=True)
            run = run_child([PYTHON, str(Path(__file__).resolve()), "--child", name,
                             "--config", str(config)], root, CHILD_LIMIT)
            if run.returncode != 0:
                raise SystemExit(f"variant {name} failed:\n{run.stderr[-3000:]}")
            report = json.loads(run.stdout.strip().splitlines()[-1])
            check = check_archive(root / ".mading" / "archive.sqlite", feeds, hang_every)
            sent = server.stats()["sent"]
            assert isinstance(sent, int)
            outcomes.append(Outcome(name, repetition, update, run.wall, run.cpu, run.load,
                                    run.max_rss_kb, report, check.complete, sent))
    return outcomes


def table(outcomes: list[Outcome], good: int) -> str:
    rows = ["| variant | run | update | wall (s) | CPU (s) | load before | peak RSS "
            "| load site.yml | network | after network | store | failed | complete feeds |",
            "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for o in outcomes:
        p = o.report["phases"]
        rows.append(f"| {o.name} | {o.repetition} | {o.update} | {o.wall:.2f} | {o.cpu:.2f} "
                    f"| {o.load:.2f} | {o.max_rss_kb / 1024:.0f} MiB "
                    f"| {p['load']:.2f} | {p['network']:.2f} | {p['after_network']:.2f} "
                    f"| {p['store']:.2f} | {o.report['failed']} | {o.complete}/{good} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hang-every", type=int, default=20)
    parser.add_argument("--hang-seconds", type=float, default=15.0)
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help=f"comma-separated, from: {', '.join(ALL_VARIANTS)} "
                             "(default: all but the last two)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of the whole list, one after the other")
    parser.add_argument("--write-results", action="store_true")
    parser.add_argument("--section", default=SECTION, help="heading in RESULTS.md")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.config)
        return
    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    unknown = [n for n in names if n not in ALL_VARIANTS]
    if unknown:
        parser.error(f"unknown variants: {', '.join(unknown)}")
    from generator.models import DEFAULT_LIMITS

    fingerprint = generator_fingerprint()
    good = sum(healthy(i, args.hang_every) for i in range(args.feeds))
    outcomes: list[Outcome] = []
    runs = [(repetition, name) for repetition in range(1, args.repeat + 1) for name in names]
    for repetition, name in runs:
        print(f"{name} (run {repetition}): {ALL_VARIANTS[name].describe()}...", flush=True)
        for o in run_variant(name, repetition, args.feeds, args.hang_every,
                             args.hang_seconds):
            outcomes.append(o)
            p = o.report["phases"]
            print(f"  {o.update:9} {o.wall:6.2f} s  cpu {o.cpu:5.2f} s  "
                  f"rss {o.max_rss_kb / 1024:4.0f} MiB  network {p['network']:5.2f}  "
                  f"after {p['after_network']:5.2f}  failed {o.report['failed']}  "
                  f"complete {o.complete}/{good}", flush=True)
    outcomes.sort(key=lambda o: (names.index(o.name), o.repetition))
    print(table(outcomes, good))
    changed = generator_fingerprint() != fingerprint
    if changed:
        print("WARNING: generator/ changed while the variants ran; figures are mixed")
    if args.write_results:
        command = (f".venv/bin/python bench/fetch_variants.py --feeds {args.feeds} "
                   f"--hang-every {args.hang_every} --variants {','.join(names)} "
                   f"--repeat {args.repeat} --write-results"
                   + (f" --section '{args.section}'" if args.section != SECTION else ""))
        body = "\n".join([
            f"- Machine: {machine()}",
            f"- generator/ measured: {fingerprint}"
            + (" (**changed during the run: figures are mixed**)" if changed else ""),
            f"- Defaults there: concurrency {DEFAULT_LIMITS.concurrency}, timeout "
            f"{DEFAULT_LIMITS.timeout:g} s.",
            f"- Command: `{command}`",
            "- In-process `generator.build.fetch(site, limits=FetchLimits(...))`, one "
            "subprocess per update, phases in seconds timed by wrapping generator functions "
            "(see the docstring of bench/fetch_variants.py). CPU is user + system time of "
            "the update and its pool workers; peak RSS is the largest single process.",
            "",
            "| variant | what |", "|---|---|",
            *[f"| {n} | {ALL_VARIANTS[n].describe()} |" for n in names],
            "",
            table(outcomes, good),
        ])
        replace_section(BENCH / "RESULTS.md", args.section, body)
        print(f"wrote {BENCH / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
