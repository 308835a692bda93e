"""The archive: a real SQLite file that remembers every feed post across builds."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.archive import Archive, ArchiveError
from generator.archive_format import SCHEMA_VERSION
from generator.build import build
from generator.models import Entry, FeedNote, FeedResult, pack_html
from generator.sources.feeds import as_read, parse_feed
from tests.conftest import FIXTURES

T1 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
T2 = T1 + timedelta(hours=6)
T3 = T2 + timedelta(hours=6)

OLD_POST = "guru/budi/2026-11-10-hukum-newton-gaya-gesek/index.html"
NEW_POST = "guru/budi/2026-11-12-pr-statistika/index.html"


def entry(entry_id: str, title: str, published: datetime = T1, teacher: str = "budi") -> Entry:
    return Entry(teacher=teacher, entry_id=entry_id, origin="feed", title=title,
                 published=published, html=pack_html(f"<p>{title}</p>"),
                 categories=("Fisika", "XI-1"), link=f"https://pakbudi.example/{entry_id}/")


def ok(*entries: Entry, teacher: str = "budi", undated: frozenset[str] = frozenset()
       ) -> FeedResult:
    return FeedResult(teacher, f"feeds/{teacher}.xml", entries, "Blog", "https://b.example/",
                      "https://b.example/feed/", undated=undated)


def failed(teacher: str = "budi", error: str = "FeedError: not a feed") -> FeedResult:
    return FeedResult(teacher, f"feeds/{teacher}.xml", error=error)


# -- the Archive class on its own ---------------------------------------------------------


def test_the_revision_moves_when_an_entry_changes_not_when_it_is_seen_again(
        tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    with Archive(path) as archive:
        start = archive.revision()
        archive.store([ok(entry("p-1", "Gaya"))], T1)
        added = archive.revision()
        archive.store([ok(entry("p-1", "Gaya"))], T2)  # seen again: only last_seen
        assert archive.revision() == added > start
        archive.store([ok(entry("p-1", "Gaya dan Gerak"))], T3)
        edited = archive.revision()
        assert edited > added
        archive.store([failed()], T3)
        assert archive.revision() == edited
    # Whoever writes, the count moves: here an import that brings one more entry.
    with Archive(path) as archive:
        exported = [line.replace('"p-1"', '"p-9"') for line in archive.export()]
        archive.import_(exported, as_read)
        assert archive.revision() > edited


def test_an_archive_of_version_1_is_upgraded_keeping_its_entries(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    with Archive(path) as archive:
        archive.store([ok(entry("p-1", "Gaya"))], T1)
    db = sqlite3.connect(path)
    db.executescript("DROP TRIGGER entry_added; DROP TRIGGER entry_changed; "
                     "DROP TRIGGER entry_removed; DROP TABLE revision; PRAGMA user_version = 1;")
    db.close()
    with Archive(path) as archive:
        before = archive.revision()
        assert [e.title for e in archive.entries()] == ["Gaya"]
        archive.store([ok(entry("p-2", "Usaha"))], T2)
        assert archive.revision() == before + 1
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_entries_round_trip_through_the_file(tmp_path: Path) -> None:
    original = Entry(teacher="budi", entry_id="p-1", origin="feed", title="Gaya & Gerak",
                     published=datetime(2026, 11, 10, 8, 0, tzinfo=UTC),
                     updated=datetime(2026, 11, 11, 8, 0, tzinfo=UTC),
                     html=pack_html("<p>ğ ü ✓</p>"), link="https://pakbudi.example/p-1/",
                     summary="ringkas", categories=("Fisika", "XI-1"), author="Budi",
                     image="https://pakbudi.example/a.png")
    with Archive(tmp_path / "a" / "archive.sqlite") as archive:
        archive.store([ok(original)], T1)
    # A new connection: what comes back was read from the file.
    with Archive(tmp_path / "a" / "archive.sqlite") as archive:
        # The archive adds the slug it will keep for the post's address.
        assert archive.entries() == [replace(original, slug="gaya-gerak")]


def test_edited_entry_is_updated_not_duplicated(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    with Archive(path) as archive:
        archive.store([ok(entry("p-1", "Judul lama"), entry("p-2", "Lain"))], T1)
        archive.store([ok(entry("p-1", "Judul baru"))], T2)
        assert sorted((e.entry_id, e.title) for e in archive.entries()) == \
            [("p-1", "Judul baru"), ("p-2", "Lain")]
    rows = sqlite3.connect(path).execute(
        "SELECT first_seen, last_seen FROM entries WHERE entry_id = 'p-1'").fetchall()
    assert rows == [(T1.isoformat(), T2.isoformat())]


def test_same_entry_id_from_two_teachers_is_two_entries(tmp_path: Path) -> None:
    with Archive(tmp_path / "archive.sqlite") as archive:
        archive.store([ok(entry("1", "Budi")), ok(entry("1", "Sari", teacher="sari"),
                                                   teacher="sari")], T1)
        assert sorted((e.teacher, e.title) for e in archive.entries()) == \
            [("budi", "Budi"), ("sari", "Sari")]


def test_undated_entry_keeps_its_first_date(tmp_path: Path) -> None:
    with Archive(tmp_path / "archive.sqlite") as archive:
        archive.store([ok(entry("u", "Tanpa tanggal", published=T1),
                          entry("d", "Bertanggal", published=T1), undated=frozenset({"u"}))],
                      T1)
        # Read again later: the undated one is "published" now, the dated one was moved.
        archive.store([ok(entry("u", "Tanpa tanggal (diubah)", published=T2),
                          entry("d", "Bertanggal", published=T3), undated=frozenset({"u"}))],
                      T2)
        stored = {e.entry_id: e for e in archive.entries()}
    assert stored["u"].published == T1
    assert stored["u"].title == "Tanpa tanggal (diubah)"
    assert stored["d"].published == T3


def test_failing_feed_keeps_posts_and_its_first_error_time(tmp_path: Path) -> None:
    with Archive(tmp_path / "archive.sqlite") as archive:
        archive.store([ok(entry("p-1", "Satu"))], T1)
        archive.store([failed(error="HTTPStatusError: 500")], T2)
        archive.store([failed(error="HTTPStatusError: 404")], T3)
        (status,) = archive.feed_statuses()
        assert [e.entry_id for e in archive.entries()] == ["p-1"]
        assert status.error == "HTTPStatusError: 404"
        assert status.error_since == T2
        assert status.last_success == T1
        assert status.home_page == "https://b.example/"

        archive.store([ok(entry("p-2", "Dua"))], T3 + timedelta(hours=1))
        (status,) = archive.feed_statuses()
        assert status.error is None
        assert status.error_since is None
        assert status.last_success == T3 + timedelta(hours=1)
        assert [e.entry_id for e in archive.entries()] == ["p-1", "p-2"]


def test_feed_that_never_worked(tmp_path: Path) -> None:
    with Archive(tmp_path / "archive.sqlite") as archive:
        archive.store([failed()], T1)
        (status,) = archive.feed_statuses()
    assert (status.teacher, status.source, status.error, status.error_since,
            status.last_success) == ("budi", "feeds/budi.xml", "FeedError: not a feed", T1, None)


def test_one_teachers_failure_leaves_the_others_alone(tmp_path: Path) -> None:
    with Archive(tmp_path / "archive.sqlite") as archive:
        archive.store([ok(entry("p-1", "Budi")), ok(entry("s-1", "Sari", teacher="sari"),
                                                     teacher="sari")], T1)
        archive.store([failed(), ok(teacher="sari")], T2)
        statuses = {s.teacher: s for s in archive.feed_statuses()}
        assert statuses["budi"].error is not None
        assert statuses["sari"].error is None
        assert statuses["sari"].last_success == T2
        assert len(archive.entries()) == 2


# -- across builds of a site --------------------------------------------------------------


def budi_feed(site: Path) -> Path:
    return site.parent / "feeds" / "budi.xml"


def drop_first_item(feed: Path) -> None:
    """The feed scrolls: the older post (the first <item> in the file) is no longer in it."""
    text = feed.read_text()
    start, end = text.index("<item>"), text.index("</item>") + len("</item>")
    assert "Hukum Newton" in text[start:end]
    feed.write_text(text[:start] + text[end:])


def test_posts_that_scroll_out_of_the_feed_stay(tiny_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(tiny_site, out, offline=True, now=T1)
    assert (out / OLD_POST).is_file()
    drop_first_item(budi_feed(tiny_site))
    report = build(tiny_site, out, offline=True, now=T2)
    assert report.broken_feeds == ()
    assert (out / OLD_POST).is_file()
    assert (out / NEW_POST).is_file()
    assert "Hukum Newton" in (out / "guru/budi/index.html").read_text()


def test_a_fresh_archive_shows_only_what_the_feed_holds(tiny_site: Path,
                                                        tmp_path: Path) -> None:
    # The counterpart of the test above: without the first build, the post is not there.
    drop_first_item(budi_feed(tiny_site))
    build(tiny_site, tmp_path / "public", offline=True, now=T2)
    assert not (tmp_path / "public" / OLD_POST).exists()
    assert (tmp_path / "public" / NEW_POST).is_file()


def test_edited_post_is_one_post_after_rebuild(tiny_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    first = build(tiny_site, out, offline=True, now=T1)
    feed = budi_feed(tiny_site)
    feed.write_text(feed.read_text().replace("PR Statistika", "PR Statistika (revisi)"))
    second = build(tiny_site, out, offline=True, now=T2)
    assert second.posts == first.posts
    # The address stays what students were given; the page shows the new title.
    assert "PR Statistika (revisi)" in (out / NEW_POST).read_text()
    assert not (out / "guru/budi/2026-11-12-pr-statistika-revisi").exists()


def test_broken_feed_keeps_the_teachers_posts_and_reports(tiny_site: Path,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(tiny_site, out, offline=True, now=T1)
    budi_feed(tiny_site).write_text("<html><body>Situs sedang perbaikan</body></html>")
    for now in (T2, T3):
        report = build(tiny_site, out, offline=True, now=now)
        (broken,) = report.broken_feeds
        assert broken.teacher == "budi"
        assert broken.error is not None
        assert "not a feed" in broken.error
        assert broken.error_since == T2
        assert broken.last_success == T1
        assert (out / OLD_POST).is_file()
        assert (out / NEW_POST).is_file()

    # Then it breaks another way: the message changes, the time it began does not.
    original = (FIXTURES / "tiny" / "feeds" / "budi.xml").read_text()
    budi_feed(tiny_site).write_text(original[:len(original) // 2])
    (broken,) = build(tiny_site, out, offline=True, now=T3).broken_feeds
    assert "cut off" in (broken.error or "")
    assert broken.error_since == T2

    shutil.copy(FIXTURES / "tiny" / "feeds" / "budi.xml", budi_feed(tiny_site))
    healed = build(tiny_site, out, offline=True, now=T3 + timedelta(hours=1))
    assert healed.broken_feeds == ()
    budi = next(f for f in healed.feeds if f.teacher == "budi")
    assert (budi.error, budi.error_since, budi.last_success) == \
        (None, None, T3 + timedelta(hours=1))


def test_removed_teacher_leaves_the_site_but_stays_in_the_archive(tiny_site: Path,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(tiny_site, out, offline=True, now=T1)
    assert (out / "guru/budi/index.html").is_file()
    config = tiny_site.read_text()
    start = config.index("  - name: Budi Santoso")
    end = config.index("  - name: Rina Kartika")
    tiny_site.write_text(config[:start] + config[end:])

    report = build(tiny_site, out, offline=True, now=T2)
    assert not (out / "guru/budi").exists()
    assert "Hukum Newton" not in (out / "index.html").read_text()
    assert "budi" not in [f.teacher for f in report.feeds]
    with Archive(tiny_site.parent / ".mading" / "archive.sqlite") as archive:
        kept = [e.title for e in archive.entries() if e.teacher == "budi"]
        assert sorted(kept) == ["Hukum Newton & Gaya Gesek", "PR Statistika"]
        assert "budi" in [s.teacher for s in archive.feed_statuses()]


# -- dates out of range (issue 26) ----------------------------------------------------------

BAD_DATES = ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:00-12:00", "2026-11-20T07:00:00",
             "kemarin")
"""Stored by an older Mading, or by hand: beyond the calendar in some time zone, without
a time zone, not a date."""


def spoil_dates(archive_file: Path, entry_id: str, value: str) -> None:
    """Give one stored entry a bad `published` (and `updated`), as an older Mading that
    did not check dates stored it."""
    db = sqlite3.connect(archive_file)
    with db:
        changed = db.execute(
            "UPDATE entries SET data = json_set(data, '$.published', ?1, '$.updated', ?1) "
            "WHERE entry_id = ?2", (value, entry_id)).rowcount
    db.close()
    assert changed == 1


@pytest.mark.parametrize("value", BAD_DATES)
def test_a_stored_date_out_of_range_does_not_stop_builds(tiny_site: Path, tmp_path: Path,
                                                         value: str) -> None:
    out = tmp_path / "public"
    build(tiny_site, out, offline=True, now=T1)
    archive_file = tiny_site.parent / ".mading" / "archive.sqlite"
    spoil_dates(archive_file, "https://missrina.example/posts/recount-text/", value)
    # Built from the archive (and from the build cache), offline, and reported: the post
    # is shown under the day it was first seen.
    for now in (T2, T3):
        report = build(tiny_site, out, offline=True, now=now)
        assert report.posts == 5 and report.problems == ()
        assert (out / "guru/rina-kartika/2026-11-20-recount-text/index.html").is_file()
    assert subprocess.run([sys.executable, "-m", "generator", "report"], cwd=tiny_site.parent,
                          capture_output=True, timeout=60).returncode == 0
    # The export carries the row as it is; importing it into a new archive stores the
    # date of the first sighting instead, and that archive builds too.
    with Archive(archive_file) as archive:
        exported = list(archive.export())
    assert any(value in line for line in exported)
    shutil.rmtree(archive_file.parent)
    with Archive(archive_file) as archive:
        assert archive.import_(exported, as_read) == 3
    with sqlite3.connect(archive_file) as db:
        (published,) = db.execute("SELECT json_extract(data, '$.published') FROM entries "
                                  "WHERE entry_id LIKE '%recount-text/'").fetchone()
    assert published == T1.isoformat()
    assert build(tiny_site, out, offline=True, now=T3).posts == 5


def test_an_import_stores_entries_as_the_check_gives_them_back(tmp_path: Path) -> None:
    """The archive stores records and sanitizes nothing (issue 22): an export's entries
    are cleaned by the check the caller hands in, the feed reader's `as_read`."""
    hostile = replace(entry("p-1", "Satu"), link="javascript:alert(1)",
                      html=pack_html('<p>Satu</p><script>alert(1)</script>'))
    with Archive(tmp_path / "a.sqlite") as archive:
        archive.store([ok(hostile)], T1)
        exported = list(archive.export())
    with Archive(tmp_path / "as-given.sqlite") as archive:
        archive.import_(exported, lambda entry: entry)
        [kept] = archive.entries()
    assert "<script>" in kept.content_html and kept.link == "javascript:alert(1)"
    with Archive(tmp_path / "checked.sqlite") as archive:
        archive.import_(exported, as_read)
        [checked] = archive.entries()
    assert checked.content_html == "<p>Satu</p>" and checked.link is None


def test_an_import_with_times_that_are_not_times_is_refused(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite") as archive:
        archive.store([ok(entry("p-1", "Satu"))], T1)
        exported = list(archive.export())
    spoiled = [line.replace(T1.isoformat(), "0001-01-01T00:00:00+14:00") for line in exported]
    with Archive(tmp_path / "b.sqlite") as archive:
        with pytest.raises(ArchiveError) as caught:
            archive.import_(spoiled, as_read)
        assert caught.value.line == 3
        assert archive.entries() == []


def test_a_feed_with_dates_out_of_range_keeps_a_note_for_the_report(tmp_path: Path) -> None:
    note = FeedNote("hostile_data.note_dates_refused", 2)
    path = tmp_path / "archive.sqlite"
    with Archive(path) as archive:
        archive.store([replace(ok(entry("p-1", "Satu")), notes=(note,))], T1)
        archive.store([replace(ok(), not_modified=True)], T2)  # a 304 keeps the note
        archive.store([failed()], T2)  # so does a failure
        assert archive.feed_statuses()[0].notes == (note,)
        exported = list(archive.export())
        archive.store([ok(entry("p-1", "Satu"))], T3)  # read again, all well: none
        assert archive.feed_statuses()[0].notes == ()
    with Archive(tmp_path / "b.sqlite") as archive:
        archive.import_(exported, as_read)
        assert archive.feed_statuses()[0].notes == (note,)


def test_a_feed_item_dated_out_of_range_builds_and_is_reported(tiny_site: Path,
                                                               tmp_path: Path) -> None:
    """Issue 26, as it was found: the JSON Feed item archived, every later build died."""
    feed = tiny_site.parent / "feeds" / "rina.json"
    data = json.loads(feed.read_text())
    data["items"].append({"id": "jauh", "url": "https://missrina.example/posts/jauh/",
                          "title": "Jauh", "content_html": "<p>x</p>",
                          "date_published": "0001-01-01T00:00:00+14:00"})
    feed.write_text(json.dumps(data))
    for now in (T1, T2):
        report = build(tiny_site, tmp_path / "public", offline=True, now=now)
        assert report.posts == 6
        (rina,) = [f for f in report.feeds if f.teacher == "rina-kartika"]
        assert rina.notes == (FeedNote("hostile_data.note_dates_refused", 1),)
    assert (tmp_path / "public/guru/rina-kartika/2026-11-20-jauh/index.html").is_file()
    shown = subprocess.run([sys.executable, "-m", "generator", "report"], cwd=tiny_site.parent,
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0
    assert "CATATAN: 1 tulisan memberi tanggal di luar jangkauan" in shown.stdout


# -- identity (issue 26) --------------------------------------------------------------------


def rss_items(*items: tuple[str | None, str, str]) -> bytes:
    """An RSS feed of (guid or None, title, link) items."""
    body = "".join("<item>" + (f'<guid isPermaLink="false">{guid}</guid>' if guid else "")
                   + f"<title>{title}</title><link>{link}</link>"
                   "<pubDate>Fri, 20 Nov 2026 08:00:00 +0700</pubDate></item>"
                   for guid, title, link in items)
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            "<title>Blog</title><link>https://pakbudi.example/</link>" + body
            + "</channel></rss>").encode()


def stored_titles(path: Path, *feeds: bytes) -> list[list[tuple[str, str]]]:
    """(id, title) of the entries after each update, one update per feed."""
    after = []
    with Archive(path) as archive:
        for number, feed in enumerate(feeds):
            archive.store([parse_feed("budi", "feeds/budi.xml", feed, None)],
                          T1 + timedelta(hours=number))
            after.append(sorted((e.entry_id, e.title) for e in archive.entries()))
    return after


def test_items_with_their_own_ids_and_one_link_stay_posts_of_their_own(
        tmp_path: Path) -> None:
    link = "https://pakbudi.example/2026/11/materi/"
    both = rss_items(("g-1", "Satu", link), ("g-2", "Dua", link))
    expected = [("g-1", "Satu"), ("g-2", "Dua")]
    assert stored_titles(tmp_path / "a.sqlite", both, both) == [expected, expected]
    # One after the other, as a blog adds posts.
    first = rss_items(("g-1", "Satu", link))
    assert stored_titles(tmp_path / "b.sqlite", first, both)[-1] == expected


def test_a_feed_whose_items_all_link_to_its_home_page_keeps_them_all(tmp_path: Path) -> None:
    home = "https://pakbudi.example/"
    items = [(f"tag:pakbudi,{n}", f"Pengumuman {n}", home) for n in range(1, 13)]
    # The blog shows its latest 5; each update brings new ones.
    updates = [rss_items(*items[start:start + 5]) for start in (0, 4, 7)]
    stored = stored_titles(tmp_path / "a.sqlite", *updates)[-1]
    assert sorted(title for _id, title in stored) == sorted(t for _g, t, _l in items)


def test_items_without_ids_are_known_by_their_links(tmp_path: Path) -> None:
    """The reason the link stood in for identity: a blog that loses its ids (a new
    platform, a plugin), or gives ids to posts that had none, keeps its posts."""
    links = [f"https://pakbudi.example/{n}/" for n in (1, 2)]
    with_ids = rss_items(("p-1", "Satu", links[0]), ("p-2", "Dua", links[1]))
    without = rss_items((None, "Satu (baru)", links[0]), (None, "Dua", links[1]))
    ided = rss_items(("new-1", "Satu (lagi)", links[0]), ("new-2", "Dua", links[1]))
    assert stored_titles(tmp_path / "a.sqlite", with_ids, without)[-1] == \
        [("p-1", "Satu (baru)"), ("p-2", "Dua")]
    # Posts stored by their links take the ids given later.
    assert stored_titles(tmp_path / "b.sqlite", without, ided)[-1] == \
        [("new-1", "Satu (lagi)"), ("new-2", "Dua")]


def test_a_repeated_id_that_also_claims_a_post_by_its_link_is_stored(tmp_path: Path) -> None:
    """One id on two items, one of them linking to a post stored by its link: the update
    is stored (it once failed on the archive's unique key)."""
    stored = rss_items((None, "Lama", "https://pakbudi.example/lama/"))
    repeated = rss_items(("g", "Baru", "https://pakbudi.example/baru/"),
                         ("g", "Lama lagi", "https://pakbudi.example/lama/"))
    after = stored_titles(tmp_path / "a.sqlite", stored, repeated)
    assert [entry_id for entry_id, _title in after[-1]] == ["g", "https://pakbudi.example/lama/"]


def test_a_row_damaged_by_hand_is_kept_but_does_not_stop_builds(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    with Archive(path) as archive:
        archive.store([ok(entry("p-1", "Satu"), entry("p-2", "Dua"))], T1)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE entries SET data = '{\"title\": 1}' WHERE entry_id = 'p-1'")
        db.execute("UPDATE entries SET data = json_set(data, '$.content_html', 7) "
                   "WHERE entry_id = 'p-2'")
        db.execute("INSERT INTO entries SELECT teacher, 'p-3', link, data, 'kemarin', "
                   "'kemarin' FROM entries WHERE entry_id = 'p-2'")
    db.close()
    with Archive(path) as archive:
        assert archive.entries() == []
        assert len(list(archive.export())) == 1 + 1 + 3  # kept, for whoever repairs it
