"""Shared pieces of the fetch benchmarks: the feed server, the site folder, the archive.

Not a test helper and not part of `make test`: the benchmarks in bench/ are run by hand.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PYTHON = sys.executable
HOST = "127.0.0.1"


def healthy(index: int, hang_every: int) -> bool:
    """Whether feed `index` answers (feed_server.py hangs every `hang_every`-th, from 0)."""
    return not (hang_every and index % hang_every == 0)


def expected_ids(index: int, items: int = 10) -> set[str]:
    """The guids feed_server.make_feed gives feed `index`."""
    return {f"http://guru{index}.example/?p={index * 100 + n}" for n in range(items)}


class FeedServer:
    """bench/feed_server.py in a subprocess, bound to 127.0.0.1, with a bounded lifetime;
    every `hang_every`-th feed hangs, every `fail_every`-th fails in one of its ways."""

    def __init__(self, feeds: int, hang_every: int, hang_seconds: float,
                 lifetime: float, fail_every: int = 0) -> None:
        self.process = subprocess.Popen(
            [PYTHON, str(BENCH / "feed_server.py"), "--feeds", str(feeds),
             "--hang-every", str(hang_every), "--hang-seconds", str(hang_seconds),
             "--fail-every", str(fail_every), "--lifetime", str(lifetime)],
            stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.isdigit():
            self.stop()
            raise RuntimeError(f"feed server did not print its port (got {line!r})")
        self.port = int(line)

    def url(self, index: int) -> str:
        return f"http://{HOST}:{self.port}/feed/{index}.xml"

    def stats(self, reset: bool = False) -> dict[str, object]:
        path = "/stats/reset" if reset else "/stats"
        with urllib.request.urlopen(f"http://{HOST}:{self.port}{path}", timeout=5) as answer:
            data: dict[str, object] = json.load(answer)
            return data

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> FeedServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def write_site(root: Path, server: FeedServer, feeds: int) -> Path:
    """A site folder with one subject and `feeds` teachers, each blogging on the server."""
    lines = ["school:", "  name: SMA Negeri Benchmark", "  url: https://bench.example.sch.id/",
             "  language: id", "  timezone: Asia/Jakarta",
             "subjects:", "  - name: Matematika", "    aliases: [MTK]",
             "classes: [X-1]", "teachers:"]
    for i in range(feeds):
        lines += [f"  - name: Guru {i:04d}", f"    slug: guru-{i:04d}",
                  "    subjects: [Matematika]", "    classes: [X-1]",
                  f"    blog: {server.url(i)}"]
    config = root / "site.yml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


@dataclass(frozen=True)
class ChildRun:
    command: list[str]
    wall: float
    """Seconds from start to exit."""
    max_rss_kb: int
    """Peak resident set size of that child alone (wait4's rusage), in KiB."""
    returncode: int
    stdout: str
    stderr: str
    cpu: float
    """CPU seconds (user + system) of the child."""
    load: float
    """The machine's 1-minute load average just before the start: other work competing
    for the CPUs makes the CPU-bound parts slower."""


def run_child(command: list[str], cwd: Path, limit: float,
              env: dict[str, str] | None = None) -> ChildRun:
    """Run `command`, measuring its wall time and its own peak RSS (os.wait4, not the
    cumulative RUSAGE_CHILDREN, whose maximum would mix runs); killed after `limit` s."""
    out_path, err_path = cwd / ".child.out", cwd / ".child.err"
    load = os.getloadavg()[0]
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, env=env)
        watchdog = threading.Timer(limit, process.kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            watchdog.cancel()
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return ChildRun(command, wall, usage.ru_maxrss, process.returncode,
                    out_path.read_text(encoding="utf-8", errors="replace"),
                    err_path.read_text(encoding="utf-8", errors="replace"),
                    usage.ru_utime + usage.ru_stime, load)


@dataclass(frozen=True)
class ArchiveCheck:
    entries: int
    feeds_ok: int
    feeds_failed: int
    complete: int
    """Healthy feeds whose 10 posts are all in the archive, with no stray ones."""
    incomplete: list[str]


def check_archive(archive: Path, feeds: int, hang_every: int) -> ArchiveCheck:
    db = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)
    try:
        ids: dict[str, set[str]] = {}
        for teacher, entry_id in db.execute("SELECT teacher, entry_id FROM entries"):
            ids.setdefault(teacher, set()).add(entry_id)
        ok, failed = db.execute(
            "SELECT COUNT(*) FILTER (WHERE error IS NULL), "
            "COUNT(*) FILTER (WHERE error IS NOT NULL) FROM feeds").fetchone()
    finally:
        db.close()
    incomplete = [f"guru-{i:04d}" for i in range(feeds) if healthy(i, hang_every)
                  and ids.get(f"guru-{i:04d}", set()) != expected_ids(i)]
    complete = sum(healthy(i, hang_every) for i in range(feeds)) - len(incomplete)
    return ArchiveCheck(sum(map(len, ids.values())), ok, failed, complete, incomplete)


def generator_fingerprint() -> str:
    """Which generator/ was measured (others edit the checkout; no git here): a hash of its
    Python files and the time of the latest change."""
    digest = hashlib.sha256()
    latest = 0.0
    for path in sorted((REPO / "generator").rglob("*.py")):
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
        latest = max(latest, path.stat().st_mtime)
    changed = datetime.fromtimestamp(latest, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"sha256 {digest.hexdigest()[:12]} of generator/**/*.py, last changed {changed}"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = int(next(line.split()[1] for line in
                          Path("/proc/meminfo").read_text().splitlines()
                          if line.startswith("MemTotal"))) // 1024
        ram = f", {memory / 1024:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        ram = ""
    return (f"{platform.system()} {platform.release()}, nproc {os.cpu_count()} ({cpu}){ram}, "
            f"Python {platform.python_version()}")


def replace_section(results: Path, heading: str, body: str) -> None:
    """Write `## heading` + body into results, replacing that section if it is there."""
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    marker = f"## {heading}\n"
    section = marker + "\n" + body.strip() + "\n"
    if marker in text:
        start = text.index(marker)
        after = text.find("\n## ", start + len(marker))
        end = len(text) if after == -1 else after + 1
        text = text[:start] + section + ("\n" + text[end:] if after != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    results.write_text(text, encoding="utf-8")
