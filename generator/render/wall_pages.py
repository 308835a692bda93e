"""The wall pages of issue 24 in the page plan: the posters (`poster/`,
`guru/<slug>/poster/`), each class's week (`kelas/<class>/minggu-ini/`), the parents'
guide (`ortu/`) and teacher activity (`keaktifan/`).

What they show is planned in generator/wall.py; here it is handed to the templates as
plain values (a page's context keys it, see `render.keys`), with the few template globals
these pages need.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from functools import partial
from typing import Any

from babel.dates import format_date, format_time

from generator import syndication, wall
from generator.layout import Layout
from generator.models import Portal, Post, Teacher, pages_here, personal_name
from generator.qr import qr_svg
from generator.render.plan import Part, Plan, Spec, page
from generator.slugs import fold

POSTER = "poster/"
PARENTS = "ortu/"
ACTIVITY = "keaktifan/"
WEEK = "minggu-ini/"


def week_page(name: str) -> str:
    """The folder of a class's week page."""
    return Layout.klass(name) + WEEK


def teacher_poster(layout: Layout, teacher: Teacher) -> str:
    return layout.teacher(teacher) + POSTER


def template_globals(portal: Portal, layout: Layout,
                     today: Callable[[], str]) -> dict[str, Any]:
    """What the wall templates call: the QR code of an address, a teacher's chart, the
    portal's absolute addresses, and the build's day (`today`, which the renderer notes,
    so that a build on another day makes the week and activity pages again)."""
    return {
        "qr": qr_svg, "chart": wall.chart, "chart_width": wall.chart_width,
        "absolute": partial(syndication.absolute, portal), "today": today,
        "week_page": week_page, "teacher_poster": partial(teacher_poster, layout),
        "short_month": partial(_short_month, portal.site.school.language),
    }


def school_parts(p: Plan) -> list[Part]:
    """The wall's parts of the portal, for `pages.site_pages`."""
    return [partial(_school_files, p),
            *(partial(_week_files, p, name) for name in p.class_names())]


def _people(p: Plan) -> list[Teacher]:
    return sorted(pages_here(p.site.teachers), key=lambda t: fold(personal_name(t.name)))


def _school_files(p: Plan) -> Iterator[Spec]:
    yield page(POSTER + "index.html", "poster.html", teacher=None, teachers=_people(p))
    yield page(PARENTS + "index.html", "parents.html", classes=p.class_names())
    activity = wall.activity(pages_here(p.site.teachers), p.index.by_teacher,
                             p.portal.generated, p.zone, lambda t: fold(personal_name(t.name)))
    yield page(ACTIVITY + "index.html", "activity.html", months=activity.months,
               rows=activity.teachers, recent=activity.recent, by_month=activity.by_month,
               top=activity.top, recent_days=wall.RECENT_DAYS)


def teacher_files(p: Plan, teacher: Teacher) -> Iterator[Spec]:
    """A teacher's own poster, for `pages.teacher_files` (their micro-site too)."""
    yield page(teacher_poster(p.layout, teacher) + "index.html", "poster.html",
               teacher=teacher, teachers=[])


def _week_files(p: Plan, name: str) -> Iterator[Spec]:
    week = wall.Week.of(p.portal.generated, p.zone)
    due = week.due(post for post in p.index.upcoming if name in post.classes)
    # An assignment posted this week is listed once, with its deadline.
    posted = [post for post in week.posted(p.index.by_class.get(name, ()))
              if post not in due]
    base = week_page(name)
    _ = p._
    text = wall.whatsapp_text(
        _("wall.whatsapp.heading", name=name,
          since=_short_day(p, week.since.date()), until=_short_day(p, week.today)),
        [wall.Line(post.title, _detail(p, post), _address(p, post)) for post in due],
        [wall.Line(post.title, ", ".join(s.name for s in post.subjects), _address(p, post))
         for post in posted],
        syndication.absolute(p.portal, base), _)
    yield page(base + "index.html", "week.html", name=name,
               posted=posted[:wall.WEEK_POSTS_SHOWN],
               more=max(0, len(posted) - wall.WEEK_POSTS_SHOWN), due=due,
               since=week.since, text=text)


def _address(p: Plan, post: Post) -> str:
    return syndication.absolute(p.portal, p.layout.post(post))


def _detail(p: Plan, post: Post) -> str:
    """`Matematika, tenggat Jumat, 11 Des 23.59`: short, for a phone's screen."""
    subjects = ", ".join(s.name for s in post.subjects)
    assert post.due is not None
    local = post.due.astimezone(p.zone)
    when = format_date(local, "EEEE, d MMM", locale=p.site.school.language)
    if (local.hour, local.minute) != (23, 59):
        when += " " + format_time(local, "HH.mm", locale=p.site.school.language)
    deadline = p._("wall.whatsapp.deadline", date=when)
    return f"{subjects}, {deadline}" if subjects else deadline


def _short_month(language: str, month: str) -> str:
    """`2026-11` -> `Nov`, under a bar of a teacher's chart."""
    return format_date(date.fromisoformat(month + "-01"), "LLL", locale=language)


def _short_day(p: Plan, day: date) -> str:
    return format_date(day, "d MMM", locale=p.site.school.language)
