"""The commands beside the build: fetch, check, report, and the archive's export and
import. Each reads what it needs through the build's stages and stores, and gives a
record; generator/cli.py prints it, and reads nothing itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from generator.archive import Archive, ArchiveError
from generator.build import fetch
from generator.collect import collect, current_feeds
from generator.config import load_corrections
from generator.errors import Problem, display_path
from generator.i18n import Translator
from generator.models import Entry, FeedResult, FeedStatus, PortalStatus, SchoolPortal, Site
from generator.privacy import MIN_ROWS as SCORE_ROWS
from generator.privacy import score_rows
from generator.report import (
    BlogAssignment,
    TeacherHealth,
    assignment_rows,
    blog_assignments,
    newest_posts,
    teacher_health,
    unused_corrections,
)
from generator.sources.content import read_content
from generator.sources.feeds import as_read
from generator.sources.images import ImageStore, StoredImage
from generator.sources.images import problems as image_problems
from generator.sources.portals import index_address
from generator.write import replace_text


def fetch_feeds(site: Site, now: datetime) -> tuple[list[FeedResult], tuple[FeedStatus, ...]]:
    """`mading fetch`: every teacher's feed into the archive. What each feed gave, and
    then the statuses of the feeds site.yml names now."""
    results = fetch(site, now=now)
    with Archive(site.archive_file) as archive:
        return results, current_feeds(site, archive.feed_statuses())


@dataclass(frozen=True)
class ScoreList:
    """A post, written here or read from a blog, that looks like a list of students'
    names with scores (issue 25): never to be published."""

    where: str
    title: str
    rows: int


@dataclass(frozen=True)
class Check:
    """What `mading check` finds in `site.yml`, `content/` and the archive."""

    markdown: dict[str, int]
    """How many Markdown posts each teacher has."""
    found: dict[str, str]
    """The feed found behind a teacher's blog address, where it is another address."""
    scheduled: tuple[Entry, ...]
    """Markdown posts dated later, in time order: shown from then on (issue 26)."""
    score_lists: tuple[ScoreList, ...]
    problems: tuple[Problem, ...]


def check(site: Site, now: datetime) -> Check:
    """Read every post of `content/` and what the archive knows, building nothing."""
    content = read_content(site, now=now)
    counts: dict[str, int] = {}
    for entry in content.entries:
        counts[entry.teacher] = counts.get(entry.teacher, 0) + 1
    found: dict[str, str] = {}
    feed_entries: list[Entry] = []
    if site.archive_file.exists():
        with Archive(site.archive_file) as archive:
            found = {s.teacher: s.feed_url for s in archive.feed_statuses()
                     if s.feed_url and s.feed_url != s.source}
            feed_entries = archive.entries()
    scheduled = sorted((entry for entry in content.entries
                        if not entry.draft and entry.published > now),
                       key=lambda e: (e.published, e.entry_id))
    return Check(counts, found, tuple(scheduled),
                 tuple(_score_lists(site, [*content.entries, *feed_entries])),
                 (*content.problems, *load_corrections(site)[1]))


def _score_lists(site: Site, entries: list[Entry]) -> Iterator[ScoreList]:
    teachers = {t.slug for t in site.teachers}
    for entry in entries:
        if entry.teacher not in teachers or entry.draft:
            continue
        rows = score_rows(entry.content_html)
        if rows >= SCORE_ROWS:
            where = display_path(site.root / entry.entry_id) if entry.origin == "markdown" \
                else entry.link or entry.teacher
            yield ScoreList(where, entry.title, rows)


@dataclass(frozen=True)
class SchoolLine:
    """One school a cluster or district reads (issue 25)."""

    school: SchoolPortal
    address: str
    """Where its index is read."""
    status: PortalStatus | None
    """None before its index was first read."""

    @property
    def down(self) -> bool:
        return self.status is None or self.status.error is not None


@dataclass(frozen=True)
class Images:
    """The pictures fetched (issue 27): those shown as links, and what is kept."""

    problems: tuple[StoredImage, ...]
    """By teacher and address: those not fetched (no `hash`), shown as links to where
    they are, and those whose original was dropped for space."""
    kept: int
    size: int
    """Bytes of the originals kept."""

    @property
    def failed(self) -> int:
        return sum(image.hash is None for image in self.problems)


@dataclass(frozen=True)
class Report:
    """What `mading report` tells the school's admin."""

    teachers: list[TeacherHealth]
    schools: tuple[SchoolLine, ...]
    assignments: list[BlogAssignment]
    """The assignments read from blogs, for the school to check (issue 20)."""
    problems: tuple[Problem, ...]
    """Mistakes in koreksi.yml, and corrections that correct nothing."""
    images: Images | None
    """None before any picture was fetched."""


def report(site: Site, now: datetime) -> Report:
    """The health of every feed and school portal, as the archive keeps them.

    Not every post is loaded (issue 23): the archive's outlines of its entries give each
    teacher's newest post, and only the posts the report may list as assignments, or
    that koreksi.yml corrects, are loaded and collected.
    """
    _ = Translator(site.school.language)
    corrections, problems = load_corrections(site)
    markdown = read_content(site, now=now).entries
    with Archive(site.archive_file) as archive:
        outlines, feeds = archive.outlines(), current_feeds(site, archive.feed_statuses())
        newest = newest_posts(site, markdown, outlines, corrections, now, archive.entries_at)
        listed = archive.entries_at(assignment_rows(site, outlines, corrections, now))
        statuses = {status.school: status for status in archive.portal_statuses()} \
            if site.schools else {}
    portal = collect(site, listed.values(), (), feeds, now, corrections)
    schools = tuple(SchoolLine(school, index_address(school), statuses.get(school.slug))
                    for school in site.schools)
    problems += unused_corrections(portal, display_path(site.corrections_file), _)
    # A portal read as a summary is one feed, on its school line: not a line per teacher.
    summarized = {school.slug for school in site.schools if school.summary}
    own_line = {t.slug for t in site.teachers if t.school not in summarized}
    teachers = [line for line in teacher_health(site, feeds, newest, now)
                if line.teacher in own_line]
    return Report(teachers, schools,
                  blog_assignments(portal, corrections, now), tuple(problems),
                  _images(ImageStore(site.images_dir)))


def _images(store: ImageStore) -> Images | None:
    records = store.records()
    if not records:
        return None
    kept = {image.hash: image.bytes for image in records.values()
            if image.hash is not None and not image.dropped}
    return Images(tuple(image_problems(store)), kept=len(kept), size=sum(kept.values()))


def archive_lines(site: Site) -> Iterator[str]:
    """`mading archive export` without a file: the archive as JSON Lines."""
    with Archive(site.archive_file) as archive:
        yield from archive.export()


def export_archive(site: Site, file: Path) -> None:
    """The archive as JSON Lines in `file`, replaced whole or not at all: a failed
    export never replaces the last good one (which CI keeps in Git).

    Raises:
        ArchiveError: the archive cannot be read, or `file` written.
    """
    with Archive(site.archive_file) as archive:
        try:
            replace_text(file, archive.export())
        except OSError as exc:
            raise ArchiveError("archive_file.export_failed", display_path(file),
                               detail=exc.strerror) from None


def import_archive(site: Site, file: Path) -> int:
    """Merge the export `file` into the archive; how many entries it held.

    Raises:
        ArchiveError: `file` cannot be read or is no export, or the archive cannot be
            written; errors about the export's lines name the export.
    """
    try:
        with open(file, encoding="utf-8") as source, Archive(site.archive_file) as archive:
            return archive.import_(source, lambda entry: as_read(entry, site.embed_hosts))
    except OSError as exc:
        raise ArchiveError("archive_file.import_unreadable", display_path(file),
                           detail=exc.strerror) from None
    except UnicodeDecodeError:
        raise ArchiveError("archive_file.import_no_header", display_path(file)) from None
    except ArchiveError as exc:
        raise (exc.located(display_path(file)) if exc.where is None else exc) from None
