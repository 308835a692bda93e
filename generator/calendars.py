"""Calendars of deadlines: `tugas/tugas.ics` for the school, `kelas/<class>/tugas.ics` for
each class (issue 20), that a parent subscribes to once, at the start of the year.

RFC 5545, written by the icalendar library so that folding, escaping and the time zone's
VTIMEZONE are its job. Pure, like the rest of render: posts in, bytes out. A file changes
only when what it lists does: every value comes from the posts and the site, none from
the build's clock (DTSTAMP is the post's last change), so an unchanged rebuild leaves it
as it is and a calendar app sees nothing new.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vDuration

from generator.i18n import Translator
from generator.layout import Layout
from generator.models import Portal, Post
from generator.syndication import absolute

REFRESH = timedelta(hours=6)
"""How often a subscribed calendar app should look again: scheduled builds run a few times
a day."""
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
"""Characters RFC 5545 allows in no text value (a tab and a line break it does, escaped).
icalendar writes them as they are, and a title or a site.yml name may hold one (see
syndication._NOT_XML): a strict calendar app would refuse the whole file."""


def _text(value: str) -> str:
    return _CONTROL.sub("", value.replace("\r\n", "\n"))


def names_a_day(post: Post) -> bool:
    """Whether the deadline is a whole day, shown and put in calendars without a time:
    the text or the front matter (`due: 2026-12-18`) gave no time (`due_all_day`)."""
    return post.due is None or post.due_all_day


def calendar(portal: Portal, layout: Layout, base: str, name: str | None,
             posts: Sequence[Post]) -> bytes:
    """The calendar at `base` (`tugas/`, `kelas/x-ipa-1/`) of the assignments `posts`,
    for the class `name`, or the whole school when None. Every calendar holds the school's
    VTIMEZONE, even one with no deadline, so that a client adds the first one right."""
    site = portal.site
    _ = Translator(site.school.language)
    zone = ZoneInfo(site.school.timezone)
    title = _text(_("calendar.school", school=site.school.name) if name is None else
                  _("calendar.class", name=name, school=site.school.name))
    cal = Calendar()
    cal.add("prodid", "-//Mading//Tugas//ID")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", title)
    cal.add("x-wr-calname", title)
    cal.add("x-wr-caldesc", _("calendar.description"))
    cal.add("x-wr-timezone", site.school.timezone)
    cal.add("url", absolute(portal, base))
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    cal.add_component(_vtimezone(site.school.timezone))
    host = urlsplit(site.school.url).hostname or "mading"
    for post in sorted(posts, key=lambda p: (p.due, p.title, p.teacher.slug, p.slug)):
        if post.due is not None:
            cal.add_component(_event(post, portal, layout, zone, host, _))
    data: bytes = cal.to_ical()
    return data


@cache
def _vtimezone(zone: str) -> Timezone:
    """The zone's VTIMEZONE, made once per process: icalendar takes some 25 ms to work it
    out from the tz data, for each of a school's dozens of calendars. Only ever written,
    never changed, so every calendar may hold the same one."""
    return Timezone.from_tzid(zone)


def _event(post: Post, portal: Portal, layout: Layout, zone: ZoneInfo, host: str,
           _: Translator) -> Event:
    assert post.due is not None
    event = Event()
    # The post's address on the portal never changes (the archive keeps the first slug),
    # so neither does its UID: an edited deadline updates the event, not a new one.
    event.add("uid", f"{post.teacher.slug}/{post.slug}@{host}")
    event.add("dtstamp", (post.updated or post.published).astimezone(ZoneInfo("UTC")))
    event.add("summary", _text(post.title))
    local = post.due.astimezone(zone)
    start: date | datetime = local.date() if names_a_day(post) else local
    event.add("dtstart", start)
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    address = absolute(portal, layout.post(post))
    event.add("url", address)
    categories = [_text(s.name) for s in post.subjects] + [_text(c) for c in post.classes]
    if categories:
        event.add("categories", categories)
    lines = [post.teacher.name]
    if post.hand_in:
        lines.append(_("calendar.hand_in", where=post.hand_in))
    if post.due_read and post.link:
        lines.append(_("calendar.read", link=post.link))
    lines.append(address)
    event.add("description", _text("\n".join(lines)))
    return event
