"""The example school's assignments on a 360 px phone (issue 20): on `tugas/`, on their
class pages, "nothing due" on a class without, and calendars a phone can add.

Built as of Tuesday 1 December 2026, ten days after the example's own day: its PAS week,
when the XII classes have nothing left to hand in (Bu Rina's article took late work until
30 November) and the X and XI classes have projects due later in December.

Some assignments come from Markdown front matter (Pak Hendra's, Pak Wahyu's); others only
from reading the teachers' blog posts (Bu Sari's WordPress project, Pak Fauzi's Blogger
task), which generator/assignments.py does.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect

from generator.build import build
from tests.browser import PHONE, chromium, phone_page, serve_folder
from tests.conftest import copy_example

pytestmark = pytest.mark.browser
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CLASSES = ("x-ipa-1", "x-ipa-2", "x-ips-1", "xi-mipa-1", "xi-mipa-2", "xi-ips-1",
           "xii-mipa-1", "xii-mipa-2", "xii-ips-1")
KASIR = "Tugas Proyek: Program Kasir Kantin Sederhana"
"""Pak Hendra's Markdown post for the X classes, due Friday 11 December 2026 (a day)."""
MUSEUM = "Tugas: Laporan Kunjungan Museum"
"""Pak Wahyu's Markdown post for the XI classes, due 18 December 2026 at 12.00."""
TRIGONOMETRI = "Tugas Proyek Akhir Semester: Mengukur Tinggi Gedung dengan Trigonometri"
"""Bu Sari's WordPress post for X IPA 1 and X IPA 2: 'dikumpulkan paling lambat Jumat,
18 Desember 2026 pukul 23.59 WIB melalui Google Classroom'."""
VIDEO = "Tugas Video: Hortatory Exposition untuk XI MIPA 1 dan XI MIPA 2"
"""Pak Fauzi's Blogger post: 'Batas: Jumat, 11 Desember 2026 pukul 20.00 WIB'."""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("tugas")
    copy_example(root)
    report = build(root / "site.yml", root / "public", offline=True, now=NOW)
    assert report.problems == ()
    with serve_folder(root / "public") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with phone_page(browser) as page:
        yield page


def open_fitting(page: Page, url: str) -> None:
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{url} is {width}px wide at 360px"


def upcoming_group(page: Page, name: str) -> str:
    """The text of `tugas/`'s upcoming assignments for the class `name`."""
    group = page.locator("section.class-group").filter(
        has=page.get_by_role("heading", level=3, name=f"Kelas {name}", exact=True)).first
    return group.locator("ul[data-upcoming]").inner_text()


def test_assignments_page_lists_them_by_class(page: Page, served: str) -> None:
    open_fitting(page, served + "tugas/index.html")
    x_ipa_1 = upcoming_group(page, "X IPA 1")
    assert KASIR in x_ipa_1
    assert "Jumat, 11 Desember 2026 ·" in x_ipa_1  # a day: no time shown
    assert MUSEUM not in x_ipa_1
    xi = upcoming_group(page, "XI MIPA 1")
    assert MUSEUM in xi and "Jumat, 18 Desember 2026 pukul 12.00 WIB" in xi
    expect(page.get_by_role("link", name="Tambahkan ke kalender")).to_be_visible()


def test_class_pages_show_what_is_due_and_what_is_not(page: Page, served: str) -> None:
    open_fitting(page, served + "kelas/x-ipa-1/index.html")
    due = page.locator("section[aria-labelledby=tugas-kelas]")
    expect(due).to_contain_text(KASIR)
    expect(due.get_by_role("link", name=KASIR)).to_be_visible()
    open_fitting(page, served + "kelas/xii-ips-1/index.html")
    due = page.locator("section[aria-labelledby=tugas-kelas]")
    expect(due.get_by_role("heading", level=2)).to_have_text("Tugas yang akan datang")
    expect(due).to_contain_text("Tidak ada tugas untuk XII IPS 1.")
    # Due Thursday 26 November: five days before the build, under its own heading.
    past = page.locator("section[aria-labelledby=tugas-lewat]")
    expect(past).to_contain_text("Latihan Soal Transformasi Geometri Kelas XII")
    expect(past.get_by_role("heading", level=2)).to_have_text("Sudah lewat batas waktu")


def test_the_android_how_to_opens_without_javascript(page: Page, served: str) -> None:
    open_fitting(page, served + "kelas/xii-ips-1/index.html")
    steps = page.locator(".calendar ol")
    expect(steps).to_be_hidden()
    page.get_by_text("Cara berlangganan di HP Android").click()
    expect(steps).to_be_visible()
    expect(steps).to_contain_text("https://sman3sukamaju.sch.id/kelas/xii-ips-1/tugas.ics")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the open how-to is {width}px wide at 360px"


def test_the_calendar_link_downloads_a_calendar_that_parses(page: Page, served: str) -> None:
    open_fitting(page, served + "kelas/x-ipa-1/index.html")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tambahkan ke kalender").click()
    path = download.value.path()
    calendar = Calendar.from_ical(Path(path).read_bytes())
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert events[KASIR].decoded("DTSTART") == date(2026, 12, 11)
    assert str(events[KASIR]["URL"]) == \
        "https://sman3sukamaju.sch.id/guru/hendra/2026-11-20-proyek-program-kasir-kantin/"


def test_every_calendar_is_served_as_one_and_parses(page: Page, served: str) -> None:
    for path in ["tugas/tugas.ics", *(f"kelas/{name}/tugas.ics" for name in CLASSES)]:
        response = page.request.get(served + path)
        assert response.ok, path
        assert response.headers["content-type"].startswith("text/calendar"), path
        calendar = Calendar.from_ical(response.body())
        assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Asia/Jakarta"]
    school = Calendar.from_ical(page.request.get(served + "tugas/tugas.ics").body())
    assert {KASIR, MUSEUM} <= {str(e["SUMMARY"]) for e in school.walk("VEVENT")}
    xii = Calendar.from_ical(page.request.get(served + "kelas/xii-ips-1/tugas.ics").body())
    starts = [e.decoded("DTSTART") for e in xii.walk("VEVENT")]
    assert starts, "the XII classes' past deadlines of the last 60 days"
    assert all((s.date() if isinstance(s, datetime) else s) < NOW.date() for s in starts)


def test_a_deadline_gone_by_since_the_build_is_greyed(browser: Browser, served: str) -> None:
    """waktu.js keeps the time left current between builds; a deadline it finds past
    stays in its place, greyed."""
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.clock.set_fixed_time(datetime(2026, 12, 12, 9, 0, tzinfo=UTC))
        page.goto(served + "kelas/x-ipa-1/index.html")
        item = page.locator("section[aria-labelledby=tugas-kelas] li").filter(has_text=KASIR)
        expect(item).to_have_class("lewat")
        expect(item.locator(".relative")).to_contain_text("lalu")
        muted = page.locator("p.meta").first.evaluate("e => getComputedStyle(e).color")
        expect(item.locator(".due")).to_have_css("color", muted)
    finally:
        context.close()


def test_blog_assignments_reach_tugas_and_their_classes(page: Page, served: str) -> None:
    open_fitting(page, served + "tugas/index.html")
    assert TRIGONOMETRI in upcoming_group(page, "X IPA 1")
    assert TRIGONOMETRI in upcoming_group(page, "X IPA 2")
    assert TRIGONOMETRI not in upcoming_group(page, "X IPS 1")
    assert VIDEO in upcoming_group(page, "XI MIPA 1")
    open_fitting(page, served + "kelas/x-ipa-2/index.html")
    due = page.locator("section[aria-labelledby=tugas-kelas]")
    expect(due).to_contain_text(TRIGONOMETRI)
    expect(due).to_contain_text("Jumat, 18 Desember 2026 pukul 23.59 WIB")
    expect(due).to_contain_text("Google Classroom")
    open_fitting(page, served + "kelas/xi-mipa-2/index.html")
    due = page.locator("section[aria-labelledby=tugas-kelas]")
    expect(due).to_contain_text(VIDEO)
    expect(due).to_contain_text("Jumat, 11 Desember 2026 pukul 20.00 WIB")


def test_a_blog_post_says_its_deadline_was_read_from_it(page: Page, served: str) -> None:
    open_fitting(page, served + "kelas/x-ipa-1/index.html")
    page.get_by_role("link", name=TRIGONOMETRI).first.click()
    header = page.locator("article.post header")
    expect(header).to_contain_text("Jumat, 18 Desember 2026 pukul 23.59 WIB")
    expect(header).to_contain_text("batas dibaca dari tulisan guru")
    expect(header.get_by_role("link", name="lihat tulisan aslinya")).to_have_attribute(
        "href", "https://busarimengajar.wordpress.com/2026/11/20/"
                "tugas-proyek-akhir-semester-mengukur-tinggi-gedung-dengan-trigonometri/")
    school = Calendar.from_ical(page.request.get(served + "kelas/x-ipa-1/tugas.ics").body())
    event = next(e for e in school.walk("VEVENT") if str(e["SUMMARY"]) == TRIGONOMETRI)
    assert event["DTSTART"].params["TZID"] == "Asia/Jakarta"
    assert str(event.decoded("DTSTART")) == "2026-12-18 23:59:00+07:00"
