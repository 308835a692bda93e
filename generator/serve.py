"""`mading serve`: build, serve the output on localhost, rebuild when an input changes.

The standard library's HTTP server is enough for one person previewing a portal. Changes
are found by polling modification times, which needs no extra dependency and behaves the
same on every OS. Pages are served with a small script added on the fly (never written to
the output) that reloads them after each rebuild and shows the build's problems in the
page itself; the rest of the site keeps being served while a post has a mistake.
"""

from __future__ import annotations

import functools
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from generator.build import build
from generator.collect import Readings
from generator.errors import MadingError
from generator.i18n import DEFAULT_LANGUAGE, Translator
from generator.incremental.files import FileState, state_of_path
from generator.theme import theme_dir

POLL_SECONDS = 0.1
STATUS_WAIT = 20.0
"""Seconds a page's question "is there a newer build?" is held open before the answer
"no"."""
RELOAD_SCRIPT = Path(__file__).with_name("serve_reload.js")
RELOAD_TAG = b'<script src="/__mading/reload.js" defer></script>'


def watched_files(config_file: Path) -> Iterator[Path]:
    """site.yml, koreksi.yml (present or not), everything under content/, feeds/ and img/,
    and the theme."""
    yield config_file
    root = config_file.resolve().parent
    yield root / "koreksi.yml"
    for folder in (root / "content", root / "feeds", root / "img", theme_dir()):
        if folder.is_dir():
            yield from (p for p in folder.rglob("*") if p.is_file())


def snapshot(config_file: Path) -> dict[Path, FileState]:
    """Each watched file's (size, mtime, inode): a file created empty and written within
    one tick of the file system's clock keeps its mtime, not its size."""
    state = {}
    for path in watched_files(config_file):
        found = state_of_path(path)
        if found is not None:
            state[path] = found
    return state


@dataclass
class BuildState:
    """What the page script asks for: which build is current, and its problems."""

    version: int = 0
    problems: list[str] = field(default_factory=list)
    language: str = DEFAULT_LANGUAGE
    lock: threading.Condition = field(default_factory=threading.Condition)
    """Held to read or change the state; notified at each build."""
    readings: Readings = field(default_factory=Readings)
    """What the posts' texts said, kept from build to build: most are the same."""

    def as_json(self, past: int | None = None) -> bytes:
        """The state; with `past`, once the build is another than that version (or after
        `STATUS_WAIT` seconds): the page asks again at once, so it reloads as soon as a
        build is done, not at its next poll."""
        with self.lock:
            if past is not None:
                self.lock.wait_for(lambda: self.version != past, timeout=STATUS_WAIT)
            return json.dumps({"version": self.version, "problems": self.problems}).encode()


def rebuild(config_file: Path, output: Path, offline: bool, state: BuildState,
            reindex: bool, url: str | None = None) -> None:
    """Build once; problems are printed and handed to the pages, never raised.

    `url` is the address the portal is served at: a preview's feeds, share links and
    404 page point there, whatever site.yml's `url:` says, on CI or not (issue 21).
    """
    started = time.monotonic()
    try:
        report = build(config_file, output, offline=offline, reindex=reindex, url=url,
                       readings=state.readings)
        messages = [str(m) for m in (*report.warnings, *report.problems)]
        language = report.language
        done = Translator(language)("cli.rebuilt", pages=report.pages, posts=report.posts,
                                    seconds=f"{time.monotonic() - started:.2f}")
    except MadingError as exc:
        # A mistake in the input, an archive locked by another command (or damaged), a
        # full disk: shown, the last build stays served, the next save builds (issue 8).
        messages = [str(problem) for problem in exc.problems_in(Translator(state.language))]
        language, done = state.language, ""
    for message in messages:
        print(message, flush=True)
    if done:
        print(done, flush=True)
    with state.lock:
        state.version += 1
        state.problems = messages
        state.language = language
        state.lock.notify_all()


class _Handler(SimpleHTTPRequestHandler):
    """Serves the output, the reload script and the build state; adds the script to pages."""

    state: BuildState

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/__mading/status"):
            since = parse_qs(urlsplit(self.path).query).get("since", [""])[0]
            past = int(since) if since.lstrip("-").isdigit() else None
            self._send(self.state.as_json(past), "application/json")
        elif self.path.startswith("/__mading/reload.js"):
            self._send(RELOAD_SCRIPT.read_bytes(), "text/javascript")
        else:
            target = Path(self.translate_path(self.path))
            if target.is_dir():
                target = target / "index.html"
            if target.suffix == ".html" and target.is_file():
                page = target.read_bytes()
                self._send(page.replace(b"</body>", RELOAD_TAG + b"</body>", 1),
                           "text/html; charset=utf-8")
            else:
                super().do_GET()

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """A missing page gets the portal's own 404.html with status 404, as GitHub
        Pages and Netlify answer, not Python's English error page (issue 21)."""
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes().replace(b"</body>", RELOAD_TAG + b"</body>", 1)
        self._send(body, "text/html; charset=utf-8", HTTPStatus.NOT_FOUND)

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        """A folder without index.html is not a page, as on a static host."""
        self.send_error(HTTPStatus.NOT_FOUND)

    def _send(self, body: bytes, content_type: str, status: int = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def portal_server(output: Path, port: int, state: BuildState) -> ThreadingHTTPServer:
    """A server for `output` on 127.0.0.1 (`port` 0: any free one), not yet started: pages
    with the reload script, a missing page answered with the portal's 404.html."""

    # The handler takes the folder by name, so each request sees the latest swapped-in build.
    class Handler(_Handler):
        pass

    Handler.state = state
    return ThreadingHTTPServer(("127.0.0.1", port),
                               functools.partial(Handler, directory=str(output.resolve())))


def serve(config_file: Path, output: Path, port: int, offline: bool = False) -> int:
    """Serve until interrupted; returns the exit code."""
    state = BuildState()
    # Bound before the first build, so that the build knows the address it is served at.
    server = portal_server(output, port, state)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    # Taken before the first build: a save made while it builds, or as soon as the
    # portal answers, is then a change to build, not part of what was already built.
    seen = snapshot(config_file)
    rebuild(config_file, output, offline, state, reindex=True, url=url)
    output.mkdir(parents=True, exist_ok=True)
    _ = Translator(state.language)
    print(_("cli.serving", url=url), flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        while True:
            time.sleep(POLL_SECONDS)
            current = snapshot(config_file)
            if current != seen:
                seen = current
                # Quick rebuilds keep the search index of the first build.
                rebuild(config_file, output, offline, state, reindex=False, url=url)
    except KeyboardInterrupt:
        server.shutdown()
    return 0
