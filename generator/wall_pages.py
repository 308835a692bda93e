"""The wall pages of issue 24 as the renderer makes them: the posters (`poster/`,
`guru/<slug>/poster/`), each class's week (`kelas/<class>/minggu-ini/`), the parents'
guide (`ortu/`) and teacher activity (`keaktifan/`).

What they show is planned in generator/wall.py; here it is handed to the templates as
plain values (a page's context is fingerprinted to know when it must be made again, see
`Renderer.page`), with the few template globals these pages need.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from babel.dates import format_date, format_time

from generator import syndication, wall
from generator.layout import Layout
from generator.models import OutputFile, Post, Teacher, personal_name
from generator.qr import qr_svg
from generator.slugs import fold

if TYPE_CHECKING:
    from generator.render import Renderer

POSTER = "poster/"
PARENTS = "ortu/"
ACTIVITY = "keaktifan/"
WEEK = "minggu-ini/"


def week_page(name: str) -> str:
    """The folder of a class's week page."""
    return Layout.klass(name) + WEEK


def teacher_poster(layout: Layout, teacher: Teacher) -> str:
    return layout.teacher(teacher) + POSTER


def template_globals(r: Renderer) -> dict[str, Any]:
    """What the wall templates call: the QR code of an address, a teacher's chart, the
    portal's absolute addresses, and the build's day (noted, so that a build on another
    day makes the week and activity pages again)."""
    return {
        "qr": qr_svg, "chart": wall.chart, "chart_width": wall.chart_width,
        "absolute": partial(syndication.absolute, r.portal),
        "today": lambda: r._watch.note("today", "", r.clock.today()),
        "week_page": week_page, "teacher_poster": partial(teacher_poster, r.layout),
        "short_month": partial(_short_month, r.site.school.language),
    }


def school_parts(r: Renderer) -> list[Callable[[], Iterator[OutputFile]]]:
    """The wall's parts of the portal, for `render._school_parts`."""
    return [partial(_school_files, r),
            *(partial(_week_files, r, name) for name in _classes(r))]


def _classes(r: Renderer) -> list[str]:
    return list(r.site.classes) + sorted(name for name in r.index.by_class
                                         if name not in r.site.classes)


def _people(r: Renderer) -> list[Teacher]:
    return sorted(r.site.teachers, key=lambda t: fold(personal_name(t.name)))


def _school_files(r: Renderer) -> Iterator[OutputFile]:
    yield r.page(POSTER + "index.html", "poster.html", teacher=None, teachers=_people(r))
    yield r.page(PARENTS + "index.html", "parents.html", classes=_classes(r))
    activity = wall.activity(r.site.teachers, r.index.by_teacher, r.portal.generated, r.zone,
                             lambda t: fold(personal_name(t.name)))
    yield r.page(ACTIVITY + "index.html", "activity.html", months=activity.months,
                 rows=activity.teachers, recent=activity.recent, by_month=activity.by_month,
                 top=activity.top, recent_days=wall.RECENT_DAYS)


def teacher_files(r: Renderer, teacher: Teacher) -> Iterator[OutputFile]:
    """A teacher's own poster, for `render._teacher_files` (their micro-site too)."""
    yield r.page(teacher_poster(r.layout, teacher) + "index.html", "poster.html",
                 teacher=teacher, teachers=[])


def _week_files(r: Renderer, name: str) -> Iterator[OutputFile]:
    week = wall.Week.of(r.portal.generated, r.zone)
    due = week.due(p for p in r.index.upcoming if name in p.classes)
    # An assignment posted this week is listed once, with its deadline.
    posted = [p for p in week.posted(r.index.by_class.get(name, ())) if p not in due]
    base = week_page(name)
    _ = r._
    text = wall.whatsapp_text(
        _("wall.whatsapp.heading", name=name,
          since=_short_day(r, week.since.date()), until=_short_day(r, week.today)),
        [wall.Line(p.title, _detail(r, p), _address(r, p)) for p in due],
        [wall.Line(p.title, ", ".join(s.name for s in p.subjects), _address(r, p))
         for p in posted],
        syndication.absolute(r.portal, base), _)
    yield r.page(base + "index.html", "week.html", name=name,
                 posted=posted[:wall.WEEK_POSTS_SHOWN],
                 more=max(0, len(posted) - wall.WEEK_POSTS_SHOWN), due=due,
                 since=week.since, text=text)


def _address(r: Renderer, post: Post) -> str:
    return syndication.absolute(r.portal, r.layout.post(post))


def _detail(r: Renderer, post: Post) -> str:
    """`Matematika, tenggat Jumat, 11 Des 23.59`: short, for a phone's screen."""
    subjects = ", ".join(s.name for s in post.subjects)
    assert post.due is not None
    local = post.due.astimezone(r.zone)
    when = format_date(local, "EEEE, d MMM", locale=r.site.school.language)
    if (local.hour, local.minute) != (23, 59):
        when += " " + format_time(local, "HH.mm", locale=r.site.school.language)
    deadline = r._("wall.whatsapp.deadline", date=when)
    return f"{subjects}, {deadline}" if subjects else deadline


def _short_month(language: str, month: str) -> str:
    """`2026-11` -> `Nov`, under a bar of a teacher's chart."""
    return format_date(date.fromisoformat(month + "-01"), "LLL", locale=language)


def _short_day(r: Renderer, day: date) -> str:
    return format_date(day, "d MMM", locale=r.site.school.language)
