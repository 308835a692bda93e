"""`mading serve`: build, serve the output on localhost, rebuild when an input changes.

The standard library's HTTP server is enough for one person previewing a portal. Changes
are found by polling modification times, which needs no extra dependency and behaves the
same on every OS. Pages are served with a small script added on the fly (never written to
the output) that reloads them after each rebuild and shows the build's problems in the
page itself; the rest of the site keeps being served while a post has a mistake.

A saved post is shown first (generator/serve_first.py): its own pages are made at once
and served from memory, the open page reloads, and the full build runs in a thread of
its own; once it is swapped in, its output is served alone and the page reloads again
(issue 23). The pages are not written into the output: the build that follows must find
them changed, to index them for search, and must not have them overwritten as it swaps.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from generator.build import Gathered, build
from generator.collect import Readings
from generator.errors import MadingError, display_path
from generator.i18n import DEFAULT_LANGUAGE, Translator
from generator.incremental.files import FileState, state_of_path
from generator.models import OutputFile
from generator.serve_first import Held, saved_post_files
from generator.theme import theme_dir

POLL_SECONDS = 0.1
STATUS_WAIT = 20.0
"""Seconds a page's question "is there a newer build?" is held open before the answer
"no"."""
RELOAD_SCRIPT = Path(__file__).with_name("serve_reload.js")
RELOAD_TAG = b'<script src="/__mading/reload.js" data-page="STAMP" defer></script>'
"""Added to every page served, with the page's stamp (`page_stamp`)."""


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


def changed_files(before: dict[Path, FileState], after: dict[Path, FileState]) -> set[Path]:
    """The watched files created, changed or removed between two snapshots."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


@dataclass
class BuildState:
    """What the page script asks for: which build is current, and its problems; and what
    serve shows of the saves the builds have not caught up with."""

    version: int = 0
    problems: list[tuple[str | None, str]] = field(default_factory=list)
    """(the file it is about, if any; the message) of each problem shown."""
    language: str = DEFAULT_LANGUAGE
    lock: threading.Condition = field(default_factory=threading.Condition)
    """Held to read or change the state; notified at each build."""
    readings: Readings = field(default_factory=Readings)
    """What the posts' texts said, kept from build to build: most are the same."""
    held: Held | None = None
    """The portal saved posts are shown first on (generator/serve_first.py)."""
    first: dict[str, tuple[int, OutputFile]] = field(default_factory=dict)
    """Files shown first, served in place of the output's, by path: each with the save
    it shows, until a full build that took that save in is swapped in."""

    def after(self, past: int | None = None) -> tuple[int, list[str]]:
        """The version and the problems' messages; with `past`, once the build is another
        than that version (or after `STATUS_WAIT` seconds): the page asks again at once,
        so it reloads as soon as a build is done, not at its next poll."""
        with self.lock:
            if past is not None:
                self.lock.wait_for(lambda: self.version != past, timeout=STATUS_WAIT)
            return self.version, [message for _file, message in self.problems]

    def shown_first(self, path: str) -> OutputFile | None:
        """The file shown first at `path` (relative to the output), if any."""
        with self.lock:
            found = self.first.get(path)
        return found[1] if found is not None else None


def rebuild(config_file: Path, output: Path, offline: bool, state: BuildState,
            url: str | None = None, generation: int = 0) -> None:
    """Build once, taking in the saves up to `generation`; problems are printed and
    handed to the pages, never raised.

    `url` is the address the portal is served at: a preview's feeds, share links and
    404 page point there, whatever site.yml's `url:` says, on CI or not (issue 21).
    """
    started = time.monotonic()
    gathered: list[Gathered] = []
    try:
        report = build(config_file, output, offline=offline, url=url,
                       readings=state.readings, on_gathered=gathered.append)
        problems: list[tuple[str | None, str]] = [
            *((None, warning) for warning in report.warnings),
            *((problem.where, str(problem)) for problem in report.problems)]
        language = report.language
        done = Translator(language)("cli.rebuilt", pages=report.pages, posts=report.posts,
                                    seconds=f"{time.monotonic() - started:.2f}")
    except MadingError as exc:
        # A mistake in the input, an archive locked by another command (or damaged), a
        # full disk: shown, the last build stays served, the next save builds (issue 8).
        problems = [(problem.where, str(problem))
                    for problem in exc.problems_in(Translator(state.language))]
        language, done = state.language, ""
    for _file, message in problems:
        print(message, flush=True)
    if done:
        print(done, flush=True)
    with state.lock:
        if done:
            # Swapped in: what was shown first of the saves it took in is in the output.
            state.first = {path: shown for path, shown in state.first.items()
                           if shown[0] > generation}
            if gathered and (state.held is None or state.held.generation <= generation):
                state.held = Held(gathered[0].portal, gathered[0].pictures, generation)
        state.version += 1
        state.problems = problems
        state.language = language
        state.lock.notify_all()


def show_first(state: BuildState, saved: set[Path], generation: int) -> None:
    """Show the saved posts' own pages at once, if the save is one that can be
    (generator/serve_first.py): the page reloads, and the full build follows."""
    held = state.held
    if held is None:
        return
    started = time.monotonic()
    made = saved_post_files(held, saved, generation, datetime.now(UTC))
    if made is None:
        return
    held, files = made
    shown = {display_path(path) for path in saved}
    with state.lock:
        state.held = held
        state.first.update((file.path, (generation, file)) for file in files)
        # The saved files read well now: their problems of the last build are gone.
        state.problems = [(where, message) for where, message in state.problems
                          if where not in shown]
        state.version += 1
        state.lock.notify_all()
        language = state.language
    pages = ", ".join(file.path for file in files if file.path.endswith(".html"))
    print(Translator(language)("cli.shown_first", pages=pages,
                               seconds=f"{time.monotonic() - started:.2f}"), flush=True)


class Rebuilds:
    """Full builds, one at a time, in a thread of their own: saves made while one runs
    are shown first all the same, and built together after it."""

    def __init__(self, build_up_to: Callable[[int], None]) -> None:
        self._build_up_to = build_up_to
        self._asked = self._built = 0
        self._failed: BaseException | None = None
        self._changed = threading.Condition()
        threading.Thread(target=self._run, daemon=True).start()

    def ask(self, generation: int) -> None:
        """Build, taking in the saves up to `generation`."""
        with self._changed:
            self._asked = generation
            self._changed.notify_all()

    def check(self) -> None:
        """Raise what ended the builds' thread, if anything did: a bug, not a mistake in
        the input (those are shown and served around), stops serve as it always has."""
        if self._failed is not None:
            raise self._failed

    def _run(self) -> None:
        try:
            while True:
                with self._changed:
                    self._changed.wait_for(lambda: self._asked > self._built)
                    generation = self._asked
                self._build_up_to(generation)
                with self._changed:
                    self._built = generation
        except BaseException as exc:
            self._failed = exc


class _Handler(SimpleHTTPRequestHandler):
    """Serves the output (and the files shown first), the reload script and the build
    state; adds the script to pages, with the stamp of the page it is added to."""

    state: BuildState

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/__mading/status"):
            query = parse_qs(urlsplit(self.path).query)
            since = query.get("since", [""])[0]
            version, problems = self.state.after(
                int(since) if since.lstrip("-").isdigit() else None)
            # Stamped after the wait: the page as it is once that build is done.
            address = query.get("page", [""])[0]
            page = self._page(address) if address.startswith("/") else None
            self._send(json.dumps({"version": version, "problems": problems,
                                   "page": "" if page is None else page_stamp(page)
                                   }).encode(), "application/json")
        elif self.path.startswith("/__mading/reload.js"):
            self._send(RELOAD_SCRIPT.read_bytes(), "text/javascript")
        else:
            page = self._page(self.path)
            if page is not None:
                self._send_page(page, page_stamp(page))
            elif (first := self.state.shown_first(self._output_path(self.path))) is not None:
                self._send(_bytes_of(first), self.guess_type(first.path))
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
        # Stamped as no page: the address has none, until a build makes one.
        self._send_page(page.read_bytes(), "", HTTPStatus.NOT_FOUND)

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        """A folder without index.html is not a page, as on a static host."""
        self.send_error(HTTPStatus.NOT_FOUND)

    def _output_path(self, address: str) -> str:
        """The path in the output (relative) of the file an address names; a folder's is
        its index.html, even before the folder is written."""
        target = Path(self.translate_path(address))
        if target.is_dir() or urlsplit(address).path.endswith("/"):
            target = target / "index.html"
        root = Path(self.directory)
        return target.relative_to(root).as_posix() if target.is_relative_to(root) else ""

    def _page(self, address: str) -> bytes | None:
        """The HTML page served at `address`, shown first or in the output; None if
        there is none (the 404 page is served there)."""
        path = self._output_path(address)
        if not path.endswith(".html"):
            return None
        first = self.state.shown_first(path)
        if first is not None:
            return _bytes_of(first)
        try:
            return (Path(self.directory) / path).read_bytes()
        except OSError:  # missing, a folder: no page
            return None

    def _send_page(self, page: bytes, stamp: str, status: int = HTTPStatus.OK) -> None:
        tag = RELOAD_TAG.replace(b"STAMP", stamp.encode())
        self._send(page.replace(b"</body>", tag + b"</body>", 1), "text/html; charset=utf-8",
                   status)

    def _send(self, body: bytes, content_type: str, status: int = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def page_stamp(page: bytes) -> str:
    """What tells two versions of a page apart: the open page reloads only if the page
    now served at its address has another stamp ("" where there is none)."""
    return hashlib.blake2b(page, digest_size=8).hexdigest()


def _bytes_of(file: OutputFile) -> bytes:
    return file.content or b"" if file.source is None else file.source.read_bytes()


class _PortalServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A page that went away before its answer is no error to print: one that
        reloads leaves its status question held open (`STATUS_WAIT`), answered later."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def portal_server(output: Path, port: int, state: BuildState) -> ThreadingHTTPServer:
    """A server for `output` on 127.0.0.1 (`port` 0: any free one), not yet started: pages
    with the reload script, a missing page answered with the portal's 404.html."""

    # The handler takes the folder by name, so each request sees the latest swapped-in build.
    class Handler(_Handler):
        pass

    Handler.state = state
    return _PortalServer(("127.0.0.1", port),
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
    rebuild(config_file, output, offline, state, url)
    output.mkdir(parents=True, exist_ok=True)
    _ = Translator(state.language)
    print(_("cli.serving", url=url), flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rebuilds = Rebuilds(functools.partial(rebuild, config_file, output, offline, state, url))
    saves = 0
    try:
        while True:
            time.sleep(POLL_SECONDS)
            rebuilds.check()
            current = snapshot(config_file)
            if current != seen:
                saved, seen = changed_files(seen, current), current
                saves += 1
                show_first(state, saved, saves)
                rebuilds.ask(saves)
    except KeyboardInterrupt:
        server.shutdown()
    return 0
