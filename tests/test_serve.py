"""`mading serve`: serves the build on localhost and rebuilds when a post changes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser import check_not_found_page, chromium
from tests.serving import fetch, free_port, not_found, wait_for


def test_serve_rebuilds_when_a_post_changes(serving: str, tiny_site: Path) -> None:
    post = tiny_site.parent / "content" / "sari" / "2026-11-18-persamaan-kuadrat.md"
    post.write_text(post.read_text().replace("title: Persamaan Kuadrat",
                                             "title: Persamaan Kuadrat dan Akar-akarnya"))
    wait_for(lambda: "Persamaan Kuadrat dan Akar-akarnya" in fetch(serving))


def test_serve_keeps_serving_when_a_post_breaks(serving: str, tiny_site: Path) -> None:
    broken = tiny_site.parent / "content" / "sari" / "2026-11-21-rusak.md"
    broken.write_text("---\ntitle: Rusak\ndate: kemarin\n---\nIsi\n")
    good = tiny_site.parent / "content" / "sari" / "2026-11-21-baru.md"
    good.write_text("---\ntitle: Tulisan Baru\ndate: 2026-11-21\n---\nIsi\n")
    wait_for(lambda: "Tulisan Baru" in fetch(serving))
    assert "Persamaan Kuadrat" in fetch(serving)


def status(serving: str) -> dict[str, object]:
    result: dict[str, object] = json.loads(fetch(serving + "__mading/status"))
    return result


def test_pages_get_the_reload_script_but_the_output_does_not(serving: str,
                                                             tiny_site: Path) -> None:
    assert re.search(r'<script src="/__mading/reload.js" data-page="[0-9a-f]{16}" defer>'
                     r'</script></body>', fetch(serving))
    assert "__mading" not in (tiny_site.parent / "public" / "index.html").read_text()
    assert "location.reload()" in fetch(serving + "__mading/reload.js")


def test_status_counts_builds_and_carries_the_problems(serving: str, tiny_site: Path) -> None:
    first = status(serving)
    assert first["problems"] == []
    broken = tiny_site.parent / "content" / "sari" / "2026-11-21-rusak.md"
    broken.write_text("---\ntitle: Rusak\ndate: kemarin\n---\nIsi\n")
    wait_for(lambda: status(serving)["problems"] != [])
    later = status(serving)
    assert isinstance(later["version"], int) and isinstance(first["version"], int)
    assert later["version"] > first["version"]
    assert later["problems"] == [
        "content/sari/2026-11-21-rusak.md:3: 'date': 'kemarin' bukan tanggal yang benar; "
        "tulis TAHUN-BULAN-TANGGAL, misalnya 2026-11-20 atau 2026-11-20 07:30"]


def test_status_is_held_until_a_newer_build_is_done(serving: str, tiny_site: Path) -> None:
    """The page asks "anything newer than version N?" and gets the answer as soon as a
    build is done, not at its next poll (issue 23: a save visible in under 0.5 s): the
    saved post's own page first, the rest with the full build that follows."""
    first = status(serving)
    answers: list[dict[str, object]] = []

    def ask() -> None:
        address = f"{serving}__mading/status?since={first['version']}"
        with urllib.request.urlopen(address, timeout=60) as response:
            answers.append(json.loads(response.read()))

    asking = threading.Thread(target=ask)
    asking.start()
    asking.join(timeout=1.0)
    assert asking.is_alive() and not answers  # held: nothing was built since
    post = tiny_site.parent / "content" / "sari" / "2026-11-18-persamaan-kuadrat.md"
    post.write_text(post.read_text().replace("title: Persamaan Kuadrat",
                                             "title: Persamaan Kuadrat Lagi"))
    asking.join(timeout=60)
    assert len(answers) == 1
    version = answers[0]["version"]
    assert isinstance(version, int) and isinstance(first["version"], int)
    assert version > first["version"]
    assert "Persamaan Kuadrat Lagi" in fetch(serving + "guru/sari/2026-11-18-persamaan-kuadrat/")
    wait_for(lambda: "Persamaan Kuadrat Lagi" in fetch(serving))


@pytest.mark.browser
def test_open_page_reloads_and_shows_problems(serving: str, tiny_site: Path) -> None:
    with chromium() as browser:
        page = browser.new_page()
        page.goto(serving + "guru/sari/2026-11-18-persamaan-kuadrat/index.html")
        post = tiny_site.parent / "content" / "sari" / "2026-11-18-persamaan-kuadrat.md"
        post.write_text(post.read_text().replace("title: Persamaan Kuadrat",
                                                 "title: Persamaan Kuadrat Baru"))
        page.locator("h1", has_text="Persamaan Kuadrat Baru").wait_for(timeout=10_000)
        post.write_text(post.read_text().replace("date: 2026-11-18 07:30", "date: besok"))
        banner = page.locator("#mading-problems")
        banner.wait_for(timeout=10_000)
        assert "2026-11-18-persamaan-kuadrat.md:3: 'date': 'besok'" in banner.inner_text()
        post.write_text(post.read_text().replace("date: besok", "date: 2026-11-18 07:30"))
        banner.wait_for(state="detached", timeout=10_000)


MISSING = ["tidak-ada.html", "guru/tidak-ada/", "guru/sari/2026/tidak/ada/", "assets/"]


@pytest.mark.parametrize("path", MISSING)
def test_a_missing_page_gets_the_portals_404_with_status_404(serving: str, path: str) -> None:
    """Issue 21: serve answered with Python's English error page, 980 px wide on a phone.
    A folder without index.html (assets/) is no page either, as on a static host."""
    body = not_found(serving + path)
    assert "<h1>Halaman tidak ditemukan</h1>" in body
    assert "Error response" not in body
    # The page is the root's 404.html served at any depth: its links are absolute, from
    # the address serve builds for, whatever site.yml's url: says.
    assert re.search(rf'<link rel="stylesheet" href="{serving}assets/style\.[0-9a-f]{{10}}\.css">',
                     body)
    assert f'<a href="{serving}index.html">Kembali ke beranda</a>' in body
    assert '<script src="/__mading/reload.js" data-page="" defer></script></body>' in body


def test_serve_on_ci_without_an_address_uses_its_own(tiny_site: Path) -> None:
    """`mading serve` always builds for the address it serves at, CI or not."""
    text = tiny_site.read_text()
    tiny_site.write_text(text.replace("  url: https://uji.sch.id/portal/\n", ""))
    port = free_port()
    env = {**os.environ, "CI": "true"}
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--offline", "--port", str(port)],
        cwd=tiny_site.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: "SMA Uji Coba" in fetch(url))
        assert f"<id>{url}</id>" in fetch(url + "feed.xml")
        assert re.search(rf'href="{url}assets/style\.[0-9a-f]{{10}}\.css"',
                         not_found(url + "x/y/"))
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.browser
def test_the_404_page_fits_a_phone_at_any_depth(serving: str) -> None:
    with chromium() as browser:
        check_not_found_page(browser, serving, "guru/sari/2026/tidak/ada/", "SMA Uji Coba")
