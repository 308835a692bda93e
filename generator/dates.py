"""The dates a post may carry, wherever it comes from (issue 26).

A date at the far end of the calendar (year 1 at +14:00, year 9999 at -12:00) cannot be
moved to every time zone: Python raises OverflowError. One such date in a feed, once
archived, stopped every later build. So the edges (a feed's parser, a Markdown post's
front matter, an archive import) refuse dates outside `EARLIEST`..`LATEST`, and whatever
reads a stored date checks it again with `in_range`, for rows stored before this check.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
"""Older than any post, far from the calendar's start in every time zone."""
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
"""Far from the calendar's end in every time zone. How far ahead a post's own date may
be is bounded much closer where it is known what "now" is (`SCHEDULE_AHEAD`)."""
SCHEDULE_AHEAD = timedelta(days=366)
"""A Markdown post dated after the build is scheduled: it appears when its date comes.
Dated further ahead than this, it is a typo (`2062` for `2026`), reported with its line."""


def in_range(moment: datetime | None) -> bool:
    """Whether `moment` is a date with a time zone, between `EARLIEST` and `LATEST`.

    Comparing aware datetimes does not convert them, so this never raises.
    """
    return moment is not None and moment.utcoffset() is not None and \
        EARLIEST <= moment < LATEST


def parsed(text: object) -> datetime | None:
    """A stored ISO date read back if it is `in_range`, else None (never raises)."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if in_range(moment) else None


RECENT_PAST = timedelta(days=60)
"""Calendars (`tugas.ics`) and class pages keep deadlines this far back (issue 20): a
parent still sees last month's assignment, and a year's do not pile up."""


def recent(due: datetime, now: datetime) -> bool:
    """Whether a deadline is upcoming or within `RECENT_PAST` of `now`."""
    return due >= now - RECENT_PAST
