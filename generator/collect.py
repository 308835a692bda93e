"""Turn source entries into the portal's posts: classified, addressed, newest first.

Pure functions over records: no network, no disk.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from generator.assignments import Reading, read_post
from generator.classes import ClassIndex, class_key
from generator.layout import RESERVED_POST_SLUGS
from generator.models import (
    MAX_TAGS,
    Correction,
    Corrections,
    Entry,
    FeedStatus,
    Kind,
    Portal,
    Post,
    Site,
    Subject,
    Teacher,
    unpack_html,
)
from generator.slugs import fold, is_slug, slugify

KIND_WORDS: dict[Kind, tuple[str, ...]] = {
    "tugas": ("tugas", "pr", "pekerjaan rumah", "penugasan", "assignment", "homework",
              "remedial", "kuis", "quiz", "proyek", "project"),
    "pengumuman": ("pengumuman", "info", "informasi", "announcement", "berita"),
    "materi": ("materi", "bahan ajar", "lesson", "material"),
}
NO_CORRECTIONS = Corrections()


@dataclass(frozen=True)
class Classifier:
    """Maps a feed's free-form categories to the site's subjects, classes and kinds."""

    subjects: dict[str, Subject]
    classes: ClassIndex
    kinds: dict[str, Kind]

    @classmethod
    def for_site(cls, site: Site) -> Classifier:
        subjects: dict[str, Subject] = {}
        for subject in site.subjects:
            for label in (subject.name, subject.slug, *subject.aliases):
                subjects.setdefault(fold(label), subject)
        kinds = {fold(word): kind for kind, words in KIND_WORDS.items() for word in words}
        for spec in site.kinds:  # declared in site.yml (issue 25)
            for word in (spec.name, spec.label, *spec.aliases):
                kinds.setdefault(fold(word), spec.name)
        return cls(subjects, class_index(site), kinds)

    def classify(self, entry: Entry, fallback_subjects: tuple[str, ...],
                 own_classes: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...],
                                                        Kind | None, tuple[str, ...]]:
        """(subject slugs, classes, kind, remaining tags) for a feed entry's categories;
        classes and kind empty when no category names them.

        A post with no recognised subject gets the teacher's subjects. A post tagged for
        one subject stays off the teacher's others. A grade (`kelas X`) means the
        teacher's classes of that grade, or all of them when the teacher has none, unless
        other labels name classes of it (`Kelas XII`, `XII-1`, `XII-2`: those two).
        """
        subjects: list[str] = []
        named: list[str] = []
        of_grades: list[str] = []
        kind: Kind | None = None
        tags: list[str] = []
        for category in entry.categories:
            key = fold(category)
            if key in self.subjects:
                _append_new(subjects, [self.subjects[key].slug])
                continue
            classes, grades = self.classes.label_classes(category, own_classes)
            if classes or grades:
                _append_new(named, classes)
                _append_new(of_grades, grades)
            elif key in self.kinds:
                kind = kind or self.kinds[key]
            else:
                tags.append(category)
        return (tuple(subjects) or fallback_subjects,
                self.classes.refined(named, of_grades), kind, tuple(tags))


def class_index(site: Site) -> ClassIndex:
    """The site's classes with their aliases; without a `classes:` list, the teachers'."""
    names = site.classes or tuple(dict.fromkeys(c for t in site.teachers for c in t.classes))
    return ClassIndex.build(names, dict(site.class_aliases))


def _append_new(target: list[str], values: Iterable[str]) -> None:
    target.extend(v for v in values if v not in target)


def portal_order(post: Post) -> tuple[datetime, str, str]:
    """How a portal's posts are sorted (newest first, with `reverse=True`): posts of the
    same moment by teacher and name, so that every build lists them alike."""
    return post.published, post.teacher.slug, post.slug


def collect(site: Site, feed_entries: Iterable[Entry], markdown_entries: Iterable[Entry],
            feeds: Iterable[FeedStatus], generated: datetime,
            corrections: Corrections = NO_CORRECTIONS,
            readings: Readings | None = None) -> Portal:
    """Build the `Portal`: posts of current teachers only, newest first; drafts and
    Markdown posts scheduled after `generated` (dated later) left out.

    A feed post's kind, deadline, classes and where to hand it in are read from its text
    (generator/assignments.py) unless its labels say; the school's `corrections` win over
    both, and may hide a post. `readings` are those of earlier builds in this process
    (`mading serve`'s), to take again where the text is the same.
    """
    classifier = Classifier.for_site(site)
    zone = ZoneInfo(site.school.timezone)
    teachers = {t.slug: t for t in site.teachers}
    subjects = {s.slug: s for s in site.subjects}
    posts: list[Post] = []
    cut: dict[str, None] = {}
    applied: set[str] = set()
    readings = readings or Readings()
    readings.made_with(classifier.classes)
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
        told = teacher.school is not None and entry.kind in site.kind_names
        if told:
            # As the school portal said it (issue 25), not read again from the text.
            reading = Reading(kind=entry.kind or "materi", due=entry.due, all_day=entry.due_all_day,
                              classes=tuple(dict.fromkeys(
                                  found for found in (classifier.classes.names.get(
                                      class_key(name)) for name in entry.classes) if found)))
        else:
            reading = _read(readings, entry, zone, classifier.classes, teacher.classes, kind,
                            classes)
        # The date the school saw it published: 06:30 in Jakarta is the day before in UTC.
        # entry.slug is the title the archive first saw: editing a title keeps the address.
        name = entry.slug or slugify(entry.title) or "tulisan"
        base = f"{entry.published.astimezone(zone):%Y-%m-%d}-{name}"
        if teacher.school is not None:
            # A school portal's post keeps its address there on a cluster's (issue 25).
            base = school_post_slug(entry.link) or base
        slug = _unique(base, used_slugs[teacher.slug])
        post = _post(entry, teacher, slug, found_subjects, reading.classes,
                     reading.kind or "materi", tags, subjects)
        if not told and post.series:  # only a school portal's word for it (issue 25)
            post = replace(post, series="")
        if reading.kind == "tugas":
            post = replace(post, due=reading.due, due_all_day=reading.all_day,
                           due_read=reading.due is not None and not told,
                           hand_in=reading.hand_in)
        correction = corrections.of(entry.link)
        if correction is not None:
            applied.add(correction.address)
            if correction.hidden:
                continue
            post = corrected(post, correction)
        posts.append(post)
    posts.sort(key=portal_order, reverse=True)
    return Portal(site=site, posts=tuple(posts), feeds=current_feeds(site, feeds),
                  generated=generated, tags_cut=tuple(cut),
                  unused_corrections=tuple(c for c in corrections.items
                                           if c.address not in applied))


def _read(readings: Readings, entry: Entry, zone: ZoneInfo, index: ClassIndex,
          own: tuple[str, ...], label_kind: Kind | None,
          label_classes: tuple[str, ...]) -> Reading:
    """What the post's text says (generator/assignments.py), remembered by the entry and
    its text; a text that cannot be read leaves the post what its labels made it
    (issue 20, item 9)."""
    try:
        return readings.reading(entry.entry_id, entry.title, entry.html, entry.published, zone,
                                index, own, label_kind, label_classes)
    except Exception:  # reading never fails a build
        return Reading(kind=label_kind, classes=label_classes or own)


def corrected(post: Post, correction: Correction) -> Post:
    """The post as the school corrected it: what it sets wins over what was read, and the
    post no longer says its deadline was read. A deadline makes it an assignment; another
    kind drops the deadline."""
    kind = correction.kind or ("tugas" if correction.due is not None else post.kind)
    due, all_day = post.due, post.due_all_day
    if correction.due is not None:
        due, all_day = correction.due, correction.due_all_day
    if kind != "tugas":
        due, all_day = None, False
    return replace(post, kind=kind, due=due, due_all_day=all_day, due_read=False,
                   classes=correction.classes if correction.classes is not None
                   else post.classes,
                   hand_in=post.hand_in if kind == "tugas" else "")


class Readings:
    """What posts' texts were read to say (`read_post`), by the entry and a checksum of
    its text. The caller keeps them from build to build: `mading serve` rebuilds at every
    save, and a post's text rarely changes between builds. Only the small key is kept,
    not the text."""

    MOST = 200_000
    """A district's posts (90,000) twice over; past it they are started again."""

    def __init__(self) -> None:
        self._found: dict[tuple[object, ...], Reading] = {}
        self._classes: ClassIndex | None = None

    def made_with(self, index: ClassIndex) -> None:
        """Start again when site.yml's classes change: compared once a build, not hashed
        into every post's key (a district lists thousands of classes)."""
        if index != self._classes:
            self._found.clear()
            self._classes = index

    def reading(self, entry_id: str, title: str, html: bytes, published: datetime,
                zone: ZoneInfo, index: ClassIndex, own: tuple[str, ...],
                label_kind: Kind | None, label_classes: tuple[str, ...]) -> Reading:
        """`read_post` of the post, or what it said last time."""
        key = (entry_id, zlib.crc32(html), len(html), title, published, zone.key, own,
               label_kind, label_classes)
        found = self._found.get(key)
        if found is None:
            if len(self._found) >= self.MOST:
                self._found.clear()
            found = read_post(title, unpack_html(html), published, zone, index, own,
                              label_kind, label_classes)
            self._found[key] = found
        return found


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


def school_post_slug(link: str | None) -> str | None:
    """The slug a school portal gave a post, the last folder of its address
    (`…/guru/sari/2026-11-18-persamaan-kuadrat/`), if it is one."""
    if not link:
        return None
    last = link.rstrip("/").rpartition("/")[2]
    return last if is_slug(last) and last not in RESERVED_POST_SLUGS else None


def _post(entry: Entry, teacher: Teacher, slug: str, subject_slugs: tuple[str, ...],
          classes: tuple[str, ...], kind: Kind, tags: tuple[str, ...],
          subjects: dict[str, Subject]) -> Post:
    return Post(
        teacher=teacher, slug=slug, title=entry.title, published=entry.published,
        html=entry.html, summary=entry.summary,
        subjects=tuple(subjects[s] for s in subject_slugs if s in subjects),
        classes=classes, kind=kind, tags=tags, due=entry.due, due_all_day=entry.due_all_day,
        updated=entry.updated,
        link=entry.link, image=entry.image, origin=entry.origin, assets=entry.assets,
        attachments=entry.attachments, cleaned=entry.cleaned, series=entry.series)
