"""Render the portal: every page, feed and file of the URL layout, as `OutputFile`s.

Pure: takes a `Portal` and a theme folder, returns bytes; writing is the next stage.
Every internal link is relative (`root` is `../` repeated to the page's depth) and names
`index.html` explicitly, so the output works from any sub-path and opened from disk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from generator import syndication
from generator.i18n import Translator
from generator.models import OutputFile, Portal, Post, Subject, Teacher
from generator.slugs import slugify

HOME_LATEST = 12
HOME_PER_SUBJECT = 3
HOME_ASSIGNMENTS = 5
DEFAULT_THEME = "default"


def theme_dir(name: str = DEFAULT_THEME) -> Path:
    """The theme shipped with Mading: inside the package when installed, else the repo's."""
    packaged = Path(__file__).parent / "themes" / name
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "themes" / name


class Renderer:
    """One Jinja environment per build, with the site's language and time zone."""

    def __init__(self, portal: Portal, theme: Path) -> None:
        self.portal = portal
        self.site = portal.site
        self.zone = ZoneInfo(self.site.school.timezone)
        self._ = Translator(self.site.school.language)
        self.env = Environment(
            loader=FileSystemLoader(theme / "templates"),
            autoescape=select_autoescape(["html", "xml"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(date=self.format_date, isodate=self.iso_date)
        self.env.globals.update(
            _=self._, site=self.site, school=self.site.school, portal=portal,
            photo_path=photo_path, class_slug=_class_slug,
            kind_label=lambda kind: self._(f"kind.{kind}"),
            content_security_policy=content_security_policy(self.site.embed_hosts),
        )

    def format_date(self, value: datetime, style: str = "medium") -> str:
        return self._.date(value.astimezone(self.zone), style)

    def iso_date(self, value: datetime) -> str:
        return value.astimezone(self.zone).isoformat(timespec="minutes")

    def page(self, path: str, template: str, root: str | None = None,
             **context: Any) -> OutputFile:
        """Render `template` to `path`; `root` leads from that page back to the site root."""
        if root is None:
            root = "../" * path.count("/")
        html = self.env.get_template(template).render(root=root, page_path=path, **context)
        return OutputFile(path, html.encode("utf-8"))


def content_security_policy(embed_hosts: tuple[str, ...]) -> str:
    """The pages' CSP: scripts and styles from the site only, frames from the embed hosts.

    Images may come from any web host: feed posts show pictures from their own blogs.
    """
    frames = " ".join(f"https://{host}" for host in embed_hosts) or "'none'"
    return ("default-src 'self'; img-src 'self' https: http:; "
            f"frame-src {frames}; style-src 'self'; script-src 'self'; object-src 'none'; "
            "base-uri 'none'; form-action 'none'")


def photo_path(teacher: Teacher) -> str | None:
    """Where a teacher's photo is copied, relative to the output root."""
    if teacher.photo is None:
        return None
    return f"guru/{teacher.slug}/foto{teacher.photo.suffix.lower()}"


def render_site(portal: Portal, theme: Path) -> list[OutputFile]:
    """Every file of the built portal."""
    return list(_site_files(Renderer(portal, theme), theme))


def _site_files(r: Renderer, theme: Path) -> Iterator[OutputFile]:
    portal, site = r.portal, r.site
    posts = portal.posts
    by_subject: dict[str, list[Post]] = defaultdict(list)
    by_class: dict[str, list[Post]] = defaultdict(list)
    by_teacher: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        by_teacher[post.teacher.slug].append(post)
        for subject in post.subjects:
            by_subject[subject.slug].append(post)
        for name in post.classes:
            by_class[name].append(post)
    assignments = [p for p in posts if p.kind == "tugas" and p.due is not None]
    upcoming = sorted((p for p in assignments if p.due and p.due >= portal.generated),
                      key=lambda p: p.due or p.published)
    past = [p for p in assignments if p.due and p.due < portal.generated]
    past.sort(key=lambda p: p.due or p.published, reverse=True)
    teaching = {s.slug: [t for t in site.teachers if s.slug in t.subjects]
                for s in site.subjects}
    last_post = {slug: teacher_posts[0].published for slug, teacher_posts in by_teacher.items()}

    yield r.page("index.html", "home.html", latest=posts[:HOME_LATEST],
                 upcoming=upcoming[:HOME_ASSIGNMENTS],
                 sections=[(s, by_subject[s.slug][:HOME_PER_SUBJECT])
                           for s in site.subjects if by_subject[s.slug]])
    yield r.page("mapel/index.html", "subjects.html", counts=by_subject, teaching=teaching)
    for subject in site.subjects:
        base = f"mapel/{subject.slug}/"
        yield r.page(base + "index.html", "subject.html", subject=subject,
                     posts=by_subject[subject.slug], teachers=teaching[subject.slug])
        yield from _feeds(r, base, subject.name, by_subject[subject.slug])
    yield r.page("kelas/index.html", "classes.html", counts=by_class)
    for name in _class_names(site.classes, by_class):
        base = f"kelas/{_class_slug(name)}/"
        yield r.page(base + "index.html", "class.html", name=name, posts=by_class[name])
        yield from _feeds(r, base, r._("page.class_title", name=name), by_class[name])
    yield r.page("tugas/index.html", "assignments.html", upcoming=upcoming, past=past)
    yield r.page("guru/index.html", "teachers.html", last_post=last_post)
    for teacher in site.teachers:
        yield from _teacher_files(r, teacher, by_teacher[teacher.slug])
    # Hosts serve 404.html at whatever address was missing, so relative links cannot work
    # there: this one page links through the site's absolute URL.
    yield r.page("404.html", "404.html", root=site.school.url)
    yield from _feeds(r, "", site.school.name, list(posts))
    yield OutputFile("blogroll.opml", syndication.opml(portal))
    yield OutputFile("sitemap.xml", syndication.sitemap(portal, _class_slug))
    yield OutputFile("robots.txt", syndication.robots(site.school.url))
    for asset in sorted((theme / "static").rglob("*")):
        if asset.is_file():
            yield OutputFile(f"assets/{asset.relative_to(theme / 'static').as_posix()}",
                             source=asset)


def _teacher_files(r: Renderer, teacher: Teacher, posts: list[Post]) -> Iterator[OutputFile]:
    base = f"guru/{teacher.slug}/"
    feed = r.portal.feed_of(teacher.slug)
    subjects: list[Subject] = [r.site.subject(s) for s in teacher.subjects]
    yield r.page(base + "index.html", "teacher.html", teacher=teacher, posts=posts,
                 subjects=subjects, feed=feed)
    yield from _feeds(r, base, teacher.name, posts)
    photo = photo_path(teacher)
    if photo and teacher.photo:
        yield OutputFile(photo, source=teacher.photo)
    for post in posts:
        yield r.page(post.path + "index.html", "post.html", post=post)
        for asset in post.assets:
            yield OutputFile(post.path + asset.name, source=asset)


def _feeds(r: Renderer, base: str, title: str, posts: list[Post]) -> Iterator[OutputFile]:
    yield OutputFile(base + "feed.xml", syndication.atom(r.portal, base, title, posts))
    yield OutputFile(base + "feed.json", syndication.json_feed(r.portal, base, title, posts))


def _class_names(declared: tuple[str, ...], used: dict[str, list[Post]]) -> list[str]:
    return list(declared) + sorted(name for name in used if name not in declared)


def _class_slug(name: str) -> str:
    return slugify(name) or "kelas"
