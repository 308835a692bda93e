"""The build cache: what earlier builds computed, kept so the next build need not redo it.

These are kept, in one SQLite file beside the archive (`.mading/cache.sqlite`):

- **posts**: each Markdown post as read (front matter parsed, Markdown rendered and
  sanitized, its HTML compressed as the build holds it), keyed by a hash of everything
  the result depends on (the file's bytes, the files beside it, the site, and the code
  and library versions that render it);
- **pages**: for each page of an output folder, the hash of its inputs and the
  time-dependent values it showed, so an unchanged page is not rendered again
  (`generator.incremental.memos.PageCache`);
- **page_bytes** and **bundles**: the pages themselves, compressed, by key, and the
  search index's bundles (generator/incremental/kept_output.py), for a build whose
  output is gone; **compiled**: the theme's templates as Jinja compiled them;
- **builds** and **files**: the last complete build of each output folder, with the paths
  of the files and folders it left there, and the state of each, so that a build can find
  the whole output current without reading a post (generator/incremental/snapshot.py).

Unlike the archive, the cache holds nothing that cannot be computed again: a cache that
is missing, unreadable or from another version is simply started afresh, and it is a
separate file so that nothing done to it can hurt the archive (docs/decisions.md).
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.dates import in_range
from generator.models import Entry

SCHEMA = 6
_TABLES = """
CREATE TABLE posts (path TEXT PRIMARY KEY, key TEXT, entry TEXT, html BLOB);
CREATE TABLE pages (output TEXT, path TEXT, key TEXT, calls TEXT, size INTEGER,
                    mtime_ns INTEGER, inode INTEGER, PRIMARY KEY (output, path));
CREATE TABLE builds (output TEXT PRIMARY KEY, snapshot TEXT, listing BLOB);
CREATE TABLE files (output TEXT, path TEXT, size INTEGER, mtime_ns INTEGER, inode INTEGER,
                    PRIMARY KEY (output, path));
CREATE TABLE page_bytes (key TEXT PRIMARY KEY, content BLOB);
CREATE TABLE bundles (name TEXT PRIMARY KEY, digest TEXT, files BLOB);
CREATE TABLE compiled (key TEXT PRIMARY KEY, code BLOB);
"""


@dataclass(frozen=True)
class PageRecord:
    """What the last build knew about one page it wrote."""

    key: str
    calls: tuple[tuple[str, str, str], ...]
    """(function, argument, result) of every time-dependent value the page showed."""
    size: int
    mtime_ns: int
    inode: int


class BuildCache:
    """The cache file; every failure to use it degrades to "nothing cached"."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = self._open()

    def _open(self) -> sqlite3.Connection | None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = connect(self.path)
            if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA:
                return db
            db.close()
        except (sqlite3.Error, OSError):
            pass
        return self._start_afresh()

    def _start_afresh(self) -> sqlite3.Connection | None:
        """A missing, damaged or outdated cache is made again; if even that fails, none is
        used and everything is computed."""
        try:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            db = connect(self.path)
            db.executescript(_TABLES)
            db.execute(f"PRAGMA user_version={SCHEMA}")
            return db
        except (sqlite3.Error, OSError):
            return None

    def __enter__(self) -> BuildCache:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._db is not None:
            self._db.close()

    def post_keys(self) -> dict[str, str]:
        """{post file: the key it was read under} from the last build."""
        return dict(self._select("SELECT path, key FROM posts", (), tuple))

    def posts(self, paths: set[str]) -> Iterator[tuple[str, Entry]]:
        """The cached entries of `paths`, one row at a time: a district's 72,000 rows of
        JSON, held all at once, took 400 MB more than the entries made of them."""
        for path, text, html in self._rows("SELECT path, entry, html FROM posts"):
            if path in paths:
                try:
                    entry = load_entry(text, html)
                except (ValueError, TypeError, KeyError):
                    continue  # read again
                if not all(in_range(moment) for moment in (entry.published, entry.updated,
                                                           entry.due) if moment is not None):
                    continue  # cached before dates were checked (issue 26): read again
                yield path, entry

    def update_posts(self, read: Mapping[str, tuple[str, Entry]], current: set[str]) -> None:
        """Store the posts this build `read` ({path: (key, entry)}) and forget those no
        longer in `current`."""
        if self._db is None:
            return
        try:
            with self._db:
                gone = [(path,) for path in self.post_keys() if path not in current]
                self._db.executemany("DELETE FROM posts WHERE path = ?", gone)
                # A generator, not a list: a district's cold build stores 72,000 posts.
                self._db.executemany("INSERT OR REPLACE INTO posts VALUES (?, ?, ?, ?)",
                                     ((path, key, *dump_entry(entry))
                                      for path, (key, entry) in read.items()))
        except sqlite3.Error:
            self._db = self._start_afresh()

    def pages(self, output: Path) -> dict[str, PageRecord]:
        def record(row: tuple[Any, ...]) -> tuple[str, PageRecord]:
            calls = tuple(tuple(call) for call in json.loads(row[2]))
            return row[0], PageRecord(row[1], calls, row[3], row[4], row[5])
        return dict(self._select(
            "SELECT path, key, calls, size, mtime_ns, inode FROM pages WHERE output = ?",
            (str(output),), record))

    def keep_output(self, output: Path, pages: Mapping[str, tuple[str, tuple[Any, ...]]],
                    files: Iterable[tuple[str, tuple[int, int, int]]]) -> None:
        """Remember what the build just finished left in `output`: every file and folder
        with its (size, mtime_ns, inode), as `files` gives them one at a time, and the
        build's `pages` with the identities of their files."""
        where = str(output)
        self._write("DELETE FROM files WHERE output = ?", [(where,)],
                    "INSERT INTO files VALUES (?, ?, ?, ?, ?)",
                    ((where, path, *state) for path, state in files))
        self._write("DELETE FROM pages WHERE output = ?", [(where,)],
                    "INSERT INTO pages SELECT output, path, ?, ?, size, mtime_ns, inode "
                    "FROM files WHERE output = ? AND path = ?",
                    ((key, json.dumps(calls), where, path)
                     for path, (key, calls) in pages.items()))
        self._forget_unused_pages()

    def _forget_unused_pages(self) -> None:
        """Drop the kept pages no output's page is made under any more."""
        if self._db is None:
            return
        try:
            with self._db:
                self._db.execute("DELETE FROM page_bytes WHERE key NOT IN "
                                 "(SELECT key FROM pages)")
        except sqlite3.Error:
            self._db = self._start_afresh()

    def snapshot(self, output: Path) -> str | None:
        """The last complete build of `output` (`Snapshot` as text), or None
        when there is none to go by."""
        rows = list(self._select("SELECT snapshot FROM builds WHERE output = ?",
                                 (str(output),), tuple))
        return str(rows[0][0]) if rows else None

    def files(self, output: Path, under: Sequence[str] | None = None
              ) -> dict[str, tuple[int, int, int]]:
        """The state of every file and folder the last complete build left in `output`;
        with `under`, only those in these top-level folders: the search index's bundles
        are a few dozen rows each, a district's whole output 405,000."""
        query = "SELECT path, size, mtime_ns, inode FROM files WHERE output = ?"

        def state(row: tuple[Any, ...]) -> tuple[str, tuple[int, int, int]]:
            return row[0], (row[1], row[2], row[3])
        if under is None:
            return dict(self._select(query, (str(output),), state))
        found: dict[str, tuple[int, int, int]] = {}
        for folder in under:  # `folder/` and below sort between `folder/` and `folder0`
            found.update(self._select(f"{query} AND path >= ? AND path < ?",
                                      (str(output), f"{folder}/", f"{folder}0"), state))
        return found

    def listed(self, output: Path) -> list[str]:
        """The paths of `files`, in the order they were found: one compressed value, read
        in a tenth of the time of a district's 550,000 rows."""
        rows = list(self._select("SELECT listing FROM builds WHERE output = ?",
                                 (str(output),), tuple))
        try:
            return zlib.decompress(rows[0][0]).decode().split("\0") if rows else []
        except (zlib.error, TypeError, UnicodeDecodeError):
            return []

    def keep_snapshot(self, output: Path, snapshot: str | None, listing: bytes = b"") -> None:
        """Remember the build just finished in `output` and the `listing` of what it left
        there (`Listing.paths`), once `keep_output` has; None forgets the last
        one (a build that cannot be found current next time)."""
        self._write("DELETE FROM builds WHERE output = ?", [(str(output),)],
                    "INSERT INTO builds VALUES (?, ?, ?)",
                    [(str(output), snapshot, listing)] if snapshot is not None else [])

    def _rows(self, sql: str) -> Iterator[tuple[Any, ...]]:
        """The rows of `sql`, one at a time. A cache failing midway is made again; what it
        did not give is computed."""
        if self._db is None:
            return
        try:
            yield from self._db.execute(sql)
        except sqlite3.Error:
            self._db = self._start_afresh()

    def _select(self, sql: str, parameters: tuple[Any, ...],
                convert: Any) -> Iterable[Any]:
        if self._db is None:
            return []
        try:
            return [convert(row) for row in self._db.execute(sql, parameters)]
        except (sqlite3.Error, ValueError, TypeError):
            self._db = self._start_afresh()
            return []

    def _write(self, clear: str, clear_parameters: list[tuple[Any, ...]], insert: str,
               rows: Iterable[tuple[Any, ...]]) -> None:
        """Replace rows in one transaction; `rows` one at a time (a district's 550,000
        files would otherwise be held twice at the end of a build)."""
        if self._db is None:
            return
        try:
            with self._db:
                self._db.execute(clear, *clear_parameters)
                self._db.executemany(insert, rows)
        except sqlite3.Error:
            self._db = self._start_afresh()


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the cache file that does not wait for the disk at each commit
    (`synchronous=OFF`): a cache left damaged by a power cut is made afresh like any
    other, and the 7 commits of a build cost `mading serve` 0.12 s of a 0.35 s rebuild."""
    db = sqlite3.connect(path, timeout=10)
    db.execute("PRAGMA synchronous=OFF")
    return db


def dump_entry(entry: Entry) -> tuple[str, bytes]:
    """An entry as JSON, Markdown's local files included, and its HTML compressed as the
    build holds it. A district's edit reads its 72,000 posts back: with the HTML kept as
    text, parsing it out of JSON and compressing it again were a third of that time, and
    the posts took 324 MB of the cache instead of 139 MB."""
    return json.dumps(entry.as_data(with_html=False), ensure_ascii=False,
                      sort_keys=True), entry.html


def load_entry(text: str, html: bytes) -> Entry:
    return Entry.from_data(json.loads(text), html)
