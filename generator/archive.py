"""The archive: every feed post ever seen, in one SQLite file.

Feeds show only their latest posts (WordPress: 10), so the portal's memory lives here.
A feed that fails leaves its teacher's stored posts untouched; an entry seen again is
updated in place (identity: the feed's entry id). Markdown posts are not stored: they live
in Git, and a deleted file must make its post disappear.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from generator.models import Entry, FeedStatus
from generator.sources.feeds import FeedResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    teacher TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    data TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    PRIMARY KEY (teacher, entry_id)
);
CREATE TABLE IF NOT EXISTS feeds (
    teacher TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    home_page TEXT,
    feed_url TEXT,
    title TEXT NOT NULL DEFAULT '',
    error TEXT,
    error_since TEXT,
    last_success TEXT
);
"""


class Archive:
    """A connection to the archive file; use as a context manager."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path)
        self._db.executescript(SCHEMA)

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._db.close()

    def store(self, results: Iterable[FeedResult], now: datetime) -> None:
        """Record one update: new and changed entries, and each feed's success or failure.

        Nothing is deleted: a failed feed keeps its error (and the time it began); a
        successful one only adds or updates entries.
        """
        stamp = now.isoformat()
        with self._db:
            for result in results:
                self._store_status(result, stamp)
                for entry in result.entries:
                    # An entry without a date of its own was dated when it was read: it
                    # keeps its first date, or it would jump to the top (and change its
                    # address, which starts with the date) at every update.
                    self._db.execute(
                        "INSERT INTO entries (teacher, entry_id, data, first_seen, last_seen) "
                        "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (teacher, entry_id) DO UPDATE "
                        "SET data = CASE WHEN ?5 THEN json_set(excluded.data, '$.published', "
                        "json_extract(entries.data, '$.published')) ELSE excluded.data END, "
                        "last_seen = excluded.last_seen",
                        (entry.teacher, entry.entry_id, _dump_entry(entry), stamp,
                         entry.entry_id in result.undated))

    def _store_status(self, result: FeedResult, stamp: str) -> None:
        if result.error is None:
            self._db.execute(
                "INSERT INTO feeds (teacher, source, home_page, feed_url, title, last_success) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (teacher) DO UPDATE SET "
                "source = excluded.source, home_page = excluded.home_page, "
                "feed_url = excluded.feed_url, title = excluded.title, error = NULL, "
                "error_since = NULL, last_success = excluded.last_success",
                (result.teacher, result.source, result.home_page, result.feed_url,
                 result.title, stamp))
        else:
            self._db.execute(
                "INSERT INTO feeds (teacher, source, error, error_since) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (teacher) DO UPDATE SET source = excluded.source, "
                "error = excluded.error, error_since = COALESCE(feeds.error_since, "
                "excluded.error_since)",
                (result.teacher, result.source, result.error, stamp))

    def entries(self) -> list[Entry]:
        """Every stored entry, for every teacher who ever had a feed."""
        rows = self._db.execute("SELECT data FROM entries ORDER BY teacher, entry_id")
        return [_load_entry(json.loads(data)) for (data,) in rows]

    def feed_statuses(self) -> list[FeedStatus]:
        rows = self._db.execute(
            "SELECT teacher, source, home_page, feed_url, title, error, error_since, "
            "last_success FROM feeds ORDER BY teacher")
        return [FeedStatus(teacher, source, home, feed_url, title, error, _time(since),
                           _time(success))
                for teacher, source, home, feed_url, title, error, since, success in rows]


def _dump_entry(entry: Entry) -> str:
    data = asdict(entry)
    del data["assets"]
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
