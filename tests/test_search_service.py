"""The index made while the pages are written (generator/search_service.py), with the
real Pagefind: the same index as Pagefind makes of the folder, started only when a post
page changed, and the folder indexed as before when the service fails."""

from __future__ import annotations

import gzip
import json
import shutil
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from generator import search
from generator.build import build
from generator.search_service import PagefindService, ServiceFailed

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
POST = "content/sari/2026-11-18-persamaan-kuadrat.md"


def logged_pagefind(folder: Path, monkeypatch: pytest.MonkeyPatch, before: str = "") -> Path:
    """Pagefind behind a script that notes each start's first argument in a log; `before`
    runs first (and may stand in for it, as `$REAL`). Returns the log."""
    real = search.pagefind_binary()
    log = folder / "pagefind.log"
    script = folder / "logged-pagefind"
    script.write_text(f'#!/bin/sh\nREAL="{real}"\necho "$1" >> "{log}"\n{before}'
                      'exec "$REAL" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(script))
    return log


def starts(log: Path) -> list[str]:
    """How Pagefind was started since the last look: `--service` or `--site` (a folder)."""
    lines = log.read_text().split() if log.exists() else []
    log.unlink(missing_ok=True)
    return lines


def indexed(bundle: Path) -> dict[str, Any]:
    """What a bundle's index holds of each page, by URL: what a search shows and filters."""
    pages = {}
    for fragment in (bundle / "fragment").glob("*.pf_fragment"):
        page = json.loads(gzip.decompress(fragment.read_bytes())[12:])
        pages[page["url"]] = (page["content"], page["meta"], page["filters"],
                              page["word_count"], page.get("sort"))
    return pages


def files(bundle: Path) -> list[tuple[str, bool]]:
    """A bundle's files and whether each holds anything: by name at its top, by folder
    below (and the language's metadata by its kind): Pagefind names those anew at each
    run."""
    return sorted(("pagefind.LANGUAGE.pf_meta" if path.suffix == ".pf_meta" else
                   path.relative_to(bundle).parts[0] if path.parent != bundle else path.name,
                   path.stat().st_size > 0)
                  for path in bundle.rglob("*") if path.is_file())


def edit(site: Path, words: str) -> None:
    post = site.parent / POST
    post.write_text(post.read_text() + f"\n{words}\n")


def test_an_edit_is_indexed_while_written_as_pagefind_indexes_the_folder(
        tiny_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "public"
    build(tiny_site, output, offline=True, now=NOW)
    log = logged_pagefind(tmp_path, monkeypatch)
    edit(tiny_site, "Kata baru: zirkonium.")
    report = build(tiny_site, output, offline=True, now=NOW)
    assert report.warnings == ()
    assert starts(log) == ["--service"]

    folder = tmp_path / "folder"
    shutil.copytree(output, folder)
    search.index_site(folder, "id")
    assert starts(log) == ["--site"]
    streamed, whole = indexed(output / "pagefind"), indexed(folder / "pagefind")
    assert streamed == whole
    assert files(output / "pagefind") == files(folder / "pagefind")
    assert json.loads((output / "pagefind/pagefind-entry.json").read_bytes())[
        "languages"]["id"]["page_count"] == 5
    assert len(streamed) == 5
    assert any("zirkonium" in content for content, *_ in streamed.values())


def test_a_build_that_changes_no_post_page_does_not_start_pagefind(
        tiny_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "public"
    build(tiny_site, output, offline=True, now=NOW)
    log = logged_pagefind(tmp_path, monkeypatch)
    tiny_site.write_text(tiny_site.read_text() + "portal:\n  active_days: 1\n")
    report = build(tiny_site, output, offline=True, now=NOW)
    assert report.rewritten > 0
    assert starts(log) == []
    assert len(indexed(output / "pagefind")) == 5


def test_a_ci_run_with_the_bundle_kept_does_not_start_pagefind(
        tiny_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "public"
    build(tiny_site, output, offline=True, now=NOW)
    before = indexed(output / "pagefind")
    shutil.rmtree(output)
    log = logged_pagefind(tmp_path, monkeypatch)
    build(tiny_site, output, offline=True, now=NOW)
    assert starts(log) == []
    assert indexed(output / "pagefind") == before


DYING_SERVICE = """
import os, subprocess, sys
service = subprocess.Popen([sys.argv[1], "--service"], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE)
requests = b""
for answered in range(2):
    while requests.count(b",") <= answered:
        requests += os.read(0, 65536)
    service.stdin.write(requests.split(b",")[answered] + b",")
    service.stdin.flush()
    answer = b""
    while not answer.endswith(b","):
        answer += os.read(service.stdout.fileno(), 1)
    os.write(1, answer)
service.kill()
sys.exit(3)
"""
"""Pagefind's service answering the new index and the first page given, then gone."""


def test_a_ci_run_with_a_post_changed_since_feeds_pagefind_while_writing(
        tiny_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "public"
    build(tiny_site, output, offline=True, now=NOW)
    shutil.rmtree(output)
    edit(tiny_site, "Kata baru: zirkonium.")
    log = logged_pagefind(tmp_path, monkeypatch)
    report = build(tiny_site, output, offline=True, now=NOW)
    assert report.warnings == ()
    assert starts(log) == ["--service"]
    pages = indexed(output / "pagefind")
    assert len(pages) == 5
    assert any("zirkonium" in content for content, *_ in pages.values())


@pytest.mark.parametrize("failure", ["never starts", "ends while pages are given"])
def test_a_failing_service_leaves_the_folder_to_index(
        tiny_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        failure: str) -> None:
    output = tmp_path / "public"
    build(tiny_site, output, offline=True, now=NOW)
    dying = tmp_path / "dying.py"
    dying.write_text(DYING_SERVICE)
    instead = "exit 3" if failure == "never starts" else \
        f'exec "{sys.executable}" "{dying}" "$REAL"'
    log = logged_pagefind(tmp_path, monkeypatch,
                          before=f'if [ "$1" = --service ]; then {instead}; fi\n')
    edit(tiny_site, "Kata baru: zirkonium.")
    report = build(tiny_site, output, offline=True, now=NOW)
    assert report.warnings == ()
    assert starts(log) == ["--service", "--site"]
    pages = indexed(output / "pagefind")
    assert len(pages) == 5
    assert any("zirkonium" in content for content, *_ in pages.values())


def test_a_service_still_at_work_past_its_deadline_is_stopped(tmp_path: Path) -> None:
    silent = tmp_path / "silent-pagefind"
    silent.write_text("#!/bin/sh\nexec sleep 30\n")
    silent.chmod(silent.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(ServiceFailed):
        PagefindService(silent, "id", timeout=0.5)


KILLED_BUILD = """
import sys, time
from generator.search import pagefind_binary
from generator.search_service import PagefindService
service = PagefindService(pagefind_binary(), "id")
for number in range(50):
    service.add(f"guru/sari/{number}/index.html",
                b"<article data-pagefind-body>Persamaan kuadrat</article>" * 200)
print(service._process.pid, flush=True)
time.sleep(60)
"""


def test_the_service_ends_with_a_build_killed_while_it_works(tmp_path: Path) -> None:
    """Issue 26: nothing a killed build started lives on (test_faults.py kills a build
    while a stopped Pagefind stands for a busy one)."""
    build_process = subprocess.Popen([sys.executable, "-c", KILLED_BUILD],
                                     stdout=subprocess.PIPE, text=True)
    assert build_process.stdout is not None
    service = int(build_process.stdout.readline())
    build_process.kill()
    build_process.wait()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{service}").exists() and \
            "zombie" not in Path(f"/proc/{service}/status").read_text().lower() and \
            time.monotonic() < deadline:
        time.sleep(0.05)
    status = Path(f"/proc/{service}/status")
    assert not status.exists() or "zombie" in status.read_text().lower()
