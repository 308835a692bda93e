"""Issue 23's target table in one run: every row, Mading against its peers, met or not.

    bench/.venv-peers/bin/python bench/targets.py [--rows school,district] [--repeat 3]
        [--district-repeat 1] [--district-teachers 3000] [--saves 7] [--write-results]

`make bench-peers` runs it with every row. The school rows build bench/peers.py's school
corpus (58 teachers x 20 posts) with Mading (cold, nothing changed, one post edited and
edited again, CI run), Pelican, MkDocs-Material, Hugo and Hugo + Pagefind (cold), then
time the serve edit on the same corpus with bench/serve_bench.py (Mading's .venv, Chromium
at /usr/bin/chromium). The district rows build peers.py's district corpus (3,000 x 30 =
90,000 Markdown and feed-file posts, the corpus of the issue's "today" column: 392 s cold,
245 s CI run, 3.4 s unchanged) with Mading (cold, nothing changed, CI run) and, as
reference figures, Hugo and Hugo + Pagefind; Pelican (past 600 s there) and
MkDocs-Material (407 s for 6,000 posts) are left out of it. Figures are medians of the
runs; the tree memory held against 1 GB is the peak sum of PSS over the build's process
tree (bench/process_tree.py).

With `--write-results`, the table and every raw figure go to the section "Issue 23
targets: ..." of bench/RESULTS.md (one section per set of rows and sizes).
Not a test: nothing here runs in `make test`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchlib import BENCH, REPO, generator_fingerprint, machine, replace_section
from peers import (
    BUSY_LOAD,
    RESULTS,
    SIZES,
    TIMES,
    Session,
    installed,
    median_of,
    mib,
    ratios,
    run_session,
    table,
    tools,
    version,
)

ROWS = ("school", "district")
SCHOOL_TOOLS = ("mading", "pelican", "mkdocs", "hugo", "hugo-pagefind")
DISTRICT_TOOLS = ("mading", "hugo", "hugo-pagefind")
DISTRICT_POSTS = 90_000
"""The district size the issue's targets are written for."""
GB = 10**9
EDITS = ("one post edited", "edited again")
SERVE_TARGET = 0.5
MADING_PYTHON = REPO / ".venv" / "bin" / "python"
NONE = "\u2013"
"""An en dash, for a cell with no figure (ruff flags the literal)."""


@dataclass(frozen=True)
class Serve:
    waits: list[float | None]
    """Seconds from each save to the edit in the open page; None: not shown in 30 s."""
    loads: list[float]

    @property
    def median(self) -> float:
        return statistics.median(w if w is not None else float("inf") for w in self.waits)


@dataclass(frozen=True)
class Row:
    build: str
    target: str
    mading: str
    peers: str
    ratio: str
    verdict: str


def seconds(value: float | None) -> str:
    return NONE if value is None else f"{value:.2f} s"


def verdict(met: bool | None, reduced: bool = False) -> str:
    if met is None:
        return "not measured"
    text = "met" if met else "**not met**"
    return text + (f" (at a reduced size; the target is for {DISTRICT_POSTS:,} posts)"
                   if reduced else "")


def all_of(*checks: bool | None) -> bool | None:
    """Met when every part is; not met as soon as one part is not, measured or not."""
    if False in checks:
        return False
    return None if None in checks else True


def edited_median(session: Session) -> float | None:
    """Mading's wall time over both edits (the first, and the next from the spare folder)."""
    values = [b.child.wall for b in session.builds
              if b.tool == "mading" and b.kind in EDITS and b.ok]
    return statistics.median(values) if values else None


def peer_figures(session: Session, names: tuple[str, ...]) -> str:
    """Each peer's median cold build, or why it has none."""
    cells = []
    for name in names:
        builds = [b for b in session.builds if b.tool == name]
        if not builds:
            continue
        wall = median_of(session, name, "wall")
        cells.append(f"{tools()[name].label} {seconds(wall)}" if wall is not None else
                     f"{tools()[name].label} skipped or failed")
    return "; ".join(cells) or NONE


def ratio(over: float | None, under: float | None, label: str) -> str:
    return NONE if over is None or under is None else f"{label} {over / under:.2f}{TIMES}"


def school_rows(session: Session, serve: Serve | None) -> list[Row]:
    def wall(tool: str, kind: str = "cold") -> float | None:
        return median_of(session, tool, "wall", kind)

    cold, pelican, hugo_pagefind = wall("mading"), wall("pelican"), wall("hugo-pagefind")
    edit = edited_median(session)
    unchanged, ci = wall("mading", "unchanged"), wall("mading", "CI run")
    everyone = peer_figures(session, ("pelican", "hugo-pagefind", "hugo", "mkdocs"))
    pelican_only = f"Pelican {seconds(pelican)} (its build)"

    def faster(mading: float | None, times: float) -> bool | None:
        return None if mading is None or pelican is None else pelican / mading >= times

    within = None if cold is None or hugo_pagefind is None else cold <= 2 * hugo_pagefind
    serve_met = None if serve is None else serve.median <= SERVE_TARGET
    serve_text = NONE
    if serve is not None:
        seen = [w for w in serve.waits if w is not None]
        serve_text = (f"median {seconds(serve.median)}, max {seconds(max(seen, default=None))}"
                      f" ({len(seen)} of {len(serve.waits)} saves shown)")
    return [
        Row("school, cold", f"≥ 1.5{TIMES} faster than Pelican; within 2{TIMES} of "
            "Hugo + Pagefind", seconds(cold), everyone,
            ratio(pelican, cold, "Pelican ÷ Mading") + "; "
            + ratio(cold, hugo_pagefind, "Mading ÷ (Hugo + Pagefind)"),
            verdict(all_of(faster(cold, 1.5), within))),
        Row("school, one post edited (CLI)", f"≥ 3{TIMES} faster than Pelican's build",
            seconds(edit), pelican_only, ratio(pelican, edit, "Pelican ÷ Mading"),
            verdict(faster(edit, 3))),
        Row("school, one post edited in `mading serve`",
            f"visible in the open page ≤ {SERVE_TARGET} s", serve_text, NONE, NONE,
            verdict(serve_met)),
        Row("school, nothing changed", f"≥ 20{TIMES} faster than Pelican", seconds(unchanged),
            pelican_only, ratio(pelican, unchanged, "Pelican ÷ Mading"),
            verdict(faster(unchanged, 20))),
        Row("school, CI run (cache kept, output gone)",
            "no slower than Hugo + Pagefind's full build", seconds(ci),
            f"Hugo + Pagefind {seconds(hugo_pagefind)}",
            ratio(hugo_pagefind, ci, "(Hugo + Pagefind) ÷ Mading"),
            verdict(None if ci is None or hugo_pagefind is None else ci <= hugo_pagefind)),
    ]


def district_rows(session: Session, posts: int) -> list[Row]:
    def wall(kind: str) -> float | None:
        return median_of(session, "mading", "wall", kind)

    cold, unchanged, ci = wall("cold"), wall("unchanged"), wall("CI run")
    colds = [b.child for b in session.builds
             if b.tool == "mading" and b.kind == "cold" and b.ok]
    pss = [child.peak_tree_pss for child in colds]
    largest = [child.largest_process_rss for child in colds]
    memory = statistics.median(pss) if pss else None
    hugo_pagefind = median_of(session, "hugo-pagefind", "wall")
    peers = peer_figures(session, ("hugo-pagefind", "hugo"))
    reduced = posts != DISTRICT_POSTS
    name = f"district, {posts:,} posts"
    cold_text = seconds(cold)
    if memory is not None:
        cold_text += (f", {mib(int(memory))} tree PSS (largest process "
                      f"{mib(int(statistics.median(largest)))})")
    return [
        Row(f"{name}, CI run", "≤ 120 s", seconds(ci), peers + " (cold, for reference)",
            ratio(hugo_pagefind, ci, "(Hugo + Pagefind) ÷ Mading"),
            verdict(None if ci is None else ci <= 120, reduced)),
        Row(f"{name}, cold", "≤ 300 s, < 1 GB tree memory", cold_text,
            peers + " (cold, for reference)",
            ratio(hugo_pagefind, cold, "(Hugo + Pagefind) ÷ Mading"),
            verdict(all_of(None if cold is None else cold <= 300,
                           None if memory is None else memory < GB), reduced)),
        Row(f"{name}, nothing changed", "< 5 s", seconds(unchanged), NONE, NONE,
            verdict(None if unchanged is None else unchanged < 5, reduced)),
    ]


def target_table(rows: list[Row]) -> str:
    lines = ["| build | target | Mading | peers (medians) | ratio | status |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {r.build} | {r.target} | {r.mading} | {r.peers} | {r.ratio} | {r.verdict} |"
              for r in rows]
    return "\n".join(lines)


def session_args(args: argparse.Namespace, size: str, names: tuple[str, ...],
                 repeat: int) -> argparse.Namespace:
    """What bench/peers.py's run_session reads, for one corpus."""
    return argparse.Namespace(
        workdir=(args.workdir or BENCH / "out") / f"targets-{size}-{args.teachers[size]}",
        feed_share=0.2, seed=7, fresh_corpus=args.fresh_corpus, tools=installed(list(names)),
        repeat=repeat, keep_outputs=False, timeout=args.timeout,
        mading_timeout=args.mading_timeout)


def measure_serve(session: Session, saves: int, workdir: Path) -> Serve | None:
    """bench/serve_bench.py on the school corpus's Mading tree, in Mading's own .venv."""
    site = session.corpus.root / "mading"
    post = session.corpus.edit_target().relative_to(site)
    figures = workdir / "serve.json"
    figures.unlink(missing_ok=True)
    print(f"\nServe: {saves} saves of {post} in `mading serve` on the school corpus ...",
          flush=True)
    done = subprocess.run([str(MADING_PYTHON), str(BENCH / "serve_bench.py"), "--site",
                           str(site), "--post", str(post), "--saves", str(saves),
                           "--json", str(figures)], check=False)
    if not figures.exists():
        print(f"serve_bench.py wrote no figures (exit {done.returncode})")
        return None
    data = json.loads(figures.read_text(encoding="utf-8"))
    return Serve(data["waits"], data["loads"])


def heading(args: argparse.Namespace) -> str:
    parts = []
    if "school" in args.rows:
        teachers, posts = SIZES["school"]
        parts.append(f"school {teachers} {TIMES} {posts}")
    if "district" in args.rows:
        parts.append(f"district {args.district_teachers:,} {TIMES} {SIZES['district'][1]}")
    return "Issue 23 targets: " + ", ".join(parts)


def raw_figures(label: str, session: Session) -> str:
    corpus = session.corpus
    teachers = len(corpus.teachers)
    return (f"**{label}**: `bench/corpus.py --teachers {teachers} --posts "
            f"{corpus.posts // max(teachers, 1)} --feed-share 0.2 --seed 7`, "
            f"{corpus.posts:,} posts ({corpus.feed_posts:,} from feed files for Mading, "
            "Markdown files for the peers).\n\n" + table(session) + "\n\n"
            + "\n".join(ratios(session) or ["- (no peer built)"]))


def method(args: argparse.Namespace) -> list[str]:
    parts = ["wall times, one subprocess per build (bench/peers.py)"]
    if "school" in args.rows:
        parts += [f"school: medians of {args.repeat} run(s) per tool; the edited row takes "
                  "both edits (the first, and the next from the spare folder); the serve "
                  f"row: {args.saves} title edits in `mading serve` on the school corpus, "
                  "watched in Chromium (bench/serve_bench.py)"]
    if "district" in args.rows:
        parts += [f"district: medians of {args.district_repeat} run(s); tree memory = the "
                  "peak sum of PSS over the build's process tree (bench/process_tree.py)"]
    return parts


def load_range(sessions: dict[str, Session], serve: Serve | None) -> str:
    loads = [b.child.load for s in sessions.values() for b in s.builds]
    loads += serve.loads if serve else []
    busy = max(loads, default=0) > BUSY_LOAD
    return (f"1-minute load average before the builds and saves: {min(loads, default=0):.2f} "
            f"to {max(loads, default=0):.2f} (2 cores)"
            + (": **the machine was busy**, timings only indicative" if busy else ""))


def report(args: argparse.Namespace, rows: list[Row], sessions: dict[str, Session],
           serve: Serve | None, versions: dict[str, str]) -> str:
    lines = [
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}",
        f"- generator/ measured: {generator_fingerprint()}",
        "- Command: `bench/.venv-peers/bin/python bench/targets.py "
        + " ".join(args.argv) + "`",
        "- Versions: " + "; ".join(f"{tools()[n].label} `{v}`" for n, v in versions.items()),
        "- Method: " + "; ".join(method(args)) + ".",
        f"- {load_range(sessions, serve)}",
    ]
    if args.note:
        lines.append(f"- Note: {args.note}")
    parts = ["\n".join(lines), target_table(rows)]
    if "school" in sessions:
        parts.append(raw_figures("School builds", sessions["school"]))
    if serve is not None:
        parts.append("**Serve, each save** (seconds until shown; load before): " + ", ".join(
            f"{seconds(w) if w is not None else 'not shown in 30 s'} ({load:.2f})"
            for w, load in zip(serve.waits, serve.loads, strict=True)))
    if "district" in sessions:
        parts.append(raw_figures("District builds", sessions["district"]))
    return "\n\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default=",".join(ROWS),
                        help="school (about 5 minutes), district (15-25 minutes), or both")
    parser.add_argument("--repeat", type=int, default=3, help="school runs per tool")
    parser.add_argument("--district-repeat", type=int, default=1)
    parser.add_argument("--district-teachers", type=int, default=SIZES["district"][0],
                        help="fewer for a quick check (30 posts each; 3,000 = the target's)")
    parser.add_argument("--saves", type=int, default=7, help="edits timed in mading serve")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds after which a peer's build is killed and skipped")
    parser.add_argument("--mading-timeout", type=float, default=3600)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="holds a folder per corpus: targets-SIZE-TEACHERS (default bench/out)")
    parser.add_argument("--fresh-corpus", action="store_true")
    parser.add_argument("--write-results", action="store_true")
    parser.add_argument("--note", default="", help="a sentence for the results section")
    args = parser.parse_args(argv)
    args.argv = argv if argv is not None else sys.argv[1:]
    args.teachers = {"school": SIZES["school"][0], "district": args.district_teachers}
    args.rows = [r.strip() for r in args.rows.split(",") if r.strip()]
    if not args.rows or any(r not in ROWS for r in args.rows):
        parser.error(f"--rows takes {', '.join(ROWS)} (comma-separated)")
    if min(args.repeat, args.district_repeat, args.saves, args.district_teachers) < 1:
        parser.error("--repeat, --district-repeat, --saves and --district-teachers take 1 "
                     "or more")
    names = set(SCHOOL_TOOLS if "school" in args.rows else ()) | \
        set(DISTRICT_TOOLS if "district" in args.rows else ())
    versions = {n: version(tools()[n]) for n in SCHOOL_TOOLS if n in names}
    for name, found in versions.items():
        print(f"{tools()[name].label}: {found}")
    fingerprint = generator_fingerprint()
    sessions: dict[str, Session] = {}
    serve = None
    rows: list[Row] = []
    if "school" in args.rows:
        school = session_args(args, "school", SCHOOL_TOOLS, args.repeat)
        sessions["school"] = run_session(school, *SIZES["school"])
        serve = measure_serve(sessions["school"], args.saves, school.workdir)
        rows += school_rows(sessions["school"], serve)
    if "district" in args.rows:
        district = session_args(args, "district", DISTRICT_TOOLS, args.district_repeat)
        posts = SIZES["district"][1]
        sessions["district"] = run_session(district, args.district_teachers, posts,
                                           edits=False)
        rows += district_rows(sessions["district"], sessions["district"].corpus.posts)
    if generator_fingerprint() != fingerprint:
        print("warning: generator/ changed while this ran; Mading's figures mix versions")
    print("\n" + target_table(rows))
    print("\n" + load_range(sessions, serve))
    if args.write_results:
        title = heading(args)
        replace_section(RESULTS, title, report(args, rows, sessions, serve, versions))
        print(f"\nwrote '## {title}' in {RESULTS.relative_to(REPO)}")
    mading_ok = all(b.ok for s in sessions.values() for b in s.builds if b.tool == "mading")
    return 0 if mading_ok and (serve is not None or "school" not in args.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
