"""`mading serve`: serves the build on localhost and rebuilds when a post changes."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


@pytest.fixture
def server(tiny_site: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--offline", "--port", str(port)],
        cwd=tiny_site.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: "SMA Uji Coba" in fetch(url))
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_rebuilds_when_a_post_changes(server: str, tiny_site: Path) -> None:
    post = tiny_site.parent / "content" / "sari" / "2026-11-18-persamaan-kuadrat.md"
    post.write_text(post.read_text().replace("title: Persamaan Kuadrat",
                                             "title: Persamaan Kuadrat dan Akar-akarnya"))
    wait_for(lambda: "Persamaan Kuadrat dan Akar-akarnya" in fetch(server))


def test_serve_keeps_serving_when_a_post_breaks(server: str, tiny_site: Path) -> None:
    broken = tiny_site.parent / "content" / "sari" / "2026-11-21-rusak.md"
    broken.write_text("---\ntitle: Rusak\ndate: kemarin\n---\nIsi\n")
    good = tiny_site.parent / "content" / "sari" / "2026-11-21-baru.md"
    good.write_text("---\ntitle: Tulisan Baru\ndate: 2026-11-21\n---\nIsi\n")
    wait_for(lambda: "Tulisan Baru" in fetch(server))
    assert "Persamaan Kuadrat" in fetch(server)
