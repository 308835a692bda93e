"""Feed health and freshness: what `mading report` tells the school's admin.

Pure: works on records handed in. The report does not collect a `Portal` of every post
(issue 23: a district has 90,000): it reads the archive's outlines of its entries
(`EntryOutline`, without their text), and collects only the posts it lists, which must be
read to know what they say.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from generator.archive import EntryOutline
from generator.errors import Problem
from generator.i18n import Translator
from generator.models import Blog, Corrections, Entry, FeedNote, FeedStatus, Portal, Site, WebFeed

STALE_AFTER = timedelta(days=30)
"""A teacher with no post for this long is flagged: students stop looking at a stale blog."""


@dataclass(frozen=True)
class TeacherHealth:
    """One line of the report."""

    teacher: str
    name: str
    blog: Blog | None
    """The `blog:` of site.yml, or None for a teacher who writes only Markdown."""
    feed_url: str | None
    error: str | None
    error_since: datetime | None
    last_success: datetime | None
    last_post: datetime | None
    stale: bool
    """Has written, but nothing for `STALE_AFTER`: an inactive teacher."""
    never_fetched: bool = False
    """A blog whose feed has never been read yet: just added, or broken from the start.
    Not an inactive teacher, whose feed works and is old (issue 21)."""
    notes: tuple[FeedNote, ...] = ()
    """What the feed's last update left out or changed (issue 26)."""

    @property
    def source(self) -> str | None:
        """The `blog:` as site.yml writes it, to show."""
        return str(self.blog) if self.blog else None

    @property
    def broken(self) -> bool:
        return self.error is not None

    @property
    def feed(self) -> str | None:
        """The feed read: for a blog's home page, the one found behind it."""
        if isinstance(self.blog, WebFeed) and self.feed_url:
            return self.feed_url
        return self.source


def teacher_health(site: Site, feeds: Iterable[FeedStatus], newest_posts: Mapping[str, datetime],
                   now: datetime) -> list[TeacherHealth]:
    """One entry per teacher of site.yml, in its order, from the `feeds` site.yml names
    now and the date of each teacher's newest post (`newest_posts`)."""
    feed_of = {status.teacher: status for status in feeds}
    lines = []
    for teacher in site.teachers:
        status = feed_of.get(teacher.slug)
        newest = newest_posts.get(teacher.slug)
        never_fetched = teacher.blog is not None and (status is None
                                                      or status.last_success is None)
        lines.append(TeacherHealth(
            teacher=teacher.slug, name=teacher.name, blog=teacher.blog,
            feed_url=status.feed_url if status else None,
            error=status.error if status else None,
            error_since=status.error_since if status else None,
            last_success=status.last_success if status else None,
            last_post=newest,
            # No post at all says nothing of since when: a teacher added a minute ago
            # has none, and is not "inactive" (issue 21).
            stale=newest is not None and now - newest > STALE_AFTER,
            never_fetched=never_fetched,
            notes=status.notes if status else (),
        ))
    return lines


def newest_posts(site: Site, markdown: Iterable[Entry], outlines: Iterable[EntryOutline],
                 corrections: Corrections, now: datetime,
                 load: Callable[[Iterable[int]], Mapping[int, Entry]]) -> dict[str, datetime]:
    """{teacher's slug: the date of their newest post}, as `Portal.newest_posts` has it,
    from the Markdown entries and the archive's `outlines`: posts of current teachers,
    Markdown ones neither drafts nor scheduled later, feed ones not hidden by the school.
    Only each teacher's newest feed entry is loaded (`load`), to see that it makes a
    post: a row damaged by hand makes none, and the one before it counts."""
    teachers = {teacher.slug for teacher in site.teachers}
    newest: dict[str, datetime] = {}
    for entry in markdown:
        if entry.teacher in teachers and not entry.draft and entry.published <= now:
            known = newest.get(entry.teacher)
            newest[entry.teacher] = entry.published if known is None \
                else max(known, entry.published)
    stored: dict[str, list[EntryOutline]] = {}
    for outline in outlines:
        # Most schools correct nothing: no address made into a key 90,000 times then.
        correction = corrections.of(outline.link) if corrections.items else None
        if outline.teacher in teachers and not (correction and correction.hidden):
            stored.setdefault(outline.teacher, []).append(outline)
    for candidates in stored.values():
        candidates.sort(key=lambda outline: outline.published, reverse=True)
    # The newest of every teacher at once; a teacher whose newest makes no post, one by one.
    loaded = load(candidates[0].row for candidates in stored.values())
    for teacher, candidates in stored.items():
        known = newest.get(teacher)
        for outline in candidates:
            if known is not None and outline.published <= known:
                break
            if outline.row in loaded or load([outline.row]):
                newest[teacher] = outline.published
                break
    return newest


RECENT = timedelta(days=14)
"""Assignments listed: deadlines from this long ago on, and those without a deadline
posted within it; the school checks what students see now, not every past year."""
READ_REACH = timedelta(days=368)
"""How far after its post a deadline read from the text falls (generator/assignments.py):
a date written without a year is the next one, within a year (a day more for time
zones). Older posts are not read for the report: only a year written out far ahead (a
typo, `2062`) would give them a deadline it lists."""


def assignment_rows(site: Site, outlines: Iterable[EntryOutline], corrections: Corrections,
                    now: datetime) -> list[int]:
    """The rows of the archive that `blog_assignments` may list, or that a correction of
    koreksi.yml names: the only entries the report loads and reads (issue 23). A school
    portal's post says its kind and deadline (issue 25): listed if it is a recent
    assignment. A blog's post is read: if it is recent enough for its deadline to be."""
    teachers = {teacher.slug: teacher for teacher in site.teachers}
    kinds = site.kind_names
    since = now - RECENT
    rows = []
    for outline in outlines:
        teacher = teachers.get(outline.teacher)
        if teacher is None:
            continue
        if corrections.items and corrections.of(outline.link) is not None:
            rows.append(outline.row)
        elif teacher.school is not None and outline.kind in kinds:
            if outline.kind == "tugas" and (outline.due or outline.published) >= since:
                rows.append(outline.row)
        elif outline.published >= since - READ_REACH:
            rows.append(outline.row)
    return rows


@dataclass(frozen=True)
class BlogAssignment:
    """One assignment of a teacher's blog, as read from its text or corrected (issue 20)."""

    teacher: str
    title: str
    link: str | None
    due: datetime | None
    all_day: bool
    classes: tuple[str, ...]
    hand_in: str
    corrected: bool
    """Set by koreksi.yml: the school's word, not the reading."""


def blog_assignments(portal: Portal, corrections: Corrections,
                     now: datetime) -> list[BlogAssignment]:
    """The blog posts that are assignments, soonest deadline first, those without one
    last (newest first): what the school should check the reading of. `portal` may hold
    only the posts of `assignment_rows`."""
    lines = []
    for post in portal.posts:
        if post.origin != "feed" or post.kind != "tugas":
            continue
        recent = post.due >= now - RECENT if post.due else post.published >= now - RECENT
        if not recent:
            continue
        lines.append(BlogAssignment(
            teacher=post.teacher.slug, title=post.title, link=post.link, due=post.due,
            all_day=post.due_all_day, classes=post.classes, hand_in=post.hand_in,
            corrected=corrections.of(post.link) is not None))
    dated = sorted((line for line in lines if line.due), key=lambda line: line.due or now)
    return dated + [line for line in lines if line.due is None]


def unused_corrections(portal: Portal, where: str, _: Translator) -> list[Problem]:
    """A correction of koreksi.yml whose address no blog post has: a mistyped or
    shortened address corrects nothing, and the school must know."""
    return [Problem(where, _("assignments.unused_correction", address=c.address), c.line)
            for c in portal.unused_corrections]
