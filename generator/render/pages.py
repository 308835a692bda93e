"""The page plan of a portal: from a `Portal` and a `Layout`, every page, feed and file of
the URL layout (DESIGN.md), as specs in parts (generator/render/plan.py says what a spec
is). Pure, and tested in memory (tests/test_pages.py).

Listings (school, subject, class, teacher, month, tag) are paginated and given their
feeds in one place, `plan.listing`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from generator import syndication
from generator.layout import Layout
from generator.models import OutputFile, Post, Subject, Teacher, pages_here, personal_name
from generator.pictures import picture_key
from generator.render import federation_pages, wall_pages
from generator.render.plan import (
    Made,
    Part,
    Plan,
    Spec,
    calendar,
    feed_files,
    grouped_by_class,
    listing,
    page,
    teaching,
)
from generator.search import plan_parts
from generator.slugs import fold

HOME_LATEST = 12
HOME_PER_SUBJECT = 3
HOME_ASSIGNMENTS = 5
LISTED_TAGS = 30
"""Labels listed on each page of a teacher's micro-site; past that, a link to all of them."""
LISTED_MONTHS = 36
"""Months listed on each page of a teacher's micro-site (the latest); past that, a link to
all of them."""
_VIDEO = re.compile(r'<iframe\b[^>]*?\ssrc="https://www\.youtube(?:-nocookie)?\.com/embed/')


@dataclass(frozen=True)
class SitePages:
    """The portal's plan: the school's parts (the home page, each subject, each class,
    the rest) and each teacher's: their micro-site, or for a teacher of a portal read as
    a summary (`Teacher.home`), only the pages of their posts it read."""

    school: list[Part]
    teachers: list[tuple[str, Part]]
    """(slug, part) of each teacher: every file under `guru/SLUG/` and `tulisan/SLUG/`
    is the part's."""

    def specs(self) -> Iterator[Spec]:
        for part in (*self.school, *(part for _slug, part in self.teachers)):
            yield from part()


def site_pages(p: Plan) -> SitePages:
    """Every page, feed and file of the portal but the theme's own (`render.assets`)."""
    subjects = teaching(p)
    teachers: list[tuple[str, Part]] = [(teacher.slug, partial(teacher_files, p, teacher))
                                        for teacher in pages_here(p.site.teachers)]
    teachers += [(posts[0].teacher.slug, partial(_post_files, p, posts))
                 for posts in p.index.by_teacher.values() if posts[0].teacher.home is not None]
    return SitePages(
        school=[partial(_home_files, p, subjects),
                *(partial(_subject_files, p, subject, subjects) for subject in p.site.subjects),
                partial(_classes_index, p),
                *(partial(_class_files, p, name) for name in p.class_names()),
                partial(_directory_files, p, subjects),
                *wall_pages.school_parts(p), *federation_pages.school_parts(p)],
        teachers=teachers)


def micro_site_pages(p: Plan) -> Iterator[Spec]:
    """One teacher's micro-site as a site of its own (`build --teacher`)."""
    assert p.layout.standalone is not None
    yield from teacher_files(p, p.site.teacher(p.layout.standalone))
    yield page("404.html", "404.html", root="")
    yield OutputFile("robots.txt", b"User-agent: *\nAllow: /\n")


def _home_files(p: Plan, teachers: Mapping[str, list[Teacher]]) -> Iterator[Spec]:
    portal, site, index = p.portal, p.site, p.index
    yield page("index.html", "home.html", latest=portal.posts[:HOME_LATEST],
               upcoming=index.upcoming[:HOME_ASSIGNMENTS],
               sections=[(s, index.by_subject[s.slug][:HOME_PER_SUBJECT])
                         for s in site.subjects if index.by_subject[s.slug]])
    yield from feed_files(p, "", site.school.name, portal.posts)
    yield page("mapel/index.html", "subjects.html", teaching=teachers,
               counts={s.slug: len(index.by_subject[s.slug]) for s in site.subjects})


def _subject_files(p: Plan, subject: Subject,
                   teachers: Mapping[str, list[Teacher]]) -> Iterator[Spec]:
    """A subject's listing, and the same narrowed to each class that has its posts."""
    posts = p.index.by_subject[subject.slug]
    classes = [c for c in p.class_names() if any(c in post.classes for post in posts)]
    yield from listing(p, Layout.subject(subject.slug), "subject.html", subject.name,
                       posts, subject=subject, teachers=teachers[subject.slug],
                       classes=classes, narrowed=None)
    for name in classes:
        narrowed = [post for post in posts if name in post.classes]
        yield from listing(p, Layout.subject_class(subject.slug, name), "subject.html",
                           p._("page.subject_class_title", subject=subject.name, name=name),
                           narrowed, feeds=False, subject=subject,
                           teachers=teachers[subject.slug], classes=classes, narrowed=name)


def _classes_index(p: Plan) -> Iterator[Spec]:
    yield page("kelas/index.html", "classes.html",
               counts={name: len(p.index.by_class[name]) for name in p.class_names()})


def _class_files(p: Plan, name: str) -> Iterator[Spec]:
    """A class's listing, which always says what is due (or that nothing is), with the
    deadlines of `dates.RECENT_PAST` under "past"; and the class's calendar."""
    base = Layout.klass(name)
    upcoming = [post for post in p.index.upcoming if name in post.classes]
    past = [post for post in p.index.recent if name in post.classes]
    yield from listing(p, base, "class.html", p._("page.class_title", name=name),
                       p.index.by_class[name], name=name, upcoming=upcoming, past=past)
    yield from calendar(p, base, name, upcoming + past)


def _directory_files(p: Plan, teachers: Mapping[str, list[Teacher]]) -> Iterator[Spec]:
    """Assignments, the teachers' directory, search, 404 and the portal-wide files."""
    portal, site, index, layout = p.portal, p.site, p.index, p.layout
    yield page("tugas/index.html", "assignments.html",
               upcoming=grouped_by_class(index.upcoming, site.classes),
               past=grouped_by_class(index.past, site.classes),
               classes=p.class_names())
    yield from calendar(p, "tugas/", None, index.upcoming + index.recent)
    people = sorted(pages_here(site.teachers), key=lambda t: fold(personal_name(t.name)))
    yield page("guru/index.html", "teachers.html", view="name",
               groups=federation_pages.teacher_groups(site, people),
               summaries=federation_pages.summary_directories(site))
    yield page("guru/mapel/index.html", "teachers.html", view="subject",
               groups=[(s.name, teachers[s.slug]) for s in site.subjects if teachers[s.slug]])
    latest_first = sorted(pages_here(site.teachers), key=lambda t: (
        index.last_post(t) is None, -(index.last_post(t) or portal.generated).timestamp()))
    yield page("guru/terbaru/index.html", "teachers.html", view="latest",
               groups=[(None, latest_first)])
    # Search (Pagefind, indexed after writing: generator/search.py, in its parts); the
    # filters offer only what some post has, each value with its listing page (also the
    # page's links to browse by).
    subjects = [s for s in site.subjects if index.by_subject[s.slug]]
    authors = sorted((t for t in site.teachers if index.by_teacher.get(t.slug)),
                     key=lambda t: fold(personal_name(t.name)))
    classes = [c for c in p.class_names() if index.by_class[c]]
    yield page("cari/index.html", "search.html",
               bundles=[part.bundle for part in plan_parts(portal.posts)],
               choices={"mapel": [(s.name, layout.subject(s.slug)) for s in subjects],
                        "guru": [(t.name, layout.teacher(t)) for t in authors],
                        "kelas": [(c, layout.klass(c)) for c in classes]})
    # Hosts serve 404.html at whatever address was missing, so relative links cannot work
    # there: this one page links through the site's absolute URL.
    yield page("404.html", "404.html", root=site.school.url)
    yield OutputFile("blogroll.opml", syndication.opml(portal))
    yield Made("sitemap.xml", ("sitemap", portal.posts),
               lambda: syndication.sitemap(portal, layout))
    yield OutputFile("robots.txt", syndication.robots(site.school.url))


def teacher_files(p: Plan, teacher: Teacher) -> Iterator[Spec]:
    """A teacher's micro-site: their listing, months and labels, poster, photo, and each
    post's page with its files."""
    posts = p.index.by_teacher.get(teacher.slug, [])
    layout = p.layout
    base = layout.teacher(teacher)
    months = by_month(posts, p.site.school.timezone)
    tags = sorted({tag for post in posts for tag in post.tags}, key=str.casefold)
    listed = _listed_tags(posts, tags)
    # Every page of the micro-site lists the teacher's labels and months: all of them on
    # each of their thousands of label pages made the output grow as the square of the
    # labels (issue 26). Past LISTED_TAGS labels (the most used are listed) or
    # LISTED_MONTHS months (the latest), the pages link to an index of all.
    context: dict[str, Any] = {"teacher": teacher, "feed": p.portal.feed_of(teacher.slug),
                               "subjects": [p.site.subject(s) for s in teacher.subjects],
                               "months": months[:LISTED_MONTHS], "tags": listed,
                               "all_months": len(months) > LISTED_MONTHS,
                               "all_tags": len(listed) < len(tags)}
    yield from listing(p, base, "teacher.html", teacher.name, posts, heading=None, **context)
    by_month_of: dict[str, list[Post]] = defaultdict(list)
    by_tag: dict[str, list[Post]] = defaultdict(list)
    for post in posts:  # one pass: a filter per month and per label was their product
        by_month_of[post.published.astimezone(p.zone).strftime("%Y-%m")].append(post)
        for tag in dict.fromkeys(post.tags):
            by_tag[tag].append(post)
    if len(months) > LISTED_MONTHS:
        yield page(layout.months(teacher) + "index.html", "archive.html", teacher=teacher,
                   heading=p._("theme.teacher.archive"),
                   links=[(f"{p.month_name(month)} ({count})", layout.month(teacher, month))
                          for month, count in months])
    for month, _count in months:
        yield from listing(p, layout.month(teacher, month), "teacher.html", teacher.name,
                           by_month_of[month], feeds=False,
                           heading=p._("page.month_title", month=p.month_name(month)),
                           **context)
    if len(listed) < len(tags):
        yield page(layout.tags(teacher) + "index.html", "archive.html", teacher=teacher,
                   heading=p._("hostile_web.all_tags"),
                   links=[(tag, layout.tag(teacher, tag)) for tag in tags])
    for tag in tags:
        yield from listing(p, layout.tag(teacher, tag), "teacher.html", teacher.name,
                           by_tag[tag], feeds=False, heading=p._("page.tag_title", tag=tag),
                           **context)
    yield from wall_pages.teacher_files(p, teacher)
    photo = layout.photo(teacher)
    if photo and teacher.photo_content is not None:
        yield OutputFile(photo, teacher.photo_content)  # an SVG, cleaned (issue 26)
    elif photo and teacher.photo:
        yield OutputFile(photo, source=teacher.photo)
    yield from _post_files(p, posts)


def post_files(p: Plan, post: Post) -> Iterator[Spec]:
    """One post's page and files, as its teacher's part makes them: `mading serve` shows
    a saved post with these before it builds the whole portal again (issue 23)."""
    yield from _post_files(p, p.index.by_teacher.get(post.teacher.slug, [post]), only=post)


def _post_files(p: Plan, posts: Sequence[Post], only: Post | None = None) -> Iterator[Spec]:
    """Each post's page (`only`'s, if given), its files and its pictures' right-sized
    copies. A post's series runs through all of `posts`."""
    in_series = federation_pages.series_of(posts)
    for post in posts if only is None else [only]:
        path = p.layout.post(post)
        pictures = p.pictures.get(picture_key(post), ())
        yield page(path + "index.html", "post.html", post=post, pictures=pictures,
                   video=_VIDEO.search(post.content_html) is not None,
                   series=in_series.get(id(post)))
        cleaned = dict(post.cleaned)
        names = set()
        for asset in {*post.assets, *(a.path for a in post.attachments)}:
            names.add(asset.name)
            if str(asset) in cleaned:  # an SVG: its cleaned copy, never the file (issue 26)
                yield OutputFile(path + asset.name, cleaned[str(asset)])
            else:
                yield OutputFile(path + asset.name, source=asset)
        for picture in pictures:
            for copy in picture.files:
                if copy.name not in names:
                    names.add(copy.name)
                    yield OutputFile(path + copy.name, source=copy.file)


def _listed_tags(posts: Sequence[Post], tags: list[str]) -> list[str]:
    """The labels a teacher's pages list: all of them up to `LISTED_TAGS`, else the
    `LISTED_TAGS` most used (in name order)."""
    if len(tags) <= LISTED_TAGS:
        return tags
    used = Counter(tag for post in posts for tag in post.tags)
    top = sorted(tags, key=lambda tag: -used[tag])[:LISTED_TAGS]  # stable: by name on ties
    return sorted(top, key=str.casefold)


def by_month(posts: Sequence[Post], zone: str) -> list[tuple[str, int]]:
    """[(`2026-11`, number of posts), ...], newest month first."""
    counts: dict[str, int] = {}
    for post in posts:
        month = post.published.astimezone(ZoneInfo(zone)).strftime("%Y-%m")
        counts[month] = counts.get(month, 0) + 1
    return sorted(counts.items(), reverse=True)
