"""Turn source entries into the portal's posts: classified, addressed, newest first.

Pure functions over records: no network, no disk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from generator.layout import RESERVED_POST_SLUGS
from generator.models import (
    MAX_TAGS,
    Entry,
    FeedStatus,
    Kind,
    Portal,
    Post,
    Site,
    Subject,
    Teacher,
)
from generator.slugs import fold, slugify

KIND_WORDS: dict[Kind, tuple[str, ...]] = {
    "tugas": ("tugas", "pr", "pekerjaan rumah", "penugasan", "assignment", "homework"),
    "pengumuman": ("pengumuman", "info", "informasi", "announcement", "berita"),
    "materi": ("materi", "bahan ajar", "lesson", "material"),
}
GRADE_NUMBERS = {"1": "i", "2": "ii", "3": "iii", "4": "iv", "5": "v", "6": "vi",
                 "7": "vii", "8": "viii", "9": "ix", "10": "x", "11": "xi", "12": "xii"}
"""Grades in digits and in Roman numerals (SD 1-6, SMP 7-9, SMA/SMK 10-12) are one grade."""


@dataclass(frozen=True)
class Classifier:
    """Maps a feed's free-form categories to the site's subjects, classes and kinds."""

    subjects: dict[str, Subject]
    classes: dict[str, str]
    grades: dict[str, tuple[str, ...]]
    kinds: dict[str, Kind]

    @classmethod
    def for_site(cls, site: Site) -> Classifier:
        subjects: dict[str, Subject] = {}
        for subject in site.subjects:
            for label in (subject.name, subject.slug, *subject.aliases):
                subjects.setdefault(fold(label), subject)
        classes = {fold(c): c for c in site.classes}
        grades: dict[str, list[str]] = {}
        for name in site.classes:
            grade = fold(re.split(r"[-\s_.]", name)[0])
            grades.setdefault(GRADE_NUMBERS.get(grade, grade), []).append(name)
        kinds = {fold(word): kind for kind, words in KIND_WORDS.items() for word in words}
        return cls(subjects, classes, {g: tuple(c) for g, c in grades.items()}, kinds)

    def classes_of(self, category: str) -> tuple[str, ...]:
        """`XI-2`, `xi 2`, `kelas XI-2` -> (XI-2,); `kelas X`, `kelas 10` -> every X class."""
        key = fold(category)
        if key.startswith("kelas"):
            key = key[len("kelas"):]
        key = GRADE_NUMBERS.get(key, key)
        if key in self.classes:
            return (self.classes[key],)
        return self.grades.get(key, ())

    def classify(self, entry: Entry, fallback_subjects: tuple[str, ...],
                 fallback_classes: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...],
                                                             Kind, tuple[str, ...]]:
        """(subject slugs, classes, kind, remaining tags) for a feed entry's categories.

        A post with no recognised subject gets the teacher's subjects; with no class, the
        teacher's classes. A post tagged for one subject stays off the teacher's others.
        """
        subjects: list[str] = []
        classes: list[str] = []
        kind: Kind | None = None
        tags: list[str] = []
        for category in entry.categories:
            key = fold(category)
            if key in self.subjects:
                _append_new(subjects, [self.subjects[key].slug])
            elif self.classes_of(category):
                _append_new(classes, self.classes_of(category))
            elif key in self.kinds:
                kind = kind or self.kinds[key]
            else:
                tags.append(category)
        return (tuple(subjects) or fallback_subjects, tuple(classes) or fallback_classes,
                kind or "materi", tuple(tags))


def _append_new(target: list[str], values: Iterable[str]) -> None:
    target.extend(v for v in values if v not in target)


def collect(site: Site, feed_entries: Iterable[Entry], markdown_entries: Iterable[Entry],
            feeds: Iterable[FeedStatus], generated: datetime) -> Portal:
    """Build the `Portal`: posts of current teachers only, newest first; drafts and
    Markdown posts scheduled after `generated` (dated later) left out."""
    classifier = Classifier.for_site(site)
    zone = ZoneInfo(site.school.timezone)
    teachers = {t.slug: t for t in site.teachers}
    subjects = {s.slug: s for s in site.subjects}
    posts: list[Post] = []
    cut: dict[str, None] = {}
    # A post may not take the name of a folder the teacher's micro-site uses itself.
    used_slugs: dict[str, set[str]] = {slug: set(RESERVED_POST_SLUGS) for slug in teachers}
    # Markdown first: its slugs come from file names and must win over derived ones.
    for entry in sorted(markdown_entries, key=_entry_order):
        teacher = teachers.get(entry.teacher)
        if teacher is None or entry.draft or entry.published > generated:
            continue  # a scheduled post appears when its time comes (issue 26)
        slug = _unique(entry.slug or slugify(entry.title), used_slugs[teacher.slug])
        posts.append(_post(entry, teacher, slug, entry.subjects, entry.classes,
                           entry.kind or "materi", entry.categories, subjects))
    for entry in sorted(feed_entries, key=_entry_order):
        teacher = teachers.get(entry.teacher)
        if teacher is None:
            continue  # removed from site.yml: kept in the archive, not shown
        found_subjects, classes, kind, tags = classifier.classify(
            entry, teacher.subjects, teacher.classes)
        if len(tags) > MAX_TAGS:  # the first ones, as the blog lists them (issue 26)
            tags = tags[:MAX_TAGS]
            cut.setdefault(teacher.slug, None)
        # The date the school saw it published: 06:30 in Jakarta is the day before in UTC.
        # entry.slug is the title the archive first saw: editing a title keeps the address.
        name = entry.slug or slugify(entry.title) or "tulisan"
        base = f"{entry.published.astimezone(zone):%Y-%m-%d}-{name}"
        slug = _unique(base, used_slugs[teacher.slug])
        posts.append(_post(entry, teacher, slug, found_subjects, classes, kind, tags, subjects))
    posts.sort(key=lambda p: (p.published, p.teacher.slug, p.slug), reverse=True)
    return Portal(site=site, posts=tuple(posts), feeds=current_feeds(site, feeds),
                  generated=generated, tags_cut=tuple(cut))


def current_feeds(site: Site, feeds: Iterable[FeedStatus]) -> tuple[FeedStatus, ...]:
    """The statuses of the feeds `site.yml` names now: a teacher who no longer has a
    `blog:` keeps the posts, not the feed's last error."""
    blogs = {t.slug for t in site.teachers if t.blog}
    return tuple(f for f in feeds if f.teacher in blogs)


def _entry_order(entry: Entry) -> tuple[datetime, str]:
    return entry.published, entry.entry_id


def _unique(slug: str, used: set[str]) -> str:
    candidate, number = slug, 2
    while candidate in used:
        candidate, number = f"{slug}-{number}", number + 1
    used.add(candidate)
    return candidate


def _post(entry: Entry, teacher: Teacher, slug: str, subject_slugs: tuple[str, ...],
          classes: tuple[str, ...], kind: Kind, tags: tuple[str, ...],
          subjects: dict[str, Subject]) -> Post:
    return Post(
        teacher=teacher, slug=slug, title=entry.title, published=entry.published,
        html=entry.html, summary=entry.summary,
        subjects=tuple(subjects[s] for s in subject_slugs if s in subjects),
        classes=classes, kind=kind, tags=tags, due=entry.due, updated=entry.updated,
        link=entry.link, image=entry.image, origin=entry.origin, assets=entry.assets,
        attachments=entry.attachments, cleaned=entry.cleaned)
