"""Render the portal: every page, feed and file of the URL layout, as `OutputFile`s.

Pure: takes a `Portal` and a theme folder, returns bytes; writing is the next stage.
Every internal link is relative (`root` is `../` repeated to the page's depth) and names
`index.html` explicitly, so the output works from any sub-path and opened from disk.
Listings (school, subject, class, teacher, month, tag) are paginated and given their feeds
in one place, `_listing`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_timedelta
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import escape

from generator import syndication
from generator.i18n import Translator
from generator.layout import Layout, class_slug
from generator.models import OutputFile, Portal, Post, Teacher, personal_name
from generator.slugs import fold

HOME_LATEST = 12
HOME_PER_SUBJECT = 3
HOME_ASSIGNMENTS = 5
DEFAULT_THEME = "default"


def theme_dir(name: str = DEFAULT_THEME) -> Path:
    """The theme shipped with Mading: inside the package when installed, else the repo's."""
    packaged = Path(__file__).parent / "themes" / name
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "themes" / name


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
        return index

    def last_post(self, teacher: Teacher) -> datetime | None:
        posts = self.by_teacher.get(teacher.slug)
        return posts[0].published if posts else None


class Renderer:
    """One Jinja environment per build, with the site's language, time zone and layout."""

    def __init__(self, portal: Portal, theme: Path, layout: Layout) -> None:
        self.portal = portal
        self.site = portal.site
        self.layout = layout
        self.index = PostIndex.of(portal)
        self.zone = ZoneInfo(self.site.school.timezone)
        self._ = Translator(self.site.school.language)
        self.env = theme_environment(theme)
        self.env.filters.update(date=self.format_date, isodate=self.iso_date,
                                relative=self.relative, due_date=self.due_date,
                                filesize=self.file_size)
        self.env.globals.update(
            _=self._, site=self.site, school=self.site.school, portal=portal, url=layout,
            index=self.index, standalone=layout.standalone is not None,
            kind_label=lambda kind: self._(f"kind.{kind}"), class_slug=class_slug,
            active=self.active, share_link=self.share_link, month_name=self.month_name,
            page_content=page_content,
            content_security_policy=content_security_policy(self.site.embed_hosts),
        )

    def format_date(self, value: datetime, style: str = "medium") -> str:
        return self._.date(value.astimezone(self.zone), style)

    def iso_date(self, value: datetime) -> str:
        return value.astimezone(self.zone).isoformat(timespec="minutes")

    def relative(self, value: datetime) -> str:
        """`dalam 3 hari` / `3 hari yang lalu`: as of the build; the page's script keeps
        it current between builds."""
        delta = value - self.portal.generated
        # Days, not "4 minggu": a student counts the days left. Hours below one day.
        if abs(delta) >= timedelta(days=1):
            return format_timedelta(delta, add_direction=True, granularity="day",
                                    threshold=1000, locale=self.site.school.language)
        return format_timedelta(delta, add_direction=True, granularity="hour", threshold=1.0,
                                locale=self.site.school.language)

    def due_date(self, value: datetime) -> str:
        """`Jumat, 18 Desember 2026`, with the time when the teacher gave one (not 23.59)."""
        local = value.astimezone(self.zone)
        if (local.hour, local.minute) == (23, 59):
            return self._.date(local, "full")
        return self._.datetime(local)

    def file_size(self, size: int) -> str:
        """`120 KB`, `2,4 MB`: rounded and in the site's number format."""
        if size < 1024 * 1024:
            return f"{max(1, round(size / 1024))} KB"
        return format_decimal(round(size / (1024 * 1024), 1), locale=self.site.school.language) \
            + " MB"

    def month_name(self, month: str) -> str:
        """`2026-11` -> `November 2026` in the site's language."""
        year, number = month.split("-")
        return self._.month(datetime(int(year), int(number), 1, tzinfo=self.zone))

    def active(self, teacher: Teacher) -> bool:
        last = self.index.last_post(teacher)
        window = timedelta(days=self.site.portal.active_days)
        return last is not None and self.portal.generated - last <= window

    def share_link(self, post: Post) -> str:
        """A plain WhatsApp link (no script, no tracker) with the title, due date and URL."""
        lines = [post.title]
        if post.kind == "tugas" and post.due:
            lines.append(self._("theme.post.due", date=self.due_date(post.due)))
        lines.append(syndication.absolute(self.portal, self.layout.post(post)))
        return "https://wa.me/?text=" + quote("\n".join(lines), safe="")

    def page(self, path: str, template: str, root: str | None = None,
             **context: Any) -> OutputFile:
        """Render `template` to `path`; `root` leads from that page back to the site root."""
        if root is None:
            root = "../" * path.count("/")

        def href(target: str) -> str:
            return root + target + ("index.html" if target == "" or target.endswith("/") else "")

        html = self.env.get_template(template).render(root=root, href=href, page_path=path,
                                                      **context)
        return OutputFile(path, html.encode("utf-8"))


_SCROLLER = re.compile(r"<(table|pre)\b")
_UNTITLED_IFRAME = re.compile(r"<iframe\b(?![^>]*\stitle=)")


def page_content(post: Post) -> str:
    """A post's stored HTML as its page shows it.

    Wide tables and code scroll sideways on phones, so they must be reachable by keyboard
    (WCAG 2.1.1); an embed without a title is named after the post. Done here, not in the
    sanitizer, because the archive already holds sanitized HTML. The inserted `tabindex=0`
    carries no quotes on purpose: it cannot close an attribute it might land in.
    """
    html = _SCROLLER.sub(r"<\1 tabindex=0", post.content_html)
    return _UNTITLED_IFRAME.sub(lambda m: f'<iframe title="{escape(post.title)}"', html)


@cache
def theme_environment(theme: Path) -> Environment:
    """The Jinja environment of a theme, kept for the life of the process.

    Compiling the templates is a quarter of a small site's build; `mading serve` rebuilds
    on every save, so the compiled templates are kept (Jinja still reloads a template whose
    file changed). Each build sets its own globals and filters before rendering; builds run
    one at a time.
    """
    return Environment(
        loader=FileSystemLoader(theme / "templates"),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def content_security_policy(embed_hosts: tuple[str, ...]) -> str:
    """The pages' CSP: scripts and styles from the site only, frames from the embed hosts.

    Images may come from any web host: feed posts show pictures from their own blogs.
    `'wasm-unsafe-eval'` lets search (cari/) compile Pagefind's WebAssembly, which comes
    from the site too; it allows no JavaScript eval (docs/decisions.md).
    """
    frames = " ".join(f"https://{host}" for host in embed_hosts) or "'none'"
    return ("default-src 'self'; img-src 'self' https: http:; "
            f"frame-src {frames}; style-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
            "object-src 'none'; "
            "base-uri 'none'; form-action 'none'")


def by_month(posts: Sequence[Post], zone: str) -> list[tuple[str, int]]:
    """[(`2026-11`, number of posts), ...], newest month first."""
    counts: dict[str, int] = {}
    for post in posts:
        month = post.published.astimezone(ZoneInfo(zone)).strftime("%Y-%m")
        counts[month] = counts.get(month, 0) + 1
    return sorted(counts.items(), reverse=True)


def render_site(portal: Portal, theme: Path) -> list[OutputFile]:
    """Every file of the built portal."""
    r = Renderer(portal, theme, Layout())
    return [*_school_files(r), *_assets(theme),
            *(f for t in portal.site.teachers for f in _teacher_files(r, t))]


def render_teacher_site(portal: Portal, theme: Path, slug: str) -> list[OutputFile]:
    """One teacher's micro-site as a complete site of its own (`build --teacher`)."""
    r = Renderer(portal, theme, Layout(standalone=slug))
    return [*_teacher_files(r, portal.site.teacher(slug)), *_assets(theme),
            r.page("404.html", "404.html", root=""),
            OutputFile("robots.txt", b"User-agent: *\nAllow: /\n")]


def _listing(r: Renderer, base: str, template: str, title: str, posts: Sequence[Post],
             feeds: bool = True, **context: Any) -> Iterator[OutputFile]:
    """A paginated listing of `posts` at `base`, and its Atom and JSON feeds."""
    size = r.site.portal.page_size
    chunks = [tuple(posts[i:i + size]) for i in range(0, len(posts), size)] or [()]
    for number, chunk in enumerate(chunks, start=1):
        pager = Pager(base, number, len(chunks), chunk)
        yield r.page(Layout.page(base, number) + "index.html", template, title=title,
                     pager=pager, feed_base=base if feeds else None, **context)
    if feeds:
        yield OutputFile(base + "feed.xml",
                         syndication.atom(r.portal, r.layout, base, title, posts))
        yield OutputFile(base + "feed.json",
                         syndication.json_feed(r.portal, r.layout, base, title, posts))


def _school_files(r: Renderer) -> Iterator[OutputFile]:
    portal, site, index = r.portal, r.site, r.index
    teaching = {s.slug: [t for t in site.teachers if s.slug in t.subjects]
                for s in site.subjects}
    yield r.page("index.html", "home.html", latest=portal.posts[:HOME_LATEST],
                 upcoming=index.upcoming[:HOME_ASSIGNMENTS],
                 sections=[(s, index.by_subject[s.slug][:HOME_PER_SUBJECT])
                           for s in site.subjects if index.by_subject[s.slug]])
    yield OutputFile("feed.xml", syndication.atom(portal, r.layout, "", site.school.name,
                                                  portal.posts))
    yield OutputFile("feed.json", syndication.json_feed(portal, r.layout, "", site.school.name,
                                                        portal.posts))
    yield r.page("mapel/index.html", "subjects.html", teaching=teaching)
    for subject in site.subjects:
        posts = index.by_subject[subject.slug]
        classes = [c for c in _class_names(site.classes, index.by_class)
                   if any(c in p.classes for p in posts)]
        yield from _listing(r, Layout.subject(subject.slug), "subject.html", subject.name,
                            posts, subject=subject, teachers=teaching[subject.slug],
                            classes=classes, narrowed=None)
        for name in classes:
            narrowed = [p for p in posts if name in p.classes]
            yield from _listing(r, Layout.subject_class(subject.slug, name), "subject.html",
                                r._("page.subject_class_title", subject=subject.name,
                                    name=name),
                                narrowed, feeds=False, subject=subject,
                                teachers=teaching[subject.slug], classes=classes,
                                narrowed=name)
    yield r.page("kelas/index.html", "classes.html")
    for name in _class_names(site.classes, index.by_class):
        upcoming = [p for p in index.upcoming if name in p.classes]
        yield from _listing(r, Layout.klass(name), "class.html",
                            r._("page.class_title", name=name), index.by_class[name],
                            name=name, upcoming=upcoming)
    yield r.page("tugas/index.html", "assignments.html",
                 upcoming=_by_class(index.upcoming, site.classes),
                 past=_by_class(index.past, site.classes))
    people = sorted(site.teachers, key=lambda t: fold(personal_name(t.name)))
    yield r.page("guru/index.html", "teachers.html", view="name", groups=[(None, people)])
    yield r.page("guru/mapel/index.html", "teachers.html", view="subject",
                 groups=[(s.name, teaching[s.slug]) for s in site.subjects
                         if teaching[s.slug]])
    latest_first = sorted(site.teachers, key=lambda t: (
        index.last_post(t) is None, -(index.last_post(t) or portal.generated).timestamp()))
    yield r.page("guru/terbaru/index.html", "teachers.html", view="latest",
                 groups=[(None, latest_first)])
    # Search (Pagefind, indexed after writing: generator/search.py); the filters offer
    # only what some post has.
    yield r.page("cari/index.html", "search.html",
                 subjects=[s for s in site.subjects if index.by_subject[s.slug]],
                 teachers=[t for t in people if index.by_teacher.get(t.slug)],
                 classes=[c for c in _class_names(site.classes, index.by_class)
                          if index.by_class[c]])
    # Hosts serve 404.html at whatever address was missing, so relative links cannot work
    # there: this one page links through the site's absolute URL.
    yield r.page("404.html", "404.html", root=site.school.url)
    yield OutputFile("blogroll.opml", syndication.opml(portal))
    yield OutputFile("sitemap.xml", syndication.sitemap(portal, r.layout))
    yield OutputFile("robots.txt", syndication.robots(site.school.url))


def _teacher_files(r: Renderer, teacher: Teacher) -> Iterator[OutputFile]:
    posts = r.index.by_teacher.get(teacher.slug, [])
    base = r.layout.teacher(teacher)
    months = by_month(posts, r.site.school.timezone)
    tags = sorted({tag for p in posts for tag in p.tags}, key=str.casefold)
    context: dict[str, Any] = {"teacher": teacher, "feed": r.portal.feed_of(teacher.slug),
                               "subjects": [r.site.subject(s) for s in teacher.subjects],
                               "months": months, "tags": tags}
    yield from _listing(r, base, "teacher.html", teacher.name, posts, heading=None, **context)
    for month, _count in months:
        in_month = [p for p in posts
                    if p.published.astimezone(r.zone).strftime("%Y-%m") == month]
        yield from _listing(r, r.layout.month(teacher, month), "teacher.html", teacher.name,
                            in_month, feeds=False, heading=_month_title(r, month), **context)
    for tag in tags:
        tagged = [p for p in posts if tag in p.tags]
        yield from _listing(r, r.layout.tag(teacher, tag), "teacher.html", teacher.name,
                            tagged, feeds=False, heading=r._("page.tag_title", tag=tag),
                            **context)
    photo = r.layout.photo(teacher)
    if photo and teacher.photo:
        yield OutputFile(photo, source=teacher.photo)
    for post in posts:
        path = r.layout.post(post)
        yield r.page(path + "index.html", "post.html", post=post)
        for asset in {*post.assets, *(a.path for a in post.attachments)}:
            yield OutputFile(path + asset.name, source=asset)


def _month_title(r: Renderer, month: str) -> str:
    return r._("page.month_title", month=r.month_name(month))


def _by_class(posts: list[Post], declared: tuple[str, ...]) -> list[tuple[str | None, list[Post]]]:
    """Assignments grouped by class in the school's order; those for no class come last."""
    groups: dict[str | None, list[Post]] = {}
    for post in posts:
        for name in post.classes or (None,):
            groups.setdefault(name, []).append(post)
    order = {name: number for number, name in enumerate(declared)}
    return sorted(groups.items(), key=lambda g: (g[0] is None, order.get(g[0] or "", 999),
                                                 g[0] or ""))


def _assets(theme: Path) -> Iterator[OutputFile]:
    static = theme / "static"
    for asset in sorted(static.rglob("*")):
        if asset.is_file():
            yield OutputFile(f"assets/{asset.relative_to(static).as_posix()}", source=asset)


def _class_names(declared: tuple[str, ...], used: dict[str, list[Post]]) -> list[str]:
    return list(declared) + sorted(name for name in used if name not in declared)
