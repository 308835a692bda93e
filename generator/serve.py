"""`mading serve`: build, serve the output on localhost, rebuild when an input changes.

The standard library's HTTP server is enough for one person previewing a school portal;
changes are found by polling modification times once a second, which needs no extra
dependency and behaves the same on every OS.
"""

from __future__ import annotations

import functools
import sys
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from generator.build import build
from generator.errors import InputError
from generator.i18n import DEFAULT_LANGUAGE, Translator
from generator.render import theme_dir

POLL_SECONDS = 1.0


def watched_files(config_file: Path) -> Iterator[Path]:
    """site.yml, everything under content/ and feeds/, and the theme."""
    yield config_file
    root = config_file.resolve().parent
    for folder in (root / "content", root / "feeds", root / "img", theme_dir()):
        if folder.is_dir():
            yield from (p for p in folder.rglob("*") if p.is_file())


def snapshot(config_file: Path) -> dict[Path, float]:
    state = {}
    for path in watched_files(config_file):
        try:
            state[path] = path.stat().st_mtime
        except OSError:
            continue
    return state


def rebuild(config_file: Path, output: Path, offline: bool) -> str:
    """Build once, printing problems instead of stopping the server; returns the language."""
    try:
        report = build(config_file, output, offline=offline)
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return DEFAULT_LANGUAGE
    for message in (*report.warnings, *report.problems):
        print(message, file=sys.stderr)
    print(Translator(report.language)("cli.built", pages=report.pages, posts=report.posts,
                                      output=output), flush=True)
    return report.language


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(config_file: Path, output: Path, port: int, offline: bool = False) -> int:
    """Serve until interrupted; returns the exit code."""
    language = rebuild(config_file, output, offline)
    output.mkdir(parents=True, exist_ok=True)
    # The handler takes the folder by name, so each request sees the latest swapped-in build.
    handler = functools.partial(_QuietHandler, directory=str(output.resolve()))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    _ = Translator(language)
    print(_("cli.serving", url=f"http://127.0.0.1:{server.server_address[1]}/"), flush=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state = snapshot(config_file)
    try:
        while True:
            time.sleep(POLL_SECONDS)
            current = snapshot(config_file)
            if current != state:
                state = current
                rebuild(config_file, output, offline)
    except KeyboardInterrupt:
        server.shutdown()
    return 0
