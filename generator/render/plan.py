"""What a page of the portal is before it is rendered: the vocabulary of the page plan.

A plan is a list of parts (the home page, a subject's listings, a teacher's micro-site),
each giving its specs one at a time, so that a district's pages are never all held. A
spec says what to make and from what: a theme's template and its context (`Page`), a
file made by code from the inputs that key it (`Made`: feeds, calendars, the sitemap),
or a file as it is (`OutputFile`: pictures, attachments, robots.txt). Pure: the plan
reads records, never the disk; generator/render/__init__.py turns specs into files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from generator import calendars, syndication
from generator.dates import recent
from generator.i18n import Translator
from generator.layout import Layout
from generator.models import OutputFile, Portal, Post, Teacher, pages_here
from generator.pictures import Pictures


@dataclass(frozen=True)
class Page:
    """The theme's `template` rendered with `context` to `path`; `root` leads from that
    page back to the site's root."""

    path: str
    template: str
    context: dict[str, Any]
    root: str


@dataclass(frozen=True)
class Made:
    """A file made by code, not by a template: `produce` makes its bytes, which show
    nothing but `inputs` (and the site), so that `inputs` key it."""

    path: str
    inputs: tuple[Any, ...]
    produce: Callable[[], bytes]


Spec = Page | Made | OutputFile
"""One file of the build, as the plan gives it."""
Part = Callable[[], Iterator[Spec]]
"""A piece of the portal that is planned and rendered on its own."""


def page(path: str, template: str, root: str | None = None, **context: Any) -> Page:
    """The page at `path`; its links lead back `../` once per folder, unless `root` says
    otherwise (404.html, served at any address)."""
    return Page(path, template, context, "../" * path.count("/") if root is None else root)


@dataclass(frozen=True)
class Pager:
    """One page of a listing."""

    base: str
    number: int
    count: int
    posts: tuple[Post, ...]

    @property
    def previous(self) -> str | None:
        return Layout.page(self.base, self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return Layout.page(self.base, self.number + 1) if self.number < self.count else None


@dataclass(frozen=True)
class PostIndex:
    """The portal's posts grouped every way the pages need them, computed once."""

    by_subject: dict[str, list[Post]] = field(default_factory=lambda: defaultdict(list))
    by_class: dict[str, list[Post]] = field(default_factory=lambda: defaultdict(list))
    by_teacher: dict[str, list[Post]] = field(default_factory=lambda: defaultdict(list))
    upcoming: list[Post] = field(default_factory=list)
    """Assignments not yet due, nearest first."""
    past: list[Post] = field(default_factory=list)
    """Assignments past their due date, most recent first."""
    recent: list[Post] = field(default_factory=list)
    """The `past` ones due within `dates.RECENT_PAST`: calendars and class pages keep
    these."""

    @classmethod
    def of(cls, portal: Portal) -> PostIndex:
        index = cls()
        for post in portal.posts:
            index.by_teacher[post.teacher.slug].append(post)
            for subject in post.subjects:
                index.by_subject[subject.slug].append(post)
            for name in post.classes:
                index.by_class[name].append(post)
            if post.kind == "tugas" and post.due is not None:
                (index.upcoming if post.due >= portal.generated else index.past).append(post)
        index.upcoming.sort(key=lambda p: (p.due, p.title))
        index.past.sort(key=lambda p: (p.due, p.title), reverse=True)
        index.recent.extend(p for p in index.past
                            if p.due is not None and recent(p.due, portal.generated))
        return index

    def last_post(self, teacher: Teacher) -> datetime | None:
        posts = self.by_teacher.get(teacher.slug)
        return posts[0].published if posts else None


class Plan:
    """What every part of the plan reads: the portal, its layout, its posts grouped, the
    right-sized pictures of each post, and the site's language and time zone."""

    def __init__(self, portal: Portal, layout: Layout, pictures: Pictures | None = None) -> None:
        self.portal = portal
        self.site = portal.site
        self.layout = layout
        self.pictures: Pictures = pictures or {}
        """Each post's right-sized pictures (generator/picture_copies.py)."""
        self.index = PostIndex.of(portal)
        self.zone = ZoneInfo(self.site.school.timezone)
        self._ = Translator(self.site.school.language)

    def month_name(self, month: str) -> str:
        """`2026-11` -> `November 2026` in the site's language."""
        year, number = month.split("-")
        return self._.month(datetime(int(year), int(number), 1, tzinfo=self.zone))

    def class_names(self) -> list[str]:
        """The school's classes in its order, then those only posts name, by name."""
        declared = self.site.classes
        return list(declared) + sorted(name for name in self.index.by_class
                                       if name not in declared)


def listing(p: Plan, base: str, template: str, title: str, posts: Sequence[Post],
            feeds: bool = True, **context: Any) -> Iterator[Spec]:
    """A paginated listing of `posts` at `base`, and its Atom and JSON feeds."""
    size = p.site.portal.page_size
    chunks = [tuple(posts[i:i + size]) for i in range(0, len(posts), size)] or [()]
    for number, chunk in enumerate(chunks, start=1):
        pager = Pager(base, number, len(chunks), chunk)
        yield page(Layout.page(base, number) + "index.html", template, title=title,
                   pager=pager, feed_base=base if feeds else None, **context)
    if feeds:
        yield from feed_files(p, base, title, posts)


def feed_files(p: Plan, base: str, title: str, posts: Sequence[Post]) -> Iterator[Spec]:
    """The Atom and JSON feeds of a listing; an empty one is dated by the portal's newest
    posts."""
    portal, layout = p.portal, p.layout
    shown = (title, posts[:syndication.FEED_LIMIT], () if posts else portal.posts[:50])
    yield Made(base + "feed.xml", ("atom", *shown),
               lambda: syndication.atom(portal, layout, base, title, posts))
    yield Made(base + "feed.json", ("json", *shown),
               lambda: syndication.json_feed(portal, layout, base, title, posts))


def calendar(p: Plan, base: str, name: str | None, posts: Sequence[Post]) -> Iterator[Spec]:
    """The calendar (`tugas.ics`) at `base` of the deadlines of `posts`: upcoming and
    recent ones, so it changes as time moves them (see `clock.next_change`)."""
    portal, layout = p.portal, p.layout
    yield Made(base + "tugas.ics", ("ics", name, posts),
               lambda: calendars.calendar(portal, layout, base, name, posts))


def grouped_by_class(posts: list[Post], declared: tuple[str, ...]
                     ) -> list[tuple[str | None, list[Post]]]:
    """Assignments grouped by class in the school's order; those for no class come last."""
    groups: dict[str | None, list[Post]] = {}
    for post in posts:
        for name in post.classes or (None,):
            groups.setdefault(name, []).append(post)
    order = {name: number for number, name in enumerate(declared)}
    return sorted(groups.items(), key=lambda g: (g[0] is None, order.get(g[0] or "", 999),
                                                 g[0] or ""))


def teaching(p: Plan) -> Mapping[str, list[Teacher]]:
    """{subject's slug: its teachers with pages here, in the site's order}: a province's
    subject names none of its districts' thousands (`pages_here`)."""
    teachers = pages_here(p.site.teachers)
    return {s.slug: [t for t in teachers if s.slug in t.subjects] for s in p.site.subjects}
