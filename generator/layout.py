"""Where every page of a build lives: the URL layout of DESIGN.md in one place.

Paths are folders relative to the output root, ending in `/` (the root is ``""``);
templates turn them into relative links. A standalone teacher micro-site
(`mading build --teacher SLUG`) is the same pages with that teacher's folder as the root.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.models import Post, Teacher
from generator.slugs import slugify

RESERVED_POST_SLUGS = frozenset({"arsip", "label", "halaman", "poster"})
"""Folder names inside a teacher's folder that the micro-site's own pages use."""
POSTS_READ = "tulisan/"
"""Where the post pages of the teachers of a portal read as a summary are (issue 25):
`tulisan/TEACHER/POST/`, since their own folder in `guru/` is their portal's, not this
one's (`Teacher.home`)."""
POST_FOLDERS = ("guru/", POSTS_READ)
"""The folders whose `TEACHER/POST/` pages are post pages (`POST_PAGES`)."""
POST_PAGES = "{guru,tulisan}/*/*/index.html"
"""The portal's post pages as a glob (Pagefind's `--glob`): `guru/TEACHER/POST/index.html`,
and `tulisan/TEACHER/POST/index.html` for a teacher of a portal read as a summary.
No other page is that deep under one teacher, but for their poster (`poster/`, which
has no `data-pagefind-body`, so Pagefind leaves it out): theirs sit in `arsip/`,
`label/`, `halaman/`."""
_POST_PAGE = re.compile(r"(?:guru/[^/]+/(?!poster/)|tulisan/[^/]+/)[^/]+/index\.html")


def is_post_page(path: str) -> bool:
    """Whether `path` (relative to the portal's root) is a post page: `POST_PAGES`."""
    return _POST_PAGE.fullmatch(path) is not None


def class_slug(name: str) -> str:
    return slugify(name) or "kelas"


@dataclass(frozen=True)
class Layout:
    standalone: str | None = None
    """The slug of the teacher whose micro-site is the whole build, if any."""

    def teacher(self, teacher: Teacher | str) -> str:
        """The teacher's folder; for a teacher whose pages are another portal's, the
        absolute address of their page there (`Teacher.home`)."""
        if isinstance(teacher, Teacher) and teacher.home is not None:
            return teacher.home
        slug = teacher if isinstance(teacher, str) else teacher.slug
        return "" if slug == self.standalone else f"guru/{slug}/"

    def post(self, post: Post) -> str:
        if post.teacher.home is not None:
            return f"{POSTS_READ}{post.teacher.slug}/{post.slug}/"
        return f"{self.teacher(post.teacher)}{post.slug}/"

    def month(self, teacher: Teacher, month: str) -> str:
        """`month` is `2026-11`."""
        return f"{self.teacher(teacher)}arsip/{month}/"

    def tag(self, teacher: Teacher, tag: str) -> str:
        return f"{self.teacher(teacher)}label/{slugify(tag) or 'label'}/"

    def tags(self, teacher: Teacher) -> str:
        """The index of all a teacher's labels, when there are too many to list on every
        page (issue 26). In `arsip/`, beside the months (`2026-11`): never a post's
        address (`POST_PAGES`) nor a label's."""
        return f"{self.teacher(teacher)}arsip/label/"

    def months(self, teacher: Teacher) -> str:
        """The index of all a teacher's months, when there are too many to list on every
        page (issue 26); `semua` is no month (`2026-11`)."""
        return f"{self.teacher(teacher)}arsip/semua/"

    def photo(self, teacher: Teacher) -> str | None:
        if teacher.photo is None:
            return None
        return f"{self.teacher(teacher)}foto{teacher.photo.suffix.lower()}"

    @staticmethod
    def subject(slug: str) -> str:
        return f"mapel/{slug}/"

    @staticmethod
    def subject_class(slug: str, name: str) -> str:
        return f"mapel/{slug}/kelas/{class_slug(name)}/"

    @staticmethod
    def klass(name: str) -> str:
        return f"kelas/{class_slug(name)}/"

    @staticmethod
    def page(base: str, number: int) -> str:
        """Page `number` of a listing whose first page is `base`."""
        return base if number == 1 else f"{base}halaman/{number}/"
