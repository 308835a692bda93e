"""How long a teacher waits to see a saved post in `mading serve` (issue 23: <= 0.5 s).

Copies a Mading site (the example school, or `--site`, e.g. bench/peers.py's school corpus)
to a temporary folder, starts `mading serve --offline` on 127.0.0.1, opens the post in
headless Chromium with JavaScript on, then edits the post's title N times and measures,
for each save, the time until the open page shows the new title (the serve script reloads
it). Prints each figure and the median; `--json` also writes them to a file for
bench/targets.py; `--log` keeps what serve printed (when each saved post was shown
first, and how long each full build after it took).

    .venv/bin/python bench/serve_bench.py [--saves 7] [--site DIR --post content/T/P.md]
        [--json FILE] [--log FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from tests.browser import chromium  # noqa: E402

POST = "content/wahyu/2026-11-20-laporan-kunjungan-museum.md"
SITE_PARTS = ("content", "feeds", "img")
"""What `mading serve` reads besides site.yml (and koreksi.yml), copied with them."""
STARTUP_SECONDS = 300
"""How long the first build may take before the portal answers (a big corpus, a busy
machine)."""
VISIBLE_SECONDS = 30
"""A save not shown by then is reported as not visible, and the run goes on."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def page_of(post: str) -> str:
    """The post's page in the output: content/<teacher>/<stem>.md is guru/<teacher>/<stem>/."""
    path = Path(post)
    return f"guru/{path.parent.name}/{path.stem}/index.html"


def retitled(text: str, save: int) -> str:
    """The post with ` (versi N)` added to its front matter's title."""
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    value = lines[at].removeprefix("title:").strip()
    title = json.loads(value) if value.startswith('"') else value.strip("'")
    lines[at] = "title: " + json.dumps(f"{title} (versi {save})", ensure_ascii=False)
    return "\n".join(lines)


def copy_site(source: Path, into: Path) -> None:
    for part in SITE_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, into / part)
    for name in ("site.yml", "koreksi.yml"):
        if (source / name).is_file():
            shutil.copy(source / name, into / name)


def wait_for_portal(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"mading serve ended (exit {server.returncode}) before {url} "
                             "answered")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {STARTUP_SECONDS} s")


def measure(site: Path, post: str, saves: int, log: Path | None = None
            ) -> tuple[list[float | None], list[float]]:
    """Each save's wait (None: not visible within VISIBLE_SECONDS) and the 1-minute load
    average before it; what serve printed goes to `log`, if given."""
    port = free_port()
    printed = (log or Path(os.devnull)).open("w", encoding="utf-8")
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--offline",
                               "--port", str(port)], cwd=site,
                              stdout=printed, stderr=subprocess.STDOUT)
    waits: list[float | None] = []
    loads: list[float] = []
    try:
        url = f"http://127.0.0.1:{port}/{page_of(post)}"
        wait_for_portal(url, server)
        with chromium() as browser:
            page = browser.new_page()
            page.goto(url)
            path = site / post
            original = path.read_text(encoding="utf-8")
            for save in range(1, saves + 1):
                time.sleep(1.0)  # let the previous reload settle
                loads.append(os.getloadavg()[0])
                started = time.monotonic()
                path.write_text(retitled(original, save), encoding="utf-8")
                try:
                    page.locator("h1", has_text=f"(versi {save})").wait_for(
                        timeout=VISIBLE_SECONDS * 1000)
                    waits.append(time.monotonic() - started)
                    print(f"save {save}: visible after {waits[-1]:.2f} s "
                          f"(load {loads[-1]:.2f})", flush=True)
                except PlaywrightTimeout:
                    waits.append(None)
                    print(f"save {save}: not visible after {VISIBLE_SECONDS} s", flush=True)
                    page.goto(url)
    finally:
        server.terminate()
        server.wait(timeout=10)
        printed.close()
    return waits, loads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=7)
    parser.add_argument("--site", type=Path, default=REPO,
                        help="a Mading site folder (default: the example school)")
    parser.add_argument("--post", default=POST, help="the post to edit, relative to --site")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--log", type=Path, help="write what serve printed to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        copy_site(args.site.resolve(), Path(folder))
        waits, loads = measure(Path(folder), args.post, args.saves, args.log)
    seen = [wait for wait in waits if wait is not None]
    if seen:
        print(f"median {statistics.median(seen):.2f} s, max {max(seen):.2f} s "
              f"over {len(seen)} of {len(waits)} saves")
    if args.json:
        args.json.write_text(json.dumps({"waits": waits, "loads": loads, "post": args.post}),
                             encoding="utf-8")
    return 0 if len(seen) == len(waits) else 1


if __name__ == "__main__":
    sys.exit(main())
