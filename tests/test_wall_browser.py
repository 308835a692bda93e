"""The wall pages of issue 24 in headless Chromium: the posters' QR codes read back with
zbar from a screenshot of the printed layout, 60 teachers on a few A4 sheets, each class's
week from disk with and without JavaScript, and every page at 360 px through axe.

A screenshot at 96 dpi (an A4 sheet 794 px wide) is a harsh stand-in for a phone's photo
of the printed poster: a phone's 12 megapixels put some 4,000 px across the sheet. A code
zbar reads here, a phone reads from much further away.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from generator.build import build
from generator.config import load_site
from generator.render.wall_pages import week_page
from tests.browser import PHONE, chromium, serve_folder
from tests.conftest import REPO, copy_example
from tests.test_accessibility import OUTPUT, check_on_phone, open_page

pytestmark = pytest.mark.browser
A4 = {"width": 794, "height": 1123}
"""An A4 sheet in CSS pixels (96 to the inch): what the print layout is laid out on."""
NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
SCHOOL = "https://sman3sukamaju.sch.id/"
EXAMPLE = load_site(REPO / "site.yml")
CLASS = EXAMPLE.classes[0]
"""The example school's first class, whose week the tests read."""
WEEK = week_page(CLASS) + "index.html"
PAGES = {
    "poster": "poster/index.html",
    "poster-guru": "guru/endang/poster/index.html",
    "minggu-ini": WEEK,
    "ortu": "ortu/index.html",
    "keaktifan": "keaktifan/index.html",
}
MIN_MODULE_MM = 0.75
"""The smallest module a poster may print. A phone reads a code from about ten times
its width: 37 modules of 0.75 mm (28 mm) from a good arm's length, pinned on a wall."""


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example school, built as of a Saturday with assignments due the next week."""
    root = tmp_path_factory.mktemp("wall")
    copy_example(root)
    report = build(root / "site.yml", root / "public", offline=True, now=NOW)
    assert report.problems == ()
    return root / "public"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def print_layout(browser: Browser, page_file: Path) -> Page:
    """`page_file` from disk, laid out for print on an A4 sheet (JavaScript off)."""
    context = browser.new_context(viewport=A4, java_script_enabled=False)
    page = context.new_page()
    page.goto(page_file.as_uri())
    page.emulate_media(media="print")
    return page


def decoded(page: Page, name: str) -> list[str]:
    """What zbar reads in a screenshot of each QR code of `page`, as a phone photographs
    one code at a time (zbar loses codes laid out in a grid when given the whole sheet:
    it pairs finder patterns of neighbouring codes)."""
    folder = OUTPUT / f"wall-{name}"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / "page.png", full_page=True)
    shots = []
    for number, code in enumerate(page.locator("svg.qr").all()):
        shots.append(str(folder / f"qr-{number}.png"))
        code.screenshot(path=shots[-1])
    found = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable",
                            *shots], capture_output=True, text=True, check=False)
    assert found.returncode in (0, 4), found.stderr  # 4: some image without a code
    return sorted(found.stdout.splitlines())


def module_sizes(page: Page) -> list[float]:
    """The printed size of one module of each QR code on `page`, in millimetres."""
    sizes = page.eval_on_selector_all("svg.qr", """codes => codes.map(code =>
        [code.getBoundingClientRect().width, code.viewBox.baseVal.width])""")
    return [width * 25.4 / 96 / modules for width, modules in sizes]


def teacher_slugs(site_yml: Path) -> list[str]:
    return re.findall(r"^\s+slug: (\S+)$", site_yml.read_text(encoding="utf-8"), re.M)


def test_the_school_poster_reads_back_to_the_portal_and_every_teacher(
        browser: Browser, school: Path) -> None:
    page = print_layout(browser, school / "poster/index.html")
    try:
        slugs = [p.name for p in (school / "guru").iterdir()
                 if (p / "poster/index.html").is_file()]
        assert len(slugs) == 14
        expected = sorted([SCHOOL] + [f"{SCHOOL}guru/{slug}/" for slug in slugs])
        assert decoded(page, "poster") == expected
        sizes = module_sizes(page)
        assert len(sizes) == 15 and min(sizes) >= MIN_MODULE_MM, sizes
        assert page.locator("a.portal-address").inner_text() == SCHOOL
        for hidden in (".site-header", ".site-footer"):
            assert page.locator(hidden).evaluate("e => getComputedStyle(e).display") == "none"
        pdf = page.pdf(path=OUTPUT / "wall-poster.pdf", format="A4", print_background=True)
        assert pdf_pages(pdf) == 1
    finally:
        page.context.close()


def test_a_teachers_poster_reads_back_to_their_page(browser: Browser, school: Path) -> None:
    page = print_layout(browser, school / "guru/endang/poster/index.html")
    try:
        assert decoded(page, "poster-guru") == [f"{SCHOOL}guru/endang/"]
        assert min(module_sizes(page)) >= 2 * MIN_MODULE_MM
        assert "Matematika" in page.locator(".poster-subjects").inner_text()
        classes = page.locator(".poster-person").inner_text()
        assert all(name in classes for name in EXAMPLE.teacher("endang").classes)
        pdf = page.pdf(path=OUTPUT / "wall-poster-guru.pdf", format="A4", print_background=True)
        assert pdf_pages(pdf) == 1
    finally:
        page.context.close()


def pdf_pages(pdf: bytes) -> int:
    """The pages of a PDF Chromium printed: its page objects."""
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


SUBJECTS = ["Matematika", "Fisika", "Kimia", "Biologi", "Bahasa Indonesia", "Bahasa Inggris",
            "Sejarah", "Geografi", "Ekonomi", "Sosiologi", "Informatika", "Seni Budaya"]


def test_sixty_teachers_fit_three_sheets_and_every_code_reads(
        browser: Browser, tmp_path: Path) -> None:
    lines = ["school:", "  name: SMA Negeri 1 Enam Puluh Guru", "  url: https://sman1.example.sch.id/",
             "subjects:", *(f"  - name: {name}" for name in SUBJECTS), "teachers:"]
    for number in range(60):
        lines += [f"  - name: Drs. Guru Nomor {number + 1} Dengan Nama Panjang, M.Pd.",
                  f"    slug: guru-nomor-{number + 1}",
                  f"    subjects: [{SUBJECTS[number % 12]}, {SUBJECTS[(number + 5) % 12]}]"]
    site = tmp_path / "site.yml"
    site.write_text("\n".join(lines) + "\n", encoding="utf-8")
    build(site, tmp_path / "public", offline=True, now=NOW)
    page = print_layout(browser, tmp_path / "public/poster/index.html")
    try:
        pdf = page.pdf(path=OUTPUT / "wall-poster-60.pdf", format="A4", print_background=True)
        assert pdf_pages(pdf) <= 3
        expected = sorted(["https://sman1.example.sch.id/"] +
                          [f"https://sman1.example.sch.id/guru/{slug}/"
                           for slug in teacher_slugs(site)])
        assert len(expected) == 61
        assert decoded(page, "poster-60") == expected
        assert min(module_sizes(page)) >= MIN_MODULE_MM
    finally:
        page.context.close()


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
@pytest.mark.parametrize("name", PAGES)
def test_wall_pages_fit_a_phone_and_pass_axe(
        browser: Browser, axe: Axe, school: Path, name: str, javascript: bool) -> None:
    with serve_folder(school) as served:
        check_on_phone(browser, axe, served + PAGES[name], f"wall-{name}", javascript)


def test_parents_follow_a_class_from_disk_and_copy_its_week(
        browser: Browser, school: Path) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page, errors = open_page(context, (school / "index.html").as_uri())
        page.locator(".site-footer").get_by_role("link", name="Untuk orang tua").click()
        page.get_by_role("link", name=f"Minggu ini di kelas {CLASS}", exact=True).click()
        assert page.url.endswith("/" + WEEK)
        text = page.locator("textarea")
        value = text.input_value()
        assert 0 < len(value) <= 1000 and f"{SCHOOL}{week_page(CLASS)}" in value
        # Without JavaScript: no button, and the text selects whole.
        assert page.locator("button.copy").is_hidden()
        text.select_text()
        assert page.evaluate("document.activeElement.selectionEnd") == len(value)
        assert errors == []
    finally:
        context.close()
    context = browser.new_context(viewport=PHONE)
    try:
        page, errors = open_page(context,
                                 (school / WEEK).as_uri())
        page.get_by_role("button", name="Salin teks").click()
        # The script says so once the copy is done: waited for, up to Playwright's 5 s.
        expect(page.get_by_role("status")).to_have_text(
            "Teks sudah disalin. Tempel di grup WhatsApp.")
        assert errors == []
    finally:
        context.close()


def test_the_week_prints_without_the_whatsapp_block(browser: Browser, school: Path) -> None:
    page = print_layout(browser, school / WEEK)
    try:
        assert page.locator(".whatsapp").evaluate("e => getComputedStyle(e).display") == "none"
        link = page.locator(".due-list a").first
        assert SCHOOL in link.evaluate("a => getComputedStyle(a, '::after').content")
        pdf = page.pdf(path=OUTPUT / "wall-minggu-ini.pdf", format="A4")
        assert pdf_pages(pdf) <= 2
    finally:
        page.context.close()


def test_the_principal_finds_activity_from_the_directory_on_disk(
        browser: Browser, school: Path) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page, errors = open_page(context, (school / "guru/index.html").as_uri())
        assert page.locator(".site-header nav").get_by_text("Keaktifan").count() == 0
        page.locator("main").get_by_role("link", name="Keaktifan guru").click()
        assert page.url.endswith("/keaktifan/index.html")
        charts = page.locator("svg.chart[role=img]")
        assert charts.count() == len(EXAMPLE.teachers)
        label = charts.first.get_attribute("aria-label") or ""
        assert "November 2026" in label
        page.locator(".site-footer").get_by_role("link", name="Poster mading").click()
        assert page.url.endswith("/poster/index.html")
        assert page.locator("svg.qr").count() == 1 + len(EXAMPLE.teachers)
        assert errors == []
    finally:
        context.close()
