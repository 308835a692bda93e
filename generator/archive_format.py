"""The archive's format: its SQLite schema and versions, and how entries and feed notes
are written into rows (and export lines) and read back.

Pure but for `sound`, which opens a file read-only; the archive (generator/archive.py)
owns the file, its transactions and its faults.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from generator.dates import parsed
from generator.i18n import DEFAULT_LANGUAGE, catalogue
from generator.models import Entry, FeedNote
from generator.slugs import is_slug, slugify

SCHEMA_VERSION = 4
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
    last_success TEXT,
    notes TEXT
);
CREATE TABLE IF NOT EXISTS portals (
    school TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    data TEXT,
    etag TEXT,
    last_modified TEXT,
    error TEXT,
    error_since TEXT,
    last_success TEXT
);
CREATE TABLE IF NOT EXISTS revision (entries INTEGER NOT NULL);
INSERT INTO revision SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM revision);
CREATE TRIGGER IF NOT EXISTS entry_added AFTER INSERT ON entries
BEGIN UPDATE revision SET entries = entries + 1; END;
CREATE TRIGGER IF NOT EXISTS entry_changed AFTER UPDATE ON entries
WHEN json(old.data) IS NOT json(new.data) OR old.link IS NOT new.link
    OR old.first_seen IS NOT new.first_seen
    OR old.teacher IS NOT new.teacher OR old.entry_id IS NOT new.entry_id
BEGIN UPDATE revision SET entries = entries + 1; END;
CREATE TRIGGER IF NOT EXISTS entry_removed AFTER DELETE ON entries
BEGIN UPDATE revision SET entries = entries + 1; END;
"""
"""Version 2 added `revision`: a count the triggers raise whenever an entry is added,
removed or changed (not when it is only seen again), whoever writes, so that a build can
tell in one query that the archive holds what it held last time (generator/freshness.py).
Version 3 added `feeds.notes`: what the last update of a feed left out or changed, as JSON
(`FeedNote`s, issue 26). Version 4 added `portals`: the school portals' indexes a cluster
or district reads (`PortalStatus`, issue 25)."""
PORTAL_COLUMNS = ("school", "source", "data", "etag", "last_modified", "error",
                  "error_since", "last_success")
FEED_COLUMNS = ("teacher", "source", "home_page", "feed_url", "title", "etag",
                "last_modified", "error", "error_since", "last_success", "notes")
TABLES = frozenset({"entries", "feeds"})
"""The tables that make a file ours: a database without them is someone else's."""


def migration(feed_columns: set[str]) -> str:
    """The SQL that brings an archive of an older Mading, whose `feeds` table has
    `feed_columns`, to `SCHEMA_VERSION`: its new tables and columns, in one transaction."""
    added = "" if not feed_columns or "notes" in feed_columns else \
        "ALTER TABLE feeds ADD COLUMN notes TEXT;"
    return f"BEGIN IMMEDIATE; {SCHEMA} {added} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
FUTURE_TOLERANCE = timedelta(days=1)
"""A post dated further ahead than this (a wrong clock, a scheduled post leaking out) is
shown under the date it was first seen rather than pinned to the top of the portal."""
EXPORT_FORMAT = "mading-archive"


def stored_entry(text: str, first: str, last: str) -> Entry | None:
    """A row of the archive as an entry, with its date as shown; None for a row that
    makes none (its data or times damaged by hand, outside Mading), which is kept but
    not shown: nothing stored may stop a build (issue 26)."""
    first_seen = parsed(first) or parsed(last)
    if first_seen is None:
        return None
    try:
        data = json.loads(text)
        return _shown_date(load_entry(data, first_seen), first_seen)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _shown_date(entry: Entry, first_seen: datetime) -> Entry:
    shown = shown_published(entry.published, first_seen)
    return entry if shown is entry.published else replace(entry, published=shown)


def shown_published(published: datetime, first_seen: datetime) -> datetime:
    """The date a stored entry is shown under: its own, unless that is further ahead of
    when it was first seen than `FUTURE_TOLERANCE`."""
    return first_seen if published > first_seen + FUTURE_TOLERANCE else published


def dump_notes(notes: tuple[FeedNote, ...]) -> str | None:
    return json.dumps([[n.message_id, n.count, n.limit] for n in notes]) if notes else None


def load_notes(text: object) -> tuple[FeedNote, ...]:
    """The notes of a feed as stored; what is not one (an export edited by hand) is left
    out, as is a message the catalogue does not have."""
    try:
        data = json.loads(text) if isinstance(text, str) else []
    except ValueError:
        return ()
    known = catalogue(DEFAULT_LANGUAGE)
    return tuple(FeedNote(note[0], note[1], note[2]) for note in
                 (data if isinstance(data, list) else [])
                 if isinstance(note, list) and len(note) == 3 and note[0] in known
                 and all(isinstance(n, int) and not isinstance(n, bool) for n in note[1:]))


def dump_entry(entry: Entry) -> str:
    data = entry.as_data()
    del data["assets"], data["attachments"], data["cleaned"]  # Markdown only: never stored
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def load_entry(data: dict[str, Any], first_seen: datetime) -> Entry:
    # An export is a file in Git that anyone with write access can edit: what the archive
    # never stores (files beside a Markdown post) is never read back, and a slug is a
    # slug, not a path (issue 8). A date that is not one, or out of range, is none: the
    # post is dated when it was first seen (issue 26).
    for key in ("published", "updated", "due"):
        if data.get(key) is not None and parsed(data[key]) is None:
            data[key] = None
    data["published"] = data.get("published") or first_seen.isoformat()
    data.pop("assets", None)
    data.pop("attachments", None)
    data.pop("cleaned", None)
    if data.get("slug") is not None and not is_slug(str(data["slug"])):
        data["slug"] = slugify(str(data["slug"])) or None
    return Entry.from_data(data)


def stored_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def sound(path: Path) -> bool:
    """Whether `path` is an archive that passes SQLite's check (opened read-only)."""
    if not path.is_file() or path.stat().st_size == 0:
        return False
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1)
        try:
            tables = {name for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            return tables >= TABLES and \
                db.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        finally:
            db.close()
    except sqlite3.Error:
        return False
