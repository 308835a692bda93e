"""What the wall pages show (issue 24), as plain data: no template, no I/O.

- the week of a class, for parents (`kelas/<class>/minggu-ini/`): what was posted in the
  last seven days and what is due in the next seven, and the same as a short plain text
  for a WhatsApp group;
- teacher activity for the principal (`keaktifan/`): posts per month over the current
  semester, and the school's share of teachers who posted lately.

Both are as of the build's clock, counted in whole days of the school's time zone: the
pages note the day they were made for (`TimeValues.today`), so a build the next day makes
them again, and two builds on the same day agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from generator.i18n import Translator
from generator.models import Post, Teacher

WEEK_DAYS = 7
"""The week page looks this many days back (posted) and ahead (due)."""
RECENT_DAYS = 30
"""The principal's measure: a teacher who posted within this many days (issue 24)."""
WHATSAPP_LIMIT = 1000
"""Characters of the text for a class's WhatsApp group: short enough to read on a phone
without "Read more", and to paste whole."""
WEEK_POSTS_SHOWN = 20
"""New posts listed on a class's week page; the rest are counted and left to the class's
page, so that the week stays one short page (issue 24: under 15 KB gzipped)."""
TITLE_LIMIT = 90
"""A title longer than this is cut in the WhatsApp text: one post must not fill it."""


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


@dataclass(frozen=True)
class Week:
    """The days a class's week page covers, as of one build."""

    today: date
    """The build's day in the school's time zone."""
    since: datetime
    """The start of the day `WEEK_DAYS - 1` days ago: posts from then on are "this week"."""
    now: datetime
    until: datetime
    """The end of the `WEEK_DAYS`-th day from today: deadlines from `now` to this."""

    @classmethod
    def of(cls, now: datetime, zone: ZoneInfo) -> Week:
        today = now.astimezone(zone).date()
        return cls(today, local_midnight(today - timedelta(days=WEEK_DAYS - 1), zone), now,
                   local_midnight(today + timedelta(days=WEEK_DAYS + 1), zone))

    def posted(self, posts: Iterable[Post]) -> list[Post]:
        """The posts published this week, newest first (as `posts` come)."""
        return [p for p in posts if self.since <= p.published <= self.now]

    def due(self, upcoming: Iterable[Post]) -> list[Post]:
        """The assignments of `upcoming` (not yet due, nearest first) due within the week."""
        return [p for p in upcoming if p.due is not None and p.due < self.until]


@dataclass(frozen=True)
class Line:
    """One post in the WhatsApp text, its parts already in the reader's words."""

    title: str
    detail: str
    """The subjects, and for an assignment its deadline."""
    address: str


def whatsapp_text(heading: str, due: Sequence[Line], posted: Sequence[Line],
                  more_address: str, _: Translator) -> str:
    """The class's week as plain text of at most `WHATSAPP_LIMIT` characters.

    Assignments come first (what a parent acts on), then new material; each with its
    address on a line of its own, which WhatsApp turns into a link. What does not fit is
    counted in the last line, which links the week page where all of it is.
    """
    footer_all = _("wall.whatsapp.all", address=more_address)
    if not due and not posted:
        return _fit(f"{heading}\n\n{_('wall.whatsapp.nothing')}\n\n{footer_all}")

    def footer(left: int) -> str:
        return footer_all if left == 0 else _("wall.whatsapp.more", count=left,
                                              address=more_address)

    titles = {"due": _("wall.whatsapp.due"), "posted": _("wall.whatsapp.posted")}
    lines = [("due", line) for line in due] + [("posted", line) for line in posted]
    text, opened, shown = heading, "", 0
    for section, line in lines:
        # The first line that does not fit ends the list: the footer counts the tail.
        item = "" if section == opened else f"\n\n{titles[section]}"
        item += f"\n- {_cut(line.title)}{' (' + line.detail + ')' if line.detail else ''}" \
                f"\n  {line.address}"
        if len(text + item) + 2 + len(footer(len(lines) - shown - 1)) > WHATSAPP_LIMIT:
            break
        text, opened, shown = text + item, section, shown + 1
    return _fit(f"{text}\n\n{footer(len(lines) - shown)}")


def _cut(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= TITLE_LIMIT else title[:TITLE_LIMIT - 1].rstrip() + "…"


def _fit(text: str) -> str:
    """The limit held even for a school whose name or address is absurdly long."""
    return text if len(text) <= WHATSAPP_LIMIT else text[:WHATSAPP_LIMIT - 1] + "…"


def semester_months(today: date) -> list[str]:
    """The months (`2026-07`) of the current school semester up to today's: July to
    December (semester ganjil) or January to June (semester genap)."""
    first = 7 if today.month >= 7 else 1
    return [f"{today.year}-{month:02d}" for month in range(first, today.month + 1)]


@dataclass(frozen=True)
class Bar:
    """One month of a teacher's chart, in the chart's own units."""

    month: str
    count: int
    x: int
    y: int
    height: int


CHART_HEIGHT = 30
BAR_WIDTH = 14
BAR_GAP = 4


def chart(counts: Sequence[int], months: Sequence[str], top: int) -> tuple[Bar, ...]:
    """A teacher's bars, scaled so that `top` (the school's busiest month) fills the
    chart. A month with posts gets at least a sliver, a month with none a flat line."""
    return tuple(
        Bar(month, count, index * (BAR_WIDTH + BAR_GAP), CHART_HEIGHT - height, height)
        for index, (month, count) in enumerate(zip(months, counts, strict=True))
        for height in [max(2, round(CHART_HEIGHT * count / top)) if count and top else 1])


def chart_width(months: Sequence[str]) -> int:
    return max(1, len(months) * (BAR_WIDTH + BAR_GAP) - BAR_GAP)


@dataclass(frozen=True)
class Activity:
    """The principal's view: each teacher's semester, and the school's share of teachers
    who post. Plain values, as a page's context is fingerprinted (generator/render/keys.py)."""

    months: tuple[str, ...]
    teachers: tuple[tuple[Teacher, tuple[int, ...], datetime | None], ...]
    """(teacher, posts in each month of `months`, their newest post ever), every teacher."""
    recent: int
    """Teachers who posted within `RECENT_DAYS` (whole days, to the end of today)."""
    by_month: tuple[tuple[str, int], ...]
    """(month, teachers who posted in that month), for each month of the semester."""

    @property
    def top(self) -> int:
        return max((count for _t, counts, _l in self.teachers for count in counts), default=0)


def activity(teachers: Sequence[Teacher], posts_of: Mapping[str, Sequence[Post]],
             now: datetime, zone: ZoneInfo, order: Callable[[Teacher], str]) -> Activity:
    """Every teacher of site.yml, those with no post included (the principal must see
    them), in `order`; `posts_of` gives each teacher's posts, newest first."""
    today = now.astimezone(zone).date()
    months = tuple(semester_months(today))
    recent_since = local_midnight(today - timedelta(days=RECENT_DAYS - 1), zone)
    lines = []
    recent = 0
    active_in: dict[str, int] = dict.fromkeys(months, 0)
    for teacher in sorted(teachers, key=order):
        posts = [p for p in posts_of.get(teacher.slug, ()) if p.published <= now]
        counts = dict.fromkeys(months, 0)
        for post in posts:
            month = post.published.astimezone(zone).strftime("%Y-%m")
            if month in counts:
                counts[month] += 1
        for month, count in counts.items():
            active_in[month] += count > 0
        recent += bool(posts) and posts[0].published >= recent_since
        lines.append((teacher, tuple(counts.values()), posts[0].published if posts else None))
    return Activity(months, tuple(lines), recent, tuple(active_in.items()))
