"""`mading report` reads the archive's outlines, not every post (issue 23): its figures
must still be the portal's. On a real archive, with what makes them differ from a plain
"newest row" or "recent rows": posts hidden by the school, rows damaged by hand, a date
ahead of when the post was first seen, a correction of an old post and of a gone one."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from textwrap import dedent
from zoneinfo import ZoneInfo

import pytest

from generator.archive import Archive
from generator.build import load_portal
from generator.config import load_corrections, load_site
from generator.errors import display_path
from generator.i18n import Translator
from generator.models import Entry, FeedResult, Kind, PortalStatus, pack_html
from generator.report import blog_assignments, teacher_health, unused_corrections
from generator.sources.portals import federated_site, index_address
from generator.tasks import report

JAKARTA = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=JAKARTA)
BLOG = "https://pakbudi.example/"
OLD = f"{BLOG}2025/06/01/gerak-lurus/"
"""Posted long before the report's window, and made an assignment by koreksi.yml."""
PR = f"{BLOG}2026/12/01/pr-gelombang/"
PROJECT = f"{BLOG}2026/11/02/proyek-semester/"
"""Posted more than `RECENT` ago, due in days: read, though old."""
HIDDEN = f"{BLOG}2026/12/05/salah-kirim/"
DAMAGED = f"{BLOG}2026/12/06/rusak/"
GONE = f"{BLOG}2026/11/30/sudah-dihapus/"
CORRECTIONS = f"""\
    {OLD}:
      due: 2026-12-10 07:00
    {HIDDEN}:
      hidden: true
    {GONE}:
      due: 2026-12-09
    """


def post(teacher: str, link: str, title: str, published: datetime, text: str) -> Entry:
    return Entry(teacher=teacher, entry_id=link, origin="feed", title=title,
                 published=published, html=pack_html(f"<p>{text}</p>"), link=link)


def stored(site_yml: Path, teacher: str, source: str, entries: list[Entry],
           seen: datetime) -> None:
    with Archive(load_site(site_yml).archive_file) as archive:
        archive.store([FeedResult(teacher, source, tuple(entries), "Blog", BLOG)], seen)


@pytest.fixture
def archived(tiny_site: Path) -> Path:
    """The tiny site with an archive holding Budi's and Rina's posts, and koreksi.yml."""
    at = datetime(2026, 12, 6, 12, 0, tzinfo=JAKARTA)
    stored(tiny_site, "budi", "feeds/budi.xml", [
        post("budi", OLD, "Gerak Lurus", datetime(2025, 6, 1, 8, 0, tzinfo=JAKARTA),
             "Materi gerak lurus beraturan."),
        post("budi", PROJECT, "Proyek Semester", datetime(2026, 11, 2, 8, 0, tzinfo=JAKARTA),
             "Buatlah laporan pengamatan. Dikumpulkan paling lambat hari Senin, 14 Desember "
             "2026."),
        post("budi", PR, "PR Gelombang", datetime(2026, 12, 1, 8, 0, tzinfo=JAKARTA),
             "Kerjakan soal halaman 12. Dikumpulkan paling lambat hari Jumat, 11 Desember "
             "2026 pukul 10.00 WIB melalui Google Classroom."),
        post("budi", HIDDEN, "Salah Kirim", datetime(2026, 12, 5, 8, 0, tzinfo=JAKARTA),
             "Terkirim tanpa sengaja."),
        post("budi", DAMAGED, "Rusak", datetime(2026, 12, 6, 8, 0, tzinfo=JAKARTA),
             "Diubah dengan tangan."),
    ], at)
    # Rina's second post is dated months after it was first seen: shown when first seen.
    stored(tiny_site, "rina-kartika", "feeds/rina.json", [
        post("rina-kartika", "https://rina.example/a/", "Simple Past",
             datetime(2026, 9, 1, 8, 0, tzinfo=JAKARTA), "Lesson."),
        post("rina-kartika", "https://rina.example/b/", "Future Tense",
             datetime(2027, 5, 1, 8, 0, tzinfo=JAKARTA), "Lesson."),
    ], datetime(2026, 10, 1, 8, 0, tzinfo=JAKARTA))
    db = sqlite3.connect(load_site(tiny_site).archive_file)
    with db:
        # Edited by hand: a key no entry has makes no entry; text that is not JSON neither.
        db.execute("UPDATE entries SET data = json_set(data, '$.edited', 1) WHERE link = ?",
                   (DAMAGED,))
        db.execute("INSERT INTO entries (teacher, entry_id, link, data, first_seen, last_seen) "
                   "VALUES ('budi', 'x', 'https://pakbudi.example/x/', 'not json', ?1, ?1)",
                   (at.isoformat(),))
    db.close()
    (tiny_site.parent / "koreksi.yml").write_text(dedent(CORRECTIONS), encoding="utf-8")
    return tiny_site


@pytest.mark.parametrize("now", [NOW, NOW - timedelta(days=20), NOW + timedelta(days=45),
                                 NOW + timedelta(days=400)])
def test_the_report_figures_are_the_portals(archived: Path, now: datetime) -> None:
    """What the report finds from outlines is what the whole portal (every post loaded,
    as `mading build` collects it) says."""
    site = load_site(archived)
    corrections = load_corrections(site)[0]
    portal = load_portal(site, now, corrections=corrections)
    found = report(site, now)
    assert found.teachers == teacher_health(site, portal.feeds, portal.newest_posts, now)
    assert found.assignments == blog_assignments(portal, corrections, now)
    assert found.problems == tuple(unused_corrections(
        portal, display_path(site.corrections_file), Translator(site.school.language)))


def test_the_newest_post_is_one_the_portal_shows(archived: Path) -> None:
    lines = {line.teacher: line for line in report(load_site(archived), NOW).teachers}
    # Not the hidden post (12-05) nor the damaged row (12-06): the assignment of 12-01.
    assert lines["budi"].last_post == datetime(2026, 12, 1, 8, 0, tzinfo=JAKARTA)
    assert not lines["budi"].stale
    # Dated 2027 but first seen on 10-01: shown from then, so more than 30 days ago.
    assert lines["rina-kartika"].last_post == datetime(2026, 10, 1, 8, 0, tzinfo=JAKARTA)
    assert lines["rina-kartika"].stale
    # Markdown: the draft of 11-20 is not a post.
    assert lines["sari"].last_post is not None
    assert lines["sari"].last_post.astimezone(JAKARTA).date() == datetime(2026, 11, 19).date()


def test_an_old_corrected_post_is_listed_and_a_gone_one_reported(archived: Path) -> None:
    found = report(load_site(archived), NOW)
    assert [(line.title, line.due, line.corrected) for line in found.assignments] == [
        ("Gerak Lurus", datetime(2026, 12, 10, 7, 0, tzinfo=JAKARTA), True),
        ("PR Gelombang", datetime(2026, 12, 11, 10, 0, tzinfo=JAKARTA), False),
        ("Proyek Semester", datetime(2026, 12, 14, 23, 59, tzinfo=JAKARTA), False),
    ]
    assert [str(problem) for problem in found.problems] == [
        f"koreksi.yml:5: tidak ada tulisan blog dengan alamat {GONE}; salin alamat tulisan "
        "itu dari peramban"]


@pytest.mark.parametrize(("language", "message"), [
    ("id", f"tidak ada tulisan blog dengan alamat {GONE}"),
    ("en", f"no blog post has the address {GONE}"),
])
def test_mading_report_names_the_gone_post_and_lists_the_rest(
        archived: Path, language: str, message: str) -> None:
    archived.write_text(archived.read_text().replace("language: id", f"language: {language}"))
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
    result = subprocess.run([sys.executable, "-m", "generator", "report"], cwd=archived.parent,
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 2, result.stderr
    assert f"koreksi.yml:5: {message}" in result.stderr
    assert "PR Gelombang — " in result.stdout
    assert f"— {OLD}" in result.stdout


SCHOOL = "https://sma1.example/"
DISTRICT = """\
school:
  name: Dinas Uji
  url: https://dinas.example/
  language: id
  timezone: Asia/Jakarta
schools:
  - {name: SMA Satu, slug: sma1, portal: 'https://sma1.example/'}
"""
INDEX = {"format": "mading-portal", "version": 1,
         "school": {"name": "SMA Satu", "url": SCHOOL, "language": "id",
                    "timezone": "Asia/Jakarta"},
         "feed_url": f"{SCHOOL}feed.json",
         "subjects": [{"name": "Matematika", "slug": "matematika", "aliases": [],
                       "page": SCHOOL}],
         "classes": [{"name": "X-1", "aliases": [], "page": SCHOOL}], "kinds": [],
         "teachers": [{"name": "Sari", "slug": "sari", "subjects": ["Matematika"],
                       "classes": ["X-1"], "page": f"{SCHOOL}guru/sari/",
                       "feed": f"{SCHOOL}guru/sari/feed.json"}]}


def told(title: str, published: datetime, kind: Kind, due: datetime | None = None) -> Entry:
    """A school portal's post: its kind and deadline are the school's word (issue 25)."""
    link = f"{SCHOOL}guru/sari/{published:%Y-%m-%d}-{title.lower().replace(' ', '-')}/"
    return Entry(teacher="sma1-sari", entry_id=link, origin="feed", title=title,
                 published=published, html=pack_html("<p>Dikumpulkan besok.</p>"), link=link,
                 kind=kind, due=due, classes=("X-1",))


def test_a_school_portals_assignments_are_taken_as_it_said(tmp_path: Path) -> None:
    """A district's posts are not read for the report: a school said which are
    assignments and when they are due, however long ago they were posted."""
    site_yml = tmp_path / "site.yml"
    site_yml.write_text(DISTRICT)
    plain = load_site(site_yml)
    with Archive(plain.archive_file) as archive:
        archive.store_portals([PortalStatus("sma1", index_address(plain.schools[0]),
                                            data=json.dumps(INDEX))], NOW)
    site = federated_site(plain)
    assert [teacher.slug for teacher in site.teachers] == ["sma1-sari"]
    day = timedelta(days=1)
    stored(site_yml, "sma1-sari", f"{SCHOOL}guru/sari/feed.json", [
        told("Proyek Tahunan", NOW - 400 * day, "tugas", NOW + 3 * day),
        told("PR Lama", NOW - 40 * day, "tugas", NOW - 30 * day),
        told("PR Tanpa Batas", NOW - 2 * day, "tugas"),
        told("Kuis Lalu", NOW - 20 * day, "tugas"),
        told("Materi Baru", NOW - day, "materi"),
    ], NOW - day)
    found = report(site, NOW)
    assert [line.title for line in found.assignments] == ["Proyek Tahunan", "PR Tanpa Batas"]
    for now in (NOW, NOW + 5 * day, NOW - 250 * day):
        corrections = load_corrections(site)[0]
        portal = load_portal(site, now, corrections=corrections)
        assert report(site, now).assignments == blog_assignments(portal, corrections, now)
