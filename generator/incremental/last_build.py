"""What the last build of an output folder left: asked once before a build ("is the output
current?", `LastBuild.current`) and told once after (`LastBuild.record`).

Between the two, the build's readers and renderer use the memos handed out here
(`posts`, `pages`); everything is kept in the build cache (generator/incremental/cache.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from generator.errors import Problem
from generator.incremental.cache import BuildCache
from generator.incremental.clock import TimeValues, next_change
from generator.incremental.files import FileState, Listing, listing_digest, stat_listed, walk_files
from generator.incremental.kept_output import KeptOutput
from generator.incremental.memos import PageCache, PostCache, distinct_calls
from generator.incremental.snapshot import Snapshot, input_digest
from generator.models import FeedStatus, Portal, Site
from generator.search import bundles_in


@dataclass(frozen=True)
class Made:
    """What a build made, as the next one decides by (`Snapshot`)."""

    problems: tuple[Problem, ...]
    """The content problems reported: a current output reports them again."""
    posts: int
    pages: int
    """Files written, the search index aside."""
    last_posts: dict[str, datetime]
    """Each teacher's newest post (`Portal.newest_posts`)."""
    horizon: datetime | None
    """When the pages' assignments next move (`clock.next_change`), if ever."""
    scheduled: datetime | None
    """The first Markdown post dated after the build, if any: it appears then."""
    complete: bool
    """Every page noted what it showed and nothing was left out (the search index): the
    next build may find this output current."""

    @classmethod
    def of(cls, portal: Portal, problems: tuple[Problem, ...], pages: int,
           scheduled: datetime | None, complete: bool) -> Made:
        """What a build made of `portal`, as of the time it was collected for."""
        return cls(problems=problems, posts=len(portal.posts), pages=pages,
                   last_posts=portal.newest_posts,
                   horizon=next_change((p.due for p in portal.posts if p.due),
                                       portal.generated),
                   scheduled=scheduled, complete=complete)


class LastBuild:
    """The build cache, as one build of `output` uses it.

    `teacher` is the micro-site being built, if any; `revision` and `statuses` are the
    archive's, after fetching.
    """

    def __init__(self, site: Site, output: Path, teacher: str | None, now: datetime,
                 revision: int, statuses: list[FeedStatus]) -> None:
        self.site, self.output, self.now = site, output, now
        self.statuses = statuses
        self.inputs = input_digest(site, revision, statuses, teacher)
        self.index_sound = True
        """Whether the search index is as the last build left it, as far as `current`
        could tell; if not, its bundles are made again."""
        self._cache = BuildCache(site.cache_file)
        self.posts = PostCache(self._cache)
        """The post memo for content reading."""
        self._pages: PageCache | None = None
        self.kept = KeptOutput(site.cache_file)
        """The pages and search bundles the builds keep for an output that is gone."""

    def __enter__(self) -> LastBuild:
        return self

    def __exit__(self, *exc: object) -> None:
        self.kept.close()
        self._cache.__exit__(*exc)

    def current(self) -> Snapshot | None:
        """The last build's snapshot when its output is what a build would write now
        (generator/incremental/snapshot.py): nothing need be read, rendered or written.

        Otherwise None, and the snapshot is forgotten until this build is complete.
        """
        snapshot = self._current()
        if snapshot is None:
            self._cache.keep_snapshot(self.output, None)
        return snapshot

    def _current(self) -> Snapshot | None:
        kept = self._cache.snapshot(self.output)
        if kept is None:
            return None
        try:
            snapshot = Snapshot.loads(kept)
        except (ValueError, KeyError, TypeError):
            return None
        if snapshot.inputs != self.inputs or not snapshot.holds_at(self.now):
            return None
        clock = TimeValues(self.site, self.now, snapshot.last_posts.get,
                           {status.teacher: status for status in self.statuses}.get)
        if not all(clock.replay(name, argument) == result
                   for name, argument, result in snapshot.calls):
            return None
        if listing_digest(stat_listed(self.output, self._cache.listed(self.output))) != \
                snapshot.output:
            bundles = bundles_in(self.output)
            found = {path: state for path, state in walk_output(self.output)
                     if path.split("/")[0] in bundles}
            self.index_sound = found == self._cache.files(self.output, under=bundles)
            return None
        return snapshot

    def pages(self, clock: TimeValues) -> PageCache:
        """The page memo for render, replaying the last build's pages as of `clock`."""
        self._pages = PageCache(self._cache.pages(self.output), self.output, clock,
                                self.kept)
        return self._pages

    def record(self, made: Made) -> None:
        """Keep what this build left in the output, and, when it is `complete`, the
        snapshot by which the next build may find it current."""
        pages = self._pages.pages() if self._pages is not None else {}
        snapshot = None
        if made.complete:
            snapshot = Snapshot(
                inputs=self.inputs, generated=self.now, horizon=made.horizon,
                last_posts=made.last_posts, problems=made.problems, posts=made.posts,
                calls=distinct_calls(pages.values()), pages=made.pages,
                scheduled=made.scheduled)
        self._pages = None
        listing = Listing()
        self._cache.keep_output(self.output, pages, listing.noted(walk_output(self.output)))
        if snapshot is not None and listing.complete:
            snapshot = replace(snapshot, output=listing.digest())
            self._cache.keep_snapshot(self.output, snapshot.dumps(), listing.paths())


def walk_output(output: Path) -> Iterator[tuple[str, FileState]]:
    """Every file and folder of the output, as the last build recorded them and the next
    compares them (`files.stat_listed`); the search index's bundles by their folders."""
    return walk_files(output, generated=bundles_in(output), folders=True)
