"""`mading serve` in a process of its own, and asking it for pages: shared by the tests
of serve, of what it shows first and of its faults."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Until `condition` holds: bounded, generous for a loaded 2-core runner (a rebuild
    took over 20 s there while other builds ran), never a measure of speed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def not_found(url: str) -> str:
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(url, timeout=5)
    assert caught.value.code == 404
    assert caught.value.headers["Content-Type"] == "text/html; charset=utf-8"
    return str(caught.value.read().decode("utf-8"))


@contextmanager
def serving_site(site: Path, school: str) -> Iterator[str]:
    """`mading serve --offline` of the site in the folder `site`, once its home page
    names `school`; its address. What it prints is not read (a pipe nobody reads would
    fill)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--offline", "--port", str(port)],
        cwd=site, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: school in fetch(url))
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
