"""The archive: every feed post ever seen, in one SQLite file.

Feeds show only their latest posts (WordPress: 10), so the portal's memory lives here.
A feed that fails leaves its teacher's stored posts untouched; an entry seen again is
updated in place (identity: the feed's entry id; its link only for an entry without one).
Markdown posts are not stored: they live in Git, and a deleted file must make its post
disappear.

`export` and `import_` turn the archive into JSON Lines and back, so a scheduled CI build
on a fresh runner can start from the last run's archive kept in Git (the lines:
generator/archive_export.py). The schema and how records become rows:
generator/archive_format.py. The archive stores records; it sanitizes nothing and reads
no source (issue 22).

Faults (issue 8; docs/decisions.md "The archive file"): every update is one transaction in
SQLite's rollback journal with `synchronous = FULL`, so a command killed or a disk that
fills up mid-update leaves the archive as the previous update left it. Another command
writing the archive is waited for (`LOCK_WAIT`), then reported. A file that is not an
archive, or a damaged one, is never written, repaired or deleted: the command stops and
says how to get back the copy kept beside it (`archive.sqlite.bak`) after updates.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn

from generator.archive_export import export_lines, is_header, merge_entry, merge_feed, merge_portal
from generator.archive_format import (
    PORTAL_COLUMNS,
    SCHEMA,
    SCHEMA_VERSION,
    TABLES,
    dump_entry,
    dump_notes,
    load_notes,
    migration,
    shown_published,
    sound,
    stored_entry,
    stored_time,
)
from generator.dates import parsed
from generator.errors import CatalogueError, display_path
from generator.models import (
    DEFAULT_LIMITS,
    Entry,
    FeedNote,
    FeedResult,
    FeedStatus,
    FetchLimits,
    PortalStatus,
)
from generator.slugs import slugify

LOCK_WAIT = 10.0
"""Seconds to wait for another command that is writing the archive (a `mading build`
still storing, a `mading serve` rebuilding). An update holds the lock for a moment (one
transaction, after the feeds are read), so a longer wait means something is stuck."""
BACKUP_INTERVAL = timedelta(hours=1)
"""The copy beside the archive is renewed after an update once it is this old: every
scheduled build renews it; `mading serve`, which updates at every save, does not copy a
large archive each time."""


class ArchiveError(CatalogueError):
    """The archive cannot be used: locked, damaged, not ours, newer, disk full…

    The file it is about is `where`; a damaged file's `hints` say how to get the archive
    back.
    """

    def located(self, where: str) -> ArchiveError:
        """The same error, about `where` (an import names its file)."""
        return ArchiveError(self.message_id, where, self.line, self.hints, **self.values)


class Archive:
    """A connection to the archive file; use as a context manager.

    Raises (from every method, and on opening):
        ArchiveError: the file is locked by another command past `LOCK_WAIT`, damaged,
            not an archive, made by a newer Mading, or cannot be written (disk full).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._where = display_path(path)
        self._db = self._connect()
        try:
            self._check_schema()
        except BaseException:
            self._db.close()
            raise

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._db.close()

    @property
    def backup_path(self) -> Path:
        """The copy of the archive kept beside it (`archive.sqlite.bak`)."""
        return self.path.with_name(self.path.name + ".bak")

    def _connect(self) -> sqlite3.Connection:
        if self.path.is_dir():
            raise ArchiveError("archive_file.is_folder", self._where)
        if not self.path.exists():
            self._create()
        elif self.path.stat().st_size == 0:
            # Not a new archive: an archive cut to nothing (a failed copy, a full disk).
            # Starting afresh would publish a portal without its old posts, and the next
            # export would carry that loss into Git.
            raise self._damaged("archive_file.empty")
        with self._guard():
            # Autocommit: transactions are begun and ended here, by `_writing`.
            db = sqlite3.connect(self.path, timeout=LOCK_WAIT, isolation_level=None)
            db.execute("PRAGMA synchronous = FULL")
        return db

    def _create(self) -> None:
        """Make a new, empty archive: complete beside its place, then linked into it, so
        that no other command ever sees a half-made (or zero-length) file."""
        partial = self.path.with_name(f"{self.path.name}.new-{os.getpid()}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial.unlink(missing_ok=True)
            db = sqlite3.connect(partial, isolation_level=None)
            try:
                db.executescript(f"BEGIN; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; "
                                 "COMMIT;")
            finally:
                db.close()
            try:
                os.link(partial, self.path)
            except FileExistsError:
                pass  # another command made it meanwhile: use that one
            except OSError:  # no hard links here (some shared or Windows file systems)
                if not self.path.exists():
                    os.replace(partial, self.path)
        except (OSError, sqlite3.Error) as exc:
            raise ArchiveError("archive_file.cannot_create", self._where,
                               detail=getattr(exc, "strerror", None) or exc) from None
        finally:
            partial.unlink(missing_ok=True)

    def _check_schema(self) -> None:
        with self._guard():
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            tables = {name for (name,) in self._db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if version > SCHEMA_VERSION:
            raise ArchiveError("archive_file.newer", self._where, version=version,
                               supported=SCHEMA_VERSION)
        if (version == 0 and tables) or (version > 0 and not tables >= TABLES):
            raise ArchiveError("archive_file.not_ours", self._where,
                               tables=", ".join(sorted(tables)) or "-")
        if version < SCHEMA_VERSION:
            # An archive of an older Mading: its new tables and columns are added.
            with self._guard(writing=True):
                columns = {row[1] for row in self._db.execute("PRAGMA table_info(feeds)")}
                self._db.executescript(migration(columns))

    @contextmanager
    def _guard(self, writing: bool = False) -> Iterator[None]:
        """SQLite's errors as `ArchiveError`s that say what happened and what to do."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, (sqlite3.ProgrammingError, sqlite3.IntegrityError)):
                raise  # a mistake in this module, not a fault of the file
            self._fail(exc, writing)

    def _fail(self, exc: sqlite3.Error, writing: bool) -> NoReturn:
        code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise ArchiveError("archive_file.locked", self._where,
                               seconds=f"{LOCK_WAIT:g}") from None
        if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            raise self._damaged("archive_file.damaged", detail=exc) from None
        if code == sqlite3.SQLITE_FULL:
            raise ArchiveError("archive_file.disk_full", self._where) from None
        if writing:
            raise ArchiveError("archive_file.write_failed", self._where, detail=exc) from None
        raise ArchiveError("archive_file.unreadable", self._where, detail=exc) from None

    def _damaged(self, message_id: str, detail: object = None) -> ArchiveError:
        """The error for a damaged file, with the way back: the copy kept beside it if
        that one is sound, else the last export."""
        hints: list[tuple[str, dict[str, object]]] = []
        if sound(self.backup_path):
            hints.append(("archive_file.restore_backup", {"file": self._where,
                                                     "backup": display_path(self.backup_path)}))
        else:
            hints.append(("archive_file.restore_export", {"file": self._where}))
        journal = self.path.with_name(self.path.name + "-journal")
        if journal.exists():
            hints.append(("archive_file.stale_journal", {"journal": display_path(journal)}))
        return ArchiveError(message_id, self._where, hints=tuple(hints), detail=detail)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One transaction: all of it is stored, or (an error, a kill, a full disk) none.

        The file is checked first (`PRAGMA quick_check`, one read of every page): nothing
        is ever written into a damaged archive.
        """
        with self._guard(writing=True):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                problems = self._db.execute("PRAGMA quick_check").fetchall()
                if problems != [("ok",)]:
                    raise self._damaged("archive_file.damaged", detail=problems[0][0])
                yield
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    # If even this fails, the journal rolls it back at the next opening.
                    with suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                raise

    def _save_backup(self) -> None:
        """Copy the archive beside it, after an update (see `BACKUP_INTERVAL`).

        The copy is made complete under another name (SQLite's online backup, which
        reads a consistent state), then renamed over the previous one; if it cannot be
        made (the disk is full), the previous copy stays.
        """
        backup = self.backup_path
        try:
            if time.time() - backup.stat().st_mtime < BACKUP_INTERVAL.total_seconds():
                return
        except OSError:
            pass  # no copy yet
        partial = backup.with_name(backup.name + ".new")
        try:
            partial.unlink(missing_ok=True)
            copy = sqlite3.connect(partial)
            try:
                self._db.backup(copy)
            finally:
                copy.close()
            os.replace(partial, backup)
        except (OSError, sqlite3.Error):
            with suppress(OSError):
                partial.unlink(missing_ok=True)

    def store(self, results: Iterable[FeedResult], now: datetime,
              limits: FetchLimits = DEFAULT_LIMITS) -> None:
        """Record one update: new and changed entries, and each feed's success or failure.

        Nothing is deleted: a failed feed keeps its error (and the time it began); a
        successful one only adds or updates entries; a 304 only records the success.
        New entries are bounded (`limits.max_new_entries` per feed and update, the newest;
        `limits.max_entries` per teacher), and what was left out is noted in the feed's
        status. All of the update is stored or, if it fails, none of it.
        """
        stamp = now.isoformat()
        with self._writing():
            for result in results:
                notes = result.notes
                if result.error is None and not result.not_modified:
                    notes += self._store_entries(result, stamp, limits)
                self._store_status(result, stamp, notes)
        self._save_backup()

    def _store_entries(self, result: FeedResult, stamp: str,
                       limits: FetchLimits) -> tuple[FeedNote, ...]:
        """Store a feed's entries within `limits`; returns notes on what was left out."""
        listed = {entry.entry_id for entry in result.entries}
        placed = [(entry, self._place(entry, entry.entry_id not in result.idless, listed))
                  for entry in result.entries]
        new = [index for index, (_entry, place) in enumerate(placed) if place is None]
        notes: list[FeedNote] = []
        allowed = min(len(new), limits.max_new_entries)
        if allowed < len(new):
            notes.append(FeedNote("hostile_data.note_new_items_cut", len(new) - allowed,
                                  limits.max_new_entries))
        (stored,) = self._db.execute("SELECT COUNT(*) FROM entries WHERE teacher = ?",
                                     (result.teacher,)).fetchone()
        room = max(0, limits.max_entries - stored)
        if room < allowed:
            notes.append(FeedNote("hostile_data.note_teacher_full", allowed - room,
                                  limits.max_entries))
        # The newest first; among equals, as the feed lists them (newest first, usually).
        newest = sorted(new, key=lambda index: placed[index][0].published, reverse=True)
        left_out = set(newest[min(allowed, room):])
        for index, (entry, place) in enumerate(placed):
            if index not in left_out:
                self._store_entry(entry, place, entry.entry_id in result.undated, stamp)
        return tuple(notes)

    def _place(self, entry: Entry, own_id: bool, listed: set[str]) -> _Place | None:
        """Where an entry of a feed whose entries' ids are `listed` is stored already, or
        None for a new one; `own_id`: the feed gave it an id (else its `entry_id` is its
        link, or a hash of its text)."""
        key = entry.entry_id
        known = self._db.execute("SELECT 1 FROM entries WHERE teacher = ? AND entry_id = ?",
                                 (entry.teacher, key)).fetchone()
        if known is not None:
            return _Place(key)
        if entry.link:
            # Identity is the id: posts that share a link (a blog whose items all link to
            # its home page) are still posts of their own (issue 26). A link stands in
            # only when one side has no id: a blog that drops its ids, or gives ids to
            # posts stored by their links (a new platform, a plugin), keeps its posts. A
            # post the feed still lists under its own id is never taken by another.
            rows = self._db.execute(
                "SELECT entry_id FROM entries WHERE teacher = ? AND link = ?"
                + (" AND entry_id = link" if own_id else ""),
                (entry.teacher, entry.link)).fetchall()
            row = next((found for (found,) in rows if found not in listed), None)
            if row is not None:
                # Known by its link until now: from now on, by its id, if it has one.
                return _Place(key, row) if own_id else _Place(row)
        return None

    def _store_entry(self, entry: Entry, place: _Place | None, undated: bool,
                     stamp: str) -> None:
        """Add an entry (`place` None) or update the one stored at `place`."""
        key = entry.entry_id
        if place is not None and place.rekey_from is not None:
            # OR IGNORE: another item of this update may have taken the id meanwhile (a
            # feed that repeats an id); then that post is the one updated.
            self._db.execute("UPDATE OR IGNORE entries SET entry_id = ? WHERE teacher = ? "
                             "AND entry_id = ?", (key, entry.teacher, place.rekey_from))
        elif place is not None and place.key != key:
            key, entry = place.key, replace(entry, entry_id=place.key)
        # The post's address comes from the title first seen (`slug`), so that fixing a
        # typo in a title does not break the links students already have. An entry
        # without a date of its own was dated when it was read: it keeps its first date,
        # or it would jump to the top (and change its address) at every update.
        if entry.slug is None:
            entry = replace(entry, slug=slugify(entry.title) or None)
        self._db.execute(
            "INSERT INTO entries (teacher, entry_id, link, data, first_seen, last_seen) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (teacher, entry_id) DO UPDATE "
            "SET link = excluded.link, data = json_set(excluded.data, "
            "'$.slug', COALESCE(json_extract(entries.data, '$.slug'), "
            "json_extract(excluded.data, '$.slug')), "
            "'$.published', CASE WHEN ?6 THEN json_extract(entries.data, '$.published') "
            "ELSE json_extract(excluded.data, '$.published') END), "
            "last_seen = excluded.last_seen",
            (entry.teacher, key, entry.link, dump_entry(entry), stamp, undated))

    def _store_status(self, result: FeedResult, stamp: str,
                      notes: tuple[FeedNote, ...]) -> None:
        """A feed's success (with the `notes` of this update, which replace the last
        one's; a 304 keeps them, as the feed is as it was) or failure."""
        if result.error is None and result.not_modified:
            self._db.execute(
                "UPDATE feeds SET error = NULL, error_since = NULL, last_success = ? "
                "WHERE teacher = ?", (stamp, result.teacher))
        elif result.error is None:
            self._db.execute(
                "INSERT INTO feeds (teacher, source, home_page, feed_url, title, etag, "
                "last_modified, last_success, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (teacher) DO UPDATE SET source = excluded.source, "
                "home_page = excluded.home_page, feed_url = excluded.feed_url, "
                "title = excluded.title, etag = excluded.etag, "
                "last_modified = excluded.last_modified, error = NULL, error_since = NULL, "
                "last_success = excluded.last_success, notes = excluded.notes",
                (result.teacher, result.source, result.home_page, result.feed_url,
                 result.title, result.etag, result.last_modified, stamp,
                 dump_notes(notes)))
        else:
            self._db.execute(
                "INSERT INTO feeds (teacher, source, error, error_since) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (teacher) DO UPDATE SET source = excluded.source, "
                "error = excluded.error, error_since = COALESCE(feeds.error_since, "
                "excluded.error_since)",
                (result.teacher, result.source, result.error, stamp))

    def store_portals(self, statuses: Iterable[PortalStatus], now: datetime) -> None:
        """Record one reading of school portals' indexes (issue 25): a new index replaces
        the last one; a failure keeps it, with the error and the time it began."""
        stamp = now.isoformat()
        with self._writing():
            for status in statuses:
                if status.error is None and status.data is None:  # 304: as it was
                    self._db.execute(
                        "UPDATE portals SET error = NULL, error_since = NULL, "
                        "last_success = ? WHERE school = ?", (stamp, status.school))
                elif status.error is None:
                    self._db.execute(
                        "INSERT INTO portals (school, source, data, etag, last_modified, "
                        "last_success) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (school) DO "
                        "UPDATE SET source = excluded.source, data = excluded.data, "
                        "etag = excluded.etag, last_modified = excluded.last_modified, "
                        "error = NULL, error_since = NULL, "
                        "last_success = excluded.last_success",
                        (status.school, status.source, status.data, status.etag,
                         status.last_modified, stamp))
                else:
                    self._db.execute(
                        "INSERT INTO portals (school, source, error, error_since) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT (school) DO UPDATE SET "
                        "source = excluded.source, error = excluded.error, "
                        "error_since = COALESCE(portals.error_since, excluded.error_since)",
                        (status.school, status.source, status.error, stamp))

    def portal_statuses(self) -> list[PortalStatus]:
        with self._guard():
            rows = self._db.execute(
                f"SELECT {', '.join(PORTAL_COLUMNS)} FROM portals ORDER BY school").fetchall()
        return [PortalStatus(school, source, data, etag, modified, error, stored_time(since),
                             stored_time(success))
                for school, source, data, etag, modified, error, since, success in rows]

    def entries(self) -> list[Entry]:
        """Every stored entry, for every teacher who ever had a feed; made row by row, as
        the rows with their HTML as text take more memory than the entries.

        A date out of range, stored before the edges refused them, is read as none
        (`archive_format.load_entry`): nothing stored may stop a build (issue 26).
        """
        with self._guard():
            rows = self._db.execute(
                "SELECT data, first_seen, last_seen FROM entries ORDER BY teacher, entry_id")
            loaded = (stored_entry(data, first, last) for data, first, last in rows)
            return [entry for entry in loaded if entry is not None]

    def outlines(self) -> list[EntryOutline]:
        """Every stored entry without its text (issue 23): what `mading report` reads of
        a district's 90,000 posts instead of the entries, which it loads only where it
        must (`entries_at`). A row `entries` leaves out for its data not being JSON, or
        for damaged times, is left out here too; one left out for another fault (data
        edited by hand into something that makes no entry) is not, and `entries_at` is
        the check."""
        with self._guard():
            rows = self._db.execute(
                "SELECT rowid, json_extract(data, '$.teacher'), json_extract(data, '$.link'), "
                "json_extract(data, '$.published'), json_extract(data, '$.kind'), "
                "json_extract(data, '$.due'), first_seen, last_seen FROM entries "
                "WHERE json_valid(data) ORDER BY teacher, entry_id")
            return [outline for outline in (_outline(*row) for row in rows)
                    if outline is not None]

    def entries_at(self, rows: Iterable[int]) -> dict[int, Entry]:
        """The entries stored in `rows` (`EntryOutline.row`), by row, as `entries` reads
        them: a row that makes no entry is not in it."""
        with self._guard():
            found = self._db.execute(
                "SELECT rowid, data, first_seen, last_seen FROM entries WHERE rowid IN "
                "(SELECT value FROM json_each(?)) ORDER BY teacher, entry_id",
                (json.dumps(sorted(set(rows))),))
            loaded = ((row, stored_entry(data, first, last))
                      for row, data, first, last in found)
            return {row: entry for row, entry in loaded if entry is not None}

    def revision(self) -> int:
        """A number that changes whenever any entry is added, removed or changed."""
        with self._guard():
            row = self._db.execute("SELECT entries FROM revision").fetchone()
        return int(row[0])

    def feed_statuses(self) -> list[FeedStatus]:
        with self._guard():
            rows = self._db.execute(
                "SELECT teacher, source, home_page, feed_url, title, error, error_since, "
                "last_success, etag, last_modified, notes FROM feeds ORDER BY teacher"
            ).fetchall()
        return [FeedStatus(teacher, source, home, feed_url, title, error, stored_time(since),
                           stored_time(success), etag, last_modified, load_notes(notes))
                for (teacher, source, home, feed_url, title, error, since, success, etag,
                     last_modified, notes) in rows]

    def export(self) -> Iterator[str]:
        """The whole archive as JSON Lines (`archive_export.export_lines`).

        The file is checked first: a damaged archive must not give a short export that
        would replace the good one kept in Git.
        """
        with self._guard():
            problems = self._db.execute("PRAGMA quick_check").fetchall()
        if problems != [("ok",)]:
            raise self._damaged("archive_file.damaged", detail=problems[0][0])
        return export_lines(self._rows)

    def _rows(self, query: str) -> list[tuple[Any, ...]]:
        with self._guard():
            return self._db.execute(query).fetchall()

    def import_(self, lines: Iterable[str], check: Callable[[Entry], Entry]) -> int:
        """Merge an export into this archive; returns how many entries it held.

        Merging never loses anything: an entry keeps its earliest `first_seen` and the
        data of whichever copy was seen last; a feed keeps the newer status. Every entry
        is stored as `check` gives it back: the export is a file anyone may edit, and
        the archive sanitizes nothing itself (the feed reader's `as_read` does, issue 22).

        Raises:
            ArchiveError: the text is not a Mading archive export (without `where`: the
                caller knows the file); nothing of it is imported.
        """
        records = iter(lines)
        try:
            header = json.loads(next(records))
        except (StopIteration, ValueError):
            raise ArchiveError("archive_file.import_no_header", line=1) from None
        if not is_header(header):
            raise ArchiveError("archive_file.import_no_header", line=1)
        count = 0
        with self._writing():
            for number, line in enumerate(records, start=2):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    if "feed" in record:
                        merge_feed(self._db, record["feed"])
                    elif "portal" in record:
                        merge_portal(self._db, record["portal"])
                    else:
                        merge_entry(self._db, record["entry"], check)
                        count += 1
                except (ValueError, KeyError, TypeError, AttributeError,
                        sqlite3.IntegrityError, sqlite3.ProgrammingError) as exc:
                    raise ArchiveError("archive_file.import_bad_record", line=number,
                                       detail=exc) from None
        self._save_backup()
        return count


@dataclass(frozen=True, slots=True)
class EntryOutline:
    """A stored entry without its text: whose, its link, the date it is shown under, and
    the kind and deadline a school portal gave it (issue 25), if any."""

    row: int
    teacher: str
    link: str | None
    published: datetime
    kind: str | None
    due: datetime | None


def _outline(row: int, teacher: object, link: object, published: object, kind: object,
             due: object, first: str, last: str) -> EntryOutline | None:
    """The outline of a row, from the fields its JSON gave, dated as `stored_entry`
    dates it; None for a row with damaged times."""
    first_seen = parsed(first) or parsed(last)
    if first_seen is None:
        return None
    return EntryOutline(row, str(teacher), link if isinstance(link, str) else None,
                        shown_published(parsed(published) or first_seen, first_seen),
                        kind if isinstance(kind, str) else None, parsed(due))


@dataclass(frozen=True)
class _Place:
    """Where a feed's entry is stored: under `key`, once the row stored under
    `rekey_from` (by its link) takes that key."""

    key: str
    rekey_from: str | None = None
