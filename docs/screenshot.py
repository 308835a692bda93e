"""Regenerate the README's screenshots of the example portal (`make screenshot`).

Builds the example school into a temporary folder and photographs, in headless Chromium
with JavaScript off, its home page at a desktop width and at a 360 px phone width, and a
teacher's page at 360 px.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.build import build  # noqa: E402
from tests.browser import chromium  # noqa: E402

DESKTOP = {"width": 1100, "height": 760}
PHONE = {"width": 360, "height": 740}
SHOTS = {
    "portal.png": ("index.html", DESKTOP),
    "portal-phone.png": ("index.html", PHONE),
    "teacher-phone.png": ("guru/sari/index.html", PHONE),
}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        # Build from a copy so that the build's archive stays out of the repository.
        for part in ("content", "feeds", "img"):
            shutil.copytree(REPO / part, Path(folder) / part)
        shutil.copy(REPO / "site.yml", Path(folder) / "site.yml")
        site = Path(folder) / "public"
        build(Path(folder) / "site.yml", site, offline=True)
        with chromium() as browser:
            for name, (path, viewport) in SHOTS.items():
                page = browser.new_page(viewport=viewport, java_script_enabled=False)
                page.goto((site / path).as_uri())
                target = REPO / "docs" / "img" / name
                target.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(target))
                print(f"wrote {target.relative_to(REPO)}")


if __name__ == "__main__":
    main()
