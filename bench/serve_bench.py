"""How long a teacher waits to see a saved post in `mading serve` (issue: under 1 s).

Copies the example school to a temporary folder, starts `mading serve --offline` on
127.0.0.1, opens the post in headless Chromium with JavaScript on, then edits the post's
title N times and measures, for each save, the time until the open page shows the new
title (the serve script reloads it). Prints each figure and the median.

    .venv/bin/python bench/serve_bench.py [--saves 7]
"""

from __future__ import annotations

import argparse
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

from tests.browser import chromium  # noqa: E402

POST = "content/wahyu/2026-11-20-laporan-kunjungan-museum.md"
PAGE = "guru/wahyu/2026-11-20-laporan-kunjungan-museum/index.html"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        for part in ("content", "feeds", "img"):
            shutil.copytree(REPO / part, site / part)
        shutil.copy(REPO / "site.yml", site / "site.yml")
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--offline",
                                   "--port", str(port)], cwd=site,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}/{PAGE}"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(url, timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
            waits = []
            with chromium() as browser:
                page = browser.new_page()
                page.goto(url)
                post = site / POST
                original = post.read_text()
                for save in range(1, args.saves + 1):
                    title = f"Tugas: Laporan Kunjungan Museum (versi {save})"
                    time.sleep(1.0)  # let the previous reload settle
                    started = time.monotonic()
                    post.write_text(original.replace("Tugas: Laporan Kunjungan Museum", title))
                    page.locator("h1", has_text=f"(versi {save})").wait_for(timeout=10_000)
                    waits.append(time.monotonic() - started)
                    print(f"save {save}: visible after {waits[-1]:.2f} s", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"median {statistics.median(waits):.2f} s, max {max(waits):.2f} s "
          f"over {len(waits)} saves")


if __name__ == "__main__":
    main()
