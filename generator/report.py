"""Feed health and freshness: what `mading report` tells the school's admin.

Pure: works on the `Portal` that collect produced (posts and the archive's feed status).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from generator.models import Portal

STALE_AFTER = timedelta(days=30)
"""A teacher with no post for this long is flagged: students stop looking at a stale blog."""


@dataclass(frozen=True)
class TeacherHealth:
    """One line of the report."""

    teacher: str
    name: str
    source: str | None
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

    @property
    def broken(self) -> bool:
        return self.error is not None


def teacher_health(portal: Portal, now: datetime) -> list[TeacherHealth]:
    """One entry per teacher of site.yml, in its order."""
    last_post: dict[str, datetime] = {}
    for post in portal.posts:  # newest first: the first seen per teacher is the last post
        last_post.setdefault(post.teacher.slug, post.published)
    lines = []
    for teacher in portal.site.teachers:
        status = portal.feed_of(teacher.slug)
        newest = last_post.get(teacher.slug)
        never_fetched = teacher.blog is not None and (status is None
                                                      or status.last_success is None)
        lines.append(TeacherHealth(
            teacher=teacher.slug, name=teacher.name, source=teacher.blog,
            feed_url=status.feed_url if status else None,
            error=status.error if status else None,
            error_since=status.error_since if status else None,
            last_success=status.last_success if status else None,
            last_post=newest,
            # No post at all says nothing of since when: a teacher added a minute ago
            # has none, and is not "inactive" (issue 21).
            stale=newest is not None and now - newest > STALE_AFTER,
            never_fetched=never_fetched,
        ))
    return lines
