"""The example school in real headless Chromium at phone size: fits, readable, accessible.

Six pages (home, a subject, a class, the assignments, a teacher, a post with a table and an
image) are opened at 360x740 over HTTP, with JavaScript off and on. Each must fit the screen
(no horizontal scroll), show its <main> and <h1>, log no console error, and pass an axe-core
scan (axe-playwright-python, which ships axe.min.js: nothing is fetched) with no violation
of impact serious or critical. Screenshots go to test-output/screenshots/ to look at.

Printing: a post and the assignment list, emulated as print media, hide the navigation and
write link targets out; their A4 PDFs go to test-output/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route

from generator.build import build
from tests.browser import PHONE, chromium, serve_folder
from tests.conftest import REPO, copy_example

pytestmark = pytest.mark.browser
POST = "guru/endang/2026-08-24-fungsi-invers/index.html"
"""A Markdown post with a table, an SVG figure and a link to the school's e-learning."""
PAGES = {
    "beranda": "index.html",
    "mapel": "mapel/matematika/index.html",
    "kelas": "kelas/x-ipa-1/index.html",
    "tugas": "tugas/index.html",
    "guru": "guru/sari/index.html",
    "tulisan": POST,
}
BLOCKING = ("serious", "critical")
OUTPUT = Path(os.environ.get("MADING_TEST_OUTPUT", REPO / "test-output"))
"""Where screenshots and PDFs are left for people to look at (ignored by Git)."""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example school, built from a copy and served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("a11y")
    copy_example(root)
    report = build(root / "site.yml", root / "public", offline=True)
    assert report.problems == ()
    with serve_folder(root / "public") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def open_page(context: BrowserContext, url: str) -> tuple[Page, list[str]]:
    """`url` loaded in a new page of `context`, with the console errors it logs."""
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.goto(url)
    return page, errors


def serious_violations(axe: Axe, page: Page) -> list[str]:
    """axe-core's serious and critical violations on `page`: id, help and targets."""
    results: dict[str, Any] = axe.run(page).response
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(" ".join(node["target"]) for node in v["nodes"])
            for v in results["violations"] if v["impact"] in BLOCKING]


def empty_script(route: Route) -> None:
    route.fulfill(status=200, content_type="text/javascript", body="")


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
@pytest.mark.parametrize("name", PAGES)
def test_page_fits_phone_shows_content_and_passes_axe(
        browser: Browser, axe: Axe, served: str, name: str, javascript: bool) -> None:
    check_on_phone(browser, axe, served + PAGES[name], name, javascript)


def check_on_phone(browser: Browser, axe: Axe, url: str, name: str, javascript: bool) -> None:
    """The page at `url` fits a 360 px phone, shows its main heading, raises no console
    error and has no serious or critical axe violation, with scripting `javascript`; its
    screenshot goes to OUTPUT/screenshots/NAME-js.png (or -nojs)."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    try:
        page, errors = open_page(context, url)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= PHONE["width"], f"{name} is {scroll_width}px wide at 360px"
        main = page.locator("main")
        assert main.is_visible()
        assert main.get_by_role("heading", level=1).is_visible()
        shots = OUTPUT / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        suffix = "js" if javascript else "nojs"
        page.screenshot(path=shots / f"{name}-{suffix}.png", full_page=True)
        if javascript:
            violations = serious_violations(axe, page)
        else:
            # axe.run() never settles in a page whose scripting is off (its promises wait
            # on timers that never fire). The same page is scanned again with scripting on
            # for axe but with the site's own scripts answered by empty files: the DOM a
            # browser without JavaScript shows (the theme has no <noscript>).
            scan = browser.new_context(viewport=PHONE)
            try:
                scan.route("**/*.js", empty_script)
                scanned, scan_errors = open_page(scan, url)
                violations = serious_violations(axe, scanned)
                errors += scan_errors
            finally:
                scan.close()
        assert violations == [], f"axe on {name}:\n" + "\n".join(violations)
        assert errors == []
    finally:
        context.close()


def test_the_post_is_the_one_with_a_table_and_an_image(browser: Browser, served: str) -> None:
    context = browser.new_context(viewport=PHONE)
    try:
        page, _ = open_page(context, served + POST)
        assert page.locator("main .content table").count() == 1
        image = page.locator("main .content img")
        assert image.get_attribute("loading") == "lazy"
        image.scroll_into_view_if_needed()
        assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    finally:
        context.close()


@pytest.mark.parametrize(("name", "link", "target"), [
    ("tulisan", '.content a[href^="http"]', "https://elearning.sman3sukamaju.sch.id/"),
    ("tugas", ".due-list a", "https://sman3sukamaju.sch.id/guru/"),
])
def test_print_hides_navigation_and_writes_link_targets(
        browser: Browser, served: str, name: str, link: str, target: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page, errors = open_page(context, served + PAGES[name])
        page.emulate_media(media="print")
        for hidden in (".site-header nav", ".skip"):
            display = page.locator(hidden).evaluate("e => getComputedStyle(e).display")
            assert display == "none", hidden
        written = page.locator(link).first.evaluate(
            "a => getComputedStyle(a, '::after').content")
        assert target in written, f"{link} prints {written}"
        OUTPUT.mkdir(parents=True, exist_ok=True)
        pdf = page.pdf(path=OUTPUT / f"print-{name}.pdf", format="A4")
        assert pdf.startswith(b"%PDF")
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("path", [
    "guru/hendra/2026-10-12-percabangan-python/index.html",  # highlighted code, a table
    "guru/bambang/2026-11-21-jadwal-pas-ganjil-2026-2027/index.html",  # two wide tables
    "guru/rina/2026-09-08-tugas-observasi-menulis-laporan-tentang-lingkungan-sekolah/"
    "index.html",  # a YouTube embed from a feed
])
def test_teachers_content_brings_no_serious_violation(
        browser: Browser, axe: Axe, served: str, path: str) -> None:
    context = browser.new_context(viewport=PHONE)
    try:
        page, _ = open_page(context, served + path)  # embeds cannot load offline
        violations = serious_violations(axe, page)
        # render.jinja.page_content makes wide tables and code focusable and titles embeds.
        assert violations == []
    finally:
        context.close()
