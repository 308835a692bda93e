"""The archive as JSON Lines and back: what `mading archive export` writes and
`mading archive import` merges.

Sorted and one record per line, so that a Git diff between two runs shows just the posts
and feeds that changed. An export lives in Git, where anyone with write access can edit
it: every record is checked as it is merged, and its entries pass the check the caller
hands in (the archive sanitizes nothing itself, issue 22). The archive
(generator/archive.py) runs both inside its own checks and transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

from generator.addresses import web_url
from generator.archive_format import (
    EXPORT_FORMAT,
    FEED_COLUMNS,
    PORTAL_COLUMNS,
    SCHEMA_VERSION,
    dump_entry,
    dump_notes,
    load_entry,
    load_notes,
    stored_time,
)
from generator.dates import in_range
from generator.models import Entry

Rows = Callable[[str], list[tuple[Any, ...]]]
"""Runs a query on the archive and returns its rows."""


def export_lines(rows: Rows) -> Iterator[str]:
    """A header, then feeds, then portals, then entries, each sorted."""
    yield json.dumps({"format": EXPORT_FORMAT, "version": SCHEMA_VERSION})
    for row in rows(f"SELECT {', '.join(FEED_COLUMNS)} FROM feeds ORDER BY teacher"):
        yield json.dumps({"feed": dict(zip(FEED_COLUMNS, row, strict=True))},
                         ensure_ascii=False, sort_keys=True)
    for row in rows(f"SELECT {', '.join(PORTAL_COLUMNS)} FROM portals ORDER BY school"):
        yield json.dumps({"portal": dict(zip(PORTAL_COLUMNS, row, strict=True))},
                         ensure_ascii=False, sort_keys=True)
    for teacher, entry_id, link, data, first, last in rows(
            "SELECT teacher, entry_id, link, data, first_seen, last_seen FROM entries "
            "ORDER BY teacher, entry_id"):
        record = {"teacher": teacher, "entry_id": entry_id, "link": link,
                  "data": json.loads(data), "first_seen": first, "last_seen": last}
        yield json.dumps({"entry": record}, ensure_ascii=False, sort_keys=True)


def is_header(record: object) -> bool:
    """Whether `record`, an export's first line read, says the file is an export."""
    return isinstance(record, dict) and record.get("format") == EXPORT_FORMAT


def merge_feed(db: sqlite3.Connection, feed: dict[str, Any]) -> None:
    """A feed's status of an export; the newer of it and the stored one is kept."""
    columns = FEED_COLUMNS
    values = [feed.get(c) for c in columns]
    values[4] = values[4] or ""
    # The teacher's page links to the home page: http(s) only, as when it was read.
    values[2], values[3] = web_url(values[2], None), web_url(values[3], None)
    values[10] = dump_notes(load_notes(values[10]))  # only what the report can show
    db.execute(
        f"INSERT INTO feeds ({', '.join(columns)}) VALUES "
        f"({', '.join('?' * len(columns))}) ON CONFLICT (teacher) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
        + " WHERE COALESCE(excluded.last_success, '') >= COALESCE(feeds.last_success, '')",
        values)


def merge_portal(db: sqlite3.Connection, portal: dict[str, Any]) -> None:
    """A school portal's index of an export, checked again when it is read
    (`federation`); the newer of it and the stored one is kept."""
    values = [portal.get(c) for c in PORTAL_COLUMNS]
    if not isinstance(values[0], str) or not isinstance(values[1], str):
        raise ValueError("a portal needs its school and source")
    db.execute(
        f"INSERT INTO portals ({', '.join(PORTAL_COLUMNS)}) VALUES "
        f"({', '.join('?' * len(PORTAL_COLUMNS))}) ON CONFLICT (school) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in PORTAL_COLUMNS[1:])
        + " WHERE COALESCE(excluded.last_success, '') >= "
        "COALESCE(portals.last_success, '')", [None if v is None else str(v)
                                               for v in values])


def merge_entry(db: sqlite3.Connection, entry: dict[str, Any],
                check: Callable[[Entry], Entry]) -> None:
    """An entry of an export, as `check` gives it back, merged with the stored one."""
    # What entries() will read back must make an Entry: a bad record is refused
    # here, with its line, rather than failing every later build. Its times are
    # times; a post's date out of range is taken as none, as a feed's is (issue 26).
    first, last = stored_time(entry["first_seen"]), stored_time(entry["last_seen"])
    if first is None or not (in_range(first) and in_range(last)):
        raise ValueError("first_seen and last_seen must be dates")
    checked = check(load_entry(dict(entry["data"]), first))
    db.execute(
        "INSERT INTO entries (teacher, entry_id, link, data, first_seen, last_seen) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (teacher, entry_id) DO UPDATE SET "
        "data = CASE WHEN excluded.last_seen > entries.last_seen THEN excluded.data "
        "ELSE entries.data END, link = COALESCE(entries.link, excluded.link), "
        "first_seen = MIN(entries.first_seen, excluded.first_seen), "
        "last_seen = MAX(entries.last_seen, excluded.last_seen)",
        (entry["teacher"], entry["entry_id"], checked.link, dump_entry(checked),
         entry["first_seen"], entry["last_seen"]))
