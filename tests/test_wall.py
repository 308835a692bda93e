"""The wall pages of issue 24 without a browser: the week's window and its WhatsApp text,
the semester's activity, and what the built pages hold (tests/test_wall_browser.py opens
them in Chromium)."""

from __future__ import annotations

import gzip
import html
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.build import build
from generator.i18n import Translator
from generator.layout import is_post_page
from generator.models import Post, Subject, Teacher, pack_html
from generator.wall import (
    WHATSAPP_LIMIT,
    Line,
    Week,
    activity,
    chart,
    semester_months,
    whatsapp_text,
)
from tests.site_checks import broken_relative_links

JAKARTA = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)  # Saturday 16.00 in Jakarta
SARI = Teacher("Sari Wulandari", "sari")
MTK = Subject("Matematika", "matematika")


def post(slug: str, published: datetime, due: datetime | None = None,
         teacher: Teacher = SARI) -> Post:
    return Post(teacher=teacher, slug=slug, title=slug.title(), published=published,
                html=pack_html(""), summary="", subjects=(MTK,), classes=("X-1",),
                kind="tugas" if due else "materi", due=due)


def jakarta(day: int, hour: int = 0, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=JAKARTA)


def test_the_week_is_seven_whole_days_back_and_ahead_in_the_schools_time_zone() -> None:
    week = Week.of(NOW, JAKARTA)
    assert week.today.isoformat() == "2026-11-21"
    assert (week.since, week.until) == (jakarta(15), jakarta(29))
    posts = [post("kemarin-malam", jakarta(20, 23, 30)), post("enam-hari", jakarta(15, 0, 1)),
             post("tujuh-hari", jakarta(14, 23, 59)), post("nanti", NOW + timedelta(hours=1))]
    assert [p.slug for p in week.posted(posts)] == ["kemarin-malam", "enam-hari"]
    upcoming = [post("besok", NOW, due=jakarta(22, 7)),
                post("hari-ketujuh", NOW, due=jakarta(28, 23, 59)),
                post("hari-kedelapan", NOW, due=jakarta(29, 0, 0))]
    assert [p.slug for p in week.due(upcoming)] == ["besok", "hari-ketujuh"]


def line(number: int) -> Line:
    return Line(f"Tugas nomor {number} tentang persamaan kuadrat dan fungsi",
                "Matematika, tenggat Jumat, 27 Nov",
                f"https://sman3sukamaju.sch.id/guru/sari/2026-11-{number:02d}-tugas-nomor-{number}/")


def test_whatsapp_text_keeps_to_its_limit_and_counts_what_did_not_fit() -> None:
    _ = Translator("id")
    more = "https://sman3sukamaju.sch.id/kelas/x-1/minggu-ini/"
    text = whatsapp_text("*X-1: minggu ini*", [line(n) for n in range(1, 8)],
                         [line(n) for n in range(10, 20)], more, _)
    assert len(text) <= WHATSAPP_LIMIT
    shown = text.count("\n- ")
    assert shown >= 4  # the assignments first
    assert "nomor 1 " in text and "nomor 19" not in text
    assert text.endswith(f"…dan {17 - shown} lagi: {more}")
    for address in re.findall(r"https://\S+", text):  # every link whole, on its own line
        assert address.endswith("/")


def test_whatsapp_text_of_a_quiet_week_and_of_a_full_one() -> None:
    _ = Translator("en")
    more = "https://uji.sch.id/kelas/x-1/minggu-ini/"
    quiet = whatsapp_text("*X-1: this week*", [], [], more, _)
    assert quiet == f"*X-1: this week*\n\nNo assignment or new post this week yet.\n\nMore: {more}"
    two = whatsapp_text("*X-1*", [line(1)], [line(2)], more, _)
    assert "*Assignments due in the next 7 days:*" in two and "*New from the teachers:*" in two
    assert two.endswith(f"More: {more}")
    huge = whatsapp_text("*" + "X" * 2000 + "*", [line(1)], [], more, _)
    assert len(huge) == WHATSAPP_LIMIT


def test_a_title_that_would_fill_the_text_is_cut() -> None:
    text = whatsapp_text("X-1", [Line("Tugas " * 100, "", "https://a.id/t/")], [],
                         "https://a.id/", Translator("id"))
    assert "…\n  https://a.id/t/" in text
    assert len(text) < 300


@pytest.mark.parametrize(("day", "months"), [
    ("2026-11-21", ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]),
    ("2026-07-01", ["2026-07"]),
    ("2027-03-15", ["2027-01", "2027-02", "2027-03"]),
])
def test_the_semester_runs_from_july_or_from_january(day: str, months: list[str]) -> None:
    assert semester_months(datetime.fromisoformat(day).date()) == months


def test_activity_counts_every_teacher_those_with_no_post_too() -> None:
    budi, rina = Teacher("Budi", "budi"), Teacher("Rina", "rina")
    posts = {"sari": [post("a", jakarta(20)), post("b", jakarta(2)), post("c", jakarta(2)),
                      post("lama", jakarta(5, month=6))],
             "budi": [post("d", jakarta(21, 23), teacher=budi),  # after the build: not yet
                      post("e", jakarta(23, month=10), teacher=budi)]}
    seen = activity([SARI, budi, rina], posts, NOW, JAKARTA, lambda t: t.name)
    assert seen.months == ("2026-07", "2026-08", "2026-09", "2026-10", "2026-11")
    assert seen.teachers == (
        (budi, (0, 0, 0, 1, 0), jakarta(23, month=10)),
        (rina, (0, 0, 0, 0, 0), None),
        (SARI, (0, 0, 0, 0, 3), jakarta(20)),
    )
    # Budi's October post is 29 days before the 21st, counted in whole days: recent.
    assert seen.recent == 2
    assert seen.by_month == (("2026-07", 0), ("2026-08", 0), ("2026-09", 0),
                             ("2026-10", 1), ("2026-11", 1))
    assert seen.top == 3
    bars = chart((0, 0, 0, 1, 3), seen.months, seen.top)
    assert [b.height for b in bars] == [1, 1, 1, 10, 30]
    assert [b.y + b.height for b in bars] == [30] * 5


@pytest.fixture
def built(tiny_site: Path) -> Path:
    site = tiny_site.parent
    text = (site / "site.yml").read_text(encoding="utf-8")
    (site / "site.yml").write_text(text + "  - name: Hadi Pranoto, S.Pd.\n    slug: hadi\n"
                                   "    subjects: [Fisika]\n", encoding="utf-8")
    report = build(site / "site.yml", site / "public", offline=True, now=NOW)
    assert report.problems == ()
    return site / "public"


def whatsapp_of(page: Path) -> str:
    found = re.search(r"<textarea[^>]*>(.*?)</textarea>", page.read_text(encoding="utf-8"),
                      re.S)
    assert found is not None
    return html.unescape(found.group(1))


def test_every_class_has_its_week_with_text_for_whatsapp(built: Path) -> None:
    for name in ("x-1", "x-2", "xi-1"):
        text = whatsapp_of(built / "kelas" / name / "minggu-ini" / "index.html")
        assert 0 < len(text) <= WHATSAPP_LIMIT
        assert text.endswith(f"https://uji.sch.id/portal/kelas/{name}/minggu-ini/")
        class_page = (built / "kelas" / name / "index.html").read_text(encoding="utf-8")
        assert f'href="../../kelas/{name}/minggu-ini/index.html"' in class_page
    page = (built / "kelas/x-1/minggu-ini/index.html").read_text(encoding="utf-8")
    assert re.search(r'src="\.\./\.\./\.\./assets/salin\.[0-9a-f]{10}\.js"', page)
    assert "https://wa.me/?text=" in page


def test_the_posters_carry_a_code_for_the_portal_and_for_every_teacher(built: Path) -> None:
    poster = (built / "poster/index.html").read_text(encoding="utf-8")
    assert poster.count('<svg aria-hidden="true" focusable="false" viewBox=') == 1 + 4
    assert ">https://uji.sch.id/portal/<" in poster
    assert "<script" not in poster.split("</head>")[1]
    for slug in ("sari", "budi", "rina-kartika", "hadi"):
        own = (built / "guru" / slug / "poster/index.html").read_text(encoding="utf-8")
        assert f">https://uji.sch.id/portal/guru/{slug}/<" in own
    home = (built / "index.html").read_text(encoding="utf-8")
    assert 'href="poster/index.html"' in home.split('<footer class="site-footer">')[1]


def test_activity_is_linked_from_the_directory_not_from_the_menu(built: Path) -> None:
    activity_page = (built / "keaktifan/index.html").read_text(encoding="utf-8")
    assert "Hadi Pranoto" in activity_page
    assert "Tanpa blog dan belum ada tulisan" in activity_page
    assert activity_page.count('<svg class="chart"') == 4
    assert 'name="robots" content="noindex"' in activity_page
    directory = (built / "guru/index.html").read_text(encoding="utf-8")
    assert 'href="../keaktifan/index.html"' in directory
    header = directory.split("<main")[0]
    assert "keaktifan" not in header


def test_the_pages_speak_english_for_an_english_school(tiny_site: Path) -> None:
    site = tiny_site.parent
    text = (site / "site.yml").read_text(encoding="utf-8")
    (site / "site.yml").write_text(text.replace("language: id", "language: en"),
                                   encoding="utf-8")
    build(site / "site.yml", site / "public", offline=True, now=NOW)
    out = site / "public"
    assert "<h1>This week in class X-1</h1>" in (out / "kelas/x-1/minggu-ini/index.html") \
        .read_text(encoding="utf-8")
    assert "<h1>For parents</h1>" in (out / "ortu/index.html").read_text(encoding="utf-8")
    assert "<h1>Teacher activity</h1>" in (out / "keaktifan/index.html").read_text(
        encoding="utf-8")
    assert "Scan to read" in (out / "guru/sari/poster/index.html").read_text(encoding="utf-8")
    assert "this week" in whatsapp_of(out / "kelas/x-1/minggu-ini/index.html")


def test_a_build_the_next_day_moves_the_week_and_one_the_same_day_does_not(
        tiny_site: Path) -> None:
    site = tiny_site.parent
    (site / "content/sari/2026-11-15-pengantar.md").write_text(
        "---\ntitle: Pengantar Fungsi\ndate: 2026-11-15 07:00\nclasses: [X-1]\n---\n\nIsi.\n",
        encoding="utf-8")
    week = site / "public/kelas/x-1/minggu-ini/index.html"
    build(site / "site.yml", site / "public", offline=True, now=NOW)
    first = week.read_text(encoding="utf-8")
    assert "Pengantar Fungsi" in first and "Pengantar Fungsi" in whatsapp_of(week)
    later = build(site / "site.yml", site / "public", offline=True, now=NOW + timedelta(hours=6))
    assert later.current and week.read_text(encoding="utf-8") == first
    # The next day the window has moved: the page is made again, for that day.
    next_day = build(site / "site.yml", site / "public", offline=True,
                     now=NOW + timedelta(days=1))
    assert not next_day.current
    second = week.read_text(encoding="utf-8")
    assert "Pengantar Fungsi" not in second
    assert "Diperbarui <time datetime=\"2026-11-22\">22 November 2026</time>" in second


def test_a_week_page_with_its_css_and_scripts_weighs_under_15_kb_gzipped(built: Path) -> None:
    page = built / "kelas/x-1/minggu-ini/index.html"
    found = re.findall(r'(?:href|src)="((?:\.\./)+assets/[^"]+\.(?:css|js))"',
                       page.read_text(encoding="utf-8"))
    # Named by their content (issue 27): style.<hash>.css
    assert {re.sub(r"\.[0-9a-f]{10}\.", ".", Path(f).name) for f in found} == \
        {"style.css", "wall.css", "waktu.js", "salin.js"}
    weight = sum(len(gzip.compress((page.parent / f).read_bytes(), 9))
                 for f in found) + len(gzip.compress(page.read_bytes(), 9))
    assert weight < 15 * 1024


def test_a_teachers_micro_site_has_their_poster(tiny_site: Path) -> None:
    site = tiny_site.parent
    build(site / "site.yml", site / "solo", offline=True, now=NOW, teacher="sari")
    poster = (site / "solo/poster/index.html").read_text(encoding="utf-8")
    assert ">https://uji.sch.id/portal/<" in poster  # the micro-site is the whole build
    assert 'href="poster/index.html"' in (site / "solo/index.html").read_text(encoding="utf-8")
    assert broken_relative_links(site / "solo") == []


def test_a_poster_for_a_preview_address_warns_before_it_is_printed(tiny_site: Path) -> None:
    site = tiny_site.parent
    text = (site / "site.yml").read_text(encoding="utf-8")
    (site / "site.yml").write_text(text.replace("  url: https://uji.sch.id/portal/\n", ""),
                                   encoding="utf-8")
    build(site / "site.yml", site / "public", offline=True, now=NOW)
    poster = (site / "public/poster/index.html").read_text(encoding="utf-8")
    assert 'class="poster-preview"' in poster and "http://localhost:8000/" in poster
    real = (site / "public/kelas/x-1/minggu-ini/index.html").read_text(encoding="utf-8")
    assert "poster-preview" not in real


def test_a_post_named_poster_leaves_the_teacher_their_poster(tiny_site: Path) -> None:
    site = tiny_site.parent
    (site / "content/sari/poster.md").write_text(
        "---\ntitle: Poster Lomba\ndate: 2026-11-20\n---\n\nIsi.\n", encoding="utf-8")
    build(site / "site.yml", site / "public", offline=True, now=NOW)
    assert "Poster Lomba" not in (site / "public/guru/sari/poster/index.html").read_text(
        encoding="utf-8")
    assert "Poster Lomba" in (site / "public/guru/sari/poster-2/index.html").read_text(
        encoding="utf-8")
    assert not is_post_page("guru/sari/poster/index.html")
    assert is_post_page("guru/sari/poster-2/index.html")


def test_an_assignment_posted_this_week_is_listed_once_with_its_deadline(
        tiny_site: Path) -> None:
    site = tiny_site.parent
    (site / "content/sari/2026-11-20-latihan.md").write_text(
        "---\ntitle: Latihan Soal Fungsi\ndate: 2026-11-20\nclasses: [X-1]\nkind: tugas\n"
        "due: 2026-11-25\n---\n\nIsi.\n", encoding="utf-8")
    build(site / "site.yml", site / "public", offline=True, now=NOW)
    week = site / "public/kelas/x-1/minggu-ini/index.html"
    main = week.read_text(encoding="utf-8").split("<main")[1].split('class="whatsapp"')[0]
    assert main.count(">Latihan Soal Fungsi</a>") == 1
    text = whatsapp_of(week)
    assert text.count("Latihan Soal Fungsi") == 1
    assert text.index("Latihan Soal Fungsi") < text.index("*Baru diunggah guru:*")


def test_a_busy_week_stays_one_short_page(tiny_site: Path) -> None:
    site = tiny_site.parent
    for number in range(40):
        (site / f"content/sari/2026-11-20-catatan-{number}.md").write_text(
            f"---\ntitle: Catatan Pelajaran Nomor {number} yang Judulnya Cukup Panjang\n"
            "date: 2026-11-20\nclasses: [X-1]\n---\n\nIsi.\n", encoding="utf-8")
    build(site / "site.yml", site / "public", offline=True, now=NOW)
    page = site / "public/kelas/x-1/minggu-ini/index.html"
    html_text = page.read_text(encoding="utf-8")
    assert html_text.count(">Catatan Pelajaran Nomor") == 20
    # 40, and the tiny school's own two of the week: 42 posted, 20 shown.
    assert "…dan 22 tulisan lain minggu ini, di halaman kelas" in html_text
    assert len(whatsapp_of(page)) <= WHATSAPP_LIMIT
    assert len(gzip.compress(page.read_bytes(), 9)) < 5 * 1024


def test_whatsapp_text_shows_the_head_of_the_list_and_counts_its_tail() -> None:
    """A short post never slips in after an assignment that did not fit: "and 3 more"
    are then the last three, not some from the middle."""
    due = [line(n) for n in range(1, 9)]
    posted = [Line("Pendek", "", "https://a.id/p/")]
    text = whatsapp_text("X-1", due, posted, "https://a.id/w/", Translator("id"))
    shown = re.findall(r"nomor (\d+) ", text)
    assert shown == [str(n) for n in range(1, len(shown) + 1)]
    assert "Pendek" not in text
    assert text.endswith(f"…dan {9 - len(shown)} lagi: https://a.id/w/")
