"""Feed health and freshness: what `mading report` tells the school's admin.

Pure: works on the `Portal` that collect produced (posts and the archive's feed status).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from generator.errors import Problem
from generator.i18n import Translator
from generator.models import Blog, Corrections, FeedNote, Portal, WebFeed

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


def teacher_health(portal: Portal, now: datetime) -> list[TeacherHealth]:
    """One entry per teacher of site.yml, in its order."""
    lines = []
    for teacher in portal.site.teachers:
        status = portal.feed_of(teacher.slug)
        newest = portal.newest_posts.get(teacher.slug)
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


RECENT = timedelta(days=14)
"""Assignments listed: deadlines from this long ago on, and those without a deadline
posted within it; the school checks what students see now, not every past year."""


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
    last (newest first): what the school should check the reading of."""
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
