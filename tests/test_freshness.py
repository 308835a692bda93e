"""A build that finds the previous output current reads, renders and writes nothing; any
change to what the output depends on makes it build, and then it writes what a build
from scratch writes (generator/incremental/snapshot.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.archive import Archive
from generator.build import build
from generator.incremental.snapshot import Snapshot
from generator.models import Entry, FeedResult, pack_html
from tests.test_write import state

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DUE = datetime(2026, 12, 1, 16, 59, tzinfo=UTC)
"""The tiny fixture's assignment: due 2026-12-01, 23.59 in Jakarta."""


def contents(output: Path) -> dict[str, bytes]:
    """Every file but the search index, whose bytes differ from one Pagefind run to the
    next."""
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*")
            if p.is_file() and not p.relative_to(output).as_posix().startswith("pagefind/")}


def assert_as_built_from_scratch(site: Path, output: Path, now: datetime,
                                 scratch: Path) -> None:
    fresh = build(site, scratch, offline=True, now=now)
    assert not fresh.current
    assert contents(output) == contents(scratch)


def test_nothing_changed_finds_the_output_current(tiny_site: Path, tmp_path: Path) -> None:
    output = tmp_path / "public"
    first = build(tiny_site, output, offline=True, now=NOW)
    assert not first.current and first.rendered > 0
    before = state(output)
    again = build(tiny_site, output, offline=True, now=NOW + timedelta(minutes=5))
    assert again.current
    assert (again.rendered, again.rewritten) == (0, 0)
    assert (again.pages, again.posts, again.problems) == (first.pages, first.posts,
                                                           first.problems)
    # The feeds' statuses are this build's (the fetch ran): the same feeds, a new time.
    assert [(f.teacher, f.error) for f in again.feeds] == \
        [(f.teacher, f.error) for f in first.feeds]
    assert again.feeds[0].last_success > first.feeds[0].last_success
    assert state(output) == before


def test_the_content_problems_are_reported_again(tiny_site: Path, tmp_path: Path) -> None:
    post = tiny_site.parent / "content" / "sari" / "2026-11-21-salah.md"
    post.write_text("---\ntitle: Salah\nkind: ujian\n---\nIsi.\n")
    output = tmp_path / "public"
    first = build(tiny_site, output, offline=True, now=NOW)
    assert first.problems
    again = build(tiny_site, output, offline=True, now=NOW)
    assert again.current and again.problems == first.problems


def test_the_output_is_checked_by_what_the_last_build_listed(tiny_site: Path,
                                                            tmp_path: Path) -> None:
    """The check reads the recorded files' and folders' states again, not the folders: a
    listing that is lost or damaged sends the build the long way, and that build records
    it again."""
    output = tmp_path / "public"
    build(tiny_site, output, offline=True, now=NOW)
    cache = tiny_site.parent / ".mading" / "cache.sqlite"
    with sqlite3.connect(cache) as db:
        (listing,), = db.execute("SELECT listing FROM builds")
        db.execute("UPDATE builds SET listing = ?", (b"not a listing",))
    report = build(tiny_site, output, offline=True, now=NOW)
    assert not report.current and report.rendered == 0
    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT listing FROM builds").fetchone() == (listing,)
    assert build(tiny_site, output, offline=True, now=NOW).current


def edit_post(site: Path, output: Path) -> None:
    post = site.parent / "content" / "sari" / "2026-11-18-persamaan-kuadrat.md"
    post.write_text(post.read_text() + "\nSatu kalimat lagi.\n")


def edit_image_beside_posts(site: Path, output: Path) -> None:
    image = site.parent / "content" / "sari" / "grafik.svg"
    # A drawn change: a comment would not show, SVG is published cleaned (issue 26).
    image.write_text(image.read_text().replace("</svg>", '<circle r="2"/></svg>'))


def replace_photo(site: Path, output: Path) -> None:
    photo = site.parent / "img" / "sari.svg"
    photo.write_text(photo.read_text().replace("</svg>", '<circle r="2"/></svg>'))


def edit_site_yml(site: Path, output: Path) -> None:
    site.write_text(site.read_text().replace("SMA Uji Coba", "SMA Uji Coba Dua"))


def budi_feed_result(*entries: Entry) -> FeedResult:
    return FeedResult("budi", "feeds/budi.xml", entries, "Blog Pak Budi",
                      "https://pakbudi.example/", "https://pakbudi.example/feed/")


def store_entry_from_elsewhere(site: Path, output: Path) -> None:
    """What a `mading fetch` or `archive import` run in between leaves in the archive."""
    entry = Entry(teacher="budi", entry_id="baru-1", origin="feed", title="Gelombang Bunyi",
                  published=NOW - timedelta(hours=1), html=pack_html("<p>Bunyi.</p>"),
                  categories=("Fisika",), link="https://pakbudi.example/bunyi/")
    with Archive(site.parent / ".mading" / "archive.sqlite") as archive:
        archive.store([budi_feed_result(entry)], NOW)


def break_feed_file(site: Path, output: Path) -> None:
    """The feed fails: its posts stay, and the build reports it."""
    (site.parent / "feeds" / "budi.xml").write_text("<rss><channel><item>")


def spoil_a_page(site: Path, output: Path) -> None:
    (output / "index.html").write_text("rusak")


def remove_a_page(site: Path, output: Path) -> None:
    (output / "guru" / "index.html").unlink()


def add_a_stray_file(site: Path, output: Path) -> None:
    (output / "catatan.txt").write_text("bukan bagian dari situs")


def add_a_stray_file_to_a_page_folder(site: Path, output: Path) -> None:
    """Deep inside, where no file the last build wrote changed."""
    (output / "guru" / "sari" / "catatan.txt").write_text("bukan bagian dari situs")


def add_a_folder_of_files(site: Path, output: Path) -> None:
    (output / "mapel" / "lama").mkdir()
    (output / "mapel" / "lama" / "index.html").write_text("<p>halaman lama</p>")


def rename_a_page(site: Path, output: Path) -> None:
    """The same file under another name: its state is the same, its folder's is not."""
    (output / "guru" / "index.html").rename(output / "guru" / "index.htm")


@pytest.mark.parametrize("change", [
    edit_post, edit_image_beside_posts, replace_photo, edit_site_yml,
    store_entry_from_elsewhere, break_feed_file, spoil_a_page, remove_a_page, add_a_stray_file,
    add_a_stray_file_to_a_page_folder, add_a_folder_of_files, rename_a_page,
], ids=lambda change: change.__name__)
def test_any_change_builds_as_from_scratch(change: Callable[[Path, Path], None],
                                           tiny_site: Path, tmp_path: Path) -> None:
    output = tmp_path / "public"
    build(tiny_site, output, offline=True, now=NOW)
    before = contents(output)
    change(tiny_site, output)
    report = build(tiny_site, output, offline=True, now=NOW)
    assert not report.current
    assert bool(report.broken_feeds) == (change is break_feed_file)
    assert_as_built_from_scratch(tiny_site, output, NOW, tmp_path / "scratch")
    # A spoiled output is made whole again; a broken feed shows in the report only.
    if change not in (spoil_a_page, remove_a_page, add_a_stray_file, break_feed_file,
                      add_a_stray_file_to_a_page_folder, add_a_folder_of_files, rename_a_page):
        assert contents(output) != before, "the change shows somewhere"


def test_a_snapshot_holds_from_its_clock_to_its_first_due_date() -> None:
    snapshot = Snapshot(inputs="x", generated=NOW, horizon=DUE, last_posts={}, problems=(),
                        posts=1)
    assert snapshot.holds_at(NOW) and snapshot.holds_at(DUE)
    assert not snapshot.holds_at(NOW - timedelta(seconds=1))
    assert not snapshot.holds_at(DUE + timedelta(seconds=1))
    assert Snapshot.loads(snapshot.dumps()) == snapshot


@pytest.mark.parametrize("damage", ["pagefind/pagefind.js", "pagefind/fragment"])
def test_a_damaged_search_index_builds(damage: str, tiny_site: Path, tmp_path: Path) -> None:
    """The index's own files are watched by their folders: a file gone from one shows."""
    output = tmp_path / "public"
    build(tiny_site, output, offline=True, now=NOW)
    target = output / damage
    victim = next(target.iterdir()) if target.is_dir() else target
    victim.unlink()
    assert not build(tiny_site, output, offline=True, now=NOW).current
    assert victim.is_file()


@pytest.mark.parametrize("later", [
    pytest.param(timedelta(days=1), id="a-day-later-the-time-left-reads-otherwise"),
    pytest.param(DUE - NOW + timedelta(minutes=1), id="past-the-due-date"),
    pytest.param(-timedelta(hours=1), id="clock-gone-back"),
])
def test_time_that_changes_a_page_builds(later: timedelta, tiny_site: Path,
                                         tmp_path: Path) -> None:
    output = tmp_path / "public"
    build(tiny_site, output, offline=True, now=NOW)
    report = build(tiny_site, output, offline=True, now=NOW + later)
    assert not report.current
    assert_as_built_from_scratch(tiny_site, output, NOW + later, tmp_path / "scratch")


def test_a_snapshot_holds_until_its_first_scheduled_post_appears() -> None:
    appears = NOW + timedelta(hours=2)
    snapshot = Snapshot(inputs="x", generated=NOW, horizon=None, last_posts={}, problems=(),
                        posts=1, scheduled=appears)
    assert snapshot.holds_at(appears - timedelta(seconds=1))
    assert not snapshot.holds_at(appears)  # shown from that very minute
    assert Snapshot.loads(snapshot.dumps()) == snapshot
