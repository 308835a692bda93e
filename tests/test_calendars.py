"""Assignments as students and parents see them (issue 20): the calendars (`tugas.ics`),
class pages that always say what is due, and a post page that says where its deadline
came from.

Calendars are read back with the icalendar library, as a calendar app would, and each
field is compared with values written here by hand.
"""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from generator.build import build
from generator.incremental.clock import TimeValues
from generator.layout import Layout
from generator.models import Portal, Post, School, Site, Subject, Teacher, pack_html
from generator.render import NoReuse, Renderer, site_files
from generator.theme import theme_dir

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)  # 16.00 in Jakarta
JAKARTA = ZoneInfo("Asia/Jakarta")
MTK = Subject("Matematika", "matematika")
FISIKA = Subject("Fisika", "fisika")
SARI = Teacher("Sari Wulandari, S.Pd.", "sari", ("matematika",), ("X IPA 1", "X IPA 2"))
BUDI = Teacher("Budi Santoso, S.Si.", "budi", ("fisika",), ("XI MIPA 3",))
CLASSES = ("X IPA 1", "X IPA 2", "XI MIPA 3", "XII IPS 1")


def site(language: str = "id") -> Site:
    return Site(school=School("SMA Uji", "https://uji.sch.id/portal/", language,
                              "Asia/Jakarta"),
                subjects=(MTK, FISIKA), classes=CLASSES, teachers=(SARI, BUDI),
                root=Path("/sekolah"), config_file=Path("/sekolah/site.yml"))


def assignment(slug: str, title: str, due: datetime, classes: tuple[str, ...],
               teacher: Teacher = SARI, subject: Subject = MTK, **fields: object) -> Post:
    published = due - timedelta(days=7)
    return Post(teacher=teacher, slug=slug, title=title, published=published,
                html=pack_html("<p>Kerjakan.</p>"), summary="", subjects=(subject,),
                classes=classes, kind="tugas", due=due, **fields)  # type: ignore[arg-type]


LOGARITMA = assignment(
    "2026-11-20-pr-logaritma", "PR Logaritma untuk X IPA 1 dan X IPA 2",
    datetime(2026, 12, 18, 23, 59, tzinfo=JAKARTA), ("X IPA 1", "X IPA 2"),
    due_read=True, hand_in="melalui Google Classroom",
    link="https://busari.wordpress.com/2026/11/20/pr-logaritma/")
"""Read from a blog post: Friday 18 December 2026, 23.59 stated, where to hand it in."""
VEKTOR = assignment(
    "2026-11-19-tugas-proyek-vektor", "Tugas Proyek: Vektor di Sekitar Kita",
    datetime(2026, 12, 4, 23, 59, tzinfo=JAKARTA), ("X IPA 1",), due_all_day=True,
    due_read=True, link="https://busari.wordpress.com/2026/11/19/vektor/")
"""Read from a blog post that names a day and no time."""
GERAK = assignment(
    "2026-11-10-laporan-gerak", "Laporan Praktikum Gerak Lurus",
    datetime(2026, 11, 16, 14, 0, tzinfo=JAKARTA), ("XI MIPA 3",), teacher=BUDI,
    subject=FISIKA)
"""Past, within the last 60 days; front matter with a time."""
LAMA = assignment(
    "2026-09-01-tugas-lama", "Tugas Lama Sekali",
    datetime(2026, 9, 10, 14, 0, tzinfo=JAKARTA), ("XI MIPA 3",), teacher=BUDI,
    subject=FISIKA)
"""Past by more than 60 days: on tugas/, not in the calendars."""


def files_of(posts: tuple[Post, ...], now: datetime = NOW,
             language: str = "id") -> dict[str, bytes]:
    portal = Portal(site=site(language),
                    posts=tuple(sorted(posts, key=lambda p: p.published, reverse=True)),
                    feeds=(), generated=now)
    clock = TimeValues(portal.site, now, portal.newest_posts.get, portal.feed_of)
    renderer = Renderer(portal, theme_dir(), Layout(), NoReuse(), clock)
    return {f.path: f.content for f in site_files(renderer) if f.content is not None}


def events(data: bytes) -> dict[str, Calendar]:
    """The calendar's VEVENTs by SUMMARY."""
    calendar = Calendar.from_ical(data)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return files_of((LOGARITMA, VEKTOR, GERAK, LAMA))


def test_school_calendar_holds_upcoming_and_recent_deadlines(files: dict[str, bytes]) -> None:
    calendar = Calendar.from_ical(files["tugas/tugas.ics"])
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "Tugas · SMA Uji"
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Jakarta"
    found = events(files["tugas/tugas.ics"])
    assert set(found) == {LOGARITMA.title, VEKTOR.title, GERAK.title}


def test_each_event_carries_title_deadline_address_categories_and_uid(
        files: dict[str, bytes]) -> None:
    found = events(files["tugas/tugas.ics"])
    timed = found["PR Logaritma untuk X IPA 1 dan X IPA 2"]
    start = timed.decoded("DTSTART")
    assert start == datetime(2026, 12, 18, 23, 59, tzinfo=JAKARTA)
    assert str(start.tzinfo) == "Asia/Jakarta"
    assert timed["DTSTART"].params["TZID"] == "Asia/Jakarta"
    assert str(timed["URL"]) == "https://uji.sch.id/portal/guru/sari/2026-11-20-pr-logaritma/"
    assert list(timed["CATEGORIES"].cats) == ["Matematika", "X IPA 1", "X IPA 2"]
    assert str(timed["UID"]) == "sari/2026-11-20-pr-logaritma@uji.sch.id"
    assert "Dikumpulkan melalui Google Classroom" in str(timed["DESCRIPTION"])
    assert "https://busari.wordpress.com/2026/11/20/pr-logaritma/" in str(timed["DESCRIPTION"])
    # A deadline that names a day is a DATE: a whole-day event, no time.
    whole_day = found["Tugas Proyek: Vektor di Sekitar Kita"]
    assert whole_day.decoded("DTSTART") == date(2026, 12, 4)
    assert not isinstance(whole_day.decoded("DTSTART"), datetime)
    assert whole_day["DTSTART"].params["VALUE"] == "DATE"
    assert list(whole_day["CATEGORIES"].cats) == ["Matematika", "X IPA 1"]
    past = found["Laporan Praktikum Gerak Lurus"]
    assert past.decoded("DTSTART") == datetime(2026, 11, 16, 14, 0, tzinfo=JAKARTA)
    assert list(past["CATEGORIES"].cats) == ["Fisika", "XI MIPA 3"]


def test_each_class_has_its_calendar_even_with_nothing_due(files: dict[str, bytes]) -> None:
    assert set(events(files["kelas/x-ipa-1/tugas.ics"])) == {LOGARITMA.title, VEKTOR.title}
    assert set(events(files["kelas/x-ipa-2/tugas.ics"])) == {LOGARITMA.title}
    assert set(events(files["kelas/xi-mipa-3/tugas.ics"])) == {GERAK.title}
    empty = Calendar.from_ical(files["kelas/xii-ips-1/tugas.ics"])
    assert empty.walk("VEVENT") == []
    assert [str(z["TZID"]) for z in empty.walk("VTIMEZONE")] == ["Asia/Jakarta"]
    assert str(empty["X-WR-CALNAME"]) == "Tugas XII IPS 1 · SMA Uji"


def test_a_calendar_is_the_same_bytes_in_a_later_build(files: dict[str, bytes]) -> None:
    """Nothing in it comes from the build's clock: a calendar app sees no change, and a
    UID stays the event's across builds."""
    later = files_of((LOGARITMA, VEKTOR, GERAK, LAMA), now=NOW + timedelta(days=3))
    for path in ("tugas/tugas.ics", "kelas/x-ipa-1/tugas.ics", "kelas/xii-ips-1/tugas.ics"):
        assert later[path] == files[path]


def test_a_deadline_leaves_the_calendars_60_days_after_it_passed(
        files: dict[str, bytes]) -> None:
    later = files_of((LOGARITMA, VEKTOR, GERAK, LAMA), now=NOW + timedelta(days=60))
    assert set(events(later["tugas/tugas.ics"])) == {LOGARITMA.title, VEKTOR.title}
    assert events(later["kelas/xi-mipa-3/tugas.ics"]) == {}


def text(files: dict[str, bytes], path: str) -> str:
    return files[path].decode()


def test_class_page_says_when_nothing_is_due(files: dict[str, bytes]) -> None:
    page = text(files, "kelas/xii-ips-1/index.html")
    section = page.split('id="tugas-kelas"')[1].split("</section>")[0]
    assert "Tidak ada tugas untuk XII IPS 1." in section
    assert "Sudah lewat" not in page
    assert 'href="../../kelas/xii-ips-1/tugas.ics"' in page
    assert "Tambahkan ke kalender" in page


def test_class_page_puts_past_deadlines_under_their_own_heading(
        files: dict[str, bytes]) -> None:
    page = text(files, "kelas/xi-mipa-3/index.html")
    upcoming = page.split('id="tugas-kelas"')[1].split("</section>")[0]
    assert "Tidak ada tugas untuk XI MIPA 3." in upcoming
    past = page.split('id="tugas-lewat"')[1].split("</section>")[0]
    assert ">Sudah lewat batas waktu</h2>" in page
    assert "Laporan Praktikum Gerak Lurus" in past
    assert "Senin, 16 November 2026 pukul 14.00 WIB" in past
    assert "Tugas Lama Sekali" not in past  # older than 60 days: in the listing only
    x1 = text(files, "kelas/x-ipa-1/index.html").split('id="tugas-kelas"')[1] \
        .split("</section>")[0]
    assert x1.index("Tugas Proyek: Vektor") < x1.index("PR Logaritma")  # nearest first
    assert "Dikumpulkan melalui Google Classroom" in x1


def test_assignments_page_links_its_calendar_with_an_android_how_to(
        files: dict[str, bytes]) -> None:
    page = text(files, "tugas/index.html")
    upcoming, past = page.split(">Sudah lewat batas waktu</h2>")
    assert "PR Logaritma" in upcoming and "Laporan Praktikum Gerak Lurus" in past
    assert "Tugas Lama Sekali" in past  # the page keeps every past deadline
    assert '<a class="ics" href="../tugas/tugas.ics" type="text/calendar">' \
           'Tambahkan ke kalender</a>' in page
    assert 'href="webcal://uji.sch.id/portal/tugas/tugas.ics"' in page
    assert "<summary>Cara berlangganan di HP Android</summary>" in page
    assert '<code class="address">https://uji.sch.id/portal/tugas/tugas.ics</code>' in page
    assert 'Kalender per kelas: <a href="../kelas/x-ipa-1/tugas.ics" type="text/calendar">' \
           'X IPA 1</a> · ' in page
    assert '<a href="../kelas/xii-ips-1/tugas.ics" type="text/calendar">XII IPS 1</a></p>' \
        in page


def test_post_page_says_a_deadline_was_read_from_the_teachers_post(
        files: dict[str, bytes]) -> None:
    page = text(files, "guru/sari/2026-11-20-pr-logaritma/index.html")
    assert "Dikumpulkan paling lambat Jumat, 18 Desember 2026 pukul 23.59 WIB" in page
    assert "Dikumpulkan melalui Google Classroom" in page
    assert 'batas dibaca dari tulisan guru · <a href="https://busari.wordpress.com/2026/11/' \
           '20/pr-logaritma/" rel="noopener noreferrer">lihat tulisan aslinya</a>' in page
    whole_day = text(files, "guru/sari/2026-11-19-tugas-proyek-vektor/index.html")
    assert "Dikumpulkan paling lambat Jumat, 4 Desember 2026 <span" in whole_day
    stated = text(files, "guru/budi/2026-11-10-laporan-gerak/index.html")
    assert "Senin, 16 November 2026 pukul 14.00 WIB" in stated
    assert "dibaca dari tulisan guru" not in stated  # the teacher's own front matter


def test_english_site_says_the_same() -> None:
    english = files_of((LOGARITMA, VEKTOR), language="en")
    page = english["guru/sari/2026-11-20-pr-logaritma/index.html"].decode()
    assert "Due Friday, 18 December 2026 at 11:59\u202fPM WIB" in page
    assert "deadline read from the teacher&#39;s post · <a" in page
    assert "Hand in: melalui Google Classroom" in page
    klass = english["kelas/xii-ips-1/index.html"].decode()
    assert "No assignments for XII IPS 1." in klass
    assert "Add to calendar" in klass and "How to subscribe on an Android phone" in klass
    assert str(Calendar.from_ical(english["tugas/tugas.ics"])["X-WR-CALNAME"]) == \
        "Assignments · SMA Uji"


def test_markdown_front_matter_deadlines_reach_the_calendars(tiny_site: Path) -> None:
    """`kind: tugas` with `due:` as a day, and as a day and time, in a real build."""
    posts = tiny_site.parent / "content" / "sari"
    (posts / "2026-11-20-pr-hari.md").write_text(textwrap.dedent("""\
        ---
        title: PR Sehari Penuh
        date: 2026-11-20
        kind: tugas
        due: 2026-12-18
        classes: [X-2]
        ---

        Kerjakan soal 1-10.
        """), encoding="utf-8")
    (posts / "2026-11-20-pr-jam.md").write_text(textwrap.dedent("""\
        ---
        title: PR Berjam
        date: 2026-11-20
        kind: tugas
        due: 2026-12-18 14:00
        classes: [X-2]
        ---

        Kerjakan soal 11-20.
        """), encoding="utf-8")
    output = tiny_site.parent / "public"
    report = build(tiny_site, output, offline=True, now=NOW)
    assert report.problems == ()
    found = events((output / "kelas" / "x-2" / "tugas.ics").read_bytes())
    assert found["PR Sehari Penuh"].decoded("DTSTART") == date(2026, 12, 18)
    assert found["PR Berjam"].decoded("DTSTART") == datetime(2026, 12, 18, 14, 0,
                                                              tzinfo=JAKARTA)
    assert str(found["PR Berjam"]["URL"]) == \
        "https://uji.sch.id/portal/guru/sari/2026-11-20-pr-jam/"
    assert set(events((output / "tugas" / "tugas.ics").read_bytes())) >= \
        {"PR Sehari Penuh", "PR Berjam"}
    assert not events((output / "kelas" / "xi-1" / "tugas.ics").read_bytes()).keys() & \
        {"PR Sehari Penuh", "PR Berjam"}


def test_a_rebuild_the_same_day_drops_a_deadline_gone_past_60_days(tiny_site: Path) -> None:
    """Nothing changed but the clock, and the day is the same, so no date shown on a page
    changed: the build must still know that the calendars moved (`clock.next_change`)."""
    (tiny_site.parent / "content" / "sari" / "2026-09-15-tugas-september.md").write_text(
        textwrap.dedent("""\
        ---
        title: Tugas September
        date: 2026-09-15
        kind: tugas
        due: 2026-09-22 17:00
        classes: [X-1]
        ---

        Sudah lama lewat.
        """), encoding="utf-8")
    # Due 22 September 17.00 in Jakarta: 60 days later is 1 hour after NOW.
    output = tiny_site.parent / "public"
    build(tiny_site, output, offline=True, now=NOW)
    assert "Tugas September" in events((output / "tugas" / "tugas.ics").read_bytes())
    class_page = output / "kelas" / "x-1" / "index.html"
    assert "Tugas September" in class_page.read_text().split('id="tugas-lewat"')[1]
    later = NOW + timedelta(hours=2)
    report = build(tiny_site, output, offline=True, now=later)
    assert not report.current
    assert "Tugas September" not in events((output / "tugas" / "tugas.ics").read_bytes())
    assert "Tugas September" not in events((output / "kelas" / "x-1" / "tugas.ics")
                                           .read_bytes())
    assert 'id="tugas-lewat"' not in class_page.read_text()
    fresh = tiny_site.parent / "fresh"
    build(tiny_site, fresh, offline=True, now=later)
    for path in ("tugas/tugas.ics", "kelas/x-1/tugas.ics", "kelas/x-1/index.html"):
        assert (output / path).read_bytes() == (fresh / path).read_bytes()


def test_a_hostile_title_makes_one_event_of_plain_text() -> None:
    """A title from a feed may hold line breaks and control characters: it stays the one
    event's SUMMARY, and the file holds no character RFC 5545 forbids."""
    title = "Tugas\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:palsu\x00\x0c\x1b; a,b\\"
    hostile = assignment("2026-11-20-aneh", title, datetime(2026, 12, 1, 7, 0, tzinfo=JAKARTA),
                         ("X IPA 1",), hand_in="ke meja\x07 guru")
    data = files_of((hostile,))["tugas/tugas.ics"]
    assert not any((byte < 0x20 and byte not in b"\t\r\n") or byte == 0x7f for byte in data)
    (event,) = Calendar.from_ical(data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Tugas\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:palsu; a,b\\"
    assert list(event["CATEGORIES"].cats) == ["Matematika", "X IPA 1"]
    assert "Dikumpulkan ke meja guru" in str(event["DESCRIPTION"])
