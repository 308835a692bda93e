"""The write stage: atomic (a killed build leaves the previous output whole) and
incremental on disk (unchanged files keep their inode and modification time)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.errors import Problem
from generator.file_writer import WRITES_AHEAD, FileWriter
from generator.i18n import Translator
from generator.models import OutputFile
from generator.write import (
    OutputBudget,
    OutputBudgetError,
    OutputPathError,
    link_tree,
    output_lock,
    write_output,
)
from tests.conftest import FIXTURES, REPO, copy_example, copy_site

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
    assert not any(name.startswith("assets/style.") for name in pages)
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


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def folders(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir()}


def write(output: Path, pages: dict[str, bytes], **options: object) -> None:
    write_output([OutputFile(path, content) for path, content in pages.items()], output,
                 **options)  # type: ignore[arg-type]


FIRST = {"index.html": b"home 1", "guru/sari/a/index.html": b"a", "guru/sari/b/index.html": b"b",
         "tugas/index.html": b"tugas", "cari/index.html": b"cari"}
SECOND = {**FIRST, "index.html": b"home 2", "guru/sari/c/index.html": b"c"}
THIRD = {"index.html": b"home 3", "guru/sari/a/index.html": b"a",
         "guru/sari/d/index.html": b"d", "tugas": b"now a file", "cari/index.html/x": b"deep"}
"""Three builds: a page changed each time, pages added and removed, a folder of the
second build (`tugas/`) now a file and a file of it (`cari/index.html`) now a folder."""


def test_the_retired_output_is_the_next_builds_staging_folder(tmp_path: Path) -> None:
    output = tmp_path / "public"
    write(output, FIRST)
    assert not (tmp_path / ".public.spare").exists()  # a first build retires nothing
    write(output, SECOND)
    spare = tmp_path / ".public.spare"
    assert files(spare) == FIRST
    kept = (output / "guru/sari/a/index.html").stat().st_ino

    write(output, THIRD)

    assert files(output) == THIRD
    assert folders(output) == {"guru", "guru/sari", "guru/sari/a", "guru/sari/d", "cari",
                               "cari/index.html"}  # b/ and c/ gone, no folder left empty
    assert (output / "guru/sari/a/index.html").stat().st_ino == kept
    assert files(spare) == SECOND
    assert sorted(p.name for p in tmp_path.iterdir()) == [".public.spare", "public"]


def test_what_else_the_spare_holds_is_removed_and_links_not_followed(tmp_path: Path) -> None:
    output = tmp_path / "public"
    write(output, FIRST)
    write(output, SECOND)
    spare = tmp_path / ".public.spare"
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "dalam").mkdir(parents=True)
    (elsewhere / "dalam" / "berkas.txt").write_text("bukan milik situs")
    (spare / "guru" / "lama").symlink_to(elsewhere, target_is_directory=True)
    (spare / "guru" / "sari" / "catatan.txt").write_text("sisa")
    (spare / "kosong" / "lagi").mkdir(parents=True)

    write(output, THIRD)

    assert files(output) == THIRD
    assert not (output / "guru" / "lama").is_symlink() and not (output / "kosong").exists()
    assert (elsewhere / "dalam" / "berkas.txt").read_text() == "bukan milik situs"


def test_without_an_atomic_exchange_the_retired_output_is_kept_as_well(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """macOS and Windows have no renameat2: the swap is two renames there."""
    monkeypatch.setattr(sys, "platform", "darwin")
    output = tmp_path / "public"
    for pages in (FIRST, SECOND, THIRD):
        write(output, pages)
    assert files(output) == THIRD
    assert files(tmp_path / ".public.spare") == SECOND
    assert sorted(p.name for p in tmp_path.iterdir()) == [".public.spare", "public"]


def test_a_page_written_into_the_spare_folder_never_changes_the_published_one(
        tmp_path: Path) -> None:
    """The spare folder shares the inodes of every page that did not change: a page is
    written there as a new file, never through the link into the published output."""
    output = tmp_path / "public"
    write(output, FIRST)
    write(output, {**FIRST, "tugas/index.html": b"tugas 2"})
    assert os.path.samefile(tmp_path / ".public.spare/index.html", output / "index.html")
    published: list[dict[str, bytes]] = []

    def look(staging: Path, rewritten: list[str]) -> None:
        published.append(files(output))
        assert rewritten == ["index.html"]

    write(output, {**FIRST, "tugas/index.html": b"tugas 2", "index.html": b"home 2"},
          finish=look)

    assert published == [{**FIRST, "tugas/index.html": b"tugas 2"}]
    assert files(output)["index.html"] == b"home 2"


def test_the_spare_folders_search_index_is_not_published_by_a_build_without_one(
        tmp_path: Path) -> None:
    output = tmp_path / "public"

    def index(staging: Path, rewritten: list[str]) -> None:
        (staging / "bundle").mkdir(exist_ok=True)
        (staging / "bundle" / "entry.json").write_bytes(b"{}")

    write(output, FIRST, finish=index, finished=("bundle",))
    write(output, SECOND, finish=index, finished=("bundle",))
    assert (tmp_path / ".public.spare/bundle/entry.json").is_file()
    # No post left to index: the build has no finish step (build.py), and the index goes.
    write(output, THIRD, finished=("bundle",))
    assert files(output) == THIRD


def test_link_tree_makes_a_folder_hold_exactly_the_links_of_another(tmp_path: Path) -> None:
    source, target = tmp_path / "index", tmp_path / "staging" / "index"
    for name, content in {"entry.json": b"{}", "fragment/a.pf": b"a", "fragment/b.pf": b"b"}\
            .items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(content)
    (target / "fragment" / "old").mkdir(parents=True)
    (target / "fragment" / "old" / "c.pf").write_bytes(b"c")
    (target / "entry.json").write_bytes(b"stale")

    link_tree(source, target)

    assert files(target) == files(source)
    assert folders(target) == {"fragment"}
    assert all(os.path.samefile(source / name, target / name) for name in files(source))


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
    # The next build finishes the job and clears what the killed one left behind; the
    # output it retires is kept as the spare folder of the build after it.
    build_in_process(tiny_site, output)
    assert [p.name for p in tmp_path.iterdir()
            if p.name.startswith(".public") and p.name != ".public.lock"] in (
        [], [".public.spare"])
    assert "Bentuk baku" in (output / "guru/sari/2026-11-18-persamaan-kuadrat/index.html") \
        .read_text()


def test_a_build_past_its_output_budget_stops_and_leaves_the_previous_output(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 26: one post with 10,000 tags wrote 7.1 GB. A build that makes far more than
    its posts need stops as it goes (the pages not even made), and nothing is swapped."""
    monkeypatch.chdir(tmp_path)
    output = tmp_path / "public"
    write_output([OutputFile("index.html", b"lama")], output)
    before = state(output)
    budget = OutputBudget(posts=2, base=100_000, per_post=50_000)
    made: list[int] = []

    def pages() -> Iterator[OutputFile]:
        for number in range(10_000):
            made.append(number)
            yield OutputFile(f"label/{number}/index.html", b"x" * 10_000)

    with pytest.raises(OutputBudgetError) as raised:
        write_output(pages(), output, budget=budget)

    assert len(made) == 21  # the 21st page passed 200,000 bytes; none made after it
    assert state(output) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]  # no staging left
    assert str(raised.value) == (
        "public: build menghasilkan lebih dari 0 MB halaman dan feed (0 MB, ditambah 0 MB "
        "untuk setiap 2 tulisannya): jauh melebihi kebutuhan tulisannya, jadi dihentikan "
        "sebelum disk penuh; folder keluaran dibiarkan seperti semula. Cari tulisan atau "
        "feed yang menghasilkan ribuan halaman (label, tanggal)")


def test_an_output_that_may_not_be_replaced_is_refused_in_the_readers_language(
        tmp_path: Path) -> None:
    """write_output refuses a folder that is no earlier build as the build does for
    --output, and says so in the language of whoever shows the error (issue 22)."""
    output = tmp_path / "sekolah"
    output.mkdir()
    (output / "site.yml").write_text("school: {}\n")
    with pytest.raises(OutputPathError) as raised:
        write_output([OutputFile("index.html", b"baru")], output)

    assert (output / "site.yml").is_file() and not (output / "index.html").exists()
    assert raised.value.problems_in(Translator("en")) == [Problem("--output", Translator("en")(
        "output.not_a_build", output=str(output), input=""))]
    assert raised.value.problems == [Problem("--output", Translator("id")(
        "output.not_a_build", output=str(output), input=""))]


def test_a_path_out_of_the_output_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputPathError) as raised:
        write_output([OutputFile("../keluar.html", b"x")], tmp_path / "public")

    assert not (tmp_path / "keluar.html").exists()
    assert str(raised.value) == ("mading: '../keluar.html' akan ditulis di luar folder "
                                 "keluaran, jadi tidak ada yang ditulis; ini kesalahan "
                                 "Mading, mohon laporkan")


def test_the_default_budget_never_stops_a_district() -> None:
    """90,000 posts made 3.5 GB (bench/RESULTS.md): the budget leaves room for 25 times
    that; a school of 30 posts still stops below 300 MB."""
    assert OutputBudget(posts=90_000).limit > 25 * 3_533_500_000
    assert OutputBudget(posts=30).limit < 300 * 1024 * 1024


# --- two builds of one output at once (issue 26, item 2) -------------------------------------

def mading(site: Path, *args: str, **options: Any) -> subprocess.Popen[str]:
    """`mading build --offline` in the site folder, as cron or a second terminal runs it."""
    return subprocess.Popen([sys.executable, "-m", "generator", "build", "--offline", *args],
                            cwd=site, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(REPO),
                                 "SOURCE_DATE_EPOCH": "1795000000"}, **options)


def output_files(output: Path) -> set[str]:
    """The output's files; the search index by its entry point only (its other files are
    named by a hash of what they hold, which a carried-over index keeps)."""
    found = {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()}
    return {name for name in found if not name.startswith("pagefind/")} | \
        {name for name in found if name == "pagefind/pagefind-entry.json"}


def test_two_builds_at_once_publish_a_whole_site(tmp_path: Path) -> None:
    """Round after round, a second real `mading build` starts while the first is writing
    (its staging folder has appeared): both succeed and the output is a whole build.
    Before the lock, the second one removed the first's staging folder as a leftover and
    a gutted output (18 of 506 files, no index.html) was published with both exiting 0."""
    config = copy_example(tmp_path / "site")
    site, text = config.parent, config.read_text()
    for round_ in range(4):
        config.write_text(text.replace("SMA Negeri 3 Sukamaju", f"SMA Negeri {round_} Sukamaju"))
        first = mading(site)
        for _ in range(6000):  # until the first build is writing (bounded: 60 s)
            if any(p.name.startswith(".public.new-") for p in site.iterdir()) or \
                    first.poll() is not None:
                break
            time.sleep(0.01)
        second = mading(site)
        for build in (first, second):
            out, err = build.communicate(timeout=300)
            assert build.returncode == 0, (round_, out, err)
        assert (site / "public/index.html").is_file(), round_
        assert f"SMA Negeri {round_} Sukamaju" in (site / "public/index.html").read_text()
    # The output is what one build alone makes of the same site, and a later build works.
    alone = mading(site, "--output", str(tmp_path / "alone"))
    assert alone.communicate(timeout=300) and alone.returncode == 0
    assert output_files(site / "public") == output_files(tmp_path / "alone")
    assert "pagefind/pagefind-entry.json" in output_files(site / "public")
    config.write_text(text)
    later = mading(site)
    assert later.communicate(timeout=300) and later.returncode == 0
    assert "SMA Negeri 3 Sukamaju" in (site / "public/index.html").read_text()


def test_a_build_waits_for_the_one_writing_and_says_so(tmp_path: Path) -> None:
    config = copy_site(FIXTURES / "tiny", tmp_path / "site")
    config.write_text(config.read_text().replace("language: id", "language: en"))
    with output_lock(config.parent / "public", lambda: None):
        build = mading(config.parent)
        assert build.stderr is not None
        line = build.stderr.readline()  # blocks until the build has found the lock taken
        assert line == ("public: another build is writing this folder; waiting for it to "
                        "finish, then building\n")
        assert build.poll() is None and not (config.parent / "public").exists()
    _out, err = build.communicate(timeout=300)
    assert build.returncode == 0, err
    assert (config.parent / "public/index.html").is_file()


def writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("mading-write")]


def test_the_file_writer_creates_every_file_and_leaves_no_thread(tmp_path: Path) -> None:
    count = WRITES_AHEAD * 5
    with FileWriter() as writer:
        for number in range(count):
            writer.write(str(tmp_path / f"{number}.html"), f"<p>{number}</p>".encode())
        assert writer_threads()
    assert writer_threads() == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.html" for n in range(count))
    assert all((tmp_path / f"{n}.html").read_bytes() == f"<p>{n}</p>".encode()
               for n in range(count))


def test_a_file_the_writer_cannot_create_fails_the_block(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), FileWriter() as writer:
        writer.write(str(tmp_path / "no-such-folder" / "index.html"), b"x")
        writer.write(str(tmp_path / "index.html"), b"y")
    assert writer_threads() == []
    assert (tmp_path / "index.html").read_bytes() == b"y"


def test_leaving_the_writer_on_an_error_waits_for_its_threads(tmp_path: Path) -> None:
    """The caller removes the folder next: no thread may still be writing into it; the
    files not begun are dropped."""
    with pytest.raises(KeyError), FileWriter() as writer:
        for number in range(WRITES_AHEAD * 3):
            writer.write(str(tmp_path / f"{number}.html"), b"x" * 50_000)
        raise KeyError("stop")
    assert writer_threads() == []
    # Every file begun was finished: none is left half written behind the caller's back.
    assert {p.stat().st_size for p in tmp_path.iterdir()} <= {50_000}


def test_a_writer_given_nothing_starts_no_thread() -> None:
    before = set(threading.enumerate())
    with FileWriter():
        assert set(threading.enumerate()) == before
    assert set(threading.enumerate()) == before
