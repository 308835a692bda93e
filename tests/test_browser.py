"""The portal in a real headless Chromium: phone width, no JavaScript, file:// and sub-paths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from generator.build import build
from tests.browser import PHONE, chromium, phone_page, serve_folder
from tests.conftest import FIXTURES, copy_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    out = root / "www" / "sekolah"
    build(copy_site(FIXTURES / "tiny", root / "site"), out, offline=True)
    return out


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with phone_page(browser) as page:
        yield page


def assert_styled_and_fits_phone(page: Page) -> None:
    background = page.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(11, 107, 88)", "the stylesheet did not load"
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"page is {scroll_width}px wide at 360px"


def test_pages_open_from_disk_and_links_are_followed(page: Page, output: Path) -> None:
    page.goto((output / "index.html").as_uri())
    assert_styled_and_fits_phone(page)
    page.get_by_role("navigation").get_by_role("link", name="Guru").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Daftar Guru"
    page.get_by_role("link", name="Sari Wulandari, S.Pd.").click()
    assert page.url.endswith("/guru/sari/index.html")
    page.get_by_role("link", name="Tugas Persamaan Kuadrat").click()
    assert_styled_and_fits_phone(page)
    assert "Selasa, 1 Desember 2026" in page.locator(".due").inner_text()


def test_post_with_table_and_image_fits_phone(page: Page, output: Path) -> None:
    page.goto((output / "guru/sari/2026-11-18-persamaan-kuadrat/index.html").as_uri())
    assert_styled_and_fits_phone(page)
    image = page.get_by_role("img", name="Grafik fungsi kuadrat")
    image.scroll_into_view_if_needed()  # it loads lazily (issue 27)
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0


@pytest.fixture(scope="module")
def served(output: Path) -> Iterator[str]:
    """The output served from a sub-path, as on GitHub Pages project sites."""
    with serve_folder(output.parent) as url:
        yield url + "sekolah/"


def test_site_works_from_a_sub_path_over_http(page: Page, served: str) -> None:
    page.goto(served)
    assert_styled_and_fits_phone(page)
    page.get_by_role("navigation").get_by_role("link", name="Mata Pelajaran").click()
    page.get_by_role("link", name="Fisika").first.click()
    assert page.url == served + "mapel/fisika/index.html"
    # The address changes when the navigation commits, before the page is parsed.
    expect(page.get_by_role("link", name="Hukum Newton & Gaya Gesek")).to_be_visible()
