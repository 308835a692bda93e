"""The search index made while the pages are written: Pagefind's `--service` mode, fed each
post page as the build stages it (issue 23).

Indexing the finished folder afterwards (`search.index_site`) made a school's edit wait
for Pagefind to read and index every post page after everything else was done: about
half of its 1.3 s on 1,160 posts, the other half being the writing of the index. Fed
page by page while the build renders and writes, Pagefind reads and indexes on the
other core, and only the writing is left at the end. The index is the same: the same
pages, language and URLs (`--keep-index-url`), as the tests compare.

Only a site whose index is one bundle is indexed so (a school): Pagefind holds every page
it was given in memory until it writes, and a district's parts are indexed one after the
other to bound that (`search.plan_parts`).

The service is spoken to directly rather than through Pagefind's async Python API, whose
waits have no deadline (docs/decisions.md): a thread writes the requests, so the build
never waits on a full pipe; another reads the answers; every wait has a deadline; and
whatever goes wrong, the process is killed and the build indexes the folder as before.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from generator.children import child_setup
from generator.layout import is_post_page
from generator.models import OutputFile
from generator.search import TIMEOUT, pagefind_binary

_STOP = None
"""Put in the request queue: the writing thread closes Pagefind's input and ends."""


class ServiceFailed(Exception):
    """Pagefind's service is gone, answered an error, or took too long."""


class PagefindService:
    """One Pagefind `--service` process holding one index of the site's language."""

    def __init__(self, binary: Path, language: str, timeout: float = TIMEOUT) -> None:
        self._process = subprocess.Popen(
            [str(binary), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, preexec_fn=child_setup())
        self._requests: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._answers: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        self._sent = 0
        self._answered = 0
        self._writer = threading.Thread(target=self._write_requests, daemon=True)
        self._reader = threading.Thread(target=self._read_answers, daemon=True)
        self._writer.start()
        self._reader.start()
        self._send({"type": "NewIndex", "config": {
            "force_language": language, "keep_index_url": True}})
        try:
            self._index = int(self._answer(timeout)["index_id"])
        except (ServiceFailed, KeyError, TypeError, ValueError):
            self.close()
            raise ServiceFailed("start") from None

    def add(self, path: str, html: bytes) -> None:
        """Give Pagefind the page at `path` (relative to the site's root); answered later."""
        self._send({"type": "AddFile", "index_id": self._index, "file_path": path,
                    "url": None, "file_contents": html.decode("utf-8", "replace")})

    def write(self, folder: Path, timeout: float = TIMEOUT) -> None:
        """Write the index of every page given into `folder`.

        The files are asked for (`GetFiles`) and written here: Pagefind's own writing
        (`WriteFiles`) answers before its last files are on disk, and does not always put
        them there before it ends (seen: an empty `pagefind-entry.json` 3 times in 40,
        an empty file 1 time in 100 even after waiting for it to end).

        Raises:
            ServiceFailed: Pagefind failed or is still at it after `timeout` seconds, or a
                file it gave would be written outside `folder`.
        """
        self._send({"type": "GetFiles", "index_id": self._index})
        deadline = time.monotonic() + timeout
        while True:
            answer = self._answer(deadline - time.monotonic())
            if self._answered == self._sent:
                break
        files = answer.get("files")
        if not isinstance(files, list) or not any(
                isinstance(file, dict) and file.get("path") == "pagefind.js" for file in files):
            raise ServiceFailed("pagefind.js")
        try:
            for file in files:
                target = folder / str(file["path"])
                if ".." in Path(file["path"]).parts or not target.is_relative_to(folder):
                    raise ServiceFailed(str(file["path"]))
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(base64.b64decode(file["content"]))
        except (KeyError, TypeError, ValueError, OSError) as exc:
            raise ServiceFailed(str(exc)) from None

    def close(self) -> None:
        """End the process, at once: whatever it still had to do is not needed."""
        self._requests.put(_STOP)
        self._process.kill()
        self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()

    def _send(self, payload: dict[str, Any]) -> None:
        self._sent += 1
        message = {"message_id": self._sent, "payload": payload}
        self._requests.put(base64.b64encode(json.dumps(message).encode()) + b",")

    def _answer(self, timeout: float) -> dict[str, Any]:
        try:
            answer = self._answers.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            raise ServiceFailed("timeout") from None
        if answer is None:
            raise ServiceFailed("ended")
        self._answered += 1
        payload: dict[str, Any] = answer.get("payload") or {}
        if payload.get("type") == "Error":
            raise ServiceFailed(str(payload.get("message")))
        return payload

    def _write_requests(self) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            while (request := self._requests.get()) is not _STOP:
                stdin.write(request)
                if self._requests.empty():
                    stdin.flush()
        except (OSError, ValueError):
            pass  # Pagefind is gone: the reader says so
        finally:
            with contextlib.suppress(OSError):
                stdin.close()

    def _read_answers(self) -> None:
        stdout = self._process.stdout
        assert stdout is not None
        pending: list[bytes] = []  # the answer being read, in chunks: the index is MBs
        try:
            while chunk := os.read(stdout.fileno(), 1 << 20):
                if b"," not in chunk:
                    pending.append(chunk)
                    continue
                first, *answers, rest = chunk.split(b",")
                for answer in (b"".join([*pending, first]), *answers):
                    self._answers.put(json.loads(base64.b64decode(answer)))
                pending = [rest]
        except (OSError, ValueError):
            pass
        self._answers.put(None)


class IndexWhileWriting:
    """The post pages of a build passed to Pagefind as they go by to the output.

    Pagefind is started at the first post page that is neither the last build's
    (`last_builds` says which are, of those not linked) nor as the previous output
    (`previous`) has it: a build that changes no post page keeps the index it has, or
    gets it from the cache, and never runs Pagefind. The pages before that one are given
    then.
    """

    def __init__(self, language: str, previous: Path,
                 last_builds: Callable[[str], bool]) -> None:
        self._language = language
        self._previous = previous
        self._last_builds = last_builds
        self._waiting: list[OutputFile] = []
        self._service: PagefindService | None = None
        self._failed = False

    def passing(self, files: Iterable[OutputFile]) -> Iterator[OutputFile]:
        """`files`, passed on as they come, each post page given to Pagefind on the way."""
        for file in files:
            if is_post_page(file.path) and not self._failed:
                self._give(file)
            yield file

    def write(self, folder: Path) -> bool:
        """Write the index of the pages given into `folder`; False when Pagefind was not
        started, or failed (the folder is then for `search.index_site` to write)."""
        if self._service is None or self._failed:
            return False
        # Pagefind writes over what is there, and a file there may be a link to the
        # previous output's: the folder is made anew.
        shutil.rmtree(folder, ignore_errors=True)
        try:
            self._service.write(folder)
            return True
        except ServiceFailed:
            self._failed = True
            return False

    def close(self) -> None:
        if self._service is not None:
            self._service.close()
            self._service = None

    def _give(self, file: OutputFile) -> None:
        if self._service is None:
            if file.unchanged or self._last_builds(file.path) or self._as_before(file):
                self._waiting.append(file)
                return
            binary = pagefind_binary()
            try:
                if binary is None:
                    raise ServiceFailed("missing")
                self._service = PagefindService(binary, self._language)
            except (OSError, ServiceFailed):
                self._failed = True
                return
            waiting, self._waiting = self._waiting, []
            for page in waiting:
                self._add(page)
        self._add(file)

    def _as_before(self, file: OutputFile) -> bool:
        """Whether `file` has the bytes of the previous output's file at its path (a page
        rendered again because the site changed, and showing the same)."""
        try:
            return file.content == (self._previous / file.path).read_bytes()
        except OSError:
            return False

    def _add(self, file: OutputFile) -> None:
        assert self._service is not None
        try:
            content = file.content if file.content is not None else \
                file.source.read_bytes() if file.source is not None else b""
        except OSError:
            self._failed = True
            return
        self._service.add(file.path, content)
