"""The pages of a cluster or district portal (issue 25) as the renderer makes them:
`sekolah/` (its schools) and `sekolah/<slug>/` (a school's teachers and posts, with its
feeds), the teachers' directory grouped by school, and every portal's `portal.json`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING

from generator.federation import by_school, portal_index
from generator.models import OutputFile, SchoolPortal, Site, Teacher

if TYPE_CHECKING:
    from generator.render import Renderer

SCHOOLS = "sekolah/"


def school_page(slug: str) -> str:
    return f"{SCHOOLS}{slug}/"


def school_parts(r: Renderer) -> list[Callable[[], Iterator[OutputFile]]]:
    """`portal.json` for every portal; the schools' pages for a cluster or district."""
    parts: list[Callable[[], Iterator[OutputFile]]] = [partial(_index_file, r)]
    if r.site.schools:
        parts.append(partial(_schools_index, r))
        parts.extend(partial(_school_files, r, school) for school in r.site.schools)
    return parts


def teacher_groups(site: Site, people: Sequence[Teacher]
                   ) -> list[tuple[str | None, list[Teacher]]]:
    """The directory's groups: by school on a cluster or district portal, else one."""
    if not site.schools:
        return [(None, list(people))]
    return [(name, group) for name, group in by_school(site, people)]


def _index_file(r: Renderer) -> Iterator[OutputFile]:
    # Made from the site alone, whose whole content is in every page's key already.
    yield r.file("portal.json", ("portal.json",), lambda: portal_index(r.portal, r.layout))


def _schools_index(r: Renderer) -> Iterator[OutputFile]:
    counts = {school.slug: sum(1 for t in r.site.teachers if t.school == school.slug)
              for school in r.site.schools}
    # Plain values, not records: a page's context is fingerprinted (`Renderer.page`).
    yield r.page(SCHOOLS + "index.html", "schools.html",
                 schools=[(s.name, school_page(s.slug), s.portal, counts[s.slug])
                          for s in r.site.schools])


def _school_files(r: Renderer, school: SchoolPortal) -> Iterator[OutputFile]:
    """A school's page: its portal, its teachers, its posts newest first, and feeds."""
    from generator.render import _listing

    teachers = [t for t in r.site.teachers if t.school == school.slug]
    slugs = {t.slug for t in teachers}
    posts = [p for p in r.portal.posts if p.teacher.slug in slugs]
    yield from _listing(r, school_page(school.slug), "sekolah.html", school.name, posts,
                        school_name=school.name, school_portal=school.portal,
                        teachers=teachers)
