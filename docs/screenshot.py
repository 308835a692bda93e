"""Regenerate the README's screenshots of the example portal (`make screenshot`).

Builds the example school into a temporary folder and photographs, in headless Chromium
with JavaScript off, its home page at a desktop width and at a 360 px phone width, and a
teacher's page at 360 px; then the portal's 404 page as `mading serve` answers a missing
page deep in the site, at 360 px (docs/deploy.md).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.build import build  # noqa: E402
from generator.serve import BuildState, portal_server  # noqa: E402
from tests.browser import chromium  # noqa: E402

DESKTOP = {"width": 1100, "height": 760}
PHONE = {"width": 360, "height": 740}
SHOTS = {
    "portal.png": ("index.html", DESKTOP),
    "portal-phone.png": ("index.html", PHONE),
    "teacher-phone.png": ("guru/sari/index.html", PHONE),
}


def copy_example(folder: Path) -> Path:
    """The example school copied into `folder`, so that the build's archive stays out of
    the repository; returns the copy's site.yml."""
    for part in ("content", "feeds", "img"):
        shutil.copytree(REPO / part, folder / part)
    shutil.copy(REPO / "site.yml", folder / "site.yml")
    return folder / "site.yml"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "public"
        build(copy_example(Path(folder)), site, offline=True)
        with chromium() as browser:
            for name, (path, viewport) in SHOTS.items():
                page = browser.new_page(viewport=viewport, java_script_enabled=False)
                page.goto((site / path).as_uri())
                target = REPO / "docs" / "img" / name
                target.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(target))
                print(f"wrote {target.relative_to(REPO)}")
    not_found_page()


def not_found_page(name: str = "404-phone.png") -> None:
    """A missing page deep in the portal, as `mading serve` answers it (the 404 page is
    served at any depth, so its links are absolute, from the address built for)."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "public"
        server = portal_server(output, 0, BuildState())
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        build(copy_example(Path(folder)), output, offline=True, url=url)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with chromium() as browser:
                page = browser.new_page(viewport=PHONE, java_script_enabled=False)
                page.goto(url + "guru/sari/2026/tulisan-yang-sudah-dipindah/")
                target = REPO / "docs" / "img" / name
                page.screenshot(path=str(target))
                print(f"wrote {target.relative_to(REPO)}")
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    main()
