"""The write stage: atomic (a killed build leaves the previous output whole) and
incremental on disk (unchanged files keep their inode and modification time)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.models import OutputFile
from generator.write import write_output
from tests.conftest import REPO

BUILD = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from generator.build import build
report = build(Path(sys.argv[1]), Path(sys.argv[2]), offline=True,
               now=datetime(2026, 11, 23, 3, 0, tzinfo=UTC))
print(report.pages, report.rewritten)
"""


def build_in_process(site: Path, output: Path) -> tuple[int, int]:
    """A build in its own interpreter, as the CLI runs: nothing cached, a fresh hash seed."""
    result = subprocess.run([sys.executable, "-c", BUILD, str(site), str(output)],
                            capture_output=True, text=True, timeout=120, cwd=REPO)
    assert result.returncode == 0, result.stderr
    pages, rewritten = result.stdout.split()
    return int(pages), int(rewritten)


def state(output: Path) -> dict[str, tuple[int, int, str]]:
    """Every file of the output: inode, mtime and a digest of its bytes."""
    return {str(p.relative_to(output)): (p.stat().st_ino, p.stat().st_mtime_ns,
                                         hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(output.rglob("*")) if p.is_file()}


def test_rebuild_with_nothing_changed_rewrites_no_file(tiny_site: Path, tmp_path: Path) -> None:
    output = tmp_path / "public"
    pages, rewritten = build_in_process(tiny_site, output)
    assert pages == rewritten > 40
    before = state(output)
    assert any(name.startswith("pagefind/") for name in before)
    assert build_in_process(tiny_site, output) == (pages, 0)
    assert state(output) == before


def test_one_changed_post_rewrites_only_the_pages_that_show_it(tiny_site: Path,
                                                               tmp_path: Path) -> None:
    output = tmp_path / "public"
    build_in_process(tiny_site, output)
    before = state(output)
    post = tiny_site.parent / "content" / "sari" / "2026-11-18-persamaan-kuadrat.md"
    post.write_text(post.read_text().replace("Bentuk umum", "Bentuk baku"))
    build_in_process(tiny_site, output)
    after = state(output)
    changed = {name for name in after if before.get(name) != after[name]}
    pages = {name for name in changed if not name.startswith("pagefind/")}
    # The post itself, and the lists and feeds whose cards show its summary.
    assert "guru/sari/2026-11-18-persamaan-kuadrat/index.html" in pages
    assert "index.html" in pages and "feed.json" in pages
    assert "guru/sari/index.html" in pages and "mapel/matematika/index.html" in pages
    # Nothing about other teachers' posts, nor pages that do not show this post.
    assert not any(name.startswith("guru/budi/") for name in pages)
    assert "mapel/fisika/index.html" not in pages and "kelas/xi-1/index.html" not in pages
    assert "assets/style.css" not in pages
    assert len(pages) < len(after) // 3


def test_files_the_finish_step_wrote_again_keep_their_inode(tmp_path: Path) -> None:
    """What `finish` writes (the search index) is compared with the previous build's: an
    equal file keeps its inode and time, so a deploy does not upload it again."""
    output = tmp_path / "public"

    def index(staging: Path, rewritten: list[str]) -> None:
        (staging / "bundle").mkdir()
        (staging / "bundle" / "same.pf").write_bytes(b"same")
        (staging / "bundle" / "other.pf").write_bytes((staging / "index.html").read_bytes())

    write_output([OutputFile("index.html", b"one")], output, finish=index, finished=("bundle",))
    before = state(output)
    write_output([OutputFile("index.html", b"two")], output, finish=index, finished=("bundle",))
    after = state(output)
    assert after["bundle/same.pf"] == before["bundle/same.pf"]
    assert after["bundle/other.pf"][0] != before["bundle/other.pf"][0]
    assert after["index.html"][2] != before["index.html"][2]


@pytest.mark.parametrize("delay", [0.15, 0.35, 0.6, 0.9, 1.2])
def test_build_killed_at_any_moment_leaves_the_previous_output_whole(
        tiny_site: Path, tmp_path: Path, delay: float) -> None:
    output = tmp_path / "public"
    build_in_process(tiny_site, output)
    before = {name: digest for name, (_, _, digest) in state(output).items()}
    # A change, so that the killed build would write a different output.
    post = tiny_site.parent / "content" / "sari" / "2026-11-18-persamaan-kuadrat.md"
    post.write_text(post.read_text().replace("Bentuk umum", "Bentuk baku"))
    process = subprocess.Popen([sys.executable, "-c", BUILD, str(tiny_site), str(output)],
                               cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    now = {name: digest for name, (_, _, digest) in state(output).items()}
    # Either the previous output, untouched, or (killed after the swap) the new one whole.
    new_post = (output / "guru/sari/2026-11-18-persamaan-kuadrat/index.html").read_text()
    if "Bentuk baku" in new_post:
        # The new output, whole: the same pages (the search index's files are named by
        # their content, so only its entry point is checked).
        def pages(names: dict[str, str]) -> set[str]:
            return {name for name in names if not name.startswith("pagefind/")}

        assert pages(now) == pages(before)
        assert "pagefind/pagefind-entry.json" in now
    else:
        assert now == before
    # The next build finishes the job and clears what the killed one left behind.
    build_in_process(tiny_site, output)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".public")] == []
    assert "Bentuk baku" in (output / "guru/sari/2026-11-18-persamaan-kuadrat/index.html") \
        .read_text()
