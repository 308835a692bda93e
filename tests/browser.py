"""Headless Chromium for the page tests: Debian's /usr/bin/chromium driven by Playwright.

Playwright cannot download its own browser on these machines, so the system one is used;
the flags keep it from reaching for the network at start.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

PHONE = {"width": 360, "height": 740}
"""A cheap Android phone's viewport, in CSS pixels."""
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def phone_page(browser: Browser) -> Iterator[Page]:
    """A phone-sized page with JavaScript off; a console error (the CSP's included) met
    while the block runs fails the test once it ends."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    yield page
    context.close()
    assert errors == []


def check_not_found_page(browser: Browser, base: str, missing: str, school: str) -> None:
    """The portal at `base` answers `missing` with its own 404 page and status 404: styled
    (not the browser's defaults), no wider than a phone, its link home working (issue 21)."""
    page = browser.new_page(viewport=PHONE)
    try:
        response = page.goto(base + missing)
        assert response is not None and response.status == 404
        assert page.locator("h1").inner_text() == "Halaman tidak ditemukan"
        assert page.evaluate("document.styleSheets[0].cssRules.length") > 10
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.get_by_role("link", name="Kembali ke beranda").click()
        page.wait_for_load_state()
        assert page.url == base + "index.html"
        assert school in page.title()
    finally:
        page.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """`folder` served on 127.0.0.1 for the duration of the block; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
