"""What the last builds wrote that costs most to make again: the pages' bytes and the
search index's bundles, kept in the build cache.

A scheduled CI run starts on a fresh machine: the build cache comes back from the Actions
cache, the output folder does not. Without these, every page whose key and clock still
hold would be rendered again, and Pagefind would index every post again, only to give the
same output (issue 23); with them, the output is written from here.

- **Pages** (`page_bytes`): compressed, by their key, which already names the page's
  path, inputs and Mading's code. Render may run in forked workers, and a SQLite
  connection must not cross a fork: each process opens its own, on first use.
- **Search bundles** (`bundles`): each bundle folder's files packed one after another,
  with a digest of the post pages it indexes (`generator.search.bundle_digest`, by what
  the page memo says each was made from): the same pages give an index as good as
  Pagefind would make again.
- **Compiled templates** (`compiled`): Jinja's bytecode of each template, which Jinja
  itself compares with the template's source; compiling the theme is 0.25 s of every
  build that renders a page, in a process that starts with nothing compiled.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from generator.file_writer import FileWriter
from generator.incremental.cache import connect

BATCH_BYTES = 4 << 20
"""Compressed page bytes held before they are written, in one short transaction: workers
read the table meanwhile, and a district's pages are never all held."""


class KeptOutput:
    """Pages and search bundles in the build cache at `path` (whose schema has
    `page_bytes` and `bundles`); every failure degrades to "not kept"."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pid = -1
        self._pending: list[tuple[str, bytes]] = []
        self._pending_bytes = 0

    def page(self, key: str) -> bytes | None:
        """The page kept under `key`, or None."""
        row = self._row("SELECT content FROM page_bytes WHERE key = ?", key)
        try:
            return zlib.decompress(row[0]) if row is not None else None
        except (zlib.error, TypeError):
            return None

    def keep_page(self, key: str, content: bytes) -> None:
        """Keep `content` under `key`; written by the batch, and at `flush`."""
        packed = zlib.compress(content, 1)
        self._pending.append((key, packed))
        self._pending_bytes += len(packed)
        if self._pending_bytes >= BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        pending, self._pending, self._pending_bytes = self._pending, [], 0
        if pending:
            self._write("INSERT OR REPLACE INTO page_bytes VALUES (?, ?)", pending)

    def compiled(self, key: str) -> bytes | None:
        """The compiled template kept under `key`, or None."""
        row = self._row("SELECT code FROM compiled WHERE key = ?", key)
        return row[0] if row is not None and isinstance(row[0], bytes) else None

    def keep_compiled(self, key: str, code: bytes) -> None:
        self._write("INSERT OR REPLACE INTO compiled VALUES (?, ?)", [(key, code)])

    def restore_bundle(self, name: str, digest: str, folder: Path) -> bool:
        """Write the bundle `name` kept for `digest` as `folder`; False if none is."""
        row = self._row("SELECT files FROM bundles WHERE name = ? AND digest = ?", name, digest)
        if row is None:
            return False
        try:
            made: set[str] = set()
            with FileWriter() as writer:  # a part's bundle is some 4,000 small files
                for relative, content in _unpacked(row[0]):
                    target = os.path.join(folder, relative)
                    if (parent := os.path.dirname(target)) not in made:
                        os.makedirs(parent, exist_ok=True)
                        made.add(parent)
                    writer.write(target, content)
            return True
        except (ValueError, OSError, TypeError, struct.error):
            shutil.rmtree(folder, ignore_errors=True)
            return False

    def keep_bundle(self, name: str, digest: str, folder: Path) -> None:
        """Keep the bundle folder `folder`, made from pages that digest to `digest`."""
        try:
            packed = _packed(folder)
        except OSError:
            return
        self._write("INSERT OR REPLACE INTO bundles VALUES (?, ?, ?)", [(name, digest, packed)])

    def _row(self, sql: str, *parameters: str) -> tuple[bytes] | None:
        db = self._connection()
        if db is None:
            return None
        try:
            row: tuple[bytes] | None = db.execute(sql, parameters).fetchone()
            return row
        except sqlite3.Error:
            return None

    def _write(self, sql: str, rows: Sequence[tuple[object, ...]]) -> None:
        db = self._connection()
        if db is None:
            return
        try:
            with db:
                db.executemany(sql, rows)
        except sqlite3.Error:
            pass

    def _connection(self) -> sqlite3.Connection | None:
        if self._pid != os.getpid():
            self._db, self._pid = None, os.getpid()  # a fork's copy is never used
            try:
                self._db = connect(self.path)
            except (sqlite3.Error, OSError):
                self._db = None
        return self._db

    def close(self) -> None:
        self.flush()
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None


_HEADER = struct.Struct(">II")
"""Before each file of a packed bundle: the lengths of its path and of its bytes."""


def _packed(folder: Path) -> bytes:
    """The files under `folder`, one after the other with their paths: what a bundle
    holds (files only, already compressed by Pagefind), packed in a tenth of tar's time."""
    parts: list[bytes] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name, content = path.relative_to(folder).as_posix().encode(), path.read_bytes()
        parts += (_HEADER.pack(len(name), len(content)), name, content)
    return b"".join(parts)


def _unpacked(packed: bytes) -> Iterator[tuple[str, bytes]]:
    """The (path, bytes) of `_packed`; a path that would leave the folder is refused.

    Raises:
        ValueError: the pack is damaged.
    """
    at = 0
    while at < len(packed):
        name_length, length = _HEADER.unpack_from(packed, at)
        at += _HEADER.size
        name = packed[at:at + name_length].decode()
        content = packed[at + name_length:at + name_length + length]
        at += name_length + length
        parts = name.split("/")
        if at > len(packed) or not name or name.startswith("/") or "\\" in name or \
                any(part in ("", ".", "..") for part in parts):
            raise ValueError(name)
        yield name, content
