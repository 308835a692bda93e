"""What pages show that depends on the build's clock, apart from the renderer.

A build first asks whether the last output is still current: it replays here what the
pages showed of the clock (`3 hari lagi`, the "active" badge, the build's date). Kept out
of `render`, that check loads no template engine; an up-to-date build never renders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_timedelta

from generator.dates import RECENT_PAST
from generator.i18n import Translator
from generator.incremental.memo import shown
from generator.models import FeedStatus, Site

RELATIVE_DAYS = timedelta(days=31)
"""Up to this far from the build, `3 hari lagi` counts days; beyond it, months."""
def next_change(dues: Iterable[datetime], now: datetime) -> datetime | None:
    """The first moment from `now` at which an assignment moves from upcoming to past, or
    from recent to older than `RECENT_PAST`: until then, the same posts are upcoming,
    past and recent (the build's `Snapshot.horizon`)."""
    return min((moment for due in dues for moment in (due, due + RECENT_PAST)
                if moment >= now), default=None)


class TimeValues:
    """What pages show that depends on the build's clock, as of one clock `now`.

    The renderer shows these and records them; to reuse a page of an earlier build, each
    recorded value is replayed here and must read the same. `build` replays them too,
    before any post is read, with the teachers' newest posts as the last build saw them
    (generator/incremental/snapshot.py), so nothing here may need the posts themselves.
    """

    def __init__(self, site: Site, now: datetime,
                 last_post: Callable[[str], datetime | None],
                 feed_of: Callable[[str], FeedStatus | None]) -> None:
        self.site, self.now = site, now
        self.last_post, self.feed_of = last_post, feed_of
        self._teachers = {teacher.slug for teacher in site.teachers}
        self._ = Translator(site.school.language)
        self._relative: dict[datetime, str] = {}

    def relative(self, value: datetime) -> str:
        """`dalam 3 hari` / `3 hari yang lalu`, as of `now`."""
        known = self._relative.get(value)
        if known is None:
            known = self._relative[value] = self._format_relative(value - self.now)
        return known

    def _format_relative(self, delta: timedelta) -> str:
        language = self.site.school.language
        # Days, not "4 minggu": a student counts the days left. Hours below one day.
        # Beyond a month, months: an old assignment's page then changes once a month,
        # not every day (each change is a page to render and upload again).
        if abs(delta) > RELATIVE_DAYS:
            return format_timedelta(delta, add_direction=True, locale=language)
        if abs(delta) >= timedelta(days=1):
            return format_timedelta(delta, add_direction=True, granularity="day",
                                    threshold=1000, locale=language)
        return format_timedelta(delta, add_direction=True, granularity="hour", threshold=1.0,
                                locale=language)

    def active(self, teacher: str) -> bool:
        """Whether the teacher posted within the portal's `active_days`."""
        last = self.last_post(teacher)
        return last is not None and \
            self.now - last <= timedelta(days=self.site.portal.active_days)

    def build_date(self, style: str) -> str:
        """The build's date, as the home page's footer shows it."""
        return self._.date(self.now.astimezone(ZoneInfo(self.site.school.timezone)), style)

    def today(self) -> str:
        """The build's day in the school's time zone (`2026-12-07`): what the pages of a
        week or a semester (generator/wall.py) are made for."""
        return self.now.astimezone(ZoneInfo(self.site.school.timezone)).date().isoformat()

    def replay(self, name: str, argument: str) -> str:
        """A recorded value (`name`, `argument`) as it reads now, as `shown` records it."""
        if name == "relative":
            return shown(self.relative(datetime.fromisoformat(argument)))
        if name == "build_date":
            return shown(self.build_date(argument))
        if name == "today":
            return shown(self.today())
        if argument not in self._teachers:
            return "\0gone"
        if name == "active":
            return shown(self.active(argument))
        if name == "last_post":
            return shown(self.last_post(argument))
        return shown(self.feed_of(argument))  # feed_of
