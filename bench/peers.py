"""Build one corpus with Mading, Pelican, MkDocs-Material (blog plugin) and Hugo, and compare.

    bench/.venv-peers/bin/python bench/peers.py --size school [--tools mading,pelican,mkdocs,hugo]
        [--repeat 1] [--timeout 600] [--write-results] [--note TEXT]

Runs with bench/.venv-peers's Python (Mading keeps its own .venv, the peers theirs). The
corpus is written by bench/corpus.py into `--workdir`; each tool then makes a cold build
of it in a subprocess: output folder deleted, and the tool's cache too (Mading's archive
`.mading/`, Hugo's `resources/`, MkDocs' `.cache/`). Mading is then built twice
more the way a school rebuilds: with nothing changed, after one Markdown post's body was
edited, and after it was edited again (the build before it retired an output, so this one
starts from the spare folder, as a school's builds do from the second edit on; the file
is restored afterwards), and last as a scheduled CI run finds it: the output folder
deleted, the build cache kept (the workflow restores it from the Actions cache).

Measured per build (bench/process_tree.py says how): wall time, CPU time, peak RSS of the
whole process tree (sampled every 50 ms) and of the largest single process, then the
output: pages (`*.html`), files, and bytes (apparent size and disk usage, each inode once,
like `du -sb` and `du -s`). A peer still running after `--timeout` seconds is killed and
reported as skipped. The ratio printed is peer time / Mading time for the cold build
(medians over `--repeat`): above 1, Mading is faster.

Not a test: nothing here runs in `make test`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchlib import BENCH, REPO, generator_fingerprint, machine, replace_section
from corpus import Corpus, generate
from process_tree import TreeRun, run_tree

SIZES = {"school": (58, 20), "district": (3000, 30)}
TOOLS = ("mading", "pelican", "mkdocs", "hugo", "hugo-pagefind")
PEERS_BIN = BENCH / ".venv-peers" / "bin"
MADING = REPO / ".venv" / "bin" / "mading"
RESULTS = BENCH / "RESULTS.md"
TIMES = "\u00d7"
"""The multiplication sign, as in "58 teachers x 20 posts" (ruff flags the literal)."""
BUSY_LOAD = 0.7
"""A 1-minute load average above this before a build means other work was running."""


@dataclass(frozen=True)
class Tool:
    name: str
    label: str
    tree: str
    """The corpus folder the tool builds from (its working directory)."""
    command: Callable[[Path], list[str]]
    """The build command, given the output folder."""
    caches: tuple[str, ...]
    """Paths in the tree that a cold build starts without."""
    executable: Path


def _hugo() -> Path:
    return Path(shutil.which("hugo") or "/usr/bin/hugo")


def _pagefind() -> Path:
    """The Pagefind binary Mading's own environment installed (`pagefind[bin]`)."""
    found = sorted((REPO / ".venv").glob("lib/python*/site-packages/pagefind_bin/pagefind"))
    return found[-1] if found else REPO / ".venv" / "bin" / "pagefind"


HUGO_POSTS = "posts/*/*/index.html"
"""Hugo's post pages in the corpus's layout: what Pagefind indexes of its output, as
Mading's index holds its post pages only."""


def tools() -> dict[str, Tool]:
    return {
        "mading": Tool("mading", "Mading", "mading",
                       lambda out: [str(MADING), "build", "--offline", "--output", str(out)],
                       (".mading",), MADING),
        "pelican": Tool("pelican", "Pelican", "pelican",
                        lambda out: [str(PEERS_BIN / "pelican"), "content", "-o", str(out),
                                     "-s", "pelicanconf.py"],
                        ("__pycache__",), PEERS_BIN / "pelican"),
        "mkdocs": Tool("mkdocs", "MkDocs-Material", "mkdocs",
                       lambda out: [str(PEERS_BIN / "mkdocs"), "build", "--quiet",
                                    "--site-dir", str(out)],
                       (".cache",), PEERS_BIN / "mkdocs"),
        "hugo": Tool("hugo", "Hugo", "hugo",
                     lambda out: [str(_hugo()), "--quiet", "-d", str(out)],
                     ("resources", ".hugo_build.lock"), _hugo()),
        # Hugo has no search of its own; a Hugo site that wants one commonly adds Pagefind.
        # Mading's output holds a search index, so this is the like-for-like build.
        "hugo-pagefind": Tool(
            "hugo-pagefind", "Hugo + Pagefind", "hugo",
            lambda out: ["sh", "-c", '"$0" --quiet -d "$1" && "$2" --site "$1" --glob "$3" '
                         '--force-language id --silent', str(_hugo()), str(out),
                         str(_pagefind()), HUGO_POSTS],
            ("resources", ".hugo_build.lock"), _hugo()),
    }


def environment() -> dict[str, str]:
    env = dict(os.environ)
    # Material for MkDocs prints a banner about MkDocs 2.0 on every build without this.
    env["NO_MKDOCS_2_WARNING"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def version(tool: Tool) -> str:
    commands = {
        "mading": [[str(MADING), "--version"]],
        "pelican": [[str(PEERS_BIN / "pelican"), "--version"]],
        "mkdocs": [[str(PEERS_BIN / "python"), "-c",
                    "from importlib.metadata import version as v; "
                    "print('mkdocs', v('mkdocs'), '+ mkdocs-material', v('mkdocs-material'))"]],
        "hugo": [[str(_hugo()), "version"]],
        "hugo-pagefind": [["sh", "-c", '"$0" version && "$1" --version', str(_hugo()),
                           str(_pagefind())]],
    }[tool.name]
    try:
        answer = subprocess.run(commands[0], capture_output=True, text=True, timeout=60,
                                env=environment())
    except OSError as exc:
        return f"unknown ({exc})"
    text = (answer.stdout or answer.stderr).strip().splitlines()
    found = " + ".join(text) if text else "unknown"
    return f"pelican {found}" if tool.name == "pelican" and found[:1].isdigit() else found


@dataclass(frozen=True)
class Output:
    pages: int
    files: int
    apparent: int
    """Bytes, each inode once (`du -sb`)."""
    disk: int
    """Bytes of allocated blocks, each inode once (`du -s`)."""


def measure_output(folder: Path) -> Output:
    seen: set[tuple[int, int]] = set()
    pages = files = apparent = disk = 0
    for directory, _dirs, names in os.walk(folder):
        for name in names:
            stat = os.lstat(os.path.join(directory, name))
            files += 1
            pages += name.endswith(".html")
            if (stat.st_dev, stat.st_ino) in seen:
                continue
            seen.add((stat.st_dev, stat.st_ino))
            apparent += stat.st_size
            disk += stat.st_blocks * 512
    return Output(pages, files, apparent, disk)


def inodes(folder: Path) -> dict[str, int]:
    found = {}
    for directory, _dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(directory, name)
            found[os.path.relpath(path, folder)] = os.lstat(path).st_ino
    return found


@dataclass(frozen=True)
class Build:
    tool: str
    kind: str
    """cold | unchanged | one post edited | edited again | CI run"""
    run: int
    child: TreeRun
    output: Output | None
    rewritten: int | None = None
    """Mading rebuilds: files of the output that are new or were written again."""

    @property
    def ok(self) -> bool:
        return not self.child.timed_out and self.child.returncode == 0


@dataclass
class Session:
    corpus: Corpus
    workdir: Path
    timeout: float
    mading_timeout: float
    builds: list[Build] = field(default_factory=list)

    def build(self, tool: Tool, kind: str, run: int, cold: bool) -> Build:
        site = self.corpus.root / tool.tree
        out = self.workdir / "out" / tool.name
        if cold:
            shutil.rmtree(out, ignore_errors=True)
            for cache in tool.caches:
                path = site / cache
                if path.is_dir():
                    shutil.rmtree(path)
                elif path.exists():
                    path.unlink()
        before = inodes(out) if not cold and out.is_dir() else {}
        # Dirty pages of the previous step (the corpus, an earlier output) are written out
        # first, so that their writeback is not charged to this build.
        os.sync()
        limit = self.mading_timeout if tool.name == "mading" else self.timeout
        logs = self.workdir / "logs" / f"{tool.name}-{run}-{kind.replace(' ', '-')}"
        logs.parent.mkdir(parents=True, exist_ok=True)
        child = run_tree(tool.command(out), site, limit, logs, environment())
        done = not child.timed_out and child.returncode == 0
        output = measure_output(out) if done and out.is_dir() else None
        rewritten = None
        if before and output is not None:
            after = inodes(out)
            rewritten = sum(before.get(path) != inode for path, inode in after.items())
        build = Build(tool.name, kind, run, child, output, rewritten)
        self.builds.append(build)
        print(describe(build), flush=True)
        if not done:
            tail = (child.stderr.strip() or child.stdout.strip()).splitlines()[-15:]
            for line in tail:
                print(f"    {line}")
        elif tool.name == "mading" and child.stderr.strip():
            # Built, but Mading had something to say (a feed file it could not read, say):
            # the corpus should give it nothing to complain about.
            for line in child.stderr.strip().splitlines()[:10]:
                print(f"    mading: {line}")
        return build


def describe(build: Build) -> str:
    child = build.child
    head = f"{build.tool:13} {build.kind:15} run {build.run}: "
    if child.timed_out:
        return head + (f"skipped (>{child.wall:.0f} s; killed at {child.cpu:.0f} s CPU, "
                       f"{mib(child.peak_tree_rss)} tree)")
    if child.returncode != 0:
        return head + f"FAILED (exit {child.returncode}) after {child.wall:.1f} s"
    text = (f"{child.wall:7.2f} s wall, {child.cpu:7.2f} s CPU, "
            f"{mib(child.peak_tree_rss)} tree / {mib(child.largest_process_rss)} largest")
    if build.output is not None:
        text += f", {build.output.pages:,} pages, {build.output.apparent / 1e6:,.1f} MB"
    if build.rewritten is not None:
        text += f", {build.rewritten:,} files rewritten"
    return head + text + f" (load {child.load:.2f})"


def mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"


def edit(post: Path, run: int) -> str:
    """Change one post's body as a teacher fixing a typo would; returns the original."""
    original = post.read_text(encoding="utf-8")
    post.write_text(original + f"\nRevisi {run}: jawaban nomor 2 sudah diperbaiki.\n",
                    encoding="utf-8")
    return original


def edited(session: Session, tool: Tool, run: int) -> None:
    """Mading after one post's edit, and after a second edit of it; the post restored."""
    target = session.corpus.edit_target()
    original = edit(target, run)
    try:
        session.build(tool, "one post edited", run, cold=False)
        # As a school's next edit finds it: the build before retired an output,
        # kept as the spare folder this build starts from (generator/write.py).
        edit(target, run + 1000)
        session.build(tool, "edited again", run, cold=False)
    finally:
        target.write_text(original, encoding="utf-8")


def run_session(args: argparse.Namespace, teachers: int, posts: int,
                edits: bool = True) -> Session:
    """Build the corpus with each of `args.tools`; Mading's rebuilds after an edit are
    left out with `edits` False (bench/targets.py's district needs none of them)."""
    workdir = args.workdir.resolve()
    print(f"Writing the corpus: {teachers:,} teachers x {posts} posts, feed share "
          f"{args.feed_share} ...", flush=True)
    corpus = generate(workdir / "corpus", teachers, posts, args.feed_share, args.seed,
                      reuse=not args.fresh_corpus)
    how = "reused (same corpus.py, same arguments)" if corpus.reused else \
        f"written in {corpus.seconds:.1f} s"
    print(f"  {corpus.posts:,} posts ({corpus.feed_posts:,} from feed files), {how}: "
          f"{corpus.root}", flush=True)
    session = Session(corpus, workdir, args.timeout, args.mading_timeout)
    for name in args.tools:
        tool = tools()[name]
        for run in range(1, args.repeat + 1):
            cold = session.build(tool, "cold", run, cold=True)
            if not cold.ok:
                break  # a peer past its limit is not tried again
            if name == "mading":
                session.build(tool, "unchanged", run, cold=False)
                if edits:
                    edited(session, tool, run)
                # A scheduled CI run: a fresh runner, the build cache back from the Actions
                # cache (.github/workflows/build.yml), no output.
                shutil.rmtree(workdir / "out" / tool.name, ignore_errors=True)
                session.build(tool, "CI run", run, cold=False)
        if not args.keep_outputs:  # the district's outputs take gigabytes
            # Mading's staging folders (`.mading.new-*`) too, left by a build killed late.
            for output in (workdir / "out").glob(f"*{name}*"):
                shutil.rmtree(output, ignore_errors=True)
    return session


def median_of(session: Session, tool: str, what: str, kind: str = "cold") -> float | None:
    """The median `what` (wall or cpu) of `tool`'s successful `kind` builds."""
    values = [getattr(b.child, what) for b in session.builds
              if b.tool == tool and b.kind == kind and b.ok]
    return statistics.median(values) if values else None


def failure(build: Build, session: Session) -> str:
    limit = session.mading_timeout if build.tool == "mading" else session.timeout
    return f"skipped (>{limit:.0f} s)" if build.child.timed_out else \
        f"failed (exit {build.child.returncode})"


def table(session: Session) -> str:
    rows = ["| tool | build | run | wall (s) | CPU (s) | peak RSS, tree | largest process "
            "| pages (.html) | files | size (du -sb) | on disk (du -s) | load before |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for b in session.builds:
        c = b.child
        cells = [tools()[b.tool].label, b.kind, str(b.run)]
        if not b.ok:
            cells += [failure(b, session)] + [""] * 8
        else:
            cells += [f"{c.wall:.2f}", f"{c.cpu:.2f}", mib(c.peak_tree_rss),
                      mib(c.largest_process_rss)]
            o = b.output
            if o is None:
                cells += [""] * 4
            else:
                files = f"{o.files:,}" + (f" ({b.rewritten:,} rewritten)"
                                          if b.rewritten is not None else "")
                cells += [f"{o.pages:,}", files, f"{o.apparent / 1e6:,.1f} MB",
                          f"{o.disk / 1e6:,.1f} MB"]
        cells.append(f"{c.load:.2f}")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def ratios(session: Session) -> list[str]:
    mading = median_of(session, "mading", "wall")
    mading_cpu = median_of(session, "mading", "cpu")
    lines = []
    for name in TOOLS[1:]:
        if not any(b.tool == name for b in session.builds):
            continue
        label = tools()[name].label
        peer = median_of(session, name, "wall")
        peer_cpu = median_of(session, name, "cpu")
        if peer is None:
            failed = next(b for b in session.builds if b.tool == name)
            lines.append(f"- {label}: {failure(failed, session)}")
        elif mading is None:
            lines.append(f"- {label}: {peer:.2f} s (no Mading build to compare with)")
        else:
            line = (f"- {label}: {peer:.2f} s vs Mading {mading:.2f} s: "
                    f"**{peer / mading:.2f}{TIMES}** (peer time / Mading time)")
            if peer_cpu and mading_cpu:
                # CPU time suffers less than wall time from other work on the machine.
                line += (f"; CPU {peer_cpu:.2f} s vs {mading_cpu:.2f} s: "
                         f"{peer_cpu / mading_cpu:.2f}{TIMES}")
            lines.append(line)
    return lines


def section_heading(size: str, teachers: int, posts: int) -> str:
    what = {"school": "one school", "district": "a district"}.get(size, "custom")
    return (f"Builds: Mading vs Pelican, MkDocs-Material, Hugo ({what}, "
            f"{teachers:,} teachers {TIMES} {posts} posts)")


def report(args: argparse.Namespace, session: Session, versions: dict[str, str],
           teachers: int, posts: int, command: str) -> str:
    corpus = session.corpus
    loads = [b.child.load for b in session.builds]
    busy = max(loads, default=0.0) > BUSY_LOAD
    lines = [
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}",
        f"- generator/ measured: {generator_fingerprint()}",
        f"- Corpus: `bench/corpus.py --teachers {teachers} --posts {posts} --feed-share "
        f"{args.feed_share} --seed {args.seed}`: {corpus.posts:,} posts, "
        f"{corpus.feed_posts:,} of them from {sum(t.feed for t in corpus.teachers)} "
        f"feed files for Mading (Markdown files for the peers); "
        + ("reused from an earlier run" if corpus.reused else
           f"written in {corpus.seconds:.1f} s"),
        f"- Command: `{command}`",
        "- Versions: " + "; ".join(f"{tools()[n].label} `{v}`" for n, v in versions.items()),
        "- Method: one subprocess per build; cold = output folder and the tool's cache "
        "deleted first. Peak RSS, tree = largest sum of RSS over the build's process tree "
        "(every 50 ms; an upper bound, shared pages count once per process); "
        "largest process = wait4's ru_maxrss. Size counts each inode once. See "
        "bench/README.md for what each tool builds.",
    ]
    if busy:
        lines.append(f"- **The machine was busy** (1-minute load average up to "
                     f"{max(loads):.2f} before a build, on 2 cores): timings are noisy and "
                     "only indicative.")
    if args.note:
        lines.append(f"- Note: {args.note}")
    body = "\n".join(lines) + "\n\n" + table(session) + "\n\n" + \
        "Cold builds, Mading's ratio against each peer (medians; wall time, then CPU time):\n\n" + \
        "\n".join(ratios(session) or ["- (no peer built)"]) + "\n"
    return body


def installed(names: list[str]) -> list[str]:
    """The tools of `names` found on this machine; the others are named, with how to
    install them, and left out."""
    missing = [t for t in names if not tools()[t].executable.exists()
               or (t == "hugo-pagefind" and not _pagefind().exists())]
    for name in missing:
        hint = "make build" if name == "mading" else \
            "apt-get install hugo; make build" if name.startswith("hugo") else \
            "bench/.venv-peers/bin/pip install -r bench/requirements-peers.txt"
        print(f"{tools()[name].label}: not installed ({tools()[name].executable}; {hint}), "
              "left out")
    return [t for t in names if t not in missing]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=(*SIZES, "custom"), default="school",
                        help="school: 58 teachers x 20 posts; district: 3,000 x 30")
    parser.add_argument("--teachers", type=int, help="with --size custom (or to override)")
    parser.add_argument("--posts", type=int, help="posts per teacher (custom)")
    parser.add_argument("--feed-share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tools", default=",".join(TOOLS),
                        help=f"comma-separated, from {','.join(TOOLS)}")
    parser.add_argument("--repeat", type=int, default=1, help="cold builds per tool")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds after which a peer's build is killed and skipped")
    parser.add_argument("--mading-timeout", type=float, default=3600,
                        help="the same for Mading's builds")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="corpus, outputs and logs (default bench/out/builds-SIZE)")
    parser.add_argument("--write-results", action="store_true",
                        help="write the section of bench/RESULTS.md for this size")
    parser.add_argument("--note", default="", help="a sentence for the results section")
    parser.add_argument("--fresh-corpus", action="store_true",
                        help="write the corpus again even if the workdir has the same one")
    parser.add_argument("--keep-outputs", action="store_true",
                        help="keep each tool's output (deleted after it is measured)")
    parser.add_argument("--clean", action="store_true",
                        help="delete the whole workdir (corpus included) at the end")
    args = parser.parse_args(argv)
    teachers, posts = SIZES.get(args.size, (0, 0))
    teachers, posts = args.teachers or teachers, args.posts or posts
    if not teachers or not posts:
        parser.error("--size custom needs --teachers and --posts")
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = [t for t in args.tools if t not in TOOLS]
    if unknown:
        parser.error(f"unknown tool(s) {', '.join(unknown)}; choose from {', '.join(TOOLS)}")
    args.tools = installed(args.tools)
    args.workdir = args.workdir or BENCH / "out" / f"builds-{args.size}"
    command = "bench/.venv-peers/bin/python bench/peers.py " + " ".join(
        a if " " not in a else repr(a) for a in (argv if argv is not None else sys.argv[1:]))
    versions = {name: version(tools()[name]) for name in args.tools}
    for name, found in versions.items():
        print(f"{tools()[name].label}: {found}")
    fingerprint = generator_fingerprint()
    session = run_session(args, teachers, posts)
    if generator_fingerprint() != fingerprint:
        print("warning: generator/ changed while this ran; Mading's figures mix versions")
    print()
    print(table(session))
    print()
    print("\n".join(ratios(session)))
    if args.write_results:
        heading = section_heading(args.size, teachers, posts)
        replace_section(RESULTS, heading,
                        report(args, session, versions, teachers, posts, command))
        print(f"\nwrote '## {heading}' in {RESULTS.relative_to(REPO)}")
    if args.clean:
        shutil.rmtree(args.workdir, ignore_errors=True)
    return 0 if all(b.ok or b.tool != "mading" for b in session.builds) else 1


if __name__ == "__main__":
    sys.exit(main())
