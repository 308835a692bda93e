"""Whether the previous build's output is still what a build would write now.

Checked before any post is read: for a district (90,000 posts, 200,000 files), loading
every post and hashing every page only to find each one as it was takes minutes. The
output is current when

- the inputs are as they were (`input_digest`): the code and theme, `site.yml`, every file
  under `content/`, every photo and feed file (by size, time and inode), the archive's
  revision and what the pages may show of each feed's status;
- the clock has not gone back, nor passed the first due date after the last build
  (`Snapshot.horizon`: that assignment would move from "upcoming" to "past", or a past
  one would leave the calendars, `clock.next_change`), nor reached the time of the
  first scheduled post (`Snapshot.scheduled`: it would appear);
- every time-dependent value a page showed (`3 hari lagi`, the "active" badge) reads the
  same now: the pages' recorded calls, replayed by the caller;
- the output folder holds exactly the files the last build left there, untouched: the
  state of each file and folder it listed is as it was (`stat_listed`; the search index
  by its folders, see `walk_files`).

Anything else, and the build runs as usual (itself incremental, page by page).
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from stat import S_ISDIR
from typing import Any

from generator.cache import code_fingerprint
from generator.errors import Problem
from generator.models import FeedFile, FeedStatus, Site

FileState = tuple[int, int, int]
"""(size, mtime_ns, inode) of a file."""


@dataclass(frozen=True)
class Snapshot:
    """What a complete build left for the next one to decide by."""

    inputs: str
    """`input_digest` as the build saw it."""
    generated: datetime
    """The build's clock."""
    horizon: datetime | None
    """When the pages' assignments would next move (`clock.next_change`), if ever."""
    last_posts: dict[str, datetime]
    """Each teacher's newest post: what the "active" badges and teacher lists replay."""
    problems: tuple[Problem, ...]
    """The content problems the build reported: a current output reports them again."""
    posts: int
    calls: tuple[tuple[str, str, str], ...] = ()
    """The distinct time-dependent values the pages showed, (name, argument, result):
    a district's 240,000 pages show some 30,000, replayed once each."""
    output: str = ""
    """`listing_digest` of the output's files and folders as the build left them."""
    pages: int = 0
    """Files the build wrote, the search index aside."""
    scheduled: datetime | None = None
    """The time of the first Markdown post dated after `generated`, if any: the build left
    it out, and the one from that time on must show it (issue 26)."""

    def holds_at(self, now: datetime) -> bool:
        return self.generated <= now and (self.horizon is None or now <= self.horizon) and \
            (self.scheduled is None or now < self.scheduled)

    def dumps(self) -> str:
        return json.dumps({
            "inputs": self.inputs, "generated": self.generated.isoformat(),
            "horizon": self.horizon.isoformat() if self.horizon else None,
            "last_posts": {slug: value.isoformat() for slug, value in self.last_posts.items()},
            "problems": [[p.where, p.message, p.line] for p in self.problems],
            "posts": self.posts, "calls": self.calls, "output": self.output,
            "pages": self.pages,
            "scheduled": self.scheduled.isoformat() if self.scheduled else None})

    @classmethod
    def loads(cls, text: str) -> Snapshot:
        data: dict[str, Any] = json.loads(text)
        return cls(
            inputs=data["inputs"], generated=datetime.fromisoformat(data["generated"]),
            horizon=datetime.fromisoformat(data["horizon"]) if data["horizon"] else None,
            last_posts={slug: datetime.fromisoformat(value)
                        for slug, value in data["last_posts"].items()},
            problems=tuple(Problem(where, message, line)
                           for where, message, line in data["problems"]),
            posts=int(data["posts"]),
            calls=tuple((str(name), str(argument), str(result))
                        for name, argument, result in data["calls"]),
            output=str(data["output"]), pages=int(data["pages"]),
            scheduled=datetime.fromisoformat(data["scheduled"]) if data.get("scheduled")
            else None)


def input_digest(site: Site, revision: int, statuses: Iterable[FeedStatus],
                 teacher: str | None) -> str:
    """A hash of everything a build reads except the clock and the output folder.

    Files count by size, modification time and inode, as for rsync's quick check: a
    teacher's save, a `git pull` or a copied file changes at least one of them. `teacher`
    is the micro-site being built (`--teacher`), if any.
    """
    digest = hashlib.sha256(f"{code_fingerprint()}\0{teacher}\0{revision}\0".encode())
    digest.update(site.config_file.read_bytes())
    digest.update(f"{site.school.url}\0".encode())  # `--url` is not in site.yml
    for status in statuses:
        # What pages show of a feed; not the fetch's bookkeeping (see clock.shown).
        digest.update(repr((status.teacher, status.source, status.home_page, status.feed_url,
                            status.title, status.error)).encode())
    extra = [site.corrections_file]  # koreksi.yml (issue 20), present or not
    extra += [t.photo for t in site.teachers if t.photo is not None]
    # Pictures fetched since (issue 27) change post pages without changing the archive.
    extra.append(site.images_dir / "index.sqlite")
    extra += [site.root / t.blog.path for t in site.teachers if isinstance(t.blog, FeedFile)]
    for path in sorted(set(extra)):
        digest.update(f"{path}\0{_state(path)}\0".encode())
    for relative, state in sorted(files_in(site.content_dir, follow=True).items()):
        digest.update(f"{relative}\0{state}\0".encode())
    return digest.hexdigest()


def listing_digest(files: Iterable[tuple[str, FileState]]) -> str:
    """A hash of a listing of files and folders (`walk_files`, `stat_listed`), in its
    order."""
    listing = Listing(keep_paths=False)
    for _ in listing.noted(files):
        pass
    return listing.digest()


class Listing:
    """A listing of the output (`walk_files`) noted as it goes by: its `listing_digest`
    and its paths, compressed, as `BuildCache.listed` gives them back. The end of a
    district's build passes 550,000 files and folders to the cache; held whole as well,
    they took 120 MB at its peak."""

    BATCH = 4096

    def __init__(self, keep_paths: bool = True) -> None:
        self._digest = hashlib.sha256()
        self._records: list[str] = []
        self._paths: list[str] = []
        """The batch's paths, when they are kept (`listing_digest` needs none)."""
        self._compressor = zlib.compressobj(1) if keep_paths else None
        self._compressed: list[bytes] = []
        self.complete = False
        """Whether every file was noted: a walk cut short lists only part of the output."""

    def noted(self, files: Iterable[tuple[str, FileState]]) -> Iterator[tuple[str, FileState]]:
        """`files`, each passed on once noted."""
        keep_paths = self._compressor is not None
        for path, state in files:
            size, mtime, inode = state
            self._records.append(f"{path}\0{size}\0{mtime}\0{inode}\n")
            if keep_paths:
                self._paths.append(path)
            if len(self._records) == self.BATCH:
                self._note_batch()
            yield path, state
        self._note_batch()
        self.complete = True

    def digest(self) -> str:
        return self._digest.hexdigest()

    def paths(self) -> bytes:
        """The paths noted, joined by NUL and compressed; the listing ends with this."""
        assert self._compressor is not None, "made with keep_paths=False"
        return b"".join(self._compressed) + self._compressor.flush()

    def _note_batch(self) -> None:
        self._digest.update("".join(self._records).encode())
        if self._compressor is not None and self._paths:
            # Every batch after the first is joined to the one before by a NUL too.
            text = ("\0" if self._compressed else "") + "\0".join(self._paths)
            self._compressed.append(self._compressor.compress(text.encode()))
        self._records.clear()
        self._paths.clear()


GONE: FileState = (-3, 0, 0)
"""The state `stat_listed` gives a path that is no longer there."""


def stat_listed(folder: Path, paths: Iterable[str]) -> Iterator[tuple[str, FileState]]:
    """(path, state) of each of `paths` (relative to `folder`, as `walk_files` with
    `folders` lists them), read again one by one; `GONE` for a path that is gone.

    Listing the same folders again would find the same: a folder's modification time
    changes whenever an entry is added to it, removed or renamed, so folders whose state
    is unchanged hold the same names. Reading the states alone is about half the work of
    reading the folders (a district's 312,000 files in 244,000 folders: 1.7 s against
    3.4 s on the benchmark machine).
    """
    root = os.path.join(folder, "")
    for path in paths:
        try:
            stat = os.lstat(root + path)
        except OSError:
            yield path, GONE
            continue
        yield path, _state_of(stat)


def _state(path: Path) -> FileState | None:
    try:
        return _state_of(path.stat())
    except OSError:
        return None


def files_in(folder: Path, follow: bool = False, generated: Collection[str] = (),
             folders: bool = False) -> dict[str, FileState]:
    """{relative POSIX path: (size, mtime_ns, inode)} of every file under `folder`, as
    `walk_files` finds them."""
    return dict(walk_files(folder, follow, generated, folders))


def walk_files(folder: Path, follow: bool = False, generated: Collection[str] = (),
               folders: bool = False) -> Iterator[tuple[str, FileState]]:
    """(relative POSIX path, (size, mtime_ns, inode)) of every file under `folder`.

    `follow` reads linked files' own state (content/ may hold links; the checks of
    sources/content.py decide what they may point to); the output has none of its own.
    Inside the top-level folders named in `generated` (the search index: 170,000 files
    for a district, named by their content), only the first level's files are listed, and
    each folder below by its own state, which changes when a file is added or removed.
    With `folders`, every folder is listed too, by its own state, as `path/` (`""` for
    `folder` itself): what `stat_listed` needs to know that nothing was added.
    """
    pending = [(os.fspath(folder), "")]
    seen: set[tuple[int, int]] = set()  # folders already walked: a link may loop back
    opaque = {f"{name}/" for name in generated}
    if folders:
        try:
            yield "", _state_of(os.stat(folder, follow_symlinks=follow))
        except OSError:  # no such folder: nothing in it
            return
    while pending:
        directory, prefix = pending.pop()
        try:
            if follow:
                stat = os.stat(directory)
                if (stat.st_dev, stat.st_ino) in seen:
                    continue
                seen.add((stat.st_dev, stat.st_ino))
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=follow):
                    if prefix in opaque or folders:
                        yield (f"{prefix}{entry.name}/",
                               _state_of(entry.stat(follow_symlinks=follow)))
                    if prefix not in opaque:
                        pending.append((entry.path, f"{prefix}{entry.name}/"))
                    continue
                state = _state_of(entry.stat(follow_symlinks=follow))
            except OSError:  # a broken link: its own state, so that it counts too
                try:
                    stat = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                state = (-1, stat.st_mtime_ns, stat.st_ino)
            yield prefix + entry.name, state


def _state_of(stat: os.stat_result) -> FileState:
    """A file's (size, mtime_ns, inode); a folder's size is -2."""
    return (-2 if S_ISDIR(stat.st_mode) else stat.st_size), stat.st_mtime_ns, stat.st_ino
