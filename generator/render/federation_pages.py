"""The pages of a cluster or district portal (issue 25) in the page plan:
`sekolah/` (its schools) and `sekolah/<slug>/` (a school's teachers and posts, with its
feeds), the teachers' directory grouped by school, and every portal's `portal.json`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial

from generator.federation import by_school, portal_index
from generator.i18n import Translator
from generator.models import KINDS, Post, SchoolPortal, Site, Teacher, pages_here
from generator.render.plan import Made, Part, Plan, Spec, listing, page
from generator.slugs import fold

SCHOOLS = "sekolah/"
DIRECTORY = "guru/"
"""A portal's directory of its teachers, under its address."""


def school_page(slug: str) -> str:
    return f"{SCHOOLS}{slug}/"


def school_parts(p: Plan) -> list[Part]:
    """`portal.json` for every portal; the schools' pages for a cluster or district."""
    parts: list[Part] = [partial(_index_file, p)]
    if p.site.schools:
        parts.append(partial(_schools_index, p))
        parts.extend(partial(_school_files, p, school) for school in p.site.schools)
    return parts


def teacher_groups(site: Site, people: Sequence[Teacher]
                   ) -> list[tuple[str | None, list[Teacher]]]:
    """The directory's groups: by school on a cluster or district portal, else one."""
    if not site.schools:
        return [(None, list(people))]
    return [(name, group) for name, group in by_school(site, people)]


def summary_directories(site: Site) -> list[tuple[str, int, str]]:
    """(name, teachers, the address of its own directory) of each portal read as a
    summary: the directory leads to its teachers rather than list them all (a district
    has thousands; docs/decisions.md, Federation)."""
    counts: dict[str | None, int] = {}
    for teacher in site.teachers:
        if teacher.home is not None:
            counts[teacher.school] = counts.get(teacher.school, 0) + 1
    return [(school.name, counts.get(school.slug, 0), school.portal + DIRECTORY)
            for school in site.schools if school.summary]


def kind_label(site: Site, _: Translator, kind: str) -> str:
    """What the pages call a kind: a built-in one in the site's language, one site.yml
    declares by its label (issue 25)."""
    if kind in KINDS:
        return _(f"kind.{kind}")
    return next((spec.label for spec in site.kinds if spec.name == kind), kind)


Series = tuple[str, int, int, "Post | None", "Post | None"]
"""(name, the post's number in it, how many, the one before, the one after)."""


def series_of(posts: Sequence[Post]) -> dict[int, Series]:
    """For each of a teacher's posts in a series (by `id`), where it stands in it: oldest
    first, so that cycle 1 comes before cycle 2 (issue 25). Names are matched loosely."""
    groups: dict[str, list[Post]] = {}
    for post in posts:
        if post.series:
            groups.setdefault(fold(post.series), []).append(post)
    found: dict[int, Series] = {}
    for group in groups.values():
        group.sort(key=lambda p: (p.published, p.slug))
        for number, post in enumerate(group):
            found[id(post)] = (group[0].series, number + 1, len(group),
                               group[number - 1] if number else None,
                               group[number + 1] if number + 1 < len(group) else None)
    return found


def _index_file(p: Plan) -> Iterator[Spec]:
    # Made from the site alone, whose whole content is in every page's key already.
    portal, layout = p.portal, p.layout
    yield Made("portal.json", ("portal.json",), lambda: portal_index(portal, layout))


def _schools_index(p: Plan) -> Iterator[Spec]:
    counts = {school.slug: sum(1 for t in p.site.teachers if t.school == school.slug)
              for school in p.site.schools}
    # Plain values, not records: a page's context keys it (`render.keys`).
    yield page(SCHOOLS + "index.html", "schools.html",
               schools=[(s.name, school_page(s.slug), s.portal, counts[s.slug])
                        for s in p.site.schools])


def _school_files(p: Plan, school: SchoolPortal) -> Iterator[Spec]:
    """A school's page: its portal, its teachers, its posts newest first, and feeds."""
    teachers = [t for t in p.site.teachers if t.school == school.slug]
    slugs = {t.slug for t in teachers}
    posts = [post for post in p.portal.posts if post.teacher.slug in slugs]
    # A summary's teachers are counted and left to its own directory, not listed on
    # every page of its listing.
    yield from listing(p, school_page(school.slug), "sekolah.html", school.name, posts,
                       school_name=school.name, school_portal=school.portal,
                       teachers=pages_here(teachers),
                       directory=(school.portal + DIRECTORY, len(teachers))
                       if school.summary else None)
