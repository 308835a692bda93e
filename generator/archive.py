"""The archive: every feed post ever seen, in one SQLite file.

Feeds show only their latest posts (WordPress: 10), so the portal's memory lives here.
A feed that fails leaves its teacher's stored posts untouched; an entry seen again is
updated in place (identity: the feed's entry id, then its link). Markdown posts are not
stored: they live in Git, and a deleted file must make its post disappear.

`export` and `import_` turn the archive into JSON Lines and back, so a scheduled CI build
on a fresh runner can start from the last run's archive kept in Git.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from generator.errors import MadingError
from generator.models import Entry, FeedStatus
from generator.slugs import slugify
from generator.sources.feeds import FeedResult

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    teacher TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    link TEXT,
    data TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    PRIMARY KEY (teacher, entry_id)
);
CREATE INDEX IF NOT EXISTS entries_by_link ON entries (teacher, link);
CREATE TABLE IF NOT EXISTS feeds (
    teacher TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    home_page TEXT,
    feed_url TEXT,
    title TEXT NOT NULL DEFAULT '',
    etag TEXT,
    last_modified TEXT,
    error TEXT,
    error_since TEXT,
    last_success TEXT
);
"""
FUTURE_TOLERANCE = timedelta(days=1)
"""A post dated further ahead than this (a wrong clock, a scheduled post leaking out) is
shown under the date it was first seen rather than pinned to the top of the portal."""
EXPORT_FORMAT = "mading-archive"


class ArchiveError(MadingError):
    """The archive file cannot be used (not an archive, a newer schema, unreadable)."""


class Archive:
    """A connection to the archive file; use as a context manager."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, timeout=30)
        try:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise ArchiveError(f"{path}: made by a newer Mading (schema {version})")
            self._db.executescript(SCHEMA)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise ArchiveError(f"{path}: not a usable archive ({exc})") from None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._db.close()

    def store(self, results: Iterable[FeedResult], now: datetime) -> None:
        """Record one update: new and changed entries, and each feed's success or failure.

        Nothing is deleted: a failed feed keeps its error (and the time it began); a
        successful one only adds or updates entries; a 304 only records the success.
        """
        stamp = now.isoformat()
        with self._db:
            for result in results:
                self._store_status(result, stamp)
                for entry in result.entries:
                    self._store_entry(entry, entry.entry_id in result.undated, stamp)

    def _store_entry(self, entry: Entry, undated: bool, stamp: str) -> None:
        # Identity is the entry id; a blog that changes its ids (a new platform, a plugin)
        # keeps its posts' links, so an unknown id with a known link is the same post.
        key = entry.entry_id
        known = self._db.execute("SELECT 1 FROM entries WHERE teacher = ? AND entry_id = ?",
                                 (entry.teacher, key)).fetchone()
        if known is None and entry.link:
            row = self._db.execute(
                "SELECT entry_id FROM entries WHERE teacher = ? AND link = ? LIMIT 1",
                (entry.teacher, entry.link)).fetchone()
            if row is not None:
                key, entry = row[0], replace(entry, entry_id=row[0])
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
            (entry.teacher, key, entry.link, _dump_entry(entry), stamp, undated))

    def _store_status(self, result: FeedResult, stamp: str) -> None:
        if result.error is None and result.not_modified:
            self._db.execute(
                "UPDATE feeds SET error = NULL, error_since = NULL, last_success = ? "
                "WHERE teacher = ?", (stamp, result.teacher))
        elif result.error is None:
            self._db.execute(
                "INSERT INTO feeds (teacher, source, home_page, feed_url, title, etag, "
                "last_modified, last_success) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (teacher) DO UPDATE SET source = excluded.source, "
                "home_page = excluded.home_page, feed_url = excluded.feed_url, "
                "title = excluded.title, etag = excluded.etag, "
                "last_modified = excluded.last_modified, error = NULL, error_since = NULL, "
                "last_success = excluded.last_success",
                (result.teacher, result.source, result.home_page, result.feed_url,
                 result.title, result.etag, result.last_modified, stamp))
        else:
            self._db.execute(
                "INSERT INTO feeds (teacher, source, error, error_since) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (teacher) DO UPDATE SET source = excluded.source, "
                "error = excluded.error, error_since = COALESCE(feeds.error_since, "
                "excluded.error_since)",
                (result.teacher, result.source, result.error, stamp))

    def entries(self) -> list[Entry]:
        """Every stored entry, for every teacher who ever had a feed."""
        rows = self._db.execute(
            "SELECT data, first_seen FROM entries ORDER BY teacher, entry_id")
        return [_shown_date(_load_entry(json.loads(data)), datetime.fromisoformat(first))
                for data, first in rows]

    def feed_statuses(self) -> list[FeedStatus]:
        rows = self._db.execute(
            "SELECT teacher, source, home_page, feed_url, title, error, error_since, "
            "last_success, etag, last_modified FROM feeds ORDER BY teacher")
        return [FeedStatus(teacher, source, home, feed_url, title, error, _time(since),
                           _time(success), etag, last_modified)
                for (teacher, source, home, feed_url, title, error, since, success, etag,
                     last_modified) in rows]

    def export(self) -> Iterator[str]:
        """The whole archive as JSON Lines: a header, then feeds, then entries, sorted.

        Sorted and one record per line, so that a Git diff between two runs shows just
        the posts and feeds that changed.
        """
        yield json.dumps({"format": EXPORT_FORMAT, "version": SCHEMA_VERSION})
        columns = ("teacher", "source", "home_page", "feed_url", "title", "etag",
                   "last_modified", "error", "error_since", "last_success")
        for row in self._db.execute(f"SELECT {', '.join(columns)} FROM feeds ORDER BY teacher"):
            yield json.dumps({"feed": dict(zip(columns, row, strict=True))}, ensure_ascii=False,
                             sort_keys=True)
        for teacher, entry_id, link, data, first, last in self._db.execute(
                "SELECT teacher, entry_id, link, data, first_seen, last_seen FROM entries "
                "ORDER BY teacher, entry_id"):
            record = {"teacher": teacher, "entry_id": entry_id, "link": link,
                      "data": json.loads(data), "first_seen": first, "last_seen": last}
            yield json.dumps({"entry": record}, ensure_ascii=False, sort_keys=True)

    def import_(self, lines: Iterable[str]) -> int:
        """Merge an export into this archive; returns how many entries it held.

        Merging never loses anything: an entry keeps its earliest `first_seen` and the
        data of whichever copy was seen last; a feed keeps the newer status.

        Raises:
            ArchiveError: the text is not a Mading archive export.
        """
        records = iter(lines)
        try:
            header = json.loads(next(records))
        except (StopIteration, ValueError):
            raise ArchiveError("not a Mading archive export (no header line)") from None
        if not isinstance(header, dict) or header.get("format") != EXPORT_FORMAT:
            raise ArchiveError("not a Mading archive export (wrong header)")
        count = 0
        with self._db:
            for number, line in enumerate(records, start=2):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    if "feed" in record:
                        self._import_feed(record["feed"])
                    else:
                        self._import_entry(record["entry"])
                        count += 1
                except (ValueError, KeyError, TypeError, sqlite3.Error) as exc:
                    raise ArchiveError(f"line {number}: unreadable record ({exc})") from None
        return count

    def _import_feed(self, feed: dict[str, Any]) -> None:
        columns = ("teacher", "source", "home_page", "feed_url", "title", "etag",
                   "last_modified", "error", "error_since", "last_success")
        values = [feed.get(c) for c in columns]
        values[4] = values[4] or ""
        self._db.execute(
            f"INSERT INTO feeds ({', '.join(columns)}) VALUES ({', '.join('?' * 10)}) "
            "ON CONFLICT (teacher) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
            + " WHERE COALESCE(excluded.last_success, '') >= COALESCE(feeds.last_success, '')",
            values)

    def _import_entry(self, entry: dict[str, Any]) -> None:
        self._db.execute(
            "INSERT INTO entries (teacher, entry_id, link, data, first_seen, last_seen) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (teacher, entry_id) DO UPDATE SET "
            "data = CASE WHEN excluded.last_seen > entries.last_seen THEN excluded.data "
            "ELSE entries.data END, link = COALESCE(entries.link, excluded.link), "
            "first_seen = MIN(entries.first_seen, excluded.first_seen), "
            "last_seen = MAX(entries.last_seen, excluded.last_seen)",
            (entry["teacher"], entry["entry_id"], entry.get("link"),
             json.dumps(entry["data"], ensure_ascii=False, sort_keys=True),
             entry["first_seen"], entry["last_seen"]))


def _shown_date(entry: Entry, first_seen: datetime) -> Entry:
    if entry.published > first_seen + FUTURE_TOLERANCE:
        return replace(entry, published=first_seen)
    return entry


def _dump_entry(entry: Entry) -> str:
    data = asdict(entry)
    del data["assets"], data["attachments"]  # Markdown only: never stored
    for key in ("published", "updated", "due"):
        if data[key] is not None:
            data[key] = data[key].isoformat()
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _load_entry(data: dict[str, Any]) -> Entry:
    for key in ("published", "updated", "due"):
        data[key] = _time(data.get(key))
    for key in ("categories", "subjects", "classes"):
        data[key] = tuple(data.get(key) or ())
    return Entry(**data)


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
