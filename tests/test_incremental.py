"""Incremental builds: a page is rendered again only when something it shows changed.

These are counts, not timings (bench/ measures time): `BuildReport.rendered` says how many
pages and feeds a build made afresh; the others were the previous build's files.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.build import BuildReport, build
from tests.conftest import copy_example

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
ALWAYS_RENDERED = {"index.html", "keaktifan/index.html",
                   *(f"kelas/{name}/minggu-ini/index.html" for name in ("x-1", "x-2", "xi-1"))}
"""Made again when the day changes: the home page shows the build date; teacher activity
and each class's week (the tiny school's classes) are as of the build's day."""
LISTS_EVERY_POST = {"sitemap.xml"}
"""Made again whenever any post changes: it lists every post's address and date."""
POST = Path("content/sari/2026-11-18-persamaan-kuadrat.md")
LOADED_ONLY_TO_BUILD = ("jinja2", "markdown", "latex2mathml", "pygments", "feedparser", "httpx")
"""Libraries a build needs only when it renders, reads a post or a feed, or fetches."""


@pytest.fixture
def site(tiny_site: Path) -> Path:
    """The tiny school's folder."""
    return tiny_site.parent


def rebuild(site: Path, now: datetime = NOW) -> BuildReport:
    return build(site / "site.yml", site / "public", offline=True, now=now)


def generated_files(output: Path) -> list[Path]:
    """Files the renderer makes (pages and feeds), not copied assets or the search index."""
    return [p for p in output.rglob("*") if p.suffix in {".html", ".xml", ".json"}
            and not p.relative_to(output).as_posix().startswith("pagefind/")
            and p.name not in LISTS_EVERY_POST]


def showing(output: Path, text: str) -> set[str]:
    """The generated files whose bytes contain `text`."""
    return {p.relative_to(output).as_posix() for p in generated_files(output)
            if text.encode() in p.read_bytes()}


def test_rebuild_with_nothing_changed_renders_nothing(site: Path) -> None:
    first = rebuild(site)
    second = rebuild(site)
    assert first.rendered > 40
    assert (second.rendered, second.rewritten) == (0, 0)
    assert second.current
    # Read the long way, page by page (an input changed that no page shows), every page
    # is reused: none is volatile.
    (site / "content" / "sari" / "catatan.txt").write_text("bukan tulisan")
    third = rebuild(site)
    assert not third.current and (third.rendered, third.rewritten) == (0, 0)


def test_an_up_to_date_build_loads_only_what_tells_it_so(site: Path) -> None:
    """A build with nothing to do costs its start-up: the command, run as a user runs
    it, loads none of the libraries that render, read Markdown or feeds, or fetch."""
    rebuild(site)
    probe = ("import sys; from generator.cli import main; code = main(sys.argv[1:3]); "
             "print('loaded:', *sorted(set(sys.argv[3:]) & sys.modules.keys())); "
             "sys.exit(code)")
    result = subprocess.run(
        [sys.executable, "-c", probe, "build", "--offline", *LOADED_ONLY_TO_BUILD],
        cwd=site, capture_output=True, text=True, check=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))})
    assert result.stdout.splitlines()[-1] == "loaded:"


def test_one_post_edited_renders_only_the_pages_that_show_it(site: Path) -> None:
    rebuild(site)
    post = site / POST
    post.write_text(post.read_text(encoding="utf-8").replace(
        "\n\n", "\n\nKalimat baru yang hanya ada di tulisan ini.\n\n", 1), encoding="utf-8")
    report = rebuild(site)
    shown = showing(site / "public", "Kalimat baru yang hanya ada di tulisan ini")
    title_shown = showing(site / "public", "Persamaan Kuadrat")
    # Its own page and feeds show the new sentence; listings show its title and summary.
    assert "guru/sari/2026-11-18-persamaan-kuadrat/index.html" in shown
    assert 1 < report.rendered <= len(title_shown | shown | ALWAYS_RENDERED | LISTS_EVERY_POST)
    assert report.rendered < len(generated_files(site / "public"))


def post_keys(site: Path) -> dict[str, str]:
    with sqlite3.connect(site / ".mading" / "cache.sqlite") as db:
        keys = {Path(path).name: key for path, key in db.execute("SELECT path, key FROM posts")}
    db.close()
    return keys


def test_one_post_edited_is_the_only_post_read_again(site: Path) -> None:
    """Its neighbours count by name: an edit does not read the teacher's folder again;
    a picture beside the posts does (a post may show it)."""
    rebuild(site)
    before = post_keys(site)
    post = site / POST
    post.write_text(post.read_text() + "\nSatu kalimat lagi.\n")
    rebuild(site)
    edited = post_keys(site)
    assert {name for name in before if before[name] != edited[name]} == {POST.name}
    (site / POST).with_name("grafik.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"/>')
    rebuild(site)
    pictured = post_keys(site)
    assert {name for name in edited if edited[name] != pictured[name]} == \
        {name for name in edited if name.startswith("2026-")}


def test_guard_counts_every_page_of_a_school(tmp_path: Path) -> None:
    """The example school: one edited post, at most the pages showing its title."""
    site = copy_example(tmp_path / "sekolah").parent
    rebuild(site)
    post = sorted((site / "content").rglob("*.md"))[0]
    text = post.read_text(encoding="utf-8")
    post.write_text(text + "\n\nTambahan kecil di akhir tulisan.\n", encoding="utf-8")
    report = rebuild(site)
    title = next(line.split(":", 1)[1].strip().strip('"') for line in text.splitlines()
                 if line.lower().startswith("title:"))
    shown = showing(site / "public", title) | showing(site / "public", "Tambahan kecil")
    assert report.rendered <= len(shown | ALWAYS_RENDERED | LISTS_EVERY_POST)


def test_time_passing_rerenders_only_pages_with_relative_dates(site: Path) -> None:
    rebuild(site)
    report = rebuild(site, NOW + timedelta(days=1))
    relative = {p.relative_to(site / "public").as_posix()
                for p in generated_files(site / "public")
                if b'class="relative"' in p.read_bytes()}
    assert relative, "the tiny site has an assignment due soon"
    assert len(ALWAYS_RENDERED) < report.rendered <= len(relative | ALWAYS_RENDERED) + 4


def test_every_listing_of_an_assignment_shows_its_time_left_the_next_day(site: Path) -> None:
    """An assignment's card is rendered once per build and reused on the other listings
    that show it (generator/render/fragments.py, `cached`); each of them must still be made again
    when the card's time left changes, not kept from the day before."""
    rebuild(site)
    listings = showing(site / "public", "Tugas Persamaan Kuadrat") & \
        showing(site / "public", "(dalam 10 hari)")
    assert len(listings) >= 5  # home, teacher, month, subject, class pages...
    next_day = NOW + timedelta(days=1)
    rebuild(site, next_day)
    build(site / "site.yml", site / "fresh", offline=True, now=next_day)
    assert showing(site / "public", "(dalam 10 hari)") == set()
    assert listings <= showing(site / "public", "(dalam 9 hari)")
    assert {p.relative_to(site / "public"): p.read_bytes()
            for p in generated_files(site / "public")} == \
        {p.relative_to(site / "fresh"): p.read_bytes() for p in generated_files(site / "fresh")}


def test_an_output_file_changed_by_hand_is_made_again(site: Path) -> None:
    rebuild(site)
    page = site / "public" / "guru" / "sari" / "index.html"
    original = page.read_bytes()
    page.write_bytes(b"diubah di luar Mading")
    report = rebuild(site)
    assert page.read_bytes() == original
    # Written again from the bytes the cache keeps: the same as rendering would give.
    assert (report.rendered, report.rewritten) == (0, 1)


def every_file(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes()
            for p in output.rglob("*") if p.is_file()}


def test_a_deleted_output_is_written_again_from_the_kept_cache(site: Path) -> None:
    """What every scheduled CI run does: the build cache comes back from the Actions
    cache, the output folder does not. The pages and the search index are written from
    what the cache keeps, not rendered and indexed again (issue 23)."""
    first = rebuild(site)
    before = every_file(site / "public")
    shutil.rmtree(site / "public")
    report = rebuild(site)
    assert not report.current and first.rendered > 40 and report.rendered == 0
    # Pagefind names its filter files anew at each run: the same bundle is the kept one.
    assert every_file(site / "public") == before


def test_a_ci_run_after_an_edit_renders_and_indexes_what_changed(site: Path) -> None:
    rebuild(site)
    kept_bundle = {path: content for path, content in every_file(site / "public").items()
                   if path.startswith("pagefind/")}
    shutil.rmtree(site / "public")
    post = site / POST
    post.write_text(post.read_text().replace("title: Persamaan Kuadrat",
                                             "title: Persamaan Kuadrat Kelas X"))
    report = rebuild(site)
    showing_it = showing(site / "public", "Persamaan Kuadrat Kelas X")
    assert 0 < report.rendered <= len(showing_it) + len(ALWAYS_RENDERED | LISTS_EVERY_POST)
    assert "guru/sari/2026-11-18-persamaan-kuadrat/index.html" in showing_it
    bundle = {path: content for path, content in every_file(site / "public").items()
              if path.startswith("pagefind/")}
    assert bundle.keys() != kept_bundle.keys() or bundle != kept_bundle
    edited = cold_output(site, site.parent / "cold")
    assert {path: content for path, content in every_file(site / "public").items()
            if not path.startswith("pagefind/")} == edited


def cold_output(site: Path, copy: Path) -> dict[str, bytes]:
    """The files, but the search index, of a build of a copy of `site` with no cache."""
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".mading", "public"))
    rebuild(copy)
    return {path: content for path, content in every_file(copy / "public").items()
            if not path.startswith("pagefind/")}


def test_a_damaged_kept_page_is_rendered_again(site: Path) -> None:
    rebuild(site)
    before = every_file(site / "public")
    with sqlite3.connect(site / ".mading" / "cache.sqlite") as db:
        db.execute("UPDATE page_bytes SET content = X'00ff'")
        db.execute("UPDATE bundles SET files = X'00ff'")
    db.close()
    shutil.rmtree(site / "public")
    report = rebuild(site)
    assert report.rendered > 40
    after = every_file(site / "public")
    assert {p: c for p, c in after.items() if not p.startswith("pagefind/")} == \
        {p: c for p, c in before.items() if not p.startswith("pagefind/")}
    assert (site / "public" / "pagefind" / "pagefind.js").is_file()


def test_a_kept_bundle_naming_a_file_outside_its_folder_is_not_written(site: Path) -> None:
    rebuild(site)
    outside = b"../../di-luar.txt"
    with sqlite3.connect(site / ".mading" / "cache.sqlite") as db:
        db.execute("UPDATE bundles SET files = ?",
                   (struct.pack(">II", len(outside), 3) + outside + b"isi",))
    db.close()
    shutil.rmtree(site / "public")
    rebuild(site)
    assert not (site.parent / "di-luar.txt").exists()
    assert not list(site.parent.rglob("di-luar.txt"))
    assert (site / "public" / "pagefind" / "pagefind.js").is_file()


def test_the_cache_keeps_only_the_pages_of_the_last_build(site: Path) -> None:
    post = site / POST
    for title in ("Persamaan Kuadrat Satu", "Persamaan Kuadrat Dua"):
        post.write_text(post.read_text().replace("title: Persamaan Kuadrat", f"title: {title}", 1))
        rebuild(site)
    with sqlite3.connect(site / ".mading" / "cache.sqlite") as db:
        kept = {key for key, in db.execute("SELECT key FROM page_bytes")}
        recorded = {key for key, in db.execute("SELECT key FROM pages")}
    db.close()
    assert kept and kept <= recorded
    assert len(recorded - kept) <= len(ALWAYS_RENDERED)


@pytest.mark.parametrize("damage", [b"", b"bukan basis data" * 100,
                                    b"SQLite format 3\0" + b"x" * 200])
def test_a_damaged_cache_is_rebuilt_and_the_output_is_the_same(site: Path,
                                                               damage: bytes) -> None:
    rebuild(site)
    before = {p: p.read_bytes() for p in generated_files(site / "public")}
    (site / ".mading" / "cache.sqlite").write_bytes(damage)
    report = rebuild(site)
    assert report.rendered > 40
    assert {p: p.read_bytes() for p in generated_files(site / "public")} == before
    again = rebuild(site)
    assert again.current and again.rendered == 0


def test_a_scheduled_post_appears_at_its_time_and_not_before(site: Path) -> None:
    """Issue 26: a post dated later is scheduled. An up-to-date output stays so until the
    first scheduled post's time, when the (scheduled) build must publish it."""
    (site / "content" / "sari" / "ujian.md").write_text(
        "---\ntitle: Jadwal Ujian Semester\nkind: pengumuman\ndate: 2026-11-21 18:00\n---\n"
        "Ujian dimulai Senin.\n", encoding="utf-8")  # 11:00 UTC, two hours after NOW
    first = rebuild(site)
    assert first.problems == ()
    assert not showing(site / "public", "Jadwal Ujian Semester")
    assert rebuild(site, NOW + timedelta(hours=1)).current
    due = rebuild(site, NOW + timedelta(hours=2))
    assert not due.current and due.posts == first.posts + 1
    assert "index.html" in showing(site / "public", "Jadwal Ujian Semester")
    assert (site / "public/guru/sari/ujian/index.html").is_file()
